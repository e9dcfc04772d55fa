//! Exporting a context's conversation as Markdown or JSON, to text or to a new file.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

/// Export formats of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ExportFormat {
    #[default]
    Markdown,
    Json,
}

/// A context and its whole history as Markdown or JSON.
pub fn export(store: &Store, context_id: &str, format: ExportFormat) -> Result<String> {
    let (context, history) = store.read(|conn| {
        let context = get_live(conn, context_id)?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE context_id = ?1 ORDER BY id"
        ))?;
        let history: Vec<StoredMessage> = stmt
            .query_map([context_id], message_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok((context, history))
    })?;
    match format {
        ExportFormat::Json => Ok(serde_json::to_string_pretty(&serde_json::json!({
            "context": context,
            "messages": history,
        }))?),
        ExportFormat::Markdown => {
            let mut out = format!("# {}\n\n", context.name);
            if let Some(p) = &context.persona {
                out.push_str(&format!("Persona: {p}  \n"));
            }
            out.push_str(&format!(
                "Created: {}  \nMessages: {}\n\n",
                context.created_at,
                history.len()
            ));
            for m in &history {
                let who = match m.role {
                    ChatRole::User => "User",
                    ChatRole::Assistant => "Assistant",
                };
                out.push_str(&format!("## {who} ({})\n\n{}\n\n", m.created_at, m.content));
            }
            Ok(out)
        }
    }
}

impl ExportFormat {
    /// The file extension of an export in this format.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Json => "json",
        }
    }
}

/// A file name made from a context's name: letters, digits, '-' and '_' kept, runs of anything
/// else turned into one '-', at most 60 characters; "conversation" when nothing is left.
pub(super) fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            stem.push(c);
        } else if !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let stem: String = stem.trim_matches('-').chars().take(60).collect();
    let stem = stem.trim_end_matches('-');
    if stem.is_empty() {
        "conversation".to_string()
    } else {
        stem.to_string()
    }
}

/// Where an export of a context goes unless the user picks another file: a file in `dir` named
/// after the context, with `-2`, `-3`, ... added when that name is taken, so nothing is replaced.
pub fn export_path(store: &Store, context_id: &str, format: ExportFormat, dir: &Path) -> Result<PathBuf> {
    let context = get(store, context_id)?;
    let stem = file_stem(&context.name);
    let ext = format.extension();
    (1..=1000)
        .map(|n| match n {
            1 => dir.join(format!("{stem}.{ext}")),
            n => dir.join(format!("{stem}-{n}.{ext}")),
        })
        .find(|p| !p.exists())
        .ok_or_else(|| {
            CoreError::invalid(format!(
                "{} already holds 1000 exports of '{}'. Choose another file name.",
                dir.display(),
                context.name
            ))
        })
}

/// Writes a context's export (as [`export`]) to a new file at `path` and returns the path. An
/// existing file is never replaced, and the path must be absolute: the app has no working folder
/// a person could know about.
pub fn export_to_file(store: &Store, context_id: &str, format: ExportFormat, path: &Path) -> Result<PathBuf> {
    if !path.is_absolute() {
        return Err(CoreError::invalid(format!(
            "'{}' is not a full path. Give the whole path of the file to write, e.g. /home/you/Downloads/chat.{}.",
            path.display(),
            format.extension()
        )));
    }
    let text = export(store, context_id, format)?;
    let write_error = |source| CoreError::WriteFile {
        path: path.to_path_buf(),
        source,
    };
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(CoreError::invalid(format!(
                "{} already exists and was left as it is. Choose another file name.",
                path.display()
            )));
        }
        Err(e) => return Err(write_error(e)),
    };
    if let Err(e) = file.write_all(text.as_bytes()).and_then(|()| file.sync_all()) {
        // A half-written export is worse than none: the next try must not find it in the way.
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(write_error(e));
    }
    Ok(path.to_path_buf())
}
