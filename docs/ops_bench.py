#!/usr/bin/env python3
"""Operations under load (issue 27): a user-dictionary change on a live news index, and compaction.

1. `reanalysis`: serves the 33,342 news articles (with titles) from `chaja serve` with a key, runs two
   searching clients (the news headlines) and one writer (10-document batches holding a new word) while
   `PUT /api/indexes/default/user-dictionary` adds that word, until some seconds after the task is done.
   Reports 5xx and failed requests, acknowledged writes missing afterwards, the task's time, the
   server's resident memory before and its peak, and whether the word is then one noun in the
   analysis and in the hits' highlights.
2. `compaction`: posts the news articles (titles blanked, as the headline benchmark has them) in 200
   batches to an empty served index, waits for the quiet-time compaction, then benchmarks headlines
   on it against a bulk-built index of the same file (`chaja index`), alternating A B A B.

Usage: docs/ops_bench.py [--binary target/release/chaja] [--work /tmp/chaja-ops] [reanalysis|compaction]
"""
import argparse
import gzip
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
KEY = "ops-bench-key-0123456789"
WORD = "챠자랩스"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def request(port, method, path, body=None, content_type="application/json", timeout=60):
    data = None if body is None else (body if isinstance(body, bytes) else body.encode())
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Authorization", f"Bearer {KEY}")
    req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError:
        return None, b""


def serve(binary, folder, port, extra_env=None):
    env = dict(os.environ, CHAJA_API_KEY=KEY, CHAJA_LOG="warn", CHAJA_INDEX_DIR="index",
               CHAJA_SERVER_BIND=f"127.0.0.1:{port}")
    env.update(extra_env or {})
    log_file = open(os.path.join(folder, "serve.log"), "a")
    proc = subprocess.Popen([binary, "serve"], cwd=folder, env=env, stdout=log_file,
                            stderr=subprocess.STDOUT)
    started = time.time()
    while request(port, "GET", "/health")[0] != 200:
        if proc.poll() is not None or time.time() - started > 300:
            raise SystemExit("the server did not start; see " + log_file.name)
        time.sleep(0.2)
    return proc


def memory_mb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def headlines():
    path = os.path.join(SHARED, "bench", "news-headlines", "queries.jsonl")
    with open(path) as f:
        return [json.loads(line)["query"] for line in f]


def news_articles(titles=True):
    with gzip.open(os.path.join(SHARED, "corpus", "news-2025.jsonl.gz"), "rt") as f:
        for line in f:
            doc = json.loads(line)
            if not titles:
                doc["title"] = ""
            yield doc


def reanalysis(binary, work, port):
    folder = os.path.join(work, "reanalysis")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    corpus = os.path.join(SHARED, "corpus", "news-2025.jsonl.gz")
    log("reanalysis: indexing the news corpus")
    subprocess.check_call([binary, "index", "--input", corpus, "--index-dir",
                           os.path.join(folder, "index")], stdout=subprocess.DEVNULL)
    proc = serve(binary, folder, port)
    rss_before = memory_mb(proc.pid, "VmRSS")
    queries = headlines()
    stop = threading.Event()
    counts = {"searches": 0, "writes": 0, "5xx": 0, "failed": 0}
    acked = []
    lock = threading.Lock()

    def searcher(offset):
        i = offset
        while not stop.is_set():
            q = urllib.parse.quote(queries[i % len(queries)])
            status, _ = request(port, "GET", f"/api/search?q={q}")
            with lock:
                counts["searches"] += 1
                if status is None:
                    counts["failed"] += 1
                elif status >= 500:
                    counts["5xx"] += 1
            i += 2

    def writer():
        batch = 0
        while not stop.is_set():
            ids = [f"ops-{batch}-{i}" for i in range(10)]
            docs = [{"id": d, "title": f"{WORD} 새 서비스 공개",
                     "body": f"{WORD}가 오늘 새 검색 서비스를 공개했다. 기사 번호 {d}."} for d in ids]
            status, _ = request(port, "POST", "/api/documents", json.dumps(docs, ensure_ascii=False))
            with lock:
                counts["writes"] += 1
                if status == 200:
                    acked.extend(ids)
                elif status is None:
                    counts["failed"] += 1
                elif status >= 500:
                    counts["5xx"] += 1
            batch += 1

    threads = [threading.Thread(target=searcher, args=(o,)) for o in (0, 1)]
    threads.append(threading.Thread(target=writer))
    for t in threads:
        t.start()
    time.sleep(3)
    with open(os.path.join(REPO, "data", "userdic.csv"), encoding="utf-8") as f:
        dictionary = f.read() + f"\n{WORD},NNP,{WORD}\n"
    before = request(port, "GET", "/api/analyze?text=" + urllib.parse.quote(WORD + "가"))[1]
    log("reanalysis: PUT user-dictionary under load")
    put_at = time.time()
    status, body = request(port, "PUT", "/api/indexes/default/user-dictionary",
                           dictionary.encode(), content_type="text/plain")
    assert status == 202, (status, body)
    task_path = json.loads(body)["status"]
    peak_during = 0.0
    while True:
        task = json.loads(request(port, "GET", task_path)[1])
        peak_during = max(peak_during, memory_mb(proc.pid, "VmRSS"))
        if task["status"] != "running":
            break
        time.sleep(0.2)
    done_at = time.time()
    log(f"reanalysis: task {task['status']} after {done_at - put_at:.1f} s")
    time.sleep(5)
    stop.set()
    for t in threads:
        t.join()
    missing = [i for i in acked
               if request(port, "GET", f"/api/documents/{urllib.parse.quote(i)}")[0] != 200]
    after = json.loads(request(port, "GET", "/api/analyze?text=" + urllib.parse.quote(WORD + "가"))[1])
    hits = json.loads(request(port, "GET", "/api/search?q=" + urllib.parse.quote(WORD))[1])
    marked = sum(f"<mark>{WORD}</mark>" in (h.get("snippet") or "") for h in hits["hits"])
    result = {
        "documents_before": 33342,
        "task": task,
        "seconds_to_done": round(done_at - put_at, 1),
        "rss_before_mb": round(rss_before),
        "rss_peak_during_mb": round(peak_during),
        "server_peak_mb": round(memory_mb(proc.pid, "VmHWM")),
        "requests": counts,
        "acknowledged_writes": len(acked),
        "acknowledged_missing": len(missing),
        "first_token_before": json.loads(before)["tokens"][0]["surface"],
        "first_token_after": after["tokens"][0]["surface"],
        "hits_for_word": hits["total"],
        "hits_with_whole_word_marked": f"{marked} of {len(hits['hits'])}",
    }
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    return result


def compaction(binary, work, port, rounds):
    folder = os.path.join(work, "compaction")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    docs = list(news_articles(titles=False))
    notitle = os.path.join(folder, "news-notitle.jsonl")
    with open(notitle, "w") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    proc = serve(binary, folder, port, {"CHAJA_INDEX_COMPACT_AFTER_SECS": "5"})
    size = -(-len(docs) // 200)
    log(f"compaction: posting {len(docs)} articles in 200 batches of {size}")
    started = time.time()
    for b in range(200):
        batch = docs[b * size:(b + 1) * size]
        if not batch:
            break
        status, body = request(port, "POST", "/api/documents",
                               json.dumps(batch, ensure_ascii=False).encode())
        assert status == 200, (status, body[:300])
    posted = time.time() - started
    fed = json.loads(request(port, "GET", "/api/indexes/default")[1])
    log(f"compaction: {fed['segments']} segments after the writes; waiting for the compaction")
    cores = os.cpu_count() or 1
    waited = time.time()
    while True:
        time.sleep(1)
        info = json.loads(request(port, "GET", "/api/indexes/default")[1])
        if info["segments"] <= cores + 1:
            break
        if time.time() - waited > 900:
            raise SystemExit(f"not compacted: {info}")
    compacted_after = time.time() - waited
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    bulk = os.path.join(folder, "bulk")
    subprocess.check_call([binary, "index", "--input", notitle, "--index-dir", bulk],
                          stdout=subprocess.DEVNULL)
    queries = os.path.join(SHARED, "bench", "news-headlines", "queries.jsonl")
    figures = {"bulk": [], "fed": []}
    for r in range(rounds):
        for side, index in (("bulk", bulk), ("fed", os.path.join(folder, "index"))):
            out = os.path.join(folder, f"bench-{side}-{r}.json")
            log(f"compaction: headlines on the {side} index (round {r + 1})")
            subprocess.check_call([binary, "bench", "--queries", queries, "--index-dir", index,
                                   "--clients", "4", "--json", out], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
            with open(out) as f:
                report = json.load(f)
            figures[side].append({f"{q['name']}, {q['clients']} client(s)": q["p50_ms"]
                                  for q in report["queries"]})
    medians = {}
    for name in figures["bulk"][0]:
        a = statistics.median(f[name] for f in figures["bulk"])
        b = statistics.median(f[name] for f in figures["fed"])
        medians[name] = {"bulk_p50_ms": a, "fed_p50_ms": b, "ratio": round(b / a, 3) if a else None}
    bulk_segments = len([n for n in os.listdir(bulk) if n.endswith(".store")])
    fed_segments = len([n for n in os.listdir(os.path.join(folder, "index")) if n.endswith(".store")])
    return {
        "documents": len(docs),
        "batches": 200,
        "posting_seconds": round(posted, 1),
        "segments_after_writes": fed["segments"],
        "seconds_to_compacted": round(compacted_after, 1),
        "segments_fed": fed_segments,
        "segments_bulk": bulk_segments,
        "p50_medians": medians,
        "rounds": rounds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="*", default=["reanalysis", "compaction"])
    parser.add_argument("--binary", default=os.path.join(REPO, "target", "release", "chaja"))
    parser.add_argument("--work", default="/tmp/chaja-ops")
    parser.add_argument("--port", type=int, default=18391)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    binary = os.path.abspath(args.binary)
    results = {}
    if "reanalysis" in args.runs:
        results["reanalysis"] = reanalysis(binary, args.work, args.port)
    if "compaction" in args.runs:
        results["compaction"] = compaction(binary, args.work, args.port + 1, args.rounds)
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
