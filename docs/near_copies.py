#!/usr/bin/env python3
"""Related-article groups, measured: near-copies on result pages, and the quality of the groups.

Near-copy: a hit whose body shares at least half of its 5-character shingles (Jaccard >= 0.5, spaces
removed) with a hit ranked above it. Against a running chaja over the news corpus (indexed with its
titles, as a user would), this script reports

  1. pages: for the topical queries below and the first 300 news headlines, the share of top-10
     slots that are near-copies and the share of pages holding one, with `group=false` and
     `group=true`;
  2. groups (--groups): every pair of articles with Jaccard >= 0.3 found exactly (candidates from
     sampled shingles), and how many pairs with Jaccard >= 0.8 share a group, and how many grouped
     pairs are under 0.3 (the groups are read from /api/documents/{id}).

Usage:
  chaja index --input ../shared/corpus/news-2025.jsonl.gz --index-dir /tmp/news-titles
  chaja serve --index-dir /tmp/news-titles --bind 127.0.0.1:8090 &
  docs/near_copies.py --url http://127.0.0.1:8090 [--groups]

Needs python3 only.
"""

import argparse
import gzip
import itertools
import json
import os
import sys
import urllib.parse
import urllib.request
from collections import defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
CORPUS = os.path.join(SHARED, "corpus", "news-2025.jsonl.gz")
HEADLINES = os.path.join(SHARED, "bench", "news-headlines", "queries.jsonl")

# Two-word (and one-word) topics a reader of this corpus's months would search.
TOPICS = [
    "환율", "삼성전자 반도체", "통일교 특검", "쿠팡 개인정보", "코스피", "비트코인", "부동산 대책",
    "금리 인하", "김정은", "트럼프 관세", "이재명 대통령", "국민의힘", "더불어민주당", "윤석열 재판",
    "내란 특검", "SK하이닉스", "현대차", "AI 데이터센터", "수능", "의대 정원", "전세 사기",
    "미세먼지", "폭설", "화재", "교통사고", "손흥민", "BTS", "넷플릭스", "K팝", "엔비디아",
    "중국 경제", "일본 총리", "우크라이나 전쟁", "가자지구", "원전", "전기차 배터리",
    "저출산", "최저임금", "고용", "물가",
]

SAMPLE = 16  # candidates share sampled shingles: a shingle is sampled when its hash % SAMPLE == 0
COMMON = 200  # sampled shingles in more documents than this (boilerplate) make no candidates


def shingles(text):
    chars = "".join(text.split())
    return {chars[i:i + 5] for i in range(len(chars) - 4)}


def jaccard(a, b):
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def load_corpus():
    bodies = {}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            bodies[str(doc["id"])] = doc.get("body") or ""
    return bodies


def get(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def pages(base, queries, shingled, group):
    slots = copies = pages_with = 0
    for query in queries:
        params = urllib.parse.urlencode({"q": query, "limit": 10, "group": str(group).lower()})
        hits = get(f"{base}/api/search?{params}")["hits"]
        above = []
        page_has = False
        for hit in hits:
            mine = shingled(hit["id"])
            slots += 1
            if any(jaccard(mine, other) >= 0.5 for other in above):
                copies += 1
                page_has = True
            above.append(mine)
        pages_with += page_has
    return slots, copies, pages_with


def close_pairs(bodies, shingled):
    """Every pair of documents with exact Jaccard >= 0.3, as {(a, b): jaccard}."""
    postings = defaultdict(list)
    for doc_id in bodies:
        for s in shingled(doc_id):
            if hash(s) % SAMPLE == 0:
                postings[s].append(doc_id)
    shared = defaultdict(int)
    for docs in postings.values():
        if 1 < len(docs) <= COMMON:
            for a, b in itertools.combinations(sorted(docs), 2):
                shared[(a, b)] += 1
    pairs = {}
    for (a, b), n in shared.items():
        if n >= 2:
            j = jaccard(shingled(a), shingled(b))
            if j >= 0.3:
                pairs[(a, b)] = j
    return pairs


def groups_of(base, ids):
    group = {}
    for doc_id in ids:
        if doc_id in group:
            continue
        doc = get(f"{base}/api/documents/{urllib.parse.quote(doc_id, safe='')}")
        members = [doc_id] + [m["id"] for m in (doc.get("similar") or {}).get("members", [])]
        for member in members:
            group.setdefault(member, doc_id)
    return group


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8090")
    parser.add_argument("--headlines", type=int, default=300)
    parser.add_argument("--groups", action="store_true", help="also measure the groups themselves")
    args = parser.parse_args()
    bodies = load_corpus()
    cache = {}

    def shingled(doc_id):
        if doc_id not in cache:
            cache[doc_id] = shingles(bodies.get(doc_id, ""))
        return cache[doc_id]

    with open(HEADLINES, encoding="utf-8") as f:
        headlines = [json.loads(line)["query"] for line in f][: args.headlines]
    print("| queries | grouping | near-copy slots in the top 10 | pages with one |")
    print("| --- | --- | --- | --- |")
    for name, queries in [(f"{len(TOPICS)} topics", TOPICS), (f"{len(headlines)} headlines", headlines)]:
        for group in (False, True):
            slots, copies, with_one = pages(args.url, queries, shingled, group)
            print(f"| {name} | {'on' if group else 'off'} | {100 * copies / max(slots, 1):.1f} % "
                  f"({copies} of {slots}) | {100 * with_one / len(queries):.0f} % |", flush=True)
    if not args.groups:
        return
    pairs = close_pairs(bodies, shingled)
    group = groups_of(args.url, sorted(bodies))
    close = [p for p, j in pairs.items() if j >= 0.8]
    together = sum(1 for a, b in close if group.get(a) == group.get(b) and a in group)
    print(f"\npairs with Jaccard >= 0.8: {len(close)}, in one group: {together} "
          f"({100 * together / max(len(close), 1):.1f} %)")
    for lo, hi in [(0.3, 0.5), (0.5, 0.8)]:
        band = [p for p, j in pairs.items() if lo <= j < hi]
        joined = sum(1 for a, b in band if group.get(a) == group.get(b) and a in group)
        print(f"pairs with Jaccard {lo}-{hi}: {len(band)}, in one group: {joined} "
              f"({100 * joined / max(len(band), 1):.1f} %)")
    # Every grouped pair, and how many of them are unlike (under 0.3).
    members = defaultdict(list)
    for doc_id, leader in group.items():
        members[leader].append(doc_id)
    grouped = unlike = 0
    for docs in members.values():
        for a, b in itertools.combinations(sorted(set(docs)), 2):
            grouped += 1
            if pairs.get((a, b), 0.0) < 0.3 and jaccard(shingled(a), shingled(b)) < 0.3:
                unlike += 1
    print(f"grouped pairs: {grouped}, under 0.3: {unlike} ({100 * unlike / max(grouped, 1):.2f} %)")


if __name__ == "__main__":
    main()
