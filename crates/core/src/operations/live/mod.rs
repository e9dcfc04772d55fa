//! Live servers of one data dir: which `serve` processes run now (each registers itself in
//! `<data dir>/live/<pid>.json` while it runs, with the client it serves and when it was last
//! used), the last connection of each AI app, the emergency stop of them all and the paused state
//! that keeps servers started afterwards from doing anything until the user resumes.

pub mod connections;
mod event;
mod pause;
mod process;
mod record;
mod registration;
mod stop;

use std::path::{Path, PathBuf};

pub use connections::{Connection, never_connected_since_setup};
pub use pause::{PAUSED_TOOL_ERROR, Paused, is_paused, pause, paused, resume};
pub use record::{LiveServer, list, live_dir};
pub use registration::{ClientHello, Registration, TOUCH_WRITE_EVERY};
pub use stop::{STOP_GRACE, StopOutcome, StopReport, StoppedServer, stop_all, stop_all_within};

/// Why the registry or the paused state could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("Cannot {action} {path}: {source}. Check that the data folder is writable by you.")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl LiveError {
    fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}
