#!/usr/bin/env python3
"""Query latency through the whole `chaja serve` of two builds over one index, in alternation.

`chaja bench` measures a build's search router in-process; this measures what a user of the server
gets, routing included (several indexes, the Elasticsearch paths): each binary serves INDEX read-only
on its own port, and one keep-alive client sends the news headlines to each in turn, A B A B, for
ROUNDS rounds. Prints p50/p95/p99 per side and the ratio B/A.

Usage: docs/serve_ab.py A_BINARY B_BINARY INDEX_DIR [--rounds 4]
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

SHARED = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "shared")


def start(binary, index, port):
    env = dict(os.environ, CHAJA_LOG="warn")
    env.pop("CHAJA_API_KEY", None)
    proc = subprocess.Popen([binary, "serve", "--index-dir", index, "--bind", f"127.0.0.1:{port}"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd="/tmp")
    for _ in range(600):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{binary} did not start")


def run(port, queries):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for q in queries:
        path = "/api/search?q=" + urllib.parse.quote(q)
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, response.status
    return times


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("index")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    with open(os.path.join(SHARED, "bench", "news-headlines", "queries.jsonl")) as f:
        queries = [json.loads(line)["query"] for line in f]
    servers = [start(args.a, args.index, 18471), start(args.b, args.index, 18472)]
    try:
        for port in (18471, 18472):
            run(port, queries[:200])  # warm up
        figures = {0: {"p50": [], "p95": [], "p99": []}, 1: {"p50": [], "p95": [], "p99": []}}
        for r in range(args.rounds):
            for side, port in ((0, 18471), (1, 18472)) if r % 2 == 0 else ((1, 18472), (0, 18471)):
                times = run(port, queries)
                for name, p in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
                    figures[side][name].append(pct(times, p))
                print(f"round {r + 1} {'AB'[side]}: p50 {pct(times, 0.5):.2f} ms", file=sys.stderr)
        for name in ("p50", "p95", "p99"):
            a = statistics.median(figures[0][name])
            b = statistics.median(figures[1][name])
            print(f"headlines over HTTP {name}: A {a:.2f} ms  B {b:.2f} ms  B/A {b / a:.2f}")
    finally:
        for s in servers:
            s.terminate()
            s.wait()


if __name__ == "__main__":
    main()
