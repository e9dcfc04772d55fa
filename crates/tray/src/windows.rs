//! The window process as the tray holds it: at most one, started on demand. The tray lives for
//! the whole session and never makes a webview; the window runs in a child process of its own
//! (`mcp-llm-generator-app --window`), gone, with WebKit's helper processes, when the window
//! closes. WebKitGTK keeps its network process for as long as the process that made a webview
//! lives, so only a process of its own gives that memory back (link.rs has the protocol).

use std::{
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    process::{Child, ChildStdin, Command, Stdio},
    sync::{Mutex, MutexGuard},
};

use llmgen_core::operations::health::Level;

use crate::{
    link::{Focus, ToTray, ToWindow, WINDOW_ARG},
    menu::Status,
    tray::Tray,
};

#[derive(Default)]
pub struct WindowProcess {
    running: Mutex<Option<Running>>,
}

struct Running {
    child: Child,
    stdin: ChildStdin,
    /// The window said it is closing: its process is ending, and will not show again.
    closing: bool,
}

impl Running {
    fn usable(&mut self) -> bool {
        !self.closing && matches!(self.child.try_wait(), Ok(None))
    }

    fn send(&mut self, message: ToWindow) -> std::io::Result<()> {
        writeln!(self.stdin, "{}", message.encode())?;
        self.stdin.flush()
    }
}

impl WindowProcess {
    fn lock(&self) -> MutexGuard<'_, Option<Running>> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Waits for a window process that is done with, off the caller's thread (and off the lock).
/// With `report`, a failure (a crash, or a window that could not start) is shown on the tray,
/// since nothing else would tell the user why no window is there.
fn reap(mut old: Running, kill: bool, report: Option<Tray>) {
    std::thread::spawn(move || {
        if kill {
            let _ = old.child.kill();
        }
        let pid = old.child.id();
        match old.child.wait() {
            Ok(status) if status.success() => tracing::info!("window process {pid} ended ({status})"),
            Ok(status) => {
                tracing::error!("window process {pid} failed ({status})");
                // A failure of its own (an exit code), not a signal from outside (the session
                // ending, someone ending the process).
                if let (Some(tray), Some(code)) = (report, status.code()) {
                    tray.show_state(Level::Warning, Status::WindowFailed(code));
                }
            }
            Err(e) => tracing::warn!("window process {pid}: {e}"),
        }
    });
}

/// Opens the window, at `focus` if given: brings the running one to the front, or starts the
/// window process. `then` is sent once it is there (e.g. check for updates); a new window also
/// checks at once when the tray knows of an `offered` update.
pub(crate) fn open(tray: &Tray, focus: Option<Focus>, then: Option<ToWindow>, offered: bool) {
    let mut running = tray.windows().lock();
    if let Some(r) = running.as_mut()
        && r.usable()
    {
        let sent = [Some(ToWindow::Show(focus)), then]
            .into_iter()
            .flatten()
            .try_for_each(|m| r.send(m));
        match sent {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!("the window process did not answer ({e}); starting a new one");
                if let Some(deaf) = running.take() {
                    reap(deaf, true, None);
                }
            }
        }
    }
    // One that is closing ends on its own; its reader thread sees it go.
    if let Some(old) = running.take() {
        reap(old, false, None);
    }
    let then = then.or(offered.then_some(ToWindow::CheckForUpdates));
    let failed = match start(tray) {
        Ok(mut started) => {
            // The new window shows itself; the focus (kept until its UI asks) and `then` follow.
            let first = focus.map(|f| ToWindow::Show(Some(f)));
            for message in [first, then].into_iter().flatten() {
                if let Err(e) = started.send(message) {
                    tracing::warn!("could not ask the new window to {message:?}: {e}");
                }
            }
            *running = Some(started);
            None
        }
        Err(e) => Some(e),
    };
    // Told off the lock: drawing may wait for the surface's own thread.
    drop(running);
    if let Some(e) = failed {
        tracing::error!("could not open the window: {e}");
        tray.show_state(Level::Warning, Status::WindowNotStarted(e.to_string()));
    }
}

/// Ends the window process, if any: closing its stdin ends it (link.rs); one that does not end
/// `within` is killed. Waited for either way.
pub(crate) fn close(tray: &Tray, within: std::time::Duration) {
    let Some(Running { mut child, stdin, .. }) = tray.windows().lock().take() else {
        return;
    };
    drop(stdin);
    let deadline = std::time::Instant::now() + within;
    while matches!(child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    if matches!(child.try_wait(), Ok(None)) {
        let _ = child.kill();
    }
    let _ = child.wait();
}

/// The program to start: the app's. When a package upgrade has replaced the file since, the
/// tray's own path names "(deleted)"; then it is still the app if the tray is the app (the Tauri
/// tray), reachable as /proc/self/exe, so tray and window agree. The standalone tray (the
/// server's program) starts the new app instead: the line protocol has stayed the same so far;
/// a change to it must keep old trays understood until they restart.
pub fn program_to_start(app: &Path) -> PathBuf {
    let proc_self = Path::new("/proc/self/exe");
    let tray_is_app = std::env::current_exe().is_ok_and(|me| me == app);
    if tray_is_app && !app.is_file() && cfg!(target_os = "linux") && proc_self.exists() {
        return proc_self.to_path_buf();
    }
    app.to_path_buf()
}

fn start(tray: &Tray) -> std::io::Result<Running> {
    let mut command = Command::new(program_to_start(tray.app_program()));
    command
        .arg(WINDOW_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    crate::lean::restore_for_window(&mut command);
    let mut child = command.spawn()?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(std::io::Error::other("the window process has no pipes"));
    };
    let pid = child.id();
    tracing::info!("window process {pid} started");
    let tray = tray.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            match ToTray::decode(&line) {
                Some(ToTray::Closing) => mark_closing(&tray, pid),
                Some(message) => tray.handle(message),
                None if line.trim().is_empty() => {}
                // Not ours: a library printed to stdout. Keep it where people look.
                None => tracing::debug!("window process stdout: {line}"),
            }
        }
        // End of its stdout: the process has ended (or closed it). Reap it if it is still the
        // current one; one replaced meanwhile was handed to `reap` by `open`.
        let ended = {
            let mut running = tray.windows().lock();
            match running.as_ref() {
                Some(r) if r.child.id() == pid => running.take(),
                _ => None,
            }
        };
        if let Some(ended) = ended {
            reap(ended, false, Some(tray.clone()));
        }
    });
    Ok(Running {
        child,
        stdin,
        closing: false,
    })
}

fn mark_closing(tray: &Tray, pid: u32) {
    if let Some(r) = tray.windows().lock().as_mut()
        && r.child.id() == pid
    {
        r.closing = true;
    }
}
