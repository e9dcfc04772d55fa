//! IPC commands of the Contexts screen: browse and search contexts, read a history, export it to
//! a file, delete; each one call of llmgen-core's `contexts` module.

use std::path::{Path, PathBuf};

use llmgen_core::{
    Store,
    conversation::contexts::{self, Context, ExportFormat, Page, StoredMessage},
    paths,
};

use super::{AppState, IpcError, blocking};

// The commands' bodies, on a store: what the unit tests call.

fn list_in(store: &Store, offset: Option<u64>, limit: Option<u32>) -> Result<Page<Context>, IpcError> {
    Ok(contexts::list(store, offset, limit)?)
}

fn search_in(
    store: &Store,
    query: &str,
    offset: Option<u64>,
    limit: Option<u32>,
) -> Result<Page<Context>, IpcError> {
    Ok(contexts::search(store, query, offset, limit)?)
}

fn messages_in(
    store: &Store,
    id: &str,
    offset: Option<u64>,
    limit: Option<u32>,
) -> Result<Page<StoredMessage>, IpcError> {
    Ok(contexts::messages(store, id, offset, limit)?)
}

fn delete_in(store: &Store, id: &str) -> Result<(), IpcError> {
    Ok(contexts::delete(store, id)?)
}

/// The suggested file in `dir` (the user's Downloads or home folder).
fn export_path_in(
    store: &Store,
    id: &str,
    format: ExportFormat,
    dir: Option<PathBuf>,
) -> Result<String, IpcError> {
    let dir = dir.ok_or_else(|| IpcError::unavailable("No home folder is known for this user, so there is no default place for the file. Type the full path of the file to write."))?;
    Ok(contexts::export_path(store, id, format, &dir)?
        .display()
        .to_string())
}

fn export_in(store: &Store, id: &str, format: ExportFormat, path: &str) -> Result<String, IpcError> {
    let path = path.trim();
    if path.is_empty() {
        return Err(IpcError::invalid("Type the full path of the file to write."));
    }
    Ok(contexts::export_to_file(store, id, format, Path::new(path))?
        .display()
        .to_string())
}

/// Live contexts, newest activity first (context-manage `list`).
#[tauri::command]
#[specta::specta]
pub async fn contexts_list(
    state: tauri::State<'_, AppState>,
    offset: Option<u64>,
    limit: Option<u32>,
) -> Result<Page<Context>, IpcError> {
    let store = state.store()?;
    blocking(move || list_in(&store, offset, limit)).await
}

/// Live contexts whose name contains `query`, newest activity first.
#[tauri::command]
#[specta::specta]
pub async fn contexts_search(
    state: tauri::State<'_, AppState>,
    query: String,
    offset: Option<u64>,
    limit: Option<u32>,
) -> Result<Page<Context>, IpcError> {
    let store = state.store()?;
    blocking(move || search_in(&store, &query, offset, limit)).await
}

/// A context's messages, oldest first (conversation-manage `list`).
#[tauri::command]
#[specta::specta]
pub async fn context_messages(
    state: tauri::State<'_, AppState>,
    id: String,
    offset: Option<u64>,
    limit: Option<u32>,
) -> Result<Page<StoredMessage>, IpcError> {
    let store = state.store()?;
    blocking(move || messages_in(&store, &id, offset, limit)).await
}

/// Deletes a context and its history (context-manage `delete`).
#[tauri::command]
#[specta::specta]
pub async fn context_delete(state: tauri::State<'_, AppState>, id: String) -> Result<(), IpcError> {
    let store = state.store()?;
    blocking(move || delete_in(&store, &id)).await
}

/// Where an export would go unless the user types another path: a new file named after the
/// context in their Downloads (else home) folder.
#[tauri::command]
#[specta::specta]
pub async fn context_export_path(
    state: tauri::State<'_, AppState>,
    id: String,
    format: ExportFormat,
) -> Result<String, IpcError> {
    let store = state.store()?;
    blocking(move || export_path_in(&store, &id, format, paths::export_dir())).await
}

/// Writes the context's export (conversation-manage `export`) to a new file at `path`; returns
/// the path written. An existing file is never replaced.
#[tauri::command]
#[specta::specta]
pub async fn context_export(
    state: tauri::State<'_, AppState>,
    id: String,
    format: ExportFormat,
    path: String,
) -> Result<String, IpcError> {
    let store = state.store()?;
    blocking(move || export_in(&store, &id, format, &path)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{error::IpcErrorKind, test_support::temp_store};
    use llmgen_core::conversation::contexts::NewContext;

    fn context(store: &Store, name: &str) -> Context {
        contexts::create(
            store,
            NewContext {
                name: name.into(),
                ..Default::default()
            },
        )
        .expect("create")
    }

    /// Proves: the screen's list pages, search narrows by name, and delete removes a context so
    /// that its history can no longer be read.
    #[test]
    fn browse_search_and_delete() {
        let (_dir, store) = temp_store();
        for i in 0..3 {
            context(&store, &format!("Project {i}"));
        }
        let kyoto = context(&store, "Kyoto trip");
        let page = list_in(&store, None, Some(2)).expect("page");
        assert_eq!((page.items.len(), page.total, page.next_offset), (2, 4, Some(2)));
        let found = search_in(&store, "kyoto", None, None).expect("search");
        assert_eq!(
            found.items.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            [kyoto.id.as_str()]
        );
        assert_eq!(
            messages_in(&store, &kyoto.id, None, None).expect("history").total,
            0
        );
        delete_in(&store, &kyoto.id).expect("delete");
        assert_eq!(search_in(&store, "kyoto", None, None).expect("search").total, 0);
        let err = messages_in(&store, &kyoto.id, None, None).expect_err("gone");
        assert_eq!(err.kind, IpcErrorKind::NotFound);
        assert!(err.message.contains("was not found"), "{}", err.message);
        let err = list_in(&store, None, Some(0)).expect_err("bad limit");
        assert_eq!(err.kind, IpcErrorKind::Invalid);
        assert!(
            err.message.contains("limit must be between 1 and 200"),
            "{}",
            err.message
        );
    }

    /// Proves: the suggested path is a new file in the given folder, export writes exactly core's
    /// Markdown or JSON there, and a taken name, an empty path and no home are clear errors.
    #[test]
    fn export_writes_a_new_file_where_shown() {
        let (_dir, store) = temp_store();
        let c = context(&store, "Weekly notes");
        let out = tempfile::tempdir().expect("out dir");
        let suggested =
            export_path_in(&store, &c.id, ExportFormat::Json, Some(out.path().to_path_buf())).expect("path");
        assert_eq!(Path::new(&suggested), out.path().join("Weekly-notes.json"));
        let written =
            export_in(&store, &c.id, ExportFormat::Json, &format!("  {suggested} ")).expect("export");
        assert_eq!(written, suggested);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&written).expect("read")).expect("valid JSON");
        assert_eq!(json["context"]["name"], "Weekly notes");
        let err = export_in(&store, &c.id, ExportFormat::Json, &written)
            .expect_err("taken")
            .message;
        assert!(err.contains("already exists"), "{err}");
        let md = export_path_in(
            &store,
            &c.id,
            ExportFormat::Markdown,
            Some(out.path().to_path_buf()),
        )
        .expect("path");
        export_in(&store, &c.id, ExportFormat::Markdown, &md).expect("markdown");
        assert!(
            std::fs::read_to_string(&md)
                .expect("read")
                .starts_with("# Weekly notes\n")
        );
        let err = export_in(&store, &c.id, ExportFormat::Markdown, " ").expect_err("empty path");
        assert_eq!(err.kind, IpcErrorKind::Invalid);
        let err = export_path_in(&store, &c.id, ExportFormat::Markdown, None)
            .expect_err("no home")
            .message;
        assert!(err.contains("Type the full path"), "{err}");
    }
}
