//! Scraped Korean news pages (plain text of a whole web page): finds the title, publication date and
//! publisher, and keeps only the article text, dropping menus, widgets, teaser lists, comment boxes and
//! copyright lines.

use std::sync::OnceLock;

use regex::Regex;

use super::date::find_korean_date;
use super::Article;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("page pattern is valid"))
}

/// A line that states when the article was published.
fn labelled_date(line: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"(기사입력|입력|기사승인|승인|등록|발행|게재|작성)\s*[:：]?\s*(19|20)\d{2}",
    )
    .is_match(line)
}

/// A line that is only a date (a site's dateline such as `2025년 09월 02일 화요일`).
fn bare_date(line: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, r"^(19|20)\d{2}\s*[년.\-/]\s*\d{1,2}\s*[월.\-/]\s*\d{1,2}\s*일?\s*(\(?[월화수목금토일](요일)?\)?)?\s*([0-2]?\d:\d{2}(:\d{2})?)?$")
        .is_match(line)
}

/// Where the article ends and the page's furniture begins.
fn tail_marker(line: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"(?x)
        ^\[?\s*저작권자 | 무단\s?전재 | 재배포\s?금지 | ^Copyright | ^ⓒ | ^©
        | 베스트\s?기사\]?$ | ^HOT\s?클릭 | ^최신\s?기사$ | ^최신\s?뉴스$ | ^많이\s?본\s?(기사|뉴스)
        | ^인기\s?기사 | ^관련\s?기사 | ^주요\s?뉴스$ | ^실시간 | ^Comments$ | ^뉴스\s?댓글 | ^댓글
        | ^PHOTO\s?NEWS$ | ^포토\s?뉴스$ | ^이\s?시각\s?주요뉴스 | ^Top으로\s?이동",
    )
    .is_match(line)
}

/// A line of page furniture that can sit anywhere: weather widgets, share buttons, e-mail sign-offs,
/// board metadata (`라이더 0 3 09.24 18:16`), menu words.
fn chrome_line(line: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let short = line.chars().filter(|c| !c.is_whitespace()).count() <= 2;
    short
        || re(
            &RE,
            r"(?x)
            -?\d+(\.\d+)?\s*℃ | ^기상청\s?제공$ | ^(더보기|메뉴|속보|인쇄|공유|스크랩|배너|사진|닫기|검색|로그인|회원가입|home)$
            | ^[\w.+-]+@[\w-]+(\.[\w-]+)+$ | ^\S+\s+\d+\s+\d+\s+\d{2}\.\d{2}\s+\d{2}:\d{2}$ | ^최종\s?수정 | ^업데이트\s?:",
        )
        .is_match(line)
}

/// A line that separates site sections from the article (`home 〉 Q&A`).
fn breadcrumb(line: &str) -> bool {
    line.contains('〉') || line.contains('›') || line.contains(" > ")
}

fn title_like(line: &str) -> bool {
    let visible = line.chars().filter(|c| !c.is_whitespace()).count();
    (6..=200).contains(&visible) && !chrome_line(line) && !tail_marker(line) && !bare_date(line)
}

/// Collapses runs of spaces (including no-break spaces) and trims.
fn tidy(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for word in line
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    // Bullets left over from list markup.
    out.trim_start_matches(['•', '·', '-', '*', ' '])
        .trim()
        .to_string()
}

/// Parses a scraped page into an article; `Err` when no article text is left.
pub fn parse(id: &str, page: &str) -> Result<Article, String> {
    let lines: Vec<String> = page.lines().map(tidy).collect();
    let nonempty: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].is_empty()).collect();
    let head = &nonempty[..nonempty.len().min(40)];

    let date_line = head.iter().copied().find(|&i| labelled_date(&lines[i]));
    let dateline = head.iter().copied().find(|&i| bare_date(&lines[i]));
    let title_line = if let Some(d) = date_line {
        // The title sits right above the byline/date line.
        head.iter()
            .rev()
            .copied()
            .find(|&i| i < d && title_like(&lines[i]))
    } else if let Some(b) = head.iter().copied().find(|&i| breadcrumb(&lines[i])) {
        head.iter()
            .copied()
            .find(|&i| i > b && title_like(&lines[i]))
    } else if let Some(d) = dateline {
        head.iter()
            .copied()
            .find(|&i| i > d && title_like(&lines[i]))
    } else {
        head.iter().copied().find(|&i| title_like(&lines[i]))
    };

    let published_at = date_line
        .or(dateline)
        .and_then(|i| find_korean_date(&lines[i]));
    let body_start = [title_line, date_line, dateline]
        .into_iter()
        .flatten()
        .max()
        .map_or(0, |i| i + 1);
    let body_end = (body_start..lines.len())
        .find(|&i| tail_marker(&lines[i]))
        .unwrap_or(lines.len());

    let paragraphs: Vec<&str> = lines[body_start..body_end]
        .iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty() && !chrome_line(l) && !labelled_date(l))
        .collect();
    if paragraphs.is_empty() {
        return Err("no article text found on the page".to_string());
    }
    let body = paragraphs.join("\n");
    let title = title_line
        .map(|i| lines[i].clone())
        .unwrap_or_else(|| paragraphs[0].chars().take(80).collect());
    let source = publisher(&lines, &paragraphs);
    Ok(Article {
        id: id.to_string(),
        title,
        body,
        source,
        url: None,
        published_at,
    })
}

/// Words in brackets that are labels, not publishers.
const NOT_PUBLISHERS: &[&str] = &[
    "사진",
    "자료",
    "그래픽",
    "영상",
    "출처",
    "단독",
    "속보",
    "종합",
    "포토",
    "인터뷰",
    "칼럼",
    "사설",
    "기고",
    "특집",
    "기자수첩",
    "오피니언",
    "광고",
    "표",
    "붙임",
    "편집자주",
    "뉴스핌DB",
];

/// The publisher named by the copyright line (`[저작권자ⓒ 뉴스스텝. 무단전재-재배포 금지]`) or the
/// dateline of the first paragraphs (`[서울=뉴스핌] 박진숙 기자`, `【파이낸셜뉴스 실리콘밸리=홍창기 특파원】`).
fn publisher(lines: &[String], paragraphs: &[&str]) -> Option<String> {
    static COPYRIGHT: OnceLock<Regex> = OnceLock::new();
    static BRACKET: OnceLock<Regex> = OnceLock::new();
    let copyright = re(&COPYRIGHT, r"저작권자\s*[(]?[ⓒ©cC]?[)]?\s*([^\s.,\]\[]+)");
    if let Some(name) = lines
        .iter()
        .find_map(|l| copyright.captures(l).map(|c| c[1].to_string()))
    {
        return Some(name);
    }
    let bracket = re(&BRACKET, r"[\[【]([^\]】\[【]{1,40})[\]】]");
    paragraphs.iter().take(3).find_map(|p| {
        bracket.captures_iter(p).find_map(|c| {
            let inside = c[1].trim();
            let name = match inside.split_once('=') {
                Some((left, right)) => {
                    let (left, right) = (left.trim(), right.trim());
                    if NOT_PUBLISHERS.contains(&left) {
                        return None;
                    }
                    if right.ends_with("기자") || right.ends_with("특파원") {
                        left.split_whitespace().next()?
                    } else {
                        right.split_whitespace().next()?
                    }
                }
                None if !inside.contains(' ') => inside,
                None => return None,
            };
            (!NOT_PUBLISHERS.contains(&name) && name.chars().any(char::is_alphabetic))
                .then(|| name.to_string())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kst::format_rfc3339;

    const PAGE: &str = include_str!("../../tests/fixtures/page_newsroom.txt");

    #[test]
    fn finds_title_date_and_publisher() {
        let article = parse("newsroom", PAGE).unwrap();
        assert_eq!(article.id, "newsroom");
        assert_eq!(article.title, "찾아전자, 한국어 검색엔진 '찾아' 정식 출시");
        assert_eq!(
            article.published_at.map(format_rfc3339).as_deref(),
            Some("2024-03-15T09:30:00+09:00")
        );
        assert_eq!(article.source.as_deref(), Some("가상일보"));
    }

    #[test]
    fn keeps_the_article_and_drops_the_chrome() {
        let body = parse("newsroom", PAGE).unwrap().body;
        assert!(
            body.starts_with("형태소 분석으로 조사와 어미를 가려내"),
            "{body}"
        );
        assert!(body.contains("복합명사는 전체와 부분으로 모두 색인된다."));
        assert!(body.ends_with("개선하겠다\"고 말했다."), "{body}");
        for chrome in [
            "기상청",
            "℃",
            "로그인",
            "더보기",
            "최종수정",
            "우주항공청",
            "베스트 기사",
            "저작권자",
            "kimsearch@",
        ] {
            assert!(!body.contains(chrome), "{chrome:?} left in body: {body}");
        }
    }

    #[test]
    fn breadcrumb_and_bare_dateline_pages() {
        let board = "Q&A\n\nhome 〉 Q&A\n\n중소기업 대출 금리 낮아진다\n\n작성자 0 3 09.24 18:16\n은행들이 중소기업 대출 금리를 내린다.\n\nComments\n";
        let article = parse("b", board).unwrap();
        assert_eq!(article.title, "중소기업 대출 금리 낮아진다");
        assert_eq!(article.body, "은행들이 중소기업 대출 금리를 내린다.");
        assert_eq!(
            article.published_at, None,
            "a date without a year is not a date"
        );
        let column = "맑음서울 30.1℃\n2025년 09월 02일 화요일\n메뉴\n경제\n반도체 산업의 내일\n반도체 산업은 지금 기로에 서 있다.\nHOT클릭 TOP7\n다른 기사 제목\n";
        let article = parse("c", column).unwrap();
        assert_eq!(article.title, "반도체 산업의 내일");
        assert_eq!(article.body, "반도체 산업은 지금 기로에 서 있다.");
        assert_eq!(article.source, None);
        assert_eq!(
            article.published_at.map(format_rfc3339).as_deref(),
            Some("2025-09-02T00:00:00+09:00")
        );
    }

    #[test]
    fn publisher_from_bylines() {
        let names = |text: &str| publisher(&[], &[text]);
        assert_eq!(
            names("【파이낸셜뉴스 실리콘밸리=홍창기 특파원】 메타가").as_deref(),
            Some("파이낸셜뉴스")
        );
        assert_eq!(
            names("[세종=뉴스핌] 김기랑 기자 = 오영주").as_deref(),
            Some("뉴스핌")
        );
        assert_eq!(names("[뉴스스텝] 산업계의").as_deref(), Some("뉴스스텝"));
        assert_eq!(names("챗GPT가 그린 모습. [사진=챗GPT]"), None);
        assert_eq!(names("[단독] 삼성전자"), None);
    }

    #[test]
    fn a_page_without_text_is_an_error() {
        assert!(parse("x", "메뉴\n더보기\n").is_err());
        assert!(parse("x", "").is_err());
    }
}
