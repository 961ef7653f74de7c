"""The official Elasticsearch and OpenSearch Python clients against chaja: bulk load the bundled
sample with helpers.bulk, search (match, bool, aggregations, highlight), _analyze, delete, errors.
Run by tests/external/es_clients.rs with CHAJA_URL and CHAJA_KEY set; exits non-zero on a failure."""
import json
import os
import sys
import urllib.parse
import urllib.request

URL = os.environ["CHAJA_URL"]
KEY = os.environ["CHAJA_KEY"]
SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "data", "wikinews.jsonl")
QUERIES = ["월드컵", "대통령 선거", "서울 지하철", "삼성전자", "북한 핵실험", "올림픽 금메달"]


def sample():
    with open(SAMPLE, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def chaja_ids(index, words):
    q = urllib.parse.quote(words)
    with urllib.request.urlopen(f"{URL}/api/indexes/{index}/search?q={q}&limit=10") as r:
        return [h["id"] for h in json.load(r)["hits"]]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def searcher(name, client):
    """client.search with a body: keyword arguments for elasticsearch, body= for opensearch-py."""
    def search(index, **body):
        if name == "es":
            return client.search(index=index, **body)
        return client.search(index=index, body=body)
    return search


def exercise(name, client, helpers, errors):
    index = f"{name}-sample"
    search = searcher(name, client)
    info = client.info()
    check(info["version"]["number"], "info has a version")
    if client.indices.exists(index=index):
        client.indices.delete(index=index)
    client.indices.create(index=index)
    check(client.indices.exists(index=index), "the index exists once created")

    docs = sample()
    actions = ({"_index": index, "_id": d["id"], "_source": {
        "title": d.get("title"), "body": d["body"], "source": d.get("source"), "url": d.get("url"),
        "published_at": d.get("published_at") or d.get("date")}} for d in docs)
    ok, failed = helpers.bulk(client, actions, chunk_size=200)
    check((ok, failed) == (len(docs), []), f"bulk: {ok} indexed, errors {failed}")
    client.indices.refresh(index=index)

    # The same top 10 as chaja's own search for the same words.
    for words in QUERIES:
        found = search(index, query={"match": {"body": words}}, size=10)
        ids = [h["_id"] for h in found["hits"]["hits"]]
        check(ids == chaja_ids(index, words), f"{words}: {ids} vs {chaja_ids(index, words)}")
        check(all("_source" in h for h in found["hits"]["hits"]), "hits carry _source")

    found = search(index, size=5, query={"bool": {
        "must": [{"match": {"body": "월드컵"}}],
        "must_not": [{"match": {"body": "여자"}}],
        "filter": [{"terms": {"source": ["ko.wikinews.org"]}},
                   {"range": {"published_at": {"gte": "2009-01-01", "lte": "2012-12-31"}}}]}},
        highlight={"fields": {"body": {}}},
        aggs={"publishers": {"terms": {"field": "source", "size": 3}},
              "years": {"date_histogram": {"field": "published_at", "calendar_interval": "month"}}})
    hits = found["hits"]["hits"]
    check(hits, "bool query finds the World Cup")
    for hit in hits:
        date = hit["_source"]["published_at"][:10]
        check("2009-01-01" <= date <= "2012-12-31", f"range filter: {date}")
        check("<em>월드컵</em>" in hit["highlight"]["body"][0], f"highlight: {hit['highlight']}")
    buckets = found["aggregations"]["publishers"]["buckets"]
    check(buckets[0]["key"] == "ko.wikinews.org", f"terms aggregation: {buckets}")
    months = found["aggregations"]["years"]["buckets"]
    check(sum(b["doc_count"] for b in months) >= len(hits), f"date histogram: {months[:3]}")

    analysed = client.indices.analyze(index=index, body={"text": "삼성전자가 美 반도체를", "explain": True})
    tokens = [t["token"] for t in analysed["detail"]["analyzer"]["tokens"]]
    check(tokens[:1] == ["삼성전자"] and "미국" in tokens, f"analyze: {tokens}")
    plain = client.indices.analyze(index=index, body={"text": "삼성전자가"})
    check(plain["tokens"][0]["start_offset"] == 0 and plain["tokens"][0]["end_offset"] == 4, plain)

    first = docs[0]["id"]
    check(client.get(index=index, id=first)["found"], "get finds a document")
    check(client.delete(index=index, id=first)["result"] == "deleted", "delete")
    try:
        client.get(index=index, id=first)
        check(False, "a deleted document is gone")
    except errors.NotFoundError:
        pass
    check(client.count(index=index)["count"] == len(docs) - 1, "count after delete")
    rows = client.cat.indices(format="json")
    row = next(r for r in rows if r["index"] == index)
    check(row["docs.count"] == str(len(docs) - 1), f"cat indices: {row}")

    # What chaja cannot honour is a 400 naming it, in Elasticsearch's error shape.
    for query, named in [({"fuzzy": {"body": "월드겁"}}, "fuzzy"),
                         ({"wildcard": {"body": "월드*"}}, "wildcard"),
                         ({"term": {"title": "월드컵"}}, "title"),
                         ({"match": {"body": {"query": "월드컵", "fuzziness": 2}}}, "fuzziness")]:
        try:
            search(index, query=query)
            check(False, f"{query} should be refused")
        except errors.BadRequestError as e:
            check(e.status_code == 400 if hasattr(e, "status_code") else True, "400")
            check(named in str(e), f"{named} named in {e}")
    client.indices.delete(index=index)
    check(not client.indices.exists(index=index), "deleted index")
    print(f"{name}: ok")


def main():
    import elasticsearch
    from elasticsearch import Elasticsearch, helpers as es_helpers
    es = Elasticsearch(URL, api_key=KEY, request_timeout=60)
    exercise("es", es, es_helpers, elasticsearch)
    try:
        Elasticsearch(URL, api_key="wrong-key-0123456789").indices.create(index="nope")
        check(False, "a wrong key is refused")
    except elasticsearch.AuthenticationException:
        pass

    import opensearchpy
    from opensearchpy import OpenSearch, helpers as os_helpers
    client = OpenSearch(hosts=[URL], http_auth=("chaja", KEY), timeout=60)
    errors = type("errors", (), {"NotFoundError": opensearchpy.NotFoundError,
                                 "BadRequestError": opensearchpy.RequestError})
    exercise("os", client, os_helpers, errors)
    print("clients: ok")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - report anything to the Rust test
        import traceback
        traceback.print_exc()
        print(f"FAILED: {error}", file=sys.stderr)
        sys.exit(1)
