//! A temp HOME for client-configuration tests: every client path resolves inside it, so the real
//! user's files are never read or written; plus a stand-in server binary and small file helpers.
#![allow(dead_code)] // each suite uses part of it

use std::fs;
use std::path::{Path, PathBuf};

use llmgen_core::clients::{self, ClientState, Clients};
use llmgen_core::paths::{DataDir, Platform};

pub struct Home {
    pub tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub clients: Clients,
    pub exe: PathBuf,
}

/// A temp HOME with no PATH (so no client's own command is found).
pub fn home() -> Home {
    home_with_path(None)
}

/// A temp HOME whose PATH is `path` (to offer a stand-in for a client's own command).
pub fn home_with_path(path: Option<PathBuf>) -> Home {
    home_with(path, &[])
}

/// A temp HOME with PATH `path` and more variables, each naming a folder by its path relative
/// to the temp dir (`("CLAUDE_CONFIG_DIR", "claude-config")`); the folders are not created.
pub fn home_with(path: Option<PathBuf>, vars: &[(&str, &str)]) -> Home {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).expect("home");
    let data = DataDir::at(tmp.path().join("data"));
    let h = home.clone();
    let vars: Vec<(String, PathBuf)> = vars
        .iter()
        .map(|(name, rel)| (name.to_string(), tmp.path().join(rel)))
        .collect();
    let clients = Clients::with_env(data, Platform::Linux, move |name| match name {
        "HOME" => Some(h.clone()),
        "PATH" => path.clone(),
        _ => vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()),
    });
    // A stand-in for our binary: an executable file at an absolute path.
    let exe = tmp.path().join("bin/mcp-llm-generator");
    fs::create_dir_all(exe.parent().expect("parent")).expect("bin dir");
    fs::write(&exe, "#!/bin/sh\n").expect("exe");
    set_mode(&exe, 0o755);
    Home {
        tmp,
        home,
        clients,
        exe,
    }
}

#[cfg(unix)]
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(not(unix))]
pub fn set_mode(_path: &Path, _mode: u32) {}

pub fn fixture(name: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/clients")
            .join(name),
    )
    .expect("fixture")
}

pub fn put(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("read")
}

pub fn state(h: &Home, id: &str) -> ClientState {
    status(h, id).state
}

pub fn status(h: &Home, id: &str) -> clients::ClientStatus {
    clients::list(&h.clients, Some(&h.exe))
        .into_iter()
        .find(|s| s.id == id)
        .expect("listed")
}
