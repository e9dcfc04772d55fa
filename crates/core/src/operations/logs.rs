//! Reading the server's daily log files (`logs/llmgen.YYYY-MM-DD.log`): entries filtered by level
//! and age for `logs` and the health check, the newest few for the app's Logs screen, and a follower for `logs --follow` that picks up the
//! next day's file when the server rotates.
//!
//! A line starts with an RFC 3339 timestamp and a level (tracing's format); lines without one
//! (a multi-line message) belong to the entry before them.

use std::{
    fs,
    io::{Read, Seek, SeekFrom},
    path::{Path, PathBuf},
};

use serde::Serialize;
use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};

/// The levels are the setting's type (settings owns them: it is what users set); entries here
/// are read and filtered by them.
pub use crate::settings::LogLevel;

/// File names: `llmgen.YYYY-MM-DD.log`.
const PREFIX: &str = "llmgen.";
const SUFFIX: &str = ".log";

/// Errors of reading logs; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    #[error(
        "{path} is not a folder, so the server cannot write log files (it logs to stderr only). Move that file aside; the server recreates the folder on its next start."
    )]
    NotAFolder { path: PathBuf },

    #[error("Cannot read {path}: {source}. Check that it is readable by you.")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{0}")]
    Invalid(String),
}

/// Parses an age such as `90s`, `15m`, `1h` or `2d`.
pub fn parse_age(text: &str) -> Result<Duration, LogsError> {
    let bad = || {
        LogsError::Invalid(format!(
            "'{text}' is not an age: write a number and a unit, e.g. 30m, 1h or 2d."
        ))
    };
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = t.split_at(split);
    let seconds_per_unit: i64 = match unit {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    // An age too long for any clock (`4000000000000000000d`) reaches back before every log
    // entry: it means "everything", so it becomes the longest duration rather than an error.
    let n: i64 = match n.parse() {
        Ok(n) => n,
        Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => return Ok(Duration::MAX),
        Err(_) => return Err(bad()),
    };
    Ok(n.checked_mul(seconds_per_unit)
        .map_or(Duration::MAX, Duration::seconds))
}

/// One log entry: its first line's time and level, and its whole text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    #[serde(serialize_with = "rfc3339")]
    pub time: OffsetDateTime,
    pub level: LogLevel,
    pub text: String,
}

fn rfc3339<S: serde::Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::timefmt::format(*t))
}

/// Which entries to return.
#[derive(Debug, Clone, Copy)]
pub struct LogQuery {
    /// The least severe level shown.
    pub min_level: LogLevel,
    /// Only entries at or after this time.
    pub since: Option<OffsetDateTime>,
}

impl LogQuery {
    /// A query as typed on a command line: a level name and an optional age (`1h`).
    pub fn parse(level: &str, since: Option<&str>) -> Result<Self, LogsError> {
        Ok(Self {
            min_level: LogLevel::parse(level).map_err(|e| LogsError::Invalid(e.to_string()))?,
            since: match since {
                // An age reaching back before the earliest time there is means every entry.
                Some(age) => crate::timefmt::now().checked_sub(parse_age(age)?),
                None => None,
            },
        })
    }

    fn wants(&self, e: &LogEntry) -> bool {
        e.level >= self.min_level && self.since.is_none_or(|s| e.time >= s)
    }
}

/// The first line of an entry: its time and level; `None` for a continuation line.
fn head(line: &str) -> Option<(OffsetDateTime, LogLevel)> {
    let mut words = line.split_whitespace();
    let time = OffsetDateTime::parse(words.next()?, &Rfc3339).ok()?;
    let level = LogLevel::parse(words.next()?).ok()?;
    Some((time, level))
}

/// Splits text into entries, appending continuation lines to the entry before them.
fn parse(text: &str, out: &mut Vec<LogEntry>) {
    for line in text.lines() {
        match head(line) {
            Some((time, level)) => out.push(LogEntry {
                time,
                level,
                text: line.to_string(),
            }),
            None => {
                if let Some(last) = out.last_mut() {
                    last.text.push('\n');
                    last.text.push_str(line);
                }
            }
        }
    }
}

/// The date in a log file's name.
fn file_date(path: &Path) -> Option<time::Date> {
    let name = path.file_name()?.to_str()?;
    let date = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    time::Date::parse(date, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// The log file of the UTC day `date` in `dir`, where the server writes that day's entries.
pub fn file_for(dir: &Path, date: time::Date) -> PathBuf {
    dir.join(format!(
        "{PREFIX}{:04}-{:02}-{:02}{SUFFIX}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// The daily log files in `dir`, oldest first. A missing folder has none.
pub fn files(dir: &Path) -> Result<Vec<PathBuf>, LogsError> {
    let io = |source| LogsError::Io {
        path: dir.to_path_buf(),
        source,
    };
    match fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
        Ok(m) if !m.is_dir() => {
            return Err(LogsError::NotAFolder {
                path: dir.to_path_buf(),
            });
        }
        Ok(_) => {}
    }
    let mut files: Vec<(time::Date, PathBuf)> = fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| file_date(&p).map(|d| (d, p)))
        .collect();
    files.sort();
    Ok(files.into_iter().map(|(_, p)| p).collect())
}

/// Every entry matching `query` in the daily files of `dir`, oldest first.
pub fn read(dir: &Path, query: &LogQuery) -> Result<Vec<LogEntry>, LogsError> {
    let mut out = Vec::new();
    for path in files(dir)? {
        // A file of a day before `since` holds nothing newer (files are named by UTC day).
        if let (Some(since), Some(date)) = (query.since, file_date(&path))
            && date < since.to_offset(time::UtcOffset::UTC).date()
        {
            continue;
        }
        let bytes = fs::read(&path).map_err(|source| LogsError::Io {
            path: path.clone(),
            source,
        })?;
        let mut entries = Vec::new();
        parse(&String::from_utf8_lossy(&bytes), &mut entries);
        out.extend(entries.into_iter().filter(|e| query.wants(e)));
    }
    Ok(out)
}

/// The newest `limit` entries matching `query`, oldest first: what a screen of recent lines
/// shows. Reads daily files from the newest back and stops once it has enough.
pub fn tail(dir: &Path, query: &LogQuery, limit: usize) -> Result<Vec<LogEntry>, LogsError> {
    let mut newest_first: Vec<LogEntry> = Vec::new();
    for path in files(dir)?.into_iter().rev() {
        if newest_first.len() >= limit {
            break;
        }
        let bytes = fs::read(&path).map_err(|source| LogsError::Io {
            path: path.clone(),
            source,
        })?;
        let mut entries = Vec::new();
        parse(&String::from_utf8_lossy(&bytes), &mut entries);
        let wanted = entries.into_iter().rev().filter(|e| query.wants(e));
        newest_first.extend(wanted.take(limit - newest_first.len()));
    }
    newest_first.reverse();
    Ok(newest_first)
}

/// Follows the newest daily file from its current end, moving to a newer file when one appears.
#[derive(Debug)]
pub struct Follower {
    dir: PathBuf,
    query: LogQuery,
    file: Option<PathBuf>,
    offset: u64,
    /// The last line read without its newline yet (the server is still writing it).
    partial: String,
}

impl Follower {
    /// Starts at the end of the newest file: `poll` returns only what is written from now on.
    pub fn new(dir: &Path, query: LogQuery) -> Result<Self, LogsError> {
        let file = files(dir)?.pop();
        let offset = match &file {
            Some(f) => fs::metadata(f).map(|m| m.len()).unwrap_or(0),
            None => 0,
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            query,
            file,
            offset,
            partial: String::new(),
        })
    }

    /// New complete entries since the last call.
    pub fn poll(&mut self) -> Result<Vec<LogEntry>, LogsError> {
        let mut text = String::new();
        let newest = files(&self.dir)?.pop();
        if let Some(file) = self.file.clone() {
            self.read_from(&file, &mut text)?;
        }
        if newest.is_some() && newest != self.file {
            // Rotation (or the first file appeared): the rest of the old file was read above.
            self.file = newest;
            self.offset = 0;
            if let Some(file) = self.file.clone() {
                self.read_from(&file, &mut text)?;
            }
        }
        // Keep an unfinished last line for the next poll.
        let complete = match text.rfind('\n') {
            Some(i) => {
                self.partial = text[i + 1..].to_string();
                &text[..=i]
            }
            None => {
                self.partial = text;
                return Ok(Vec::new());
            }
        };
        let mut entries = Vec::new();
        parse(complete, &mut entries);
        Ok(entries.into_iter().filter(|e| self.query.wants(e)).collect())
    }

    fn read_from(&mut self, file: &Path, text: &mut String) -> Result<(), LogsError> {
        let io = |source| LogsError::Io {
            path: file.to_path_buf(),
            source,
        };
        let mut f = match fs::File::open(file) {
            Ok(f) => f,
            // Pruned (30 files are kept) between two polls.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io(e)),
        };
        let len = f.metadata().map_err(io)?.len();
        if len < self.offset {
            self.offset = 0; // truncated by someone: read it again from the start
        }
        f.seek(SeekFrom::Start(self.offset)).map_err(io)?;
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).map_err(io)?;
        self.offset += bytes.len() as u64;
        text.push_str(&std::mem::take(&mut self.partial));
        text.push_str(&String::from_utf8_lossy(&bytes));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proves: ages too long for the clock are not a panic: they read as the longest duration,
    /// and `--since` with one means every entry; ordinary ages keep their meaning.
    #[test]
    fn huge_ages_mean_everything_and_never_overflow() {
        assert_eq!(parse_age("90s").expect("age"), Duration::seconds(90));
        assert_eq!(parse_age("4000000d").expect("age"), Duration::days(4_000_000));
        assert_eq!(parse_age(&format!("{}h", i64::MAX)).expect("age"), Duration::MAX);
        assert_eq!(parse_age("99999999999999999999999m").expect("age"), Duration::MAX);
        assert!(parse_age("12x").is_err());
        // About 11000 years back: still a time the clock can express, before every entry.
        let q = LogQuery::parse("info", Some("4000000d")).expect("a valid query");
        assert!(q.since.is_some_and(|s| s.year() < 0), "{:?}", q.since);
        // Further back than the clock can express (the old code panicked here): no bound.
        for age in ["40000000d", "9223372036854775807d", "99999999999999999999999h"] {
            let q = LogQuery::parse("info", Some(age)).expect("a valid query");
            assert_eq!(q.since, None, "{age} means everything");
        }
        let q = LogQuery::parse("info", Some("1h")).expect("query");
        assert!(q.since.is_some());
    }

    const DAY1: &str = "2026-11-22T23:59:00.000001Z  INFO llmgen_server: serving MCP on stdio\n\
2026-11-22T23:59:30.000000Z ERROR llmgen_server: usage not recorded: disk full\n";
    const DAY2: &str = "2026-11-23T08:00:00.000000Z  WARN llmgen_core: slow\n\
2026-11-23T09:00:00.000000Z ERROR llmgen_server: MCP session did not start: boom\n  caused by: pipe\n\
2026-11-23T10:00:00.000000Z DEBUG llmgen_server: detail\n";

    fn dir_with_logs() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("llmgen.2026-11-22.log"), DAY1).expect("write");
        fs::write(dir.path().join("llmgen.2026-11-23.log"), DAY2).expect("write");
        fs::write(dir.path().join("notes.txt"), "not a log").expect("write");
        dir
    }

    #[test]
    fn filters_by_level_and_age_across_daily_files() {
        // Proves level filtering, the since cut-off across a day boundary and that a
        // continuation line stays with its entry.
        let dir = dir_with_logs();
        let all_warn = read(
            dir.path(),
            &LogQuery {
                min_level: LogLevel::Warn,
                since: None,
            },
        )
        .expect("read");
        assert_eq!(all_warn.len(), 3);
        let since = time::macros::datetime!(2026-11-22 23:59:10 UTC);
        let errors = read(
            dir.path(),
            &LogQuery {
                min_level: LogLevel::Error,
                since: Some(since),
            },
        )
        .expect("read");
        assert_eq!(errors.len(), 2);
        assert!(errors[1].text.ends_with("caused by: pipe"), "{:?}", errors[1]);
    }

    #[test]
    fn a_missing_folder_has_no_logs_and_a_file_in_its_place_is_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(files(&dir.path().join("logs")).expect("missing").is_empty());
        let file = dir.path().join("logs");
        fs::write(&file, "x").expect("write");
        let e = files(&file).expect_err("a file, not a folder");
        assert!(e.to_string().contains("Move that file aside"), "{e}");
    }

    #[test]
    fn follower_sees_appended_lines_and_the_next_days_file() {
        // Proves follow starts at the end, returns only complete new lines, and switches files.
        let dir = dir_with_logs();
        let query = LogQuery {
            min_level: LogLevel::Info,
            since: None,
        };
        let mut f = Follower::new(dir.path(), query).expect("follower");
        assert!(f.poll().expect("poll").is_empty());
        let path = dir.path().join("llmgen.2026-11-23.log");
        let mut text = fs::read_to_string(&path).expect("read");
        text.push_str("2026-11-23T11:00:00.000000Z  INFO llmgen_server: one\n2026-11-23T11:00:01");
        fs::write(&path, &text).expect("append");
        let got = f.poll().expect("poll");
        assert_eq!(got.len(), 1);
        assert!(got[0].text.ends_with("one"));
        text.push_str(".000000Z  INFO llmgen_server: two\n");
        fs::write(&path, &text).expect("append");
        fs::write(
            dir.path().join("llmgen.2026-11-24.log"),
            "2026-11-24T00:00:01.000000Z  WARN llmgen_server: three\n",
        )
        .expect("new day");
        let got: Vec<String> = f.poll().expect("poll").into_iter().map(|e| e.text).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].ends_with("two") && got[1].ends_with("three"), "{got:?}");
    }

    #[test]
    fn ages_and_levels_parse_with_clear_errors() {
        assert_eq!(parse_age("1h").expect("1h"), Duration::hours(1));
        assert_eq!(parse_age("30m").expect("30m"), Duration::minutes(30));
        assert_eq!(parse_age("2d").expect("2d"), Duration::days(2));
        assert!(
            parse_age("soon")
                .expect_err("bad")
                .to_string()
                .contains("e.g. 30m")
        );
        assert!(parse_age("5").is_err());
        assert_eq!(LogLevel::parse("WARN").expect("warn"), LogLevel::Warn);
        assert!(LogLevel::parse("loud").is_err());
    }

    /// Proves: tail keeps the newest entries that pass the level filter, in time order, across
    /// daily files, with continuation lines kept; a limit of 0 returns nothing.
    #[test]
    fn tail_returns_the_newest_matching_entries() {
        let dir = dir_with_logs();
        let warn = LogQuery {
            min_level: LogLevel::Warn,
            since: None,
        };
        let last_two: Vec<String> = tail(dir.path(), &warn, 2)
            .expect("tail")
            .into_iter()
            .map(|e| e.text)
            .collect();
        assert_eq!(last_two.len(), 2, "{last_two:?}");
        assert!(last_two[0].ends_with("slow"), "{last_two:?}");
        assert!(last_two[1].ends_with("caused by: pipe"), "{last_two:?}");
        let all = tail(dir.path(), &warn, 100).expect("tail");
        assert_eq!(all, read(dir.path(), &warn).expect("read"));
        assert!(tail(dir.path(), &warn, 0).expect("tail").is_empty());
        let missing = dir.path().join("none");
        assert!(tail(&missing, &warn, 10).expect("no folder").is_empty());
    }
}
