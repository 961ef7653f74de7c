#!/usr/bin/env python3
"""Which signature separates news copies better: 64-bit SimHash or 64-bin MinHash (as chaja uses).

On the 33,342 news articles (../shared/corpus/news-2025.jsonl.gz), every pair of bodies with exact
5-character-shingle Jaccard >= 0.1 (spaces removed; candidates share at least two sampled shingles) is
labelled by its exact Jaccard. For each signature, the threshold is set so that a given share of the
copies (pairs with Jaccard >= 0.8) pass, and the script reports how many pairs of each lower band pass
with it: the fewer unlike pairs (under 0.3) a signature lets through at the same recall of copies, the
better it separates them. MinHash here is one-permutation MinHash with 64 bins and rotation
densification over the same shingles (the estimate = the share of equal bins); SimHash is the sign of
the sum of the shingles' 64-bit hashes, bit by bit (the distance = differing bits).

Usage: docs/simhash_vs_minhash.py        (needs python3 and numpy: pip install numpy; about a minute)
"""

import gzip
import hashlib
import itertools
import json
import os
from collections import defaultdict

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus", "news-2025.jsonl.gz")
SAMPLE = 16
COMMON = 200
BINS = 64


def shingle_hashes(text):
    chars = "".join(text.split())
    grams = {chars[i:i + 5] for i in range(len(chars) - 4)}
    if not grams:
        return np.zeros(0, dtype=np.uint64)
    # A stable 64-bit hash of each shingle (blake2b), as unsigned integers.
    digest = b"".join(hashlib.blake2b(g.encode(), digest_size=8).digest() for g in sorted(grams))
    return np.frombuffer(digest, dtype="<u8")


def simhash(hashes):
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0) * 2 > len(hashes)
    return np.packbits(votes, bitorder="little").view("<u8")[0]


def minhash(hashes):
    bins = (hashes >> np.uint64(58)).astype(np.int64)
    rest = hashes & np.uint64((1 << 58) - 1)
    mins = np.full(BINS, np.iinfo(np.uint64).max, dtype=np.uint64)
    np.minimum.at(mins, bins, rest)
    filled = np.nonzero(mins != np.iinfo(np.uint64).max)[0]
    out = np.empty(BINS, dtype=np.uint64)
    for i in range(BINS):
        # The bin, or the next filled one to the right, offset by the distance.
        j = filled[np.searchsorted(filled, i) % len(filled)] if len(filled) else i
        distance = int((j - i) % BINS)
        out[i] = mins[j] ^ np.uint64(distance * 0x9E3779B97F4A7C15 % (1 << 64)) if len(filled) else 0
    return out


def main():
    texts = {}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            texts[str(doc["id"])] = doc.get("body") or ""
    hashes = {i: shingle_hashes(t) for i, t in texts.items()}
    hashes = {i: h for i, h in hashes.items() if len(h) >= 20}
    sets = {i: set(h.tolist()) for i, h in hashes.items()}
    postings = defaultdict(list)
    for i, h in hashes.items():
        for v in h[h % np.uint64(SAMPLE) == 0].tolist():
            postings[v].append(i)
    shared = defaultdict(int)
    for docs in postings.values():
        if 1 < len(docs) <= COMMON:
            for a, b in itertools.combinations(sorted(docs), 2):
                shared[(a, b)] += 1
    pairs = []
    for (a, b), n in shared.items():
        if n >= 2:
            union = len(sets[a] | sets[b])
            j = len(sets[a] & sets[b]) / union if union else 0.0
            if j >= 0.1:
                pairs.append((a, b, j))
    ids = sorted({d for a, b, _ in pairs for d in (a, b)})
    sim = {i: simhash(hashes[i]) for i in ids}
    mins = {i: minhash(hashes[i]) for i in ids}
    jac = np.array([j for _, _, j in pairs])
    hamming = np.array([bin(int(sim[a]) ^ int(sim[b])).count("1") for a, b, _ in pairs])
    agree = np.array([(mins[a] == mins[b]).mean() for a, b, _ in pairs])
    bands = [(0.8, 1.01, "copies (>= 0.8)"), (0.5, 0.8, "0.5-0.8"), (0.3, 0.5, "0.3-0.5"),
             (0.1, 0.3, "unlike (0.1-0.3)")]
    print(f"{len(pairs)} pairs with Jaccard >= 0.1 among {len(ids)} articles")
    for band in bands:
        print(f"  {band[2]}: {int(((jac >= band[0]) & (jac < band[1])).sum())} pairs")
    copies = jac >= 0.8
    print("\n| signature | copies passing | threshold | 0.5-0.8 passing | 0.3-0.5 passing | unlike (0.1-0.3) passing |")
    print("| --- | --- | --- | --- | --- | --- |")
    for recall in (0.99, 1.0):
        # SimHash: the largest distance that keeps `recall` of the copies; MinHash: the lowest share.
        k = int(np.quantile(hamming[copies], recall, method="higher"))
        t = float(np.quantile(agree[copies], 1 - recall, method="lower"))
        for name, passing, rule in [("SimHash 64 bits", hamming <= k, f"distance <= {k}"),
                                    ("MinHash 64 bins", agree >= t, f"share >= {t:.3f}")]:
            cells = []
            for lo, hi, _ in bands:
                band = (jac >= lo) & (jac < hi)
                cells.append(f"{100 * passing[band].mean():.1f} %")
            print(f"| {name} | {cells[0]} | {rule} | {cells[1]} | {cells[2]} | {cells[3]} |")
    t = 33 / 64
    cells = [f"{100 * (agree >= t)[(jac >= lo) & (jac < hi)].mean():.1f} %" for lo, hi, _ in bands]
    print(f"| MinHash 64 bins, chaja's 0.51 | {cells[0]} | share >= 33/64 | {cells[1]} | {cells[2]} | {cells[3]} |")


if __name__ == "__main__":
    main()
