//! Telling whether a registered pid is still the process that registered (and not a later one
//! that reused its number), and signalling it. On Linux a process is identified by its pid and
//! its start time (`/proc/<pid>/stat`, field 22, clock ticks since boot), which no later process
//! with the same pid can share; elsewhere on Unix by the pid alone; on Windows through `tasklist`
//! and `taskkill`.

/// This process's start marker, as [`is_same`] compares it (`None` where the system gives none).
pub fn own_start() -> Option<u64> {
    start_of(std::process::id())
}

/// The start marker of process `pid`, if it runs and the system tells (Linux only). A zombie
/// (ended, waiting for its parent to collect it) does not run.
pub fn start_of(pid: u32) -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        parse_start(&stat)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        None
    }
}

/// Field 22 (`starttime`) of a `/proc/<pid>/stat` line. The command name (field 2) is in
/// parentheses and may itself hold spaces and parentheses, so fields are counted after the last `)`.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_start(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // After the name come field 3 (state) onwards: starttime is the 20th of them.
    let mut fields = after_name.split_whitespace();
    let state = fields.next()?;
    if matches!(state, "Z" | "X" | "x") {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

/// Whether `pid` is alive and, where the system tells start times, started when `start` says:
/// a dead pid, or one reused by a later process, is not the registered server.
pub fn is_same(pid: u32, start: Option<u64>) -> bool {
    if pid == 0 {
        return false;
    }
    #[cfg(target_os = "linux")]
    {
        match (start_of(pid), start) {
            (Some(now), Some(then)) => now == then,
            // A record without a marker (written where none was known): alive is all we can tell.
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        let _ = start;
        rustix::process::Pid::from_raw(pid as i32)
            .is_some_and(|p| rustix::process::test_kill_process(p).is_ok())
    }
    #[cfg(windows)]
    {
        let _ = start;
        std::process::Command::new("tasklist")
            .args(["/FI", &format!("PID eq {pid}"), "/NH", "/FO", "CSV"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(&format!("\"{pid}\"")))
    }
}

/// How a process is asked to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// SIGTERM: the server flushes its metrics, checkpoints and removes its record.
    Stop,
    /// SIGKILL: for a process that did not stop within the grace period.
    Kill,
}

/// Sends `ask` to `pid`. The caller has just checked with [`is_same`] that it is our server.
pub fn signal(pid: u32, ask: Ask) -> Result<(), String> {
    #[cfg(unix)]
    {
        use rustix::process::{Pid, Signal, kill_process};
        let pid = i32::try_from(pid)
            .ok()
            .and_then(Pid::from_raw)
            .ok_or_else(|| format!("{pid} is not a process id"))?;
        let signal = match ask {
            Ask::Stop => Signal::TERM,
            Ask::Kill => Signal::KILL,
        };
        kill_process(pid, signal).map_err(|e| e.to_string())
    }
    #[cfg(windows)]
    {
        let mut command = std::process::Command::new("taskkill");
        command.args(["/PID", &pid.to_string()]);
        if ask == Ask::Kill {
            command.arg("/F");
        }
        let out = command.output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_time_is_read_after_a_command_name_with_spaces_and_parentheses() {
        // Proves: a process named "a) b (c" does not shift the fields; starttime is field 22.
        let stat = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        assert_eq!(parse_start(stat), Some(987_654));
        assert_eq!(parse_start("garbage"), None);
        // A zombie has ended: it is not a running server, whatever its start time.
        assert_eq!(parse_start(&stat.replace(") S ", ") Z ")), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_is_itself_and_not_a_process_started_at_another_time() {
        // Proves: the marker of a live process matches itself, and a reused pid (same number,
        // other start) or a dead pid is not taken for it.
        let me = std::process::id();
        let start = own_start();
        assert!(start.is_some());
        assert!(is_same(me, start));
        assert!(!is_same(me, start.map(|s| s + 1)));
        assert!(!is_same(u32::MAX - 1, None));
    }
}
