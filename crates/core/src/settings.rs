//! User settings stored in the database (shared by every process), with defaults and
//! environment overrides, and the types of their values (tool groups, language, log level).

use std::collections::BTreeSet;

use rusqlite::params;
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
    /// memory-store, memory-search
    Memory,
    /// task-delegate, task-manage
    Team,
}

impl ToolGroup {
    pub const ALL: [ToolGroup; 6] = [
        Self::Generation,
        Self::Templates,
        Self::Personas,
        Self::Contexts,
        Self::Memory,
        Self::Team,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Generation => "generation",
            Self::Templates => "templates",
            Self::Personas => "personas",
            Self::Contexts => "contexts",
            Self::Memory => "memory",
            Self::Team => "team",
        }
    }

    fn parse_list(text: &str) -> Result<BTreeSet<ToolGroup>> {
        let mut groups = BTreeSet::new();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            if word == "all" {
                groups.extend(Self::ALL);
                continue;
            }
            let group = Self::ALL
                .into_iter()
                .find(|g| g.as_str() == word)
                .ok_or_else(|| {
                    // Listed from ALL, so a new group is never left out of the advice.
                    let known: Vec<&str> = Self::ALL.iter().map(|g| g.as_str()).collect();
                    CoreError::invalid(format!(
                        "Unknown tool group '{word}'. Use a comma-separated list of: {} (or 'all').",
                        known.join(", ")
                    ))
                })?;
            groups.insert(group);
        }
        Ok(groups)
    }
}

/// The desktop app's language (its window and tray menu). Messages from this crate (errors,
/// health sentences, validation) stay English whatever is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Language {
    /// Follow the operating system's language (Japanese for a `ja` locale, else English).
    #[default]
    Auto,
    En,
    Ja,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::En => "en",
            Self::Ja => "ja",
        }
    }

    /// Parses a choice as typed (`auto`, `en`, `ja`, any case).
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "en" => Ok(Self::En),
            "ja" => Ok(Self::Ja),
            other => Err(CoreError::invalid(format!(
                "Unknown language '{other}': use auto (follow the system), en or ja."
            ))),
        }
    }
}

/// A log level, ordered from the most verbose to the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    /// Parses a level name as typed (`warn`, `WARN`, `warning`, ...).
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "trace" => Ok(Self::Trace),
            "debug" => Ok(Self::Debug),
            "info" => Ok(Self::Info),
            "warn" | "warning" => Ok(Self::Warn),
            "error" => Ok(Self::Error),
            other => Err(CoreError::invalid(format!(
                "Unknown log level '{other}': use error, warn, info, debug or trace."
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trace => "trace",
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
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
    /// Scheduled database backups, taken by the app or by the first server process that finds
    /// one due.
    pub backup_schedule: bool,
    /// Hours between scheduled backups.
    pub backup_interval_hours: u32,
    /// `backup prune` keeps the newest backup of each of this many recent days...
    pub backup_keep_daily: u32,
    /// ...and of each of this many recent weeks.
    pub backup_keep_weekly: u32,
    /// `maintain` deletes conversation messages older than this many days; `None` keeps all.
    pub conversation_retention_days: Option<u32>,
    /// The server's log level (error, warn, info, debug or trace); `None` is info.
    /// `LLMGEN_LOG` overrides it for one process.
    #[serde(default)]
    pub log_level: Option<LogLevel>,
    /// The desktop app's language; `auto` follows the system.
    #[serde(default)]
    pub language: Language,
    /// The desktop app checks for a newer version at start and once a day.
    #[serde(default = "default_true")]
    pub update_check: bool,
    /// The server also offers the TypeScript server's tool names (`external-llm-generate`,
    /// `external-llm-providers`, `personality-preset-manage`) for prompts written for it.
    #[serde(default)]
    pub compat_tool_names: bool,
}

fn default_true() -> bool {
    true
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            prefer_sampling: true,
            tool_groups: ToolGroup::ALL.into_iter().collect(),
            backup_schedule: true,
            backup_interval_hours: 24,
            backup_keep_daily: 7,
            backup_keep_weekly: 4,
            conversation_retention_days: None,
            log_level: None,
            language: Language::Auto,
            update_check: true,
            compat_tool_names: false,
        }
    }
}

/// Names accepted by [`set`].
pub const KEYS: [&str; 11] = [
    "prefer-sampling",
    "compat-tool-names",
    "update-check",
    "tool-groups",
    "log-level",
    "backup-schedule",
    "backup-interval-hours",
    "backup-keep-daily",
    "backup-keep-weekly",
    "conversation-retention-days",
    "language",
];

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
            "backup-schedule" => settings.backup_schedule = serde_json::from_str(&value)?,
            "backup-interval-hours" => settings.backup_interval_hours = serde_json::from_str(&value)?,
            "backup-keep-daily" => settings.backup_keep_daily = serde_json::from_str(&value)?,
            "backup-keep-weekly" => settings.backup_keep_weekly = serde_json::from_str(&value)?,
            "conversation-retention-days" => {
                settings.conversation_retention_days = serde_json::from_str(&value)?
            }
            "log-level" => settings.log_level = serde_json::from_str(&value)?,
            "language" => settings.language = serde_json::from_str(&value)?,
            "update-check" => settings.update_check = serde_json::from_str(&value)?,
            "compat-tool-names" => settings.compat_tool_names = serde_json::from_str(&value)?,
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

/// The longest conversation retention accepted (100 years): longer means "keep everything",
/// which 'off' says.
pub const MAX_RETENTION_DAYS: u32 = 36_500;

/// One setting with its typed value: what front ends pass to [`apply`], so the compiler checks
/// the name and the type (the CLI's text goes through [`Setting::parse`] first).
#[derive(Debug, Clone, PartialEq)]
pub enum Setting {
    PreferSampling(bool),
    CompatToolNames(bool),
    UpdateCheck(bool),
    ToolGroups(BTreeSet<ToolGroup>),
    LogLevel(LogLevel),
    BackupSchedule(bool),
    BackupIntervalHours(u32),
    BackupKeepDaily(u32),
    BackupKeepWeekly(u32),
    /// `None` keeps every conversation.
    ConversationRetentionDays(Option<u32>),
    Language(Language),
}

impl Setting {
    /// The setting's name, as stored and as typed on the command line.
    pub fn key(&self) -> &'static str {
        match self {
            Self::PreferSampling(_) => "prefer-sampling",
            Self::CompatToolNames(_) => "compat-tool-names",
            Self::UpdateCheck(_) => "update-check",
            Self::ToolGroups(_) => "tool-groups",
            Self::LogLevel(_) => "log-level",
            Self::BackupSchedule(_) => "backup-schedule",
            Self::BackupIntervalHours(_) => "backup-interval-hours",
            Self::BackupKeepDaily(_) => "backup-keep-daily",
            Self::BackupKeepWeekly(_) => "backup-keep-weekly",
            Self::ConversationRetentionDays(_) => "conversation-retention-days",
            Self::Language(_) => "language",
        }
    }

    /// A setting from text, as typed on a command line (`settings set KEY VALUE`).
    pub fn parse(key: &str, value: &str) -> Result<Self> {
        Ok(match key {
            "prefer-sampling" => Self::PreferSampling(parse_bool(key, value)?),
            "compat-tool-names" => Self::CompatToolNames(parse_bool(key, value)?),
            "update-check" => Self::UpdateCheck(parse_bool(key, value)?),
            "backup-schedule" => Self::BackupSchedule(parse_bool(key, value)?),
            "backup-interval-hours" => Self::BackupIntervalHours(parse_count(key, value)?),
            "backup-keep-daily" => Self::BackupKeepDaily(parse_count(key, value)?),
            "backup-keep-weekly" => Self::BackupKeepWeekly(parse_count(key, value)?),
            "conversation-retention-days" => Self::ConversationRetentionDays(match value.trim() {
                "off" | "never" | "none" => None,
                _ => Some(parse_count(key, value)?),
            }),
            "tool-groups" => Self::ToolGroups(ToolGroup::parse_list(value)?),
            "log-level" => Self::LogLevel(LogLevel::parse(value)?),
            "language" => Self::Language(Language::parse(value)?),
            other => {
                return Err(CoreError::invalid(format!(
                    "Unknown setting '{other}'. Settings: {}.",
                    KEYS.join(", ")
                )));
            }
        })
    }

    /// The value as stored (JSON), after the checks that hold whatever front end set it.
    fn stored_value(&self) -> Result<String> {
        Ok(match self {
            Self::PreferSampling(b)
            | Self::CompatToolNames(b)
            | Self::UpdateCheck(b)
            | Self::BackupSchedule(b) => serde_json::to_string(b)?,
            Self::BackupIntervalHours(n) | Self::BackupKeepDaily(n) | Self::BackupKeepWeekly(n) => {
                if *n == 0 {
                    return Err(CoreError::invalid(format!(
                        "{} takes a whole number of at least 1.",
                        self.key()
                    )));
                }
                serde_json::to_string(n)?
            }
            Self::ConversationRetentionDays(days) => {
                if days.is_some_and(|d| d == 0 || d > MAX_RETENTION_DAYS) {
                    return Err(CoreError::invalid(format!(
                        "conversation-retention-days takes 1 to {MAX_RETENTION_DAYS} days (100 years), not '{}'; use 'off' to keep every conversation.",
                        days.unwrap_or_default()
                    )));
                }
                serde_json::to_string(days)?
            }
            Self::ToolGroups(groups) => {
                if groups.is_empty() {
                    return Err(CoreError::invalid(
                        "tool-groups needs at least one group: generation, templates, personas, contexts (or 'all').",
                    ));
                }
                serde_json::to_string(groups)?
            }
            Self::LogLevel(level) => serde_json::to_string(level)?,
            Self::Language(language) => serde_json::to_string(language)?,
        })
    }
}

/// Sets one setting from text, as typed on a command line.
pub fn set(store: &Store, key: &str, value: &str) -> Result<Settings> {
    apply(store, Setting::parse(key, value)?)
}

/// Sets one setting; returns every setting as now in effect.
pub fn apply(store: &Store, setting: Setting) -> Result<Settings> {
    let json = setting.stored_value()?;
    store.write(|tx| {
        tx.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![setting.key(), json, timefmt::now_string()],
        )?;
        Ok(())
    })?;
    load(store)
}

fn parse_bool(key: &str, value: &str) -> Result<bool> {
    match value.trim() {
        "true" | "on" | "yes" | "1" => Ok(true),
        "false" | "off" | "no" | "0" => Ok(false),
        other => Err(CoreError::invalid(format!(
            "{key} takes true or false, not '{other}'."
        ))),
    }
}

/// A positive whole number (a count of hours, days or backups; zero would mean "never" or
/// "keep nothing", which each setting says in its own way).
fn parse_count(key: &str, value: &str) -> Result<u32> {
    match value.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(CoreError::invalid(format!(
            "{key} takes a whole number of at least 1, not '{}'{}.",
            value.trim(),
            if key == "conversation-retention-days" {
                " (or 'off' to keep every conversation)"
            } else {
                ""
            }
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every stored name has one typed setting and back (so the CLI's names and the typed
    /// setters cannot drift), and the checks hold for typed values too, not only for text.
    #[test]
    fn every_key_is_one_typed_setting_and_typed_values_are_checked() {
        let sample = |key: &str| match key {
            "tool-groups" => "generation",
            "log-level" => "warn",
            "language" => "ja",
            "backup-interval-hours"
            | "backup-keep-daily"
            | "backup-keep-weekly"
            | "conversation-retention-days" => "3",
            _ => "true",
        };
        for key in KEYS {
            let setting = Setting::parse(key, sample(key)).expect(key);
            assert_eq!(setting.key(), key);
        }
        let store = Store::open_in_memory().expect("store");
        let applied = apply(&store, Setting::UpdateCheck(false)).expect("apply");
        assert!(!applied.update_check);
        assert!(apply(&store, Setting::BackupKeepDaily(0)).is_err());
        assert!(apply(&store, Setting::ToolGroups(BTreeSet::new())).is_err());
        assert!(
            apply(
                &store,
                Setting::ConversationRetentionDays(Some(MAX_RETENTION_DAYS + 1))
            )
            .is_err()
        );
    }

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
        assert!(s.update_check, "the app checks for updates unless told not to");
        let s = set(&store, "update-check", "false").expect("set");
        assert!(!s.update_check);
        let s = set(&store, "log-level", "WARN").expect("set");
        assert_eq!(s.log_level, Some(LogLevel::Warn));
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
        // The advice names every group, the newest ones included.
        let advice = set(&store, "tool-groups", "bogus").expect_err("bad").to_string();
        assert!(
            advice.contains("generation, templates, personas, contexts, memory, team (or 'all')"),
            "{advice}"
        );
        let s = set(&store, "conversation-retention-days", "90").expect("set");
        assert_eq!(s.conversation_retention_days, Some(90));
        let s = set(&store, "conversation-retention-days", "off").expect("set");
        assert_eq!(s.conversation_retention_days, None);
        let s = set(&store, "backup-keep-daily", "3").expect("set");
        assert_eq!(s.backup_keep_daily, 3);
        assert!(set(&store, "backup-interval-hours", "0").is_err());
        // The app's language is stored like any other setting and survives a re-read.
        assert_eq!(set(&store, "language", "JA").expect("set").language, Language::Ja);
        assert_eq!(load(&store).expect("load").language, Language::Ja);
        assert!(
            set(&store, "language", "fr")
                .expect_err("bad")
                .to_string()
                .contains("use auto (follow the system), en or ja")
        );
        assert!(
            set(&store, "nope", "1")
                .expect_err("bad")
                .to_string()
                .contains("Unknown setting")
        );
    }
}
