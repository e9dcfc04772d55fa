//! `diagnose --out FILE`: one archive a user can attach to a bug report (health, today's report,
//! versions, client states, settings, providers, recent logs), with every secret we know of and
//! every key-shaped token removed, and the home folder shown as `~`.

mod collect;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::secrets::Secret;

pub use collect::{Collected, collect, create};

/// Why the archive could not be written; nothing partial is left under the asked name.
#[derive(Debug, thiserror::Error)]
pub enum DiagnoseError {
    #[error("Cannot write {path}: {source}. Choose a file in a folder you can write to.")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Core(#[from] crate::CoreError),
    #[error(transparent)]
    Logs(#[from] crate::operations::logs::LogsError),
    #[error("Could not encode part of the archive: {0}")]
    Encode(#[from] serde_json::Error),
}

/// One file of the archive, before redaction.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub text: String,
}

impl Part {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// What to take out of every part: known secret values (keys from the keychain and the
/// environment, the backup passphrase) and the home folder.
#[derive(Default)]
pub struct Redactions {
    pub secrets: Vec<Secret>,
    pub home: Option<PathBuf>,
}

/// The text with every known secret, key-shaped token and bearer credential replaced, and the
/// home folder written as `~`.
pub fn redact(text: &str, redactions: &Redactions) -> String {
    let mut out = text.to_string();
    for secret in &redactions.secrets {
        if secret.expose().len() >= 4 {
            out = out.replace(secret.expose(), "[redacted]");
        }
    }
    let mut words = String::with_capacity(out.len());
    let mut after_bearer = false;
    for piece in split_keep(&out) {
        let is_word = piece.chars().next().is_some_and(is_token_char);
        if is_word {
            let key_shaped = crate::secrets::looks_like_token(piece);
            if key_shaped || (after_bearer && piece.len() >= 8) {
                words.push_str("[redacted]");
            } else {
                words.push_str(piece);
            }
            after_bearer = piece.eq_ignore_ascii_case("bearer") || piece.eq_ignore_ascii_case("basic");
        } else {
            words.push_str(piece);
            after_bearer = after_bearer && piece.chars().all(char::is_whitespace);
        }
    }
    match &redactions.home {
        Some(home) if home.as_os_str().len() > 1 => words.replace(&*home.to_string_lossy(), "~"),
        _ => words,
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '/' | '=')
}

/// Splits text into alternating runs of token characters and other characters.
fn split_keep(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let kind = is_token_char(c);
        if current.is_some_and(|k| k != kind) {
            pieces.push(&text[start..i]);
            start = i;
        }
        current = Some(kind);
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// Writes the parts, redacted, as a tar archive at `out` (a temp file beside it, then a rename,
/// so a failure never leaves half an archive under that name). Returns the names written.
pub fn write_archive(
    out: &Path,
    parts: &[Part],
    redactions: &Redactions,
) -> Result<Vec<String>, DiagnoseError> {
    let err = |source: std::io::Error| DiagnoseError::Write {
        path: out.to_path_buf(),
        source,
    };
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        out.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        std::process::id()
    ));
    let result = (|| {
        let file = std::fs::File::create(&temp)?;
        let mut builder = tar::Builder::new(std::io::BufWriter::new(file));
        let mut names = Vec::new();
        for part in parts {
            let text = redact(&part.text, redactions);
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(crate::timefmt::now().unix_timestamp().max(0).unsigned_abs());
            header.set_cksum();
            builder.append_data(&mut header, &part.name, text.as_bytes())?;
            names.push(part.name.clone());
        }
        let mut writer = builder.into_inner()?;
        writer.flush()?;
        writer.get_ref().sync_all()?;
        std::fs::rename(&temp, out)?;
        Ok(names)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secrets_key_shaped_tokens_bearers_and_home_are_removed() {
        // Proves: an exact known secret (even one without a known prefix), unknown key-shaped
        // tokens, bearer credentials and the home folder never survive; ordinary words do.
        let r = Redactions {
            secrets: vec![Secret::new("correct horse battery staple")],
            home: Some(PathBuf::from("/home/alice")),
        };
        let text = "passphrase=correct horse battery staple key sk-FAKE.api03.NotARealKeyAtAll \
                    Authorization: Bearer abcdef123456 file /home/alice/.config/Code/User/mcp.json \
                    token ghp_0123456789abcdefghij model sk-1 ok";
        let out = redact(text, &r);
        for gone in [
            "correct horse",
            "NotARealKeyAtAll",
            "abcdef123456",
            "ghp_0123456789",
            "/home/alice",
        ] {
            assert!(!out.contains(gone), "{gone} survived: {out}");
        }
        assert!(out.contains("~/.config/Code/User/mcp.json"), "{out}");
        assert!(out.contains("model sk-1 ok"), "short words stay: {out}");
    }

    #[test]
    fn the_archive_holds_each_part_redacted_and_nothing_partial_on_failure() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("diag.tar");
        let r = Redactions {
            secrets: vec![Secret::new("s3cret-value")],
            home: None,
        };
        let names =
            write_archive(&out, &[Part::new("health.json", "{\"k\":\"s3cret-value\"}")], &r).expect("write");
        assert_eq!(names, ["health.json"]);
        let mut archive = tar::Archive::new(std::fs::File::open(&out).expect("open"));
        let mut entries = archive.entries().expect("entries");
        let mut entry = entries.next().expect("one entry").expect("entry");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut entry, &mut text).expect("read");
        assert_eq!(text, "{\"k\":\"[redacted]\"}");

        let missing = dir.path().join("no/such/folder/diag.tar");
        assert!(write_archive(&missing, &[], &r).is_err());
        assert!(!missing.exists());
    }
}
