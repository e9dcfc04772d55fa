//! `cargo xtask bench`: figures for BENCHMARKS.md, measured on the release binary.
//! Start-up (spawn → initialize answered), tools/list and a template list call (median of 20),
//! peak RSS, the tools/list payload size (and each tool's share of it, the figures the budgets in
//! crates/server/tests/tool_list_budget.txt hold), the stop on SIGTERM, and the store: history assembly
//! over 100,000 messages, 8 processes writing 1,000 turns each at once, and the cost of recording
//! a tool call's metrics.

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Child, ChildStdin, ChildStdout, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

use crate::{Profile, cargo, exe, status, target_dir};

const RUNS: usize = 20;
const WRITERS: usize = 8;
const TURNS: usize = 1000;

pub fn bench() -> Result<()> {
    let server = crate::build_server_as(Profile::Release)?;
    let store_bench = build_core_example("store_bench", "the release store benchmark")?;
    let scratch = tempdir()?;

    println!("machine: {}", machine());
    println!(
        "binary:  {} ({:.1} MB)",
        server.display(),
        std::fs::metadata(&server)?.len() as f64 / 1e6
    );

    // Start-up: a fresh process each run, on an existing database (as every client spawn after
    // the first); the first spawn creates it.
    let data = scratch.join("server");
    drop(Session::start(&server, &data)?);
    let mut startup = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let session = Session::start(&server, &data)?;
        startup.push(t.elapsed());
        drop(session);
    }
    let mut session = Session::start(&server, &data)?;
    let mut list = Vec::new();
    let mut payload = String::new();
    let mut template_list = Vec::new();
    for i in 0..RUNS {
        let t = Instant::now();
        payload = session.request(100 + i as u64, "tools/list", "{}")?;
        list.push(t.elapsed());
        let t = Instant::now();
        session.request(
            200 + i as u64,
            "tools/call",
            r#"{"name":"template-manage","arguments":{"action":"list"}}"#,
        )?;
        template_list.push(t.elapsed());
    }
    let rss_kib = session.peak_rss_kib();
    drop(session);

    // Clean stop: SIGTERM after a served call until the process has flushed its metrics,
    // checkpointed the WAL and exited.
    let mut stop = Vec::new();
    for i in 0..RUNS {
        let mut session = Session::start(&server, &data)?;
        session.request(
            300 + i as u64,
            "tools/call",
            r#"{"name":"template-manage","arguments":{"action":"list"}}"#,
        )?;
        stop.push(session.stop_with_sigterm()?);
    }

    println!(
        "spawn -> initialize answered: median {}",
        ms(median(&mut startup))
    );
    println!(
        "tools/list: median {} ({} bytes)",
        ms(median(&mut list)),
        payload.len()
    );
    let sizes = tool_sizes(&payload)?;
    for (tool, bytes) in &sizes {
        println!("  {tool}: {bytes} bytes");
    }
    println!(
        "  total of the {} tool entries: {} bytes (budgets: crates/server/tests/tool_list_budget.txt)",
        sizes.len(),
        sizes.iter().map(|(_, bytes)| bytes).sum::<usize>()
    );
    println!(
        "tools/call template-manage list: median {}",
        ms(median(&mut template_list))
    );
    println!(
        "SIGTERM -> exited (metrics flushed, WAL checkpointed): median {}",
        ms(median(&mut stop))
    );
    match rss_kib {
        Some(kib) => println!("peak RSS: {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak RSS: unavailable on this platform"),
    }

    // Store: history assembly.
    let out = run_capture(
        Command::new(&store_bench)
            .arg("assemble")
            .arg(scratch.join("assemble")),
    )?;
    println!("history assembly (100,000 stored messages): {}", out.trim());

    // Tool-call metrics: the per-call recording and one flush.
    let out = run_capture(
        Command::new(&store_bench)
            .arg("metrics")
            .arg(scratch.join("metrics")),
    )?;
    println!(
        "tool-call metrics (record_ns per call, flush_ms per flush): {}",
        out.trim()
    );

    // Store: 8 processes writing at once.
    let shared = scratch.join("shared");
    run_capture(Command::new(&store_bench).arg("context").arg(&shared))?;
    let started = Instant::now();
    let writers: Vec<Child> = (0..WRITERS)
        .map(|i| {
            Command::new(&store_bench)
                .args(["write"])
                .arg(&shared)
                .arg(format!("w{i}"))
                .arg(TURNS.to_string())
                .stdout(Stdio::piped())
                .spawn()
                .context("starting a writer")
        })
        .collect::<Result<_>>()?;
    let mut errors = 0u64;
    for w in writers {
        let out = w.wait_with_output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        errors += field(&text, "errors").unwrap_or(u64::MAX);
        if !out.status.success() {
            bail!("a writer failed: {text}");
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let rows = count_rows(&store_bench, &shared)?;
    let expected = (WRITERS * TURNS * 2) as u64;
    println!(
        "{WRITERS} processes x {TURNS} turns: {errors} errors, {} lost rows, {:.0} turns/s ({rows} rows in {secs:.2} s)",
        expected.saturating_sub(rows),
        (WRITERS * TURNS) as f64 / secs
    );
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// One server process with an initialized MCP session, run as clients run it (its default log
/// level, which writes a few lines per session: the profiled session must run that code too).
pub(crate) struct Session {
    child: Child,
    /// `None` once the session was ended from our side.
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Session {
    pub(crate) fn start(server: &Path, data: &Path) -> Result<Self> {
        let mut command = Command::new(server);
        command.stderr(Stdio::null());
        Self::start_command(command, data)
    }

    /// Starts `command` (the server, or a tool that runs it) on the data folder `data`; its
    /// stderr goes where `command` says.
    pub(crate) fn start_command(mut command: Command, data: &Path) -> Result<Self> {
        let mut child = command
            .arg("--data-dir")
            .arg(data)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("starting the server")?;
        let stdin = child.stdin.take().context("stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("stdout")?);
        let mut session = Self {
            child,
            stdin: Some(stdin),
            stdout,
        };
        session.request(
            1,
            "initialize",
            r#"{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}"#,
        )?;
        writeln!(
            session.input()?,
            r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#
        )?;
        Ok(session)
    }

    pub(crate) fn request(&mut self, id: u64, method: &str, params: &str) -> Result<String> {
        let input = self.input()?;
        writeln!(
            input,
            r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}","params":{params}}}"#
        )?;
        input.flush()?;
        let needle = format!("\"id\":{id}");
        loop {
            let mut line = String::new();
            if self.stdout.read_line(&mut line)? == 0 {
                bail!("the server closed stdout while waiting for {method}");
            }
            if line.contains(&needle) {
                return Ok(line);
            }
        }
    }

    fn input(&mut self) -> Result<&mut ChildStdin> {
        self.stdin
            .as_mut()
            .context("the session's stdin is already closed")
    }

    /// Ends the session as a client does (stdin closed) and waits for a clean exit.
    pub(crate) fn finish(mut self) -> Result<()> {
        // Dropping our end of the pipe is the client going away.
        self.stdin = None;
        let status = self.child.wait()?;
        if !status.success() {
            bail!("the server exited with {status} at the end of the session");
        }
        Ok(())
    }

    /// Sends SIGTERM and returns the time until the process has exited.
    fn stop_with_sigterm(&mut self) -> Result<Duration> {
        let started = Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .context("running kill")?;
        if !sent.success() {
            bail!("kill -TERM failed");
        }
        let status = self.child.wait()?;
        let elapsed = started.elapsed();
        if !status.success() {
            bail!("the server did not exit cleanly after SIGTERM: {status}");
        }
        Ok(elapsed)
    }

    fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Each tool's name and the bytes of its entry in a tools/list response, as compact JSON (what
/// the budget test measures).
fn tool_sizes(response: &str) -> Result<Vec<(String, usize)>> {
    let response: serde_json::Value =
        serde_json::from_str(response).context("the tools/list response is not JSON")?;
    let tools = response["result"]["tools"]
        .as_array()
        .context("the tools/list response has no tools")?;
    tools
        .iter()
        .map(|tool| {
            let name = tool["name"].as_str().unwrap_or("(unnamed)").to_owned();
            Ok((name, serde_json::to_string(tool)?.len()))
        })
        .collect()
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn field(json: &str, name: &str) -> Option<u64> {
    let start = json.find(&format!("\"{name}\":"))? + name.len() + 3;
    json[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

fn run_capture(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().context("running the store benchmark")?;
    if !out.status.success() {
        bail!("store benchmark failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn count_rows(store_bench: &Path, dir: &Path) -> Result<u64> {
    let out = run_capture(Command::new(store_bench).arg("count").arg(dir))?;
    field(&out, "messages").context("the store benchmark printed no count")
}

fn tempdir() -> Result<std::path::PathBuf> {
    scratch_dir("llmgen-bench")
}

/// A new folder `<temp>/<prefix>-<pid>` for one bench run's files.
pub(crate) fn scratch_dir(prefix: &str) -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Builds llmgen-core's example `name` in release and returns its path (`what` names it in the
/// progress line).
pub(crate) fn build_core_example(name: &str, what: &str) -> Result<std::path::PathBuf> {
    status(
        cargo().args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "llmgen-core",
            "--example",
            name,
        ]),
        &format!("building {what}"),
    )?;
    Ok(target_dir().join("release").join("examples").join(exe(name)))
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("{cpu}, {cores} cores, {}", std::env::consts::OS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each tool's size is its entry as compact JSON, whatever spacing the response had.
    #[test]
    fn tool_sizes_are_the_compact_entries() {
        let response = r#"{"jsonrpc":"2.0","id":100,"result":{"tools":[
            {"name": "a", "inputSchema": {"type": "object"}},
            {"name":"bb","description":"é"}]}}"#;
        let sizes = tool_sizes(response).expect("sizes");
        assert_eq!(
            sizes,
            [
                (
                    "a".to_owned(),
                    r#"{"inputSchema":{"type":"object"},"name":"a"}"#.len()
                ),
                ("bb".to_owned(), r#"{"description":"é","name":"bb"}"#.len()),
            ]
        );
    }
}
