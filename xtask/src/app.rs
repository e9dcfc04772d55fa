//! Building and running the desktop app: the UI (npm, Vite), the bundled server binary (Tauri
//! `externalBin`, which must exist before the app crate compiles), the app itself, and a private
//! X display for running it where there is no desktop.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

use crate::{Profile, cargo, exe, root, setup, status, target_dir};

/// Cargo feature that makes the app serve its embedded UI, as released builds do.
pub const APP_FEATURES: &str = "llmgen-app/custom-protocol";

/// Everything the app crate needs before it can compile: system packages, the built UI and the
/// server binary, built with `profile`, in src-tauri/binaries/ (what a bundle ships).
pub fn prepare(profile: Profile) -> Result<()> {
    setup::ensure_app_system_packages()?;
    build_ui()?;
    let from = crate::build_server_as(profile)?;
    let triple = host_triple()?;
    let dir = root().join("src-tauri/binaries");
    std::fs::create_dir_all(&dir)?;
    let to = dir.join(format!(
        "mcp-llm-generator-{triple}{}",
        std::env::consts::EXE_SUFFIX
    ));
    if profile == Profile::Bundle {
        // The installers' copy without the symbol table the symbol order was made from.
        crate::status(
            Command::new("strip")
                .arg("--strip-all")
                .arg("-o")
                .arg(&to)
                .arg(&from),
            "stripping the server's symbols for the installers",
        )?;
    } else {
        std::fs::copy(&from, &to)
            .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    }
    Ok(())
}

/// Whether the UI was built and the sidecar copied (by an earlier `prepare`).
pub fn is_prepared() -> bool {
    let binaries = root().join("src-tauri/binaries");
    root().join("ui/dist/index.html").is_file()
        && std::fs::read_dir(binaries).is_ok_and(|mut d| d.next().is_some())
}

pub fn npm() -> Command {
    let mut cmd = Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" });
    cmd.current_dir(root().join("ui"));
    cmd
}

/// Installs the UI's npm packages when missing or out of date, type-checks and builds it.
fn build_ui() -> Result<()> {
    if npm().arg("--version").output().is_err() {
        bail!(
            "npm is needed to build the UI: install Node.js 20 or newer (Debian: apt-get install nodejs npm)"
        );
    }
    let ui = root().join("ui");
    let stamp = ui.join("node_modules/.package-lock.json");
    if modified(&stamp) < modified(&ui.join("package-lock.json")) {
        // `npm install`, not `npm ci`: npm 11 leaves other platforms' optional binaries of
        // @tauri-apps/cli out of the lock file, which `npm ci` then rejects; `install` follows
        // the lock file for everything it lists.
        status(
            npm().args(["install", "--no-audit", "--no-fund"]),
            "installing the UI's npm packages (npm install)",
        )?;
    }
    status(
        npm().args(["run", "--silent", "check"]),
        "type-checking the UI (svelte-check)",
    )?;
    status(
        npm().args(["run", "--silent", "build"]),
        "building the UI (vite build)",
    )
}

/// The UI's component tests (Vitest in jsdom, IPC mocked).
pub fn ui_tests() -> Result<()> {
    status(
        npm().args(["run", "--silent", "test"]),
        "UI component tests (vitest)",
    )
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

pub fn host_triple() -> Result<String> {
    let out = Command::new("rustc")
        .args(["--print", "host-tuple"])
        .output()
        .context("running rustc")?;
    if !out.status.success() {
        bail!("rustc --print host-tuple failed");
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

/// Builds the app binary as users get it.
pub fn build() -> Result<PathBuf> {
    status(
        cargo().args(["build", "--quiet", "-p", "llmgen-app", "--features", APP_FEATURES]),
        "building the desktop app",
    )?;
    Ok(target_dir().join("debug").join(exe("mcp-llm-generator-app")))
}

/// A private X server for the length of a run.
pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Xvfb {
    pub fn start() -> Result<Self> {
        let number = (90..140)
            .find(|n| {
                !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                    && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            })
            .context("no free X display number between :90 and :139")?;
        let display = format!(":{number}");
        let child = Command::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .spawn()
            .context("starting Xvfb (apt-get install xvfb)")?;
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
        let started = Instant::now();
        while !socket.exists() {
            if started.elapsed() > Duration::from_secs(20) {
                bail!("Xvfb {display} did not come up within 20 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self { child, display })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cargo xtask run`: builds and launches the app, or explains how where there is no display.
pub fn run(args: Vec<String>) -> Result<()> {
    if std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
        && cfg!(target_os = "linux")
    {
        bail!(
            "there is no display here (DISPLAY and WAYLAND_DISPLAY are unset), so the desktop app cannot open a window.\n\
             Start it under a virtual display with `xvfb-run cargo xtask run`, or run only the MCP server with `cargo xtask run --server`."
        );
    }
    prepare(Profile::Debug)?;
    let bin = build()?;
    eprintln!(
        "xtask: starting {} (it stays in the tray when its window is closed)",
        bin.display()
    );
    let code = Command::new(&bin)
        .args(&args)
        .status()
        .with_context(|| format!("starting {}", bin.display()))?;
    std::process::exit(code.code().unwrap_or(1));
}
