#!/bin/sh
# The scale benchmark (docs/performance.md): 100,000 and 1,000,000 synthetic documents made of real
# Korean sentences (../shared/bench/scale/make_corpus.py), each indexed by `chaja index` (time, peak
# memory, size and segments) and queried by `chaja bench` (KorQuAD questions, news headlines and their
# two-word keywords; p50/p95/p99 in-process and over HTTP, one client and four).
#
# Usage: docs/scale-bench.sh [WORK_DIR]     (default /tmp/chaja-scale; needs ../shared beside the
# repository, python3 and about 5 GB free; about 15 minutes on 2 cores)
set -eu
cd "$(dirname "$0")/.."
shared=../shared
work=${1:-/tmp/chaja-scale}
mkdir -p "$work"
cargo build --release --quiet
chaja=target/release/chaja
if [ ! -s "$work/scale-1m.jsonl" ]; then
  python3 "$shared/bench/scale/make_corpus.py" 1000000 "$work/scale-1m.jsonl"
fi
head -n 100000 "$work/scale-1m.jsonl" > "$work/scale-100k.jsonl"
for n in 100k 1m; do
  echo "== $n documents: indexing"
  rm -rf "$work/index-$n"
  "$chaja" index --input "$work/scale-$n.jsonl" --index-dir "$work/index-$n"
  for set in korquad/queries_dev.jsonl news-headlines/queries.jsonl; do
    echo "== $n documents: $set"
    "$chaja" bench --queries "$shared/bench/$set" --index-dir "$work/index-$n" --clients 4 \
      --json "$work/bench-$n-$(dirname "$set").json"
  done
done
