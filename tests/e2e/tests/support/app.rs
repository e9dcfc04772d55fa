//! The app started directly (no WebDriver): its binary with the test's HOME, on the test's X
//! display and D-Bus session, its stderr collected into a [`Log`] the test can wait on; killed
//! when dropped if it is still running. Also the HOME a test gives the app, and the guard that
//! ends an app a WebDriver session started.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    sync::Arc,
};

use super::driver::Log;

pub struct App {
    child: Child,
    pub log: Arc<Log>,
}

/// The app's command with `home` as HOME (data dir and client files are found there) and no
/// DMA-BUF renderer (Xvfb has no GPU).
pub fn command(bin: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(bin);
    in_home(&mut cmd, home)
        .env("LLMGEN_LOG", "info")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    cmd
}

/// `cmd` as run by the user whose HOME is `home`: their client files and the app's data dir
/// there, no override of either from the test's session.
pub fn in_home<'a>(cmd: &'a mut Command, home: &Path) -> &'a mut Command {
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env_remove("XDG_DATA_HOME")
        .env_remove("LLMGEN_DATA_DIR")
}

/// The command an AI app runs for `entry` (our entry in its file: `command` and `args`), as the
/// user whose HOME is `home`.
pub fn entry_command(entry: &serde_json::Value, home: &Path) -> Command {
    let mut cmd = Command::new(entry["command"].as_str().expect("the entry's command"));
    for arg in entry["args"].as_array().expect("the entry's args") {
        cmd.arg(arg.as_str().expect("an argument"));
    }
    in_home(&mut cmd, home);
    cmd
}

/// The app's data dir for the HOME `home` (where the app, our server and the CLI find it).
pub fn data_dir(home: &Path) -> llmgen_core::paths::DataDir {
    llmgen_core::paths::DataDir::at(home.join(".local/share/dev.llmgen.desktop"))
}

impl App {
    pub fn start(mut cmd: Command) -> Result<Self, String> {
        let mut child = cmd
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the app: {e}"))?;
        let log = Log::of(child.stderr.take());
        Ok(Self { child, log })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running (it has not exited).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The exit status if the process has ended.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The exit status, waiting for it.
    pub fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.child.wait()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the app's log:\n{}", self.log.text());
        }
        if self.is_running() {
            // The window process and WebKit's too, so nothing of this app outlives its test
            // (collected first: once the tray is gone they are no longer its descendants).
            let family = descendants(self.child.id());
            let _ = self.child.kill();
            let _ = self.child.wait();
            for (pid, _) in family {
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        }
    }
}

/// The processes started by `pid` and by them, in turn (the window process and WebKit's), by
/// pid and command name.
pub fn descendants(pid: u32) -> Vec<(u32, String)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(process) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{process}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing paren.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let Some(parent) = rest.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let comm = head
            .split_once('(')
            .map(|(_, c)| c.to_string())
            .unwrap_or_default();
        all.push((process, parent, comm));
    }
    let mut family = vec![pid];
    let mut i = 0;
    while i < family.len() {
        let parent = family[i];
        family.extend(all.iter().filter(|(_, p, _)| *p == parent).map(|(c, _, _)| *c));
        i += 1;
    }
    all.into_iter()
        .filter(|(process, _, _)| *process != pid && family.contains(process))
        .map(|(process, _, comm)| (process, comm))
        .collect()
}

/// Kills the app at the end if it is still running (a failed assertion must not leave it behind).
pub struct AppProcess(pub Option<u32>);

impl Drop for AppProcess {
    /// The tray, its window process and WebKit's (collected first: once the tray is gone they
    /// are no longer its descendants).
    fn drop(&mut self) {
        if let Some(pid) = self.0
            && Path::new(&format!("/proc/{pid}")).exists()
        {
            let family = descendants(pid);
            for p in std::iter::once(pid).chain(family.into_iter().map(|(p, _)| p)) {
                let _ = Command::new("kill").args(["-KILL", &p.to_string()]).status();
            }
        }
    }
}

/// The app's HOME, and so its data folder: on tmpfs where there is one, because the health check
/// measures the free space of the disk holding the data, and the nearly full disk of a build
/// machine (target dirs) must not decide a test of the walk-through. Else the system temp dir.
pub fn app_home() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::Builder::new()
            .prefix("llmgen-e2e-home.")
            .tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir().expect("temp home")
}
