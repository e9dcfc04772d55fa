//! `backup prune`: keep the newest backup of each of the last N days and of each of the last M
//! weeks that have backups (settings `backup-keep-daily`, `backup-keep-weekly`); delete the rest
//! of the backup folder's backups with their manifests.

use std::{collections::BTreeSet, fs, path::PathBuf};

use serde::Serialize;
use time::OffsetDateTime;

use super::{BackupError, BackupInfo, Lock, manifest};
use crate::{Store, paths::DataDir, settings};

/// How many backups to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Retention {
    pub keep_daily: u32,
    pub keep_weekly: u32,
}

impl Retention {
    /// The retention of the settings.
    pub fn from_settings(settings: &settings::Settings) -> Self {
        Self {
            keep_daily: settings.backup_keep_daily,
            keep_weekly: settings.backup_keep_weekly,
        }
    }

    pub fn load(store: &Store) -> Result<Self, BackupError> {
        Ok(Self::from_settings(&settings::load(store)?))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PruneReport {
    pub retention: Retention,
    pub kept: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    pub bytes_freed: u64,
}

/// Deletes the backups the retention does not keep.
pub fn prune(data_dir: &DataDir, retention: Retention) -> Result<PruneReport, BackupError> {
    let _lock = Lock::acquire(data_dir)?;
    prune_locked(data_dir, retention)
}

pub(crate) fn prune_locked(data_dir: &DataDir, retention: Retention) -> Result<PruneReport, BackupError> {
    let backups = super::list(data_dir)?;
    let keep = kept(&backups, retention);
    let mut report = PruneReport {
        retention,
        kept: Vec::new(),
        removed: Vec::new(),
        bytes_freed: 0,
    };
    for (backup, keep) in backups.into_iter().zip(keep) {
        if keep {
            report.kept.push(backup.path);
            continue;
        }
        fs::remove_file(&backup.path).map_err(|e| BackupError::io("remove", &backup.path, e))?;
        let _ = fs::remove_file(manifest::path_of(&backup.path));
        report.bytes_freed += backup.size_bytes;
        report.removed.push(backup.path);
    }
    Ok(report)
}

/// Which of `backups` (newest first) to keep: the newest of each of the `keep_daily` most
/// recent UTC days that have a backup, and of each of the `keep_weekly` most recent ISO weeks.
pub fn kept(backups: &[BackupInfo], retention: Retention) -> Vec<bool> {
    let mut days = BTreeSet::new();
    let mut weeks = BTreeSet::new();
    backups
        .iter()
        .map(|b| {
            let day = b.created.date();
            let week = iso_week(b.created);
            let daily = !days.contains(&day) && days.len() < retention.keep_daily as usize;
            if daily {
                days.insert(day);
            }
            let weekly = !weeks.contains(&week) && weeks.len() < retention.keep_weekly as usize;
            if weekly {
                weeks.insert(week);
            }
            daily || weekly
        })
        .collect()
}

fn iso_week(t: OffsetDateTime) -> (i32, u8) {
    let (year, week, _) = t.to_offset(time::UtcOffset::UTC).date().to_iso_week_date();
    (year, week)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Duration, macros::datetime};

    fn at(created: OffsetDateTime) -> BackupInfo {
        BackupInfo {
            path: PathBuf::from(format!("b-{}", created.unix_timestamp())),
            created,
            size_bytes: 1,
            encrypted: false,
            schema_version: None,
            reason: None,
            integrity_failed: false,
        }
    }

    /// 60 days of backups, two a day (newest first): keep 7 daily + 4 weekly keeps exactly the
    /// newest of the 7 newest days plus the newest of 3 further weeks (the newest week is
    /// already covered by a daily one), i.e. 9 backups, and never two of one day.
    #[test]
    fn retention_keeps_the_newest_per_day_and_week() {
        let newest = datetime!(2026-11-23 18:00 UTC); // a Monday
        let backups: Vec<BackupInfo> = (0..120).map(|i| at(newest - Duration::hours(12 * i))).collect();
        let keep = kept(
            &backups,
            Retention {
                keep_daily: 7,
                keep_weekly: 4,
            },
        );
        let kept: Vec<&BackupInfo> = backups
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(b, _)| b)
            .collect();
        assert!(keep[0], "the newest is always kept");
        assert!(!keep[1], "the second of the same day is not");
        let days: BTreeSet<_> = kept.iter().map(|b| b.created.date()).collect();
        assert_eq!(days.len(), kept.len(), "one per day at most");
        // Days 23..17 Nov (7 daily); weeks: 2026-W48 (23 Nov, daily), W47 (newest: Sun 22 Nov,
        // already daily), W46 (Sun 15 Nov), W45 (Sun 8 Nov).
        assert_eq!(
            kept.len(),
            9,
            "{:?}",
            kept.iter().map(|b| b.created).collect::<Vec<_>>()
        );
        assert_eq!(
            kept.last().map(|b| b.created),
            Some(datetime!(2026-11-08 18:00 UTC))
        );
    }
}
