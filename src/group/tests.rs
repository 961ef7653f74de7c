use std::collections::HashSet;

use super::*;

/// The bundled Wikinews bodies (distinct articles).
fn bodies() -> Vec<String> {
    include_str!("../../data/wikinews.jsonl")
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| v["body"].as_str().map(str::to_string))
        .collect()
}

/// Exact Jaccard similarity of two bodies' 5-character shingles, spaces left out (the measure the
/// signature estimates).
fn jaccard(a: &str, b: &str) -> f64 {
    let shingles = |text: &str| -> HashSet<Vec<char>> {
        let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        chars.windows(SHINGLE).map(<[char]>::to_vec).collect()
    };
    let (a, b) = (shingles(a), shingles(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

/// A syndicated copy as another outlet runs it: its own dateline and byline, the last sentence cut,
/// a footer added.
fn syndicated(body: &str, n: usize) -> String {
    let cut = body.rfind(". ").map_or(body, |end| &body[..end + 1]);
    format!("(서울=뉴스{n}) 김기자 기자 = {cut}\n\n무단전재 및 재배포 금지")
}

#[test]
fn a_signature_estimates_the_shared_share_of_shingles() {
    let bodies = bodies();
    let body = bodies.iter().find(|b| b.chars().count() > 800).unwrap();
    let copy = syndicated(body, 1);
    let a = Signature::of(body).unwrap();
    let b = Signature::of(&copy).unwrap();
    let exact = jaccard(body, &copy);
    assert!(exact > 0.8, "{exact}");
    assert!((f64::from(a.similarity(&b)) - exact).abs() < 0.25);
    assert_eq!(Signature::from_bytes(&a.to_bytes()), Some(a));
    // Spacing is not a difference.
    let respaced = body.replace(' ', "");
    assert_eq!(Signature::of(&respaced), Some(a));
}

#[test]
fn a_line_or_two_gets_no_signature() {
    assert_eq!(Signature::of("삼성전자가 반도체 투자를 늘린다."), None);
    assert_eq!(Signature::of(""), None);
}

#[test]
fn copies_join_their_original_and_distinct_articles_stay_apart() {
    let bodies: Vec<String> = bodies()
        .into_iter()
        .filter(|b| b.chars().count() > 300)
        .collect();
    assert!(bodies.len() > 300, "{}", bodies.len());
    let mut table = Table::new(0.5);
    let originals: Vec<u64> = bodies
        .iter()
        .enumerate()
        .map(|(n, body)| table.assign(&format!("wikinews-{n}"), Signature::of(body)))
        .collect();
    // Copies of the first 200, each as two other outlets run it.
    let (mut close, mut joined) = (0, 0);
    for (n, body) in bodies.iter().take(200).enumerate() {
        for outlet in 0..2 {
            let copy = syndicated(body, outlet);
            let group = table.assign(&format!("copy-{n}-{outlet}"), Signature::of(&copy));
            if jaccard(body, &copy) >= 0.8 {
                close += 1;
                joined += usize::from(group == originals[n]);
            }
        }
    }
    assert!(close >= 100, "{close}");
    assert!(
        joined * 100 >= close * 95,
        "{joined} of {close} copies joined"
    );
    // Distinct articles grouped together must still be alike: no grouped pair under 0.3.
    let mut grouped = 0;
    let mut unlike = 0;
    for i in 0..bodies.len() {
        for j in i + 1..bodies.len() {
            if originals[i] == originals[j] {
                grouped += 1;
                unlike += usize::from(jaccard(&bodies[i], &bodies[j]) < 0.3);
            }
        }
    }
    assert!(
        unlike * 100 <= grouped,
        "{unlike} of {grouped} grouped pairs are unlike"
    );
}

#[test]
fn a_document_with_no_signature_or_no_match_has_its_own_group() {
    let mut table = Table::new(0.5);
    assert_eq!(table.assign("a", None), own_group("a"));
    let bodies = bodies();
    let body = bodies.iter().find(|b| b.chars().count() > 800).unwrap();
    let first = table.assign("first", Signature::of(body));
    assert_eq!(first, own_group("first"));
    assert_eq!(
        table.assign("second", Signature::of(&syndicated(body, 1))),
        first
    );
    assert_ne!(own_group("first"), own_group("second"));
}
