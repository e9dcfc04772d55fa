//! What goes into a `diagnose` archive, decided here once for every front end: versions, the
//! health check, client states, today's report, settings, providers and recent logs; and what is
//! taken out: every secret we hold or were given (keychain keys, the backup passphrase, provider
//! keys and the passphrase in the environment) and the home folder.

use std::path::{Path, PathBuf};

use super::{DiagnoseError, Part, Redactions, write_archive};
use crate::{
    Store,
    clients::{self, Clients},
    generation::providers,
    operations::health::{self, Handshake},
    operations::logs,
    operations::report,
    paths::DataDir,
    secrets::{self, Secret},
    settings,
};

/// How many of the newest log lines (of the last 48 hours, info and above) an archive holds.
const LOG_LINES: usize = 2000;

/// The archive's parts and what to redact from them.
pub struct Collected {
    pub parts: Vec<Part>,
    pub redactions: Redactions,
}

/// Collects the archive's parts for the data dir `data_dir` and the server binary `exe`. The
/// handshake is only run when a database exists: it starts a server, which would create one, and
/// an archive describes the data dir as it is.
pub async fn collect(
    data_dir: &DataDir,
    exe: &Path,
    handshake: Option<&impl Handshake>,
) -> Result<Collected, DiagnoseError> {
    let store = if data_dir.db_path().exists() {
        Some(Store::open(data_dir)?)
    } else {
        None
    };
    let mut parts = vec![Part::new("versions.txt", versions(data_dir, exe, store.as_ref()))];
    let handshake = handshake.filter(|_| store.is_some());
    let checks =
        health::check_installation(data_dir, Some(exe), handshake, health::HealthOptions::default()).await;
    parts.push(Part::new("health.json", serde_json::to_string_pretty(&checks)?));
    let clients = Clients::from_env(data_dir.clone());
    parts.push(Part::new(
        "clients.json",
        serde_json::to_string_pretty(&clients::list(&clients, Some(exe)))?,
    ));
    let mut secrets_known = Vec::new();
    if let Some(store) = &store {
        parts.push(Part::new(
            "report.json",
            serde_json::to_string_pretty(&report::daily(store, report::Day::today())?)?,
        ));
        parts.push(Part::new(
            "settings.json",
            serde_json::to_string_pretty(&settings::load(store)?)?,
        ));
        let providers = providers::list(store)?;
        parts.push(Part::new(
            "providers.json",
            serde_json::to_string_pretty(&providers)?,
        ));
        // Every key we could be holding is taken out wherever it might appear.
        for p in &providers {
            if let Ok(Some(key)) = secrets::read(&p.name) {
                secrets_known.push(key);
            }
        }
    }
    if let Ok(Some(passphrase)) = crate::operations::backup::stored_passphrase() {
        secrets_known.push(passphrase);
    }
    for var in [
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        crate::operations::backup::PASSPHRASE_ENV,
    ] {
        if let Some(value) = std::env::var(var).ok().filter(|v| !v.is_empty()) {
            secrets_known.push(Secret::new(value));
        }
    }
    parts.push(Part::new("logs.jsonl", recent_logs(data_dir)?));
    Ok(Collected {
        parts,
        redactions: Redactions {
            secrets: secrets_known,
            home: std::env::var_os("HOME").map(PathBuf::from),
        },
    })
}

/// `diagnose --out FILE`: collects and writes the archive at `out`; returns its parts' names.
pub async fn create(
    data_dir: &DataDir,
    exe: &Path,
    handshake: Option<&impl Handshake>,
    out: &Path,
) -> Result<Vec<String>, DiagnoseError> {
    let collected = collect(data_dir, exe, handshake).await?;
    write_archive(out, &collected.parts, &collected.redactions)
}

fn versions(data_dir: &DataDir, exe: &Path, store: Option<&Store>) -> String {
    format!(
        "mcp-llm-generator {}\nschema known by this build: {}\nschema of the database: {}\nos: {} {}\ndata folder: {}\nserver binary: {}\n",
        crate::VERSION,
        Store::known_schema_version(),
        store
            .and_then(|s| s.schema_version().ok())
            .map_or_else(|| "(no database)".to_string(), |v| v.to_string()),
        std::env::consts::OS,
        std::env::consts::ARCH,
        data_dir.root().display(),
        exe.display()
    )
}

/// The newest log lines as JSON lines; a log folder that cannot be read says so in the part.
fn recent_logs(data_dir: &DataDir) -> Result<String, DiagnoseError> {
    let query = logs::LogQuery::parse("info", Some("48h"))?;
    Ok(match logs::read(&data_dir.logs_dir(), &query) {
        Ok(entries) => {
            let start = entries.len().saturating_sub(LOG_LINES);
            entries[start..]
                .iter()
                .filter_map(|e| serde_json::to_string(e).ok())
                .map(|line| line + "\n")
                .collect()
        }
        Err(e) => format!("(logs not readable: {e})\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for the server's handshake that records whether it was asked.
    struct Recorder(std::sync::atomic::AtomicBool);

    impl Handshake for Recorder {
        async fn handshake(&self) -> Result<health::HandshakeReport, String> {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
            Err("not a real server".into())
        }
    }

    /// Without a database: the archive describes the folder as it is (no database is created,
    /// no handshake is run, no parts that need the database); with one: settings, report and
    /// providers are in, and the handshake ran.
    #[tokio::test]
    async fn what_an_archive_holds_depends_on_the_data_dir_as_it_is() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = DataDir::at(dir.path().join("data"));
        let exe = dir.path().join("mcp-llm-generator");
        let recorder = Recorder(false.into());
        let empty = collect(&data_dir, &exe, Some(&recorder)).await.expect("collect");
        let names: Vec<&str> = empty.parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["versions.txt", "health.json", "clients.json", "logs.jsonl"]
        );
        assert!(!data_dir.db_path().exists(), "collecting created a database");
        assert!(
            !recorder.0.load(std::sync::atomic::Ordering::SeqCst),
            "handshake ran without a database"
        );

        drop(Store::open(&data_dir).expect("store"));
        let full = collect(&data_dir, &exe, Some(&recorder)).await.expect("collect");
        let names: Vec<&str> = full.parts.iter().map(|p| p.name.as_str()).collect();
        for name in ["report.json", "settings.json", "providers.json"] {
            assert!(names.contains(&name), "{name} missing: {names:?}");
        }
        assert!(
            recorder.0.load(std::sync::atomic::Ordering::SeqCst),
            "handshake not run"
        );
    }
}
