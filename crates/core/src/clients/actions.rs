//! The actions on client files: configure, remove, restore, repair, and moving in from the
//! TypeScript server. Every one of them goes through [`apply`]: lock, read, edit, diff, back up,
//! replace atomically, read back and verify; or, for a client that owns its file and has a command
//! for it (Claude Code), the client's own command, still with a backup and a verify.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;
use serde_json::Value;

use super::registry::Format;
use super::{
    Client, ClientState, Clients, ClientsError, ENTRY_NAME, client, document, jsonc, records, write,
};

/// The outcome of one action on one client file.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: &'static str,
    pub path: PathBuf,
    /// False when the file already was as asked (nothing was written).
    pub changed: bool,
    /// Unified diff of the change (empty when unchanged).
    pub diff: String,
    /// The backup taken before writing, if the file existed and was written.
    pub backup: Option<PathBuf>,
    pub restart: &'static str,
}

/// One edit of a client file.
#[derive(Debug, Clone)]
pub(super) enum Op {
    /// Our entry holds these fields (other keys of it are kept).
    Upsert(Vec<(&'static str, Value)>),
    /// The entry of this name is gone.
    Remove(String),
    /// This field of this entry is gone (`["env", "OPENAI_API_KEY"]`).
    RemoveField(String, Vec<String>),
    /// The file holds exactly this text (restore of a backup).
    Replace(String),
}

fn apply_ops(format: Format, text: &str, ops: &[Op]) -> Result<String, jsonc::EditError> {
    let mut text = text.to_string();
    for op in ops {
        text = match op {
            Op::Upsert(fields) => document::upsert_entry(format, &text, ENTRY_NAME, fields)?,
            Op::Remove(name) => document::remove_entry(format, &text, name)?,
            Op::RemoveField(name, path) => {
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                document::remove_field(format, &text, name, &path)?
            }
            Op::Replace(new) => new.clone(),
        };
    }
    Ok(text)
}

/// Whether `text` shows every op done; what we read back after writing must pass this.
fn ops_hold(format: Format, text: &str, ops: &[Op]) -> bool {
    ops.iter().all(|op| match op {
        Op::Upsert(fields) => {
            document::read_entry(format, text, ENTRY_NAME)
                .ok()
                .flatten()
                .is_some_and(|e| document::entry_means(&e, fields))
                && document::duplicate(format, text, ENTRY_NAME).is_none()
        }
        Op::Remove(name) => {
            text.is_empty() || document::read_entry(format, text, name).is_ok_and(|e| e.is_none())
        }
        Op::RemoveField(name, path) => document::read_entry(format, text, name)
            .ok()
            .flatten()
            .is_none_or(|mut v| {
                for part in path {
                    match v.get(part) {
                        Some(next) => v = next.clone(),
                        None => return true,
                    }
                }
                false
            }),
        Op::Replace(new) => text == new,
    })
}

/// Adds or updates our entry so it runs `command` (an absolute path). With `dry_run`, only the
/// diff is computed and nothing is written (no lock, no backup).
pub fn configure(clients: &Clients, id: &str, command: &Path, dry_run: bool) -> Result<Change, ClientsError> {
    let c = client(id)?;
    let command_text = command.to_string_lossy().into_owned();
    let change = apply(
        clients,
        c,
        &[Op::Upsert(c.shape.fields(&command_text, c.id))],
        dry_run,
    )?;
    if !dry_run {
        record(clients, c, &change, command_text)?;
    }
    Ok(change)
}

/// Remembers that we configured this file, so `repair` can find it again.
fn record(clients: &Clients, c: &Client, change: &Change, command: String) -> Result<(), ClientsError> {
    records::save(
        &clients.store()?,
        &records::Record {
            client_id: c.id.to_string(),
            path: change.path.clone(),
            workspace: clients.workspace.clone(),
            command,
        },
    )?;
    Ok(())
}

/// Takes out our entry and nothing else (Continue: our block file).
pub fn remove(clients: &Clients, id: &str, dry_run: bool) -> Result<Change, ClientsError> {
    let c = client(id)?;
    let change = apply(clients, c, &[Op::Remove(ENTRY_NAME.to_string())], dry_run)?;
    if !dry_run {
        records::forget(&clients.store()?, c.id, &change.path)?;
    }
    Ok(change)
}

/// Puts back the newest backup of the client's file. The current file is backed up first, so a
/// second restore undoes the first.
pub fn restore(clients: &Clients, id: &str, dry_run: bool) -> Result<Change, ClientsError> {
    let c = client(id)?;
    let path = clients
        .config_path(c)
        .ok_or(ClientsError::NoPath { client: c.name })?;
    let target = write::edit_target(&path)?;
    let newest = write::backups(&clients.backup_dir(c), &write::path_key(&target))
        .pop()
        .ok_or_else(|| ClientsError::NoBackup { path: target.clone() })?;
    let bytes = std::fs::read(&newest).map_err(|source| ClientsError::io("read", &newest, source))?;
    let text = String::from_utf8(bytes).map_err(|_| ClientsError::UnexpectedShape {
        path: newest.clone(),
        message: "The backup is not UTF-8 text.".into(),
    })?;
    apply(clients, c, &[Op::Replace(text)], dry_run)
}

/// Puts our entry back where we configured it before and it is now stale (moved binary), gone
/// (the client wiped it) or repeated (only one copy is kept). Clients that were removed since, or uninstalled, are left alone.
pub fn repair(
    clients: &Clients,
    command: &Path,
    dry_run: bool,
) -> Result<Vec<Result<Change, ClientsError>>, ClientsError> {
    let store = clients.store()?;
    let mut results = Vec::new();
    for record in records::all(&store)? {
        let Some(c) = super::registry::find(&record.client_id) else {
            continue;
        };
        let scoped = match &record.workspace {
            Some(dir) if dir.is_dir() => clients.for_workspace(dir)?,
            Some(_) => continue,
            None => clients.clone(),
        };
        let Some(path) = scoped.config_path(c) else {
            continue;
        };
        let (state, _) = super::state_of(&scoped, c, &path, Some(command));
        // A fixable invalid file (our entry repeated) is fixed by configuring again: the dead
        // copies go.
        if matches!(
            state,
            ClientState::Stale { .. }
                | ClientState::NotConfigured
                | ClientState::InvalidFile { fixable: true, .. }
        ) {
            results.push(configure(&scoped, c.id, command, dry_run));
        }
    }
    Ok(results)
}

/// Moving in, for every client file that still runs the TypeScript server: replaces its entries
/// with ours. Where an old entry holds a provider key in plain text, the audit's fix first moves
/// the keys into the keychain (`existing_key` / `store_key`, as for `audit::fix`), so no key is
/// deleted with the entry. One result per client.
pub fn migrate_upstream_everywhere(
    clients: &Clients,
    command: &Path,
    existing_key: impl Fn(&str) -> Result<Option<crate::secrets::Secret>, String>,
    store_key: impl Fn(&str, &crate::secrets::Secret) -> Result<(), String>,
) -> Vec<(&'static str, Result<Change, ClientsError>)> {
    let ids: Vec<&'static str> = super::list(clients, None)
        .into_iter()
        .filter(|s| !s.upstream_entries.is_empty())
        .map(|s| s.id)
        .collect();
    let mut keys_moved = false;
    ids.into_iter()
        .map(|id| {
            let mut result = migrate_upstream(clients, id, command, false);
            if matches!(result, Err(ClientsError::KeysInOldEntry { .. })) && !keys_moved {
                keys_moved = true;
                super::audit::fix(clients, &existing_key, &store_key);
                result = migrate_upstream(clients, id, command, false);
            }
            (id, result)
        })
        .collect()
}

/// Whether an entry runs the TypeScript server we replace: `npx`/`node` (or a similar runner)
/// with `@mako10k/mcp-llm-generator`, `mcp-llm-generator` or `mcp-sampler` in its arguments, or
/// one of those names as the command itself.
pub fn is_upstream(entry: &Value) -> bool {
    const NAMES: &[&str] = &["@mako10k/mcp-llm-generator", "mcp-llm-generator", "mcp-sampler"];
    const RUNNERS: &[&str] = &["npx", "node", "bunx", "bun", "pnpm", "yarn", "deno"];
    let Some(command) = document::command_of(entry) else {
        return false;
    };
    let program = Path::new(command)
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if program == "mcp-sampler" {
        return true;
    }
    RUNNERS.contains(&program.as_str())
        && document::args_of(entry)
            .iter()
            .any(|arg| NAMES.iter().any(|n| arg.contains(n)))
}

/// Replaces the TypeScript server's entries in one client's file with ours, in one write (one
/// backup). Unchanged when there are none and ours is already there.
pub fn migrate_upstream(
    clients: &Clients,
    id: &str,
    command: &Path,
    dry_run: bool,
) -> Result<Change, ClientsError> {
    let c = client(id)?;
    let path = clients
        .config_path(c)
        .ok_or(ClientsError::NoPath { client: c.name })?;
    let text = super::read_text(&path).unwrap_or_default();
    let names: Vec<String> = document::entries(c.format, &text)
        .map_err(|e| ClientsError::from_edit(&path, e))?
        .into_iter()
        .filter(|(_, entry)| is_upstream(entry))
        .map(|(name, _)| name)
        .collect();
    // The old server read its keys from the entry's env; removing the entry first would delete
    // the only copy the user may have. The audit moves them into the keychain.
    let keys_inside = super::audit::audit(clients)
        .into_iter()
        .any(|f| f.client == c.id && f.movable && names.contains(&f.entry));
    if keys_inside && !dry_run {
        return Err(ClientsError::KeysInOldEntry { path });
    }
    let mut ops: Vec<Op> = names.into_iter().map(Op::Remove).collect();
    let command_text = command.to_string_lossy().into_owned();
    ops.push(Op::Upsert(c.shape.fields(&command_text, c.id)));
    let change = apply(clients, c, &ops, dry_run)?;
    if !dry_run {
        record(clients, c, &change, command_text)?;
    }
    Ok(change)
}

/// Removes fields of entries (audit's "take the key out of the file").
pub(super) fn remove_fields(
    clients: &Clients,
    c: &'static Client,
    fields: &[(String, Vec<String>)],
) -> Result<Change, ClientsError> {
    let ops: Vec<Op> = fields
        .iter()
        .map(|(name, path)| Op::RemoveField(name.clone(), path.clone()))
        .collect();
    apply(clients, c, &ops, false)
}

/// The common path of every write: read under the lock, edit, diff, back up, replace, verify.
fn apply(clients: &Clients, c: &'static Client, ops: &[Op], dry_run: bool) -> Result<Change, ClientsError> {
    if clients.workspace.is_some() && c.project_file.is_none() {
        return Err(ClientsError::NoProjectFile { client: c.name });
    }
    let path = clients
        .config_path(c)
        .ok_or(ClientsError::NoPath { client: c.name })?;
    let target = write::edit_target(&path)?;
    let key = write::path_key(&target);
    let dir = clients.backup_dir(c);
    // Dry runs take no lock: they write nothing, and must work even where the data dir cannot be created.
    let _lock = if dry_run {
        None
    } else {
        Some(write::Lock::acquire(&dir, &key)?)
    };
    let before = read_utf8(&target)?;
    if before.is_none() && !clients.is_installed(c, &target) {
        // Creating the folder of a client that was never installed would leave litter and a
        // false "configured".
        return Err(ClientsError::NotInstalled {
            client: c.name,
            folder: clients
                .installed_folder(c)
                .unwrap_or_else(|| target.parent().unwrap_or(Path::new("/")).to_path_buf()),
            program: c.programs.first().copied(),
        });
    }
    let old = before.as_deref().unwrap_or("");
    let new = apply_ops(c.format, old, ops).map_err(|e| ClientsError::from_edit(&target, e))?;
    let mut change = Change {
        id: c.id,
        path: target.clone(),
        changed: new != old,
        diff: String::new(),
        backup: None,
        restart: c.restart,
    };
    if !change.changed {
        return Ok(change);
    }
    change.diff = diff(&target, old, &new);
    if dry_run {
        return Ok(change);
    }
    // Replacing by rename would succeed even on a read-only file; a user who made it read-only
    // (or a client that protects it) did so on purpose, so respect that.
    if before.is_some() && std::fs::metadata(&target).is_ok_and(|m| m.permissions().readonly()) {
        return Err(ClientsError::ReadOnly { path: target });
    }
    // The same for a read-only folder: renaming into it would fail for most users, and succeed
    // for root only by overriding what the owner chose.
    if let Some(folder) = target.parent()
        && std::fs::metadata(folder).is_ok_and(|m| m.permissions().readonly())
    {
        return Err(ClientsError::ReadOnlyFolder {
            path: folder.to_path_buf(),
        });
    }
    if before.is_some() {
        change.backup = Some(write::backup(&target, &dir, &key)?);
    }
    let through_command = own_command(clients, c, ops);
    match &through_command {
        Some(program) => run_own_command(clients, program, ops)?,
        None if new.is_empty() && c.format == Format::OwnYaml => {
            // Our own block file: removing our entry removes the file.
            std::fs::remove_file(&target).map_err(|source| ClientsError::io("remove", &target, source))?;
        }
        None => {
            // A user-level file we create looks like one the client made; a project file is
            // shared through a repository and gets the usual permissions.
            let modes = match clients.workspace {
                None => c.created,
                Some(_) => write::CreateModes::default(),
            };
            write::replace(&target, &new, modes)?
        }
    }
    let written = read_utf8(&target)?.unwrap_or_default();
    // Through the client's command, the client formats the file its own way; check the meaning.
    let exact = through_command.is_some() || written == new;
    if !exact || !ops_hold(c.format, &written, ops) {
        return Err(ClientsError::VerifyFailed {
            path: target,
            client: c.name,
            id: c.id,
            backup: change.backup,
        });
    }
    if through_command.is_some() {
        change.diff = diff(&target, old, &written);
    }
    Ok(change)
}

fn read_utf8(path: &Path) -> Result<Option<String>, ClientsError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ClientsError::UnexpectedShape {
                path: path.to_path_buf(),
                message: "The file is not UTF-8 text.".into(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ClientsError::io("read", path, source)),
    }
}

fn diff(path: &Path, old: &str, new: &str) -> String {
    let shown = path.to_string_lossy();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{shown} (before)"), &format!("{shown} (after)"))
        .to_string()
}

/// The client's own command, when it should be used: the client has one, it is on PATH, the
/// file is the user-level one, and every op is one the command can do.
fn own_command(clients: &Clients, c: &Client, ops: &[Op]) -> Option<PathBuf> {
    if clients.workspace.is_some() || !ops.iter().all(|op| matches!(op, Op::Upsert(_) | Op::Remove(_))) {
        return None;
    }
    clients.find_command(c.own_command?)
}

/// Claude Code's `claude mcp remove|add-json --scope user`. An existing entry is removed first,
/// because add-json refuses a name that exists.
fn run_own_command(clients: &Clients, program: &Path, ops: &[Op]) -> Result<(), ClientsError> {
    let run = |args: &[&str], tolerate_missing: bool| -> Result<(), ClientsError> {
        let mut command = Command::new(program);
        // The same HOME and config dirs we resolved the file from, so it edits that file: our
        // snapshot's values, and none of the locating variables the snapshot left out.
        for name in super::LOCATING_VARS {
            if !clients.env.contains_key(*name) {
                command.env_remove(name);
            }
        }
        let out = command
            .args(args)
            .envs(&clients.env)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|source| ClientsError::io("run", program, source))?;
        if out.status.success() || tolerate_missing {
            return Ok(());
        }
        Err(ClientsError::CommandFailed {
            command: format!("{} {}", program.display(), args.join(" ")),
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    };
    for op in ops {
        match op {
            Op::Upsert(fields) => {
                let json = Value::Object(fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
                run(&["mcp", "remove", "--scope", "user", ENTRY_NAME], true)?;
                run(
                    &[
                        "mcp",
                        "add-json",
                        "--scope",
                        "user",
                        ENTRY_NAME,
                        &json.to_string(),
                    ],
                    false,
                )?;
            }
            Op::Remove(name) => run(&["mcp", "remove", "--scope", "user", name], false)?,
            Op::RemoveField(..) | Op::Replace(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typescript_servers_entries_are_recognised_and_ours_are_not() {
        // Proves: every documented way of starting the old server is detected; our own binary,
        // other servers and other packages with similar names are not.
        let yes = [
            serde_json::json!({"command": "npx", "args": ["-y", "@mako10k/mcp-llm-generator"]}),
            serde_json::json!({"command": "/usr/bin/node", "args": ["/src/mcp-llm-generator/dist/index.js"]}),
            serde_json::json!({"command": "npx.cmd", "args": ["mcp-sampler"]}),
            serde_json::json!({"command": "mcp-sampler"}),
            serde_json::json!({"command": {"path": "npx", "args": ["@mako10k/mcp-llm-generator@1.2"]}}),
        ];
        for e in &yes {
            assert!(is_upstream(e), "{e}");
        }
        let no = [
            serde_json::json!({"command": "/opt/llmgen/mcp-llm-generator", "args": []}),
            serde_json::json!({"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]}),
            serde_json::json!({"url": "https://example.com/mcp"}),
        ];
        for e in &no {
            assert!(!is_upstream(e), "{e}");
        }
    }

    #[test]
    fn moving_in_moves_a_plain_key_of_an_old_entry_before_replacing_it() {
        // Proves: an old entry holding a plain provider key is replaced only after the key went
        // to `store_key` (the keychain in the app); the file keeps the other server and loses the
        // key; a file without old entries is left alone.
        use std::cell::RefCell;
        const PLAIN: &str = "sk-test-MOVEIN.not-a-real-key-0000000";
        let tmp = tempfile::tempdir().expect("tempdir");
        let home = tmp.path().join("home");
        let cursor = home.join(".cursor/mcp.json");
        std::fs::create_dir_all(cursor.parent().expect("parent")).expect("mkdir");
        std::fs::write(
            &cursor,
            format!(r#"{{"mcpServers": {{"old": {{"command": "npx", "args": ["-y", "@mako10k/mcp-llm-generator"], "env": {{"OPENAI_API_KEY": "{PLAIN}"}}}}, "other": {{"command": "/bin/true"}}}}}}"#),
        )
        .expect("write");
        let data = crate::paths::DataDir::at(tmp.path().join("data"));
        let lookup_home = home.clone();
        let clients = Clients::with_env(data, crate::paths::Platform::Linux, move |v| {
            (v == "HOME").then(|| lookup_home.clone())
        });
        let stored = RefCell::new(Vec::new());
        let exe = std::env::current_exe().expect("exe");
        let results = migrate_upstream_everywhere(
            &clients,
            &exe,
            |_| Ok(None),
            |provider, secret| {
                stored
                    .borrow_mut()
                    .push((provider.to_string(), secret.expose().to_string()));
                Ok(())
            },
        );
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].0, "cursor");
        assert!(results[0].1.is_ok(), "{:?}", results[0].1);
        assert_eq!(stored.into_inner(), [("openai".to_string(), PLAIN.to_string())]);
        let text = std::fs::read_to_string(&cursor).expect("read");
        assert!(!text.contains(PLAIN) && !text.contains("mako10k"), "{text}");
        assert!(text.contains("\"other\"") && text.contains(ENTRY_NAME), "{text}");
    }
}
