//! This serving process in the data dir's live registry: registered at start with the client id
//! its entry passed (`--client`), told the client's name, version and sampling offer once it is
//! known (the handshake of a legacy session, or the first request of a 2026-07-28 one, which
//! carries them), touched on every tool call; removed when the process ends.

use std::sync::OnceLock;

use llmgen_core::{
    Store,
    operations::live::{self, ClientHello, Registration},
    paths::DataDir,
};
use rmcp::model::{ClientCapabilities, Implementation};

/// The registration and what is known of the client.
pub struct Live {
    registration: Registration,
    client_id: Option<String>,
    greeted: OnceLock<()>,
}

impl Live {
    /// Registers this process; `None` (logged) when the registry cannot be written: serving
    /// matters more than being listed.
    pub fn register(data_dir: &DataDir, client_id: Option<String>) -> Option<Self> {
        match Registration::register(data_dir, client_id.as_deref()) {
            Ok(registration) => Some(Self {
                registration,
                client_id,
                greeted: OnceLock::new(),
            }),
            Err(e) => {
                tracing::warn!("not listed among the live servers: {e}");
                None
            }
        }
    }

    /// Whether the client is still to be recorded (checked first, so a tool call clones the
    /// client's info only once per session).
    pub fn needs_greeting(&self) -> bool {
        self.greeted.get().is_none()
    }

    /// Records the client once: in the live record and, when our entry named it, as its last
    /// connection (which Health compares with when the entry was written).
    pub fn greet(&self, store: &Store, info: Option<Implementation>, caps: Option<ClientCapabilities>) {
        let Some(info) = info else {
            return;
        };
        if self.greeted.set(()).is_err() {
            return;
        }
        let hello = ClientHello {
            name: info.name,
            version: info.version,
            sampling: caps.is_some_and(|c| c.sampling.is_some()),
        };
        tracing::info!(client = %hello.name, version = %hello.version, sampling = hello.sampling, "client identified");
        self.registration.connected(&hello);
        if let Some(id) = &self.client_id
            && let Err(e) = live::connections::record(store, id, &hello)
        {
            tracing::warn!("the connection of {id} was not recorded: {e}");
        }
    }

    /// A tool call now (written at most every few seconds).
    pub fn touch(&self) {
        self.registration.touch();
    }

    /// Leaves the registry (the process is stopping).
    pub fn end(&self) {
        self.registration.end();
    }

    /// Writes a call [`touch`](Self::touch) kept in memory.
    pub fn flush(&self) {
        self.registration.flush();
    }
}
