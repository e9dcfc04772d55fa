//! Format-preserving edits of one entry in a JSON or JSONC client file.
//!
//! The document is parsed into a concrete syntax tree (jsonc-parser's CST), which keeps every
//! comment, blank line, indentation, trailing comma and line ending; only the nodes of our entry
//! are changed, so everything else is written back byte for byte. A UTF-8 byte order mark, which
//! the parser does not accept, is taken off before parsing and put back after.

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstObject, CstObjectProp, CstRootNode};
use serde_json::Value;

use super::duplicates::{self, Duplicate};

const BOM: char = '\u{feff}';

/// Why a document could not be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The text is not valid (JSON or JSONC): 1-based line and column of the first problem.
    #[error("{message} on line {line}, column {column}")]
    Parse {
        line: usize,
        column: usize,
        message: String,
    },
    /// The document or the servers section is not a JSON object, so there is nowhere to put an entry.
    #[error("{0}")]
    Shape(String),
    /// The servers section occurs twice at the root: clients read only the last one, and which
    /// one the user meant is theirs to say.
    #[error("{}", .0.message())]
    Duplicate(Duplicate),
}

/// The syntax a client accepts in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Comments and trailing commas allowed (VS Code, Gemini CLI, ...).
    Jsonc,
    /// Strict JSON: the client fails to start on a comment or trailing comma (Claude Desktop).
    StrictJson,
}

impl Syntax {
    fn parse_options(self) -> ParseOptions {
        match self {
            Self::Jsonc => ParseOptions::default(),
            Self::StrictJson => ParseOptions {
                allow_comments: false,
                allow_loose_object_property_names: false,
                allow_trailing_commas: false,
                allow_missing_commas: false,
                allow_single_quoted_strings: false,
                allow_hexadecimal_numbers: false,
                allow_unary_plus_numbers: false,
                allow_bare_decimal_point_numbers: false,
                allow_non_finite_numbers: false,
                allow_extended_string_escapes: false,
            },
        }
    }
}

/// A parsed document; keeps the BOM aside so it can be restored.
struct Doc {
    bom: bool,
    body: String,
    syntax: Syntax,
    root: CstRootNode,
}

impl Doc {
    fn parse(text: &str, syntax: Syntax) -> Result<Self, EditError> {
        let (bom, body) = match text.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if syntax == Syntax::StrictJson && !body.trim().is_empty() {
            // The CST parser collects comments as tokens even when comments are not allowed, so
            // strictness is checked by a strict parser; its line and column are 1-based too.
            serde_json::from_str::<serde::de::IgnoredAny>(body).map_err(|e| EditError::Parse {
                line: e.line(),
                column: e.column(),
                message: strip_position(&e.to_string()),
            })?;
        }
        let root = CstRootNode::parse(body, &syntax.parse_options()).map_err(|e| {
            // The parser counts from the text without the BOM; the BOM is zero-width on screen,
            // so line and column are what an editor shows.
            EditError::Parse {
                line: e.line_display(),
                column: e.column_display(),
                message: e.kind().to_string(),
            }
        })?;
        Ok(Self {
            bom,
            body: body.to_string(),
            syntax,
            root,
        })
    }

    fn text(&self) -> String {
        let body = self.root.to_string();
        if self.bom { format!("{BOM}{body}") } else { body }
    }

    /// The error for a repeated servers section (found by position, for the message).
    fn duplicate(&self, top_key: &str, name: &str) -> EditError {
        duplicates::find(&self.body, &self.syntax.parse_options(), top_key, name).map_or_else(
            || {
                EditError::Shape(format!(
                    "\"{top_key}\" appears more than once; merge them into one by hand."
                ))
            },
            EditError::Duplicate,
        )
    }

    /// The root object, or `None` for an empty document (only whitespace or comments).
    fn root_object(&self) -> Result<Option<CstObject>, EditError> {
        match self.root.value() {
            None => Ok(None),
            Some(value) => value.as_object().map(Some).ok_or_else(|| {
                EditError::Shape(
                    "The file holds a JSON value that is not an object; expected { ... }.".into(),
                )
            }),
        }
    }
}

/// serde_json appends " at line L column C"; the position is reported separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Checks that the text parses; used for the `invalid-file` state.
pub fn check(text: &str, syntax: Syntax) -> Result<(), EditError> {
    Doc::parse(text, syntax).map(|_| ())
}

/// Reads our entry (`top_key.name`), if present; of repeated keys, the last, as clients do.
pub fn read_entry(text: &str, syntax: Syntax, top_key: &str, name: &str) -> Result<Option<Value>, EditError> {
    let doc = Doc::parse(text, syntax)?;
    let Some(root) = doc.root_object()? else {
        return Ok(None);
    };
    // As clients read it: the last section, and the last entry of that name in it.
    let Some(section) = sections(&root, top_key)?.pop() else {
        return Ok(None);
    };
    Ok(named(&section, name)
        .pop()
        .and_then(|prop| prop.value())
        .and_then(|v| v.to_serde_value()))
}

/// Every entry of the `top_key` section, as JSON values; repeated keys and sections included.
pub fn entries(text: &str, syntax: Syntax, top_key: &str) -> Result<Vec<(String, Value)>, EditError> {
    let doc = Doc::parse(text, syntax)?;
    let Some(root) = doc.root_object()? else {
        return Ok(Vec::new());
    };
    // Every section and every repeat, so that the audit sees a key wherever it is written.
    Ok(sections(&root, top_key)?
        .iter()
        .flat_map(CstObject::properties)
        .filter_map(|prop| {
            let name = prop.name()?.decoded_value().ok()?;
            Some((name, prop.value()?.to_serde_value()?))
        })
        .collect())
}

/// Removes one field inside entry `name` (`path` like `["env", "OPENAI_API_KEY"]`), in every
/// repeat of the entry; the same text when it is not there.
pub fn remove_field(
    text: &str,
    syntax: Syntax,
    top_key: &str,
    name: &str,
    path: &[&str],
) -> Result<String, EditError> {
    let doc = Doc::parse(text, syntax)?;
    let Some(root) = doc.root_object()? else {
        return Ok(text.to_string());
    };
    let Some((last, parents)) = path.split_last() else {
        return Ok(text.to_string());
    };
    let mut removed = false;
    // From every repeat of the entry: a key left in a dead copy is still a key in the file.
    for entry in entries_named(&root, top_key, name)? {
        let mut object = entry.object_value();
        for part in parents {
            object = object.and_then(|o| o.get(part)).and_then(|p| p.object_value());
        }
        for prop in object.map(|o| named(&o, last)).unwrap_or_default() {
            prop.remove();
            removed = true;
        }
    }
    Ok(if removed { doc.text() } else { text.to_string() })
}

/// Every servers section at the root: JSON allows a key twice, and clients keep the last one.
fn sections(root: &CstObject, top_key: &str) -> Result<Vec<CstObject>, EditError> {
    named(root, top_key)
        .into_iter()
        .map(|prop| {
            prop.object_value().ok_or_else(|| {
                EditError::Shape(format!(
                    "\"{top_key}\" in the file is not an object; fix it by hand (it must be {{ ... }})."
                ))
            })
        })
        .collect()
}

/// The properties of `object` called `name`, in file order.
fn named(object: &CstObject, name: &str) -> Vec<CstObjectProp> {
    object
        .properties()
        .into_iter()
        .filter(|prop| prop.name().and_then(|n| n.decoded_value().ok()).as_deref() == Some(name))
        .collect()
}

/// Every entry called `name` in every servers section.
fn entries_named(root: &CstObject, top_key: &str, name: &str) -> Result<Vec<CstObjectProp>, EditError> {
    Ok(sections(root, top_key)?
        .iter()
        .flat_map(|section| named(section, name))
        .collect())
}

/// The repeated key that matters to us, if any (see [`duplicates::find`]).
pub fn duplicate(text: &str, syntax: Syntax, top_key: &str, name: &str) -> Option<Duplicate> {
    let body = text.strip_prefix(BOM).unwrap_or(text);
    duplicates::find(body, &syntax.parse_options(), top_key, name)
}

/// Returns the text with `top_key.name` set to `entry`, changing nothing else. Keys of an existing
/// entry that `entry` does not mention (a user's `env`, `disabled`, ...) are kept. Returns the
/// same text when the entry already matches, so configuring twice is a no-op.
///
/// `fields` is a list rather than a map so that a new entry's keys keep the order clients
/// document (`type`, `command`, `args`); serde_json's map would sort them.
pub fn upsert_entry(
    text: &str,
    syntax: Syntax,
    top_key: &str,
    name: &str,
    fields: &[(&str, Value)],
) -> Result<String, EditError> {
    let entry = entry_input(fields);
    let doc = Doc::parse(text, syntax)?;
    let Some(root) = doc.root_object()? else {
        // Nothing but whitespace or comments: a new document. Comments in an otherwise empty file
        // are rare; keeping them would need a root value to attach to, so say so rather than drop them.
        if text.trim_start_matches(BOM).trim().is_empty() {
            return new_document(top_key, name, entry);
        }
        return Err(EditError::Shape(
            "The file holds only comments; add {} to it, or move it aside, and try again.".into(),
        ));
    };
    let mut found = sections(&root, top_key)?;
    if found.len() > 1 {
        // Which section the user meant to keep is theirs to say; merging would move their servers.
        return Err(doc.duplicate(top_key, name));
    }
    let Some(section) = found.pop() else {
        root.append(top_key, CstInputValue::Object(vec![(name.to_string(), entry)]));
        return Ok(doc.text());
    };
    let mut ours = named(&section, name);
    // Clients use the last of repeated entries, so that one is kept (with the user's extra keys)
    // and the dead copies before it go.
    let Some(prop) = ours.pop() else {
        section.append(name, entry);
        return Ok(doc.text());
    };
    for stale in ours {
        stale.remove();
    }
    match prop.object_value() {
        Some(existing) => {
            for (key, wanted) in fields {
                let field = named(&existing, key).pop();
                let found = field
                    .as_ref()
                    .and_then(|f| f.value())
                    .and_then(|v| v.to_serde_value());
                // A client that rewrote the entry its own way (no `"args": []`, ...) meant the same.
                if super::document::field_means(key, found.as_ref(), wanted) {
                    continue;
                }
                match field {
                    Some(field) => field.set_value(to_input(wanted)),
                    None => {
                        existing.append(key, to_input(wanted));
                    }
                }
            }
        }
        // Not an object: not a usable entry of any client, so ours replaces it.
        None => prop.set_value(entry),
    }
    Ok(doc.text())
}

/// Returns the text without `top_key.name` (every repeat of it, in every section); the same text
/// when there is no such entry.
pub fn remove_entry(text: &str, syntax: Syntax, top_key: &str, name: &str) -> Result<String, EditError> {
    let doc = Doc::parse(text, syntax)?;
    let Some(root) = doc.root_object()? else {
        return Ok(text.to_string());
    };
    let found = entries_named(&root, top_key, name)?;
    if found.is_empty() {
        return Ok(text.to_string());
    }
    // Every repeat goes: a dead copy left behind would come alive if the last one went.
    for prop in found {
        prop.remove();
    }
    Ok(doc.text())
}

/// A new file: the CST's default layout (two-space indentation) and a final newline, like the
/// clients write theirs.
fn new_document(top_key: &str, name: &str, entry: CstInputValue) -> Result<String, EditError> {
    let root = CstRootNode::parse("", &ParseOptions::default())
        .map_err(|e| EditError::Shape(format!("Internal error while creating the file: {e}.")))?;
    root.set_value(CstInputValue::Object(vec![(
        top_key.to_string(),
        CstInputValue::Object(vec![(name.to_string(), entry)]),
    )]));
    let mut text = root.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

fn entry_input(fields: &[(&str, Value)]) -> CstInputValue {
    CstInputValue::Object(fields.iter().map(|(k, v)| (k.to_string(), to_input(v))).collect())
}

fn to_input(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Number(n) => CstInputValue::Number(n.to_string()),
        Value::String(s) => CstInputValue::String(s.clone()),
        Value::Array(items) => CstInputValue::Array(items.iter().map(to_input).collect()),
        Value::Object(map) => {
            CstInputValue::Object(map.iter().map(|(k, v)| (k.clone(), to_input(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "llm-generator";

    fn vscode_fields() -> Vec<(&'static str, Value)> {
        vec![
            ("type", Value::from("stdio")),
            ("command", Value::from("/opt/llmgen/mcp-llm-generator")),
            ("args", Value::Array(vec![])),
        ]
    }

    fn plain_fields() -> Vec<(&'static str, Value)> {
        vec![
            ("command", Value::from("/opt/llmgen/mcp-llm-generator")),
            ("args", Value::Array(vec![])),
        ]
    }

    /// Configures, then checks the exact result, idempotence and that remove restores the input.
    fn round_trip(input: &str, syntax: Syntax, top_key: &str, fields: &[(&str, Value)], expected: &str) {
        let added = upsert_entry(input, syntax, top_key, NAME, fields).expect("configure");
        assert_eq!(added, expected, "only our entry may be added");
        let again = upsert_entry(&added, syntax, top_key, NAME, fields).expect("configure again");
        assert_eq!(
            again, added,
            "configuring twice must change nothing the second time"
        );
        let removed = remove_entry(&added, syntax, top_key, NAME).expect("remove");
        assert_eq!(removed, input, "remove must restore the file byte for byte");
    }

    #[test]
    fn vscode_file_with_tabs_comments_inputs_and_trailing_commas_keeps_them_all() {
        let input = include_str!("../../tests/fixtures/clients/vscode_inputs.json");
        let expected = input.replace(
            "// trailing comment\n\t},",
            "// trailing comment\n\t\t\"llm-generator\": {\n\t\t\t\"type\": \"stdio\",\n\t\t\t\"command\": \"/opt/llmgen/mcp-llm-generator\",\n\t\t\t\"args\": [],\n\t\t},\n\t},",
        );
        assert_ne!(
            expected, input,
            "the fixture must contain the anchor the expectation is built on"
        );
        round_trip(input, Syntax::Jsonc, "servers", &vscode_fields(), &expected);
    }

    #[test]
    fn strict_claude_file_gets_our_entry_with_its_indentation_and_keeps_preferences() {
        let input = include_str!("../../tests/fixtures/clients/claude_desktop.json");
        let expected = input.replace(
            "      ]\n    }\n  },",
            "      ]\n    },\n    \"llm-generator\": {\n      \"command\": \"/opt/llmgen/mcp-llm-generator\",\n      \"args\": []\n    }\n  },",
        );
        assert_ne!(expected, input);
        round_trip(
            input,
            Syntax::StrictJson,
            "mcpServers",
            &plain_fields(),
            &expected,
        );
    }

    #[test]
    fn crlf_line_endings_and_four_space_indent_are_kept() {
        let input = include_str!("../../tests/fixtures/clients/cursor_crlf.json");
        let expected = input.replace(
            "]\r\n        }\r\n    }",
            "]\r\n        },\r\n        \"llm-generator\": {\r\n            \"command\": \"/opt/llmgen/mcp-llm-generator\",\r\n            \"args\": []\r\n        }\r\n    }",
        );
        assert_ne!(expected, input);
        round_trip(input, Syntax::Jsonc, "mcpServers", &plain_fields(), &expected);
        assert!(
            !expected.replace("\r\n", "").contains('\n'),
            "no bare LF may be introduced"
        );
    }

    #[test]
    fn byte_order_mark_and_block_comment_survive() {
        let input = include_str!("../../tests/fixtures/clients/gemini_bom.json");
        assert!(input.starts_with('\u{feff}'), "the fixture must start with a BOM");
        let expected = input.replace(
            "\"mcpServers\": {}",
            "\"mcpServers\": {\n    \"llm-generator\": {\n      \"command\": \"/opt/llmgen/mcp-llm-generator\",\n      \"args\": []\n    }\n  }",
        );
        assert_ne!(expected, input);
        let added =
            upsert_entry(input, Syntax::Jsonc, "mcpServers", NAME, &plain_fields()).expect("configure");
        assert_eq!(added, expected);
        // An empty section that we filled is not restored to `{}` textually, but it holds nothing of ours.
        let removed = remove_entry(&added, Syntax::Jsonc, "mcpServers", NAME).expect("remove");
        assert!(removed.starts_with('\u{feff}'));
        assert_eq!(read_entry(&removed, Syntax::Jsonc, "mcpServers", NAME), Ok(None));
    }

    #[test]
    fn broken_file_is_refused_with_line_and_column() {
        let input = include_str!("../../tests/fixtures/clients/broken.json");
        let err = upsert_entry(input, Syntax::Jsonc, "mcpServers", NAME, &plain_fields())
            .expect_err("must be refused");
        assert!(
            matches!(
                err,
                EditError::Parse {
                    line: 1,
                    column: 36,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(remove_entry(input, Syntax::Jsonc, "mcpServers", NAME).is_err());
    }

    #[test]
    fn strict_syntax_rejects_comments_that_jsonc_accepts() {
        let text = "{\n  // note\n  \"mcpServers\": {}\n}\n";
        assert!(check(text, Syntax::Jsonc).is_ok());
        let err = check(text, Syntax::StrictJson).expect_err("must be refused");
        assert!(
            matches!(
                err,
                EditError::Parse {
                    line: 2,
                    column: 3,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn missing_file_content_and_missing_top_key_are_created() {
        let created = upsert_entry("", Syntax::Jsonc, "servers", NAME, &vscode_fields()).expect("create");
        assert_eq!(
            created,
            "{\n  \"servers\": {\n    \"llm-generator\": {\n      \"type\": \"stdio\",\n      \"command\": \"/opt/llmgen/mcp-llm-generator\",\n      \"args\": []\n    }\n  }\n}\n"
        );
        let added = upsert_entry(
            "{\n  \"a\": 1\n}\n",
            Syntax::Jsonc,
            "servers",
            NAME,
            &plain_fields(),
        )
        .expect("add key");
        assert_eq!(
            added,
            "{\n  \"a\": 1,\n  \"servers\": {\n    \"llm-generator\": {\n      \"command\": \"/opt/llmgen/mcp-llm-generator\",\n      \"args\": []\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn an_existing_entry_is_updated_in_place_and_keeps_the_users_extra_keys() {
        let input = "{\n  \"mcpServers\": {\n    \"llm-generator\": { \"command\": \"/old/bin\", \"args\": [], \"env\": { \"X\": \"1\" } }\n  }\n}\n";
        let out = upsert_entry(input, Syntax::Jsonc, "mcpServers", NAME, &plain_fields()).expect("update");
        assert_eq!(
            out,
            input.replace("/old/bin", "/opt/llmgen/mcp-llm-generator"),
            "only the command may change"
        );
    }

    #[test]
    fn a_non_object_root_or_section_is_refused() {
        assert!(matches!(
            upsert_entry("[]", Syntax::Jsonc, "servers", NAME, &plain_fields()),
            Err(EditError::Shape(_))
        ));
        assert!(matches!(
            upsert_entry(
                "{\"servers\": []}",
                Syntax::Jsonc,
                "servers",
                NAME,
                &plain_fields()
            ),
            Err(EditError::Shape(_))
        ));
    }

    #[test]
    fn remove_without_our_entry_returns_the_text_unchanged() {
        let input = include_str!("../../tests/fixtures/clients/claude_desktop.json");
        assert_eq!(
            remove_entry(input, Syntax::StrictJson, "mcpServers", NAME).as_deref(),
            Ok(input)
        );
    }
}
