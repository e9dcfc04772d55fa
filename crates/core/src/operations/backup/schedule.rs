//! Scheduled backups (setting `backup-schedule`, on by default; `backup-interval-hours`, 24):
//! whether one is due, and taking it. Where the app runs, it takes them; where none runs
//! (CLI-only users, a container), the first server process that finds one due takes it in a
//! background thread, and the backup lock makes sure only one of many processes does.

use std::time::Duration;

use time::OffsetDateTime;

use super::{BackupError, BackupInfo, CreateOptions, Lock, Reason, Retention, create, retention};
use crate::{Store, paths::DataDir, progress::Silent, settings::Settings};

/// How long a server waits after its start before looking: a process spawned for a quick
/// probe (the health check's handshake, a client listing tools) exits before doing any work.
const START_DELAY: Duration = Duration::from_secs(2);

/// True when the schedule is on and the newest backup is older than the interval (or there is
/// none).
pub fn is_due(settings: &Settings, newest: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    if !settings.backup_schedule {
        return false;
    }
    let interval = time::Duration::hours(i64::from(settings.backup_interval_hours.max(1)));
    newest.is_none_or(|newest| now - newest >= interval)
}

/// Age of the newest backup in the data dir's backup folder; `None` when there is none.
/// When the newest backup in the data dir was taken, for the health check (`None`: never).
pub fn newest(data_dir: &DataDir) -> Result<Option<time::OffsetDateTime>, BackupError> {
    Ok(super::list(data_dir)?.first().map(|b| b.created))
}

pub fn last_backup_age(data_dir: &DataDir) -> Result<Option<time::Duration>, BackupError> {
    let newest = super::list(data_dir)?.first().map(|b| b.created);
    Ok(newest.map(|t| crate::timefmt::now() - t))
}

/// Removes what a killed backup left (when no other process holds the backup lock), then takes
/// a scheduled backup if one is due and prunes by the retention settings. `Ok(None)` when
/// nothing was due or another process holds the lock.
pub fn run_if_due(data_dir: &DataDir) -> Result<Option<BackupInfo>, BackupError> {
    if !data_dir.db_path().exists() {
        return Ok(None);
    }
    let settings = crate::settings::load(&Store::open(data_dir)?)?;
    let Some(_lock) = Lock::try_acquire(data_dir)? else {
        return Ok(None);
    };
    // Even when no backup is due (scheduled backups off, or far apart): a killed backup's temp
    // copy can be as large as the database.
    super::remove_leftovers(&super::backups_dir(data_dir));
    let newest = super::list(data_dir)?.first().map(|b| b.created);
    if !is_due(&settings, newest, crate::timefmt::now()) {
        return Ok(None);
    }
    let options = CreateOptions {
        reason: Reason::Scheduled,
        ..CreateOptions::default()
    };
    let (info, _) = create::create_locked(data_dir, &options, &Silent)?;
    let pruned = retention::prune_locked(data_dir, Retention::from_settings(&settings))?;
    if !pruned.removed.is_empty() {
        tracing::info!(removed = pruned.removed.len(), "old backups pruned");
    }
    Ok(Some(info))
}

/// Starts a background thread that takes a due backup shortly after start (the server calls
/// this once its MCP session is up). Errors are logged, never fatal: serving matters more.
pub fn spawn_due_backup(data_dir: DataDir) -> Option<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("scheduled-backup".into())
        .spawn(move || {
            std::thread::sleep(START_DELAY);
            match run_if_due(&data_dir) {
                Ok(Some(info)) => tracing::info!(path = %info.path.display(), "scheduled backup taken"),
                Ok(None) => tracing::debug!("no scheduled backup due"),
                Err(e) => tracing::warn!("scheduled backup failed: {e}"),
            }
        })
        .inspect_err(|e| tracing::warn!("could not start the scheduled backup: {e}"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_backup_is_due_after_the_interval_or_when_there_is_none() {
        let now = datetime!(2026-11-23 12:00 UTC);
        let mut s = Settings::default();
        assert!(is_due(&s, None, now));
        assert!(!is_due(&s, Some(now - time::Duration::hours(23)), now));
        assert!(is_due(&s, Some(now - time::Duration::hours(24)), now));
        s.backup_interval_hours = 6;
        assert!(is_due(&s, Some(now - time::Duration::hours(7)), now));
        s.backup_schedule = false;
        assert!(!is_due(&s, None, now), "off means never");
    }
}
