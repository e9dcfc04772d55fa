//! The memory change feed as an MCP resource: `llmgen://memory/feed{?since,asPersona}`, its
//! query string read strictly (a bad value is a clear error, never a panic), and the core's
//! FeedPage as JSON. Subscriptions to it live in `watch`.

pub(super) mod watch;

use llmgen_core::{CoreError, Store, memory, memory::Actor};
use rmcp::ErrorData as McpError;

/// The feed from its start, as every persona-less reader sees it.
pub const FEED: &str = "llmgen://memory/feed";
/// The feed's URI template (RFC 6570 form-style query).
pub const FEED_TEMPLATE: &str = "llmgen://memory/feed{?since,asPersona}";

/// What a feed URI asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedUri {
    /// Changes after this sequence number (0: from the start).
    pub since: i64,
    /// The persona reading: only changes to notes it may read.
    pub as_persona: Option<String>,
}

/// `None` when `uri` is not the feed; otherwise what it asks for, or why it cannot be read.
pub fn parse(uri: &str) -> Option<Result<FeedUri, String>> {
    let rest = uri.strip_prefix(FEED)?;
    let query = match rest.strip_prefix('?') {
        None if rest.is_empty() => "",
        Some(query) => query,
        None => return None, // llmgen://memory/feedback is not ours
    };
    Some(parse_query(query))
}

fn parse_query(query: &str) -> Result<FeedUri, String> {
    let mut since = None;
    let mut as_persona = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("'{pair}' has no value: write {pair}=..."))?;
        let (key, value) = (percent_decode(key)?, percent_decode(value)?);
        let slot_taken = match key.as_str() {
            "since" => since.replace(parse_since(&value)?).is_some(),
            "asPersona" if value.is_empty() => {
                return Err(
                    "asPersona is empty: name a persona, or leave it out to read as the user.".into(),
                );
            }
            "asPersona" => as_persona.replace(value).is_some(),
            other => {
                return Err(format!(
                    "unknown parameter '{other}': the feed takes since and asPersona."
                ));
            }
        };
        if slot_taken {
            return Err(format!("'{key}' is given twice: give it once."));
        }
    }
    Ok(FeedUri {
        since: since.unwrap_or(0),
        as_persona,
    })
}

fn parse_since(value: &str) -> Result<i64, String> {
    value.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
        format!(
            "since must be a whole number of 0 or more (the nextSince of the page read before), not '{value}'."
        )
    })
}

/// `%XX` escapes decoded; the result must be UTF-8. `+` stays a plus (URI templates escape a
/// space as `%20`).
fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("'{text}' has a broken %-escape (write %XX with two hex digits)."))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("'{text}' does not decode to UTF-8 text."))
}

/// The error a reader gets for `uri`: a missing persona is "not found", bad input invalid.
pub fn error(uri: &str, e: CoreError) -> McpError {
    match e {
        CoreError::NotFound { .. } => McpError::resource_not_found(format!("{uri}: {e}"), None),
        CoreError::Invalid(_) | CoreError::NotAllowed(_) => {
            McpError::invalid_params(format!("{uri}: {e}"), None)
        }
        other => McpError::internal_error(format!("{uri}: {other}"), None),
    }
}

/// Parses a feed URI and resolves its persona; `None` when `uri` is not the feed.
pub fn request(store: &Store, uri: &str) -> Option<Result<(FeedUri, Actor), McpError>> {
    let parsed = parse(uri)?;
    Some(
        parsed
            .map_err(|why| McpError::invalid_params(format!("{uri}: {why}"), None))
            .and_then(|feed| {
                let actor =
                    Actor::from_as_persona(store, feed.as_persona.as_deref()).map_err(|e| error(uri, e))?;
                Ok((feed, actor))
            }),
    )
}

/// Reads the feed page `uri` asks for, or `None` when `uri` is not the feed.
pub fn read(store: &Store, uri: &str) -> Option<Result<memory::FeedPage, McpError>> {
    Some(
        request(store, uri)?.and_then(|(feed, actor)| {
            memory::feed(store, &actor, feed.since, None).map_err(|e| error(uri, e))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(uri: &str) -> FeedUri {
        parse(uri).expect("a feed uri").expect("valid")
    }

    fn bad(uri: &str) -> String {
        parse(uri).expect("a feed uri").expect_err("invalid")
    }

    /// The plain feed and every valid query form are read as meant, escapes included.
    #[test]
    fn feed_uris_are_read() {
        assert_eq!(
            ok(FEED),
            FeedUri {
                since: 0,
                as_persona: None
            }
        );
        assert_eq!(
            ok("llmgen://memory/feed?"),
            FeedUri {
                since: 0,
                as_persona: None
            }
        );
        assert_eq!(
            ok("llmgen://memory/feed?since=42&asPersona=calm-counselor"),
            FeedUri {
                since: 42,
                as_persona: Some("calm-counselor".into())
            }
        );
        assert_eq!(
            ok("llmgen://memory/feed?asPersona=a%2Db&&since=0")
                .as_persona
                .as_deref(),
            Some("a-b")
        );
    }

    /// Other URIs are not the feed, so other resources keep their own errors.
    #[test]
    fn other_uris_are_not_the_feed() {
        assert!(parse("llmgen://memory/feedback").is_none());
        assert!(parse("llmgen://memory").is_none());
        assert!(parse("llmgen://status").is_none());
    }

    /// Bad values are errors that say what to write, never a panic: negative, non-numeric and
    /// huge since, a missing value, an unknown or repeated key, broken escapes (also cut inside
    /// a multi-byte character) and non-UTF-8 bytes.
    #[test]
    fn bad_queries_are_clear_errors() {
        assert!(bad("llmgen://memory/feed?since=-1").contains("0 or more"));
        assert!(bad("llmgen://memory/feed?since=abc").contains("not 'abc'"));
        assert!(bad("llmgen://memory/feed?since=99999999999999999999").contains("whole number"));
        assert!(bad("llmgen://memory/feed?since").contains("has no value"));
        assert!(bad("llmgen://memory/feed?limit=5").contains("unknown parameter 'limit'"));
        assert!(bad("llmgen://memory/feed?since=1&since=2").contains("given twice"));
        assert!(bad("llmgen://memory/feed?asPersona=").contains("asPersona is empty"));
        assert!(bad("llmgen://memory/feed?asPersona=%").contains("broken %-escape"));
        assert!(bad("llmgen://memory/feed?asPersona=%e6%9d").contains("UTF-8"));
        assert!(bad("llmgen://memory/feed?asPersona=%ZZ").contains("broken %-escape"));
        assert!(bad("llmgen://memory/feed?asPersona=%東京").contains("broken %-escape"));
    }
}
