//! Format-preserving edits of one server table in a TOML client file (Codex's
//! `[mcp_servers.NAME]`), with `toml_edit`, which keeps comments, blank lines, key order and
//! quoting of everything it is not asked to change.

use serde_json::{Map, Value};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike};

use super::jsonc::EditError;

fn parse(text: &str) -> Result<DocumentMut, EditError> {
    text.parse::<DocumentMut>().map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| super::document::line_and_column(text, span.start));
        EditError::Parse {
            line,
            column,
            // The message may quote the offending line; keep only its first line, the summary.
            message: e.message().lines().next().unwrap_or("invalid TOML").to_string(),
        }
    })
}

fn servers<'a>(doc: &'a DocumentMut, key: &str) -> Result<Option<&'a dyn TableLike>, EditError> {
    match doc.get(key) {
        None => Ok(None),
        Some(item) => item.as_table_like().map(Some).ok_or_else(|| not_a_table(key)),
    }
}

fn not_a_table(key: &str) -> EditError {
    EditError::Shape(format!(
        "\"{key}\" in the file is not a table; fix it by hand (it must be [{key}.NAME] sections)."
    ))
}

/// Every server table under `key`, converted to JSON values.
pub fn entries(text: &str, key: &str) -> Result<Vec<(String, Value)>, EditError> {
    let doc = parse(text)?;
    Ok(servers(&doc, key)?
        .map(|t| {
            t.iter()
                .map(|(k, item)| (k.to_string(), item_to_json(item)))
                .collect()
        })
        .unwrap_or_default())
}

/// The server table `key.name`, if present.
pub fn read_entry(text: &str, key: &str, name: &str) -> Result<Option<Value>, EditError> {
    let doc = parse(text)?;
    Ok(servers(&doc, key)?.and_then(|t| t.get(name)).map(item_to_json))
}

/// Returns the text with `key.name` holding `fields`; keys the entry has beyond them are kept.
/// The same text when nothing differs, so configuring twice writes nothing.
pub fn upsert_entry(
    text: &str,
    key: &str,
    name: &str,
    fields: &[(&str, Value)],
) -> Result<String, EditError> {
    let mut doc = parse(text)?;
    if doc.get(key).is_none() {
        // Implicit, so the file gains `[mcp_servers.NAME]` and not an empty `[mcp_servers]` header.
        let mut table = Table::new();
        table.set_implicit(true);
        doc.insert(key, Item::Table(table));
    }
    let section = doc
        .get_mut(key)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| not_a_table(key))?;
    let mut changed = false;
    match section.get_mut(name) {
        Some(item) => match item.as_table_like_mut() {
            Some(entry) => {
                for (field, wanted) in fields {
                    // Codex rewrites the file in its own style (it drops `args = []`, may
                    // requote or reorder): only a difference in meaning is a change.
                    let found = entry.get(field).map(item_to_json);
                    if !super::document::field_means(field, found.as_ref(), wanted) {
                        entry.insert(field, Item::Value(json_to_value(wanted)));
                        changed = true;
                    }
                }
            }
            // Not a table: not a usable server of any kind, so ours replaces it.
            None => {
                *item = new_entry(fields);
                changed = true;
            }
        },
        None => {
            section.insert(name, new_entry(fields));
            changed = true;
        }
    }
    // Unchanged means the original bytes, so configuring twice never rewrites the file.
    Ok(if changed {
        doc.to_string()
    } else {
        text.to_string()
    })
}

fn new_entry(fields: &[(&str, Value)]) -> Item {
    let mut table = Table::new();
    for (field, value) in fields {
        table.insert(field, Item::Value(json_to_value(value)));
    }
    Item::Table(table)
}

/// Returns the text without `key.name`; the same text when there is no such entry. Only our
/// table and the blank lines just above it go: the user's comments above it stay, and when it was
/// the first thing in the file the next table does not start the file with a blank line.
pub fn remove_entry(text: &str, key: &str, name: &str) -> Result<String, EditError> {
    let mut doc = parse(text)?;
    let Some(section) = doc.get_mut(key) else {
        return Ok(text.to_string());
    };
    let section_is_implicit = section.as_table().is_some_and(Table::is_implicit);
    let table = section.as_table_like_mut().ok_or_else(|| not_a_table(key))?;
    let Some(removed) = table.remove(name) else {
        return Ok(text.to_string());
    };
    // A section that only existed as the parent of our table goes with it, as it came.
    if table.is_empty() && section_is_implicit {
        doc.remove(key);
    }
    if let Item::Table(ours) = &removed {
        close_the_gap(&mut doc, ours);
    }
    Ok(doc.to_string())
}

/// After our table went: toml_edit removed it with its prefix (the blank lines and comments
/// above its header) and left the next table's prefix (the blank lines between them) as it was.
/// Comments of the removed prefix are the user's and move to what follows; blank lines that would
/// now start the file go.
fn close_the_gap(doc: &mut DocumentMut, ours: &Table) {
    let Some(start) = ours.position() else {
        return;
    };
    let mut end = start;
    visit_tables(ours, &mut |t| end = end.max(t.position().unwrap_or(end)));
    let comments = comment_lines(ours.decor().prefix().and_then(|p| p.as_str()).unwrap_or(""));
    // Root key-values are written before every table, so ours was first only without any.
    let mut first = !doc
        .as_table()
        .iter()
        .any(|(_, item)| item.is_value() || item.as_table().is_some_and(Table::is_dotted));
    let mut next: Option<isize> = None;
    visit_tables(doc.as_table(), &mut |t| {
        if let Some(at) = t.position().filter(|_| shows_header(t)) {
            first &= at > start;
            if at > end && next.is_none_or(|n| at < n) {
                next = Some(at);
            }
        }
    });
    match next {
        Some(at) => visit_tables_mut(doc.as_table_mut(), &mut |t| {
            if t.position() == Some(at) && shows_header(t) {
                let own = t.decor().prefix().and_then(|p| p.as_str()).unwrap_or("");
                let own = if first && comments.is_empty() {
                    without_leading_blank_lines(own)
                } else {
                    own
                };
                let joined = format!("{comments}{own}");
                t.decor_mut().set_prefix(joined);
            }
        }),
        None if !comments.is_empty() => {
            let trailing = doc.trailing().as_str().unwrap_or("");
            let joined = format!("{comments}{trailing}");
            doc.set_trailing(joined);
        }
        None => {}
    }
}

/// A table written with its own `[header]` (not the implicit parent of one, not dotted keys).
fn shows_header(table: &Table) -> bool {
    !table.is_implicit() && !table.is_dotted()
}

/// A prefix up to the end of its last comment line; the blank lines after it were the gap just
/// above our header. Empty when it holds no comment (a prefix is only whitespace and comments).
fn comment_lines(prefix: &str) -> &str {
    let Some(at) = prefix.rfind('#') else {
        return "";
    };
    match prefix[at..].find('\n') {
        Some(newline) => &prefix[..at + newline + 1],
        None => prefix,
    }
}

fn without_leading_blank_lines(text: &str) -> &str {
    let mut rest = text;
    while let Some(newline) = rest.find('\n') {
        if !rest[..newline].trim().is_empty() {
            break;
        }
        rest = &rest[newline + 1..];
    }
    rest
}

/// Every table under `table` (sub-tables and arrays of tables, depth first).
fn visit_tables(table: &Table, f: &mut impl FnMut(&Table)) {
    for (_, item) in table.iter() {
        match item {
            Item::Table(t) => {
                f(t);
                visit_tables(t, f);
            }
            Item::ArrayOfTables(array) => array.iter().for_each(|t| {
                f(t);
                visit_tables(t, f);
            }),
            Item::None | Item::Value(_) => {}
        }
    }
}

fn visit_tables_mut(table: &mut Table, f: &mut impl FnMut(&mut Table)) {
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(t) => {
                f(t);
                visit_tables_mut(t, f);
            }
            Item::ArrayOfTables(array) => array.iter_mut().for_each(|t| {
                f(t);
                visit_tables_mut(t, f);
            }),
            Item::None | Item::Value(_) => {}
        }
    }
}

/// Removes one field of a server's table (`path` like `["env", "OPENAI_API_KEY"]`).
pub fn remove_field(text: &str, key: &str, name: &str, path: &[&str]) -> Result<String, EditError> {
    let mut doc = parse(text)?;
    let Some((last, parents)) = path.split_last() else {
        return Ok(text.to_string());
    };
    let mut table: Option<&mut dyn TableLike> = doc
        .get_mut(key)
        .and_then(Item::as_table_like_mut)
        .and_then(|t| t.get_mut(name))
        .and_then(Item::as_table_like_mut);
    for part in parents {
        table = table
            .and_then(|t| t.get_mut(part))
            .and_then(Item::as_table_like_mut);
    }
    match table.and_then(|t| t.remove(last)) {
        Some(_) => Ok(doc.to_string()),
        None => Ok(text.to_string()),
    }
}

fn item_to_json(item: &Item) -> Value {
    match item {
        Item::None => Value::Null,
        Item::Value(v) => value_to_json(v),
        Item::Table(t) => table_to_json(t.iter()),
        Item::ArrayOfTables(a) => Value::Array(a.iter().map(|t| table_to_json(t.iter())).collect()),
    }
}

fn table_to_json<'a>(iter: impl Iterator<Item = (&'a str, &'a Item)>) -> Value {
    Value::Object(
        iter.map(|(k, v)| (k.to_string(), item_to_json(v)))
            .collect::<Map<_, _>>(),
    )
}

fn value_to_json(value: &toml_edit::Value) -> Value {
    use toml_edit::Value as T;
    match value {
        T::String(s) => Value::from(s.value().as_str()),
        T::Integer(i) => Value::from(*i.value()),
        T::Float(f) => serde_json::Number::from_f64(*f.value()).map_or(Value::Null, Value::Number),
        T::Boolean(b) => Value::from(*b.value()),
        T::Datetime(d) => Value::from(d.value().to_string()),
        T::Array(a) => Value::Array(a.iter().map(value_to_json).collect()),
        T::InlineTable(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), value_to_json(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}

fn json_to_value(value: &Value) -> toml_edit::Value {
    match value {
        // TOML has no null; an empty string is the closest harmless value (never produced by us).
        Value::Null => toml_edit::Value::from(""),
        Value::Bool(b) => toml_edit::Value::from(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml_edit::Value::from(i),
            None => toml_edit::Value::from(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => toml_edit::Value::from(s.as_str()),
        Value::Array(items) => toml_edit::Value::Array(items.iter().map(json_to_value).collect::<Array>()),
        Value::Object(map) => {
            let mut table = InlineTable::new();
            for (k, v) in map {
                table.insert(k, json_to_value(v));
            }
            toml_edit::Value::InlineTable(table)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODEX: &str = "# Codex settings\nmodel = \"gpt-5\"   # the default\n\n[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs-mcp\"]\n\n# keep this\n[profiles.fast]\nmodel = \"gpt-5-mini\"\n";

    fn fields() -> Vec<(&'static str, Value)> {
        vec![
            ("command", Value::from("/opt/llmgen/mcp-llm-generator")),
            ("args", Value::Array(vec![])),
        ]
    }

    #[test]
    fn codex_file_gets_our_table_and_remove_restores_every_byte() {
        // Proves: comments, blank lines, other servers and other tables survive configure and remove.
        let added = upsert_entry(CODEX, "mcp_servers", "llm-generator", &fields()).expect("add");
        // toml_edit puts a new server table right after its siblings, which keeps servers together.
        assert_eq!(
            added,
            CODEX.replace(
                "\n# keep this",
                "\n[mcp_servers.llm-generator]\ncommand = \"/opt/llmgen/mcp-llm-generator\"\nargs = []\n\n# keep this"
            )
        );
        assert_eq!(
            upsert_entry(&added, "mcp_servers", "llm-generator", &fields()).expect("again"),
            added,
            "idempotent"
        );
        let removed = remove_entry(&added, "mcp_servers", "llm-generator").expect("remove");
        assert_eq!(removed, CODEX);
    }

    #[test]
    fn an_empty_file_gets_a_section_header_without_an_empty_parent_and_loses_it_on_remove() {
        let added = upsert_entry("", "mcp_servers", "llm-generator", &fields()).expect("add");
        assert_eq!(
            added,
            "[mcp_servers.llm-generator]\ncommand = \"/opt/llmgen/mcp-llm-generator\"\nargs = []\n"
        );
        assert_eq!(
            remove_entry(&added, "mcp_servers", "llm-generator").expect("remove"),
            ""
        );
    }

    #[test]
    fn an_existing_entry_is_updated_in_place_and_keeps_its_env() {
        let text = "[mcp_servers.llm-generator]\ncommand = \"/old\"\nargs = []\nenv = { X = \"1\" }\n";
        let out = upsert_entry(text, "mcp_servers", "llm-generator", &fields()).expect("update");
        assert_eq!(out, text.replace("/old", "/opt/llmgen/mcp-llm-generator"));
        let entry = read_entry(&out, "mcp_servers", "llm-generator").expect("read");
        assert_eq!(
            entry.and_then(|e| e.get("env").cloned()),
            Some(serde_json::json!({"X": "1"}))
        );
    }

    #[test]
    fn invalid_toml_is_refused_with_line_and_column() {
        let err =
            upsert_entry("a = 1\nb = = 2\n", "mcp_servers", "llm-generator", &fields()).expect_err("refused");
        assert!(matches!(err, EditError::Parse { line: 2, .. }), "{err:?}");
        let err = upsert_entry("mcp_servers = 3\n", "mcp_servers", "llm-generator", &fields())
            .expect_err("refused");
        assert!(matches!(err, EditError::Shape(_)), "{err:?}");
    }

    #[test]
    fn a_field_of_another_server_can_be_taken_out_alone() {
        let text = "[mcp_servers.old]\ncommand = \"npx\"\nenv = { OPENAI_API_KEY = \"x\", DEBUG = \"1\" }\n";
        let out = remove_field(text, "mcp_servers", "old", &["env", "OPENAI_API_KEY"]).expect("remove");
        assert_eq!(
            out,
            "[mcp_servers.old]\ncommand = \"npx\"\nenv = { DEBUG = \"1\" }\n"
        );
        let listed = entries(&out, "mcp_servers").expect("entries");
        assert_eq!(listed.len(), 1);
    }
}
