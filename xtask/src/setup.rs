//! Installing what the tests need when it is missing (a Python venv with the official MCP SDK)
//! and running the suites that are not `cargo test`.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{root, status, target_dir};

/// The official Python SDK version the suite is written against.
const PYTHON_MCP: &str = "mcp==2.3.0";

/// Runs tests/python against the real server binary with the official Python SDK's clients
/// (the classic `ClientSession` on 2025-11-25 and the high-level `Client` on 2026-07-28).
pub fn python_sdk_tests() -> Result<()> {
    let bin = crate::build_server()?;
    let venv = target_dir().join("xtask-venv");
    let python = venv.join("bin").join("python");
    if !python.exists() || !has_sdk(&python) {
        let system_python = which_python()?;
        let made = status(
            Command::new(&system_python)
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            "creating a Python venv for the official MCP SDK",
        )
        .and_then(|()| {
            status(
                Command::new(&python).args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    PYTHON_MCP,
                ]),
                &format!("installing {PYTHON_MCP} into {}", venv.display()),
            )
        });
        if made.is_err() {
            // A half-made venv (no pip, or no SDK) must not be mistaken for a good one next time.
            let _ = std::fs::remove_dir_all(&venv);
        }
        made?;
    }
    status(
        Command::new(&python)
            .arg(root().join("tests/python/sdk_clients.py"))
            .env("LLMGEN_SERVER_BIN", &bin),
        "the official Python MCP SDK against the server",
    )
}

fn has_sdk(python: &std::path::Path) -> bool {
    Command::new(python)
        .args(["-c", "import mcp, mcp.client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn which_python() -> Result<String> {
    for candidate in ["python3", "python"] {
        let ok = Command::new(candidate)
            // ensurepip too: Debian ships `venv` without it unless python3-venv is installed,
            // and then `python3 -m venv` fails.
            .args([
                "-c",
                "import venv, ensurepip, sys; assert sys.version_info >= (3, 10)",
            ])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Ok(candidate.to_string());
        }
    }
    let installed = install_python_with_apt()?;
    installed
        .then(|| "/usr/bin/python3".to_string())
        .context("no Python 3.10+ with venv found")
}

/// On Debian/Ubuntu, installs python3-venv when Python is missing; elsewhere says what to do.
fn install_python_with_apt() -> Result<bool> {
    apt_install(
        &["python3", "python3-venv"],
        "Python 3.10+ with the venv module (for the Python SDK tests)",
    )?;
    Ok(true)
}

/// valgrind, whose callgrind profiles a server session for the optimised builds' symbol order
/// (symbol_order.rs).
pub fn ensure_valgrind() -> Result<()> {
    let present = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    apt_install(
        &["valgrind"],
        "valgrind (profiles a server session to order its code)",
    )
}

/// System packages the desktop app's build and tests need, each with a cheap probe.
/// (webkit2gtk and friends for Tauri; Xvfb for a real window without a desktop; dbus and
/// gnome-keyring for a private Secret Service; ImageMagick and fonts for screenshots; WebKitWebDriver
/// for driving the real window.)
const APP_PACKAGES: &[(&str, &[&str])] = &[
    (
        "libwebkit2gtk-4.1-dev",
        &["pkg-config", "--exists", "webkit2gtk-4.1"],
    ),
    ("libsoup-3.0-dev", &["pkg-config", "--exists", "libsoup-3.0"]),
    (
        "libayatana-appindicator3-dev",
        &["pkg-config", "--exists", "ayatana-appindicator3-0.1"],
    ),
    ("librsvg2-dev", &["pkg-config", "--exists", "librsvg-2.0"]),
    ("libssl-dev", &["pkg-config", "--exists", "openssl"]),
    ("libxdo-dev", &["test", "-e", "/usr/include/xdo.h"]),
    ("build-essential", &["test", "-x", "/usr/bin/make"]),
    ("pkg-config", &["pkg-config", "--version"]),
    ("xvfb", &["test", "-x", "/usr/bin/Xvfb"]),
    ("xauth", &["test", "-x", "/usr/bin/xauth"]),
    ("dbus-x11", &["test", "-x", "/usr/bin/dbus-launch"]),
    ("gnome-keyring", &["test", "-x", "/usr/bin/gnome-keyring-daemon"]),
    ("libsecret-1-dev", &["pkg-config", "--exists", "libsecret-1"]),
    ("libsecret-tools", &["test", "-x", "/usr/bin/secret-tool"]),
    ("imagemagick", &["test", "-x", "/usr/bin/import"]),
    // WebKitGTK's WebDriver server, which tauri-driver drives for the WebDriver end-to-end test.
    ("webkit2gtk-driver", &["test", "-x", "/usr/bin/WebKitWebDriver"]),
    (
        "fonts-dejavu-core",
        &["test", "-d", "/usr/share/fonts/truetype/dejavu"],
    ),
    ("file", &["test", "-x", "/usr/bin/file"]),
    // Japanese UI text under Xvfb (the app's Japanese screenshot); without it, empty boxes.
    (
        "fonts-noto-cjk",
        &[
            "test",
            "-e",
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        ],
    ),
];

/// Installs the desktop app's missing system packages through apt (sudo when not root), or says
/// exactly what to install where apt is not available.
pub fn ensure_app_system_packages() -> Result<()> {
    let missing: Vec<&str> = APP_PACKAGES
        .iter()
        .filter(|(_, probe)| {
            !Command::new(probe[0])
                .args(&probe[1..])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    apt_install(&missing, "system libraries and tools for the desktop app")
}

/// `apt-get update` then `apt-get install` of `packages`.
fn apt_install(packages: &[&str], why: &str) -> Result<()> {
    if Command::new("apt-get").arg("--version").output().is_err() {
        bail!(
            "{why} are missing and this machine has no apt-get; install these (or your distribution's equivalents): {}",
            packages.join(" ")
        );
    }
    let apt = |args: &[&str]| {
        let mut cmd = if is_root() {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        cmd
    };
    status(&mut apt(&["update", "-q"]), "apt-get update")?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend_from_slice(packages);
    status(
        &mut apt(&args),
        &format!("installing {why}: {}", packages.join(" ")),
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"))
}
