//! The old server's `templates/templates.json`: reading it and mapping each template to ours.

use std::{collections::BTreeMap, fs, path::Path};

use rusqlite::Transaction;
use serde::Deserialize;

use super::{ImportError, ImportItem, ItemKind, free_name, imported, join_notes, sha256_hex, skipped};
use crate::{
    CoreError,
    catalog::{
        self,
        templates::{NewTemplate, Template, TemplateParameter},
    },
};

/// The old server's shipped templates and presets, by name and a sha256 of their text
/// (system prompt, newline, user message or personality). An unchanged copy is not imported:
/// this app ships its own version. An edited one is imported like any user item.
const UPSTREAM_TEMPLATE_BUILTINS: &[(&str, &str)] = &[
    (
        "explain-topic",
        "58fec41372b76ef115f0b08fd7ffce6ed3216f398a945f8fa5b6bf80d4e3aece",
    ),
    (
        "code-review",
        "c15505a4e1c769818db3f3da93976b020e24bd1d9c1c42278cb829702d08e2f9",
    ),
    (
        "translate-text",
        "e540682d42419d051cd8ecc15efcf1af3659ee696b5cb66469c93607c5277df9",
    ),
    (
        "summarize-content",
        "b82bdeae814300ab77cac42a43850f93dfc351160506a39ccfb083e255cc732d",
    ),
];

/// One entry of the old `templates.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OldTemplate {
    name: String,
    #[serde(default)]
    system_prompt: String,
    user_message: String,
    /// Parameter name → description.
    #[serde(default)]
    parameters: BTreeMap<String, String>,
}

/// An entry that could not be read is kept with the reason, to be reported as skipped.
pub(super) type OldTemplateEntry = Result<OldTemplate, (String, String)>;

pub(super) fn read_templates(path: &Path) -> Result<Vec<OldTemplateEntry>, ImportError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(ImportError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let file_error = |e: serde_json::Error| ImportError::TemplatesFile {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    let entries: Vec<serde_json::Value> = serde_json::from_str(&text).map_err(file_error)?;
    Ok(entries
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let label = value
                .get("name")
                .and_then(serde_json::Value::as_str)
                .map_or_else(|| format!("entry {}", i + 1), str::to_string);
            serde_json::from_value::<OldTemplate>(value)
                .map_err(|e| (label, format!("not a template the old server could use: {e}")))
        })
        .collect())
}

/// The old server filled only declared parameters and left any other `{word}` as written. Our
/// templates refuse undeclared placeholders and read `{{`/`}}` as escaped braces, so every brace
/// that is not a declared placeholder is doubled: the text renders exactly as it did before.
fn escape_undeclared(text: &str, declared: &BTreeMap<String, String>) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut escaped = 0;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '{'
            && let Some(end) = rest.find('}')
            && declared.contains_key(&rest[1..end])
        {
            out.push_str(&rest[..=end]);
            rest = &rest[end + 1..];
            continue;
        }
        match c {
            '{' => {
                out.push_str("{{");
                escaped += 1;
            }
            '}' => out.push_str("}}"),
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    (out, escaped)
}

pub(super) fn import_template(tx: &Transaction<'_>, entry: &OldTemplateEntry) -> crate::Result<ImportItem> {
    const KIND: ItemKind = ItemKind::Template;
    let old = match entry {
        Ok(t) => t,
        Err((label, reason)) => return Ok(skipped(KIND, label, reason.clone())),
    };
    let fingerprint = sha256_hex(&old.system_prompt, &old.user_message);
    if UPSTREAM_TEMPLATE_BUILTINS.contains(&(old.name.as_str(), fingerprint.as_str())) {
        return Ok(skipped(
            KIND,
            &old.name,
            "the old server's built-in, unchanged: this app ships its own version",
        ));
    }
    let (system_prompt, escaped_system) = escape_undeclared(&old.system_prompt, &old.parameters);
    let (user_message, escaped_user) = escape_undeclared(&old.user_message, &old.parameters);
    let new = NewTemplate {
        name: old.name.clone(),
        description: "Imported from the TypeScript server.".into(),
        system_prompt,
        user_message,
        parameters: old
            .parameters
            .iter()
            .map(|(name, description)| TemplateParameter {
                name: name.clone(),
                description: description.clone(),
                required: true,
                default: None,
            })
            .collect(),
    };
    let same = |t: &Template| {
        t.system_prompt == new.system_prompt
            && t.user_message == new.user_message
            && t.parameters == new.parameters
    };
    let Some(name) = free_name(&old.name, |n| {
        catalog::get_in::<Template>(tx, n).map(|t| t.map(|t| same(&t)))
    })?
    else {
        return Ok(skipped(
            KIND,
            &old.name,
            "already here: imported before, or identical to one of yours",
        ));
    };
    let mut notes = Vec::new();
    if name != old.name {
        notes.push(format!(
            "renamed: a different template named '{}' exists here",
            old.name
        ));
    }
    if escaped_system + escaped_user > 0 {
        notes.push(format!(
            "{} undeclared {{placeholder}}s kept as literal text, as the old server did",
            escaped_system + escaped_user
        ));
    }
    match catalog::add_in::<Template>(
        tx,
        &NewTemplate {
            name: name.clone(),
            ..new
        },
    ) {
        Ok(()) => Ok(imported(KIND, &old.name, &name, join_notes(notes))),
        Err(CoreError::Invalid(reason)) => Ok(skipped(KIND, &old.name, reason)),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::templates;

    #[test]
    fn braces_that_are_not_declared_placeholders_render_as_written() {
        let declared: BTreeMap<String, String> = [("name".to_string(), String::new())].into_iter().collect();
        let (text, escaped) = escape_undeclared("Hi {name}, see {other} and {\"json\": 1} {}", &declared);
        assert_eq!(escaped, 3);
        let template = templates::Template {
            name: "t".into(),
            description: String::new(),
            system_prompt: String::new(),
            user_message: text,
            parameters: vec![TemplateParameter {
                name: "name".into(),
                description: String::new(),
                required: true,
                default: None,
            }],
            builtin: false,
            created_at: String::new(),
            updated_at: String::new(),
        };
        let args = [("name".to_string(), "Ann".to_string())].into_iter().collect();
        let rendered = templates::render(&template, &args).expect("renders");
        assert_eq!(rendered.user_message, "Hi Ann, see {other} and {\"json\": 1} {}");
    }
}
