//! Keeps a provider's key out of every text we repeat (error messages, tool results, logs).
//! Providers and the proxies in front of them echo keys back whole, in part (`sk-proj-abc1...`,
//! `****wxyz`, a long middle piece), JSON-escaped (`sk-\u0061bc`, or every character as `\u`)
//! or URL-encoded (`sk%2Dabc`). The text is decoded (escapes inside escapes too) only to find
//! the key; what is replaced is the matching stretch of the original text, so the rest of it
//! (a JSON body, say) still reads as before.

use std::{collections::HashSet, ops::Range};

use crate::secrets::Secret;

/// Any run of at least this many consecutive characters of the key is removed wherever it
/// appears. Why 8: keys are 20 to 200 random characters, so 8 of them in a row (about 48 bits)
/// never occur in an error text by chance, and 8 characters are already worth hiding (they cut
/// a brute-force search by that much). Shorter runs are not removed everywhere: 4 to 7
/// characters of a key can be an ordinary word, number or id; they are removed where the text
/// marks them as part of a key (see [`MIN_MASKED_RUN`]). A key shorter than 8 characters is
/// removed whole.
const MIN_RUN: usize = 8;
/// A run of at least this many key characters directly beside a mask character (`sk-p...`,
/// `****wxyz`, `…3f9a…`) is removed too: the mask shows it is a shown part of a key, which is
/// how providers print "the first characters" or "the last 4".
const MIN_MASKED_RUN: usize = 4;
/// Characters providers and proxies use to stand for the hidden part of a key.
const MASKS: [char; 4] = ['*', '.', '…', '•'];
/// Escapes inside escapes (a JSON string holding JSON, a URL inside a JSON body) are decoded up
/// to this depth.
const MAX_DECODE_DEPTH: usize = 3;
/// What a removed stretch becomes.
const REDACTED: &str = "***";

/// Removes the key, any run of 8 or more of its characters, and its masked first or last
/// characters from `text`, in plain, JSON-escaped or URL-encoded form.
pub(crate) fn scrub(text: &str, secret: Option<&Secret>) -> String {
    scrub_runs(text, secret, MIN_RUN, true)
}

/// Removes only the whole key (in any of those forms): for a model's reply, which is content
/// the user asked for; a part of a key in it (a key's public prefix such as `sk-ant-api03-` in
/// an answer about API keys) is not a leak, while the whole key never belongs there.
pub(crate) fn scrub_whole_key(text: &str, secret: Option<&Secret>) -> String {
    scrub_runs(text, secret, usize::MAX, false)
}

fn scrub_runs(text: &str, secret: Option<&Secret>, min_run: usize, masked_runs: bool) -> String {
    let Some(key) = secret.map(Secret::expose).filter(|k| !k.is_empty()) else {
        return text.to_string();
    };
    let key: Vec<char> = key.chars().collect();
    let run = min_run.min(key.len());
    let runs: HashSet<&[char]> = key.windows(run).collect();
    let short_runs: HashSet<&[char]> = if masked_runs && key.len() > MIN_MASKED_RUN {
        key.windows(MIN_MASKED_RUN).collect()
    } else {
        HashSet::new()
    };
    let mut layer: Vec<Unit> = text
        .char_indices()
        .map(|(start, ch)| Unit {
            ch,
            span: start..start + ch.len_utf8(),
        })
        .collect();
    let mut found = Vec::new();
    for depth in 0..=MAX_DECODE_DEPTH {
        let chars: Vec<char> = layer.iter().map(|u| u.ch).collect();
        find_runs(&layer, &chars, &runs, run, &mut found);
        if !short_runs.is_empty() {
            find_masked_runs(&layer, &chars, &short_runs, &mut found);
        }
        if depth == MAX_DECODE_DEPTH {
            break;
        }
        match decode(&layer) {
            Some(decoded) => layer = decoded,
            None => break,
        }
    }
    redact(text, found)
}

/// One character of a (possibly decoded) text and the bytes of the original text it came from.
#[derive(Debug, Clone)]
struct Unit {
    ch: char,
    span: Range<usize>,
}

fn span_of(units: &[Unit]) -> Range<usize> {
    match (units.first(), units.last()) {
        (Some(first), Some(last)) => first.span.start..last.span.end,
        _ => 0..0,
    }
}

/// Every window of `len` characters that is a run of the key.
fn find_runs(
    layer: &[Unit],
    chars: &[char],
    runs: &HashSet<&[char]>,
    len: usize,
    found: &mut Vec<Range<usize>>,
) {
    if chars.len() < len {
        return;
    }
    for i in 0..=chars.len() - len {
        if runs.contains(&chars[i..i + len]) {
            found.push(span_of(&layer[i..i + len]));
        }
    }
}

/// Stretches made of overlapping 4-character runs of the key that touch a mask character.
fn find_masked_runs(
    layer: &[Unit],
    chars: &[char],
    short_runs: &HashSet<&[char]>,
    found: &mut Vec<Range<usize>>,
) {
    if chars.len() < MIN_MASKED_RUN {
        return;
    }
    let is_mask = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(|c| MASKS.contains(c));
    let mut stretch: Option<(usize, usize)> = None; // start, end (exclusive) in `chars`
    let flush = |stretch: Option<(usize, usize)>, found: &mut Vec<Range<usize>>| {
        if let Some((start, end)) = stretch
            && (is_mask(start.checked_sub(1)) || is_mask(Some(end)))
        {
            found.push(span_of(&layer[start..end]));
        }
    };
    for i in 0..=chars.len() - MIN_MASKED_RUN {
        if !short_runs.contains(&chars[i..i + MIN_MASKED_RUN]) {
            continue;
        }
        stretch = match stretch {
            Some((start, end)) if i <= end => Some((start, i + MIN_MASKED_RUN)),
            other => {
                flush(other, found);
                Some((i, i + MIN_MASKED_RUN))
            }
        };
    }
    flush(stretch, found);
}

/// One level of decoding: JSON string escapes (`\u0061`, `\/`, `\\`, ...) and URL
/// percent-encoding of ASCII (`%2D`). `None` when there was nothing to decode. Only ASCII is
/// decoded from percent-encoding: a key that is sent is ASCII (HTTP headers allow nothing else).
fn decode(layer: &[Unit]) -> Option<Vec<Unit>> {
    let ch = |i: usize| layer.get(i).map(|u| u.ch);
    let hex = |from: usize, digits: usize| -> Option<u32> {
        let mut value = 0;
        for i in from..from + digits {
            value = value * 16 + ch(i)?.to_digit(16)?;
        }
        Some(value)
    };
    let mut out = Vec::with_capacity(layer.len());
    let mut changed = false;
    let mut i = 0;
    while i < layer.len() {
        let decoded: Option<(char, usize)> = match layer[i].ch {
            '\\' => match ch(i + 1) {
                Some('u') => hex(i + 2, 4).map(|code| match code {
                    // A surrogate pair (`\ud83d\ude00`) is one character.
                    0xD800..=0xDBFF => match (ch(i + 6), ch(i + 7), hex(i + 8, 4)) {
                        (Some('\\'), Some('u'), Some(low @ 0xDC00..=0xDFFF)) => {
                            let c = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            (char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER), 12)
                        }
                        _ => (char::REPLACEMENT_CHARACTER, 6),
                    },
                    _ => (char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER), 6),
                }),
                Some(c @ ('"' | '\\' | '/')) => Some((c, 2)),
                Some('b') => Some(('\u{8}', 2)),
                Some('f') => Some(('\u{c}', 2)),
                Some('n') => Some(('\n', 2)),
                Some('r') => Some(('\r', 2)),
                Some('t') => Some(('\t', 2)),
                _ => None,
            },
            '%' => hex(i + 1, 2)
                .filter(|byte| *byte < 0x80)
                .and_then(char::from_u32)
                .map(|c| (c, 3)),
            _ => None,
        };
        match decoded {
            Some((c, len)) => {
                out.push(Unit {
                    ch: c,
                    span: span_of(&layer[i..i + len]),
                });
                changed = true;
                i += len;
            }
            None => {
                out.push(layer[i].clone());
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// `text` with every found stretch (merged where they overlap or touch) replaced.
fn redact(text: &str, mut found: Vec<Range<usize>>) -> String {
    if found.is_empty() {
        return text.to_string();
    }
    found.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut current: Option<Range<usize>> = None;
    for range in found {
        current = match current {
            Some(c) if range.start <= c.end => Some(c.start..c.end.max(range.end)),
            Some(c) => {
                out.push_str(&text[copied..c.start]);
                out.push_str(REDACTED);
                copied = c.end;
                Some(range)
            }
            None => Some(range),
        };
    }
    if let Some(c) = current {
        out.push_str(&text[copied..c.start]);
        out.push_str(REDACTED);
        copied = c.end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-proj-Zq8vN3kLm4Xp7RtY2wB9";

    fn key() -> Secret {
        Secret::new(KEY)
    }

    /// No piece of the key of 8 or more characters is left in `text`, in any form we decode.
    fn assert_no_run(text: &str) {
        let chars: Vec<char> = KEY.chars().collect();
        for run in chars.windows(MIN_RUN) {
            let run: String = run.iter().collect();
            assert!(!text.contains(&run), "'{run}' left in: {text}");
        }
        let decoded: String = decode(
            &text
                .char_indices()
                .map(|(i, ch)| Unit {
                    ch,
                    span: i..i + ch.len_utf8(),
                })
                .collect::<Vec<_>>(),
        )
        .map(|units| units.iter().map(|u| u.ch).collect())
        .unwrap_or_else(|| text.to_string());
        assert!(!decoded.contains(&KEY[..MIN_RUN]), "{decoded}");
    }

    fn json_escaped(text: &str) -> String {
        text.chars().map(|c| format!("\\u{:04x}", c as u32)).collect()
    }

    /// The whole key, plain: replaced, the text around it kept.
    #[test]
    fn the_whole_key_is_replaced() {
        assert_eq!(
            scrub(&format!("Incorrect API key provided: {KEY}."), Some(&key())),
            "Incorrect API key provided: ***."
        );
    }

    /// JSON `\u` escapes, for one character (`sk-\u0070roj...`) or every one, are decoded to find
    /// the key; the escaped stretch of the original is replaced, and the body stays valid JSON.
    #[test]
    fn json_escaped_echoes_are_replaced() {
        let one = KEY.replacen('p', "\\u0070", 1);
        let body = format!(r#"{{"error":{{"message":"invalid key {one} given"}}}}"#);
        let scrubbed = scrub(&body, Some(&key()));
        assert_eq!(scrubbed, r#"{"error":{"message":"invalid key *** given"}}"#);
        assert!(serde_json::from_str::<serde_json::Value>(&scrubbed).is_ok());

        let all = json_escaped(KEY);
        let scrubbed = scrub(&format!(r#"{{"message":"key {all}"}}"#), Some(&key()));
        assert_eq!(scrubbed, r#"{"message":"key ***"}"#);

        // Upper-case hex and an escaped slash, as other JSON encoders write them.
        let upper = KEY.replace('-', "\\u002D");
        assert_eq!(scrub(&format!("k=\\/{upper}"), Some(&key())), "k=\\/***");
    }

    /// Escapes inside escapes: a JSON string holding JSON (`\\u0070`), and a URL-encoded key
    /// inside a JSON body.
    #[test]
    fn nested_escapes_and_url_encoding_are_replaced() {
        let double = KEY.replace('p', "\\\\u0070");
        assert_eq!(scrub(&format!("a {double} b"), Some(&key())), "a *** b");
        let url = KEY.replace('-', "%2d");
        assert_eq!(
            scrub(&format!(r#"{{"url":"https://x/?key={url}&a=1"}}"#), Some(&key())),
            r#"{"url":"https://x/?key=***&a=1"}"#
        );
        let mixed = json_escaped(&KEY[..10]) + &KEY[10..].replace('N', "%4E");
        assert_no_run(&scrub(&mixed, Some(&key())));
    }

    /// Partial echoes: the first characters followed by "...", a long middle piece, the last 8,
    /// and the last 4 after a mask; each is replaced.
    #[test]
    fn partial_echoes_are_replaced() {
        let k = key();
        assert_eq!(
            scrub(&format!("key {}... is invalid", &KEY[..12]), Some(&k)),
            "key ***... is invalid"
        );
        assert_eq!(scrub(&format!("got [{}]", &KEY[6..20]), Some(&k)), "got [***]");
        assert_eq!(
            scrub(&format!("key ending {}", &KEY[KEY.len() - 8..]), Some(&k)),
            "key ending ***"
        );
        // OpenAI's form: the first characters, a mask, the last four.
        let openai = format!(
            "Incorrect API key provided: {}********{}.",
            &KEY[..8],
            &KEY[KEY.len() - 4..]
        );
        assert_eq!(
            scrub(&openai, Some(&k)),
            format!("Incorrect API key provided: ***{}***.", "*".repeat(8))
        );
        assert_eq!(
            scrub(&format!("key …{}", &KEY[KEY.len() - 5..]), Some(&k)),
            "key …***"
        );
        // Escaped partial echoes are found too.
        let escaped_tail = json_escaped(&KEY[KEY.len() - 10..]);
        assert_eq!(scrub(&format!("ends in {escaped_tail}"), Some(&k)), "ends in ***");
    }

    /// Ordinary text is left alone: short pieces of the key not marked as part of a key, other
    /// escapes, and text without a key at all.
    #[test]
    fn ordinary_text_is_kept() {
        let k = key();
        // "proj" (4 characters of the key) in a sentence, and "Zq8vN3k" (7) without a mask.
        let text = r#"{"message":"the proj budget Zq8vN3k is \u00e9t\u00e9 100% used; see https://x/a%20b"}"#;
        assert_eq!(scrub(text, Some(&k)), text);
        assert_eq!(scrub(text, None), text);
        assert_eq!(scrub(text, Some(&Secret::new(""))), text);
        assert_eq!(scrub("", Some(&k)), "");
        // A short key is replaced whole only.
        let short = Secret::new("abc12");
        assert_eq!(scrub("x abc12 abc1", Some(&short)), "x *** abc1");
    }

    /// A reply (content) loses the whole key, in any form, but keeps pieces of it such as a
    /// public prefix.
    #[test]
    fn replies_lose_only_the_whole_key() {
        let k = key();
        let reply = format!("Keys start with {}. Yours: {}", &KEY[..8], json_escaped(KEY));
        assert_eq!(
            scrub_whole_key(&reply, Some(&k)),
            format!("Keys start with {}. Yours: ***", &KEY[..8])
        );
    }

    /// Non-ASCII text, lone surrogates and broken escapes neither panic nor change.
    #[test]
    fn odd_text_is_safe() {
        let k = key();
        for text in [
            "\\u",
            "\\ud83d",
            "\\ud83d\\u0041",
            "%",
            "%e2%82%ac",
            "é…*",
            "\\",
            "\\x",
            "%G1",
            "\\ud83d\\ude00 ok",
        ] {
            assert_eq!(scrub(text, Some(&k)), text);
        }
        let unicode_key = Secret::new("ключ-секрет-длинный");
        assert_eq!(scrub("a ключ-секрет-длинный b", Some(&unicode_key)), "a *** b");
    }
}
