//! `settings`: show every setting, or set one.
#![allow(clippy::print_stdout)] // this is the CLI's output; the serve path never prints

use clap::Subcommand;
use llmgen_core::{Store, settings};

#[derive(Subcommand)]
pub enum SettingsAction {
    /// Print every setting (add --json for scripts).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Change a setting: prefer-sampling true|false, tool-groups generation,templates,personas,contexts|all,
    /// backup-schedule true|false, backup-interval-hours N, backup-keep-daily N, backup-keep-weekly N,
    /// conversation-retention-days N|off, log-level error|warn|info|debug|trace,
    /// language auto|en|ja (the desktop app's).
    /// update-check true|false (the desktop app's automatic update checks).
    Set { key: String, value: String },
}

pub fn settings(store: &Store, action: Option<SettingsAction>) -> anyhow::Result<()> {
    match action.unwrap_or(SettingsAction::Show { json: false }) {
        SettingsAction::Show { json } => print_settings(&settings::load(store)?, json),
        SettingsAction::Set { key, value } => print_settings(&settings::set(store, &key, &value)?, false),
    }
}

fn print_settings(s: &settings::Settings, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(s)?);
    } else {
        println!("prefer-sampling = {}", s.prefer_sampling);
        let groups: Vec<&str> = s.tool_groups.iter().map(|g| g.as_str()).collect();
        println!("tool-groups     = {}", groups.join(","));
        println!("backup-schedule = {}", s.backup_schedule);
        println!("backup-interval-hours = {}", s.backup_interval_hours);
        println!("backup-keep-daily     = {}", s.backup_keep_daily);
        println!("backup-keep-weekly    = {}", s.backup_keep_weekly);
        println!(
            "conversation-retention-days = {}",
            s.conversation_retention_days
                .map_or_else(|| "off".to_string(), |d| d.to_string())
        );
        let level = s.log_level.map_or("info (default)", |l| l.as_str());
        println!("log-level       = {level}  (LLMGEN_LOG overrides it)");
        println!(
            "language        = {}  (the desktop app's; auto follows the system)",
            s.language.as_str()
        );
        println!("update-check    = {}  (the desktop app)", s.update_check);
        println!(
            "compat-tool-names = {}  (also offer the TypeScript server's tool names)",
            s.compat_tool_names
        );
    }
    Ok(())
}
