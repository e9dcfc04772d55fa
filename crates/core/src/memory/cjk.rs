//! Chinese, Japanese and Korean text for the full-text index: runs of these scripts are written
//! without spaces, so we index their character bigrams (plus each run's last character) in a
//! column of their own, and turn a query's runs into phrases of the same bigrams. A two-character
//! word such as 東京 is then one token, found wherever it occurs in a sentence.

pub(crate) use crate::text::is_cjk;

/// The maximal runs of CJK characters in `text`.
pub(crate) fn runs(text: &str) -> Vec<Vec<char>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for c in text.chars() {
        if is_cjk(c) {
            current.push(c);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The `cjk` column's text for `text`: each run's bigrams and its last character, separated by
/// spaces ("東京タワー" → "東京 京タ タワ ワー ー"). The last character lets a one-character query
/// match as a prefix wherever the character occurs.
pub(crate) fn index_text(text: &str) -> String {
    let mut out = String::new();
    for run in runs(text) {
        for pair in run.windows(2) {
            out.extend(pair);
            out.push(' ');
        }
        if let Some(last) = run.last() {
            out.push(*last);
            out.push(' ');
        }
    }
    out
}

/// `text` with its CJK runs replaced by spaces: what the word columns index (the runs are in the
/// `cjk` column; unicode61 would otherwise index each run as one long, unfindable token).
pub(crate) fn without_cjk(text: &str) -> String {
    text.chars().map(|c| if is_cjk(c) { ' ' } else { c }).collect()
}

/// The FTS5 query for one CJK run of a search: a phrase of its bigrams (consecutive, so the run
/// must occur as written), or a prefix query for a single character.
pub(crate) fn query_phrase(run: &[char]) -> String {
    if run.len() == 1 {
        return format!("cjk : \"{}\"*", run[0]);
    }
    let bigrams: Vec<String> = run.windows(2).map(|pair| pair.iter().collect()).collect();
    format!("cjk : \"{}\"", bigrams.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sentence without spaces is indexed as overlapping bigrams, so 東京 is one of its tokens;
    /// Latin words around it go to the word columns only.
    #[test]
    fn japanese_runs_become_bigrams_and_leave_the_word_columns() {
        assert_eq!(index_text("昨日は東京へ"), "昨日 日は は東 東京 京へ へ ");
        assert_eq!(index_text("Tokyo 東京 trip"), "東京 京 ");
        assert_eq!(
            without_cjk("Tokyo 東京 trip")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["Tokyo", "trip"]
        );
        assert_eq!(index_text("no cjk here"), "");
        assert_eq!(index_text("한국어"), "한국 국어 어 ");
    }

    /// A query run becomes a phrase of the same bigrams; one character becomes a prefix query.
    #[test]
    fn query_runs_become_phrases() {
        let run: Vec<char> = "東京タワー".chars().collect();
        assert_eq!(query_phrase(&run), "cjk : \"東京 京タ タワ ワー\"");
        assert_eq!(query_phrase(&['東']), "cjk : \"東\"*");
    }
}
