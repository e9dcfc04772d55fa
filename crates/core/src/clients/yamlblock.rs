//! Continue's block file for our server (`~/.continue/mcpServers/llm-generator.yaml`). The file is
//! ours alone, so it is written whole and removed whole; Continue's own `config.yaml` is never
//! edited. Reading is tolerant YAML, so a user's hand edit is understood or reported with its
//! position.

use serde_json::Value;

use super::jsonc::EditError;

/// The name shown in Continue's block list.
const BLOCK_NAME: &str = "MCP LLM Generator";

fn parse(text: &str) -> Result<Value, EditError> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_yaml_ng::from_str::<Value>(text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        EditError::Parse {
            line,
            column,
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("invalid YAML")
                .to_string(),
        }
    })
}

/// Every server of the block (`mcpServers` is a list of items with a `name`).
pub fn entries(text: &str) -> Result<Vec<(String, Value)>, EditError> {
    let doc = parse(text)?;
    let Some(list) = doc.get("mcpServers") else {
        return Ok(Vec::new());
    };
    let list = list.as_array().ok_or_else(|| {
        EditError::Shape(
            "\"mcpServers\" in the block file is not a list; remove the file and configure again.".into(),
        )
    })?;
    Ok(list
        .iter()
        .filter_map(|item| {
            let name = item.get("name")?.as_str()?.to_string();
            Some((name, item.clone()))
        })
        .collect())
}

/// The item named `name`, if present.
pub fn read_entry(text: &str, name: &str) -> Result<Option<Value>, EditError> {
    Ok(entries(text)?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v))
}

/// The whole block file for `fields`; the same text when it already holds them.
pub fn upsert_entry(text: &str, name: &str, fields: &[(&str, Value)]) -> Result<String, EditError> {
    // A file we cannot read is refused like any other client file: it may hold a user's edits.
    if let Some(entry) = read_entry(text, name)?
        && super::document::entry_means(&entry, fields)
    {
        return Ok(text.to_string());
    }
    let mut out = format!(
        "# Written by MCP LLM Generator. `mcp-llm-generator clients remove continue` removes this file.\n\
         name: {BLOCK_NAME}\nversion: 1.0.0\nschema: v1\nmcpServers:\n"
    );
    for (i, (key, value)) in fields.iter().enumerate() {
        let lead = if i == 0 { "  - " } else { "    " };
        // JSON is valid YAML flow syntax, and its string escapes are YAML's double-quoted ones.
        out.push_str(&format!("{lead}{key}: {value}\n"));
    }
    Ok(out)
}

/// Removing our entry removes the whole file: the empty text tells the writer to delete it.
pub fn remove_entry(text: &str, name: &str) -> Result<String, EditError> {
    match read_entry(text, name) {
        Ok(Some(_)) => Ok(String::new()),
        Ok(None) if text.trim().is_empty() => Ok(String::new()),
        Ok(None) => Ok(text.to_string()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(command: &str) -> Vec<(&'static str, Value)> {
        vec![
            ("name", Value::from("llm-generator")),
            ("command", Value::from(command)),
            ("args", Value::Array(vec![])),
        ]
    }

    #[test]
    fn the_block_file_reads_back_as_continue_would_parse_it() {
        // Proves: the YAML we write parses to the item Continue expects, even with odd characters.
        let command = "/home/u/My Apps/\"quoted\"/mcp-llm-generator";
        let text = upsert_entry("", "llm-generator", &fields(command)).expect("write");
        let doc: Value = serde_yaml_ng::from_str(&text).expect("valid YAML");
        assert_eq!(doc["schema"], "v1");
        assert_eq!(doc["mcpServers"][0]["command"], command);
        assert_eq!(doc["mcpServers"][0]["args"], Value::Array(vec![]));
        assert_eq!(
            upsert_entry(&text, "llm-generator", &fields(command)).expect("again"),
            text,
            "idempotent"
        );
        assert_eq!(remove_entry(&text, "llm-generator").expect("remove"), "");
    }

    #[test]
    fn a_broken_block_is_refused_with_its_position() {
        let err = upsert_entry(
            "mcpServers:\n  - name: [unclosed\n",
            "llm-generator",
            &fields("/x"),
        )
        .expect_err("refused");
        assert!(matches!(err, EditError::Parse { .. }), "{err:?}");
    }
}
