//! Tests of updater.rs with the real plugin, real minisign keys and signatures made by the Tauri
//! CLI (`tauri signer generate|sign`, from the UI's npm packages), and a real HTTP update server
//! on 127.0.0.1. They stop at a verified download: installing needs pkexec or sudo.

use std::{
    collections::HashMap,
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::Command,
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicUsize, Ordering},
    },
};

use serde_json::json;
use tauri::{App, test::MockRuntime};

use super::*;

/// The Tauri CLI that `cargo xtask` installs with the UI's npm packages.
fn tauri_cli() -> PathBuf {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/.bin/tauri");
    assert!(
        cli.is_file(),
        "{} is missing: run `npm install` in ui/ (cargo xtask test does)",
        cli.display()
    );
    cli
}

/// The CLI with no signing key of the developer's environment in sight.
fn signer() -> Command {
    let mut cmd = Command::new(tauri_cli());
    for var in [
        "TAURI_SIGNING_PRIVATE_KEY",
        "TAURI_SIGNING_PRIVATE_KEY_PATH",
        "TAURI_SIGNING_PRIVATE_KEY_PASSWORD",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// A throwaway key pair, made by `tauri signer generate` as a release's would be.
struct KeyPair {
    _dir: tempfile::TempDir,
    private: PathBuf,
    public: String,
}

impl KeyPair {
    fn generate() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let private = dir.path().join("updater.key");
        let out = signer()
            .args(["signer", "generate", "--ci", "-p", "", "-w"])
            .arg(&private)
            .output()
            .expect("run tauri signer generate");
        assert!(
            out.status.success(),
            "tauri signer generate: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let public =
            std::fs::read_to_string(dir.path().join("updater.key.pub")).expect("read the public key");
        Self {
            _dir: dir,
            private,
            public: public.trim().to_string(),
        }
    }

    /// Signs `bytes` (as a file named `name`) for `version`; returns the `.sig` text.
    fn sign(&self, name: &str, bytes: &[u8], version: &str) -> String {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).expect("write the artifact");
        let out = signer()
            .args(["signer", "sign", "-p", "", "--app-version", version, "-f"])
            .arg(&self.private)
            .arg(&file)
            .output()
            .expect("run tauri signer sign");
        assert!(
            out.status.success(),
            "tauri signer sign: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read_to_string(dir.path().join(format!("{name}.sig"))).expect("read the signature")
    }
}

/// The release key of these tests (made once: each generation starts node).
fn release_key() -> &'static KeyPair {
    static KEY: OnceLock<KeyPair> = OnceLock::new();
    KEY.get_or_init(KeyPair::generate)
}

/// A static update server on 127.0.0.1: paths to bodies (filled in once its address is known,
/// since the manifest names it), and a count of requests.
struct Server {
    base: String,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    requests: Arc<AtomicUsize>,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let requests = Arc::new(AtomicUsize::new(0));
        let (served, counter) = (files.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                let files = served.clone();
                std::thread::spawn(move || answer(stream, &files));
            }
        });
        Self {
            base,
            files,
            requests,
        }
    }

    fn put(&self, path: &str, body: Vec<u8>) {
        self.files.lock().expect("files").insert(path.to_string(), body);
    }

    fn endpoint(&self) -> String {
        format!("{}/latest.json", self.base)
    }
}

/// One HTTP/1.1 request: GET of a known path gives its body, anything else 404.
fn answer(mut stream: TcpStream, files: &Mutex<HashMap<String, Vec<u8>>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let body = files.lock().expect("files").get(&path).cloned();
    let (status, body) = match body {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"not found".to_vec()),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

/// The platform key the plugin looks up for an app that does not know how it was installed.
fn platform() -> String {
    format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH)
}

/// Some bytes standing in for a package: contents do not matter to the signature check.
fn artifact() -> Vec<u8> {
    (0..64 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

const NOTES: &str = "Faster start.\nA Logs screen.";

/// A release manifest for `version` pointing at `/pkg.deb` with `signature`.
fn manifest(base: &str, version: &str, signature: &str) -> Vec<u8> {
    json!({
        "version": version,
        "notes": NOTES,
        "pub_date": "2026-11-22T10:00:00Z",
        "platforms": { platform(): { "url": format!("{base}/pkg.deb"), "signature": signature } }
    })
    .to_string()
    .into_bytes()
}

/// Serves a manifest announcing `announced` and the package `served`, with a signature of the
/// genuine package made by `key` for `signed_for`: the knobs every attack below turns.
fn release_server(key: &KeyPair, announced: &str, signed_for: &str, served: Vec<u8>) -> Server {
    let server = Server::start();
    let signature = key.sign("pkg.deb", &artifact(), signed_for);
    server.put("/latest.json", manifest(&server.base, announced, &signature));
    server.put("/pkg.deb", served);
    server
}

/// An app on the mock runtime with the real updater plugin, configured like a release build but
/// for `endpoint` over plain HTTP (allowed only here: see `shipped_configuration_is_https_only`).
fn app_for(endpoint: &str, pubkey: &str) -> App<MockRuntime> {
    app_with_stall_timeout(endpoint, pubkey, STALL_TIMEOUT)
}

/// [`app_for`], giving up downloads after `stall` without data.
fn app_with_stall_timeout(endpoint: &str, pubkey: &str, stall: Duration) -> App<MockRuntime> {
    let mut context = tauri::test::mock_context(tauri::test::noop_assets());
    context.config_mut().plugins.0.insert(
        "updater".to_string(),
        json!({
            "endpoints": [endpoint],
            "pubkey": pubkey,
            "requireSignedVersion": true,
            "dangerousInsecureTransportProtocol": true
        }),
    );
    let app = tauri::test::mock_builder()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .build(context)
        .expect("build the mock app");
    let version = app.package_info().version.to_string();
    let can_check = is_configured(app.handle());
    app.manage(Updates::new(version, can_check, true).with_stall_timeout(stall));
    app
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tauri::async_runtime::block_on(f)
}

/// Proves the whole happy path through our code: a newer signed release is offered with its
/// version, notes and date, the UI's state shows it, and its download passes the signature
/// check against the app's public key with the exact bytes served.
#[test]
fn a_newer_signed_release_is_offered_and_its_download_verifies() {
    let key = release_key();
    let server = release_server(key, "0.2.0", "0.2.0", artifact());
    let app = app_for(&server.endpoint(), &key.public);
    let handle = app.handle();

    let offer = block_on(check(handle)).expect("check").expect("an offer");
    assert_eq!(offer.version, "0.2.0");
    assert_eq!(offer.notes.as_deref(), Some(NOTES));
    assert_eq!(offer.date.as_deref(), Some("2026-11-22T10:00:00Z"));
    let shown = state(handle);
    assert_eq!(shown.current_version, "0.1.0");
    assert!(shown.can_check);
    assert_eq!(shown.offer, Some(offer));
    assert!(shown.last_checked.is_some() && shown.error.is_none() && shown.busy.is_none());

    let verified = block_on(download(handle)).expect("a verified download");
    assert_eq!(verified.version, "0.2.0");
    assert!(
        verified.bytes == artifact(),
        "the verified bytes are the served package"
    );
}

/// Proves a package changed after signing is refused with a sentence that says it was not
/// installed and what to do.
#[test]
fn a_tampered_package_is_refused() {
    let key = release_key();
    let mut tampered = artifact();
    tampered[1000] ^= 0x01;
    let server = release_server(key, "0.2.0", "0.2.0", tampered);
    let app = app_for(&server.endpoint(), &key.public);
    block_on(check(app.handle())).expect("check").expect("an offer");

    let e = block_on(download(app.handle()))
        .err()
        .expect("the tampered package is refused");
    assert!(matches!(e, UpdateError::BadSignature(_)), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("failed its signature check, so it was not installed"),
        "{text}"
    );
    assert!(
        text.contains("download the latest version from the project page"),
        "{text}"
    );
}

/// Proves a package signed with a key other than the app's is refused (a release server taken
/// over by someone without the release key).
#[test]
fn a_package_signed_by_another_key_is_refused() {
    let stranger = KeyPair::generate();
    let server = release_server(&stranger, "0.2.0", "0.2.0", artifact());
    let app = app_for(&server.endpoint(), &release_key().public);
    block_on(check(app.handle())).expect("check").expect("an offer");

    let e = block_on(download(app.handle()))
        .err()
        .expect("a stranger's signature is refused");
    assert!(matches!(e, UpdateError::BadSignature(_)), "{e:?}");
}

/// Proves a manifest that announces another version than the one the package was signed for
/// is refused (pairing a new version number with an old, genuinely signed release).
#[test]
fn a_version_other_than_the_signed_one_is_refused() {
    let key = release_key();
    let server = release_server(key, "0.3.0", "0.2.0", artifact());
    let app = app_for(&server.endpoint(), &key.public);
    assert_eq!(
        block_on(check(app.handle()))
            .expect("check")
            .map(|o| o.version)
            .as_deref(),
        Some("0.3.0")
    );

    let e = block_on(download(app.handle()))
        .err()
        .expect("the version mismatch is refused");
    assert!(matches!(e, UpdateError::BadSignature(_)), "{e:?}");
    assert!(e.to_string().contains("signed for version 0.2.0"), "{e}");
}

/// Proves the installed version is not offered again, and the state says the check happened.
#[test]
fn the_installed_version_is_not_offered() {
    let key = release_key();
    let server = release_server(key, "0.1.0", "0.1.0", artifact());
    let app = app_for(&server.endpoint(), &key.public);

    assert_eq!(block_on(check(app.handle())).expect("check"), None);
    let shown = state(app.handle());
    assert!(shown.offer.is_none() && shown.error.is_none() && shown.last_checked.is_some());
    assert!(matches!(
        block_on(download(app.handle())),
        Err(UpdateError::NothingOffered)
    ));
}

/// Proves a download that stops moving is given up with a sentence that says what to do,
/// instead of leaving "Installing" on screen for ever: the server sends the manifest, then the
/// package's headers and half its bytes, and then nothing while keeping the connection open.
#[test]
fn a_stalled_download_is_given_up() {
    let key = release_key();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let signature = key.sign("pkg.deb", &artifact(), "0.2.0");
    let latest = manifest(&base, "0.2.0", &signature);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let latest = latest.clone();
            std::thread::spawn(move || {
                let mut head = [0u8; 4096];
                let Ok(n) = stream.read(&mut head) else { return };
                let package = artifact();
                if String::from_utf8_lossy(&head[..n]).contains("GET /latest.json") {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        latest.len()
                    );
                    let _ = stream.write_all(&latest);
                    return;
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    package.len()
                );
                let _ = stream.write_all(&package[..package.len() / 2]);
                let _ = stream.flush();
                // Stall with the connection open, as a dead proxy or a dropped Wi-Fi does.
                std::thread::sleep(Duration::from_secs(600));
            });
        }
    });
    let app = app_with_stall_timeout(
        &format!("{base}/latest.json"),
        &key.public,
        Duration::from_secs(2),
    );
    block_on(check(app.handle())).expect("check").expect("an offer");

    // Without a stall limit the download would wait for the server's 600 s; the bound here is
    // only there to turn such a hang into a failure.
    let outcome =
        block_on(async { tokio::time::timeout(Duration::from_secs(60), download(app.handle())).await });
    let e = outcome
        .expect("the stalled download was never given up")
        .err()
        .expect("the stalled download is given up");
    assert!(matches!(e, UpdateError::Unreachable(_)), "{e:?}");
    assert!(e.to_string().contains("Check your internet connection"), "{e}");
}

/// Proves an unreachable server is a clear failure, kept in the state the UI shows.
#[test]
fn an_unreachable_server_says_what_to_do() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let app = app_for(
        &format!("http://127.0.0.1:{port}/latest.json"),
        &release_key().public,
    );

    let e = block_on(check(app.handle())).expect_err("unreachable");
    assert!(matches!(e, UpdateError::Unreachable(_)), "{e:?}");
    assert!(e.to_string().contains("Check your internet connection"), "{e}");
    let shown = state(app.handle());
    assert_eq!(shown.error, Some(e.to_string()));
    assert!(shown.busy.is_none() && shown.last_checked.is_none());
}

/// Proves a build with the committed placeholder key never asks the server (it could not verify
/// what it would get) and says why.
#[test]
fn a_build_without_a_release_key_does_not_check() {
    let key = release_key();
    let server = release_server(key, "0.2.0", "0.2.0", artifact());
    let app = app_for(&server.endpoint(), PLACEHOLDER_PUBKEY);

    let e = block_on(check(app.handle())).expect_err("not configured");
    assert!(matches!(e, UpdateError::NotConfigured), "{e:?}");
    assert!(e.to_string().contains("built without an update key"), "{e}");
    assert_eq!(server.requests.load(Ordering::SeqCst), 0, "no request was made");
    assert!(
        !state(app.handle()).can_check,
        "the Updates card says this build does not check"
    );
}

/// Proves Install in a copy that did not come from a package (a build from source, like this
/// test binary) stops with a sentence saying how to update instead, before downloading anything
/// and without touching the running program.
#[test]
fn a_copy_not_installed_from_a_package_does_not_replace_itself() {
    let key = release_key();
    let server = release_server(key, "0.2.0", "0.2.0", artifact());
    let app = app_for(&server.endpoint(), &key.public);
    block_on(check(app.handle())).expect("check").expect("an offer");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1, "the manifest only");

    let e = block_on(install(app.handle())).expect_err("no package to install over");
    assert!(matches!(e, UpdateError::NotFromPackage), "{e:?}");
    assert!(
        e.to_string()
            .contains("Install the new version with your package manager"),
        "{e}"
    );
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        1,
        "the package was not downloaded"
    );
    let shown = state(app.handle());
    assert_eq!(shown.error, Some(e.to_string()));
    assert!(
        shown.busy.is_none() && shown.offer.is_some(),
        "the offer stays for a manual install"
    );
}

/// Proves the configuration that ships talks to https endpoints only, sets none of the
/// plugin's `dangerous*` switches, binds signatures to versions, and carries the placeholder
/// key this code recognises (the release key is put in at bundle time).
#[test]
fn shipped_configuration_is_https_only() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tauri.conf.json");
    let conf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read tauri.conf.json")).expect("parse");
    let updater = conf["plugins"]["updater"].as_object().expect("plugins.updater");
    let endpoints = updater["endpoints"].as_array().expect("endpoints");
    assert!(!endpoints.is_empty());
    for e in endpoints {
        assert!(e.as_str().is_some_and(|u| u.starts_with("https://")), "{e}");
    }
    assert!(
        updater.keys().all(|k| !k.starts_with("dangerous")),
        "only test configurations may set dangerous* options: {updater:?}"
    );
    assert_eq!(updater["requireSignedVersion"], json!(true));
    assert_eq!(updater["pubkey"], json!(PLACEHOLDER_PUBKEY));
}
