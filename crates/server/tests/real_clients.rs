//! `clients configure` and `clients remove` against the real clients, installed from npm by
//! `cargo xtask test` (xtask/src/real_clients.rs): after configure, Claude Code and Gemini CLI start
//! our entry and report it connected and Codex lists it; after remove none of them has it, and the
//! files hold the user's content as before.
//!
//! Each test runs the clients in a temp HOME with every config folder they know of (XDG dirs,
//! CODEX_HOME, Gemini's system settings) inside it, with no API keys, updates and telemetry off,
//! and an HTTP(S) proxy on 127.0.0.1 that fails any request the clients would send out (the test
//! asserts that none was attempted). The installed commands' folder comes in
//! `LLMGEN_REAL_CLIENTS_BIN`; without it the tests fail when `CI` is set and skip otherwise.

use std::{
    fs,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_mcp-llm-generator");
const CLIENTS_ENV: &str = "LLMGEN_REAL_CLIENTS_BIN";
const ENTRY: &str = "llm-generator";
/// Long enough for a client starting every server in its list on a loaded 2-core machine.
const DEADLINE: Duration = Duration::from_secs(180);

/// A user's other server: it does not exist, so the clients report it failed without any network.
const CLAUDE_JSON: &str = r#"{
  "numStartups": 12,
  "installMethod": "npm-global",
  "hasCompletedOnboarding": true,
  "mcpServers": {
    "weather": {
      "type": "stdio",
      "command": "/opt/weather-mcp/bin/weather-mcp",
      "args": ["--units", "metric"],
      "env": {}
    }
  }
}
"#;

const GEMINI_SETTINGS: &str = r#"{
  // My Gemini CLI settings.
  "ui": {
    "theme": "GitHub"
  },
  "mcpServers": {
    // Weather lookups for the team.
    "weather": {
      "command": "/opt/weather-mcp/bin/weather-mcp",
      "args": ["--units", "metric"]
    }
  }
}
"#;

const CODEX_CONFIG: &str = r#"# My Codex settings.
model = "gpt-5-codex"
approval_policy = "on-request"

[mcp_servers.weather]
# Weather lookups for the team.
command = "/opt/weather-mcp/bin/weather-mcp"
args = ["--units", "metric"]
"#;

/// Keys Claude Code 2.1.197 adds to `~/.claude.json` by itself (seen by comparing the file before
/// and after its first run); they are its own bookkeeping, not the user's content.
const CLAUDE_OWN_KEYS: &[&str] = &[
    "firstStartTime",
    "machineID",
    "userID",
    "migrationVersion",
    "opusProMigrationComplete",
    "sonnet1m45MigrationComplete",
    "seenNotifications",
];

/// The folder with the installed `claude`, `gemini` and `codex`, or None (after saying why) when
/// the suite runs outside `cargo xtask test`.
fn clients_bin() -> Option<PathBuf> {
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
struct Sandbox {
    _tmp: tempfile::TempDir,
    home: PathBuf,
    project: PathBuf,
    clients: PathBuf,
    proxy: TcpListener,
    runs: usize,
}

/// What a command printed.
struct Said {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Said {
    fn both(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl Sandbox {
    fn new(clients: PathBuf) -> Self {
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
        }
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
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
        cmd
    }

    /// Runs a client's command (from the installed folder), failing the test after DEADLINE.
    fn client(&mut self, name: &str, args: &[&str]) -> Said {
        let program = self.clients.join(name);
        let mut cmd = self.command(&program, true);
        cmd.args(args);
        let said = self.run(cmd, &format!("{name} {}", args.join(" ")));
        self.assert_no_request_went_out(name);
        said
    }

    /// Runs our binary; `clients_on_path` decides whether it finds `claude` to edit through.
    fn ours(&mut self, args: &[&str], clients_on_path: bool) -> Said {
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

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Our binary as configure writes it: resolved, absolute.
fn exe() -> String {
    fs::canonicalize(BIN)
        .expect("canonical binary path")
        .display()
        .to_string()
}

/// The line a `mcp list` prints for `name` (`name: …` in both Claude Code and Gemini CLI).
fn line_of<'a>(listing: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("{name}: ");
    listing.lines().find(|l| {
        l.trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
            .starts_with(&prefix)
    })
}

/// `~/.claude.json` parsed, without Claude Code's own bookkeeping.
fn claude_user_content(path: &Path) -> Value {
    let mut doc: Value = serde_json::from_str(&fs::read_to_string(path).expect("read ~/.claude.json"))
        .expect("~/.claude.json is JSON");
    let top = doc.as_object_mut().expect("~/.claude.json is an object");
    for key in CLAUDE_OWN_KEYS {
        top.remove(*key);
    }
    doc
}

/// Claude Code's `mcp list`, which starts every server: ours must be connected, or absent.
fn claude_lists(sandbox: &mut Sandbox, ours_connected: bool) {
    let said = sandbox.client("claude", &["mcp", "list"]);
    assert!(said.ok, "claude mcp list failed:\n{}", said.both());
    let weather = line_of(&said.stdout, "weather")
        .unwrap_or_else(|| panic!("the user's server is listed:\n{}", said.both()));
    assert!(weather.contains("Failed to connect"), "{weather}");
    match line_of(&said.stdout, ENTRY) {
        Some(line) if ours_connected => assert!(
            line.contains(&exe()) && line.contains("✔ Connected"),
            "Claude Code started our server: {line}\n{}",
            said.both()
        ),
        None if !ours_connected => {}
        other => panic!("our entry in Claude Code's list: {other:?}\n{}", said.both()),
    }
}

/// Configure and remove for Claude Code; `through_claude` puts `claude` on our PATH, so configure
/// goes through `claude mcp add-json` (what users with Claude Code installed get), else we edit
/// the file ourselves and Claude Code must read what we wrote.
fn claude_code_round_trip(through_claude: bool) {
    let Some(clients) = clients_bin() else { return };
    let mut sandbox = Sandbox::new(clients);
    let file = sandbox.write(".claude.json", CLAUDE_JSON);
    // A user who has run Claude Code before: its first run adds its own keys to the file.
    claude_lists(&mut sandbox, false);
    let before = claude_user_content(&file);

    let said = sandbox.ours(&["clients", "configure", "claude-code"], through_claude);
    assert!(said.stdout.contains("claude-code: updated"), "{}", said.both());
    claude_lists(&mut sandbox, true);

    let said = sandbox.ours(&["clients", "remove", "claude-code"], through_claude);
    assert!(said.stdout.contains("removed llm-generator"), "{}", said.both());
    claude_lists(&mut sandbox, false);

    assert_eq!(
        claude_user_content(&file),
        before,
        "everything but Claude Code's own bookkeeping is as before configure"
    );
}

/// Proves: with `claude` on PATH, `clients configure claude-code` adds an entry that the real
/// Claude Code starts and reports connected, `clients remove` takes it out again, and the user's
/// content of `~/.claude.json` (their other server, their settings) is unchanged.
#[test]
fn claude_code_connects_to_the_entry_configured_through_its_own_command() {
    claude_code_round_trip(true);
}

/// Proves: without `claude` on PATH we write `~/.claude.json` ourselves, and the real Claude Code
/// reads that entry, starts our server and reports it connected; after remove it is gone and the
/// user's content is unchanged.
#[test]
fn claude_code_connects_to_the_entry_we_write_into_its_file() {
    claude_code_round_trip(false);
}

/// Proves: the real Gemini CLI starts the entry `clients configure gemini-cli` writes into its
/// commented settings.json and reports it connected; after `clients remove` it no longer lists it
/// and the file is byte-for-byte what the user had.
#[test]
fn gemini_cli_connects_to_our_entry_and_its_settings_come_back_byte_for_byte() {
    let Some(clients) = clients_bin() else { return };
    let mut sandbox = Sandbox::new(clients);
    let file = sandbox.write(".gemini/settings.json", GEMINI_SETTINGS);
    let gemini_lists = |sandbox: &mut Sandbox, ours_connected: bool| {
        let said = sandbox.client("gemini", &["mcp", "list"]);
        assert!(said.ok, "gemini mcp list failed:\n{}", said.both());
        let listing = said.both();
        assert!(
            !listing.contains("untrusted"),
            "GEMINI_CLI_TRUST_WORKSPACE loads the settings here:\n{listing}"
        );
        assert!(
            line_of(&listing, "weather").is_some(),
            "the user's server is listed:\n{listing}"
        );
        match line_of(&listing, ENTRY) {
            Some(line) if ours_connected => assert!(
                line.contains(&exe()) && line.ends_with("- Connected"),
                "Gemini CLI started our server: {line}\n{listing}"
            ),
            None if !ours_connected => {}
            other => panic!("our entry in Gemini CLI's list: {other:?}\n{listing}"),
        }
    };
    gemini_lists(&mut sandbox, false);
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        GEMINI_SETTINGS,
        "listing changes nothing"
    );

    sandbox.ours(&["clients", "configure", "gemini-cli"], true);
    gemini_lists(&mut sandbox, true);
    sandbox.ours(&["clients", "remove", "gemini-cli"], true);
    gemini_lists(&mut sandbox, false);

    assert_eq!(fs::read_to_string(&file).expect("read"), GEMINI_SETTINGS);
}

/// Proves: the real Codex lists the entry `clients configure codex` writes into its commented
/// config.toml (enabled, running our binary), no longer lists it after `clients remove`, and the
/// file is byte-for-byte what the user had. (`codex mcp list` reads the config; it starts no
/// server.)
#[test]
fn codex_lists_our_entry_and_its_config_comes_back_byte_for_byte() {
    let Some(clients) = clients_bin() else { return };
    let mut sandbox = Sandbox::new(clients);
    let file = sandbox.write(".codex/config.toml", CODEX_CONFIG);
    let codex_list = |sandbox: &mut Sandbox| -> Vec<Value> {
        let said = sandbox.client("codex", &["mcp", "list", "--json"]);
        assert!(said.ok, "codex mcp list failed:\n{}", said.both());
        let list: Value =
            serde_json::from_str(&said.stdout).unwrap_or_else(|e| panic!("{e}: {}", said.both()));
        let servers = list.as_array().cloned().expect("a JSON list");
        assert!(servers.iter().any(|s| s["name"] == "weather"), "{list}");
        servers
    };
    assert!(!codex_list(&mut sandbox).iter().any(|s| s["name"] == ENTRY));

    sandbox.ours(&["clients", "configure", "codex"], true);
    let listed = codex_list(&mut sandbox);
    let ours = listed
        .iter()
        .find(|s| s["name"] == ENTRY)
        .unwrap_or_else(|| panic!("Codex lists our entry: {listed:?}"));
    assert_eq!(ours["enabled"], true, "{ours}");
    assert_eq!(ours["transport"]["type"], "stdio", "{ours}");
    assert_eq!(ours["transport"]["command"], exe().as_str(), "{ours}");

    sandbox.ours(&["clients", "remove", "codex"], true);
    assert!(!codex_list(&mut sandbox).iter().any(|s| s["name"] == ENTRY));

    assert_eq!(fs::read_to_string(&file).expect("read"), CODEX_CONFIG);
}
