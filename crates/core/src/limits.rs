//! Size limits of every text we store (templates, personas, contexts, messages), and the shape of
//! the names users give templates, personas and providers, in one place so the README, the checks
//! and the error messages agree.
//!
//! Why limits at all: every `list` answer, every prompt and every backup carries these texts.
//! Without a bound, five 10 MB templates made a 105 MB `template-manage list` answer. The limits
//! are far above any real prompt (a long system prompt is a few thousand characters) and are
//! counted in characters, so Japanese text gets the same room as English.

use crate::{CoreError, Result};

/// Names shown in lists: context names.
pub const NAME_CHARS: usize = 200;
/// Descriptions of templates and personas, and of template parameters.
pub const DESCRIPTION_CHARS: usize = 2_000;
/// Prompt texts: system prompts, personalities, a template's user message, a parameter's default.
pub const PROMPT_CHARS: usize = 100_000;
/// One chat message sent to `context-chat`.
pub const MESSAGE_CHARS: usize = 100_000;
/// Parameters a template may declare.
pub const PARAMETERS: usize = 100;

/// A memory's title.
pub const MEMORY_TITLE_CHARS: usize = 200;
/// A memory's content: a long note, not a document store (every search cuts snippets from it).
pub const MEMORY_CONTENT_CHARS: usize = 20_000;
/// Tags on one memory, and the length of each.
pub const MEMORY_TAGS: usize = 20;
pub const MEMORY_TAG_CHARS: usize = 50;
/// A link's relation label ("supports", "see also").
pub const MEMORY_RELATION_CHARS: usize = 50;
/// Links going out of one memory.
pub const MEMORY_LINKS: usize = 100;
/// A search's text.
pub const MEMORY_QUERY_CHARS: usize = 500;
/// Results per search page (direct hits), its default, and related results added to a page.
pub const MEMORY_PAGE_MAX: u32 = 50;
pub const MEMORY_PAGE_DEFAULT: u32 = 10;
pub const MEMORY_RELATED_MAX: usize = 20;
/// Changes per feed page, and its default.
pub const MEMORY_FEED_MAX: u32 = 200;
pub const MEMORY_FEED_DEFAULT: u32 = 50;
/// A persona's expertise: at most this many words or phrases, each this long.
pub const EXPERTISE_ITEMS: usize = 20;
pub const EXPERTISE_CHARS: usize = 50;
/// A persona's restrictions: at most this many rules, each this long.
pub const RESTRICTIONS: usize = 20;
pub const RESTRICTION_CHARS: usize = 500;
/// Levels of the persona tree: a persona has at most this many ancestors.
pub const TEAM_DEPTH: usize = 16;
/// Delegations per list page, and the default.
pub const DELEGATION_PAGE_MAX: u32 = 100;
pub const DELEGATION_PAGE_DEFAULT: u32 = 20;

/// Checks that `value` (the field `field` of `what`) is at most `max` characters, with an error
/// that says by how much it is over and what to do.
pub fn check(what: &str, field: &str, value: &str, max: usize) -> Result<()> {
    // Counting bytes first is cheap and exact for the common case: a text of at most `max` bytes
    // cannot have more than `max` characters.
    if value.len() <= max {
        return Ok(());
    }
    let chars = value.chars().count();
    if chars <= max {
        return Ok(());
    }
    Err(CoreError::invalid(format!(
        "{what}: {field} is {chars} characters long; the limit is {max}. Shorten it (or split it into several) and try again."
    )))
}

/// A short list of words (tags, expertise, rules): trimmed, without empties and case-insensitive
/// repeats, each at most `max_chars`, at most `max_items` of them. `what` and `item` start the
/// messages ("Memory", "a tag", "tags"); `hint` ends the one about too many.
pub fn clean_list(
    what: &str,
    (item, items_word): (&str, &str),
    items: &[String],
    max_items: usize,
    max_chars: usize,
    hint: &str,
) -> Result<Vec<String>> {
    let mut clean: Vec<String> = Vec::new();
    for entry in items {
        let entry = entry.trim();
        if entry.is_empty() || clean.iter().any(|c| c.to_lowercase() == entry.to_lowercase()) {
            continue;
        }
        // Refused at the first entry over the limit: a list of a million costs no more.
        if clean.len() == max_items {
            return Err(CoreError::invalid(format!(
                "{what}: more than {max_items} different {items_word} given ({} in the list); the limit is {max_items}. {hint}",
                items.len()
            )));
        }
        check(what, item, entry, max_chars)?;
        clean.push(entry.to_string());
    }
    Ok(clean)
}

/// Checks a name for templates, personas and providers: short, printable, safe in URIs and
/// prompt names. `kind` starts the message ("Template").
pub(crate) fn check_name(kind: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(format!(
            "{kind} name '{name}' is not allowed: use 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit (for example 'weekly-summary')."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The limit counts characters, not bytes: a Japanese text of exactly the limit passes, one
    /// more character is refused with a sentence that names the field and the limit.
    #[test]
    fn limits_count_characters_and_name_the_field() {
        let at_limit = "あ".repeat(NAME_CHARS);
        assert!(check("Context", "name", &at_limit, NAME_CHARS).is_ok());
        let over = "あ".repeat(NAME_CHARS + 1);
        let err = check("Context 'x'", "name", &over, NAME_CHARS)
            .expect_err("over the limit")
            .to_string();
        assert!(err.contains("name is 201 characters long"), "{err}");
        assert!(err.contains("the limit is 200"), "{err}");
    }
}
