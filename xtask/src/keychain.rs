//! Keychain tests against a real Secret Service: each run gets its own D-Bus session
//! (`dbus-run-session`), a temporary HOME and an unlocked gnome-keyring, so no test can ever
//! read or write the developer's own keychain.

use std::process::Command;

use anyhow::{Context, Result};

use crate::{root, status};

/// Unlocks a fresh login keyring with a throwaway password (an empty one makes gnome-keyring
/// show a prompt and never create the collection), then runs the given command.
const UNLOCK_AND_RUN: &str = r#"echo -n llmgen-test-only | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@""#;

/// Runs `cargo test` with `selection` (e.g. `-p llmgen-core --test keychain`) inside a private
/// Secret Service.
pub fn run_cargo_test(selection: &[&str]) -> Result<()> {
    let (mut cmd, _home) = session_command(selection)?;
    status(
        &mut cmd,
        &format!(
            "keychain tests ({}) against a private Secret Service",
            selection.join(" ")
        ),
    )
}

/// The command that runs `cargo test` with `selection` in its own D-Bus session with an unlocked
/// gnome-keyring and `LLMGEN_KEYCHAIN_TESTS=1`, and the temporary HOME it uses (keep it alive
/// until the command has run).
pub fn session_command(selection: &[&str]) -> Result<(Command, PrivateHome)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new("dbus-run-session");
    cmd.args([
        "--",
        "bash",
        "-c",
        UNLOCK_AND_RUN,
        "bash",
        &cargo,
        "test",
        "--quiet",
    ])
    .args(selection)
    .current_dir(root())
    .env("LLMGEN_KEYCHAIN_TESTS", "1");
    let home = PrivateHome::apply(&mut cmd)?;
    Ok((cmd, home))
}

/// A temporary HOME (with its own runtime and data dirs) for a test session, so a Secret
/// Service started inside it keeps its keyrings there and never opens the real user's. Cargo
/// and rustup keep working from the real user's folders. Removed when dropped.
pub struct PrivateHome {
    dir: std::path::PathBuf,
}

impl PrivateHome {
    pub fn apply(cmd: &mut Command) -> Result<Self> {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("llmgen-session-{}-{n}", std::process::id()));
        let run = dir.join("run");
        let data = dir.join("data");
        std::fs::create_dir_all(&run)?;
        std::fs::create_dir_all(&data)?;
        set_private(&run)?;
        let real_home = std::env::var_os("HOME").context("HOME is not set")?;
        let cargo_home = std::env::var_os("CARGO_HOME")
            .unwrap_or_else(|| std::path::Path::new(&real_home).join(".cargo").into_os_string());
        let rustup_home = std::env::var_os("RUSTUP_HOME")
            .unwrap_or_else(|| std::path::Path::new(&real_home).join(".rustup").into_os_string());
        cmd.env("HOME", &dir)
            .env("XDG_RUNTIME_DIR", &run)
            .env("XDG_DATA_HOME", &data)
            .env_remove("XDG_CONFIG_HOME")
            .env("CARGO_HOME", cargo_home)
            .env("RUSTUP_HOME", rustup_home);
        Ok(Self { dir })
    }
}

impl Drop for PrivateHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(unix)]
fn set_private(dir: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    Ok(())
}

#[cfg(not(unix))]
fn set_private(_dir: &std::path::Path) -> Result<()> {
    Ok(())
}
