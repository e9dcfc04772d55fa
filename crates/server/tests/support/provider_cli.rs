//! The provider suites' shared parts: a recognisable fake key, canned replies of the Anthropic
//! and OpenAI formats, and the CLI run isolated from any real keychain and key.
#![allow(dead_code)] // each suite uses part of it

use std::{
    io::Write,
    path::Path,
    process::{Command, Output, Stdio},
};

use serde_json::{Value, json};

use super::common::*;
use super::mock_http::Reply;

/// A recognisable fake key: if it shows up anywhere it was not sent to, it leaked.
pub const KEY: &str = "sk-ant-FAKE.LEAKCANARY.not-a-real-key";
/// The distinctive middle of KEY: finding it means at least a part of the key leaked.
pub const KEY_MARK: &str = "LEAKCANARY";

pub fn anthropic_ok(text: &str) -> Reply {
    Reply::ok(json!({
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-test-1",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "usage": {"input_tokens": 12, "output_tokens": 7}
    }))
}

pub fn openai_ok(text: &str) -> Reply {
    Reply::ok(json!({
        "model": "local-model", "choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 5}
    }))
}

/// Runs the CLI on `data_dir`, isolated from any real keychain and key, with `stdin` piped in.
pub fn cli(data_dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(server_bin());
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", NO_KEYCHAIN_BUS);
    for var in REMOVED_ENV {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run the CLI");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("CLI output")
}

pub fn cli_ok(data_dir: &Path, args: &[&str]) -> String {
    let out = cli(data_dir, args, None, &[]);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub fn provider<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["providers"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("{name} missing from {status}"))
}
