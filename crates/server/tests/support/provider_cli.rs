//! The provider suites' shared parts: a recognisable fake key, canned replies of the Anthropic
//! and OpenAI formats, and the CLI run isolated from any real keychain and key.
#![allow(dead_code)] // each suite uses part of it

use std::{path::Path, process::Output};

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
    CliRun::on(data_dir).envs(env).stdin(stdin).run(args)
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

/// Adds `name`, a keyless OpenAI-compatible provider at `origin` (a stand-in's) with model `m`,
/// and `more` arguments (such as `--default`).
pub fn add_openai_compatible(data_dir: &Path, name: &str, origin: &str, more: &[&str]) {
    let base = format!("{origin}/v1");
    let mut args = vec![
        "providers",
        "add",
        name,
        "--kind",
        "openai-compatible",
        "--base-url",
        &base,
        "--model",
        "m",
    ];
    args.extend_from_slice(more);
    cli_ok(data_dir, &args);
}

pub fn provider<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["providers"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("{name} missing from {status}"))
}
