#!/bin/sh
# The scale benchmark and growth curve (docs/performance.md): synthetic documents made of real Korean
# sentences (../shared/bench/scale/make_corpus.py), the first N of them for each size, each indexed by
# `chaja index` (time, peak memory, size and segments) and queried by `chaja bench` (KorQuAD questions,
# news headlines and their two-word keywords; p50/p95/p99 in-process and over HTTP, one client and four;
# the bench process's peak memory, which serves the index, is the server's memory).
#
# Usage: docs/scale-bench.sh [WORK_DIR] [SIZES]
#   WORK_DIR  default /tmp/chaja-scale
#   SIZES     default "100k 1m"; the growth curve is "100k 1m 3m 10m" (k and m suffixes)
# Needs ../shared beside the repository and python3. 100k and 1m: about 5 GB free and 15 minutes on
# 2 cores; 10m: about 45 GB free (13 GB of JSONL, 15 GB of index) and about 1.5 hours.
# Prints one summary line per size at the end; the bench's figures are in WORK_DIR/bench-*.json.
set -eu
cd "$(dirname "$0")/.."
shared=../shared
work=${1:-/tmp/chaja-scale}
sizes=${2:-100k 1m}
mkdir -p "$work"
cargo build --release --quiet
# The binary measured is the one built now, whatever is rebuilt while the benchmark runs.
cp target/release/chaja "$work/chaja"
chaja=$work/chaja
count() {
  case $1 in
    *m) echo $((${1%m} * 1000000)) ;;
    *k) echo $((${1%k} * 1000)) ;;
    *) echo "$1" ;;
  esac
}
largest=0
for n in $sizes; do
  c=$(count "$n")
  [ "$c" -gt "$largest" ] && largest=$c
done
corpus="$work/scale-all.jsonl"
if [ ! -s "$corpus" ] || [ "$(wc -l < "$corpus")" -lt "$largest" ]; then
  python3 "$shared/bench/scale/make_corpus.py" "$largest" "$corpus"
fi
summary="$work/summary.txt"
: > "$summary"
for n in $sizes; do
  c=$(count "$n")
  head -n "$c" "$corpus" > "$work/scale-$n.jsonl"
  echo "== $n documents: indexing"
  rm -rf "$work/index-$n"
  /usr/bin/env time -f "%e s wall, %M KB peak" -o "$work/index-$n.time" \
    "$chaja" index --input "$work/scale-$n.jsonl" --index-dir "$work/index-$n" | tee "$work/index-$n.log"
  rm -f "$work/scale-$n.jsonl"
  for set in korquad/queries_dev.jsonl news-headlines/queries.jsonl; do
    kind=$(dirname "$set")
    echo "== $n documents: $set"
    /usr/bin/env time -f "%M" -o "$work/bench-$n-$kind.rss" \
      "$chaja" bench --queries "$shared/bench/$set" --index-dir "$work/index-$n" --clients 4 \
      --json "$work/bench-$n-$kind.json"
  done
  python3 - "$work" "$n" >> "$summary" <<'EOF'
import json, sys
work, n = sys.argv[1], sys.argv[2]
index = open(f"{work}/index-{n}.log").read().strip().splitlines()[-1]
wall = open(f"{work}/index-{n}.time").read().strip()
out = [f"{n}: indexing {wall}; {index}"]
for kind in ("korquad", "news-headlines"):
    rss = int(open(f"{work}/bench-{n}-{kind}.rss").read().split()[-1]) / 1024
    report = json.load(open(f"{work}/bench-{n}-{kind}.json"))
    for q in report["queries"]:
        if q["clients"] == 1 and "HTTP" in q["name"]:
            out.append(f"  {kind} {q['name']}: p50 {q['p50_ms']:.2f} p95 {q['p95_ms']:.2f} "
                       f"p99 {q['p99_ms']:.2f} ms")
    out.append(f"  {kind}: server (bench process) peak {rss:.0f} MB")
print("\n".join(out))
EOF
done
cat "$summary"
