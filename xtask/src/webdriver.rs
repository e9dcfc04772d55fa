//! The WebDriver end-to-end suite (tests/e2e/tests/app_webdriver.rs, app_guide.rs for the
//! first-run guide, app_memory.rs for the Memory screen, app_team.rs for the Personas tree and
//! the Delegations screen, app_no_commands.rs for the window's words): tauri-driver, installed
//! into the target dir so a fresh clone needs nothing in ~/.cargo/bin, and the run itself inside
//! a private D-Bus session with an unlocked Secret Service and a temporary HOME, where the test
//! also stands in for the desktop's tray host.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::{cargo, exe, keychain, status, target_dir};

/// The tauri-driver line the suite is written against (2.x drives Tauri 2 apps; 3.0 is an alpha).
const TAURI_DRIVER_VERSION: &str = "2.1.0";

/// WebKitGTK's WebDriver server (Debian package webkit2gtk-driver, installed by setup.rs).
const WEBKIT_WEBDRIVER: &str = "/usr/bin/WebKitWebDriver";

/// tauri-driver, built from crates.io with its lock file the first time (about 40 s) and kept in
/// `<target>/tools/bin`.
fn tauri_driver() -> Result<PathBuf> {
    let root = target_dir().join("tools");
    let bin = root.join("bin").join(exe("tauri-driver"));
    if bin.is_file() {
        return Ok(bin);
    }
    status(
        cargo()
            .args([
                "install",
                "--quiet",
                "--locked",
                "tauri-driver",
                "--version",
                TAURI_DRIVER_VERSION,
                "--root",
            ])
            .arg(&root),
        &format!(
            "installing tauri-driver {TAURI_DRIVER_VERSION} into {}",
            root.display()
        ),
    )?;
    if !bin.is_file() {
        bail!("cargo install reported success but {} is missing", bin.display());
    }
    Ok(bin)
}

/// Runs the WebDriver suite against `app_bin` on the X display `display`.
pub fn run_e2e(app_bin: &Path, display: &str) -> Result<()> {
    if !Path::new(WEBKIT_WEBDRIVER).is_file() {
        bail!(
            "{WEBKIT_WEBDRIVER} is missing: install the webkit2gtk-driver package (cargo xtask setup does)"
        );
    }
    let driver = tauri_driver()?;
    let started = std::time::Instant::now();
    let (mut cmd, _home) = keychain::session_command(&[
        "-p",
        "llmgen-e2e",
        "--test",
        "app_webdriver",
        "--test",
        "app_guide",
        "--test",
        "app_memory",
        "--test",
        "app_team",
        "--test",
        "app_no_commands",
    ])?;
    cmd.env("DISPLAY", display)
        .env("LLMGEN_APP_BIN", app_bin)
        .env("LLMGEN_TAURI_DRIVER", &driver)
        .env("LLMGEN_WEBKIT_WEBDRIVER", WEBKIT_WEBDRIVER)
        .env("LLMGEN_SCREENSHOT_DIR", target_dir().join("screenshots"));
    status(
        &mut cmd,
        &format!("the desktop app through WebDriver and its tray over D-Bus (Xvfb {display})"),
    )?;
    eprintln!("xtask: the WebDriver suite took {:.0?}", started.elapsed());
    Ok(())
}
