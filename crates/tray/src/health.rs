//! The tray's health: core's health check (the same one as `mcp-llm-generator health`) runs at
//! start, every few minutes and on demand, on a thread of its own; its level picks the tray icon
//! and its worst finding becomes the menu's status line, in the user's language.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use llmgen_core::{
    operations::health::{Health, Level},
    paths::DataDir,
    without_commands::without_commands,
};

use crate::link::Trigger;
use crate::menu::Status;

/// How often the tray re-checks on its own.
pub const EVERY: Duration = Duration::from_secs(5 * 60);

/// The server program client entries run: the one installed beside the app (or, from an
/// AppImage, its stable copy); `None` when it is missing.
pub fn server_binary() -> Option<PathBuf> {
    static RESOLVED: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    RESOLVED
        .get_or_init(|| llmgen_core::server_copy::for_client_entries(&crate::my_folder()?))
        .clone()
}

/// The whole health check, run once on the calling thread (it spawns the server for its MCP
/// handshake and waits for the keychain, so never on a UI thread). The tray is given it by the
/// program it runs in, which carries the handshake's MCP client (llmgen-server).
pub type Check = std::sync::Arc<dyn Fn(&DataDir) -> Result<Health, String> + Send + Sync>;

/// Checks at once, then every [`EVERY`] and whenever `rx` asks, handing each outcome to `show`;
/// returns when every sender has gone. Runs on a thread of its own.
pub fn watch(check: &Check, rx: &Receiver<Trigger>, show: impl Fn(Level, Status, Trigger)) {
    let data_dir = match DataDir::resolve(None) {
        Ok(d) => d,
        Err(e) => {
            show(Level::Error, Status::Failed(e.to_string()), Trigger::Start);
            return;
        }
    };
    let mut why = Trigger::Start;
    loop {
        match check(&data_dir) {
            Ok(health) => show(health.level, status_of(&health), why),
            Err(e) => show(Level::Error, Status::Failed(without_commands(&e)), why),
        }
        why = match rx.recv_timeout(EVERY) {
            Ok(why) => why,
            Err(RecvTimeoutError::Timeout) => Trigger::Timer,
            Err(RecvTimeoutError::Disconnected) => return,
        };
    }
}

/// The tray's status: the first of the worst findings, and how many more there are, since the
/// tray has room for one sentence only (and fixing the first should visibly change it).
pub fn status_of(health: &Health) -> Status {
    let problems = health.checks.iter().filter(|c| c.level != Level::Ok);
    match problems.clone().find(|c| c.level == health.level) {
        None => Status::AllGood,
        Some(worst) => Status::NeedsFix {
            finding: crate::findings::Sentence::of(&worst.finding),
            more: problems.count() - 1,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use llmgen_core::operations::health::{Check, Finding};

    /// A check worded by its sentence only (the tray shows it as it is).
    fn check(id: &'static str, level: Level, message: &str) -> Check {
        match level {
            Level::Ok => Check::ok(id, message),
            Level::Warning => Check::warning(id, message, "fix"),
            Level::Error => Check::error(id, message, "fix"),
        }
    }

    fn health(checks: Vec<Check>) -> Health {
        Health {
            level: checks.iter().map(|c| c.level).max().unwrap_or(Level::Ok),
            checks,
        }
    }

    /// The line names the worst finding first (an error before an earlier warning) and counts
    /// the others, so fixing one of two problems changes the line; all ok reads "All good".
    #[test]
    fn the_status_line_names_the_worst_problem_and_counts_the_rest() {
        let two = health(vec![
            check("disk", Level::Ok, "Plenty of space."),
            check("backup", Level::Warning, "No backup has been made yet."),
            check("server", Level::Error, "The server did not start."),
        ]);
        assert_eq!(
            status_of(&two).text(Lang::En),
            "The server did not start. Open the app to fix it (and 1 more)."
        );
        let one = health(vec![
            check("disk", Level::Ok, "Plenty of space."),
            check("backup", Level::Warning, "No backup has been made yet."),
        ]);
        assert_eq!(
            status_of(&one).text(Lang::En),
            "No backup has been made yet. Open the app to fix it."
        );
        assert_eq!(
            status_of(&health(vec![check("disk", Level::Ok, "Plenty of space.")])).text(Lang::En),
            "All good"
        );
    }

    /// A finding's line is worded in the language shown, from its id and figures, without the
    /// command the command line's fix names.
    #[test]
    fn the_status_line_words_the_finding_in_the_language_shown() {
        let status = status_of(&health(vec![
            Check::found(Finding::DiskOk {
                space: llmgen_core::operations::health::DiskSpace {
                    available_bytes: 50,
                    total_bytes: 100,
                    free_percent: 50.0,
                    at: "/d".into(),
                    database_bytes: 1,
                },
            }),
            Check::found(Finding::BackupNever),
        ]));
        assert_eq!(
            status.text(Lang::En),
            "No backup has been made yet. Open the app to fix it."
        );
        assert_eq!(
            status.text(Lang::Ja),
            "バックアップはまだ作成されていません。 アプリを開いて対処してください。"
        );
    }
}
