use super::*;
use crate::config::AnalyzerConfig;

fn analyzer() -> KoreanTokenizer {
    KoreanTokenizer::new(&AnalyzerConfig::default()).unwrap()
}

fn terms(text: &str) -> Vec<String> {
    analyzer().analyze(text).into_iter().map(|t| t.text).collect()
}

#[test]
fn debug_dump() {
    let a = analyzer();
    for text in ["삼성전자가 인공지능을 가벼운 딥시크가 저커버그는 무역보험공사를 ChatGPT와 GPT-4 2조원 중소 기업 중소기업 할 수 있다 자율제조 챗GPT 콴다"] {
        let segs = a.segmenter.segment(Cow::Borrowed(text)).unwrap();
        for mut t in segs {
            let s = t.surface.to_string();
            println!("{s}\t{}", t.details().join(","));
        }
        println!("{:?}", terms(text));
    }
}
