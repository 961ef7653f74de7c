#!/usr/bin/env python3
"""How close a cluster gets: the relevance benchmarks ranked by Lucene Nori with the analysis chain
`chaja export opensearch` writes (docs/nori/NoriEval.java, BM25 with the query's tokens OR-ed over
title and body, as a `match` query would be), beside chaja's own figures.

Needs java and Debian's liblucene8-java. Usage:
  docs/nori_eval.py [--binary target/release/chaja] [--work /tmp/chaja-nori] [--sets news,korquad]
"""
import argparse
import gzip
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")


def classpath():
    jars = []
    for name in ("lucene-core", "lucene-analyzers-nori", "lucene-analyzers-common"):
        found = sorted(f for f in os.listdir("/usr/share/java")
                       if f.startswith(name + "-") and f[len(name) + 1:][:1].isdigit())
        jars.append(os.path.join("/usr/share/java", found[-1]))
    return ":".join(jars)


def clean(text):
    return (text or "").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def score(run_path, qrels_path):
    relevant = {}
    with open(qrels_path) as f:
        for line in f:
            qid, doc = line.split("\t")[:2]
            relevant.setdefault(qid, set()).add(doc)
    ranks = {}
    with open(run_path) as f:
        for line in f:
            qid, doc, rank = line.rstrip("\n").split("\t")
            if doc in relevant.get(qid, ()) and qid not in ranks:
                ranks[qid] = int(rank)
    n = len(relevant)
    mrr = sum(1 / r for r in ranks.values()) / n
    r1 = sum(r == 1 for r in ranks.values()) / n
    r10 = len(ranks) / n
    return {"mrr10": round(mrr, 4), "r1": round(r1, 3), "r10": round(r10, 3), "queries": n}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(REPO, "target", "release", "chaja"))
    parser.add_argument("--work", default="/tmp/chaja-nori")
    parser.add_argument("--sets", default="news,korquad")
    parser.add_argument("--k1", default="0.9")
    parser.add_argument("--b", default="0.4")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    bench = os.path.join(SHARED, "bench")
    sets = {
        "news": (os.path.join(SHARED, "corpus", "news-2025.jsonl.gz"), True,
                 os.path.join(bench, "news-headlines", "queries.jsonl"),
                 os.path.join(bench, "news-headlines", "qrels.tsv")),
        "korquad": (os.path.join(bench, "korquad", "passages.jsonl.gz"), False,
                    os.path.join(bench, "korquad", "queries_dev.jsonl"),
                    os.path.join(bench, "korquad", "qrels_dev.tsv")),
    }
    results = {}
    for name in args.sets.split(","):
        corpus, blank_titles, queries, qrels = sets[name]
        work = os.path.join(args.work, name)
        os.makedirs(work, exist_ok=True)
        # The export's analysis settings (chaja's defaults: the same for every index).
        data = os.path.join(work, "input.jsonl")
        with gzip.open(corpus, "rt") as src, open(data, "w") as dst:
            for line in src:
                doc = json.loads(line)
                if blank_titles:
                    doc["title"] = ""
                dst.write(json.dumps(doc, ensure_ascii=False) + "\n")
        index = os.path.join(work, "index")
        if not os.path.exists(os.path.join(index, "meta.json")):
            subprocess.check_call([args.binary, "index", "--input", data, "--index-dir", index],
                                  stdout=subprocess.DEVNULL)
        out = os.path.join(work, "export")
        subprocess.check_call([args.binary, "export", "opensearch", "--index-dir", index,
                               "--name", name, "--out", out], stdout=subprocess.DEVNULL)
        with open(os.path.join(out, "template.json")) as f:
            analysis = json.load(f)["template"]["settings"]["analysis"]
        tokenizer = analysis["tokenizer"]["chaja_nori"]
        files = {k: os.path.join(work, k) for k in ("rules.txt", "synonyms.txt", "docs.tsv", "queries.tsv", "run.tsv")}
        with open(files["rules.txt"], "w") as f:
            f.write("\n".join(tokenizer["user_dictionary_rules"]))
        with open(files["synonyms.txt"], "w") as f:
            f.write("\n".join(analysis["filter"]["chaja_synonyms"]["synonyms"]))
        with open(os.path.join(out, "documents.ndjson")) as src, open(files["docs.tsv"], "w") as dst:
            for action in src:
                doc = json.loads(next(src))
                doc_id = json.loads(action)["index"]["_id"]
                dst.write(f"{clean(doc_id)}\t{clean(doc['title'])}\t{clean(doc['body'])}\n")
        with open(queries) as src, open(files["queries.tsv"], "w") as dst:
            for line in src:
                q = json.loads(line)
                dst.write(f"{q['qid']}\t{clean(q['query'])}\n")
        print(f"{name}: ranking with Lucene Nori", file=sys.stderr)
        subprocess.check_call(["java", "-Xmx4g", "-cp", classpath(),
                               os.path.join(REPO, "docs", "nori", "NoriEval.java"),
                               files["rules.txt"], ",".join(analysis["filter"]["chaja_pos"]["stoptags"]),
                               tokenizer["decompound_mode"], files["synonyms.txt"], files["docs.tsv"],
                               files["queries.tsv"], files["run.tsv"], args.k1, args.b])
        results[name] = {"nori_export": score(files["run.tsv"], qrels)}
        text = subprocess.run([args.binary, "eval", "--queries", queries, "--qrels", qrels,
                               "--index-dir", index], capture_output=True, text=True, check=True).stdout
        results[name]["chaja_eval"] = text.strip().splitlines()[-4:]
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
