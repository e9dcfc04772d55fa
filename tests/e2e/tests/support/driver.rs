//! The app under WebDriver: tauri-driver (in front of WebKitWebDriver) started with the test's
//! HOME, a WebDriver session that launches the real app binary, and the app's log, which reaches
//! us through the drivers' inherited stderr.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Condvar, Mutex},
    time::{Duration, Instant},
};

/// What xtask hands over; `None` (with a notice) when the test runs outside `cargo xtask test`.
pub struct Setup {
    pub app_bin: PathBuf,
    pub tauri_driver: PathBuf,
    pub webkit_webdriver: PathBuf,
    pub screenshots: Option<PathBuf>,
}

impl Setup {
    pub fn from_xtask() -> Option<Self> {
        let var = |name: &str| std::env::var_os(name).map(PathBuf::from);
        let (Some(app_bin), Some(tauri_driver), Some(webkit_webdriver), Some(_)) = (
            var("LLMGEN_APP_BIN"),
            var("LLMGEN_TAURI_DRIVER"),
            var("LLMGEN_WEBKIT_WEBDRIVER"),
            var("DISPLAY"),
        ) else {
            super::missing_environment(
                "LLMGEN_APP_BIN, LLMGEN_TAURI_DRIVER, LLMGEN_WEBKIT_WEBDRIVER and an X display",
            );
            return None;
        };
        // The key goes into whatever Secret Service this session has: only a private one that
        // xtask started (with its temp HOME) may receive it, never a developer's keychain.
        let home = std::env::var("HOME").unwrap_or_default();
        assert!(
            std::env::var("LLMGEN_KEYCHAIN_TESTS").as_deref() == Ok("1")
                && Path::new(&home).starts_with(std::env::temp_dir()),
            "refusing to run: this test writes to the keychain and needs the private D-Bus session and temp HOME ({home}) that `cargo xtask test` sets up"
        );
        Some(Self {
            app_bin,
            tauri_driver,
            webkit_webdriver,
            screenshots: var("LLMGEN_SCREENSHOT_DIR"),
        })
    }

    /// The server binary bundled next to the app (what our entry in an AI app's file runs).
    pub fn server_bin(&self) -> PathBuf {
        std::fs::canonicalize(self.app_bin.with_file_name("mcp-llm-generator"))
            .expect("the server binary sits next to the app")
    }
}

/// Lines the app and the drivers wrote to stderr, in order.
#[derive(Default)]
pub struct Log {
    lines: Mutex<Vec<String>>,
    grew: Condvar,
}

impl Log {
    /// A log filled, line by line, from `stream` (a child's stderr) on a thread of its own.
    pub fn of(stream: Option<impl Read + Send + 'static>) -> Arc<Self> {
        let log = Arc::new(Self::default());
        if let Some(stream) = stream {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    log.push(line);
                }
            });
        }
        log
    }

    pub fn push(&self, line: String) {
        if let Ok(mut lines) = self.lines.lock() {
            lines.push(line);
            self.grew.notify_all();
        }
    }

    /// How many lines there are so far (to wait for a line written after this point).
    pub fn len(&self) -> usize {
        self.lines.lock().map(|l| l.len()).unwrap_or(0)
    }

    pub fn text(&self) -> String {
        self.lines.lock().map(|l| l.join("\n")).unwrap_or_default()
    }

    /// Waits for a line at index `from` or later that satisfies `wanted`; returns it.
    pub fn wait_for(
        &self,
        from: usize,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        let mut lines = self.lines.lock().map_err(|e| e.to_string())?;
        let mut seen = from;
        loop {
            if let Some(line) = lines.iter().skip(seen).find(|l| wanted(l)) {
                return Ok(line.clone());
            }
            seen = lines.len().max(from);
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "the app never logged {what} within {timeout:?}; its log:\n{}",
                    lines.join("\n")
                ));
            }
            lines = self.grew.wait_timeout(lines, left).map_err(|e| e.to_string())?.0;
        }
    }
}

/// tauri-driver and the WebKitWebDriver it runs; stopped when dropped.
pub struct Driver {
    child: Child,
    port: u16,
    pub log: Arc<Log>,
}

/// Two free local ports (asked of the OS together, so they differ).
fn free_ports() -> Result<(u16, u16), String> {
    let a = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let b = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = |l: &TcpListener| l.local_addr().map(|a| a.port()).map_err(|e| e.to_string());
    Ok((port(&a)?, port(&b)?))
}

impl Driver {
    /// Starts tauri-driver with the environment the app must see: `home` as HOME (client files
    /// and the data dir are found there), the session's D-Bus and display, and no DMA-BUF
    /// renderer (Xvfb has no GPU). Returns once the WebDriver server answers `/status`.
    pub fn start(setup: &Setup, home: &Path) -> Result<Self, String> {
        Self::start_with_env(setup, home, &[])
    }

    /// [`Driver::start`] with `env` set for the app too (e.g. where it looks for local model
    /// servers).
    pub fn start_with_env(setup: &Setup, home: &Path, env: &[(&str, &str)]) -> Result<Self, String> {
        let (port, native_port) = free_ports()?;
        let mut child = Command::new(&setup.tauri_driver)
            .arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .arg("--native-driver")
            .arg(&setup.webkit_webdriver)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env_remove("XDG_DATA_HOME")
            .env_remove("LLMGEN_DATA_DIR")
            .env("LLMGEN_LOG", "info")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", setup.tauri_driver.display()))?;
        let log = Log::of(child.stderr.take());
        let mut driver = Self { child, port, log };
        driver.wait_ready(Duration::from_secs(30))?;
        Ok(driver)
    }

    /// Polls `GET /status` until WebKitWebDriver behind tauri-driver answers 200.
    fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "tauri-driver exited ({status}) before it was ready:\n{}",
                    self.log.text()
                ));
            }
            if self.status_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the WebDriver server did not answer /status within {timeout:?}:\n{}",
                    self.log.text()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn status_ok(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let request = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.starts_with("HTTP/1.1 200")
    }

    /// The process of `app` that this driver's session started (the binary, found among the
    /// driver's descendants), to end it with its family if the test fails before it quits.
    pub fn app_pid(&self, app: &Path) -> Option<u32> {
        let app = std::fs::canonicalize(app).ok()?;
        super::app::descendants(self.child.id())
            .into_iter()
            .map(|(pid, _)| pid)
            .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == app))
    }

    /// A WebDriver session, which makes WebKitWebDriver launch `app` (Tauri turns on automation
    /// in its webview when started this way).
    pub async fn session(&self, app: &Path) -> Result<fantoccini::Client, String> {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "wry".into());
        capabilities.insert("tauri:options".into(), serde_json::json!({ "application": app }));
        // tauri-driver answers /status itself, before WebKitWebDriver behind it listens; on a
        // loaded machine the first session request can then find nobody to forward to ("did
        // not respond": the request never reached a driver, so no app was started). Try again
        // for a while; any other error is final.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            let attempt = fantoccini::ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await;
            match attempt {
                Ok(client) => return Ok(client),
                Err(e) if e.to_string().contains("did not respond") && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => {
                    return Err(format!(
                        "no WebDriver session with {}: {e}\n{}",
                        app.display(),
                        self.log.text()
                    ));
                }
            }
        }
    }
}

impl Drop for Driver {
    /// SIGTERM, so tauri-driver stops WebKitWebDriver too (a SIGKILL would orphan it).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
