//! Every tool's input schema (and output schema, if any), as the real binary lists them, compiles
//! under Ajv in strict mode (draft 2020-12, standard formats known through ajv-formats): the
//! validator strict MCP clients use. Ajv is installed with `npm ci` from the pinned lockfile in
//! tests/ajv into a cache folder under the target dir; Node itself is never downloaded.
//!
//! Needs `node` and `npm` (and the npm registry on first run). Outside CI the test skips, saying
//! so, when they are missing; with `CI` set it fails instead.

mod raw;

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use raw::RawServer;
use serde_json::json;

/// Ajv's version, as pinned in tests/ajv/package-lock.json: names the cache folder, so a new pin
/// gets a fresh install.
const AJV_VERSION: &str = "8.20.0";

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ajv")
}

/// The target dir: the server binary lives in `<target>/<profile>/`.
fn target_dir() -> PathBuf {
    let bin = Path::new(raw::server_bin());
    bin.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .expect("the server binary lies in <target>/<profile>/")
}

/// Fails under CI, skips (with the reason on stderr) elsewhere.
fn unavailable(why: &str) -> Option<PathBuf> {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must be able to run the strict schema check: {why}"
    );
    eprintln!("SKIPPED: strict schema check not run: {why}");
    None
}

/// The `node_modules` folder with the pinned Ajv, installed on first use. `None` when Node or
/// npm is missing or the install failed (outside CI only).
fn ajv_modules() -> Option<PathBuf> {
    let node = Command::new("node").arg("--version").output();
    if !node.as_ref().is_ok_and(|o| o.status.success()) {
        return unavailable("`node` is not on PATH (Node 18 or newer is needed)");
    }
    let cache = target_dir().join(format!("ajv-strict-{AJV_VERSION}"));
    let modules = cache.join("node_modules");
    if modules.join("ajv/package.json").is_file() && modules.join("ajv-formats/package.json").is_file() {
        return Some(modules);
    }
    // Installed into a folder of its own, then renamed into place: a concurrent or interrupted
    // run never leaves a half-installed cache behind.
    let staging = target_dir().join(format!("ajv-strict-{AJV_VERSION}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).expect("create the Ajv staging folder");
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(fixture_dir().join(file), staging.join(file)).expect("copy the Ajv manifest");
    }
    let install = Command::new("npm")
        .args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--loglevel=error",
        ])
        .current_dir(&staging)
        .output();
    match install {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            let _ = std::fs::remove_dir_all(&staging);
            return unavailable(&format!(
                "`npm ci` of Ajv failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return unavailable(&format!("`npm` could not be run: {e}"));
        }
    }
    if std::fs::rename(&staging, &cache).is_err() {
        // Another run finished first; its copy is as good as ours.
        let _ = std::fs::remove_dir_all(&staging);
    }
    Some(modules)
}

/// Runs tests/ajv/check-schemas.js on a tools/list result.
fn check(modules: &Path, tools_list: &serde_json::Value) -> Output {
    let mut child = Command::new("node")
        .arg(fixture_dir().join("check-schemas.js"))
        .env("NODE_PATH", modules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(tools_list.to_string().as_bytes())
        .expect("write the tool list");
    drop(stdin);
    child.wait_with_output().expect("node output")
}

/// Every tool schema the server lists compiles under Ajv strict; and the check itself rejects
/// a schema with a non-standard format, so it can fail.
#[test]
fn every_tool_schema_compiles_under_ajv_strict() {
    let Some(modules) = ajv_modules() else { return };

    // The checker is strict: a schemars-style `uint32` format is refused.
    let bad = json!({"tools": [{"name": "bad", "inputSchema": {
        "type": "object",
        "properties": {"n": {"type": "integer", "format": "uint32", "minimum": 0}}
    }}]});
    let out = check(&modules, &bad);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success() && said.contains("unknown format \"uint32\""),
        "the strict check accepted a non-standard format: {said}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut server = RawServer::start();
    server.initialize();
    let tools = server.list_tools("schemas", false);
    let out = check(&modules, &tools);
    assert!(
        out.status.success(),
        "tool schemas rejected by Ajv strict:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Every listed schema was compiled: one input schema per tool, plus each output schema.
    let listed = tools["tools"].as_array().map_or(0, |tools| {
        tools.len() + tools.iter().filter(|t| t.get("outputSchema").is_some()).count()
    });
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!("compiled {listed} schema(s), 0 problem(s)")),
        "{said}"
    );
    server.assert_lives_on_and_ends_cleanly(false);
}
