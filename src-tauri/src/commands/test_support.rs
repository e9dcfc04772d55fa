//! What the commands' unit tests share: a store of their own in a temporary folder.

use llmgen_core::{Store, paths::DataDir};

/// A fresh store (built-ins seeded) in a folder that lives as long as the returned guard.
pub fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&DataDir::at(dir.path())).expect("store");
    (dir, store)
}

/// A command's argument from the JSON the UI sends.
pub fn from_ui<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> T {
    serde_json::from_value(json).expect("the UI's JSON")
}
