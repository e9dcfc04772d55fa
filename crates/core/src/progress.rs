//! Progress of long operations (backup, restore, verify, vacuum), reported by core and drawn by
//! each front end in its own way (a bar or spinner on a terminal, plain lines in a log, a
//! progress event in the app).

/// Receives the progress of one long operation. Core calls it from the thread doing the work.
pub trait Progress: Send + Sync {
    /// A new stage begins. `total` is its size in bytes when known (a bar), `None` when not
    /// (a spinner with elapsed time).
    fn stage(&self, label: &str, total: Option<u64>);
    /// Bytes of the current stage done so far.
    fn advance(&self, done: u64);
    /// The current stage ended.
    fn finish(&self);
}

/// Reports nothing: scheduled backups in the server, tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _label: &str, _total: Option<u64>) {}
    fn advance(&self, _done: u64) {}
    fn finish(&self) {}
}
