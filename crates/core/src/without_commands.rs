//! Core's sentences for the window and the tray: error texts name the command-line commands that
//! fix them (`mcp-llm-generator keys set openai`), which people who never open a terminal cannot
//! use. This rewrites them: a command the app has a screen for becomes that screen's name, a
//! command in " with `…`" or in parentheses goes, and a sentence that would make no sense without
//! its command goes whole. The command line keeps the full text.

/// The words for a command the app offers itself, by the command's first words.
const SCREENS: [(&str, &str); 6] = [
    ("keys set", "the Keys & providers screen"),
    ("backup list", "the Backups screen"),
    ("backup create", "Back up now"),
    ("clients restore", "Restore backup on the AI apps screen"),
    ("clients configure", "the AI apps screen"),
    ("clients list", "the AI apps screen"),
];

const OURS: &str = "`mcp-llm-generator";

/// `text` without any command of ours (see the module's words).
pub fn without_commands(text: &str) -> String {
    if !text.contains(OURS) {
        return text.to_string();
    }
    let kept: Vec<String> = sentences(text).into_iter().filter_map(rewrite).collect();
    kept.join(" ")
}

/// The sentences of `text`, each with its full stop.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut in_code = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => in_code = !in_code,
            b'.' if !in_code && bytes.get(i + 1).is_none_or(|n| *n == b' ') => {
                out.push(text[start..=i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push(text[start..].trim());
    }
    out
}

/// One sentence without its commands, or `None` when it would not make sense without them.
fn rewrite(sentence: &str) -> Option<String> {
    let mut s = sentence.to_string();
    while let Some(at) = s.find(OURS) {
        let end = s[at + 1..].find('`').map(|e| at + 1 + e)?;
        let command = s[at + OURS.len()..end].trim();
        let (before, after) = (&s[..at], &s[end + 1..]);
        s = if let Some((_, words)) = SCREENS.iter().find(|(c, _)| command.starts_with(c)) {
            let before = match before.strip_suffix("Run ") {
                Some(b) => format!("{b}Use "),
                None => before
                    .strip_suffix("run ")
                    .map_or(before.to_string(), |b| format!("{b}use ")),
            };
            format!("{before}{words}{after}")
        } else if let Some(b) = before.strip_suffix(" with ") {
            format!("{b}{after}")
        } else if let (Some(b), Some(a)) = (before.strip_suffix(" ("), after.strip_prefix(')')) {
            format!("{b}{a}")
        } else {
            return None;
        };
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::without_commands;

    #[test]
    fn commands_the_app_offers_become_its_screens() {
        // Proves on core's real sentences: a key error leads to the keys card, a backup error
        // to the backups card.
        assert_eq!(
            without_commands(
                "Provider 'openai' rejected the API key (HTTP 401). Store a valid key with `mcp-llm-generator keys set openai`."
            ),
            "Provider 'openai' rejected the API key (HTTP 401). Store a valid key with the Keys & providers screen."
        );
        assert_eq!(
            without_commands(
                "No API key is stored for provider 'x'. Run `mcp-llm-generator keys set x` (the key goes to your OS keychain, never to a file)."
            ),
            "No API key is stored for provider 'x'. Use the Keys & providers screen (the key goes to your OS keychain, never to a file)."
        );
        assert_eq!(
            without_commands(
                "/b.db failed SQLite's integrity check (x). It cannot be used; choose another backup (`mcp-llm-generator backup list`)."
            ),
            "/b.db failed SQLite's integrity check (x). It cannot be used; choose another backup (the Backups screen)."
        );
    }

    #[test]
    fn other_commands_go_with_their_clause_or_their_sentence() {
        assert_eq!(
            without_commands(
                "Provider 'p' has used its whole monthly budget (10.00 of 10.00): calls are refused until next month or until you raise it with `mcp-llm-generator budget set p AMOUNT --unit currency`."
            ),
            "Provider 'p' has used its whole monthly budget (10.00 of 10.00): calls are refused until next month or until you raise it."
        );
        assert_eq!(
            without_commands(
                "Database error during backup: disk full. If this repeats, run `mcp-llm-generator maintain`."
            ),
            "Database error during backup: disk full."
        );
        let plain = "The key works.";
        assert_eq!(without_commands(plain), plain);
        for text in [
            "x.db is encrypted and no backup passphrase is available. Store it with `mcp-llm-generator backup passphrase set`, or set LLMGEN_BACKUP_PASSPHRASE for this command.",
            "Models without a price count as free in the currency budget: a, b. Set prices with `mcp-llm-generator budget price p MODEL --input PRICE --output PRICE`.",
        ] {
            let out = without_commands(text);
            assert!(!out.contains("mcp-llm-generator") && !out.contains('`'), "{out}");
        }
    }
}
