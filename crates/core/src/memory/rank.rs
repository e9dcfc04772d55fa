//! bm25 computed here over a bounded set of candidate notes, for the searches that FTS5's own
//! ranking cannot answer in time. FTS5's bm25() first counts every note holding each query term
//! (its idf), then scores every match: for a word in most of a million notes that is tens to
//! hundreds of milliseconds (BENCHMARKS.md, "Memory"). Such a search ranks the newest matches
//! (at most `search::RANKED`, 500) instead, with the same formula and column weights as the
//! migration's `bm25(4.0, 1.0, 2.0, 1.0)`, idf from term counts probed up to [`DF_CAP`], so its
//! order looks like FTS5's would within those notes.

use super::cjk;

/// bm25's k1 and b, as in FTS5.
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Title, content, tags, CJK bigrams: the weights the migration gives FTS5's rank.
const TITLE: f64 = 4.0;
const CONTENT: f64 = 1.0;
const TAGS: f64 = 2.0;
const CJK: f64 = 1.0;

/// A term's notes are counted up to this many for its idf: past it, a term is common, and
/// counting further would cost what this path exists to avoid.
pub(crate) const DF_CAP: u32 = 2_000;

/// One term of a search, as FTS5 matches it (`fts`) and as it is counted in a note's text.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    /// The term's FTS5 query (the search's query is these, ANDed).
    pub fts: String,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// A lowercased word of the word columns; `true` when it is a prefix (`word*`).
    Word(String, bool),
    /// A CJK run, matched where it occurs in the text.
    Run(String),
}

impl Term {
    pub(crate) fn word(fts: String, word: &str, prefix: bool) -> Self {
        Self {
            fts,
            kind: Kind::Word(word.to_lowercase(), prefix),
        }
    }

    pub(crate) fn run(fts: String, run: &[char]) -> Self {
        Self {
            fts,
            kind: Kind::Run(run.iter().collect::<String>().to_lowercase()),
        }
    }
}

/// The text of a candidate note that its score is computed from.
pub(crate) struct Text<'a> {
    pub title: &'a str,
    pub content: &'a str,
    pub tags: &'a [String],
}

/// FTS5's idf for a term found in `df` of `notes` notes (never below a tiny positive value, as
/// in FTS5, so a term in most notes still counts a little).
pub(crate) fn idf(df: u32, notes: u64) -> f64 {
    let (n, df) = (notes as f64, f64::from(df));
    ((n - df + 0.5) / (df + 0.5)).ln().max(1e-6)
}

/// The bm25 score (higher is better) of each of `texts` for `terms`, whose idf are `idfs`. The
/// average length is that of the candidates: close to the whole index's for a broad search.
pub(crate) fn scores(terms: &[Term], idfs: &[f64], texts: &[Text<'_>]) -> Vec<f64> {
    let counted: Vec<(Vec<f64>, f64)> = texts.iter().map(|t| frequencies(terms, t)).collect();
    let average = counted.iter().map(|(_, len)| len).sum::<f64>() / counted.len().max(1) as f64;
    counted
        .iter()
        .map(|(freqs, len)| {
            let norm = K1 * (1.0 - B + B * len / average.max(1.0));
            freqs
                .iter()
                .zip(idfs)
                .map(|(f, idf)| idf * f * (K1 + 1.0) / (f + norm))
                .sum()
        })
        .collect()
}

/// Each term's weighted frequency in `text`, and the note's length in index tokens (words, and
/// one bigram per CJK character). One pass over each column: this runs for up to a thousand
/// notes per search.
fn frequencies(terms: &[Term], text: &Text<'_>) -> (Vec<f64>, f64) {
    let mut freqs = vec![0.0; terms.len()];
    let mut length = 0.0;
    let tags = text.tags.join(" ");
    for (column, weight) in [
        (text.title, TITLE),
        (text.content, CONTENT),
        (tags.as_str(), TAGS),
    ] {
        length += scan(column, |word| {
            for (freq, term) in freqs.iter_mut().zip(terms) {
                if let Kind::Word(wanted, prefix) = &term.kind
                    && same_word(word, wanted, *prefix)
                {
                    *freq += weight;
                }
            }
        });
        for (freq, term) in freqs.iter_mut().zip(terms) {
            if let Kind::Run(run) = &term.kind {
                // CJK has no letter case: the run is found as written.
                *freq += CJK * column.matches(run.as_str()).count() as f64;
            }
        }
    }
    (freqs, length)
}

/// Calls `each` with every word of `text` that the word columns index (letters and digits outside
/// CJK runs); returns the words and CJK characters counted.
fn scan(text: &str, mut each: impl FnMut(&str)) -> f64 {
    let mut tokens = 0usize;
    let mut start: Option<usize> = None;
    for (at, c) in text.char_indices() {
        let word_char = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else if cjk::is_cjk(c) {
            tokens += 1;
            false
        } else {
            c.is_alphanumeric()
        };
        match (word_char, start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                each(&text[from..at]);
                tokens += 1;
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        each(&text[from..]);
        tokens += 1;
    }
    tokens as f64
}

/// Whether `word` (as written) is `wanted` (lowercase), or starts with it for a prefix.
fn same_word(word: &str, wanted: &str, prefix: bool) -> bool {
    if word.is_ascii() && wanted.is_ascii() {
        let head = if prefix {
            word.get(..wanted.len())
        } else {
            Some(word)
        };
        return head.is_some_and(|h| h.eq_ignore_ascii_case(wanted));
    }
    let word = word.to_lowercase();
    if prefix {
        word.starts_with(wanted)
    } else {
        word == wanted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'a>(title: &'a str, content: &'a str, tags: &'a [String]) -> Text<'a> {
        Text { title, content, tags }
    }

    /// As in FTS5: a title match outranks a content match, more occurrences outrank fewer, a
    /// shorter note outranks a longer one with the same matches, and a rare term outweighs a
    /// common one.
    #[test]
    fn scores_follow_bm25() {
        let budget = [Term::word("budget".into(), "Budget", false)];
        let none: [String; 0] = [];
        let s = scores(
            &budget,
            &[1.0],
            &[
                text("Budget", "for the year", &none),
                text("Plan", "the budget for the year", &none),
                text("Plan", "the budget and the budget again", &none),
                text("Plan", "x the budget for the year and a much longer text", &none),
                text("Budgets", "nothing here", &none),
            ],
        );
        assert!(s[0] > s[1], "title over content: {s:?}");
        assert!(s[2] > s[1], "two occurrences over one: {s:?}");
        assert!(s[1] > s[3], "shorter over longer: {s:?}");
        assert_eq!(s[4], 0.0, "a longer word is not the word");

        let both = [
            Term::word("common".into(), "common", false),
            Term::word("rare".into(), "rare", false),
        ];
        let s = scores(
            &both,
            &[idf(9_000, 10_000), idf(10, 10_000)],
            &[
                text("a", "common common common", &none),
                text("b", "rare x y", &none),
            ],
        );
        assert!(s[1] > s[0], "the rare term weighs more: {s:?}");
    }

    /// Japanese runs count where they occur in a sentence, tags count, and a prefix counts
    /// every word it starts.
    #[test]
    fn runs_tags_and_prefixes_are_counted() {
        let tags = ["Tokyo".to_string()];
        let terms = [
            Term::run("cjk".into(), &['東', '京']),
            Term::word("tokyo".into(), "tokyo", false),
            Term::word("tok".into(), "tok", true),
        ];
        let (freqs, length) = frequencies(&terms, &text("東京の会議", "昨日は東京タワー", &tags));
        assert_eq!(freqs, vec![2.0, TAGS, TAGS]);
        assert_eq!(length, 5.0 + 8.0 + 1.0, "CJK characters and the tag word");
    }
}
