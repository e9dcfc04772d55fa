//! Contexts (a persona instance with its own settings, expiry and history) and their stored
//! conversation: create, list and search with paging, update, delete, export (as text or to a
//! new file), and the per-context message actions. Every message action is scoped to its context id.

use std::io::Write;

use rusqlite::{OptionalExtension, Row, Transaction, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{
    CoreError, Result, Store,
    catalog::{
        self,
        personas::{Persona, PersonaSettings},
    },
    generation::{ChatRole, defaults},
    limits,
    store::require_changed,
    timefmt,
};

mod export;
pub use export::{ExportFormat, export, export_path, export_to_file};

const KIND: &str = "Context";
const NOT_FOUND_HINT: &str = "List contexts with context-manage action 'list'.";
const MESSAGE_HINT: &str = "List the context's messages with conversation-manage action 'list'.";

/// Effective settings of a context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ContextSettings {
    pub temperature: f64,
    pub max_tokens: u32,
    pub max_history_tokens: u32,
    pub expiry_days: u32,
}

impl ContextSettings {
    pub(crate) fn from_overrides(o: &PersonaSettings) -> Result<Self> {
        o.validate()?;
        Ok(Self {
            temperature: o.temperature.unwrap_or(defaults::TEMPERATURE),
            max_tokens: o.max_tokens.unwrap_or(defaults::MAX_TOKENS),
            max_history_tokens: o.max_history_tokens.unwrap_or(defaults::MAX_HISTORY_TOKENS),
            expiry_days: o.expiry_days.unwrap_or(defaults::EXPIRY_DAYS),
        })
    }

    fn as_overrides(&self) -> PersonaSettings {
        PersonaSettings {
            temperature: Some(self.temperature),
            max_tokens: Some(self.max_tokens),
            max_history_tokens: Some(self.max_history_tokens),
            expiry_days: Some(self.expiry_days),
        }
    }
}

/// A stored context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Context {
    pub id: String,
    pub name: String,
    /// The persona it was created from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persona: Option<String>,
    pub system_prompt: String,
    pub personality: String,
    pub settings: ContextSettings,
    pub created_at: String,
    pub last_activity_at: String,
    /// Inactivity expiry: hidden after this time, then purged by maintenance.
    pub expires_at: String,
    pub message_count: u64,
}

impl Context {
    /// The system prompt sent to the model: the prompt, then the personality.
    pub fn effective_system_prompt(&self) -> String {
        crate::catalog::persona_rules::with_personality(&self.system_prompt, &self.personality)
    }
}

/// What a user gives to create a context.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewContext {
    pub name: String,
    #[serde(default)]
    pub system_prompt: String,
    #[serde(default)]
    pub personality: String,
    #[serde(default)]
    pub settings: PersonaSettings,
}

/// Fields to change; settings are merged field by field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContextPatch {
    pub name: Option<String>,
    pub system_prompt: Option<String>,
    pub personality: Option<String>,
    pub settings: Option<PersonaSettings>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Total number of items across all pages.
    pub total: u64,
    /// Offset of the next page, absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u64>,
}

/// Largest page a list returns.
pub const MAX_PAGE: u32 = 200;

fn page_bounds(offset: Option<u64>, limit: Option<u32>) -> Result<(u64, u32)> {
    let limit = limit.unwrap_or(50);
    if limit == 0 || limit > MAX_PAGE {
        return Err(CoreError::invalid(format!(
            "limit must be between 1 and {MAX_PAGE}; got {limit}."
        )));
    }
    // SQLite counts in i64: an offset past that is past every page.
    Ok((offset.unwrap_or(0).min(i64::MAX as u64), limit))
}

fn next_offset(offset: u64, returned: usize, total: u64) -> Option<u64> {
    let next = offset + returned as u64;
    (next < total && returned > 0).then_some(next)
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StoredMessage {
    pub id: i64,
    pub role: ChatRole,
    pub content: String,
    pub token_estimate: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str = "c.id, c.name, c.persona, c.system_prompt, c.personality, c.temperature, c.max_tokens, c.max_history_tokens, c.expiry_days, c.created_at, c.last_activity_at, c.expires_at, c.message_count";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Context> {
    Ok(Context {
        id: row.get(0)?,
        name: row.get(1)?,
        persona: row.get(2)?,
        system_prompt: row.get(3)?,
        personality: row.get(4)?,
        settings: ContextSettings {
            temperature: row.get(5)?,
            max_tokens: row.get(6)?,
            max_history_tokens: row.get(7)?,
            expiry_days: row.get(8)?,
        },
        created_at: row.get(9)?,
        last_activity_at: row.get(10)?,
        expires_at: row.get(11)?,
        message_count: row.get(12)?,
    })
}

fn not_found(id: &str) -> CoreError {
    CoreError::NotFound {
        kind: KIND,
        name: id.to_string(),
        hint: NOT_FOUND_HINT,
    }
}

/// A context by id, expired or not.
fn get_any(conn: &rusqlite::Connection, id: &str) -> Result<Option<Context>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM contexts c WHERE c.id = ?1"),
            [id],
            from_row,
        )
        .optional()?)
}

/// A live context by id: expired contexts are reported as such.
pub(crate) fn get_live(conn: &rusqlite::Connection, id: &str) -> Result<Context> {
    let context = get_any(conn, id)?.ok_or_else(|| not_found(id))?;
    if context.expires_at <= timefmt::now_string() {
        return Err(CoreError::ContextExpired(id.to_string()));
    }
    Ok(context)
}

/// The free texts of a context, checked against their size limits before they are stored.
fn validate_context_texts(system_prompt: &str, personality: &str) -> Result<()> {
    limits::check("The context", "systemPrompt", system_prompt, limits::PROMPT_CHARS)?;
    limits::check("The context", "personality", personality, limits::PROMPT_CHARS)
}

fn validate_context_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > limits::NAME_CHARS {
        return Err(CoreError::invalid(
            "A context needs a name of 1 to 200 characters, e.g. 'Trip planning'.",
        ));
    }
    Ok(())
}

fn insert(
    store: &Store,
    persona: Option<&str>,
    new: &NewContext,
    settings: ContextSettings,
) -> Result<Context> {
    validate_context_name(&new.name)?;
    validate_context_texts(&new.system_prompt, &new.personality)?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = timefmt::now_string();
    let expires = timefmt::days_from_now(settings.expiry_days);
    store.write(|tx| {
        tx.execute(
            "INSERT INTO contexts (id, name, persona, system_prompt, personality, temperature, max_tokens, max_history_tokens, expiry_days, created_at, last_activity_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)",
            params![id, new.name, persona, new.system_prompt, new.personality, settings.temperature, settings.max_tokens, settings.max_history_tokens, settings.expiry_days, now, expires],
        )?;
        get_any(tx, &id)?.ok_or_else(|| not_found(&id))
    })
}

/// A context brought in from elsewhere (the TypeScript server's database) with its own id and
/// times.
pub(crate) struct ImportedContext<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub system_prompt: &'a str,
    pub personality: &'a str,
    pub settings: &'a ContextSettings,
    pub created_at: &'a str,
    pub last_activity_at: &'a str,
    pub expires_at: &'a str,
}

/// Whether a context with this id exists, expired or not.
pub(crate) fn exists_in(conn: &rusqlite::Connection, id: &str) -> Result<bool> {
    Ok(get_any(conn, id)?.is_some())
}

/// Stores an imported context as it was; its messages follow with `append_imported_message`.
pub(crate) fn insert_imported(tx: &Transaction<'_>, c: &ImportedContext<'_>) -> Result<()> {
    validate_context_name(c.name)?;
    let s = c.settings;
    tx.execute(
        "INSERT INTO contexts (id, name, persona, system_prompt, personality, temperature, max_tokens, max_history_tokens, expiry_days, created_at, last_activity_at, expires_at)
         VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![c.id, c.name, c.system_prompt, c.personality, s.temperature, s.max_tokens, s.max_history_tokens, s.expiry_days, c.created_at, c.last_activity_at, c.expires_at],
    )?;
    Ok(())
}

/// Appends one imported message, keeping its original time.
pub(crate) fn append_imported_message(
    tx: &Transaction<'_>,
    context_id: &str,
    role: &str,
    content: &str,
    created_at: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO messages (context_id, role, content, token_estimate, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![context_id, role, content, crate::generation::tokens::estimate(content), created_at])?;
    Ok(())
}

/// Creates a context from scratch.
pub fn create(store: &Store, new: NewContext) -> Result<Context> {
    let settings = ContextSettings::from_overrides(&new.settings)?;
    insert(store, None, &new, settings)
}

/// Creates a context from a persona: its prompt, personality and settings, then the caller's
/// overrides (empty strings and absent values keep the persona's).
pub fn create_from_persona(store: &Store, persona_name: &str, overrides: NewContext) -> Result<Context> {
    let persona: Persona = catalog::get(store, persona_name)?;
    let settings = ContextSettings::from_overrides(&persona.settings.merged(&overrides.settings))?;
    let new = NewContext {
        name: if overrides.name.trim().is_empty() {
            persona.name.clone()
        } else {
            overrides.name
        },
        system_prompt: if overrides.system_prompt.is_empty() {
            persona.system_prompt
        } else {
            overrides.system_prompt
        },
        personality: if overrides.personality.is_empty() {
            persona.personality
        } else {
            overrides.personality
        },
        settings: PersonaSettings::default(),
    };
    insert(store, Some(&persona.name), &new, settings)
}

/// Live contexts, most recently active first.
pub fn list(store: &Store, offset: Option<u64>, limit: Option<u32>) -> Result<Page<Context>> {
    page_of(store, None, offset, limit)
}

/// Live contexts whose name contains `query` (ignoring case for ASCII letters), most recently
/// active first. An empty query matches every context, as [`list`].
pub fn search(store: &Store, query: &str, offset: Option<u64>, limit: Option<u32>) -> Result<Page<Context>> {
    let query = query.trim();
    page_of(store, (!query.is_empty()).then_some(query), offset, limit)
}

/// One page of live contexts, optionally only those whose name contains `name_part`. `instr`
/// rather than LIKE, so `%` and `_` in a query are plain characters.
fn page_of(
    store: &Store,
    name_part: Option<&str>,
    offset: Option<u64>,
    limit: Option<u32>,
) -> Result<Page<Context>> {
    let (offset, limit) = page_bounds(offset, limit)?;
    let now = timefmt::now_string();
    // NULL matches everything: one statement for list and search.
    let filter = "c.expires_at > ?1 AND (?2 IS NULL OR instr(lower(c.name), lower(?2)) > 0)";
    store.read(|conn| {
        let total: u64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM contexts c WHERE {filter}"),
            params![now, name_part],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM contexts c WHERE {filter} ORDER BY c.last_activity_at DESC, c.id LIMIT ?3 OFFSET ?4"
        ))?;
        let items: Vec<Context> = stmt
            .query_map(params![now, name_part, limit, offset], from_row)?
            .collect::<rusqlite::Result<_>>()?;
        let next_offset = next_offset(offset, items.len(), total);
        Ok(Page { items, total, next_offset })
    })
}

/// One live context.
pub fn get(store: &Store, id: &str) -> Result<Context> {
    store.read(|conn| get_live(conn, id))
}

/// Changes a context. A new expiryDays counts from the last activity.
pub fn update(store: &Store, id: &str, patch: ContextPatch) -> Result<Context> {
    store.write(|tx| {
        let current = get_live(tx, id)?;
        let settings = match &patch.settings {
            Some(s) => ContextSettings::from_overrides(&current.settings.as_overrides().merged(s))?,
            None => current.settings.clone(),
        };
        let name = patch.name.unwrap_or(current.name);
        validate_context_name(&name)?;
        let system_prompt = patch.system_prompt.unwrap_or(current.system_prompt);
        let personality = patch.personality.unwrap_or(current.personality);
        validate_context_texts(&system_prompt, &personality)?;
        let last_activity = time::OffsetDateTime::parse(&current.last_activity_at, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| timefmt::now());
        let expires = timefmt::format(last_activity + time::Duration::days(i64::from(settings.expiry_days)));
        tx.execute(
            "UPDATE contexts SET name = ?2, system_prompt = ?3, personality = ?4, temperature = ?5, max_tokens = ?6,
             max_history_tokens = ?7, expiry_days = ?8, expires_at = ?9 WHERE id = ?1",
            params![
                id,
                name,
                system_prompt,
                personality,
                settings.temperature,
                settings.max_tokens,
                settings.max_history_tokens,
                settings.expiry_days,
                expires
            ],
        )?;
        get_live(tx, id)
    })
}

/// Deletes a context and its whole history.
pub fn delete(store: &Store, id: &str) -> Result<()> {
    store.write(|tx| {
        let n = tx.execute("DELETE FROM contexts WHERE id = ?1", [id])?;
        require_changed(n, KIND, id, NOT_FOUND_HINT)
    })
}

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    let role: String = row.get(1)?;
    Ok(StoredMessage {
        id: row.get(0)?,
        role: if role == "assistant" {
            ChatRole::Assistant
        } else {
            ChatRole::User
        },
        content: row.get(2)?,
        token_estimate: row.get(3)?,
        model: row.get(4)?,
        created_at: row.get(5)?,
    })
}

pub(crate) const MESSAGE_COLUMNS: &str = "id, role, content, token_estimate, model, created_at";

pub(crate) fn message_row(row: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    message_from_row(row)
}

/// The order in which a conversation is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageOrder {
    #[default]
    OldestFirst,
    NewestFirst,
}

/// A context's messages, oldest first.
pub fn messages(
    store: &Store,
    context_id: &str,
    offset: Option<u64>,
    limit: Option<u32>,
) -> Result<Page<StoredMessage>> {
    messages_in_order(store, context_id, offset, limit, MessageOrder::OldestFirst)
}

/// A context's messages in the given order, a page at a time (the offset counts in that order).
pub fn messages_in_order(
    store: &Store,
    context_id: &str,
    offset: Option<u64>,
    limit: Option<u32>,
    order: MessageOrder,
) -> Result<Page<StoredMessage>> {
    let (offset, limit) = page_bounds(offset, limit)?;
    let direction = match order {
        MessageOrder::OldestFirst => "ASC",
        MessageOrder::NewestFirst => "DESC",
    };
    store.read(|conn| {
        get_live(conn, context_id)?;
        let total: u64 = conn.query_row(
            "SELECT COUNT(*) FROM messages WHERE context_id = ?1",
            [context_id],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE context_id = ?1 ORDER BY id {direction} LIMIT ?2 OFFSET ?3"
        ))?;
        let items: Vec<StoredMessage> = stmt
            .query_map(params![context_id, limit, offset], message_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        let next_offset = next_offset(offset, items.len(), total);
        Ok(Page {
            items,
            total,
            next_offset,
        })
    })
}

/// Deletes one message of this context; a message id of another context is not found.
pub fn delete_message(store: &Store, context_id: &str, message_id: i64) -> Result<()> {
    store.write(|tx| {
        get_live(tx, context_id)?;
        let n = tx.execute(
            "DELETE FROM messages WHERE id = ?1 AND context_id = ?2",
            params![message_id, context_id],
        )?;
        require_changed(
            n,
            "Message",
            &format!("{message_id} in context {context_id}"),
            MESSAGE_HINT,
        )
    })
}

/// Deletes several messages of this context in one transaction; if any id is not a message of
/// this context, nothing is deleted and the error names it. Returns how many were deleted.
pub fn delete_messages(store: &Store, context_id: &str, message_ids: &[i64]) -> Result<u64> {
    store.write(|tx| {
        get_live(tx, context_id)?;
        let mut deleted = 0;
        for id in message_ids {
            let n = tx.execute(
                "DELETE FROM messages WHERE id = ?1 AND context_id = ?2",
                params![id, context_id],
            )?;
            require_changed(
                n,
                "Message",
                &format!("{id} in context {context_id}"),
                MESSAGE_HINT,
            )?;
            deleted += n as u64;
        }
        Ok(deleted)
    })
}

/// Deletes the messages of this context written before `before` (an RFC 3339 time, such as
/// `2026-12-01T00:00:00Z`); returns how many.
pub fn delete_messages_before(store: &Store, context_id: &str, before: &str) -> Result<u64> {
    let at = time::OffsetDateTime::parse(before.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            CoreError::invalid(format!(
                "'{before}' is not a time: write it as RFC 3339, for example 2026-12-01T00:00:00Z."
            ))
        })?;
    // Stored times are fixed-width UTC text, so comparing them as text compares them in time.
    let cutoff = timefmt::format(at);
    store.write(|tx| {
        get_live(tx, context_id)?;
        Ok(tx.execute(
            "DELETE FROM messages WHERE context_id = ?1 AND created_at < ?2",
            params![context_id, cutoff],
        )? as u64)
    })
}

/// Deletes every message of a context; returns how many.
pub fn clear(store: &Store, context_id: &str) -> Result<u64> {
    store.write(|tx| {
        get_live(tx, context_id)?;
        Ok(tx.execute("DELETE FROM messages WHERE context_id = ?1", [context_id])? as u64)
    })
}

#[cfg(test)]
mod tests;
