use super::*;
use crate::search::syntax::parse;

fn kind(query: &str) -> QueryKind {
    classify(&parse(query), &SearchConfig::default())
}

#[test]
fn up_to_three_plain_words_are_keywords() {
    assert_eq!(kind("삼성전자"), QueryKind::Keywords);
    assert_eq!(kind("삼성전자가"), QueryKind::Keywords);
    assert_eq!(kind("통일교 특검"), QueryKind::Keywords);
    assert_eq!(kind("삼성전자 반도체 실적"), QueryKind::Keywords);
    // Operators do not change a short query's kind.
    assert_eq!(kind("+삼성전자 반도체"), QueryKind::Keywords);
    assert_eq!(kind("\"미국 대통령\" -월드컵"), QueryKind::Keywords);
    assert_eq!(kind("title:월드컵 OR 반도체"), QueryKind::Keywords);
}

#[test]
fn longer_queries_of_plain_words_are_questions() {
    assert_eq!(kind("삼성전자 반도체 실적 발표"), QueryKind::Question);
    assert_eq!(
        kind("정부 내년 예산안 국회 통과 여야 합의"),
        QueryKind::Question
    );
}

#[test]
fn question_marks_and_question_words_make_short_queries_questions() {
    assert_eq!(kind("에베레스트산의 높이는?"), QueryKind::Question);
    assert_eq!(kind("오바마는 언제"), QueryKind::Question);
    assert_eq!(kind("누구인가 세종대왕"), QueryKind::Question);
    assert_eq!(kind("몇 명"), QueryKind::Question);
    // One plain word is never a question, whatever it ends with.
    assert_eq!(kind("누구?"), QueryKind::Keywords);
}

#[test]
fn one_letter_question_words_count_only_as_whole_words() {
    // 이 and 하 begin many names: only the word itself marks a question.
    assert_eq!(kind("이순신 장군"), QueryKind::Keywords);
    assert_eq!(kind("하이브리드 차량"), QueryKind::Keywords);
    assert_eq!(kind("이 장군"), QueryKind::Question);
}

#[test]
fn long_queries_with_operators_keep_them() {
    assert_eq!(
        kind("\"미국 대통령\" 취임 연설 발표 내용"),
        QueryKind::LongWithOperators
    );
    assert_eq!(
        kind("title:월드컵 유치 후보 확정 발표"),
        QueryKind::LongWithOperators
    );
    assert_eq!(
        kind("+삼성전자 반도체 실적 발표 전망"),
        QueryKind::LongWithOperators
    );
    // A question with an operator is read with the operator kept.
    assert_eq!(kind("+오바마 언제 취임?"), QueryKind::LongWithOperators);
}

#[test]
fn the_settings_decide_where_keywords_end() {
    let config = SearchConfig {
        all_terms_up_to: 1,
        ..SearchConfig::default()
    };
    assert_eq!(
        classify(&parse("통일교 특검"), &config),
        QueryKind::Question
    );
    let config = SearchConfig {
        query_stopwords: Vec::new(),
        ..SearchConfig::default()
    };
    assert_eq!(
        classify(&parse("오바마는 언제"), &config),
        QueryKind::Keywords
    );
}
