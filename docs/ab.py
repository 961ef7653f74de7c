#!/usr/bin/env python3
"""A/B in one run: two builds of chaja, the same data, alternated (A B A B), medians and ratios.

This machine's speed drifts 10-20 % within minutes, so a figure from another run means little: only a
ratio measured here, in alternation, counts. For each of A and B (a commit, or a path to a built
binary) this script

  1. builds the commit (a detached worktree under WORK, one shared cargo target folder);
  2. indexes each collection with each binary, alternating, ROUNDS times (wall seconds and the
     process's peak memory, as the kernel accounts them for the finished child);
  3. runs `chaja bench --queries` with each binary against its own index, alternating, ROUNDS times:
     p50/p95/p99 of every query kind in-process and over HTTP (one client and --clients);
  4. prints, per figure, the median over the rounds for A and B and the ratio B/A of the medians.

Collections (from ../shared beside the repository):
  korquad  100,000 Wikipedia passages, the 1,729 KorQuAD dev questions (and their two-word keywords)
  news     33,342 news articles without their titles, the 1,000 headlines (and their two-word keywords)
  scale    the first --scale-docs documents of make_corpus.py's synthetic corpus, KorQuAD questions
           and news headlines against it (opt in: --sets korquad,news,scale)

Usage:
  docs/ab.py A B [--rounds 3] [--sets korquad,news] [--work /tmp/chaja-ab] [--clients 4]
             [--no-index] [--json out.json]
  docs/ab.py 632f687 HEAD
  docs/ab.py /tmp/bin/chaja-old target/release/chaja --sets news --rounds 5

Needs python3, cargo and git; nothing else. About 10 minutes for two commits, three rounds and the
two default collections on 2 cores (building a commit the first time takes a few minutes more).
"""

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")


def log(message):
    print(message, file=sys.stderr, flush=True)


def build(spec, work):
    """The binary for `spec`: a path to a binary as it is, or a commit built in a worktree."""
    if os.path.isfile(spec) and os.access(spec, os.X_OK):
        return os.path.abspath(spec), os.path.basename(spec)
    sha = subprocess.check_output(["git", "-C", REPO, "rev-parse", "--short", spec], text=True).strip()
    binary = os.path.join(work, "bin", f"chaja-{sha}")
    if os.path.exists(binary):
        return binary, sha
    tree = os.path.join(work, "src", sha)
    if not os.path.exists(tree):
        subprocess.check_call(["git", "-C", REPO, "worktree", "add", "--detach", "-f", tree, sha],
                              stdout=subprocess.DEVNULL)
    env = dict(os.environ)
    env.setdefault("LINDERA_BUILD_DICTIONARY_CACHE_DIR", os.path.join(SHARED, "lindera"))
    log(f"ab: building {spec} ({sha})")
    subprocess.check_call(["cargo", "build", "--release", "--quiet", "--target-dir",
                           os.path.join(work, "target")], cwd=tree, env=env)
    os.makedirs(os.path.dirname(binary), exist_ok=True)
    shutil.copy2(os.path.join(work, "target", "release", "chaja"), binary)
    subprocess.call(["git", "-C", REPO, "worktree", "remove", "--force", tree],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return binary, sha


def timed(command, out_path):
    """Runs `command` (output to `out_path`) in the folder of `out_path`, where no config.toml is (both
    builds run with their built-in defaults, and an older one is not refused a newer file's keys):
    wall seconds and peak memory (MB) of the child."""
    with open(out_path, "w") as out:
        started = time.monotonic()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                 cwd=os.path.dirname(out_path))
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"ab: {' '.join(command)} failed, see {out_path}")
    return wall, usage.ru_maxrss / 1024.0


def collections(work, sets, scale_docs):
    """name -> (input file, [query files])"""
    bench = os.path.join(SHARED, "bench")
    korquad_q = os.path.join(bench, "korquad", "queries_dev.jsonl")
    news_q = os.path.join(bench, "news-headlines", "queries.jsonl")
    out = {}
    if "korquad" in sets:
        out["korquad"] = (os.path.join(bench, "korquad", "passages.jsonl.gz"), [korquad_q])
    if "news" in sets:
        path = os.path.join(work, "news-notitle.jsonl")
        if not os.path.exists(path):
            with gzip.open(os.path.join(SHARED, "corpus", "news-2025.jsonl.gz"), "rt") as src, \
                    open(path + ".tmp", "w") as dst:
                for line in src:
                    doc = json.loads(line)
                    doc["title"] = ""
                    dst.write(json.dumps(doc, ensure_ascii=False) + "\n")
            os.rename(path + ".tmp", path)
        out["news"] = (path, [news_q])
    if "scale" in sets:
        path = os.path.join(work, f"scale-{scale_docs}.jsonl")
        if not os.path.exists(path):
            subprocess.check_call([sys.executable, os.path.join(bench, "scale", "make_corpus.py"),
                                   str(scale_docs), path + ".tmp"])
            os.rename(path + ".tmp", path)
        out["scale"] = (path, [korquad_q, news_q])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sets", default="korquad,news")
    parser.add_argument("--work", default="/tmp/chaja-ab")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--scale-docs", type=int, default=1_000_000)
    parser.add_argument("--no-index", action="store_true",
                        help="reuse the indexes of an earlier run in WORK (queries only)")
    parser.add_argument("--json", help="also write every figure of every round here")
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    binaries = [build(args.a, work), build(args.b, work)]
    names = [n for _, n in binaries]
    if names[0] == names[1]:
        names = ["A:" + names[0], "B:" + names[1]]
    sets = collections(work, args.sets.split(","), args.scale_docs)
    # figures[(collection, figure)] = ([A values], [B values])
    figures = {}

    def record(key, side, value):
        figures.setdefault(key, ([], []))[side].append(value)

    for name, (data, query_files) in sets.items():
        for r in range(args.rounds):
            for side, (binary, label) in enumerate(binaries):
                index = os.path.join(work, f"index-{name}-{side}")
                if args.no_index and os.path.exists(index):
                    continue
                shutil.rmtree(index, ignore_errors=True)
                log(f"ab: {name}: indexing with {label} (round {r + 1})")
                wall, peak = timed([binary, "index", "--input", data, "--index-dir", index],
                                   os.path.join(work, f"index-{name}-{side}.log"))
                record((name, "indexing wall s"), side, wall)
                record((name, "indexing peak MB"), side, peak)
            if args.no_index:
                break
        for r in range(args.rounds):
            for query_file in query_files:
                kind = os.path.basename(os.path.dirname(query_file))
                for side, (binary, label) in enumerate(binaries):
                    index = os.path.join(work, f"index-{name}-{side}")
                    out = os.path.join(work, f"bench-{name}-{kind}-{side}-{r}.json")
                    log(f"ab: {name}: {kind} with {label} (round {r + 1})")
                    timed([binary, "bench", "--queries", query_file, "--index-dir", index,
                           "--clients", str(args.clients), "--json", out],
                          out + ".log")
                    with open(out) as f:
                        report = json.load(f)
                    for q in report.get("queries", []):
                        label_q = f"{kind}: {q['name']}, {q['clients']} client(s)"
                        for p in ("p50_ms", "p95_ms", "p99_ms"):
                            record((name, f"{label_q} {p[:3]}"), side, q[p])

    print(f"A = {names[0]}, B = {names[1]}; medians of {args.rounds} alternated rounds; "
          f"B/A < 1 means B is faster or smaller")
    print(f"{'collection':<9} {'figure':<62} {'A':>9} {'B':>9} {'B/A':>6}")
    rows = []
    for (name, figure), (a, b) in figures.items():
        if not a or not b:
            continue
        ma, mb = statistics.median(a), statistics.median(b)
        ratio = mb / ma if ma else float("nan")
        rows.append({"collection": name, "figure": figure, "a": a, "b": b,
                     "median_a": ma, "median_b": mb, "ratio": ratio})
        print(f"{name:<9} {figure:<62} {ma:>9.2f} {mb:>9.2f} {ratio:>6.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"a": names[0], "b": names[1], "rounds": args.rounds, "rows": rows}, f,
                      indent=1)


if __name__ == "__main__":
    main()
