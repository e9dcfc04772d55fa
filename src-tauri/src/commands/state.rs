//! The window's state, opened once at start: the data folder, the store and the direct provider
//! calls. A failure to open is kept and returned by every command that needs the missing part, so
//! the UI says what is wrong instead of the app crashing.

use std::sync::Arc;

use llmgen_core::{Store, clients::Clients, generation::providers::Direct, paths::DataDir};

use super::IpcError;

/// The app's handle on the store, opened once at start.
pub struct AppState {
    data_dir: Result<DataDir, IpcError>,
    store: Result<Arc<Store>, IpcError>,
    /// Direct provider calls and the key cache of this process.
    direct: Direct,
}

impl AppState {
    pub fn open() -> Self {
        let data_dir = DataDir::resolve(None).map_err(unavailable);
        let store = match &data_dir {
            Ok(dir) => Store::open(dir).map(Arc::new).map_err(unavailable),
            Err(e) => Err(e.clone()),
        };
        if let Err(e) = &store {
            tracing::error!("store unavailable: {e}");
        }
        Self {
            data_dir,
            store,
            direct: Direct::new(),
        }
    }

    pub(crate) fn store(&self) -> Result<Arc<Store>, IpcError> {
        self.store.clone()
    }

    pub(crate) fn direct(&self) -> Direct {
        self.direct.clone()
    }

    pub(crate) fn data_dir(&self) -> Result<DataDir, IpcError> {
        self.data_dir.clone()
    }

    /// Client files, found from this user's HOME and config dirs; locks, backups and the record of
    /// configured files live in the data dir.
    pub(crate) fn clients(&self) -> Result<Clients, IpcError> {
        Ok(Clients::from_env(self.data_dir()?))
    }
}

/// Whatever kept the data folder or the store from opening, every command needing it is
/// unavailable; the sentence is the core's.
fn unavailable(e: llmgen_core::CoreError) -> IpcError {
    IpcError::unavailable(e.to_string())
}
