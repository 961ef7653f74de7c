//! Part-of-speech stop tags: which ko-dic morphemes are dropped from the index.

use std::collections::HashSet;

/// Stop tags as configured. Nori's class names `E` and `J` match every ko-dic tag starting with that
/// letter (EP/EF/EC/ETN/ETM, JKS/JKO/JX/…); other names match exactly.
#[derive(Debug, Clone)]
pub struct StopTags {
    exact: HashSet<String>,
    classes: Vec<char>,
}

impl StopTags {
    pub fn new(tags: &[String]) -> Self {
        let mut exact = HashSet::new();
        let mut classes = Vec::new();
        for tag in tags {
            match tag.as_str() {
                "E" => classes.push('E'),
                "J" => classes.push('J'),
                other => {
                    exact.insert(other.to_string());
                }
            }
        }
        Self { exact, classes }
    }

    /// Whether a single tag (`JKS`) is a stop tag.
    pub fn stops(&self, tag: &str) -> bool {
        // Classes first: most morphemes of running text are particles and endings.
        tag.chars()
            .next()
            .is_some_and(|c| self.classes.contains(&c))
            || self.exact.contains(tag)
    }

    /// Whether a possibly fused tag (`NNG+JKO`) is made only of stop tags.
    pub fn stops_all(&self, tag: &str) -> bool {
        tag.split('+').all(|t| self.stops(t))
    }
}
