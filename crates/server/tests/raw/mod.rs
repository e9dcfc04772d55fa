//! Test harness for raw JSON-RPC: the real `mcp-llm-generator` as a child process on pipes, in a
//! temp HOME and data dir with no keychain, written to line by line and read reply by reply.
#![allow(dead_code)] // each test file uses part of the harness

use std::{
    io::{BufRead, BufReader, Write},
    path::PathBuf,
    process::{Child, ChildStdin, ExitStatus, Stdio},
    sync::mpsc::{Receiver, RecvTimeoutError, channel},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

#[path = "../common/cli_run.rs"]
mod cli_run;
#[allow(unused_imports)] // each suite uses part of the harness
pub use cli_run::{CliRun, server_bin};

/// Only a guard against a hang: no test asserts how fast anything is.
pub const HANG_GUARD: Duration = Duration::from_secs(30);

/// The number of tools with every tool group on (the default).
pub const TOOL_COUNT: usize = 13;

pub const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw-test","version":"1"}}}"#;

/// The `_meta` every 2026-07-28 request carries in place of an `initialize` handshake.
pub fn meta_2026() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw-test", "version": "1"}
    })
}

pub struct RawServer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: PathBuf,
    _home: tempfile::TempDir,
}

impl RawServer {
    /// Starts `serve` with stdout read line by line on a thread and stderr kept in a file.
    pub fn start() -> Self {
        let home = tempfile::tempdir().expect("temp home");
        let stderr = home.path().join("stderr.log");
        let mut child = CliRun::in_home(home.path())
            .data_dir(&home.path().join("data"))
            .command(&["serve"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("spawn the server");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            stdin: child.stdin.take(),
            child,
            lines,
            stderr,
            _home: home,
        }
    }

    /// Writes one raw line (a newline is added).
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("input still open");
        writeln!(stdin, "{line}").expect("write to the server");
        stdin.flush().expect("flush");
    }

    /// The next message the server writes; fails if it ends its output or hangs.
    pub fn next_message(&mut self) -> Value {
        match self.lines.recv_timeout(HANG_GUARD) {
            Ok(line) => serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout carries JSON-RPC only ({e}): {line}")),
            Err(RecvTimeoutError::Timeout) => panic!("no message within the hang guard of {HANG_GUARD:?}"),
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.wait().ok();
                panic!(
                    "the server closed its output (exit {status:?}); stderr:\n{}",
                    self.stderr()
                )
            }
        }
    }

    /// Sends `line` and returns the next message, which must be its error response with
    /// exactly `id` and `code`.
    pub fn expect_error(&mut self, line: &str, id: Value, code: i64) -> Value {
        self.send(line);
        let reply = self.next_message();
        assert_eq!(reply["jsonrpc"], "2.0", "{reply}");
        assert_eq!(reply["id"], id, "wrong id for {line}: {reply}");
        assert_eq!(reply["error"]["code"], code, "wrong code for {line}: {reply}");
        assert!(
            reply["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "no message: {reply}"
        );
        assert!(reply.get("result").is_none(), "{reply}");
        reply
    }

    /// Initializes a legacy session; the next message must be the answer to `initialize`.
    pub fn initialize(&mut self) {
        self.send(INITIALIZE);
        let reply = self.next_message();
        assert_eq!(
            reply["id"], "init",
            "the first message was not the initialize answer: {reply}"
        );
        assert_eq!(reply["result"]["protocolVersion"], "2025-11-25", "{reply}");
        self.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    }

    /// Lists the tools (with 2026-07-28 `_meta` when `modern`); the next message must be the
    /// answer, with every tool. Returns the result.
    pub fn list_tools(&mut self, id: &str, modern: bool) -> Value {
        let mut request = json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"});
        if modern {
            request["params"] = json!({"_meta": meta_2026()});
        }
        self.send(&request.to_string());
        let reply = self.next_message();
        assert_eq!(reply["id"], id, "{reply}");
        let tools = reply["result"]["tools"].as_array().map(Vec::len);
        assert_eq!(
            tools,
            Some(TOOL_COUNT),
            "tools/list not answered in full: {reply}"
        );
        reply["result"].clone()
    }

    /// The process is still running.
    pub fn assert_alive(&mut self) {
        let status = self.child.try_wait().expect("try_wait");
        assert!(
            status.is_none(),
            "the server exited ({status:?}); stderr:\n{}",
            self.stderr()
        );
    }

    /// What the server logged on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Proves the session survived: the process runs and answers a normal tools/list; then ends
    /// the input and checks the server exits cleanly.
    pub fn assert_lives_on_and_ends_cleanly(mut self, modern: bool) {
        self.assert_alive();
        self.list_tools("after", modern);
        drop(self.stdin.take());
        let status = self.wait();
        assert!(status.success(), "exit {status:?}; stderr:\n{}", self.stderr());
    }

    fn wait(&mut self) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if started.elapsed() > HANG_GUARD {
                let _ = self.child.kill();
                panic!("the server did not exit (hang guard of {HANG_GUARD:?})");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        // A failed test must not leave the server running.
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
