#!/usr/bin/env python3
"""What the news says about a query, measured on the news corpus: are related words on topic, and how
fast are /api/trend and /api/related over HTTP with one client.

  1. For each topic below: the top 10 related words, how many of them appear (as text) in at least
     20 % of that query's top 50 hits, and whether any news boilerplate word is among them; the people
     and places listed for the query.
  2. p50 / p99 of /api/trend (interval auto) and /api/related over HTTP (keep-alive, one client) for
     the topical queries and the first 200 headlines' first two words, after one pass that warms the
     page cache.

Usage:
  chaja index --input ../shared/corpus/news-2025.jsonl.gz --index-dir /tmp/news-titles
  chaja serve --index-dir /tmp/news-titles --bind 127.0.0.1:8090 &
  docs/insights.py --url http://127.0.0.1:8090

Needs python3 only.
"""

import argparse
import gzip
import http.client
import json
import os
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
CORPUS = os.path.join(SHARED, "corpus", "news-2025.jsonl.gz")
HEADLINES = os.path.join(SHARED, "bench", "news-headlines", "queries.jsonl")

TOPICS = ["환율", "쿠팡 개인정보", "통일교 특검", "한파", "손흥민"]
PEOPLE = ["이재명"]
BOILERPLATE = ["기자", "무단", "전재", "배포", "금지", "저작권"]


class Client:
    def __init__(self, url):
        parsed = urllib.parse.urlparse(url)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)

    def get(self, path, **params):
        query = urllib.parse.urlencode(params, doseq=True)
        self.conn.request("GET", f"{path}?{query}")
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}?{query}: {response.status} {body[:200]!r}")
        return json.loads(body)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8090")
    args = parser.parse_args()
    client = Client(args.url)
    texts = {}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            texts[str(doc["id"])] = ((doc.get("title") or "") + "\n" + (doc.get("body") or "")).lower()

    print("| query | related words (top 10) | in >= 20 % of the top 50 | boilerplate |")
    print("| --- | --- | --- | --- |")
    for topic in TOPICS:
        related = client.get("/api/related", q=topic, limit=10)
        hits = client.get("/api/search", q=topic, limit=50, group="false")["hits"]
        bodies = [texts.get(h["id"], "") for h in hits]
        words = [w["word"] for w in related["words"]]
        on_topic = sum(1 for w in words if sum(w.lower() in b for b in bodies) >= 0.2 * len(bodies))
        junk = [w for w in words if w in BOILERPLATE]
        print(f"| {topic} | {', '.join(words)} | {on_topic} of {len(words)} | {', '.join(junk) or 'none'} |")
    for name in TOPICS + PEOPLE:
        related = client.get("/api/related", q=name, limit=10)
        people = ", ".join(p["name"] for p in related["people"])
        places = ", ".join(p["name"] for p in related["places"])
        print(f"\n{name}: people: {people}\n{' ' * len(name)}  places: {places}")

    with open(HEADLINES, encoding="utf-8") as f:
        headlines = [json.loads(line)["query"] for line in f][:200]
    queries = TOPICS + PEOPLE + [" ".join(h.split()[:2]) for h in headlines]
    print(f"\n| endpoint | queries | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- |")
    for path, extra in [("/api/trend", {"interval": "auto"}), ("/api/related", {})]:
        for q in queries:  # one pass to warm the page cache (the first read of a term's postings)
            client.get(path, q=q, **extra)
        latencies = []
        for q in queries:
            started = time.perf_counter()
            client.get(path, q=q, **extra)
            latencies.append((time.perf_counter() - started) * 1000)
        print(f"| {path} | {len(queries)} | {percentile(latencies, 50):.2f} | {percentile(latencies, 99):.2f} |")


if __name__ == "__main__":
    main()
