//! The tray's update schedule: at start (after a pause, off the start-up path) and then once a
//! day, while the `update-check` setting is on, the tray asks a short-lived app process
//! (`mcp-llm-generator-app --check-updates`, the same updater code as the window's Updates card)
//! whether a newer signed release exists, and names it in the menu. The check lives in the app
//! because only it carries the updater and its public key; the tray only reads the answer.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::{
    link::{CHECK_UPDATES_ARG, UpdateAnswer},
    tray::Tray,
};

/// The first automatic check waits this long, so it never competes with the start-up itself.
const FIRST_CHECK_AFTER: Duration = Duration::from_secs(20);
/// Automatic checks are at least this far apart.
const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// How often the schedule looks at the clock: a laptop that slept through the day still checks
/// soon after it wakes up.
const SCHEDULE_TICK: Duration = Duration::from_secs(60 * 60);

/// Starts the schedule on a thread of its own.
pub fn schedule(tray: Tray) {
    std::thread::spawn(move || {
        std::thread::sleep(FIRST_CHECK_AFTER);
        let mut checked_at: Option<Instant> = None;
        loop {
            let due = checked_at.is_none_or(|at| at.elapsed() >= CHECK_EVERY);
            if due && auto_check_enabled() {
                match check(tray.app_program()) {
                    UpdateAnswer::Offered(version) => {
                        tracing::info!("update available: {version}");
                        tray.set_offer(Some(version));
                        checked_at = Some(Instant::now());
                    }
                    UpdateAnswer::UpToDate => {
                        tracing::info!("no update available");
                        tray.set_offer(None);
                        checked_at = Some(Instant::now());
                    }
                    UpdateAnswer::NotConfigured => {
                        tracing::info!("automatic update checks are off: this build has no update key");
                        return;
                    }
                    // An offer found earlier stays; the next tick tries again.
                    UpdateAnswer::Failed(why) => tracing::warn!("update check failed: {why}"),
                }
            }
            std::thread::sleep(SCHEDULE_TICK);
        }
    });
}

/// The `update-check` setting, read fresh (the CLI or the window may have changed it).
fn auto_check_enabled() -> bool {
    checks_enabled(crate::stored_settings().as_ref())
}

/// Whether automatic update checks are on: the `update-check` setting, and on when the settings
/// cannot be read, since a missed security update is worse than an extra check. The one rule for
/// the tray's schedule and the window's Updates card.
pub fn checks_enabled(settings: Option<&llmgen_core::settings::Settings>) -> bool {
    settings.is_none_or(|s| s.update_check)
}

/// Runs one check in a process of the app's program `app` and reads its answer.
pub fn check(app: &Path) -> UpdateAnswer {
    let program = crate::windows::program_to_start(app);
    let child = Command::new(&program)
        .arg(CHECK_UPDATES_ARG)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => return UpdateAnswer::Failed(format!("could not start {}: {e}", program.display())),
    };
    let answer = child.stdout.take().and_then(|out| {
        BufReader::new(out)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| UpdateAnswer::decode(&line))
    });
    let status = child.wait();
    answer.unwrap_or_else(|| {
        UpdateAnswer::Failed(format!(
            "the update check ended without an answer ({})",
            status.map_or_else(|e| e.to_string(), |s| s.to_string())
        ))
    })
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    /// Proves the schedule follows the setting, and still checks when the settings cannot be
    /// read (a missed security update is worse than an extra check).
    #[test]
    fn checks_follow_the_setting_and_are_on_when_it_cannot_be_read() {
        let mut settings = llmgen_core::settings::Settings::default();
        assert!(checks_enabled(Some(&settings)));
        settings.update_check = false;
        assert!(!checks_enabled(Some(&settings)));
        assert!(checks_enabled(None));
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn program(dir: &Path, name: &str, script: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).expect("write the program");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    /// Proves the tray runs the app's program with `--check-updates` (a real child process) and
    /// finds its answer among other output, and that a program that ends without an answer, or
    /// cannot start, is a failure that says why rather than "up to date".
    #[test]
    fn the_answer_of_the_check_process_is_read_from_its_stdout() {
        let dir = tempfile::tempdir().expect("temp dir");
        let offers = program(
            dir.path(),
            "offers",
            r#"echo "Gtk-Message: a library's line"
[ "$1" = --check-updates ] && printf 'noise llmgen-link update-offered 9.9.9\n'"#,
        );
        assert_eq!(check(&offers), UpdateAnswer::Offered("9.9.9".into()));

        let silent = program(dir.path(), "silent", "echo nothing; exit 3");
        match check(&silent) {
            UpdateAnswer::Failed(why) => assert!(why.contains("exit status: 3"), "{why}"),
            other => panic!("a silent failure was taken for {other:?}"),
        }
        match check(&dir.path().join("missing")) {
            UpdateAnswer::Failed(why) => assert!(why.starts_with("could not start"), "{why}"),
            other => panic!("a missing program was taken for {other:?}"),
        }
    }
}
