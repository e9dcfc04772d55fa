//! `backup prune`: keep the newest backup of each of the last N days and of each of the last M
//! weeks that have backups (settings `backup-keep-daily`, `backup-keep-weekly`); delete the rest
//! of the backup folder's backups with their manifests. Pre-restore safety copies are kept by
//! their own rule: all younger than 30 days, and at least the newest 3.

use std::{collections::BTreeSet, fs, path::PathBuf};

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::{BackupError, BackupInfo, Lock, Reason, manifest};
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
    // A cleanup: what a killed backup left goes too.
    super::remove_leftovers(&super::backups_dir(data_dir));
    let backups = super::list(data_dir)?;
    let keep = kept(&backups, retention, crate::timefmt::now());
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

/// Pre-restore safety copies younger than this are never pruned: they hold the data as it was
/// before a restore, which may be the only copy of it.
pub const PRE_RESTORE_MIN_AGE: Duration = Duration::days(30);
/// Older pre-restore safety copies: at least this many of the newest are kept.
pub const PRE_RESTORE_KEEP: usize = 3;

/// Which of `backups` (newest first) to keep at `now`: the newest of each of the `keep_daily`
/// most recent UTC days that have a backup, and of each of the `keep_weekly` most recent ISO
/// weeks. Pre-restore safety copies follow their own rule and take no day's or week's place:
/// every one younger than [`PRE_RESTORE_MIN_AGE`], and at least the newest
/// [`PRE_RESTORE_KEEP`], are kept.
pub fn kept(backups: &[BackupInfo], retention: Retention, now: OffsetDateTime) -> Vec<bool> {
    let mut days = BTreeSet::new();
    let mut weeks = BTreeSet::new();
    let mut pre_restore_seen = 0usize;
    let young_after = now
        .checked_sub(PRE_RESTORE_MIN_AGE)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    backups
        .iter()
        .map(|b| {
            if is_pre_restore(b) {
                pre_restore_seen = pre_restore_seen.saturating_add(1);
                return b.created > young_after || pre_restore_seen <= PRE_RESTORE_KEEP;
            }
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

/// A pre-restore safety copy: by its manifest, or by its name when the manifest is missing.
fn is_pre_restore(b: &BackupInfo) -> bool {
    match b.reason {
        Some(reason) => reason == Reason::PreRestore,
        None => b
            .path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains("-pre-restore")),
    }
}

fn iso_week(t: OffsetDateTime) -> (i32, u8) {
    let (year, week, _) = t.to_offset(time::UtcOffset::UTC).date().to_iso_week_date();
    (year, week)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

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
            newest,
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

    fn pre_restore(created: OffsetDateTime) -> BackupInfo {
        BackupInfo {
            reason: Some(Reason::PreRestore),
            path: PathBuf::from(format!("p-{}", created.unix_timestamp())),
            ..at(created)
        }
    }

    /// Proves: two restores on one day keep both safety copies (the older holds the original
    /// data) and they do not push the day's regular backup out; pre-restore copies younger
    /// than 30 days are all kept whatever their number, and of older ones the newest 3 are kept.
    #[test]
    fn pre_restore_copies_are_kept_for_30_days_and_at_least_three() {
        let now = datetime!(2026-11-23 18:00 UTC);
        let one_a_day = Retention {
            keep_daily: 1,
            keep_weekly: 0,
        };
        // Restore A then B today, between two regular backups.
        let backups = [
            at(now - Duration::hours(1)),
            pre_restore(now - Duration::hours(2)),
            pre_restore(now - Duration::hours(3)),
            at(now - Duration::hours(4)),
        ];
        assert_eq!(kept(&backups, one_a_day, now), [true, true, true, false]);

        // Ten pre-restore copies, one every 10 days: the three younger than 30 days (0, 10, 20
        // days) are kept as the minimum three; 30 days and older are pruned...
        let spread: Vec<BackupInfo> = (0..10)
            .map(|i| pre_restore(now - Duration::days(10 * i)))
            .collect();
        let keep = kept(&spread, one_a_day, now);
        assert_eq!(keep.iter().filter(|k| **k).count(), 3, "{keep:?}");
        assert!(keep[..3].iter().all(|k| *k));
        // ...while five within the last 30 days are all kept, not only three.
        let recent: Vec<BackupInfo> = (0..5).map(|i| pre_restore(now - Duration::days(5 * i))).collect();
        assert!(kept(&recent, one_a_day, now).iter().all(|k| *k));
        // Old ones alone: the newest three survive.
        let old: Vec<BackupInfo> = (0..5)
            .map(|i| pre_restore(now - Duration::days(100 + i)))
            .collect();
        assert_eq!(kept(&old, one_a_day, now), [true, true, true, false, false]);
    }
}
