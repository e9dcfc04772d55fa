//! Moving in from the TypeScript server (`@mako10k/mcp-llm-generator`): reads its
//! `templates/templates.json`, `context-memory.db` and `data/shared-memory.db` from the folder it
//! ran in, maps templates, personality presets, contexts, conversations, the old role engine's
//! team and delegations, and shared notes to our store (the notes into the memory), and reports what was imported, what was skipped and why.
//! The old files are only read; running it twice imports nothing twice.

use std::path::{Path, PathBuf};

mod old_contexts;
mod old_delegations;
mod old_team;
mod old_templates;
mod scan;
mod shared_memory;

pub use old_contexts::builtin_persona_for;
pub use scan::{MovingInScan, OldEntries, scan};

use rusqlite::Transaction;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{CoreError, Store, paths::DataDir};

/// Where the old server kept each kind of data, relative to the folder it was started in.
pub(super) const TEMPLATES_FILE: &str = "templates/templates.json";
pub(super) const CONTEXTS_DB: &str = "context-memory.db";
pub(super) const SHARED_MEMORY_DB: &str = "data/shared-memory.db";
/// Where an earlier version of this app kept the old shared memory aside in our data dir (before
/// it had a memory of its own); imported from there when the old folder no longer holds it.
pub(super) const KEPT_ASIDE_DB: &str = "imported/shared-memory.db";
/// Suffix of an imported item whose name is taken by a different one of ours.
pub(super) const RENAMED_SUFFIX: &str = "-upstream";

/// Why an import could not run at all. Problems with single items are reported as skipped
/// items instead, so one bad row never blocks the rest.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "No data of the TypeScript server in {dir}: it keeps {TEMPLATES_FILE}, {CONTEXTS_DB} and {SHARED_MEMORY_DB} in the folder your AI client started it from (often your home folder or a project folder). Run `mcp-llm-generator import-upstream FOLDER` with that folder."
    )]
    NothingFound { dir: PathBuf },
    #[error("Cannot read {path}: {source}. Check that the file exists and that you may read it.")]
    Read { path: PathBuf, source: std::io::Error },
    #[error(
        "{path} is not a template list the TypeScript server wrote (line {line}, column {column}: {message}). Nothing was imported; fix or move the file and run again."
    )]
    TemplatesFile {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "Cannot read the old database {path}: {source}. Stop the old server if it still runs, check the file's permissions, and run again. Nothing was imported."
    )]
    OldDatabase { path: PathBuf, source: rusqlite::Error },
    #[error(transparent)]
    Store(#[from] CoreError),
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(CoreError::Sqlite(e))
    }
}

/// What kind of thing an item of the report is.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    Template,
    Persona,
    Context,
    SharedMemory,
    /// A task the old server's role engine recorded as delegated.
    Delegation,
}

/// What happened to one item.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Imported,
    Skipped,
}

/// One template, preset, context or file of the old server, and what became of it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportItem {
    pub kind: ItemKind,
    /// Its name or id in the old server.
    pub source: String,
    /// Its name or id here, when imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub outcome: Outcome,
    /// Why it was skipped, or what was changed on the way in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Conversation messages brought along with a context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<u64>,
}

/// The whole result of an import (or of a dry run, which writes nothing).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub source_dir: PathBuf,
    pub dry_run: bool,
    pub items: Vec<ImportItem>,
}

impl ImportReport {
    pub fn count(&self, kind: ItemKind, outcome: Outcome) -> usize {
        self.items
            .iter()
            .filter(|i| i.kind == kind && i.outcome == outcome)
            .count()
    }

    /// Messages brought in with imported contexts.
    pub fn messages_imported(&self) -> u64 {
        self.items
            .iter()
            .filter(|i| i.outcome == Outcome::Imported)
            .filter_map(|i| i.messages)
            .sum()
    }
}

/// Choices of the user.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Report what would happen and write nothing.
    pub dry_run: bool,
    /// Also import contexts that expired or were deactivated in the old server (they get a fresh
    /// expiry here); by default they are skipped, since the old server never cleaned them up.
    pub include_expired: bool,
}

/// Whether `dir` holds any data of the old server (the app's "Moving in" screen asks this).
pub fn has_upstream_data(dir: &Path) -> bool {
    [TEMPLATES_FILE, CONTEXTS_DB, SHARED_MEMORY_DB]
        .iter()
        .any(|f| dir.join(f).is_file())
}

/// Imports everything found in `dir` in one transaction: all of it, or (on an error) nothing.
/// `data_dir` is searched for the shared memory an earlier version kept aside, when `dir` no
/// longer holds it.
pub fn import_upstream(
    store: &Store,
    data_dir: &DataDir,
    dir: &Path,
    options: ImportOptions,
) -> Result<ImportReport, ImportError> {
    if !has_upstream_data(dir) {
        return Err(ImportError::NothingFound {
            dir: dir.to_path_buf(),
        });
    }
    let old_templates = old_templates::read_templates(&dir.join(TEMPLATES_FILE))?;
    let old_db = old_contexts::read_context_db(&dir.join(CONTEXTS_DB))?;
    // Every old file is read before anything is written: an unreadable one stops the import
    // with nothing imported.
    let old_notes = shared_memory::read_notes(&shared_memory_source(data_dir, dir))?;

    let plan = |tx: &Transaction<'_>| -> crate::Result<Vec<ImportItem>> {
        let mut items = Vec::new();
        for t in &old_templates {
            items.push(old_templates::import_template(tx, t)?);
        }
        if let Some(db) = &old_db {
            items.extend(old_contexts::import_all(tx, db, options.include_expired)?);
        }
        if let Some(notes) = &old_notes {
            items.extend(shared_memory::import_notes(tx, notes)?);
        }
        Ok(items)
    };
    let items = if options.dry_run {
        store.rehearse(plan)?
    } else {
        store.write(plan)?
    };
    Ok(ImportReport {
        source_dir: dir.to_path_buf(),
        dry_run: options.dry_run,
        items,
    })
}

/// The old shared memory: in the old folder, else the copy an earlier version kept aside.
fn shared_memory_source(data_dir: &DataDir, dir: &Path) -> PathBuf {
    let in_old_folder = dir.join(SHARED_MEMORY_DB);
    let kept_aside = data_dir.root().join(KEPT_ASIDE_DB);
    if !in_old_folder.is_file() && kept_aside.is_file() {
        kept_aside
    } else {
        in_old_folder
    }
}

pub(super) fn sha256_hex(a: &str, b: &str) -> String {
    let mut h = Sha256::new();
    h.update(a.as_bytes());
    h.update(b"\n");
    h.update(b.as_bytes());
    h.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

pub(super) fn imported(kind: ItemKind, source: &str, name: &str, note: Option<String>) -> ImportItem {
    ImportItem {
        kind,
        source: source.to_string(),
        name: Some(name.to_string()),
        outcome: Outcome::Imported,
        note,
        messages: None,
    }
}

pub(super) fn skipped(kind: ItemKind, source: &str, note: impl Into<String>) -> ImportItem {
    ImportItem {
        kind,
        source: source.to_string(),
        name: None,
        outcome: Outcome::Skipped,
        note: Some(note.into()),
        messages: None,
    }
}

/// Our name for an imported item: its own name when free, else `NAME-upstream`. `None` when an
/// item with the same content already holds one of those names (imported before). `probe`
/// tells for a name whether it is taken and, if so, whether by the same content.
pub(super) fn free_name(
    wanted: &str,
    mut probe: impl FnMut(&str) -> crate::Result<Option<bool>>,
) -> crate::Result<Option<String>> {
    let renamed = format!("{wanted}{RENAMED_SUFFIX}");
    for candidate in [wanted.to_string(), renamed] {
        match probe(&candidate)? {
            None => return Ok(Some(candidate)),
            Some(true) => return Ok(None),
            Some(false) => {}
        }
    }
    // Both names hold something else: a third, numbered name keeps this idempotent too.
    for n in 2..100 {
        let candidate = format!("{wanted}{RENAMED_SUFFIX}-{n}");
        match probe(&candidate)? {
            None => return Ok(Some(candidate)),
            Some(true) => return Ok(None),
            Some(false) => {}
        }
    }
    Err(CoreError::invalid(format!(
        "Too many items named like '{wanted}' exist here; rename or delete some and run the import again."
    )))
}

pub(super) fn join_notes(notes: Vec<String>) -> Option<String> {
    (!notes.is_empty()).then(|| notes.join("; "))
}
