//! The one way the suites run the real `mcp-llm-generator` binary from the command line: in a
//! cleared environment (only what a test adds reaches it), with a temp HOME as home and current
//! folder, and no keychain (no session bus) unless a test brings its own private one. Kept free
//! of the rest of the harness so the raw JSON-RPC harness can include it by path.
#![allow(dead_code)] // each suite uses part of it

use std::{
    ffi::OsString,
    io::{ErrorKind, Write},
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    time::Duration,
};

/// The binary under test.
pub fn server_bin() -> &'static str {
    env!("CARGO_BIN_EXE_mcp-llm-generator")
}

/// A D-Bus address where nothing listens: the binary finds no keychain, so tests never read or
/// write the developer's real one (keychain tests bring their own session; see keychain_cli.rs).
pub const NO_KEYCHAIN_BUS: &str = "unix:path=/nonexistent/llmgen-test-bus";

/// What the variables of a private Secret Service session are called: a keychain test's own
/// session bus, and the runtime folder it lives in.
const KEYCHAIN_SESSION_ENV: [&str; 2] = ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"];

/// A command-line run being set up: build it with the methods below, then [`CliRun::run`],
/// [`CliRun::ok`], or [`CliRun::command`] for a test that drives the process itself.
pub struct CliRun {
    binary: PathBuf,
    home: PathBuf,
    current_dir: PathBuf,
    /// Arguments before the test's own (`--data-dir`).
    leading_args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    keychain_session: bool,
    stdin: Option<String>,
    umask: Option<u32>,
}

impl CliRun {
    /// The CLI with `home` as HOME and current folder and `data` as its data folder (through
    /// LLMGEN_DATA_DIR).
    pub fn new(home: &Path, data: &Path) -> Self {
        Self::in_home(home).env("LLMGEN_DATA_DIR", data)
    }

    /// The CLI with `home` as HOME and current folder, and no data folder named: the platform's
    /// default under HOME, unless [`CliRun::data_dir`] names one.
    pub fn in_home(home: &Path) -> Self {
        Self {
            binary: PathBuf::from(server_bin()),
            home: home.to_path_buf(),
            current_dir: home.to_path_buf(),
            leading_args: Vec::new(),
            env: Vec::new(),
            keychain_session: false,
            stdin: None,
            umask: None,
        }
    }

    /// The CLI on the existing folder `data`, named with `--data-dir`, which is also its HOME and
    /// current folder: for suites where nothing of the test lives in HOME.
    pub fn on(data: &Path) -> Self {
        Self::in_home(data).data_dir(data)
    }

    /// Runs another copy of the binary (an older install, one that moves away).
    pub fn binary(mut self, path: &Path) -> Self {
        self.binary = path.to_path_buf();
        self
    }

    /// Names the data folder with `--data-dir`, as a user would on the command line.
    pub fn data_dir(mut self, data: &Path) -> Self {
        self.leading_args = vec!["--data-dir".into(), data.into()];
        self
    }

    /// Another current folder than HOME.
    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.current_dir = dir.to_path_buf();
        self
    }

    /// One more environment variable for this run.
    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.env.push((key.into(), value.as_ref().to_os_string()));
        self
    }

    /// More environment variables for this run.
    pub fn envs(self, vars: &[(&str, &str)]) -> Self {
        vars.iter().fold(self, |run, (key, value)| run.env(key, value))
    }

    /// Gives the run this test's own session bus (and runtime folder) in place of no keychain:
    /// for keychain tests, which run only inside the private Secret Service `cargo xtask test`
    /// starts (see `llmgen_core::secrets::keychain_tests_enabled`).
    pub fn keychain_session(mut self) -> Self {
        self.keychain_session = true;
        self
    }

    /// Text written to the run's standard input (otherwise, or with `None`, it reads end of
    /// input at once).
    pub fn stdin<'a>(mut self, text: impl Into<Option<&'a str>>) -> Self {
        self.stdin = text.into().map(str::to_string);
        self
    }

    /// Starts the binary through `sh` under this umask (what a desktop session gives), so the
    /// modes of the files it creates can be checked.
    pub fn umask(mut self, mask: u32) -> Self {
        self.umask = Some(mask);
        self
    }

    /// The command with `args`, for a test that spawns it and handles its input and output.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = match self.umask {
            Some(mask) => {
                let mut sh = Command::new("/bin/sh");
                sh.arg("-c")
                    .arg(format!("umask {mask:03o}; exec \"$@\""))
                    .arg("sh")
                    .arg(&self.binary);
                sh
            }
            None => Command::new(&self.binary),
        };
        cmd.env_clear()
            .env("HOME", &self.home)
            .current_dir(&self.current_dir);
        if self.keychain_session {
            for var in KEYCHAIN_SESSION_ENV {
                if let Some(value) = std::env::var_os(var) {
                    cmd.env(var, value);
                }
            }
        } else {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", NO_KEYCHAIN_BUS);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)))
            .args(&self.leading_args)
            .args(args);
        cmd
    }

    /// Runs it with `args` and returns what it did.
    pub fn run(self, args: &[&str]) -> Output {
        let mut cmd = self.command(args);
        let stdin = match self.stdin {
            Some(_) => Stdio::piped(),
            None => Stdio::null(),
        };
        cmd.stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.spawn(&mut cmd);
        if let (Some(text), Some(mut input)) = (&self.stdin, child.stdin.take()) {
            input.write_all(text.as_bytes()).expect("write stdin");
        }
        child.wait_with_output().expect("CLI output")
    }

    /// Runs it with `args` and requires success (the failure shows its stderr).
    pub fn ok(self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Starts `cmd`. A binary copied a moment before can be busy for an instant (another test
    /// thread's fork still holds the copy's write handle until that child execs), so only that
    /// error is tried again, briefly.
    fn spawn(&self, cmd: &mut Command) -> Child {
        let mut tries = 0;
        loop {
            match cmd.spawn() {
                Err(e) if e.kind() == ErrorKind::ExecutableFileBusy && tries < 50 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                started => {
                    return started.unwrap_or_else(|e| {
                        panic!(
                            "start {} in {}: {e}",
                            self.binary.display(),
                            self.current_dir.display()
                        )
                    });
                }
            }
        }
    }
}
