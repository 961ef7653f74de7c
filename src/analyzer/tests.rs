use super::*;
use crate::config::AnalyzerConfig;

fn analyzer() -> KoreanTokenizer {
    KoreanTokenizer::new(&AnalyzerConfig::default()).unwrap()
}

fn terms(text: &str) -> Vec<String> {
    analyzer()
        .analyze(text)
        .into_iter()
        .map(|t| t.text)
        .collect()
}

#[test]
fn particles_never_reach_the_index() {
    for text in [
        "삼성전자가",
        "삼성전자와",
        "삼성전자의",
        "삼성전자는",
        "삼성전자를",
        "삼성전자에서",
    ] {
        let terms = terms(text);
        assert_eq!(terms[0], "삼성전자", "{text}: {terms:?}");
        assert!(
            terms
                .iter()
                .all(|t| ["삼성전자", "삼성", "전자"].contains(&t.as_str())),
            "{text}: {terms:?}"
        );
    }
    let sentence = terms("오영주 장관은 딥시크가 세계적으로 큰 충격을 줬다고 말했다.");
    for particle in ["은", "가", "을", "으로", "고", "다"] {
        assert!(
            !sentence.contains(&particle.to_string()),
            "{particle} in {sentence:?}"
        );
    }
    assert!(sentence.contains(&"오영주".to_string()) && sentence.contains(&"충격".to_string()));
}

#[test]
fn compounds_index_whole_and_parts_at_one_position() {
    let tokens = analyzer().analyze("인공지능을 도입한다");
    let first: Vec<(&str, usize)> = tokens
        .iter()
        .take(3)
        .map(|t| (t.text.as_str(), t.position))
        .collect();
    assert_eq!(first, vec![("인공지능", 0), ("인공", 0), ("지능", 0)]);
    // Parts point at their own characters, so highlights land on them.
    assert_eq!(
        &"인공지능을 도입한다"[tokens[2].offset_from..tokens[2].offset_to],
        "지능"
    );
    assert!(tokens[3].position == 1, "{tokens:?}");

    let none = AnalyzerConfig {
        decompound: crate::config::Decompound::None,
        ..AnalyzerConfig::default()
    };
    let whole: Vec<String> = KoreanTokenizer::new(&none)
        .unwrap()
        .analyze("인공지능")
        .into_iter()
        .map(|t| t.text)
        .collect();
    assert_eq!(whole, vec!["인공지능"]);
}

#[test]
fn inflected_forms_index_their_stem() {
    let t = terms("가벼운 가방을 들었다");
    assert!(t.contains(&"가볍".to_string()), "{t:?}");
    assert!(!t.iter().any(|w| w == "가벼운"), "{t:?}");
}

#[test]
fn latin_is_lowercased_and_numbers_kept() {
    let t = terms("OpenAI의 ChatGPT와 GPT-4, 2조원 규모 1000곳");
    for expected in ["openai", "chatgpt", "gpt", "4", "2", "1000"] {
        assert!(
            t.contains(&expected.to_string()),
            "{expected} missing from {t:?}"
        );
    }
    assert!(
        !t.iter().any(|w| w.chars().any(char::is_uppercase)),
        "{t:?}"
    );
    assert!(
        !t.contains(&"-".to_string()),
        "punctuation is not a term: {t:?}"
    );
}

#[test]
fn offsets_always_slice_the_input() {
    let texts = [
        "",
        "   ",
        "!!!???",
        "🙂 이모지와 한글 😀😀",
        "中企 1000곳 저리대출",
        "\u{0}\u{1}제어문자\u{7}",
        "ᄀᄁᆫ 자모만 ㅋㅋㅋ ㅠㅠ",
        "a\u{301}ccent é ß İ",
    ];
    for text in texts {
        for token in analyzer().analyze(text) {
            assert!(
                text.get(token.offset_from..token.offset_to).is_some(),
                "{text:?}: {token:?}"
            );
            assert!(!token.text.is_empty());
        }
    }
    let long = "한국어 검색 ".repeat(20_000);
    let tokens = analyzer().analyze(&long);
    // lindera cuts very long input into chunks, so a handful of words at the seams may analyse apart.
    let found = tokens.iter().filter(|t| t.text == "검색").count();
    assert!((19_990..=20_000).contains(&found), "{found}");
}

#[test]
fn registered_name_resolves_on_every_index() {
    let a = analyzer();
    let index = crate::indexer::create_in_ram(&a);
    let mut ko = index
        .tokenizers()
        .get(KOREAN)
        .expect("korean analyzer registered");
    let mut stream = ko.token_stream("한국은행이");
    assert!(stream.advance());
    assert_eq!(stream.token().text, "한국은행");
}

#[test]
fn words_remembered_from_a_first_reading_are_indexed_the_same_way() {
    // The first pass reads every word's details and remembers its fate; the second pass indexes the
    // plain words and drops the particles from memory alone. Both must give the same tokens: plain
    // nouns, dropped particles and endings, a stemmed inflection, a decompounded compound.
    let analyzer = analyzer();
    let text = "가벼운 삼성전자가 Galaxy 폰을 발표했다. 중소기업은 인공지능을 반겼다.";
    let view = |tokens: Vec<Token>| -> Vec<(String, usize, usize, usize)> {
        tokens
            .into_iter()
            .map(|t| (t.text, t.position, t.offset_from, t.offset_to))
            .collect()
    };
    let first = view(analyzer.analyze(text));
    let second = view(analyzer.analyze(text));
    assert_eq!(first, second);
    let terms: Vec<&str> = first.iter().map(|t| t.0.as_str()).collect();
    for expected in [
        "가볍",
        "삼성전자",
        "galaxy",
        "폰",
        "발표",
        "중소기업",
        "인공지능",
    ] {
        assert!(terms.contains(&expected), "{expected} in {terms:?}");
    }
    for particle in ["가", "을", "은", "다"] {
        assert!(!terms.contains(&particle), "{particle} in {terms:?}");
    }
}

#[test]
fn pairs_across_a_space_are_left_out_only_after_a_particle() {
    // 삼성전자가 and 정부는 end in a particle: no 가발, no 는정. 비트, 하이 (an interjection to ko-dic),
    // 산 (살 + ᆫ to ko-dic, fused) and 되돌아 (an ending) end in none, so 트코, 이브, 산페 and 아보 still
    // link them to their joined forms. Twice: the second reading takes particles from the remembered
    // words.
    let analyzer = analyzer();
    for _ in 0..2 {
        let grams: Vec<String> = analyzer
            .bigrams(
                "삼성전자가 발표했다 비트 코인 하이 브리드 정부는 정책을 되돌아 보고 산 페드로",
            )
            .into_iter()
            .map(|t| t.text)
            .collect();
        for kept in [
            "삼성", "자가", "발표", "다비", "트코", "이브", "정부", "부는", "정책", "아보", "산페",
        ] {
            assert!(grams.contains(&kept.to_string()), "{kept} in {grams:?}");
        }
        for left_out in ["가발", "는정", "을되"] {
            assert!(
                !grams.contains(&left_out.to_string()),
                "{left_out} in {grams:?}"
            );
        }
    }
}

#[test]
fn indexing_gives_the_bigram_field_the_breaks_of_the_korean_analysis() {
    // tantivy analyses a document's title and body, then their bigrams, on one indexing thread; the
    // breaks must reach the bigram field there, or every space would be bridged again.
    let analyzer = analyzer();
    let index = crate::indexer::create_in_ram(&analyzer);
    let article = crate::ingest::Article {
        id: "1".into(),
        title: "정부는 정책".into(),
        body: "삼성전자가 발표했다. 비트 코인 값이 올랐다.".into(),
        source: None,
        url: None,
        published_at: None,
    };
    crate::indexer::index_articles(&index, &crate::config::Config::default(), [Ok(article)])
        .unwrap();
    let field = crate::schema::Fields::of(&index).unwrap().bigram;
    let searcher = index.reader().unwrap().searcher();
    let mut grams = Vec::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field).unwrap();
        let mut terms = inverted.terms().stream().unwrap();
        while terms.advance() {
            grams.push(String::from_utf8_lossy(terms.key()).into_owned());
        }
    }
    for kept in ["정책", "삼성", "발표", "트코", "코인", "값이"] {
        assert!(grams.contains(&kept.to_string()), "{kept} in {grams:?}");
    }
    for left_out in ["는정", "가발", "이올"] {
        assert!(
            !grams.contains(&left_out.to_string()),
            "{left_out} in {grams:?}"
        );
    }
}

#[test]
fn the_bigram_field_has_the_same_grams_without_the_hand_over() {
    // A text the Korean analyzer has not just analysed on this thread (tantivy indexing the bigram
    // field first, say): the bigram tokenizer finds the breaks itself.
    let analyzer = analyzer();
    let mut bigrams = BigramTokenizer::new(&analyzer);
    for text in [
        "삼성전자가 발표했다. 비트 코인 값이 올랐다.",
        "정부는 정책을 내놓았다",
    ] {
        assert!(super::breaks::take(text).is_none());
        let alone = terms_of(bigrams.token_stream(text));
        let whole = terms_of(KoreanTokenStream::new(analyzer.bigrams(text)));
        assert_eq!(alone, whole, "{text}");
        let texts: Vec<&str> = alone.iter().map(|t| t.0.as_str()).collect();
        assert!(
            !texts.contains(&"가발") && !texts.contains(&"는정"),
            "{texts:?}"
        );
    }
}

#[test]
fn a_long_text_without_line_breaks_is_analysed_as_if_uncut() {
    // 3,000 sentences on one line: lindera would cut it every 32 KiB, mid-word. Every word keeps its
    // analysis, offsets and positions run on, through indexing (the memo) and whole-text analysis.
    let mut indexing = analyzer();
    let sentence = "반도체 수출이 늘었다. ";
    let text = sentence.repeat(3_000);
    let one = analyzer().analyze(sentence);
    let [remembered, whole] = remembered_and_whole(&mut indexing, &text);
    assert_eq!(remembered, whole);
    let (tokens, _) = whole;
    assert_eq!(tokens.len(), one.len() * 3_000);
    for (n, chunk) in tokens.chunks(one.len()).enumerate() {
        for (token, alone) in chunk.iter().zip(&one) {
            assert_eq!(token.0, alone.text);
            assert_eq!(token.1, alone.offset_from + n * sentence.len());
            assert_eq!(
                token.3,
                alone.position + n * (one.last().unwrap().position + 1)
            );
        }
    }
}

type Terms = Vec<(String, usize, usize, usize)>;

fn terms_of(mut stream: impl TokenStream) -> Terms {
    let mut terms = Vec::new();
    while stream.advance() {
        let t = stream.token();
        terms.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
    }
    terms
}

/// `text`'s tokens and bigrams as indexing makes them (word by word, through `indexing`'s memo),
/// and as the whole text analysed at once makes them.
fn remembered_and_whole(indexing: &mut KoreanTokenizer, text: &str) -> [(Terms, Terms); 2] {
    let remembered = terms_of(indexing.token_stream(text));
    let remembered_grams = terms_of(BigramTokenizer::new(indexing).token_stream(text));
    let whole = terms_of(KoreanTokenStream::new(indexing.analyze(text)));
    let whole_grams = terms_of(KoreanTokenStream::new(indexing.bigrams(text)));
    [(remembered, remembered_grams), (whole, whole_grams)]
}

#[test]
fn words_analysed_once_and_remembered_index_as_the_whole_text_does() {
    let mut indexing = analyzer();
    let long_sentence = "반도체 수출이 늘었다 ".repeat(2_000);
    // Kept together after `에듀` (a spaced ko-dic entry) and too long for one lattice, though every
    // sentence in it is short enough.
    let long_joined = format!("에듀\n{}에듀\n{}", "가".repeat(7_000), "나".repeat(7_000));
    let mut texts: Vec<String> = [
        "삼성전자가 발표했다.\n반도체  수출이\t늘었다",
        "  \r\n 인공지능을 도입한다 ",
        "한국에듀 테크와 콜라비 스튜디오가 영치기 영차 했다",
        "딥시크가 세계적으로 큰 충격을 줬다고 말했다。다음 문장、그리고",
        "iPhone 15 Pro가 출시됐다 COVID-19 백신",
        "",
        " ",
        long_sentence.as_str(),
        long_joined.as_str(),
    ]
    .map(str::to_owned)
    .to_vec();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/wikinews.jsonl");
    for article in crate::ingest::read_file(&sample).flatten().take(150) {
        texts.push(article.title);
        texts.push(article.body);
    }
    // Twice over: the second time every word comes from the memo.
    for text in texts.iter().chain(&texts) {
        let [remembered, whole] = remembered_and_whole(&mut indexing, text);
        assert_eq!(remembered, whole, "{text}");
    }
}
