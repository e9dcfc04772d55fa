//! The old server's `context-memory.db`: personality presets, contexts and their conversations,
//! read without changing a byte, and mapped to our personas and contexts.

use std::{collections::BTreeMap, path::Path};

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction};

use super::{ImportError, ImportItem, ItemKind, free_name, imported, join_notes, sha256_hex, skipped};
use crate::{
    CoreError,
    catalog::{
        self,
        personas::{NewPersona, Persona, PersonaSettings},
    },
    conversation::contexts::{self, ContextSettings},
    limits, timefmt,
};

/// Upstream preset id, our built-in persona it corresponds to, sha256 of its text.
const UPSTREAM_PERSONA_BUILTINS: &[(&str, &str, &str)] = &[
    (
        "calm_counselor",
        "calm-counselor",
        "f0e87b7d96a90aad78aa47b1830ae5cd518a1a98c2904105b34f055c2c58af36",
    ),
    (
        "rational_advisor",
        "rational-advisor",
        "38dbc2cab886c2039bf9e814021d4aee9632fb9cfff597e732ad22ca39fa3032",
    ),
    (
        "supportive_guide",
        "supportive-guide",
        "9108bb08a860cc08a325b776175af17a60624db825ac220b6f5abeae4bf04042",
    ),
    (
        "professional_assistant",
        "professional-assistant",
        "c23901c838feea92b85c22843149a0f62711a55caa18fc8c868a8d2956789178",
    ),
    (
        "decision_making_supporter",
        "decision-support",
        "abb811ea79cf2cdb613eaeb90c4be91d71b726a9794efa35f0b462aab0f87bd1",
    ),
    (
        "search_key_advisor",
        "search-key-advisor",
        "b5941c6ba91d8c431bb91efca4182a4e5b0a5ace8d7be7e607bf67951f2ba732",
    ),
];

/// Our built-in persona that stands for the TypeScript server's built-in preset `id` (such as
/// `calm_counselor` → `calm-counselor`), for calls written for that server.
pub fn builtin_persona_for(id: &str) -> Option<&'static str> {
    UPSTREAM_PERSONA_BUILTINS
        .iter()
        .find(|(upstream, _, _)| *upstream == id)
        .map(|(_, ours, _)| *ours)
}

struct OldPreset {
    id: String,
    name: String,
    description: String,
    system_prompt: String,
    personality: String,
    settings: PersonaSettings,
    active: bool,
}

pub(super) struct OldContext {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) system_prompt: String,
    pub(super) personality: String,
    pub(super) settings: PersonaSettings,
    created_at: String,
    updated_at: String,
    expires_at: String,
    active: bool,
}

struct OldMessage {
    role: String,
    content: String,
    created_at: String,
}

pub(super) struct OldContextDb {
    presets: Vec<OldPreset>,
    contexts: Vec<OldContext>,
    /// Messages per context id, oldest first.
    messages: BTreeMap<String, Vec<OldMessage>>,
    /// The role engine's tables, when they hold rows.
    team: Option<super::old_team::OldTeam>,
}

pub(super) fn read_context_db(path: &Path) -> Result<Option<OldContextDb>, ImportError> {
    if !path.is_file() {
        return Ok(None);
    }
    let db_error = |source| ImportError::OldDatabase {
        path: path.to_path_buf(),
        source,
    };
    let conn = open_old_db(path).map_err(db_error)?;
    let has_table = |name: &str| has_table(&conn, name);
    let mut db = OldContextDb {
        presets: Vec::new(),
        contexts: Vec::new(),
        messages: BTreeMap::new(),
        team: None,
    };
    // Numbers are read as REAL/INTEGER whatever their declared type; a NULL or a text in a
    // numeric column becomes "absent" and then our default, rather than failing the import.
    let settings = |row: &rusqlite::Row<'_>, first: usize| -> PersonaSettings {
        PersonaSettings {
            temperature: row.get::<_, f64>(first).ok(),
            max_tokens: row
                .get::<_, i64>(first + 1)
                .ok()
                .and_then(|v| u32::try_from(v).ok()),
            max_history_tokens: row
                .get::<_, i64>(first + 2)
                .ok()
                .and_then(|v| u32::try_from(v).ok()),
            expiry_days: row
                .get::<_, i64>(first + 3)
                .ok()
                .and_then(|v| u32::try_from(v).ok()),
        }
    };
    let text = |row: &rusqlite::Row<'_>, i: usize| -> String { row.get::<_, String>(i).unwrap_or_default() };
    if has_table("personality_presets").map_err(db_error)? {
        let mut stmt = conn
            .prepare(
                "SELECT id, name, description, system_prompt, default_personality, default_temperature,
                        default_max_tokens, default_max_history_tokens, default_expiry_days, is_active
                 FROM personality_presets ORDER BY created_at, rowid",
            )
            .map_err(db_error)?;
        db.presets = stmt
            .query_map([], |row| {
                Ok(OldPreset {
                    id: text(row, 0),
                    name: text(row, 1),
                    description: text(row, 2),
                    system_prompt: text(row, 3),
                    personality: text(row, 4),
                    settings: settings(row, 5),
                    active: row.get::<_, i64>(9).unwrap_or(1) != 0,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(db_error)?;
    }
    if has_table("contexts").map_err(db_error)? {
        let mut stmt = conn
            .prepare(
                "SELECT id, name, system_prompt, personality, temperature, max_tokens, max_history_tokens,
                        expiry_days, created_at, updated_at, expires_at, is_active
                 FROM contexts ORDER BY created_at, rowid",
            )
            .map_err(db_error)?;
        db.contexts = stmt
            .query_map([], |row| {
                Ok(OldContext {
                    id: text(row, 0),
                    name: text(row, 1),
                    system_prompt: text(row, 2),
                    personality: text(row, 3),
                    settings: settings(row, 4),
                    created_at: text(row, 8),
                    updated_at: text(row, 9),
                    expires_at: text(row, 10),
                    active: row.get::<_, i64>(11).unwrap_or(1) != 0,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(db_error)?;
    }
    if has_table("conversations").map_err(db_error)? {
        let mut stmt = conn
            .prepare(
                "SELECT context_id, role, content, created_at FROM conversations ORDER BY created_at, rowid",
            )
            .map_err(db_error)?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    text(row, 0),
                    OldMessage {
                        role: text(row, 1),
                        content: text(row, 2),
                        created_at: text(row, 3),
                    },
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_error)?;
        for (context_id, message) in rows {
            db.messages.entry(context_id).or_default().push(message);
        }
    }
    db.team = super::old_team::read_team(&conn);
    Ok(Some(db))
}

/// Imports every preset, then every context with its messages, then the team (personas made
/// from the contexts that had a role, their parents, their delegations).
pub(super) fn import_all(
    tx: &Transaction<'_>,
    db: &OldContextDb,
    include_expired: bool,
) -> crate::Result<Vec<ImportItem>> {
    let mut items = Vec::new();
    for p in &db.presets {
        items.push(import_persona(tx, p)?);
    }
    let now = timefmt::now_string();
    for c in &db.contexts {
        let messages = db.messages.get(&c.id).map_or(&[][..], Vec::as_slice);
        items.push(import_context(tx, c, messages, &now, include_expired)?);
    }
    if let Some(team) = &db.team {
        items.extend(super::old_team::import_team(tx, team, &db.contexts)?);
    }
    Ok(items)
}

/// Whether an old database has the table `name` (a server that never stored such a thing may
/// not have created it).
pub(super) fn has_table(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |_| Ok(()),
    )
    .optional()
    .map(|r| r.is_some())
}

/// Opens one of the old server's databases read-only, so its data stays exactly as it was.
/// Without a WAL file next to it the file is complete, and opening it as immutable keeps SQLite
/// from creating `-wal`/`-shm` files beside the user's data; with one (the old server may still
/// run, or stopped uncleanly) a plain read-only open reads the WAL too.
pub(super) fn open_old_db(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if Path::new(&wal).exists() {
        return Connection::open_with_flags(path, flags);
    }
    // A URI filename: characters with a meaning in URIs are percent-encoded.
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
}

/// Our persona name for an old preset: its id with `_` as `-` (the old built-ins' ids become our
/// built-ins' names), else a slug of its display name.
fn persona_name(p: &OldPreset) -> String {
    if let Some((_, ours, _)) = UPSTREAM_PERSONA_BUILTINS.iter().find(|(id, _, _)| *id == p.id) {
        return (*ours).to_string();
    }
    readable_name(&p.id, &p.name)
}

/// A persona name for an old id and display name: the id with `_` as `-` when it reads as a
/// name, else a slug of the display name (also for old contexts that become personas).
pub(super) fn readable_name(id: &str, name: &str) -> String {
    let from_id = id.replace('_', "-").to_ascii_lowercase();
    if limits::check_name("Persona", &from_id).is_ok() && !looks_generated(&from_id) {
        return from_id;
    }
    let slug: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let slug: String = slug.chars().take(56).collect();
    if slug.is_empty() { from_id } else { slug }
}

/// Ids such as UUIDs or `preset-1712345678-ab12cd` say nothing to a user; the display name does.
fn looks_generated(id: &str) -> bool {
    id.chars().filter(char::is_ascii_digit).count() >= 6
}

fn import_persona(tx: &Transaction<'_>, old: &OldPreset) -> crate::Result<ImportItem> {
    const KIND: ItemKind = ItemKind::Persona;
    let label = if old.name.is_empty() {
        old.id.clone()
    } else {
        old.name.clone()
    };
    let fingerprint = sha256_hex(&old.system_prompt, &old.personality);
    if UPSTREAM_PERSONA_BUILTINS
        .iter()
        .any(|(id, _, hash)| *id == old.id && *hash == fingerprint)
    {
        return Ok(skipped(
            KIND,
            &label,
            "the old server's built-in, unchanged: this app ships its own version",
        ));
    }
    if !old.active {
        return Ok(skipped(KIND, &label, "switched off in the old server"));
    }
    let wanted = persona_name(old);
    let new = NewPersona {
        name: wanted.clone(),
        description: old.description.clone(),
        system_prompt: old.system_prompt.clone(),
        personality: old.personality.clone(),
        settings: old.settings.clone(),
        ..Default::default()
    };
    let same = |p: &Persona| {
        p.system_prompt == new.system_prompt
            && p.personality == new.personality
            && p.description == new.description
    };
    let Some(name) = free_name(&wanted, |n| {
        catalog::get_in::<Persona>(tx, n).map(|p| p.map(|p| same(&p)))
    })?
    else {
        return Ok(skipped(
            KIND,
            &label,
            "already here: imported before, or identical to one of yours",
        ));
    };
    let note = (name != wanted).then(|| format!("renamed: a different persona named '{wanted}' exists here"));
    match catalog::add_in::<Persona>(
        tx,
        &NewPersona {
            name: name.clone(),
            ..new
        },
    ) {
        Ok(()) => Ok(imported(KIND, &label, &name, note)),
        Err(CoreError::Invalid(reason)) => Ok(skipped(KIND, &label, reason)),
        Err(e) => Err(e),
    }
}

/// An old timestamp (JavaScript ISO strings, or SQLite's `YYYY-MM-DD HH:MM:SS` in UTC) in our
/// fixed-width form; `None` when it cannot be read.
pub(super) fn convert_time(old: &str) -> Option<String> {
    use time::{
        OffsetDateTime, PrimitiveDateTime, format_description::well_known::Rfc3339,
        macros::format_description,
    };
    if let Ok(t) = OffsetDateTime::parse(old, &Rfc3339) {
        // A time with no UTC form in the years 0 to 9999 cannot be read either.
        return timefmt::in_range(t).then(|| timefmt::format(t));
    }
    let sqlite = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    PrimitiveDateTime::parse(old, sqlite)
        .ok()
        .map(|t| timefmt::format(t.assume_utc()))
}

fn import_context(
    tx: &Transaction<'_>,
    old: &OldContext,
    messages: &[OldMessage],
    now: &str,
    include_expired: bool,
) -> crate::Result<ImportItem> {
    const KIND: ItemKind = ItemKind::Context;
    let label = format!("{} ({})", old.name, old.id);
    if old.id.trim().is_empty() {
        return Ok(skipped(KIND, &old.name, "has no id in the old database"));
    }
    if contexts::exists_in(tx, &old.id)? {
        return Ok(skipped(KIND, &label, "already here: imported before"));
    }
    let expires_at = convert_time(&old.expires_at);
    let expired = !old.active || expires_at.as_deref().is_none_or(|e| e <= now);
    if expired && !include_expired {
        return Ok(skipped(
            KIND,
            &label,
            format!(
                "expired in the old server ({}); run with --include-expired to bring it back",
                if old.active {
                    old.expires_at.as_str()
                } else {
                    "switched off"
                }
            ),
        ));
    }
    let settings = match ContextSettings::from_overrides(&old.settings) {
        Ok(s) => s,
        Err(CoreError::Invalid(reason)) => return Ok(skipped(KIND, &label, reason)),
        Err(e) => return Err(e),
    };
    let created_at = convert_time(&old.created_at).unwrap_or_else(|| now.to_string());
    let last_activity_at = convert_time(&old.updated_at).unwrap_or_else(|| created_at.clone());
    let expires_at = match expires_at {
        Some(e) if !expired => e,
        // A revived context gets the expiry a new one would.
        _ => timefmt::days_from_now(settings.expiry_days),
    };
    let context = contexts::ImportedContext {
        id: &old.id,
        name: &old.name,
        system_prompt: &old.system_prompt,
        personality: &old.personality,
        settings: &settings,
        created_at: &created_at,
        last_activity_at: &last_activity_at,
        expires_at: &expires_at,
    };
    if let Err(e) = contexts::insert_imported(tx, &context) {
        return match e {
            CoreError::Invalid(reason) => Ok(skipped(KIND, &label, reason)),
            e => Err(e),
        };
    }
    let mut brought = 0;
    let mut left_out = 0;
    for m in messages {
        let role = match m.role.as_str() {
            "user" | "assistant" => m.role.as_str(),
            _ => {
                left_out += 1;
                continue;
            }
        };
        let at = convert_time(&m.created_at).unwrap_or_else(|| created_at.clone());
        contexts::append_imported_message(tx, &old.id, role, &m.content, &at)?;
        brought += 1;
    }
    let mut notes = Vec::new();
    if expired {
        notes.push("expired in the old server; brought back with a fresh expiry".to_string());
    }
    if left_out > 0 {
        notes.push(format!(
            "{left_out} system message(s) left out: here the system prompt lives on the context"
        ));
    }
    let mut item = imported(KIND, &label, &old.id, join_notes(notes));
    item.messages = Some(brought);
    Ok(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "CREATE TABLE contexts (id TEXT PRIMARY KEY, name TEXT NOT NULL, system_prompt TEXT NOT NULL,
        personality TEXT NOT NULL, temperature REAL, max_tokens INTEGER, max_history_tokens INTEGER, expiry_days INTEGER,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, expires_at TEXT NOT NULL, is_active INTEGER NOT NULL DEFAULT 1)";

    #[test]
    fn rows_still_in_the_old_servers_wal_are_read_and_no_side_files_appear_without_one() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("context-memory.db");
        // A running old server: WAL mode, a committed row not yet checkpointed into the file.
        let writer = Connection::open(&path).expect("open");
        writer
            .execute_batch(&format!(
                "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; {SCHEMA};
                 INSERT INTO contexts VALUES ('c1', 'In the WAL', 's', 'p', 0.5, 100, 1000, 7, '2025-01-01T00:00:00Z',
                   '2025-01-01T00:00:00Z', '2999-01-01T00:00:00Z', 1);"
            ))
            .expect("seed");
        let db = read_context_db(&path).expect("read").expect("present");
        assert_eq!(db.contexts.len(), 1, "the committed row in the WAL must be seen");
        assert_eq!(db.contexts[0].name, "In the WAL");
        drop(writer);

        // A stopped server left a complete file: reading it creates nothing beside it.
        assert!(!tmp.path().join("context-memory.db-wal").exists());
        read_context_db(&path).expect("read").expect("present");
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["context-memory.db"]);
    }

    #[test]
    fn old_ids_become_readable_persona_names() {
        let preset = |id: &str, name: &str| OldPreset {
            id: id.into(),
            name: name.into(),
            description: String::new(),
            system_prompt: String::new(),
            personality: String::new(),
            settings: PersonaSettings::default(),
            active: true,
        };
        assert_eq!(
            persona_name(&preset("decision_making_supporter", "x")),
            "decision-support"
        );
        assert_eq!(persona_name(&preset("my_coach", "My Coach")), "my-coach");
        assert_eq!(
            persona_name(&preset("preset-1754042400000-k3j9x", "Travel Planner!")),
            "travel-planner"
        );
        assert_eq!(
            persona_name(&preset("0f8fad5b-d9cb-469f-a165-70867728950e", "日本語")),
            "0f8fad5b-d9cb-469f-a165-70867728950e"
        );
    }

    #[test]
    fn old_timestamps_of_both_kinds_become_ours() {
        assert_eq!(
            convert_time("2025-08-01T10:00:01.5Z").as_deref(),
            Some("2025-08-01T10:00:01.500000Z")
        );
        assert_eq!(
            convert_time("2025-08-02 09:30:00").as_deref(),
            Some("2025-08-02T09:30:00.000000Z")
        );
        assert_eq!(convert_time("yesterday"), None);
    }
}
