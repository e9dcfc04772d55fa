//! A serving process's own registration: made when `serve` starts, told about the client after
//! the handshake, touched on every tool call (a write at most every few seconds, never one per
//! call), and removed when the process ends cleanly (a killed process's record is removed by the
//! next listing).

use std::{
    path::PathBuf,
    sync::Mutex,
    time::{Duration, Instant},
};

use time::OffsetDateTime;

use super::{LiveError, LiveServer, process, record};
use crate::{paths::DataDir, timefmt};

/// Tool calls within this long of the last write are written with the next one (or by
/// [`Registration::flush`]): "last used" is for people, a few seconds late is fine.
pub const TOUCH_WRITE_EVERY: Duration = Duration::from_secs(5);

/// What the client said in its handshake.
#[derive(Debug, Clone, Default)]
pub struct ClientHello {
    pub name: String,
    pub version: String,
    pub sampling: bool,
}

/// This process's record; removed on drop.
pub struct Registration {
    path: PathBuf,
    state: Mutex<State>,
}

struct State {
    record: LiveServer,
    last_call: Option<OffsetDateTime>,
    written: Instant,
    dirty: bool,
    /// Set by [`Registration::end`]: nothing is written any more.
    ended: bool,
}

impl Registration {
    /// Registers this process as a server of `data_dir`, for the client `client_id` if known.
    pub fn register(data_dir: &DataDir, client_id: Option<&str>) -> Result<Self, LiveError> {
        let pid = std::process::id();
        let record = LiveServer {
            pid,
            process_start: process::own_start(),
            started_at: timefmt::now_string(),
            data_dir: data_dir.root().to_path_buf(),
            client_id: client_id.map(str::to_string),
            client_name: None,
            client_version: None,
            sampling: None,
            last_call_at: None,
            version: crate::VERSION.to_string(),
        };
        let path = record::path_of(data_dir, pid);
        record::write(&path, &record)?;
        Ok(Self {
            path,
            state: Mutex::new(State {
                record,
                last_call: None,
                written: Instant::now(),
                dirty: false,
                ended: false,
            }),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The record as last written or changed.
    pub fn snapshot(&self) -> LiveServer {
        let state = self.state();
        let mut record = state.record.clone();
        record.last_call_at = state.last_call.map(timefmt::format);
        record
    }

    /// Records the client's handshake (written at once: the app shows who connected).
    pub fn connected(&self, hello: &ClientHello) {
        let mut state = self.state();
        state.record.client_name = Some(hello.name.clone());
        state.record.client_version = Some(hello.version.clone());
        state.record.sampling = Some(hello.sampling);
        self.write(&mut state);
    }

    /// A tool call now: the first is written at once (the app shows "used" straight away),
    /// later ones when the last write is old enough.
    pub fn touch(&self) {
        let mut state = self.state();
        let first = state.last_call.is_none();
        state.last_call = Some(timefmt::now());
        state.dirty = true;
        if first || state.written.elapsed() >= TOUCH_WRITE_EVERY {
            self.write(&mut state);
        }
    }

    /// Writes a call that [`touch`](Self::touch) kept in memory (a periodic tick calls this).
    pub fn flush(&self) {
        let mut state = self.state();
        if state.dirty {
            self.write(&mut state);
        }
    }

    /// Takes the record away now (the process is stopping); later touches write nothing.
    pub fn end(&self) {
        let mut state = self.state();
        state.ended = true;
        self.remove();
    }

    fn remove(&self) {
        if let Err(e) = std::fs::remove_file(&self.path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::debug!("live record not removed ({e}); the next listing removes it");
        }
    }

    fn write(&self, state: &mut State) {
        if state.ended {
            return;
        }
        state.record.last_call_at = state.last_call.map(timefmt::format);
        match record::write(&self.path, &state.record) {
            Ok(()) => state.dirty = false,
            Err(e) => tracing::debug!("live record not updated: {e}"),
        }
        state.written = Instant::now();
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.remove();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_is_listed_with_its_client_until_dropped() {
        // Proves: register writes a record the listing returns, the handshake's name and the
        // sampling flag are written at once, a call is written by flush, and drop removes it.
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = DataDir::at(dir.path());
        let reg = Registration::register(&data_dir, Some("cursor")).expect("register");
        reg.connected(&ClientHello {
            name: "cursor-vscode".into(),
            version: "1.2".into(),
            sampling: true,
        });
        let listed = record::list(&data_dir).expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].client_id.as_deref(), Some("cursor"));
        assert_eq!(listed[0].client_name.as_deref(), Some("cursor-vscode"));
        assert_eq!(listed[0].sampling, Some(true));
        assert_eq!(listed[0].last_call_at, None);
        reg.touch();
        let first = record::list(&data_dir).expect("list")[0].last_call_at.clone();
        assert!(first.is_some(), "the first call is written at once");
        // A second call within the interval waits in memory until flush.
        std::thread::sleep(std::time::Duration::from_millis(2));
        reg.touch();
        assert_eq!(record::list(&data_dir).expect("list")[0].last_call_at, first);
        reg.flush();
        assert_ne!(record::list(&data_dir).expect("list")[0].last_call_at, first);
        drop(reg);
        assert!(record::list(&data_dir).expect("list").is_empty());
    }
}
