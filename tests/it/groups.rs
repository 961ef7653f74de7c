//! Related-article groups: a wire story and its copies are one hit with the copies listed under it,
//! `group=false` lists them all, pages never repeat a group, a copy written through the API joins
//! its group before its 2xx, and deleting the group's first article keeps the rest together.

use axum::http::StatusCode;
use serde_json::Value;

use chaja::ingest::Article;
use chaja::search::{SearchRequest, Sort};

use super::live::{call, post, writable};
use super::support::{copy, engine_of, story, with_copies, KEY};

fn request(query: &str, group: bool) -> SearchRequest {
    SearchRequest {
        query: query.to_string(),
        limit: 10,
        group,
        ..SearchRequest::default()
    }
}

#[test]
fn a_story_and_its_copies_are_one_hit_unless_grouping_is_off() {
    let (story, items) = with_copies();
    let engine = engine_of(items);
    let query = story.title.clone();
    let grouped = engine.search(&request(&query, true)).unwrap();
    let plain = engine.search(&request(&query, false)).unwrap();
    let in_story = |id: &str| id == story.id || id.starts_with("copy-");
    assert_eq!(plain.hits.iter().filter(|h| in_story(&h.id)).count(), 4);
    let story_hits: Vec<_> = grouped.hits.iter().filter(|h| in_story(&h.id)).collect();
    assert_eq!(story_hits.len(), 1, "one hit for the story");
    // The first report leads: the copies, shorter, score up to 4 % higher, and came later.
    let lead = story_hits[0];
    assert_eq!(lead.id, story.id);
    let similar = lead.similar.as_ref().expect("the copies under it");
    assert_eq!(similar.count, 3);
    assert_eq!(similar.ids, ["copy-뉴시스", "copy-뉴스1", "copy-연합뉴스"]);
    assert_eq!(similar.members[0].source.as_deref(), Some("뉴시스"));
    // Totals count documents; the page says what its groups hold.
    assert_eq!(grouped.total, plain.total);
    let page = grouped.grouped.expect("grouping reported");
    assert_eq!(page.groups, grouped.hits.len());
    assert!(page.documents >= grouped.hits.len() + 3);
    assert!(plain.grouped.is_none());
    // Sorted by date, the story is folded too.
    let by_date = engine
        .search(&SearchRequest {
            sort: Sort::Date,
            limit: 100,
            ..request(&query, true)
        })
        .unwrap();
    assert_eq!(by_date.hits.iter().filter(|h| in_story(&h.id)).count(), 1);
    // The stored document lists its group.
    let document = engine.document("copy-뉴스1").unwrap();
    assert_eq!(document.similar.map(|s| s.count), Some(3));
}

#[test]
fn pages_never_repeat_a_group() {
    let (story, items) = with_copies();
    let engine = engine_of(items);
    let query = story.title.split_whitespace().next().unwrap().to_string();
    let mut seen: Vec<String> = Vec::new();
    for page in 0..4 {
        let response = engine
            .search(&SearchRequest {
                limit: 3,
                offset: page * 3,
                ..request(&query, true)
            })
            .unwrap();
        for hit in &response.hits {
            let mut group = vec![hit.id.clone()];
            group.extend(hit.similar.iter().flat_map(|s| s.ids.clone()));
            for id in group {
                assert!(!seen.contains(&id), "{id} on two pages");
                seen.push(id);
            }
        }
    }
    assert!(seen.len() >= 4, "{seen:?}");
}

fn json_of(article: &Article) -> String {
    serde_json::json!([{
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "source": article.source,
        "published_at": article.published_at.map(|at| at.format(&time::format_description::well_known::Rfc3339).unwrap()),
    }])
    .to_string()
}

async fn similar_of(state: &chaja::http::AppState, id: &str) -> Value {
    let uri = format!("/api/documents/{}", urlencode(id));
    let (status, body) = call(state, "GET", &uri, None, "", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["similar"].clone()
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_written_copy_joins_its_group_at_once_and_outlives_the_leader() {
    let dir = tempfile::tempdir().unwrap();
    let state = writable(dir.path());
    let story = story();
    let mut first = story.clone();
    first.body = first.body.chars().take(1200).collect();
    // Documents of at most 4 KB (the test server's limit).
    let (status, body) = post(&state, Some(KEY), &json_of(&first)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = post(&state, Some(KEY), &json_of(&copy(&first, "뉴시스", 1))).await;
    assert_eq!(status, StatusCode::OK);
    // Acknowledged means grouped.
    let similar = similar_of(&state, &first.id).await;
    assert_eq!(similar["ids"], serde_json::json!(["copy-뉴시스"]));
    let (status, _) = post(&state, Some(KEY), &json_of(&copy(&first, "뉴스1", 2))).await;
    assert_eq!(status, StatusCode::OK);
    // The leader deleted, its copies stay one group, and a later copy still joins them.
    let uri = format!("/api/documents/{}", urlencode(&first.id));
    let (status, _) = call(&state, "DELETE", &uri, Some(KEY), "", "").await;
    assert_eq!(status, StatusCode::OK);
    let similar = similar_of(&state, "copy-뉴시스").await;
    assert_eq!(similar["ids"], serde_json::json!(["copy-뉴스1"]));
    let (status, _) = post(&state, Some(KEY), &json_of(&copy(&first, "연합뉴스", 3))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(similar_of(&state, "copy-연합뉴스").await["count"], 2);
}
