//! `cargo xtask bench-app [APP]`: figures of the desktop app for BENCHMARKS.md, on the binary users
//! get (by default the one `cargo xtask bundle` built; an installed `/usr/bin/mcp-llm-generator-app`
//! works too). Under Xvfb, each run in its own D-Bus session (with a tray host, as a desktop has) and
//! temporary HOME: spawn → tray ready (its item on D-Bus, from the app's log), then the resident
//! memory of the app's whole process tree (tray, window process, WebKit's web and network processes) after it has
//! settled, once started minimised (as at login: the window closed) and once with the window open.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

use crate::{app::Xvfb, exe, target_dir};

const RUNS: usize = 5;
/// How long the app idles before its memory is read (its first health check is long done).
const SETTLE: Duration = Duration::from_secs(15);

pub fn bench_app(args: Vec<String>) -> Result<()> {
    let app = match args.first() {
        Some(path) => PathBuf::from(path),
        None => default_app()?,
    };
    let server = app.with_file_name(exe("mcp-llm-generator"));
    if !server.is_file() {
        bail!(
            "{} has no server binary beside it ({}); bench the app `cargo xtask bundle` built, or an installed one",
            app.display(),
            server.display()
        );
    }
    let host = build_tray_host()?;
    let xvfb = Xvfb::start()?;
    println!("app:     {} ({:.1} MB)", app.display(), size_mb(&app));

    let mut ready = Vec::new();
    let mut closed = Vec::new();
    for _ in 0..RUNS {
        let mut run = Run::start(&host, &app, &xvfb.display, true)?;
        ready.push(run.wait_for("tray shown (StatusNotifierItem)", Duration::from_secs(60))?);
        std::thread::sleep(SETTLE);
        closed.push(run.memory());
    }
    ready.sort();
    println!(
        "spawn → tray ready (median of {RUNS}): {:.0} ms (min {:.0}, max {:.0})",
        ms(ready[RUNS / 2]),
        ms(ready[0]),
        ms(ready[RUNS - 1])
    );
    println!("window closed (started minimised), after {SETTLE:?}:");
    for (i, m) in closed.iter().enumerate() {
        println!("  run {}: {}", i + 1, m.describe());
    }

    let mut run = Run::start(&host, &app, &xvfb.display, false)?;
    run.wait_for("ui ready:", Duration::from_secs(90))?;
    std::thread::sleep(SETTLE);
    let open = run.memory();
    println!("window open, after {SETTLE:?}: {}", open.describe());
    // The window process ends when its window closes (the end-to-end test closes it like a
    // user); here it is ended directly, then the tray left alone.
    let tray = open.processes.first().map(|p| p.pid);
    // The tray's child that runs WebKit's processes (the others are health-check servers).
    let is_window = |p: &&Process| {
        Some(p.parent) == tray
            && open
                .processes
                .iter()
                .any(|c| c.parent == p.pid && c.comm.starts_with("WebKit"))
    };
    for window in open.processes.iter().filter(is_window) {
        let _ = Command::new("kill")
            .args(["-TERM", &window.pid.to_string()])
            .status();
    }
    std::thread::sleep(SETTLE);
    println!(
        "window closed again, after {SETTLE:?}: {}",
        run.memory().describe()
    );
    Ok(())
}

/// The desktop's tray host the app runs under (tests/e2e/examples/tray_host.rs); without one the
/// app would draw its fallback tray.
fn build_tray_host() -> Result<PathBuf> {
    crate::status(
        crate::cargo().args(["build", "--quiet", "-p", "llmgen-e2e", "--example", "tray_host"]),
        "building the tray host the app runs under",
    )?;
    Ok(target_dir().join("debug/examples").join(exe("tray_host")))
}

fn default_app() -> Result<PathBuf> {
    let built = target_dir().join("bundle").join(exe("mcp-llm-generator-app"));
    if built.is_file() {
        return Ok(built);
    }
    let installed = PathBuf::from("/usr/bin/mcp-llm-generator-app");
    if installed.is_file() {
        return Ok(installed);
    }
    bail!(
        "no app to measure: run `cargo xtask bundle` first (it builds {}), or pass the app's path",
        built.display()
    )
}

fn size_mb(path: &Path) -> f64 {
    std::fs::metadata(path)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One start of the app in its own D-Bus session and HOME.
struct Run {
    session: Child,
    started: Instant,
    lines: mpsc::Receiver<String>,
    _home: TempHome,
}

impl Run {
    fn start(host: &Path, app: &Path, display: &str, minimized: bool) -> Result<Self> {
        let home = TempHome::new()?;
        let mut cmd = Command::new("dbus-run-session");
        cmd.arg("--").arg(host).arg(app);
        if minimized {
            cmd.arg("--minimized");
        }
        cmd.env("HOME", &home.0)
            .env("XDG_RUNTIME_DIR", home.0.join("run"))
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("LLMGEN_DATA_DIR")
            .env("DISPLAY", display)
            .env("LLMGEN_LOG", "info")
            // Xvfb has no GPU for WebKit's DMA-BUF renderer.
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut session = cmd
            .spawn()
            .context("starting dbus-run-session (apt-get install dbus)")?;
        let stderr = session.stderr.take().context("no stderr")?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Self {
            session,
            started,
            lines,
            _home: home,
        })
    }

    /// Time from spawn to the first log line containing `marker`.
    fn wait_for(&mut self, marker: &str, timeout: Duration) -> Result<Duration> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(marker) => return Ok(self.started.elapsed()),
                Ok(_) => {}
                Err(_) => bail!("the app never logged '{marker}' within {timeout:?}"),
            }
        }
    }

    /// The app's process tree (the session's bus daemon, the tray host and the services they
    /// started are not the app's and are left out).
    fn memory(&self) -> Memory {
        let all = processes();
        let host = all
            .iter()
            .find(|p| p.parent == self.session.id() && p.comm.starts_with("tray_host"))
            .map(|p| p.pid);
        let app = all
            .iter()
            .find(|p| Some(p.parent) == host && p.comm.starts_with("mcp-llm-generat"))
            .map(|p| p.pid);
        let mut tree = Vec::new();
        if let Some(app) = app {
            let mut todo = vec![app];
            while let Some(pid) = todo.pop() {
                if let Some(p) = all.iter().find(|p| p.pid == pid) {
                    tree.push(p.clone());
                }
                todo.extend(all.iter().filter(|p| p.parent == pid).map(|p| p.pid));
            }
        }
        Memory { processes: tree }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        // The app's processes first (collected before anything ends and re-parents them), then
        // the session with its bus.
        for p in self.memory().processes {
            let _ = Command::new("kill").args(["-KILL", &p.pid.to_string()]).status();
        }
        let _ = self.session.kill();
        let _ = self.session.wait();
    }
}

#[derive(Clone)]
struct Process {
    pid: u32,
    parent: u32,
    comm: String,
    rss_kib: u64,
}

fn processes() -> Vec<Process> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let Some(parent) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) else {
            continue;
        };
        let comm = head
            .split_once('(')
            .map(|(_, c)| c.to_string())
            .unwrap_or_default();
        let rss_kib = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("Rss:"))
                    .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
            })
            .unwrap_or(0);
        all.push(Process {
            pid,
            parent,
            comm,
            rss_kib,
        });
    }
    all
}

struct Memory {
    processes: Vec<Process>,
}

impl Memory {
    fn describe(&self) -> String {
        let total: u64 = self.processes.iter().map(|p| p.rss_kib).sum();
        let parts: Vec<String> = self
            .processes
            .iter()
            .map(|p| format!("{} {:.1}", p.comm, p.rss_kib as f64 / 1024.0))
            .collect();
        format!(
            "{:.1} MiB RSS in {} processes ({})",
            total as f64 / 1024.0,
            self.processes.len(),
            parts.join(", ")
        )
    }
}

/// A HOME of its own for a run, removed afterwards.
struct TempHome(PathBuf);

impl TempHome {
    fn new() -> Result<Self> {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("llmgen-bench-app-{}-{n}", std::process::id()));
        std::fs::create_dir_all(dir.join("run"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.join("run"), std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(Self(dir))
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
