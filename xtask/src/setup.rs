//! Installing what the tests need when it is missing (a Python venv with the official MCP SDK)
//! and running the suites that are not `cargo test`.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, exe, root, status, target_dir};

/// The official Python SDK version the suite is written against.
const PYTHON_MCP: &str = "mcp==2.3.0";

/// Runs tests/python against the real server binary with the official Python SDK's clients
/// (the classic `ClientSession` on 2025-11-25 and the high-level `Client` on 2026-07-28).
pub fn python_sdk_tests() -> Result<()> {
    status(
        cargo().args([
            "build",
            "--quiet",
            "-p",
            "llmgen-server",
            "--bin",
            "mcp-llm-generator",
        ]),
        "building the server for the Python SDK suite",
    )?;
    let venv = target_dir().join("xtask-venv");
    let python = venv.join("bin").join("python");
    if !python.exists() || !has_sdk(&python) {
        let system_python = which_python()?;
        status(
            Command::new(&system_python).args(["-m", "venv"]).arg(&venv),
            "creating a Python venv for the official MCP SDK",
        )?;
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
        )?;
    }
    let bin = target_dir().join("debug").join(exe("mcp-llm-generator"));
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
            .args(["-c", "import venv, sys; assert sys.version_info >= (3, 10)"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Ok(candidate.to_string());
        }
    }
    let installed = install_python_with_apt()?;
    installed
        .then(|| "python3".to_string())
        .context("no Python 3.10+ with venv found")
}

/// On Debian/Ubuntu, installs python3-venv when Python is missing; elsewhere says what to do.
fn install_python_with_apt() -> Result<bool> {
    if Command::new("apt-get").arg("--version").output().is_err() {
        bail!(
            "Python 3.10+ with the venv module is needed for the Python SDK tests; install it with your package manager"
        );
    }
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let mut update = Command::new(sudo.first().copied().unwrap_or("apt-get"));
    if !sudo.is_empty() {
        update.arg("apt-get");
    }
    status(update.arg("update"), "apt-get update")?;
    let mut install = Command::new(sudo.first().copied().unwrap_or("apt-get"));
    if !sudo.is_empty() {
        install.arg("apt-get");
    }
    install.env("DEBIAN_FRONTEND", "noninteractive").args([
        "install",
        "-y",
        "--no-install-recommends",
        "python3",
        "python3-venv",
    ]);
    status(&mut install, "installing python3 and python3-venv")?;
    Ok(true)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"))
}
