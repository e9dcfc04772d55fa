//! Calls written for the TypeScript server we replace (`@mako10k/mcp-llm-generator` 1.4.1): its
//! field names, action names, argument shapes and built-in ids become ours here, one function
//! per tool, before the arguments are parsed. Our published schemas stay ours.
//!
//! After the mapping, the arguments are conformed to our schema: a field that neither server
//! knows is dropped with a note in the result (the old server ignored such fields silently; a
//! note lets the caller see it), unless its value is `null` (a field left out), and a whole
//! number written as `300.0` counts as the integer it is. A mapped field never produces the
//! "ignored" note.

use llmgen_core::{generation::IncludeContext, import_upstream::builtin_persona_for};
use rmcp::model::JsonObject;
use schemars::JsonSchema;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};

use super::args::{ToolError, ToolResult, encode, schema, structured};

mod conform;
use conform::conform_object;

/// Which of our tools the arguments are for (an old tool name maps to one of these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Generate,
    ProviderStatus,
    TemplateRun,
    TemplateManage,
    PersonaManage,
    ContextManage,
    ContextChat,
    ConversationManage,
    /// The memory tools are ours alone: their arguments are only conformed to the schema.
    MemoryStore,
    MemorySearch,
    /// task-delegate and task-manage: ours alone, like the memory tools.
    Team,
}

/// What the old server's calls can ask for that our published schemas do not spell out.
#[derive(Debug, Default, PartialEq)]
pub struct Extras {
    /// `includeContext` of template-execute / template-to-params.
    pub include_context: Option<IncludeContext>,
    /// `page` / `pageSize` of the preset list, as (offset, limit).
    pub page: Option<(u64, u32)>,
    /// `maintainPersonality` of context-chat.
    pub keep_personality: Option<bool>,
    /// `reverse` of a conversation list: true lists the newest message first.
    pub newest_first: Option<bool>,
    /// `conversationIds` of a conversation delete.
    pub message_ids: Option<Vec<i64>>,
    /// `olderThan` of a conversation delete.
    pub older_than: Option<String>,
}

/// Arguments in our shape, what else the call asked for, and notes for the caller.
#[derive(Debug)]
pub struct Normalized {
    pub args: JsonObject,
    pub extras: Extras,
    pub notes: Vec<String>,
}

/// Typed parameters of a call, with what else it asked for and the notes for its result.
pub struct Parsed<T> {
    pub params: T,
    pub extras: Extras,
    pub notes: Vec<String>,
}

/// Normalizes the arguments of a call to `name` (one of our tools or an old name of one) and
/// parses them into `T`, the tool's parameters.
pub fn parse<T: DeserializeOwned + JsonSchema + std::any::Any>(
    tool: Tool,
    name: &str,
    args: JsonObject,
) -> Result<Parsed<T>, ToolError> {
    let normalized = normalize(tool, args, &schema::<T>())?;
    Ok(Parsed {
        params: super::args::parse(name, normalized.args)?,
        extras: normalized.extras,
        notes: normalized.notes,
    })
}

/// A structured result with the call's notes added as `notes` (when there are any).
pub fn noted(value: &impl Serialize, notes: &[String]) -> ToolResult {
    let mut value = encode(value)?;
    if let (Some(obj), false) = (value.as_object_mut(), notes.is_empty()) {
        obj.insert("notes".into(), notes.into());
    }
    structured(&value)
}

/// The old server's default page sizes (`DEFAULT_VALUES.pagination`): 10 for lists of contexts
/// and presets, 20 for conversations.
const UPSTREAM_PAGE_SIZE: u64 = 10;
const UPSTREAM_CONVERSATION_PAGE_SIZE: u64 = 20;
/// Our largest page (contexts and conversations list at most 200 at a time).
const MAX_PAGE_SIZE: u64 = 200;

/// Maps the old server's shapes for `tool` into ours, then conforms them to `schema` (our input
/// schema of that tool).
pub fn normalize(tool: Tool, mut args: JsonObject, schema: &JsonObject) -> Result<Normalized, ToolError> {
    let mut notes = Vec::new();
    let mut extras = Extras::default();
    match tool {
        Tool::Generate => generate(&mut args, &mut notes)?,
        Tool::ProviderStatus => rename(&mut args, "healthCheck", "checkReachability")?,
        Tool::TemplateRun => {
            rename(&mut args, "templateName", "name")?;
            extras.include_context = take_include_context(&mut args)?;
        }
        Tool::TemplateManage => template_manage(&mut args)?,
        Tool::PersonaManage => persona_manage(&mut args, &mut extras, &mut notes)?,
        Tool::ContextManage => context_manage(&mut args, &mut notes)?,
        Tool::ContextChat => {
            extras.keep_personality = take_bool(&mut args, "maintainPersonality")?;
        }
        Tool::ConversationManage => conversation_manage(&mut args, &mut extras)?,
        Tool::MemoryStore | Tool::MemorySearch | Tool::Team => {}
    }
    conform_object(&mut args, schema, schema, "", &mut notes);
    Ok(Normalized { args, extras, notes })
}

/// Moves the old field `from` to our `to` (see [`put`]).
fn rename(args: &mut JsonObject, from: &str, to: &str) -> Result<(), ToolError> {
    match args.remove(from) {
        Some(v) => put(args, to, v, from),
        None => Ok(()),
    }
}

/// Sets our field `to` from the old field `from`. Given twice (the old name and ours, or the old
/// name twice over), equal values are one value, objects merge field by field, and values that
/// differ are refused rather than one of them being dropped unseen.
fn put(args: &mut JsonObject, to: &str, value: Value, from: &str) -> Result<(), ToolError> {
    if value.is_null() {
        return Ok(());
    }
    match args.get_mut(to) {
        None => {
            args.insert(to.to_string(), value);
            Ok(())
        }
        Some(existing) if existing.is_null() => {
            *existing = value;
            Ok(())
        }
        Some(existing) if *existing == value => Ok(()),
        Some(Value::Object(existing)) => match value {
            Value::Object(more) => {
                for (field, v) in more {
                    put(existing, &field, v, &format!("{from}.{field}"))?;
                }
                Ok(())
            }
            other => Err(disagree(from, &other, to, &Value::Object(existing.clone()))),
        },
        Some(existing) => Err(disagree(from, &value, to, existing)),
    }
}

fn disagree(from: &str, value: &Value, to: &str, existing: &Value) -> ToolError {
    invalid(format!(
        "'{from}' ({value}) and '{to}' ({existing}) say different things: give only one of them."
    ))
}

fn invalid(message: String) -> ToolError {
    ToolError(format!(
        "{message} Check the tool's input schema and call it again."
    ))
}

fn take_bool(args: &mut JsonObject, field: &str) -> Result<Option<bool>, ToolError> {
    match args.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(other) => Err(invalid(format!("'{field}' must be true or false, not {other}."))),
    }
}

fn take_include_context(args: &mut JsonObject) -> Result<Option<IncludeContext>, ToolError> {
    match args.remove("includeContext") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v)
            .map(Some)
            .map_err(|_| invalid("'includeContext' is one of none, thisServer, allServers.".to_string())),
    }
}

/// A whole number given as an integer, `300.0` or `"300"`.
fn whole_number(field: &str, value: &Value) -> Result<u64, ToolError> {
    let n = match value {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().and_then(exact_u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    n.ok_or_else(|| {
        invalid(format!(
            "'{field}' must be a whole number of at least 1, not {value}."
        ))
    })
}

fn exact_u64(f: f64) -> Option<u64> {
    // 2^53: above it not every whole number is a float, and nothing here is that large.
    (f.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(&f)).then_some(f as u64)
}

/// `page` (from 1) and `pageSize` (1 to 200; `default_size` when absent) as (offset, limit),
/// when either is given.
fn take_page(args: &mut JsonObject, default_size: u64) -> Result<Option<(u64, u32)>, ToolError> {
    let page = args.remove("page").filter(|v| !v.is_null());
    let size = args.remove("pageSize").filter(|v| !v.is_null());
    if page.is_none() && size.is_none() {
        return Ok(None);
    }
    let page = page.map(|p| whole_number("page", &p)).transpose()?.unwrap_or(1);
    let size = size
        .map(|s| whole_number("pageSize", &s))
        .transpose()?
        .unwrap_or(default_size);
    if page == 0 {
        return Err(invalid("'page' counts from 1.".into()));
    }
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(invalid(format!(
            "'pageSize' is 1 to {MAX_PAGE_SIZE}, not {size}."
        )));
    }
    let limit = u32::try_from(size).unwrap_or(u32::MAX);
    Ok(Some(((page - 1).saturating_mul(size), limit)))
}

/// `page` / `pageSize` as our `offset` / `limit`, which must agree when both are given.
fn page_to_offset(args: &mut JsonObject, default_size: u64) -> Result<(), ToolError> {
    if let Some((offset, limit)) = take_page(args, default_size)? {
        put(args, "offset", offset.into(), "page")?;
        put(args, "limit", limit.into(), "pageSize")?;
    }
    Ok(())
}

/// The old persona ids of the built-ins (`calm_counselor`) name our built-ins (`calm-counselor`).
fn persona_name(value: Value) -> Value {
    match value {
        Value::String(id) => Value::String(builtin_persona_for(&id).map_or(id, str::to_string)),
        other => other,
    }
}

/// The old server handed `olderThan` to SQLite's `datetime()`, which also takes `2026-12-01` and
/// `2026-12-01 10:00:00` (UTC): those become RFC 3339; anything else is passed on as given.
fn rfc3339_from_sqlite(text: &str) -> String {
    let t = text.trim();
    let b = t.as_bytes();
    // Bytes, not string slices: a non-ASCII text must never be cut inside a character.
    let date = |b: &[u8]| {
        b.len() >= 10
            && b[..10].iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            })
    };
    if b.len() == 10 && date(b) {
        return format!("{t}T00:00:00Z");
    }
    let time = |b: &[u8]| {
        b.iter().enumerate().all(|(i, c)| {
            if i == 2 || i == 5 {
                *c == b':'
            } else {
                c.is_ascii_digit()
            }
        })
    };
    if b.len() == 19 && date(b) && b[10] == b' ' && time(&b[11..]) {
        return format!("{}T{}Z", &t[..10], &t[11..]);
    }
    t.to_string()
}

// ---------------------------------------------------------------------------------------------
// Per tool

/// llm-generate (and external-llm-generate): MCP content blocks as message text, `system`
/// messages into the system prompt, `stop`, the provider called `claude`.
fn generate(args: &mut JsonObject, notes: &mut Vec<String>) -> Result<(), ToolError> {
    rename(args, "stop", "stopSequences")?;
    if let Some(Value::Array(messages)) = args.get_mut("messages") {
        let mut system = Vec::new();
        let mut kept = Vec::with_capacity(messages.len());
        for (i, mut message) in std::mem::take(messages).into_iter().enumerate() {
            if let Some(obj) = message.as_object_mut() {
                if let Some(content) = obj.remove("content") {
                    obj.insert("content".into(), message_text(i, content)?);
                }
                if obj.get("role").and_then(Value::as_str) == Some("system") {
                    if let Some(Value::String(text)) = obj.remove("content") {
                        system.push(text);
                    }
                    continue;
                }
            }
            kept.push(message);
        }
        *messages = kept;
        if !system.is_empty() {
            let mut parts: Vec<String> = args
                .get("systemPrompt")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
                .into_iter()
                .collect();
            parts.extend(system);
            args.insert("systemPrompt".into(), parts.join("\n\n").into());
        }
    }
    if args.get("provider").and_then(Value::as_str) == Some("claude") {
        args.insert("provider".into(), "anthropic".into());
    }
    match args.remove("stream") {
        Some(Value::Bool(true)) => {
            notes.push("Ignored 'stream': the whole reply is returned at once.".into());
        }
        Some(Value::Bool(false) | Value::Null) | None => {}
        Some(other) => return Err(invalid(format!("'stream' must be true or false, not {other}."))),
    }
    if args.remove("topP").is_some_and(|v| !v.is_null()) {
        notes.push("Ignored 'topP': set temperature instead; this server does not send top-p.".into());
    }
    Ok(())
}

/// A message's content: text as is, or MCP content blocks of type text (one or a list).
fn message_text(index: usize, content: Value) -> Result<Value, ToolError> {
    let block_text = |block: &Value| -> Option<String> {
        (block.get("type").and_then(Value::as_str) == Some("text"))
            .then(|| block.get("text").and_then(Value::as_str).map(str::to_string))
            .flatten()
    };
    let not_text = || {
        invalid(format!(
            "messages[{index}].content must be text: a string or {{\"type\": \"text\", \"text\": \"...\"}} (images and audio are not supported)."
        ))
    };
    match content {
        Value::String(_) => Ok(content),
        Value::Object(_) => block_text(&content).map(Value::String).ok_or_else(not_text),
        Value::Array(blocks) => blocks
            .iter()
            .map(|b| block_text(b).ok_or_else(not_text))
            .collect::<Result<Vec<_>, _>>()
            .map(|texts| Value::String(texts.join("\n"))),
        _ => Err(not_text()),
    }
}

/// template-manage: the old `template: {name, systemPrompt, userMessage, parameters}` object,
/// whose parameters are a map of name → description.
fn template_manage(args: &mut JsonObject) -> Result<(), ToolError> {
    if let Some(template) = args.remove("template") {
        let Value::Object(mut template) = template else {
            return Err(invalid(
                "'template' must be an object with name, systemPrompt, userMessage and parameters.".into(),
            ));
        };
        if let Some(inner) = template.remove("name") {
            match args.get("name") {
                Some(outer) if outer != &inner => {
                    return Err(invalid(format!(
                        "'name' is {outer} but template.name is {inner}: a template cannot be renamed. Add it under the new name, then delete the old one."
                    )));
                }
                Some(_) => {}
                None => {
                    args.insert("name".into(), inner);
                }
            }
        }
        for (field, value) in template {
            put(args, &field, value, &format!("template.{field}"))?;
        }
    }
    if let Some(Value::Object(map)) = args.get("parameters").cloned() {
        let list: Vec<Value> = map
            .into_iter()
            .map(|(name, description)| {
                let description = match description {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                serde_json::json!({ "name": name, "description": description })
            })
            .collect();
        args.insert("parameters".into(), list.into());
    }
    Ok(())
}

/// persona-manage (and personality-preset-manage): `presetId`, `defaultPersonality`,
/// `defaultSettings`, display names as names, paging.
fn persona_manage(
    args: &mut JsonObject,
    extras: &mut Extras,
    notes: &mut Vec<String>,
) -> Result<(), ToolError> {
    let action = args
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(id) = args.remove("presetId") {
        let id = persona_name(id);
        if action == "create" || action == "add" {
            // The old create made its own id; a given one names the new persona, and the
            // display name (the old `name`) has no place of its own here.
            if let Some(display) = args.insert("name".into(), id.clone()).filter(|n| n != &id) {
                notes.push(format!(
                    "The persona is named {id} (its presetId); the display name {display} is not stored."
                ));
            }
        } else {
            if let Some(display) = args.remove("name").filter(|n| n != &id) {
                notes.push(format!(
                    "Ignored 'name' ({display}): a persona cannot be renamed here; it stays {id}."
                ));
            }
            args.insert("name".into(), id);
        }
    } else if let Some(name) = args.remove("name") {
        args.insert("name".into(), persona_name(name));
    }
    let creating = action == "create" || action == "add";
    if let (true, Some(Value::String(display))) = (creating, args.get("name"))
        && let Some(id) = identifier_for(display)
    {
        notes.push(format!(
            "The persona '{display}' is stored under the name '{id}' (names are identifiers here); use that name to refer to it."
        ));
        args.insert("name".into(), id.into());
    }
    rename(args, "defaultPersonality", "personality")?;
    rename(args, "defaultSettings", "settings")?;
    if args.remove("metadata").is_some() {
        notes.push("Ignored 'metadata': personas here do not store metadata.".into());
    }
    // Every persona here is active: including inactive ones changes nothing.
    args.remove("includeInactive");
    extras.page = take_page(args, UPSTREAM_PAGE_SIZE)?;
    Ok(())
}

/// An identifier for a display name such as "My Coach" (→ `my-coach`), or `None` when the name
/// is an identifier already or has no letters or digits to make one from.
fn identifier_for(display: &str) -> Option<String> {
    let is_identifier = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if is_identifier(display) {
        return None;
    }
    let mut id = String::new();
    for c in display.trim().chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id: String = id.trim_end_matches('-').chars().take(64).collect();
    let id = id.trim_end_matches('-').to_string();
    if is_identifier(&id) {
        return Some(id);
    }
    // Nothing ASCII to make a name from ("カウンセラー"): a stable name from the text itself,
    // so the same display name always gives the same persona name.
    // FNV-1a: tiny and stable across builds (std's hasher may change between Rust versions).
    let hash = display.trim().bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    Some(format!("persona-{hash:08x}"))
}

/// context-manage: `create_from_preset`, `presetId`, top-level settings, `presetOverrides`,
/// paging, `includeExpired`.
fn context_manage(args: &mut JsonObject, notes: &mut Vec<String>) -> Result<(), ToolError> {
    if args.get("action").and_then(Value::as_str) == Some("create_from_preset") {
        args.insert("action".into(), "create-from-persona".into());
    }
    if let Some(id) = args.remove("presetId") {
        put(args, "persona", persona_name(id), "presetId")?;
    }
    let mut settings = match args.remove("settings") {
        Some(Value::Object(s)) => s,
        Some(Value::Null) | None => Map::new(),
        Some(other) => {
            args.insert("settings".into(), other);
            return Ok(()); // not ours to fix: the parse names it
        }
    };
    if let Some(overrides) = args.remove("presetOverrides") {
        let Value::Object(overrides) = overrides else {
            return Err(invalid("'presetOverrides' must be an object.".into()));
        };
        for (field, value) in overrides {
            let from = format!("presetOverrides.{field}");
            if field == "name" {
                put(args, "name", value, &from)?;
            } else {
                put(&mut settings, &field, value, &from)?;
            }
        }
    }
    for field in ["temperature", "maxTokens", "maxHistoryTokens", "expiryDays"] {
        if let Some(value) = args.remove(field) {
            put(&mut settings, field, value, field)?;
        }
    }
    if !settings.is_empty() {
        args.insert("settings".into(), Value::Object(settings));
    }
    page_to_offset(args, UPSTREAM_PAGE_SIZE)?;
    if take_bool(args, "includeExpired")? == Some(true) {
        notes.push(
            "Ignored 'includeExpired': expired contexts are not listed here (maintenance deletes them)."
                .into(),
        );
    }
    Ok(())
}

/// conversation-manage: paging, `reverse`, `conversationIds`, `olderThan`.
fn conversation_manage(args: &mut JsonObject, extras: &mut Extras) -> Result<(), ToolError> {
    page_to_offset(args, UPSTREAM_CONVERSATION_PAGE_SIZE)?;
    extras.newest_first = take_bool(args, "reverse")?;
    if let Some(ids) = args.remove("conversationIds") {
        let Value::Array(ids) = ids else {
            return Err(invalid("'conversationIds' must be a list of message ids.".into()));
        };
        let ids = ids
            .iter()
            .map(|id| {
                let n = match id {
                    Value::Number(n) => n
                        .as_i64()
                        .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64)),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                };
                n.ok_or_else(|| {
                    invalid(format!(
                        "{id} is not a message id here: message ids are numbers (conversation-manage list shows them)."
                    ))
                })
            })
            .collect::<Result<Vec<i64>, _>>()?;
        let mut unique = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(&id) {
                unique.push(id);
            }
        }
        // The old server read an empty list as "not given" (and went on to olderThan).
        extras.message_ids = (!unique.is_empty()).then_some(unique);
    }
    match args.remove("olderThan") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) => extras.older_than = Some(rfc3339_from_sqlite(&t)),
        Some(other) => {
            return Err(invalid(format!(
                "'olderThan' must be a time such as 2026-12-01T00:00:00Z, not {other}."
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
