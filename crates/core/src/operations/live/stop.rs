//! The emergency stop, one function for every front end (CLI `stop --all`, the tray, the app):
//! pause, ask every registered server of the data dir to stop (SIGTERM, SIGKILL after a grace
//! period), checkpoint the WAL, take an emergency backup and log what was done.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use serde::Serialize;

use super::{LiveError, LiveServer, Paused, event, pause, process, record};
use crate::{
    Store,
    operations::backup::{self, CreateOptions, Reason},
    paths::DataDir,
};

/// How long servers get to end by themselves after SIGTERM (they need well under a second).
pub const STOP_GRACE: Duration = Duration::from_secs(3);
/// How long a SIGKILLed process may take to disappear.
const KILL_WAIT: Duration = Duration::from_secs(2);
/// How long the checkpoint waits for a transaction still open elsewhere.
const CHECKPOINT_WAIT: Duration = Duration::from_secs(2);

/// How one server ended.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopOutcome {
    /// It ended after SIGTERM, within the grace period.
    Stopped,
    /// It had to be killed (SIGKILL) after the grace period.
    Killed,
    /// It had ended by itself before it could be asked.
    AlreadyGone,
    /// It could not be stopped (see `error`).
    Failed,
}

/// One server the stop dealt with.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoppedServer {
    pub server: LiveServer,
    pub outcome: StopOutcome,
    pub error: Option<String>,
}

/// What an emergency stop did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StopReport {
    pub servers: Vec<StoppedServer>,
    /// The paused state now in force (servers that clients start again refuse tool calls).
    pub paused: Paused,
    /// Whether the WAL was folded into the database file; false when there is no database yet
    /// or another process kept it open (its data is safe in the WAL either way).
    pub checkpointed: bool,
    /// The emergency backup; `None` when there is no database yet or it failed (see `problems`).
    pub backup: Option<PathBuf>,
    /// What did not work, in sentences (a failed backup, a process that would not stop).
    pub problems: Vec<String>,
}

/// Stops every serving process registered in `data_dir` (never this process, nor the tray, the
/// window or a command: only `serve` processes register), as `by` (`cli`, `tray`, `app`) asked.
pub fn stop_all(data_dir: &DataDir, by: &str) -> Result<StopReport, LiveError> {
    stop_all_within(data_dir, by, STOP_GRACE)
}

/// [`stop_all`] with another grace period (tests of the SIGKILL path).
pub fn stop_all_within(data_dir: &DataDir, by: &str, grace: Duration) -> Result<StopReport, LiveError> {
    // Paused first: a server a client starts while the others stop already refuses calls.
    let paused = pause::pause(data_dir, by)?;
    let me = std::process::id();
    let targets: Vec<LiveServer> = record::list(data_dir)?
        .into_iter()
        .filter(|s| s.pid != me && same_folder(&s.data_dir, data_dir.root()))
        .collect();
    let mut servers: Vec<StoppedServer> = targets
        .into_iter()
        .map(|server| ask(server, process::Ask::Stop, StopOutcome::Stopped))
        .collect();
    wait_until_gone(&servers, grace);
    for s in servers.iter_mut().filter(|s| s.outcome == StopOutcome::Stopped) {
        if process::is_same(s.server.pid, s.server.process_start) {
            *s = ask(s.server.clone(), process::Ask::Kill, StopOutcome::Killed);
        }
    }
    wait_until_gone(&servers, KILL_WAIT);
    let mut problems = Vec::new();
    for s in &mut servers {
        if s.outcome != StopOutcome::Failed && process::is_same(s.server.pid, s.server.process_start) {
            s.outcome = StopOutcome::Failed;
            s.error = Some("it was still running after SIGKILL".into());
        }
        if let Some(e) = &s.error {
            problems.push(format!("Server {} could not be stopped: {e}.", s.server.pid));
        }
    }
    // The records of killed servers are removed now, not at the next listing.
    let _ = record::list(data_dir);
    let (checkpointed, backup) = checkpoint_and_back_up(data_dir, &mut problems);
    event::log(
        data_dir,
        "WARN",
        &summary(&servers, by, backup.as_ref(), &problems),
    );
    Ok(StopReport {
        servers,
        paused,
        checkpointed,
        backup,
        problems,
    })
}

/// Whether a record's data dir is this one (a copied data dir's records name the original's
/// processes, which are not ours to stop).
fn same_folder(a: &std::path::Path, b: &std::path::Path) -> bool {
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    canonical(a) == canonical(b)
}

/// Checks that the pid is still the registered server, then signals it.
fn ask(server: LiveServer, how: process::Ask, outcome: StopOutcome) -> StoppedServer {
    let (outcome, error) = if !process::is_same(server.pid, server.process_start) {
        (StopOutcome::AlreadyGone, None)
    } else {
        match process::signal(server.pid, how) {
            Ok(()) => (outcome, None),
            Err(e) => (StopOutcome::Failed, Some(e)),
        }
    };
    StoppedServer {
        server,
        outcome,
        error,
    }
}

/// Waits until no signalled server runs, or `within` has passed.
fn wait_until_gone(servers: &[StoppedServer], within: Duration) {
    let until = Instant::now() + within;
    while servers
        .iter()
        .any(|s| s.outcome != StopOutcome::Failed && process::is_same(s.server.pid, s.server.process_start))
        && Instant::now() < until
    {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The WAL checkpoint and the emergency backup, when there is a database.
fn checkpoint_and_back_up(data_dir: &DataDir, problems: &mut Vec<String>) -> (bool, Option<PathBuf>) {
    if !data_dir.db_path().exists() {
        return (false, None);
    }
    let checkpointed = match Store::open(data_dir).and_then(|s| s.checkpoint(CHECKPOINT_WAIT)) {
        Ok(done) => done,
        Err(e) => {
            problems.push(format!("The WAL was not checkpointed: {e}"));
            false
        }
    };
    let options = CreateOptions {
        reason: Reason::Emergency,
        ..CreateOptions::default()
    };
    let backup = match backup::create(data_dir, &options, &crate::progress::Silent) {
        Ok((info, _)) => Some(info.path),
        Err(e) => {
            problems.push(format!("The emergency backup failed: {e}"));
            None
        }
    };
    (checkpointed, backup)
}

/// The log line of the stop.
fn summary(servers: &[StoppedServer], by: &str, backup: Option<&PathBuf>, problems: &[String]) -> String {
    let each: Vec<String> = servers
        .iter()
        .map(|s| {
            let who = s
                .server
                .client_name
                .as_deref()
                .or(s.server.client_id.as_deref())
                .unwrap_or("unknown client");
            format!("{} ({who}): {:?}", s.server.pid, s.outcome)
        })
        .collect();
    format!(
        "emergency stop by {by}: {} server(s) [{}]; serving paused; backup {}{}",
        servers.len(),
        each.join(", "),
        backup.map_or("not taken".to_string(), |p| p.display().to_string()),
        if problems.is_empty() {
            String::new()
        } else {
            format!("; problems: {}", problems.join(" "))
        }
    )
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// A record for `child`, as a serving process would have written it.
    fn register(data_dir: &DataDir, child: &std::process::Child) {
        let pid = child.id();
        let server = LiveServer {
            pid,
            process_start: process::start_of(pid),
            started_at: crate::timefmt::now_string(),
            data_dir: data_dir.root().to_path_buf(),
            client_id: None,
            client_name: None,
            client_version: None,
            sampling: None,
            last_call_at: None,
            version: crate::VERSION.into(),
        };
        record::write(&record::path_of(data_dir, pid), &server).expect("record");
    }

    #[test]
    fn a_server_that_ignores_sigterm_is_killed_after_the_grace_period_and_others_are_left_alone() {
        // Proves: the stop escalates to SIGKILL for a registered process that ignores SIGTERM,
        // reports it as killed, removes its record and pauses; an unregistered process is not
        // touched; with no database there is nothing to back up and that is no problem.
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = DataDir::at(dir.path());
        // SIG_IGN survives exec: `sleep` itself ignores SIGTERM.
        let mut stubborn = std::process::Command::new("sh")
            .args(["-c", "trap '' TERM; exec sleep 30"])
            .spawn()
            .expect("spawn");
        let mut bystander = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("spawn");
        // Let the shell reach `exec sleep` with TERM ignored.
        std::thread::sleep(Duration::from_millis(300));
        register(&data_dir, &stubborn);

        let report = stop_all_within(&data_dir, "test", Duration::from_millis(300)).expect("stop");
        assert_eq!(report.servers.len(), 1);
        assert_eq!(report.servers[0].outcome, StopOutcome::Killed, "{report:?}");
        assert!(report.problems.is_empty(), "{report:?}");
        assert_eq!(report.backup, None);
        assert_eq!(report.paused.by, "test");
        assert!(pause::is_paused(&data_dir));
        assert!(record::list(&data_dir).expect("list").is_empty());
        assert!(stubborn.wait().is_ok());
        assert!(
            bystander.try_wait().expect("state").is_none(),
            "the bystander was stopped"
        );
        let _ = bystander.kill();
        let _ = bystander.wait();
    }
}
