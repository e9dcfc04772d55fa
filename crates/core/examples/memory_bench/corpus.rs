//! The memory benchmark's corpus: deterministic (seeded) notes of about 500 characters, one in
//! five Japanese, with tags and a few links, and the vocabulary the query mix draws from.
//!
//! English text comes from a 20,000-word vocabulary whose words are drawn with a Zipf-like
//! distribution (real common English words first, then made-up words for the long tail), so a
//! few words are in most notes and the rarest in a few hundred of a million. Japanese text is
//! sentences without spaces from templates over a vocabulary of places, organisations, topics
//! and verbs (東京, 大阪, 会議, 予算, ...). Shared with the smoke test
//! (crates/core/tests/memory_bench_smoke.rs) through `#[path]`.

use llmgen_core::memory::{NewMemory, Permission};

/// SplitMix64: a small, fast, seedable generator; the same seed gives the same corpus on every
/// machine (no dependency on a crate's algorithm changing between versions).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Draws indexes `0..n` with probability proportional to `1 / (rank + 1)^s`.
pub struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|rank| {
                total += 1.0 / ((rank + 1) as f64).powf(s);
                total
            })
            .collect();
        Self { cumulative }
    }

    pub fn draw(&self, rng: &mut Rng) -> usize {
        let last = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * last;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len() - 1)
    }
}

/// Common English words, most frequent first (the head of the Zipf distribution).
const ENGLISH_HEAD: &str = "the of and to a in is it that for on with as was at by be this are from or have
an not they which you one we all were her would there their will when who him been has more if no out
so said what up its about into than them can only other new some could time these two may then do first
any my now such like our over man me even most made after also did many before must through back years
where much your way well down should because each just those people how too little state good very make
world still own see men work long get here between both life being under never day same another know
while last might us great old year off come since against go came right used take three project meeting
budget report team plan review customer design product market sales data system service office release
schedule contract invoice proposal estimate deadline quarter revenue cost price supplier order delivery
shipment warehouse inventory account payment client partner vendor policy security network server
database backup migration test issue feature request feedback support ticket document draft summary
agenda minutes decision action owner task milestone risk budgeting forecast hiring interview training
onboarding manager engineer designer analyst director board committee strategy goal metric result
launch campaign brand website email phone call visit trip travel hotel flight conference workshop
presentation slide chart table number figure total amount balance increase decrease growth loss profit
margin target tokyo osaka london berlin paris york kyoto sapporo nagoya fukuoka weekly monthly annual
morning afternoon evening monday tuesday wednesday thursday friday next previous early late quick slow
important urgent minor major final initial internal external public private shared open closed pending
approved rejected delayed finished started updated changed moved added removed checked sent received
agreed discussed confirmed expected planned needed asked answered noted";

/// Made-up words for the long tail: pronounceable, lower case, never an English word above by
/// construction (they all end in a consonant cluster the head list does not use).
const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mer", "ti", "bra", "qu", "zen", "do", "ri", "sa", "vel", "no", "pa", "gri", "hu", "fe",
    "tor", "wi", "ly", "cas", "ne", "mo", "sku", "ja",
];
const ENDINGS: [&str; 8] = ["x", "th", "rk", "zt", "mb", "lf", "sk", "nd"];

/// The English vocabulary: the head words, then made-up words to `size`.
pub fn english_vocabulary(size: usize) -> Vec<String> {
    let mut words: Vec<String> = ENGLISH_HEAD.split_whitespace().map(str::to_owned).collect();
    let mut i = 0usize;
    while words.len() < size {
        let mut n = i;
        let mut word = String::new();
        for _ in 0..3 {
            word.push_str(SYLLABLES[n % SYLLABLES.len()]);
            n /= SYLLABLES.len();
        }
        word.push_str(ENDINGS[n % ENDINGS.len()]);
        words.push(word);
        i += 1;
    }
    words.truncate(size);
    words
}

pub const PLACES: [&str; 12] = [
    "東京",
    "大阪",
    "名古屋",
    "福岡",
    "札幌",
    "京都",
    "横浜",
    "神戸",
    "仙台",
    "広島",
    "本社",
    "支店",
];
pub const ORGS: [&str; 10] = [
    "営業部",
    "開発チーム",
    "経理部",
    "人事部",
    "法務部",
    "顧客",
    "取引先",
    "経営陣",
    "品質管理部",
    "マーケティング部",
];
pub const TOPICS: [&str; 20] = [
    "会議",
    "予算",
    "契約",
    "新製品",
    "見積書",
    "議事録",
    "報告書",
    "計画",
    "売上",
    "採用",
    "研修",
    "出張",
    "請求書",
    "納期",
    "在庫",
    "広告",
    "障害対応",
    "移行作業",
    "四半期決算",
    "顧客満足度",
];
pub const TIMES: [&str; 10] = [
    "今日",
    "明日",
    "来週",
    "今月",
    "先月",
    "月曜日",
    "金曜日",
    "午前中",
    "午後",
    "年度末",
];
pub const VERBS: [&str; 12] = [
    "確認しました",
    "検討します",
    "決定しました",
    "延期になりました",
    "提出する予定です",
    "話し合いました",
    "共有しました",
    "見直しが必要です",
    "承認されました",
    "準備しています",
    "報告しました",
    "調整中です",
];
const ADJECTIVES: [&str; 8] = [
    "重要な",
    "新しい",
    "大きな",
    "緊急の",
    "詳細な",
    "簡単な",
    "長期的な",
    "具体的な",
];

/// One Japanese sentence without spaces, from one of several templates.
fn japanese_sentence(rng: &mut Rng) -> String {
    let (place, org, topic, time, verb, adjective) = (
        rng.pick(&PLACES),
        rng.pick(&ORGS),
        rng.pick(&TOPICS),
        rng.pick(&TIMES),
        rng.pick(&VERBS),
        rng.pick(&ADJECTIVES),
    );
    let other = rng.pick(&TOPICS);
    match rng.below(6) {
        0 => format!("{time}{place}で{topic}について{verb}。"),
        1 => format!("{org}の{topic}は{adjective}課題なので{verb}。"),
        2 => format!("{place}の{org}と{other}の件で{verb}。"),
        3 => format!("{time}までに{topic}と{other}を{verb}。"),
        4 => format!("{adjective}{topic}については{org}が{verb}。"),
        _ => format!("{place}{org}から{topic}の連絡があり、{time}に{verb}。"),
    }
}

/// The tags: 20 subjects × 10 qualifiers.
pub fn tag_vocabulary() -> Vec<String> {
    const SUBJECTS: [&str; 20] = [
        "finance",
        "sales",
        "hr",
        "legal",
        "engineering",
        "design",
        "marketing",
        "support",
        "research",
        "ops",
        "tokyo",
        "osaka",
        "product",
        "security",
        "hiring",
        "travel",
        "customer",
        "vendor",
        "board",
        "personal",
    ];
    const QUALIFIERS: [&str; 10] = [
        "", "-2025", "-2026", "-review", "-plan", "-q1", "-q2", "-q3", "-q4", "-draft",
    ];
    SUBJECTS
        .iter()
        .flat_map(|s| QUALIFIERS.iter().map(move |q| format!("{s}{q}")))
        .collect()
}

/// The personas that own some of the notes (the rest belong to the user).
pub const PERSONAS: [&str; 3] = ["rational-advisor", "professional-assistant", "supportive-guide"];
pub const RELATIONS: [&str; 4] = ["see also", "supports", "follows up", "contradicts"];

/// One generated note: what the bench gives the core's create, plus the links to earlier notes
/// (by their position in the corpus) that it adds afterwards.
pub struct Note {
    pub title: String,
    pub content: String,
    pub tags: Vec<String>,
    pub owner: Option<String>,
    /// "private" | "shared" | "editable"
    pub permission: &'static str,
    /// (index of an earlier note, relation)
    pub links: Vec<(usize, &'static str)>,
}

impl Note {
    /// What the core's create is given for this note (its links are added afterwards).
    pub fn new_memory(&self) -> NewMemory {
        NewMemory {
            title: self.title.clone(),
            content: self.content.clone(),
            tags: self.tags.clone(),
            owner: self.owner.clone(),
            permission: Some(match self.permission {
                "private" => Permission::Private,
                "editable" => Permission::Editable,
                _ => Permission::Shared,
            }),
        }
    }
}

/// Target length of a note's content, in characters.
pub const CONTENT_CHARS: usize = 500;

/// Generates notes in order; note `i` is the same for a given seed whatever the batch size.
pub struct Corpus {
    rng: Rng,
    english: Vec<String>,
    english_zipf: Zipf,
    tags: Vec<String>,
    tag_zipf: Zipf,
    next: usize,
}

impl Corpus {
    pub const VOCABULARY: usize = 20_000;

    pub fn new(seed: u64) -> Self {
        let english = english_vocabulary(Self::VOCABULARY);
        let tags = tag_vocabulary();
        Self {
            rng: Rng::new(seed),
            english_zipf: Zipf::new(english.len(), 1.0),
            tag_zipf: Zipf::new(tags.len(), 0.8),
            english,
            tags,
            next: 0,
        }
    }

    fn word(&mut self) -> &str {
        let i = self.english_zipf.draw(&mut self.rng);
        &self.english[i]
    }

    fn english_text(&mut self, chars: usize) -> String {
        let mut text = String::with_capacity(chars + 80);
        while text.len() < chars {
            let words = 6 + self.rng.below(9);
            for w in 0..words {
                let word = self.word().to_owned();
                if w == 0 {
                    let mut letters = word.chars();
                    if let Some(first) = letters.next() {
                        text.extend(first.to_uppercase());
                        text.push_str(letters.as_str());
                    }
                } else {
                    text.push(' ');
                    text.push_str(&word);
                }
            }
            text.push_str(". ");
        }
        text.truncate(text.trim_end().len());
        text
    }

    fn japanese_text(&mut self, chars: usize) -> String {
        let mut text = String::new();
        let mut count = 0;
        while count < chars {
            let sentence = japanese_sentence(&mut self.rng);
            count += sentence.chars().count();
            text.push_str(&sentence);
        }
        text
    }

    fn english_title(&mut self) -> String {
        let words = 3 + self.rng.below(4);
        let title: Vec<String> = (0..words).map(|_| self.word().to_owned()).collect();
        title.join(" ")
    }

    fn japanese_title(&mut self) -> String {
        let (place, topic) = (self.rng.pick(&PLACES), self.rng.pick(&TOPICS));
        format!("{place}の{topic}について")
    }

    pub fn note(&mut self) -> Note {
        let index = self.next;
        self.next += 1;
        let japanese = self.rng.below(5) == 0;
        let (title, content) = if japanese {
            (self.japanese_title(), self.japanese_text(CONTENT_CHARS))
        } else {
            (self.english_title(), self.english_text(CONTENT_CHARS))
        };
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..1 + self.rng.below(4) {
            let tag = &self.tags[self.tag_zipf.draw(&mut self.rng)];
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        let owner = (self.rng.below(10) < 3).then(|| self.rng.pick(&PERSONAS).to_owned());
        let permission = match self.rng.below(10) {
            0..=5 => "shared",
            6..=7 => "private",
            _ => "editable",
        };
        // About one note in ten links to one or two earlier notes, mostly recent ones (a
        // follow-up is written soon after what it follows).
        let mut links = Vec::new();
        if index > 0 && self.rng.below(10) == 0 {
            for _ in 0..1 + self.rng.below(2) {
                let back = 1 + self.rng.below(index.min(1000));
                let relation = self.rng.pick(&RELATIONS);
                if !links.iter().any(|&(to, _)| to == index - back) {
                    links.push((index - back, relation));
                }
            }
        }
        Note {
            title,
            content,
            tags,
            owner,
            permission,
            links,
        }
    }
}
