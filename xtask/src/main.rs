//! `cargo xtask run | test | bench | bench-app | bundle`: set-up and orchestration of the workspace, in Rust, so the
//! README's two commands work on a fresh machine.

// xtask is a developer tool whose output is for people at a terminal.
#![allow(clippy::print_stdout)]

mod app;
mod bench;
mod bench_app;
mod bench_memory;
mod bundle;
mod keychain;
mod real_clients;
mod setup;
mod symbol_order;
mod webdriver;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run             build and start the desktop app (needs a display; or `xvfb-run cargo xtask run`)
  run --server [ARGS...]
                  build and start only the MCP server on stdio (ARGS go to it)
  test            everything that tests the project: format, lints, unit and end-to-end tests,
                  the official Python MCP SDK against the real binary, and real MCP clients
                  (Claude Code, Gemini CLI, Codex) reading the entries we write
  bench           release-build benchmarks (start-up, tools/list, store); figures for BENCHMARKS.md
  bench --memory [MEMORIES]
                  the memory benchmark: MEMORIES generated notes (default 1,000,000; ~2 GB in a temp
                  folder, several minutes), store rate and search latency over 60 queries
  bench-app [APP] the desktop app as shipped (default: the one `bundle` built): spawn → tray ready,
                  memory of all its processes with the window closed and open (needs Xvfb, D-Bus)
  bundle          release installers of the desktop app (.deb and .rpm, server inside) under
                  <target dir>/bundle/bundle; with TAURI_SIGNING_PRIVATE_KEY (and _PASSWORD) also
                  signed updater artifacts and latest.json (see `cargo xtask bundle --help`)
  real-clients    install the real MCP clients the tests configure (Claude Code, Gemini CLI, Codex,
                  pinned, from npm) and print their folder, for running
                  crates/server/tests/real_clients.rs by hand with LLMGEN_REAL_CLIENTS_BIN
  bindings        regenerate ui/src/lib/bindings.ts from the app's Rust commands (CI checks it is current)";

fn main() {
    if let Err(e) = real_main() {
        eprintln!("xtask: error: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("run") => {
            let args: Vec<String> = args.collect();
            match args.first().map(String::as_str) {
                Some("--server") => run_server(args[1..].to_vec()),
                _ => app::run(args),
            }
        }
        Some("test") => test(),
        Some("bench") => {
            let args: Vec<String> = args.collect();
            match args.first().map(String::as_str) {
                Some("--memory") => bench_memory::bench_memory(&args[1..]),
                Some(other) => bail!("unknown bench option '{other}'\n\n{USAGE}"),
                None => bench::bench(),
            }
        }
        Some("bench-app") => bench_app::bench_app(args.collect()),
        Some("bundle") => bundle::bundle(args.collect()),
        Some("bindings") => bindings(),
        Some("setup") => setup::ensure_app_system_packages(),
        Some("real-clients") => real_clients::install().map(|bin| println!("{}", bin.display())),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command '{other}'\n\n{USAGE}"),
    }
}

/// Rewrites the UI's TypeScript bindings through the app's own test, which renders them from the
/// same command list the app installs.
fn bindings() -> Result<()> {
    // The app crate needs a built UI and the sidecar to compile; a UI that no longer type-checks
    // against the old bindings is exactly why one regenerates them, so reuse what is there.
    if !app::is_prepared() {
        app::prepare(Profile::Debug)?;
    }
    status(
        cargo()
            .args([
                "test",
                "--quiet",
                "-p",
                "llmgen-app",
                "--lib",
                "typescript_bindings_are_current",
            ])
            .env("LLMGEN_WRITE_BINDINGS", "1"),
        "regenerate ui/src/lib/bindings.ts",
    )
}

/// The workspace root (xtask lives one level below it).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where cargo puts build output, honouring CARGO_TARGET_DIR.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root().join(p) })
        .unwrap_or_else(|| root().join("target"))
}

pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs a command, failing with its description when it fails.
pub(crate) fn status(cmd: &mut Command, what: &str) -> Result<()> {
    eprintln!("xtask: {what}");
    let status = cmd.status().with_context(|| format!("could not start: {what}"))?;
    if !status.success() {
        bail!("failed ({status}): {what}");
    }
    Ok(())
}

fn run_server(args: Vec<String>) -> Result<()> {
    let bin = build_server()?;
    eprintln!(
        "xtask: starting {} (an MCP server on stdio: connect a client, or press Ctrl-D to stop)",
        bin.display()
    );
    let status = Command::new(&bin)
        .args(&args)
        .status()
        .with_context(|| format!("starting {}", bin.display()))?;
    std::process::exit(status.code().unwrap_or(1));
}

/// Builds the debug server binary (every suite and the app's dev builds use it) and returns its
/// path.
pub(crate) fn build_server() -> Result<PathBuf> {
    build_server_as(Profile::Debug)
}

/// Which cargo profile a build uses: tests and `run` use debug builds, `bundle` ships binaries
/// built for size (the workspace's `bundle` profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    Debug,
    /// What `cargo install` builds and `cargo xtask bench` measures.
    Release,
    Bundle,
}

impl Profile {
    /// The profile's name, which is also the folder of the target dir cargo builds it into.
    pub(crate) fn dir(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Release => "release",
            Self::Bundle => "bundle",
        }
    }
}

/// Builds the server binary with `profile` and returns its path. Optimised builds are linked
/// with the symbol order of a profiled session (symbol_order.rs); when that list changed, the
/// server crate is compiled and linked once more.
pub(crate) fn build_server_as(profile: Profile) -> Result<PathBuf> {
    let build = |ordered: bool| -> Result<()> {
        let mut cmd = cargo();
        cmd.args([
            "build",
            "--quiet",
            "-p",
            "llmgen-server",
            "--bin",
            "mcp-llm-generator",
        ]);
        if profile != Profile::Debug {
            cmd.args(["--profile", profile.dir()]);
        }
        if ordered {
            symbol_order::apply(&mut cmd, profile)?;
        }
        status(&mut cmd, &format!("building the server ({})", profile.dir()))
    };
    if let Err(e) = build(true) {
        if !symbol_order::applies(profile) {
            return Err(e);
        }
        // A linker other than lld (a local cargo config) does not know the order's option.
        eprintln!("xtask: building again without a symbol order, in case the linker refused it");
        build(false)?;
        return Ok(target_dir().join(profile.dir()).join(exe("mcp-llm-generator")));
    }
    let binary = target_dir().join(profile.dir()).join(exe("mcp-llm-generator"));
    if symbol_order::refresh(&binary, profile)? {
        eprintln!("xtask: building the server again with the functions a session runs placed together");
        build(true)?;
    }
    Ok(binary)
}

pub(crate) fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

fn test() -> Result<()> {
    let started = std::time::Instant::now();
    status(
        cargo().args(["fmt", "--all", "--", "--check"]),
        "checking formatting (cargo fmt)",
    )?;
    app::prepare(Profile::Debug)?;
    app::ui_tests()?;
    status(
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--features",
            app::APP_FEATURES,
            "--",
            "-D",
            "warnings",
        ]),
        "lints (cargo clippy -D warnings)",
    )?;
    let real_clients = real_clients::install()?;
    status(
        cargo()
            .args(["test", "--workspace", "--quiet", "--features", app::APP_FEATURES])
            .env(real_clients::ENV, &real_clients)
            // The keychain tests run in the next step, inside a private Secret Service.
            .env("LLMGEN_KEYCHAIN_TESTS", "later")
            // So do the desktop app's, in a real window under Xvfb.
            .env("LLMGEN_APP_TESTS", "later"),
        "unit and end-to-end tests (cargo test)",
    )?;
    keychain::run_cargo_test(&[
        "-p",
        "llmgen-core",
        "--test",
        "keychain",
        "-p",
        "llmgen-server",
        "--test",
        "keychain_cli",
        "--test",
        "health_cli",
    ])?;
    let app_bin = app::build()?;
    let xvfb = app::Xvfb::start()?;
    let mut e2e = Command::new("dbus-run-session");
    e2e.args([
        "--",
        "cargo",
        "test",
        "--quiet",
        "-p",
        "llmgen-e2e",
        "--test",
        "app_window",
        "--test",
        "app_japanese",
        "--test",
        "app_tray",
    ])
    .current_dir(root())
    .env("DISPLAY", &xvfb.display)
    .env("LLMGEN_APP_BIN", &app_bin)
    .env("LLMGEN_SCREENSHOT_DIR", target_dir().join("screenshots"));
    // The app reads the keychain: a Secret Service activated in this session must keep its
    // keyrings in a temp HOME, never the real user's.
    let _home = keychain::PrivateHome::apply(&mut e2e)?;
    status(
        &mut e2e,
        &format!("the desktop app in a real window (Xvfb {})", xvfb.display),
    )?;
    webdriver::run_e2e(&app_bin, &xvfb.display)?;
    drop(xvfb);
    setup::python_sdk_tests()?;
    eprintln!("xtask: all tests passed in {:.0?}", started.elapsed());
    Ok(())
}
