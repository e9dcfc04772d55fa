//! One interface over the three file formats of client files (JSON/JSONC, TOML, our own YAML
//! block), so that listing, configuring, migrating and auditing are written once.

use serde_json::Value;

use super::duplicates::Duplicate;
use super::jsonc::{self, EditError};
use super::registry::Format;
use super::{tomlfile, yamlblock};

/// Every server entry in the file, by name.
pub fn entries(format: Format, text: &str) -> Result<Vec<(String, Value)>, EditError> {
    match format {
        Format::Json { syntax, key } => jsonc::entries(text, syntax, key),
        Format::Toml { key } => tomlfile::entries(text, key),
        Format::OwnYaml => yamlblock::entries(text),
    }
}

/// The first repeated key that matters to us: the servers section, or entry `name` in it (JSON
/// only: TOML and YAML parsers refuse repeated keys, which is reported as a parse error).
pub fn duplicate(format: Format, text: &str, name: &str) -> Option<Duplicate> {
    match format {
        Format::Json { syntax, key } => jsonc::duplicate(text, syntax, key, name),
        Format::Toml { .. } | Format::OwnYaml => None,
    }
}

/// The entry called `name`, if any: the last one, as clients read it.
pub fn read_entry(format: Format, text: &str, name: &str) -> Result<Option<Value>, EditError> {
    match format {
        Format::Json { syntax, key } => jsonc::read_entry(text, syntax, key, name),
        Format::Toml { key } => tomlfile::read_entry(text, key, name),
        Format::OwnYaml => yamlblock::read_entry(text, name),
    }
}

/// The text with entry `name` holding `fields` (other keys of the entry kept).
pub fn upsert_entry(
    format: Format,
    text: &str,
    name: &str,
    fields: &[(&str, Value)],
) -> Result<String, EditError> {
    match format {
        Format::Json { syntax, key } => jsonc::upsert_entry(text, syntax, key, name, fields),
        Format::Toml { key } => tomlfile::upsert_entry(text, key, name, fields),
        Format::OwnYaml => yamlblock::upsert_entry(text, name, fields),
    }
}

/// The text without entry `name`. For our own block file, the empty text: delete the file.
pub fn remove_entry(format: Format, text: &str, name: &str) -> Result<String, EditError> {
    match format {
        Format::Json { syntax, key } => jsonc::remove_entry(text, syntax, key, name),
        Format::Toml { key } => tomlfile::remove_entry(text, key, name),
        Format::OwnYaml => yamlblock::remove_entry(text, name),
    }
}

/// The text without one field of entry `name` (e.g. `["env", "OPENAI_API_KEY"]`).
pub fn remove_field(format: Format, text: &str, name: &str, path: &[&str]) -> Result<String, EditError> {
    match format {
        Format::Json { syntax, key } => jsonc::remove_field(text, syntax, key, name, path),
        Format::Toml { key } => tomlfile::remove_field(text, key, name, path),
        // Our block file never holds anything but our entry, which holds no secrets.
        Format::OwnYaml => Ok(text.to_string()),
    }
}

/// Whether a field of an existing entry means what `wanted` means to the client, so that an
/// entry the client rewrote in its own style is left alone: equal values (after parsing, so
/// quoting, key order and inline or separate tables do not matter), or a missing field where
/// missing means the same, i.e. no arguments (`[]`), no variables (`{}`), or `type` left out of a
/// stdio entry (clients take an entry with a `command` as stdio).
pub fn field_means(key: &str, found: Option<&Value>, wanted: &Value) -> bool {
    match (found, wanted) {
        (Some(found), _) => found == wanted,
        (None, Value::Array(items)) => items.is_empty(),
        (None, Value::Object(map)) => map.is_empty(),
        (None, Value::String(s)) => key == "type" && s == "stdio",
        (None, _) => false,
    }
}

/// Whether `entry` already means every one of `fields` (see [`field_means`]).
pub fn entry_means(entry: &Value, fields: &[(&str, Value)]) -> bool {
    fields
        .iter()
        .all(|(key, wanted)| field_means(key, entry.get(*key), wanted))
}

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The command an entry runs: a string, or Zed's older `{"path": ...}` object.
pub fn command_of(entry: &Value) -> Option<&str> {
    match entry.get("command")? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("path")?.as_str(),
        _ => None,
    }
}

/// The arguments of an entry (top-level `args`, or inside Zed's older command object).
pub fn args_of(entry: &Value) -> Vec<&str> {
    let args = entry
        .get("args")
        .or_else(|| entry.get("command").and_then(|c| c.get("args")));
    args.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeds_older_nested_command_is_understood() {
        // Proves: an entry written by an older Zed build still yields its command and args.
        let nested = serde_json::json!({"command": {"path": "/bin/x", "args": ["--a"], "env": {}}});
        assert_eq!(command_of(&nested), Some("/bin/x"));
        assert_eq!(args_of(&nested), ["--a"]);
        let flat = serde_json::json!({"source": "custom", "command": "/bin/y", "args": []});
        assert_eq!(command_of(&flat), Some("/bin/y"));
        assert!(args_of(&flat).is_empty());
    }
}
