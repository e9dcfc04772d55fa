//! The sandbox in which the real MCP clients (installed by `cargo xtask test`, see
//! xtask/src/real_clients.rs) and our binary run: a temp HOME with every config folder the clients
//! know of inside it, no API keys, updates and telemetry off, and an HTTP(S) proxy on 127.0.0.1
//! that fails any request the clients would send out. The installed commands' folder comes in
//! `LLMGEN_REAL_CLIENTS_BIN`; without it tests fail when `CI` is set and skip otherwise.
#![allow(dead_code)] // each suite uses part of it

use std::{
    fs,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

pub const BIN: &str = env!("CARGO_BIN_EXE_mcp-llm-generator");
pub const CLIENTS_ENV: &str = "LLMGEN_REAL_CLIENTS_BIN";
pub const ENTRY: &str = "llm-generator";
/// Long enough for a client starting every server in its list on a loaded 2-core machine.
pub const DEADLINE: Duration = Duration::from_secs(180);

/// The folder with the installed `claude`, `gemini` and `codex`, or None (after saying why) when
/// the suite runs outside `cargo xtask test`.
pub fn clients_bin() -> Option<PathBuf> {
    match std::env::var_os(CLIENTS_ENV) {
        Some(dir) => Some(PathBuf::from(dir)),
        None if std::env::var_os("CI").is_some() => {
            panic!(
                "{CLIENTS_ENV} is not set: in CI the real clients must be installed (run `cargo xtask test`)"
            )
        }
        None => {
            eprintln!(
                "skipped: run through `cargo xtask test`, which installs the real clients and sets {CLIENTS_ENV}"
            );
            None
        }
    }
}

/// A temp HOME with a project folder, our data dir and a refusing proxy.
pub struct Sandbox {
    _tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub project: PathBuf,
    clients: PathBuf,
    proxy: TcpListener,
    runs: usize,
    /// Variables set for every command after the sandbox's own (`set_env`).
    env: Vec<(String, PathBuf)>,
}

/// What a command printed.
pub struct Said {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Said {
    pub fn both(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl Sandbox {
    pub fn new(clients: PathBuf) -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let home = tmp.path().join("home");
        let project = home.join("src/project");
        fs::create_dir_all(&project).expect("mkdir project");
        let proxy = TcpListener::bind("127.0.0.1:0").expect("bind the proxy stand-in");
        proxy.set_nonblocking(true).expect("nonblocking");
        Self {
            _tmp: tmp,
            home,
            project,
            clients,
            proxy,
            runs: 0,
            env: Vec::new(),
        }
    }

    /// Sets `name` to `value` for every command run from now on, ours and the clients' (a
    /// variable that moves a client's files, such as CLAUDE_CONFIG_DIR).
    pub fn set_env(&mut self, name: &str, value: PathBuf) {
        self.env.push((name.to_string(), value));
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.home.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, text).expect("write");
        path
    }

    /// PATH for the clients: their folder, Node's, and the system's. Without the clients, an
    /// empty folder: a `claude` installed on this machine (npm -g puts it beside node) must not
    /// turn "we write the file ourselves" into "through `claude mcp`".
    fn path(&self, with_clients: bool) -> std::ffi::OsString {
        if !with_clients {
            let empty = self.home.join("../empty-bin");
            fs::create_dir_all(&empty).expect("mkdir empty-bin");
            return empty.into_os_string();
        }
        let mut dirs = vec![self.clients.clone()];
        if let Some(node) = find_on_path("node") {
            dirs.extend(node.parent().map(Path::to_path_buf));
        }
        dirs.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(PathBuf::from));
        std::env::join_paths(dirs).expect("PATH")
    }

    /// A command with nothing from the developer's environment but the temp HOME and its dirs
    /// (clearing it also drops CLAUDE_CONFIG_DIR and GEMINI_CLI_HOME, which would move the
    /// clients' files out of HOME).
    fn command(&self, program: &Path, with_clients_on_path: bool) -> Command {
        let proxy = format!("http://{}", self.proxy.local_addr().expect("proxy address"));
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .current_dir(&self.project)
            .env("HOME", &self.home)
            .env("PATH", self.path(with_clients_on_path))
            .env("LANG", "C.UTF-8")
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_CACHE_HOME", self.home.join(".cache"))
            .env("XDG_DATA_HOME", self.home.join(".local/share"))
            .env("XDG_STATE_HOME", self.home.join(".local/state"))
            .env("CODEX_HOME", self.home.join(".codex"))
            .env("LLMGEN_DATA_DIR", self.home.join("llmgen-data"))
            // Anything a client would fetch goes to the stand-in, which never answers. With a
            // proxy set, Claude Code also skips its start-up HEAD request to its API (without
            // one, `claude mcp list` looks up api.anthropic.com even with the variables below).
            .env("HTTPS_PROXY", &proxy)
            .env("HTTP_PROXY", &proxy)
            .env("https_proxy", &proxy)
            .env("http_proxy", &proxy)
            // Claude Code: no updater, no telemetry, error reports or other optional traffic.
            .env("DISABLE_AUTOUPDATER", "1")
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
            .env("DISABLE_TELEMETRY", "1")
            .env("DISABLE_ERROR_REPORTING", "1")
            // Gemini CLI: load the settings in this (untrusted) folder, no telemetry, and no
            // system-wide settings from this machine's /etc.
            .env("GEMINI_CLI_TRUST_WORKSPACE", "true")
            .env("GEMINI_TELEMETRY_ENABLED", "false")
            .env(
                "GEMINI_CLI_SYSTEM_SETTINGS_PATH",
                self.home.join("no-system/settings.json"),
            )
            .env(
                "GEMINI_CLI_SYSTEM_DEFAULTS_PATH",
                self.home.join("no-system/defaults.json"),
            );
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs a client's command (from the installed folder), failing the test after DEADLINE.
    pub fn client(&mut self, name: &str, args: &[&str]) -> Said {
        let program = self.clients.join(name);
        let mut cmd = self.command(&program, true);
        cmd.args(args);
        let said = self.run(cmd, &format!("{name} {}", args.join(" ")));
        self.assert_no_request_went_out(name);
        said
    }

    /// Runs our binary; `clients_on_path` decides whether it finds `claude` to edit through.
    pub fn ours(&mut self, args: &[&str], clients_on_path: bool) -> Said {
        let mut cmd = self.command(Path::new(BIN), clients_on_path);
        cmd.args(args);
        let said = self.run(cmd, &format!("mcp-llm-generator {}", args.join(" ")));
        assert!(said.ok, "mcp-llm-generator {args:?} failed:\n{}", said.both());
        said
    }

    /// Output goes to files, not pipes: a server a client leaves running cannot hold us up.
    fn run(&mut self, mut cmd: Command, what: &str) -> Said {
        self.runs += 1;
        let out_path = self.home.join(format!("../out-{}.txt", self.runs));
        let err_path = self.home.join(format!("../err-{}.txt", self.runs));
        let out = fs::File::create(&out_path).expect("stdout file");
        let err = fs::File::create(&err_path).expect("stderr file");
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{what} did not finish in {DEADLINE:?}:\n{}\n{}",
                    fs::read_to_string(&out_path).unwrap_or_default(),
                    fs::read_to_string(&err_path).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        Said {
            ok: status.success(),
            stdout: fs::read_to_string(&out_path).unwrap_or_default(),
            stderr: fs::read_to_string(&err_path).unwrap_or_default(),
        }
    }

    fn assert_no_request_went_out(&self, client: &str) {
        match self.proxy.accept() {
            Ok((_, from)) => panic!("{client} tried to reach the network (through the proxy, from {from})"),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("proxy stand-in: {e}"),
        }
    }
}

pub fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Our binary as configure writes it: resolved, absolute.
pub fn exe() -> String {
    fs::canonicalize(BIN)
        .expect("canonical binary path")
        .display()
        .to_string()
}

/// The line a `mcp list` prints for `name` (`name: …` in both Claude Code and Gemini CLI).
pub fn line_of<'a>(listing: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("{name}: ");
    listing.lines().find(|l| {
        l.trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
            .starts_with(&prefix)
    })
}
