//! The real MCP clients the suite configures (Claude Code, Gemini CLI, Codex), installed from npm
//! at pinned versions into a folder under the target dir that is reused while the pins stay the
//! same, so only the first run pays for the download.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

use anyhow::{Context, Result, bail};

use crate::{status, target_dir};

/// The variable through which the test (crates/server/tests/real_clients.rs) gets the folder
/// holding the installed `claude`, `gemini` and `codex` commands.
pub const ENV: &str = "LLMGEN_REAL_CLIENTS_BIN";

/// An npm package of a client, pinned, and the command it installs.
struct Pinned {
    package: &'static str,
    version: &'static str,
    command: &'static str,
}

/// Versions that run on Node 20 and install from the npm registry alone. Claude Code 2.1.197 is
/// the last release whose `engines` still accepts Node 18+ (2.1.198 wants Node 22); its native
/// binary comes as an npm optional dependency that its postinstall links into place. Gemini CLI
/// 0.61.0 needs Node 20+; Codex ships its native binary as an npm optional dependency too.
const PINNED: &[Pinned] = &[
    Pinned {
        package: "@anthropic-ai/claude-code",
        version: "2.1.197",
        command: "claude",
    },
    Pinned {
        package: "@google/gemini-cli",
        version: "0.61.0",
        command: "gemini",
    },
    Pinned {
        package: "@openai/codex",
        version: "0.171.0",
        command: "codex",
    },
];

/// The oldest Node.js major the pinned clients run on (Gemini CLI's `engines`).
const NODE_MAJOR: u32 = 20;

/// Written last, so a folder without it (an interrupted install) is installed again.
const COMPLETE: &str = "installed-versions.txt";

/// Installs the pinned clients unless the folder for these pins is already complete, and returns
/// the folder holding their commands.
pub fn install() -> Result<PathBuf> {
    check_node()?;
    let dir = target_dir().join("real-clients").join(folder_name());
    let bin = dir.join("node_modules").join(".bin");
    let manifest = pins_text();
    let complete = std::fs::read_to_string(dir.join(COMPLETE)).is_ok_and(|done| done == manifest)
        && PINNED.iter().all(|p| bin.join(p.command).is_file());
    if complete {
        eprintln!("xtask: real MCP clients already installed in {}", dir.display());
        return Ok(bin);
    }
    let started = Instant::now();
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("removing the unfinished {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join("package.json"), package_json()?).context("writing the clients' package.json")?;
    let installed = status(
        crate::app::npm()
            .current_dir(&dir)
            .args(["install", "--no-audit", "--no-fund", "--loglevel=warn"]),
        &format!("installing real MCP clients from npm into {}", dir.display()),
    )
    .and_then(|()| verify(&bin));
    if let Err(e) = installed {
        // A half-made folder must not be mistaken for a good one next time.
        let _ = std::fs::remove_dir_all(&dir);
        return Err(e);
    }
    std::fs::write(dir.join(COMPLETE), manifest).context("marking the clients' install complete")?;
    eprintln!("xtask: real MCP clients installed in {:.1?}", started.elapsed());
    Ok(bin)
}

/// One folder per set of pins: changing a version installs afresh beside the old one.
fn folder_name() -> String {
    PINNED
        .iter()
        .map(|p| format!("{}-{}", p.command, p.version))
        .collect::<Vec<_>>()
        .join("_")
}

fn pins_text() -> String {
    PINNED
        .iter()
        .map(|p| format!("{}@{}\n", p.package, p.version))
        .collect()
}

/// A private package whose only dependencies are the pinned clients. Only Claude Code's
/// postinstall may run (it links the native binary from its optional dependency); Gemini CLI's
/// optional keytar and node-pty would build or copy native modules that `mcp list` never loads,
/// and node-gyp would try to download Node headers from outside the npm registry.
fn package_json() -> Result<String> {
    let dependencies: serde_json::Map<String, serde_json::Value> = PINNED
        .iter()
        .map(|p| (p.package.to_string(), p.version.into()))
        .collect();
    let claude = PINNED
        .iter()
        .find(|p| p.command == "claude")
        .context("Claude Code is pinned")?;
    let manifest = serde_json::json!({
        "name": "llmgen-real-clients",
        "private": true,
        "description": "The MCP clients `cargo xtask test` configures (installed by xtask/src/real_clients.rs)",
        "dependencies": dependencies,
        "allowScripts": {
            format!("{}@{}", claude.package, claude.version): true,
            "@github/keytar": false,
            "node-pty": false,
        },
    });
    Ok(serde_json::to_string_pretty(&manifest)? + "\n")
}

/// Each command runs and reports its pinned version (a Claude Code whose postinstall did not run
/// is a stub that only prints how to fix it). In a temporary HOME: even `--version` leaves files
/// behind (Gemini CLI writes into ~/.gemini), and the user's folders are not ours to litter.
fn verify(bin: &Path) -> Result<()> {
    for p in PINNED {
        let program = bin.join(p.command);
        let mut cmd = Command::new(&program);
        cmd.arg("--version")
            .env("DISABLE_AUTOUPDATER", "1")
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        for var in [
            "CLAUDE_CONFIG_DIR",
            "GEMINI_CLI_HOME",
            "CODEX_HOME",
            "XDG_CACHE_HOME",
            "XDG_STATE_HOME",
        ] {
            cmd.env_remove(var);
        }
        let _home = crate::keychain::PrivateHome::apply(&mut cmd)?;
        let out = cmd
            .output()
            .with_context(|| format!("running {} --version", program.display()))?;
        let said = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || !said.contains(p.version) {
            bail!(
                "{} --version did not report {} (status {}): {}{}",
                program.display(),
                p.version,
                out.status,
                said.trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
    Ok(())
}

/// Node.js 20 or newer with npm, from the system: the suite never downloads Node itself.
fn check_node() -> Result<()> {
    let what = format!(
        "Node.js {NODE_MAJOR} or newer with npm is needed to install the real MCP clients (Debian: apt-get install nodejs npm)"
    );
    let out = Command::new("node")
        .arg("--version")
        .output()
        .with_context(|| what.clone())?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .with_context(|| format!("{what}; `node --version` said '{version}'"))?;
    if major < NODE_MAJOR {
        bail!("{what}; this machine has {version}");
    }
    Ok(())
}
