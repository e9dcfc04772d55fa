//! `clients audit`: finds API keys and tokens written in plain text in any client file's `env` or
//! `headers` (our entries, the old server's, anyone's), and moves provider keys that our server
//! can read from the keychain out of the file. Values are never returned, printed or logged:
//! a finding says where a secret is and how long it is, nothing of what it is.

use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use super::actions::{self, Change};
use super::{CLIENTS, Clients, ENTRY_NAME, document};
use crate::secrets::Secret;

/// A secret in plain text in a client file.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub client: &'static str,
    pub path: PathBuf,
    /// The server entry holding it.
    pub entry: String,
    /// Where in the entry, e.g. `env.OPENAI_API_KEY` or `headers.Authorization`.
    pub field: String,
    /// The provider whose key it is, when our server can use it from the keychain instead.
    pub provider: Option<String>,
    /// True when `audit --fix` moves it: a provider key in our entry or the old server's, which
    /// our server reads from the keychain. Other servers read their own env, so their keys stay.
    pub movable: bool,
    /// Length of the value, so people can tell keys apart without seeing them.
    pub length: usize,
}

/// Every plain-text secret in every client file we can find.
pub fn audit(clients: &Clients) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in CLIENTS {
        let Some(path) = clients.config_path(c) else {
            continue;
        };
        let Some(text) = super::read_text(&path) else {
            continue;
        };
        // A file we cannot parse is reported by `clients list`; the audit covers what it can read.
        let Ok(entries) = document::entries(c.format, &text) else {
            continue;
        };
        for (name, entry) in entries {
            let ours = name == ENTRY_NAME || actions::is_upstream(&entry);
            for (field, value) in secrets_in(&entry) {
                let provider = field
                    .strip_prefix("env.")
                    .and_then(provider_of_env_var)
                    .map(str::to_string);
                findings.push(Finding {
                    client: c.id,
                    path: path.clone(),
                    entry: name.clone(),
                    movable: ours && provider.is_some(),
                    provider,
                    field,
                    length: value.chars().count(),
                });
            }
        }
    }
    findings
}

/// What `audit --fix` did with one finding.
#[derive(Debug, Serialize)]
pub struct Moved {
    pub finding: Finding,
    pub outcome: MoveOutcome,
}

#[derive(Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum MoveOutcome {
    /// Stored in the keychain and taken out of the file.
    Moved { backup: Option<PathBuf> },
    /// The keychain already holds another key for that provider; the file was left as it is.
    Conflict,
    /// Something failed; nothing was taken out of the file.
    Failed { error: String },
}

/// The real keychain, for [`fix`] and `migrate_upstream_everywhere`: reading a provider's stored
/// key, and storing one through `Direct::set_key` (the one function that sets a provider's key).
/// One place, so every front end moves keys the same way.
pub struct Keychain<'a> {
    pub store: &'a crate::Store,
    pub direct: &'a crate::generation::providers::Direct,
}

impl Keychain<'_> {
    /// The key stored for `provider`, if any (`existing_key` of [`fix`]).
    pub fn existing_key(&self, provider: &str) -> Result<Option<Secret>, String> {
        crate::secrets::read(provider).map_err(|e| e.to_string())
    }

    /// Stores `secret` as `provider`'s key (`store_key` of [`fix`]).
    pub fn store_key(&self, provider: &str, secret: &Secret) -> Result<(), String> {
        self.direct
            .set_key(self.store, provider, secret)
            .map_err(|e| e.to_string())
    }

    /// `clients audit --fix`: [`fix`] with this keychain.
    pub fn move_plain_keys(&self, clients: &Clients) -> Vec<Moved> {
        fix(clients, |p| self.existing_key(p), |p, s| self.store_key(p, s))
    }

    /// Moving in: [`actions::migrate_upstream_everywhere`] with this keychain, so a key in an old
    /// entry moves here before the entry is replaced.
    pub fn replace_upstream_entries(
        &self,
        clients: &Clients,
        command: &std::path::Path,
    ) -> Vec<(&'static str, Result<Change, super::ClientsError>)> {
        actions::migrate_upstream_everywhere(
            clients,
            command,
            |p| self.existing_key(p),
            |p, s| self.store_key(p, s),
        )
    }
}

/// Moves every movable key into the keychain through `store_key` (the one function that sets a
/// provider's key), then takes it out of its file. The file is changed only after the key is
/// safely stored, so a failure loses nothing. `existing_key` reads the keychain, to spot conflicts.
pub fn fix(
    clients: &Clients,
    existing_key: impl Fn(&str) -> Result<Option<Secret>, String>,
    store_key: impl Fn(&str, &Secret) -> Result<(), String>,
) -> Vec<Moved> {
    let mut moved = Vec::new();
    for finding in audit(clients).into_iter().filter(|f| f.movable) {
        let outcome = move_one(clients, &finding, &existing_key, &store_key);
        moved.push(Moved { finding, outcome });
    }
    moved
}

fn move_one(
    clients: &Clients,
    finding: &Finding,
    existing_key: &impl Fn(&str) -> Result<Option<Secret>, String>,
    store_key: &impl Fn(&str, &Secret) -> Result<(), String>,
) -> MoveOutcome {
    let failed = |error: String| MoveOutcome::Failed { error };
    let (Some(provider), Some(c)) = (&finding.provider, super::registry::find(finding.client)) else {
        return failed("not a provider key".into());
    };
    // Read the value again right before moving it: the file may have changed since the audit.
    let value = super::read_text(&finding.path)
        .and_then(|text| document::entries(c.format, &text).ok())
        .and_then(|entries| entries.into_iter().find(|(n, _)| *n == finding.entry))
        .and_then(|(_, entry)| {
            secrets_in(&entry)
                .into_iter()
                .find(|(f, _)| *f == finding.field)
                .map(|(_, v)| Secret::new(v))
        });
    let Some(secret) = value else {
        return failed("the key is no longer in the file".into());
    };
    // A keychain that cannot be read is a failure, never "no key": storing then could overwrite
    // a different key the user keeps there.
    match existing_key(provider) {
        Err(e) => return failed(e),
        Ok(Some(existing)) if existing != secret => return MoveOutcome::Conflict,
        Ok(Some(_)) => {}
        Ok(None) => {
            if let Err(e) = store_key(provider, &secret) {
                return failed(e);
            }
        }
    }
    let path: Vec<String> = finding.field.split('.').map(str::to_string).collect();
    let backup = match actions::remove_fields(clients, c, &[(finding.entry.clone(), path.clone())]) {
        Ok(Change { backup, .. }) => backup,
        Err(e) => return failed(e.to_string()),
    };
    // Only a key that really left the file counts as moved.
    if super::read_text(&finding.path).is_some_and(|text| text.contains(secret.expose())) {
        return failed("the key could not be taken out of the file; remove it by hand".into());
    }
    // Our own backups of the file hold the key too; a later `clients restore` would write it back.
    if let Err(e) = scrub_backups(clients, c, &finding.path, &finding.entry, &path, &secret) {
        return failed(format!("the key left the file, but not its backups: {e}"));
    }
    MoveOutcome::Moved { backup }
}

/// Takes the key out of every backup we keep of `file`: the field where the backup parses, any
/// remaining literal occurrence otherwise. Each backup is rewritten atomically.
fn scrub_backups(
    clients: &Clients,
    c: &super::Client,
    file: &std::path::Path,
    entry: &str,
    path: &[String],
    secret: &Secret,
) -> Result<(), super::ClientsError> {
    let target = super::write::edit_target(file)?;
    let parts: Vec<&str> = path.iter().map(String::as_str).collect();
    for bak in super::write::backups(&clients.backup_dir(c), &super::write::path_key(&target)) {
        let Some(text) = super::read_text(&bak) else {
            continue;
        };
        if !text.contains(secret.expose()) {
            continue;
        }
        let scrubbed = document::remove_field(c.format, &text, entry, &parts)
            .unwrap_or_else(|_| text.clone())
            .replace(secret.expose(), "");
        super::write::replace(&bak, &scrubbed, super::write::CreateModes::default())?;
    }
    Ok(())
}

fn provider_of_env_var(var: &str) -> Option<&'static str> {
    ["anthropic", "openai"]
        .into_iter()
        .find(|p| crate::secrets::env_var_for(p) == Some(var))
}

/// `(field, value)` of every plain-text secret in an entry's `env` and `headers`.
fn secrets_in(entry: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for section in ["env", "headers"] {
        let Some(map) = entry.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (key, value) in map {
            let Some(value) = value.as_str() else {
                continue;
            };
            if looks_secret(section, key, value) {
                found.push((format!("{section}.{key}"), value.to_string()));
            }
        }
    }
    found
}

fn looks_secret(section: &str, key: &str, value: &str) -> bool {
    let value = value.trim();
    if value.is_empty() || is_reference(value) {
        return false;
    }
    if crate::secrets::looks_like_token(value) {
        return true;
    }
    let key = key.to_ascii_uppercase();
    let secret_name = [
        "KEY",
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "AUTH",
    ]
    .iter()
    .any(|w| key.contains(w));
    match section {
        // A bearer or basic credential in a header; a bare scheme with no value is not a secret.
        "headers" if key == "AUTHORIZATION" => {
            value.split_whitespace().nth(1).is_some_and(|v| !is_reference(v))
        }
        _ => secret_name && value.len() >= 8,
    }
}

/// Values that name a secret rather than hold it: `${input:x}`, `${env:X}`, `$X`, `{{x}}`, `<x>`.
fn is_reference(value: &str) -> bool {
    value.starts_with("${")
        || value.starts_with('$') && value[1..].chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || value.starts_with("{{")
        || value.starts_with('<') && value.ends_with('>')
        || value.starts_with("{env:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_keys_are_found_and_references_are_not() {
        // Proves: literal keys in env and headers are reported; VS Code input variables, env
        // references and placeholders are not, and short non-secret values are not either.
        let entry = serde_json::json!({
            "command": "npx",
            "env": {
                "OPENAI_API_KEY": "sk-proj-abcdefghijklmnopqrstuvwx",
                "ANTHROPIC_API_KEY": "${input:anthropic-key}",
                "GITHUB_TOKEN": "$GITHUB_TOKEN",
                "DEBUG": "1",
                "SOME_PASSWORD": "hunter2hunter2",
                "PLACEHOLDER_KEY": "<your key here>",
            },
            "headers": {"Authorization": "Bearer abcdef0123456789", "X-Trace": "on"},
        });
        let mut fields: Vec<String> = secrets_in(&entry).into_iter().map(|(f, _)| f).collect();
        fields.sort();
        assert_eq!(
            fields,
            ["env.OPENAI_API_KEY", "env.SOME_PASSWORD", "headers.Authorization"]
        );
        let bare = serde_json::json!({"headers": {"Authorization": "Bearer ${input:token}"}});
        assert!(secrets_in(&bare).is_empty());
    }
}
