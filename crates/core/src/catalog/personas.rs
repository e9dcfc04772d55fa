//! Personas: a named system prompt, personality and default settings from which contexts are
//! created; storage and the six built-ins.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{CoreError, Result, Store, generation::ranges, limits, store::require_changed, timefmt};

const KIND: &str = "Persona";
const NOT_FOUND_HINT: &str = "List personas with persona-manage action 'list'.";

/// Default settings a persona gives to the contexts created from it. Absent values fall back
/// to the product defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PersonaSettings {
    /// Sampling temperature, 0 to 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Longest reply, in tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Token budget of a request: system prompt + history + reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_history_tokens: Option<u32>,
    /// Days of inactivity after which a context expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_days: Option<u32>,
}

impl PersonaSettings {
    pub(crate) fn validate(&self) -> Result<()> {
        if let Some(t) = self.temperature {
            ranges::temperature(t)?;
        }
        if let Some(m) = self.max_tokens {
            ranges::max_tokens(m)?;
        }
        if let Some(h) = self.max_history_tokens {
            ranges::max_history_tokens(h)?;
        }
        if let Some(d) = self.expiry_days {
            ranges::expiry_days(d)?;
        }
        Ok(())
    }

    /// `self` with the values of `patch` laid over it.
    pub(crate) fn merged(&self, patch: &PersonaSettings) -> PersonaSettings {
        PersonaSettings {
            temperature: patch.temperature.or(self.temperature),
            max_tokens: patch.max_tokens.or(self.max_tokens),
            max_history_tokens: patch.max_history_tokens.or(self.max_history_tokens),
            expiry_days: patch.expiry_days.or(self.expiry_days),
        }
    }
}

/// A stored persona, every field in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Persona {
    pub name: String,
    pub description: String,
    pub system_prompt: String,
    /// Personality text appended to the system prompt of its contexts.
    pub personality: String,
    pub settings: PersonaSettings,
    pub builtin: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// What a user gives to create a persona.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewPersona {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub system_prompt: String,
    #[serde(default)]
    pub personality: String,
    #[serde(default)]
    pub settings: PersonaSettings,
}

/// Fields to change; absent fields stay as they are. Settings are merged field by field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PersonaPatch {
    pub description: Option<String>,
    pub system_prompt: Option<String>,
    pub personality: Option<String>,
    pub settings: Option<PersonaSettings>,
}

const COLUMNS: &str = "name, description, system_prompt, personality, temperature, max_tokens, max_history_tokens, expiry_days, builtin, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Persona> {
    Ok(Persona {
        name: row.get(0)?,
        description: row.get(1)?,
        system_prompt: row.get(2)?,
        personality: row.get(3)?,
        settings: PersonaSettings {
            temperature: row.get(4)?,
            max_tokens: row.get(5)?,
            max_history_tokens: row.get(6)?,
            expiry_days: row.get(7)?,
        },
        builtin: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
    })
}

pub(crate) fn get_in(conn: &rusqlite::Connection, name: &str) -> Result<Option<Persona>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM personas WHERE name = ?1"),
            [name],
            from_row,
        )
        .optional()?)
}

/// The free texts of a persona, checked together against their size limits.
struct PersonaTexts<'a> {
    description: &'a str,
    system_prompt: &'a str,
    personality: &'a str,
}

fn not_found(name: &str) -> CoreError {
    CoreError::NotFound {
        kind: KIND,
        name: name.to_string(),
        hint: NOT_FOUND_HINT,
    }
}

fn validate(name: &str, texts: PersonaTexts<'_>, settings: &PersonaSettings) -> Result<()> {
    limits::check_name(KIND, name)?;
    let what = format!("Persona '{name}'");
    limits::check(&what, "description", texts.description, limits::DESCRIPTION_CHARS)?;
    limits::check(&what, "systemPrompt", texts.system_prompt, limits::PROMPT_CHARS)?;
    limits::check(&what, "personality", texts.personality, limits::PROMPT_CHARS)?;
    let system_prompt = texts.system_prompt;
    if system_prompt.trim().is_empty() {
        return Err(CoreError::invalid(format!(
            "Persona '{name}' needs a non-empty systemPrompt: it tells the model who to be."
        )));
    }
    settings.validate()
}

/// Every persona, sorted by name.
pub fn list(store: &Store) -> Result<Vec<Persona>> {
    store.read(|conn| {
        let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM personas ORDER BY name"))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })
}

/// One persona by name.
pub fn get(store: &Store, name: &str) -> Result<Persona> {
    store
        .read(|conn| get_in(conn, name))?
        .ok_or_else(|| not_found(name))
}

fn insert(tx: &Transaction<'_>, p: &NewPersona, builtin: bool) -> Result<()> {
    let now = timefmt::now_string();
    let s = &p.settings;
    tx.execute(
        &format!("INSERT INTO personas ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"),
        params![
            p.name,
            p.description,
            p.system_prompt,
            p.personality,
            s.temperature,
            s.max_tokens,
            s.max_history_tokens,
            s.expiry_days,
            builtin,
            now
        ],
    )?;
    Ok(())
}

/// Creates a user persona.
pub fn create(store: &Store, new: NewPersona) -> Result<Persona> {
    store.write(|tx| {
        create_in(tx, &new)?;
        get_in(tx, &new.name)?.ok_or_else(|| not_found(&new.name))
    })
}

/// `create` inside the caller's transaction.
pub(crate) fn create_in(tx: &Transaction<'_>, new: &NewPersona) -> Result<()> {
    validate(
        &new.name,
        PersonaTexts {
            description: &new.description,
            system_prompt: &new.system_prompt,
            personality: &new.personality,
        },
        &new.settings,
    )?;
    if get_in(tx, &new.name)?.is_some() {
        return Err(CoreError::AlreadyExists {
            kind: KIND,
            name: new.name.clone(),
        });
    }
    insert(tx, new, false)
}

/// Changes the given fields of a persona.
pub fn update(store: &Store, name: &str, patch: PersonaPatch) -> Result<Persona> {
    store.write(|tx| {
        let current = get_in(tx, name)?.ok_or_else(|| not_found(name))?;
        let settings = match &patch.settings {
            Some(s) => current.settings.merged(s),
            None => current.settings.clone(),
        };
        let next = Persona {
            description: patch.description.unwrap_or(current.description),
            system_prompt: patch.system_prompt.unwrap_or(current.system_prompt),
            personality: patch.personality.unwrap_or(current.personality),
            settings,
            ..current
        };
        validate(
            &next.name,
            PersonaTexts {
                description: &next.description,
                system_prompt: &next.system_prompt,
                personality: &next.personality,
            },
            &next.settings,
        )?;
        let s = &next.settings;
        tx.execute(
            "UPDATE personas SET description = ?2, system_prompt = ?3, personality = ?4, temperature = ?5, max_tokens = ?6,
             max_history_tokens = ?7, expiry_days = ?8, updated_at = ?9 WHERE name = ?1",
            params![name, next.description, next.system_prompt, next.personality, s.temperature, s.max_tokens, s.max_history_tokens, s.expiry_days, timefmt::now_string()],
        )?;
        get_in(tx, name)?.ok_or_else(|| not_found(name))
    })
}

/// Deletes a persona. Contexts created from it keep their own copy of its prompt and settings.
pub fn delete(store: &Store, name: &str) -> Result<()> {
    store.write(|tx| {
        let n = tx.execute("DELETE FROM personas WHERE name = ?1", [name])?;
        require_changed(n, KIND, name, NOT_FOUND_HINT)
    })
}

/// Restores a built-in persona to its shipped definition.
pub fn reset(store: &Store, name: &str) -> Result<Persona> {
    let builtin = builtins().into_iter().find(|p| p.name == name).ok_or_else(|| {
        CoreError::invalid(format!(
            "'{name}' is not a built-in persona, so there is nothing to reset it to. Built-ins: {}.",
            builtins()
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    store.write(|tx| {
        tx.execute("DELETE FROM personas WHERE name = ?1", [name])?;
        insert(tx, &builtin, true)?;
        get_in(tx, name)?.ok_or_else(|| not_found(name))
    })
}

pub(crate) fn seed_builtins(tx: &Transaction<'_>) -> Result<()> {
    super::seed::seed_once(tx, "persona", builtins(), |tx, p| {
        if get_in(tx, &p.name)?.is_none() {
            insert(tx, p, true)?;
        }
        Ok(())
    })
}

fn builtin(
    name: &str,
    description: &str,
    system_prompt: &str,
    personality: &str,
    temperature: f64,
) -> NewPersona {
    NewPersona {
        name: name.into(),
        description: description.into(),
        system_prompt: system_prompt.into(),
        personality: personality.into(),
        settings: PersonaSettings {
            temperature: Some(temperature),
            max_tokens: Some(1000),
            max_history_tokens: Some(15000),
            expiry_days: Some(7),
        },
    }
}

/// The six shipped personas (those of the TypeScript server).
pub fn builtins() -> Vec<NewPersona> {
    vec![
        builtin(
            "calm-counselor",
            "A calm, empathetic listener for worries and stress.",
            "You are a calm, empathetic counselor. Listen first, reflect back what you hear, and help the person find their own next step. You are not a substitute for professional help; in a crisis, point to local emergency services.",
            "Warm, unhurried, non-judgemental. Short paragraphs. Ask one gentle question at a time.",
            0.7,
        ),
        builtin(
            "rational-advisor",
            "A logical advisor who weighs options with evidence.",
            "You are a rational advisor. Clarify the question, lay out the options, weigh evidence and trade-offs, and give a reasoned recommendation with its main risks.",
            "Clear, structured, candid about uncertainty. Uses lists and numbers where they help.",
            0.3,
        ),
        builtin(
            "supportive-guide",
            "An encouraging guide for learning and personal goals.",
            "You are a supportive guide. Help the person make progress on their goal in small, concrete steps, celebrate progress, and adapt when something is not working.",
            "Encouraging and practical. Ends with one clear next step.",
            0.7,
        ),
        builtin(
            "professional-assistant",
            "A precise assistant for work tasks: writing, planning, analysis.",
            "You are a professional assistant. Produce accurate, well-organised work: drafts, plans, analyses and summaries. Ask for missing information that would change the result.",
            "Concise, polite, business-like. Prefers structure over prose.",
            0.5,
        ),
        builtin(
            "decision-support",
            "Helps make a decision: criteria, options, trade-offs.",
            "You help people make decisions. Elicit the goal and the criteria, list the realistic options, compare them against the criteria, surface hidden assumptions, and summarise the trade-off so the person can choose.",
            "Neutral and methodical. Uses a comparison table when there are several options.",
            0.4,
        ),
        builtin(
            "search-key-advisor",
            "Suggests effective search keywords and queries for a research question.",
            "You help people search effectively. Turn a research question into precise keywords, synonyms, exact phrases and operators for web and library search, and explain which query to try first and why.",
            "Brief and practical. Gives ready-to-paste queries.",
            0.3,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_six_builtins_exist_with_full_fields() {
        let store = Store::open_in_memory().expect("store");
        let all = list(&store).expect("list");
        assert_eq!(all.len(), 6);
        let p = get(&store, "rational-advisor").expect("get");
        assert!(p.builtin && !p.personality.is_empty() && p.settings.max_history_tokens == Some(15000));
    }

    #[test]
    fn create_update_get_returns_every_field() {
        let store = Store::open_in_memory().expect("store");
        create(
            &store,
            NewPersona {
                name: "chef".into(),
                description: "cooks".into(),
                system_prompt: "You cook.".into(),
                personality: "jolly".into(),
                settings: PersonaSettings {
                    temperature: Some(0.0),
                    max_tokens: Some(50),
                    max_history_tokens: Some(4000),
                    expiry_days: Some(2),
                },
            },
        )
        .expect("create");
        let p = update(
            &store,
            "chef",
            PersonaPatch {
                settings: Some(PersonaSettings {
                    max_tokens: Some(60),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .expect("update");
        assert_eq!(
            p.settings,
            PersonaSettings {
                temperature: Some(0.0),
                max_tokens: Some(60),
                max_history_tokens: Some(4000),
                expiry_days: Some(2)
            }
        );
        assert_eq!(
            (p.description.as_str(), p.personality.as_str()),
            ("cooks", "jolly")
        );
    }

    #[test]
    fn out_of_range_settings_are_refused() {
        let store = Store::open_in_memory().expect("store");
        let err = create(
            &store,
            NewPersona {
                name: "x".into(),
                system_prompt: "s".into(),
                settings: PersonaSettings {
                    temperature: Some(3.0),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .expect_err("range");
        assert!(err.to_string().contains("temperature"), "{err}");
    }
}
