//! The prompt-injection corpora of tests/screening/ and their fixed split into a tuning part and
//! a held-out third (tests/screening/README.md): read by the corpus check and, once the screening
//! exists, by the test that measures its rates.

use std::path::PathBuf;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// One entry of a corpus.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub lang: String,
    pub category: String,
    pub text: String,
}

/// Which part of a corpus an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Tuning,
    HeldOut,
}

/// The fixed rule, chosen before any screening rule was written: held out when the first byte of
/// the SHA-256 of the entry's id is divisible by 3.
pub fn part_of(id: &str) -> Part {
    if Sha256::digest(id.as_bytes())[0] % 3 == 0 {
        Part::HeldOut
    } else {
        Part::Tuning
    }
}

/// The corpus `name` ("benign" or "attacks"), every line parsed; a line that does not parse fails
/// with its number.
pub fn read(name: &str) -> Vec<Entry> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/screening")
        .join(format!("{name}.jsonl"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}.jsonl line {}: {e}", i + 1))
        })
        .collect()
}
