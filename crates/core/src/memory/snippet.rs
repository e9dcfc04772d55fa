//! Snippets cut from a note's original text around the first words that matched, with the
//! matches between `**` (the index is contentless, and FTS5's own snippets could not show the
//! Japanese text that matched through bigrams anyway).

use super::cjk;

/// Characters of a snippet (without the marks and ellipses).
const WIDTH: usize = 160;
/// Characters shown before the first match.
const LEAD: usize = 40;

/// What a query looks for, as the snippet finds it in text: lowercased words (a trailing `*`
/// kept as "prefix") and CJK runs.
#[derive(Debug, Default, Clone)]
pub(crate) struct Terms {
    words: Vec<(Vec<char>, bool)>,
    runs: Vec<Vec<char>>,
}

impl Terms {
    pub(crate) fn add_word(&mut self, word: &str, prefix: bool) {
        self.words.push((lower(word), prefix));
    }

    pub(crate) fn add_run(&mut self, run: Vec<char>) {
        self.runs.push(run);
    }

    /// Every match in `text` (already lowercased char by char): (start, end) in characters.
    fn matches(&self, text: &[char]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let word_char = |i: usize| {
            text.get(i)
                .is_some_and(|c| c.is_alphanumeric() && !cjk::is_cjk(*c))
        };
        for (word, prefix) in &self.words {
            for start in occurrences(text, word) {
                let end = start + word.len();
                let starts_word = start == 0 || !word_char(start - 1);
                let ends_word = *prefix || !word_char(end);
                if starts_word && ends_word {
                    found.push((start, end));
                }
            }
        }
        for run in &self.runs {
            found.extend(occurrences(text, run).into_iter().map(|s| (s, s + run.len())));
        }
        found.sort_unstable();
        found
    }
}

fn lower(text: &str) -> Vec<char> {
    // One char per char, so positions in the lowercased text are positions in the original.
    text.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

fn occurrences(text: &[char], needle: &[char]) -> Vec<usize> {
    if needle.is_empty() || needle.len() > text.len() {
        return Vec::new();
    }
    (0..=text.len() - needle.len())
        .filter(|&i| text[i..i + needle.len()] == *needle)
        .collect()
}

/// A snippet of `text` around the first match of `terms` (the start of the text when nothing
/// matches, as for a related note), on one line, matches between `**`.
pub(crate) fn cut(text: &str, terms: &Terms) -> String {
    let original: Vec<char> = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let matches = terms.matches(&lower(text));
    let first = matches.first().map_or(0, |m| m.0);
    let mut start = first.saturating_sub(LEAD);
    let end = (start + WIDTH).min(original.len());
    if end - start < WIDTH {
        start = end.saturating_sub(WIDTH);
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for &(m_start, m_end) in matches.iter().filter(|m| m.0 >= start && m.1 <= end) {
        if m_start < at {
            continue;
        }
        out.extend(&original[at..m_start]);
        out.push_str("**");
        out.extend(&original[m_start..m_end]);
        out.push_str("**");
        at = m_end;
    }
    out.extend(&original[at..end]);
    if end < original.len() {
        out.push('…');
    }
    squeeze_spaces(&out)
}

fn squeeze_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = false;
    for c in text.chars() {
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The snippet shows the matched words, whole words only, case-insensitively, and cuts long
    /// texts with ellipses; a Japanese run is marked where it occurs inside a sentence.
    #[test]
    fn snippets_mark_matches_in_the_original_text() {
        let mut terms = Terms::default();
        terms.add_word("Budget", false);
        let text = format!(
            "{} The budget for Kyoto was set. Budgets differ.",
            "x ".repeat(100)
        );
        let snippet = cut(&text, &terms);
        assert!(snippet.starts_with('…'), "{snippet}");
        assert!(snippet.contains("The **budget** for Kyoto"), "{snippet}");
        assert!(
            !snippet.contains("**Budgets**"),
            "a longer word is not a match: {snippet}"
        );

        let mut terms = Terms::default();
        terms.add_run("東京".chars().collect());
        assert_eq!(
            cut("昨日は東京タワーに行った", &terms),
            "昨日は**東京**タワーに行った"
        );

        let mut terms = Terms::default();
        terms.add_word("kyo", true);
        assert_eq!(cut("Kyoto\ntrip", &terms), "**Kyo**to trip");
        assert_eq!(cut("", &terms), "");
    }
}
