//! The query language people type: words, `"exact phrases"`, `+must`, `-exclude`, `OR` between
//! alternatives and `title:` restriction. Parsing never fails: anything it cannot read is taken as
//! plain words.

/// Which fields a clause searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Title,
}

/// One thing to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    pub text: String,
    pub phrase: bool,
    pub scope: Scope,
}

/// How a group of alternatives takes part in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Ranked; short queries need every such group, long ones enough of them.
    Should,
    /// `+word`: required.
    Must,
    /// `-word`: excluded.
    Exclude,
}

/// Alternatives joined by `OR`; any one satisfies the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub role: Role,
    pub alternatives: Vec<Atom>,
}

/// Splits a query into groups. Unbalanced quotes run to the end of the query; stray operators are
/// dropped; a query made only of exclusions is searched as plain words.
pub fn parse(query: &str) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut join_next = false;
    let mut rest = query.trim();
    while !rest.is_empty() {
        let (item, after) = next_item(rest);
        rest = after.trim_start();
        let Some((role, atom)) = item else { continue };
        if atom.text == "OR" && !atom.phrase && role == Role::Should {
            join_next = !groups.is_empty();
            continue;
        }
        match groups.last_mut() {
            Some(last) if join_next && last.role != Role::Exclude && role != Role::Exclude => {
                last.alternatives.push(atom);
            }
            _ => groups.push(Group {
                role,
                alternatives: vec![atom],
            }),
        }
        join_next = false;
    }
    if groups.iter().all(|g| g.role == Role::Exclude) {
        for group in &mut groups {
            group.role = Role::Should;
        }
    }
    groups
}

/// Reads one item (operator prefix, optional `title:`, word or quoted phrase) from the front of `s`.
fn next_item(s: &str) -> (Option<(Role, Atom)>, &str) {
    let mut s = s;
    let mut role = Role::Should;
    // A sign before a digit is a number's (`-3.3%`, `+2%` in headlines), not an operator.
    let number = |r: &str| r.starts_with(|c: char| c.is_ascii_digit());
    if let Some(r) = s.strip_prefix('+').filter(|r| !number(r)) {
        role = Role::Must;
        s = r;
    } else if let Some(r) = s.strip_prefix('-').filter(|r| !number(r)) {
        role = Role::Exclude;
        s = r;
    }
    let mut scope = Scope::All;
    for prefix in ["title:", "제목:"] {
        if let Some(r) = s.strip_prefix(prefix) {
            scope = Scope::Title;
            s = r;
        }
    }
    if let Some(r) = s.strip_prefix('"') {
        let (inner, after) = match r.find('"') {
            Some(end) => (&r[..end], &r[end + 1..]),
            None => (r, ""),
        };
        let text = inner.trim();
        let item = (!text.is_empty()).then(|| {
            (
                role,
                Atom {
                    text: text.to_string(),
                    phrase: true,
                    scope,
                },
            )
        });
        return (item, after);
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    let (word, after) = s.split_at(end);
    // Quotes inside a word are not phrase marks; operators alone are nothing.
    let text: String = word.chars().filter(|&c| c != '"').collect();
    let text = text.trim_matches(|c| c == '+' || c == '-').to_string();
    if text.is_empty() {
        return (None, after);
    }
    let phrase = false;
    (
        Some((
            role,
            Atom {
                text,
                phrase,
                scope,
            },
        )),
        after,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    type Shape = Vec<(Role, Vec<(String, bool, Scope)>)>;

    fn shape(query: &str) -> Shape {
        parse(query)
            .into_iter()
            .map(|g| {
                let alts = g
                    .alternatives
                    .into_iter()
                    .map(|a| (a.text, a.phrase, a.scope))
                    .collect();
                (g.role, alts)
            })
            .collect()
    }

    #[test]
    fn operators_phrases_and_fields() {
        use Role::*;
        use Scope::*;
        let s = |t: &str| t.to_string();
        assert_eq!(
            shape("\"인공지능 반도체\" +삼성전자 -애플 title:딥시크"),
            vec![
                (Should, vec![(s("인공지능 반도체"), true, All)]),
                (Must, vec![(s("삼성전자"), false, All)]),
                (Exclude, vec![(s("애플"), false, All)]),
                (Should, vec![(s("딥시크"), false, Title)]),
            ]
        );
        assert_eq!(
            shape("월드컵 OR 올림픽 축구"),
            vec![
                (
                    Should,
                    vec![(s("월드컵"), false, All), (s("올림픽"), false, All)]
                ),
                (Should, vec![(s("축구"), false, All)]),
            ]
        );
    }

    #[test]
    fn malformed_queries_degrade_to_words() {
        assert_eq!(shape("\"삼성전자 반도체"), shape("\"삼성전자 반도체\""));
        assert_eq!(
            shape("+ - OR 삼성 OR"),
            vec![(Role::Should, vec![("삼성".into(), false, Scope::All)])]
        );
        assert_eq!(
            shape("-애플"),
            vec![(Role::Should, vec![("애플".into(), false, Scope::All)])]
        );
        assert!(parse("\"\" + -").is_empty());
        assert_eq!(
            shape("a\"b"),
            vec![(Role::Should, vec![("ab".into(), false, Scope::All)])]
        );
        // Signed numbers in headlines are words, not operators.
        assert_eq!(
            shape("소비 -3.3% +2%"),
            vec![
                (Role::Should, vec![("소비".into(), false, Scope::All)]),
                (Role::Should, vec![("3.3%".into(), false, Scope::All)]),
                (Role::Should, vec![("2%".into(), false, Scope::All)]),
            ]
        );
    }
}
