//! The server's symbol order for optimised builds: link, run one serving session under
//! callgrind, write down the functions it ran, and link again with those functions placed
//! together (crates/server/build.rs passes the list to the linker). A client's server then maps
//! far fewer pages of code: the measured effect is in BENCHMARKS.md.
//!
//! The names carry hashes that change with the code, so the list is made from the binary being
//! built, never checked in. Only on x86_64 Linux, where Rust links with lld (which understands
//! `--symbol-ordering-file`) and valgrind is an apt package; elsewhere the server links as usual.

use std::{
    collections::HashSet,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{Context, Result, bail};

use crate::{Profile, bench::Session, exe, setup, target_dir};

/// What the profiled session does after `initialize`: what every client does on connecting and
/// the cheap calls most sessions make. Generation needs a provider and is left out; its code is
/// placed after the ordered functions, as all other code is.
const PROFILED_CALLS: &[(&str, &str)] = &[
    ("tools/list", "{}"),
    ("prompts/list", "{}"),
    ("resources/list", "{}"),
    (
        "tools/call",
        r#"{"name":"template-manage","arguments":{"action":"list"}}"#,
    ),
    (
        "tools/call",
        r#"{"name":"persona-manage","arguments":{"action":"list"}}"#,
    ),
    (
        "tools/call",
        r#"{"name":"context-manage","arguments":{"action":"list"}}"#,
    ),
    ("tools/call", r#"{"name":"provider-status","arguments":{}}"#),
];

/// Whether a build of `profile` on this machine gets a symbol order.
pub fn applies(profile: Profile) -> bool {
    profile != Profile::Debug && cfg!(all(target_os = "linux", target_arch = "x86_64"))
}

/// The order file of a profile (inside its target folder, next to the binary it belongs to).
pub fn order_file(profile: Profile) -> PathBuf {
    target_dir()
        .join(profile.dir())
        .join("mcp-llm-generator.symbol-order")
}

/// Sets the environment crates/server/build.rs reads on a cargo command that builds the server
/// (or a package that depends on it, so that its build script sees the same value and nothing
/// is rebuilt twice).
pub fn apply(cmd: &mut Command, profile: Profile) -> Result<()> {
    if !applies(profile) {
        return Ok(());
    }
    let file = order_file(profile);
    if !file.exists() {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&file, "")?;
    }
    cmd.env("LLMGEN_SYMBOL_ORDER", file);
    Ok(())
}

/// After `binary` was built with [`apply`]: profiles a session and, when the functions it ran
/// differ from the current order, writes the new order and returns true (the caller builds
/// again). Prints how much of the code the session runs.
pub fn refresh(binary: &Path, profile: Profile) -> Result<bool> {
    if !applies(profile) {
        return Ok(false);
    }
    if let Err(e) = setup::ensure_valgrind() {
        eprintln!(
            "xtask: no symbol order (the server links as usual, with a larger memory footprint): {e:#}"
        );
        return Ok(false);
    }
    let names = profile_session(binary)?;
    let sizes = symbol_sizes(binary)?;
    // Sorted: which function callgrind reports first varies from run to run (threads), and a
    // list that changed only in its order must not cost a second build. Within the block the
    // order does not matter; that the block is one does.
    let mut ordered: Vec<&String> = names.iter().filter(|n| sizes.contains_key(*n)).collect();
    ordered.sort();
    ordered.dedup();
    let bytes: u64 = ordered.iter().map(|n| sizes[*n]).sum();
    let total: u64 = sizes.values().sum();
    eprintln!(
        "xtask: a serving session runs {} functions, {:.0} KiB of the server's {:.0} KiB of code",
        ordered.len(),
        bytes as f64 / 1024.0,
        total as f64 / 1024.0
    );
    if ordered.is_empty() {
        bail!(
            "callgrind saw no function of {}: is the binary stripped?",
            binary.display()
        );
    }
    let text: String = ordered.iter().map(|n| format!("{n}\n")).collect();
    let file = order_file(profile);
    if std::fs::read_to_string(&file).is_ok_and(|old| old == text) {
        return Ok(false);
    }
    std::fs::write(&file, text)?;
    Ok(true)
}

/// The mangled names of the binary's functions a session ran, in the order callgrind first
/// reports them.
fn profile_session(binary: &Path) -> Result<Vec<String>> {
    let scratch = tempfile::Builder::new()
        .prefix("llmgen-symbol-order-")
        .tempdir()
        .context("making a scratch folder for the profiled session")?;
    let data = scratch.path().join("data");
    // The database exists before the profiled run, as for every client's spawn but the first.
    let mut first = isolated(Command::new(binary), scratch.path());
    first.stderr(Stdio::null());
    drop(Session::start_command(first, &data)?);
    let out = scratch.path().join("callgrind.out");
    let mut valgrind = isolated(Command::new("valgrind"), scratch.path());
    valgrind
        .args(["--tool=callgrind", "--demangle=no", "--quiet"])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(binary)
        // valgrind's complaints, if any, and the server's log lines: worth seeing.
        .stderr(Stdio::inherit());
    let mut session = Session::start_command(valgrind, &data)?;
    for (i, (method, params)) in PROFILED_CALLS.iter().enumerate() {
        session.request(10 + i as u64, method, params)?;
    }
    session.finish()?;
    let text = std::fs::read_to_string(&out).context("reading callgrind's output")?;
    Ok(functions_of(&text, &exe("mcp-llm-generator")))
}

/// `command` in an environment of its own: a home and config folders inside `scratch` and no
/// D-Bus session, so the profiled server never reaches the developer's keychain, client files or
/// data (provider-status looks up keys).
fn isolated(mut command: Command, scratch: &Path) -> Command {
    command.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    for (var, dir) in [
        ("HOME", "home"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data-home"),
        ("XDG_RUNTIME_DIR", "runtime"),
    ] {
        let dir = scratch.join(dir);
        let _ = std::fs::create_dir_all(&dir);
        command.env(var, dir);
    }
    // An address nothing listens on: the keychain is unavailable at once, not after a timeout.
    command.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/llmgen-no-bus");
    command
}

/// Parses callgrind's compressed-name format (`ob=(N) path`, `fn=(N) name`, later `fn=(N)`):
/// the functions that ran in the object whose path ends with `object`, first seen first.
fn functions_of(callgrind: &str, object: &str) -> Vec<String> {
    let mut objects = std::collections::HashMap::new();
    let mut names = std::collections::HashMap::new();
    let mut in_binary = false;
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    for line in callgrind.lines() {
        let Some((key, rest)) = line.split_once('=') else {
            continue;
        };
        let Some((id, name)) = rest.strip_prefix('(').and_then(|r| r.split_once(')')) else {
            continue;
        };
        let name = name.trim();
        match key {
            "ob" | "cob" => {
                if !name.is_empty() {
                    objects.insert(id.to_string(), name.to_string());
                }
                if key == "ob" {
                    in_binary = objects.get(id).is_some_and(|p: &String| p.ends_with(object));
                }
            }
            "fn" | "cfn" => {
                if !name.is_empty() {
                    names.insert(id.to_string(), name.to_string());
                }
                if key == "fn" && in_binary {
                    // Recursion levels are written as `name'2`; the symbol is the name.
                    if let Some(full) = names.get(id) {
                        let symbol = full.split('\'').next().unwrap_or(full).to_string();
                        if seen.insert(symbol.clone()) {
                            order.push(symbol);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    order
}

/// Sizes of the binary's functions by mangled name (`nm`).
fn symbol_sizes(binary: &Path) -> Result<std::collections::HashMap<String, u64>> {
    let out = Command::new("nm")
        .args(["--defined-only", "-S"])
        .arg(binary)
        .stderr(Stdio::inherit())
        .output()
        .context("running nm (binutils)")?;
    if !out.status.success() {
        bail!("nm failed on {}", binary.display());
    }
    let mut sizes = std::collections::HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut fields = line.split_whitespace();
        let (Some(_addr), Some(size), Some(kind), Some(name)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if matches!(kind, "t" | "T" | "w" | "W")
            && let Ok(size) = u64::from_str_radix(size, 16)
        {
            *sizes.entry(name.to_string()).or_default() += size;
        }
    }
    Ok(sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the binary's functions are kept, each once, first seen first, recursion marks
    /// removed; names defined once and later referred to by number are resolved, also an object
    /// first named on a `cob=` line; file lines between them change nothing.
    #[test]
    fn callgrind_output_gives_the_binarys_functions_in_order() {
        let text = "\
ob=(1) /lib/libc.so.6
fl=(1) ???
fn=(1) memcpy
cob=(2) /t/release/mcp-llm-generator
cfn=(2) _ZN4main17h1E
calls=1 0
ob=(2)
fl=(2) src/main.rs
fn=(2)
cob=(1)
cfn=(1)
calls=1 0
fi=(3) src/foo.rs
fn=(3) _ZN3foo17h2E'2
fe=(2)
fn=(2)
ob=(1)
fn=(4) strlen
ob=(2)
fn=(3)
";
        assert_eq!(
            functions_of(text, "mcp-llm-generator"),
            vec!["_ZN4main17h1E".to_string(), "_ZN3foo17h2E".to_string()]
        );
    }
}
