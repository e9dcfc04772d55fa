//! A cheap token estimate, stored with each message. No tokenizer is loaded: the estimate only
//! needs to keep requests inside a budget, with a safety margin, and costs nothing at start-up.

/// Estimated tokens of a text: about 4 bytes per token for ASCII text, one token per character
/// for CJK and other non-ASCII scripts (which tokenizers split finely), plus one for overhead.
pub fn estimate(text: &str) -> u32 {
    let mut ascii_bytes: u64 = 0;
    let mut other_chars: u64 = 0;
    for c in text.chars() {
        if c.is_ascii() {
            ascii_bytes += 1;
        } else {
            other_chars += 1;
        }
    }
    let tokens = ascii_bytes.div_ceil(4) + other_chars + 1;
    u32::try_from(tokens).unwrap_or(u32::MAX)
}

/// Per-message overhead of chat formats (role markers, separators).
pub const MESSAGE_OVERHEAD: u32 = 4;

#[cfg(test)]
mod tests {
    use super::estimate;

    #[test]
    fn ascii_and_cjk_estimates_are_sensible() {
        assert_eq!(estimate(""), 1);
        assert_eq!(estimate("abcd"), 2);
        assert_eq!(estimate("こんにちは"), 6);
        assert!(estimate(&"word ".repeat(1000)) >= 1250);
    }
}
