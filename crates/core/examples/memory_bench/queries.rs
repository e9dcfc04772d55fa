//! The memory benchmark's fixed mix of 60 queries over the corpus (corpus.rs): 20 common words,
//! 20 rare words, 10 Japanese (two-character words such as 東京 among them) and 10 multi-word.

use super::corpus;

/// Which part of the mix a query belongs to (the bench reports each part too).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Common,
    Rare,
    Japanese,
    MultiWord,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Common, Kind::Rare, Kind::Japanese, Kind::MultiWord];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Common => "common word",
            Kind::Rare => "rare word",
            Kind::Japanese => "Japanese",
            Kind::MultiWord => "multi-word",
        }
    }
}

pub struct Query {
    pub kind: Kind,
    pub text: String,
}

/// Japanese queries: four two-character words in most Japanese notes, a two-character word
/// that is part of a longer word (延期 in 延期になりました), longer words, and an organisation.
const JAPANESE: [&str; 10] = [
    "東京",
    "大阪",
    "会議",
    "予算",
    "延期",
    "見積書",
    "議事録",
    "営業部",
    "顧客満足度",
    "四半期決算",
];

/// The mix, always the same for the corpus's vocabulary: common words are every fifth of the
/// 100 most frequent (from "the", in every English note, to words in about one in twelve),
/// rare words are spread over ranks 10,000 to 19,500 (a few hundred notes each in a million).
pub fn mix() -> Vec<Query> {
    let english = corpus::english_vocabulary(corpus::Corpus::VOCABULARY);
    let word = |rank: usize| english[rank].clone();
    let mut queries = Vec::with_capacity(60);
    for i in 0..20 {
        queries.push(Query {
            kind: Kind::Common,
            text: word(i * 5),
        });
    }
    for i in 0..20 {
        queries.push(Query {
            kind: Kind::Rare,
            text: word(10_000 + i * 500),
        });
    }
    for text in JAPANESE {
        queries.push(Query {
            kind: Kind::Japanese,
            text: text.to_owned(),
        });
    }
    let multi = [
        "project budget".to_owned(),
        "customer meeting review".to_owned(),
        "release schedule".to_owned(),
        "the report".to_owned(),
        "invoice payment delayed".to_owned(),
        "tokyo office".to_owned(),
        format!("meeting {}", word(12_000)),
        format!("{} {}", word(3_000), word(15_000)),
        "東京 会議".to_owned(),
        "server backup migration".to_owned(),
    ];
    for text in multi {
        queries.push(Query {
            kind: Kind::MultiWord,
            text,
        });
    }
    queries
}
