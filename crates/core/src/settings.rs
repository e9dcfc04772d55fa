//! User settings stored in the database (shared by every process), with defaults and
//! environment overrides, plus the once-only seeding of built-in rows.

use std::collections::BTreeSet;

use rusqlite::{OptionalExtension, Transaction, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{CoreError, Result, Store, timefmt};

/// Environment variable that overrides the exposed tool groups for one client's processes,
/// e.g. `LLMGEN_TOOL_GROUPS=generation,templates` in that client's entry.
pub const TOOL_GROUPS_ENV: &str = "LLMGEN_TOOL_GROUPS";

/// Groups of MCP tools. Clients send the whole tool list to the model with every request, so
/// users can keep it small by exposing only what they use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ToolGroup {
    /// llm-generate, provider-status
    Generation,
    /// template-execute, template-to-params, template-manage
    Templates,
    /// persona-manage
    Personas,
    /// context-manage, context-chat, conversation-manage
    Contexts,
}

impl ToolGroup {
    pub const ALL: [ToolGroup; 4] = [Self::Generation, Self::Templates, Self::Personas, Self::Contexts];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Generation => "generation",
            Self::Templates => "templates",
            Self::Personas => "personas",
            Self::Contexts => "contexts",
        }
    }

    fn parse_list(text: &str) -> Result<BTreeSet<ToolGroup>> {
        let mut groups = BTreeSet::new();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            if word == "all" {
                groups.extend(Self::ALL);
                continue;
            }
            let group = Self::ALL.into_iter().find(|g| g.as_str() == word).ok_or_else(|| {
                CoreError::invalid(format!(
                    "Unknown tool group '{word}'. Use a comma-separated list of: generation, templates, personas, contexts (or 'all')."
                ))
            })?;
            groups.insert(group);
        }
        Ok(groups)
    }
}

/// Every setting with its effective value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// `provider: auto` uses MCP sampling when the client offers it.
    pub prefer_sampling: bool,
    /// Tool groups the server exposes.
    pub tool_groups: BTreeSet<ToolGroup>,
    /// The server's log level (error, warn, info, debug or trace); `None` is info.
    /// `LLMGEN_LOG` overrides it for one process.
    #[serde(default)]
    pub log_level: Option<crate::logs::LogLevel>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            prefer_sampling: true,
            tool_groups: ToolGroup::ALL.into_iter().collect(),
            log_level: None,
        }
    }
}

/// Names accepted by [`set`].
pub const KEYS: [&str; 3] = ["prefer-sampling", "tool-groups", "log-level"];

/// Reads settings: defaults, then the database, then environment overrides.
pub fn load(store: &Store) -> Result<Settings> {
    let mut settings = Settings::default();
    let stored: Vec<(String, String)> = store.read(|conn| {
        let mut stmt = conn.prepare_cached("SELECT key, value FROM settings")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })?;
    for (key, value) in stored {
        match key.as_str() {
            "prefer-sampling" => settings.prefer_sampling = serde_json::from_str(&value)?,
            "tool-groups" => settings.tool_groups = serde_json::from_str(&value)?,
            "log-level" => settings.log_level = serde_json::from_str(&value)?,
            _ => {} // written by a newer build; ignored, never deleted
        }
    }
    if let Some(text) = std::env::var(TOOL_GROUPS_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        match ToolGroup::parse_list(&text) {
            Ok(groups) => settings.tool_groups = groups,
            Err(e) => tracing::warn!("ignoring {TOOL_GROUPS_ENV}: {e}"),
        }
    }
    Ok(settings)
}

/// Sets one setting from text, as typed on a command line.
pub fn set(store: &Store, key: &str, value: &str) -> Result<Settings> {
    let json = match key {
        "prefer-sampling" => {
            let b = match value.trim() {
                "true" | "on" | "yes" | "1" => true,
                "false" | "off" | "no" | "0" => false,
                other => {
                    return Err(CoreError::invalid(format!(
                        "prefer-sampling takes true or false, not '{other}'."
                    )));
                }
            };
            serde_json::to_string(&b)?
        }
        "tool-groups" => {
            let groups = ToolGroup::parse_list(value)?;
            if groups.is_empty() {
                return Err(CoreError::invalid(
                    "tool-groups needs at least one group: generation, templates, personas, contexts (or 'all').",
                ));
            }
            serde_json::to_string(&groups)?
        }
        "log-level" => {
            let level = crate::logs::LogLevel::parse(value).map_err(|e| CoreError::invalid(e.to_string()))?;
            serde_json::to_string(&level)?
        }
        other => {
            return Err(CoreError::invalid(format!(
                "Unknown setting '{other}'. Settings: {}.",
                KEYS.join(", ")
            )));
        }
    };
    store.write(|tx| {
        tx.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![key, json, timefmt::now_string()],
        )?;
        Ok(())
    })?;
    load(store)
}

/// Something with a stable name that can be seeded.
pub(crate) trait Seeded {
    fn seed_name(&self) -> &str;
}

impl Seeded for crate::templates::NewTemplate {
    fn seed_name(&self) -> &str {
        &self.name
    }
}

impl Seeded for crate::personas::NewPersona {
    fn seed_name(&self) -> &str {
        &self.name
    }
}

/// Runs `insert` for each item never seeded into this database before, and records it, so a
/// built-in the user deleted does not come back on its own.
pub(crate) fn seed_once<T: Seeded>(
    tx: &Transaction<'_>,
    kind: &str,
    items: Vec<T>,
    insert: impl Fn(&Transaction<'_>, &T) -> Result<()>,
) -> Result<()> {
    for item in &items {
        let seeded: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM builtin_seeds WHERE kind = ?1 AND name = ?2",
                params![kind, item.seed_name()],
                |r| r.get(0),
            )
            .optional()?;
        if seeded.is_none() {
            insert(tx, item)?;
            tx.execute(
                "INSERT INTO builtin_seeds (kind, name, seeded_at) VALUES (?1, ?2, ?3)",
                params![kind, item.seed_name(), timefmt::now_string()],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_bad_values_are_refused() {
        let store = Store::open_in_memory().expect("store");
        assert_eq!(load(&store).expect("load"), Settings::default());
        let s = set(&store, "tool-groups", "templates, generation").expect("set");
        assert_eq!(
            s.tool_groups,
            [ToolGroup::Generation, ToolGroup::Templates]
                .into_iter()
                .collect()
        );
        let s = set(&store, "prefer-sampling", "off").expect("set");
        assert!(!s.prefer_sampling);
        let s = set(&store, "log-level", "WARN").expect("set");
        assert_eq!(s.log_level, Some(crate::logs::LogLevel::Warn));
        assert!(
            set(&store, "log-level", "loud")
                .expect_err("bad")
                .to_string()
                .contains("use error, warn")
        );
        assert!(
            set(&store, "tool-groups", "bogus")
                .expect_err("bad")
                .to_string()
                .contains("Unknown tool group")
        );
        assert!(
            set(&store, "nope", "1")
                .expect_err("bad")
                .to_string()
                .contains("Unknown setting")
        );
    }
}
