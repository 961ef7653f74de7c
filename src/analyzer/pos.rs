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

/// Whether a morpheme is a particle (J…) standing as its own syllables, which closes a word.
/// Endings do not count (`되돌아 보고` is as often written `되돌아보고`), nor do fused forms, which
/// ko-dic guesses from context (`전` = 저/NP + ᆫ/JX, yet `전 국토`).
pub fn is_particle(tag: &str) -> bool {
    tag.starts_with('J') && !tag.contains('+')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_particles_standing_alone_close_words() {
        for tag in ["JKS", "JKO", "JKB", "JX", "JC"] {
            assert!(is_particle(tag), "{tag}");
        }
        for tag in [
            "NNG", "NNP", "IC", "EC", "EF", "ETM", "VV+ETM", "NP+JX", "SL",
        ] {
            assert!(!is_particle(tag), "{tag}");
        }
    }
}
