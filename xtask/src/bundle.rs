//! `cargo xtask bundle`: the release installers of the desktop app (.deb and .rpm, with the server
//! inside), built by the Tauri CLI; with a signing key, also the signed updater artifacts and the
//! `latest.json` an update server publishes. Keys are given at release time and never committed.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};
use base64::Engine;
use serde_json::json;

use crate::{Profile, app, root, status, target_dir};

pub const HELP: &str = "usage: cargo xtask bundle

Builds the UI, the server (bundled as /usr/bin/mcp-llm-generator), then the app with the
custom-protocol feature and the Tauri bundler: .deb and .rpm under <target dir>/bundle/bundle/.
Binaries use the workspace's `bundle` profile (release, built for size: LTO, stripped).

Signed updater artifacts (.sig files and latest.json) are made only when a signing key is given:
  TAURI_SIGNING_PRIVATE_KEY            the private key made by `npx tauri signer generate -w FILE`
                                       (its text, or the path FILE)
  TAURI_SIGNING_PRIVATE_KEY_PASSWORD   its password (may be empty)
  LLMGEN_UPDATER_PUBKEY                the matching public key (the text of FILE.pub); optional
                                       when TAURI_SIGNING_PRIVATE_KEY is a path and FILE.pub exists
Optional:
  LLMGEN_UPDATE_ENDPOINT   https URL of latest.json the app checks (default: tauri.conf.json)
  LLMGEN_RELEASE_URL       https URL of the folder the bundles are published in, for latest.json
                           (default: the endpoint's folder)
  LLMGEN_RELEASE_NOTES     what the update banner shows (default: \"MCP LLM Generator VERSION\")";

/// The platform key of latest.json the updater plugin looks for first on this machine
/// (`{os}-{arch}`, then `-deb`/`-rpm` for an app installed from that package).
fn platform() -> String {
    format!("linux-{}", std::env::consts::ARCH)
}

/// What signs the updater artifacts, read from the environment.
struct Signing {
    /// The public key (base64 text of the .pub file) that goes into the app's configuration.
    pubkey: String,
}

impl Signing {
    fn from_env() -> Result<Option<Self>> {
        let Some(private) = std::env::var_os("TAURI_SIGNING_PRIVATE_KEY").filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let pubkey = match std::env::var("LLMGEN_UPDATER_PUBKEY") {
            Ok(text) if !text.trim().is_empty() => text.trim().to_string(),
            _ => {
                let mut file = PathBuf::from(&private).into_os_string();
                file.push(".pub");
                let file = PathBuf::from(file);
                if !file.is_file() {
                    bail!(
                        "TAURI_SIGNING_PRIVATE_KEY is set but the matching public key is not: set LLMGEN_UPDATER_PUBKEY \
                         to the text of the .pub file `npx tauri signer generate -w FILE` wrote next to the key"
                    );
                }
                std::fs::read_to_string(&file)
                    .with_context(|| format!("reading the public key {}", file.display()))?
                    .trim()
                    .to_string()
            }
        };
        key_id(&pubkey).context(
            "LLMGEN_UPDATER_PUBKEY is not a public key made by `tauri signer generate` (the base64 text of its .pub file)",
        )?;
        if std::env::var_os("TAURI_SIGNING_PRIVATE_KEY_PASSWORD").is_none() {
            bail!(
                "TAURI_SIGNING_PRIVATE_KEY is set without TAURI_SIGNING_PRIVATE_KEY_PASSWORD: set it too (to an empty value for a key without a password)"
            );
        }
        Ok(Some(Self { pubkey }))
    }
}

/// The 8-byte key id of a minisign public key or signature in Tauri's form (base64 of the
/// two-line minisign text whose second line holds, in base64, the algorithm `Ed`/`ED`, the key
/// id and the key or signature), so a build can check that the app will accept the signatures
/// made for it.
fn key_id(tauri_text: &str) -> Result<[u8; 8]> {
    let engine = base64::engine::general_purpose::STANDARD;
    let outer = engine.decode(tauri_text.trim()).context("not base64")?;
    let outer = String::from_utf8(outer).context("not minisign text")?;
    let line = outer
        .lines()
        .nth(1)
        .context("no key line (expected two lines of minisign text)")?;
    let raw = engine.decode(line.trim()).context("the key line is not base64")?;
    if !matches!(raw.get(..2), Some(b"Ed" | b"ED")) {
        bail!("not an Ed25519 minisign key or signature");
    }
    let id = raw.get(2..10).context("the key line is too short")?;
    let mut out = [0u8; 8];
    out.copy_from_slice(id);
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The app's version, from the Tauri configuration the bundles are named after.
fn app_version() -> Result<String> {
    let path = root().join("src-tauri/tauri.conf.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let conf: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    conf["version"]
        .as_str()
        .map(str::to_string)
        .context("tauri.conf.json has no version")
}

/// The update endpoint of the shipped configuration.
fn configured_endpoint() -> Result<String> {
    let path = root().join("src-tauri/tauri.conf.json");
    let conf: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    conf["plugins"]["updater"]["endpoints"][0]
        .as_str()
        .map(str::to_string)
        .context("tauri.conf.json has no plugins.updater.endpoints")
}

fn require_https(what: &str, url: &str) -> Result<()> {
    if !url.starts_with("https://") {
        bail!(
            "{what} must be an https URL (the app refuses other update endpoints in release builds), not '{url}'"
        );
    }
    Ok(())
}

pub fn bundle(args: Vec<String>) -> Result<()> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{HELP}");
        return Ok(());
    }
    if let Some(other) = args.first() {
        bail!("unknown argument '{other}'\n\n{HELP}");
    }
    if !cfg!(target_os = "linux") {
        bail!("cargo xtask bundle makes Linux packages (.deb, .rpm); run it on Linux");
    }
    let started = std::time::Instant::now();
    let signing = Signing::from_env()?;
    let version = app_version()?;
    let endpoint = match std::env::var("LLMGEN_UPDATE_ENDPOINT") {
        Ok(url) if !url.trim().is_empty() => url.trim().to_string(),
        _ => configured_endpoint()?,
    };
    require_https("LLMGEN_UPDATE_ENDPOINT", &endpoint)?;
    if signing.is_some() && endpoint.contains(".invalid/") {
        bail!(
            "a signed release needs the real update endpoint: set LLMGEN_UPDATE_ENDPOINT to the https URL latest.json will be published at (tauri.conf.json has only a placeholder, {endpoint})"
        );
    }

    app::prepare(Profile::Bundle)?;

    // Only what differs from the committed tauri.conf.json, merged by the CLI (JSON merge patch).
    let mut overrides = json!({ "plugins": { "updater": { "endpoints": [endpoint] } } });
    if let Some(s) = &signing {
        overrides["plugins"]["updater"]["pubkey"] = json!(s.pubkey);
        overrides["bundle"] = json!({ "createUpdaterArtifacts": true });
    }
    let bundle_dir = target_dir().join(Profile::Bundle.dir()).join("bundle");
    remove_stale_signatures(&bundle_dir)?;
    let mut build = tauri_cli()?;
    build
        .args([
            "build",
            "--ci",
            "--bundles",
            "deb,rpm",
            "--features",
            "custom-protocol",
            "--config",
        ])
        .arg(overrides.to_string())
        // After `--`: cargo's own arguments. The CLI then leaves out its `--release` and looks for
        // the binary and writes the bundles under target/bundle/.
        .args(["--", "--profile", Profile::Bundle.dir()])
        .current_dir(root().join("src-tauri"))
        // The CLI finds the target dir through `cargo metadata`, which honours this.
        .env("CARGO_TARGET_DIR", target_dir());
    // The app links the server's library, whose build script reads the order's path: with the
    // same value here, the server's next build does not see it change and rebuild itself.
    crate::symbol_order::apply(&mut build, Profile::Bundle)?;
    if signing.is_none() {
        // An empty variable would make the CLI try (and fail) to sign.
        build.env_remove("TAURI_SIGNING_PRIVATE_KEY");
        build.env_remove("TAURI_SIGNING_PRIVATE_KEY_PASSWORD");
    }
    status(
        &mut build,
        "building the release app and its bundles (tauri build)",
    )?;

    let deb = find_bundle(&bundle_dir.join("deb"), &version, ".deb")?;
    let rpm = find_bundle(&bundle_dir.join("rpm"), &version, ".rpm")?;
    println!("bundles of MCP LLM Generator {version}:");
    for file in [&deb, &rpm] {
        println!("  {}  {}", file.display(), size_text(file_size(file)?));
    }
    if let Some(kib) = deb_installed_kib(&deb) {
        println!("  installed size (.deb control file): {}", size_text(kib * 1024));
    }

    match &signing {
        None => println!(
            "updater signatures were skipped: TAURI_SIGNING_PRIVATE_KEY is not set (see `cargo xtask bundle --help`)"
        ),
        Some(s) => {
            let manifest = write_latest_json(&bundle_dir, &version, &endpoint, s, &deb, &rpm)?;
            println!("updater artifacts signed; manifest: {}", manifest.display());
            println!("  publish it at {endpoint}, with the bundles in the same folder as its URLs say");
        }
    }
    eprintln!("xtask: bundle finished in {:.0?}", started.elapsed());
    Ok(())
}

/// Removes the signatures and manifest of an earlier run: they would not match this run's
/// packages, and an unsigned run must not leave a manifest that looks publishable.
fn remove_stale_signatures(bundle_dir: &Path) -> Result<()> {
    let mut stale = vec![bundle_dir.join("latest.json")];
    for kind in ["deb", "rpm"] {
        if let Ok(entries) = std::fs::read_dir(bundle_dir.join(kind)) {
            stale.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "sig")),
            );
        }
    }
    for file in stale.iter().filter(|f| f.exists()) {
        std::fs::remove_file(file).with_context(|| format!("removing {}", file.display()))?;
    }
    Ok(())
}

/// The Tauri CLI installed with the UI's npm packages (`@tauri-apps/cli`, a devDependency).
fn tauri_cli() -> Result<Command> {
    let bin = root().join("ui/node_modules/.bin/tauri");
    if !bin.is_file() {
        bail!(
            "the Tauri CLI is missing at {}: run `npm install` in ui/ (cargo xtask does it when it builds the UI)",
            bin.display()
        );
    }
    Ok(Command::new(bin))
}

/// The bundle of `version` with `suffix` in `dir` (a target dir also holds older versions).
fn find_bundle(dir: &Path, version: &str, suffix: &str) -> Result<PathBuf> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("no bundles in {}", dir.display()))?;
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(suffix) && n.contains(version))
        })
        .with_context(|| {
            format!(
                "tauri build made no {suffix} of version {version} in {}",
                dir.display()
            )
        })
}

fn file_size(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len())
}

fn size_text(bytes: u64) -> String {
    format!("{:.1} MB ({bytes} bytes)", bytes as f64 / 1_000_000.0)
}

/// The `Installed-Size` (KiB) dpkg records for the package, when dpkg-deb is there to read it.
fn deb_installed_kib(deb: &Path) -> Option<u64> {
    let out = Command::new("dpkg-deb")
        .args(["-f"])
        .arg(deb)
        .arg("Installed-Size")
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// Writes `latest.json` beside the bundles: the version, notes and, per platform key, the URL
/// and signature of the package an installed app of that kind updates from. Checks first that
/// every signature was made by the key whose public half the app carries.
fn write_latest_json(
    bundle_dir: &Path,
    version: &str,
    endpoint: &str,
    signing: &Signing,
    deb: &Path,
    rpm: &Path,
) -> Result<PathBuf> {
    let base = match std::env::var("LLMGEN_RELEASE_URL") {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_string(),
        _ => endpoint
            .rsplit_once('/')
            .map(|(folder, _)| folder.to_string())
            .context("the update endpoint has no folder")?,
    };
    require_https("LLMGEN_RELEASE_URL", &base)?;
    let expected = key_id(&signing.pubkey)?;
    let entry = |file: &Path| -> Result<serde_json::Value> {
        let mut sig_path = file.as_os_str().to_owned();
        sig_path.push(".sig");
        let sig_path = PathBuf::from(sig_path);
        let signature = std::fs::read_to_string(&sig_path).with_context(|| {
            format!(
                "tauri build did not sign {} (no {})",
                file.display(),
                sig_path.display()
            )
        })?;
        let signed_by = key_id(&signature)
            .with_context(|| format!("{} is not a minisign signature", sig_path.display()))?;
        if signed_by != expected {
            bail!(
                "{} was signed by key {} but the app would carry public key {}: give the public key of TAURI_SIGNING_PRIVATE_KEY",
                file.display(),
                hex(&signed_by),
                hex(&expected)
            );
        }
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .context("bundle name is not UTF-8")?;
        // Tauri names packages after the product, spaces included.
        let name = name.replace('%', "%25").replace(' ', "%20");
        Ok(json!({ "signature": signature.trim(), "url": format!("{base}/{name}") }))
    };
    let deb_entry = entry(deb)?;
    let rpm_entry = entry(rpm)?;
    let platform = platform();
    let notes = std::env::var("LLMGEN_RELEASE_NOTES")
        .ok()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("MCP LLM Generator {version}"));
    let pub_date = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .context("the clock")?
        .format(&time::format_description::well_known::Rfc3339)
        .context("formatting the date")?;
    // `{platform}-deb` is what an app installed from the .deb asks for; the bare key is the
    // plugin's fallback, for an app that does not know how it was installed.
    let manifest = json!({
        "version": version,
        "notes": notes,
        "pub_date": pub_date,
        "platforms": {
            format!("{platform}-deb"): deb_entry,
            format!("{platform}-rpm"): rpm_entry,
            platform: deb_entry,
        }
    });
    let path = bundle_dir.join("latest.json");
    std::fs::write(&path, serde_json::to_string_pretty(&manifest)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}
