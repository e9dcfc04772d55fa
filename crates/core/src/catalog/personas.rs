//! Personas: a named system prompt, personality and default settings from which contexts are
//! created, and their place in the team (parent, role, expertise, restrictions); what the catalog
//! stores of them, and the six built-ins. What a role may do is `team::roles`'.

use rusqlite::{Connection, Row, types::Value};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::CatalogItem;
use crate::{CoreError, Result, generation::ranges, limits};

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

/// What a persona may do in the team (the rules are in `team::roles`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Role {
    /// Delegates to any persona below it; reads and writes memory as permissions allow.
    Lead,
    /// Delegates to the personas below it; reads and writes memory as permissions allow.
    Specialist,
    /// Does not delegate; writes only its own and editable notes. The default.
    #[default]
    Assistant,
    /// Does not delegate; reads shared notes and writes only its own; what it is delegated is
    /// recorded as a review.
    Reviewer,
    /// Reads only: no memory writes, no delegation.
    Observer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::Lead,
        Self::Specialist,
        Self::Assistant,
        Self::Reviewer,
        Self::Observer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Specialist => "specialist",
            Self::Assistant => "assistant",
            Self::Reviewer => "reviewer",
            Self::Observer => "observer",
        }
    }

    /// The role stored as `text`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
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
    /// The persona above it in the team; `None` for a root.
    pub parent: Option<String>,
    pub role: Role,
    /// What it is good at (words or short phrases): delegation by expertise matches these.
    pub expertise: Vec<String>,
    /// Rules its contexts always follow; its descendants inherit them (see `team::effective`).
    pub restrictions: Vec<String>,
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
    /// The persona above it in the team (absent or empty: a root).
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub role: Role,
    #[serde(default)]
    pub expertise: Vec<String>,
    #[serde(default)]
    pub restrictions: Vec<String>,
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
    /// A new parent; the empty string makes it a root.
    pub parent: Option<String>,
    pub role: Option<Role>,
    pub expertise: Option<Vec<String>>,
    pub restrictions: Option<Vec<String>>,
}

impl CatalogItem for Persona {
    type New = NewPersona;
    type Patch = PersonaPatch;

    const KIND: &'static str = "Persona";
    const SEED_KIND: &'static str = "persona";
    const NOT_FOUND_HINT: &'static str = "List personas with persona-manage action 'list'.";
    const TABLE: &'static str = "personas";
    const CONTENT_COLUMNS: &'static [&'static str] = &[
        "description",
        "system_prompt",
        "personality",
        "temperature",
        "max_tokens",
        "max_history_tokens",
        "expiry_days",
        "parent",
        "role",
        "expertise",
        "restrictions",
    ];

    fn name_of(new: &NewPersona) -> &str {
        &new.name
    }

    fn validate(p: &NewPersona) -> Result<()> {
        let what = format!("Persona '{}'", p.name);
        limits::check(&what, "description", &p.description, limits::DESCRIPTION_CHARS)?;
        limits::check(&what, "systemPrompt", &p.system_prompt, limits::PROMPT_CHARS)?;
        limits::check(&what, "personality", &p.personality, limits::PROMPT_CHARS)?;
        if p.system_prompt.trim().is_empty() {
            return Err(CoreError::invalid(format!(
                "Persona '{}' needs a non-empty systemPrompt: it tells the model who to be.",
                p.name
            )));
        }
        p.settings.validate()?;
        let hint = "Keep the ones that matter most.";
        limits::clean_list(
            &what,
            ("an expertise", "expertise entries"),
            &p.expertise,
            limits::EXPERTISE_ITEMS,
            limits::EXPERTISE_CHARS,
            hint,
        )?;
        limits::clean_list(
            &what,
            ("a restriction", "restrictions"),
            &p.restrictions,
            limits::RESTRICTIONS,
            limits::RESTRICTION_CHARS,
            hint,
        )?;
        Ok(())
    }

    fn check_in(conn: &Connection, p: &NewPersona) -> Result<()> {
        super::persona_tree::check_parent(conn, &p.name, p.parent.as_deref())
    }

    fn before_delete(conn: &Connection, name: &str) -> Result<()> {
        super::persona_removal::before_delete(conn, name)
    }

    /// A reset restores the shipped texts and settings; the persona keeps its place in the team
    /// (its descendants would otherwise lose the rules they inherit from it, without a word).
    fn kept_on_reset(current: &Persona, shipped: &mut NewPersona) {
        shipped.parent.clone_from(&current.parent);
        shipped.role = current.role;
        shipped.expertise.clone_from(&current.expertise);
        shipped.restrictions.clone_from(&current.restrictions);
    }

    fn values(p: &NewPersona) -> Result<Vec<Value>> {
        let s = &p.settings;
        Ok(vec![
            p.description.clone().into(),
            p.system_prompt.clone().into(),
            p.personality.clone().into(),
            s.temperature.into(),
            s.max_tokens.into(),
            s.max_history_tokens.into(),
            s.expiry_days.into(),
            // Stored trimmed: names have no spaces, and a stored " boss" would match nobody.
            p.parent
                .as_deref()
                .map(str::trim)
                .filter(|parent| !parent.is_empty())
                .map(str::to_string)
                .into(),
            p.role.as_str().to_string().into(),
            json_list(&p.expertise, limits::EXPERTISE_ITEMS, limits::EXPERTISE_CHARS)?.into(),
            json_list(&p.restrictions, limits::RESTRICTIONS, limits::RESTRICTION_CHARS)?.into(),
        ])
    }

    fn from_row(row: &Row<'_>) -> Result<Self> {
        Ok(Persona {
            name: row.get("name")?,
            description: row.get("description")?,
            system_prompt: row.get("system_prompt")?,
            personality: row.get("personality")?,
            settings: PersonaSettings {
                temperature: row.get("temperature")?,
                max_tokens: row.get("max_tokens")?,
                max_history_tokens: row.get("max_history_tokens")?,
                expiry_days: row.get("expiry_days")?,
            },
            parent: row.get("parent")?,
            // The column's CHECK allows only known roles; a stranger reads as the default.
            role: Role::parse(&row.get::<_, String>("role")?).unwrap_or_default(),
            expertise: parse_list(&row.get::<_, String>("expertise")?),
            restrictions: parse_list(&row.get::<_, String>("restrictions")?),
            builtin: row.get("builtin")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
        })
    }

    /// Settings merge field by field; the other fields are replaced when given.
    fn patched(current: Persona, patch: PersonaPatch) -> NewPersona {
        let settings = match &patch.settings {
            Some(s) => current.settings.merged(s),
            None => current.settings,
        };
        NewPersona {
            name: current.name,
            description: patch.description.unwrap_or(current.description),
            system_prompt: patch.system_prompt.unwrap_or(current.system_prompt),
            personality: patch.personality.unwrap_or(current.personality),
            settings,
            parent: match patch.parent {
                Some(parent) if parent.trim().is_empty() => None,
                Some(parent) => Some(parent),
                None => current.parent,
            },
            role: patch.role.unwrap_or(current.role),
            expertise: patch.expertise.unwrap_or(current.expertise),
            restrictions: patch.restrictions.unwrap_or(current.restrictions),
        }
    }

    fn builtins() -> Vec<NewPersona> {
        builtins()
    }
}

/// The stored form of a list: cleaned (trimmed, no empties or repeats), as a JSON array.
fn json_list(items: &[String], max_items: usize, max_chars: usize) -> Result<String> {
    let clean = limits::clean_list(
        "Persona",
        ("an entry", "entries"),
        items,
        max_items,
        max_chars,
        "",
    )?;
    Ok(serde_json::to_string(&clean)?)
}

/// A stored JSON list; text that is not one (never written by us) reads as empty.
fn parse_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
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
        ..Default::default()
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
    use crate::{
        Store,
        catalog::{add, get, list, update},
    };

    #[test]
    fn the_six_builtins_exist_with_full_fields() {
        let store = Store::open_in_memory().expect("store");
        let all = list::<Persona>(&store).expect("list");
        assert_eq!(all.len(), 6);
        let p: Persona = get(&store, "rational-advisor").expect("get");
        assert!(p.builtin && !p.personality.is_empty() && p.settings.max_history_tokens == Some(15000));
    }

    #[test]
    fn create_update_get_returns_every_field() {
        let store = Store::open_in_memory().expect("store");
        add::<Persona>(
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
                ..Default::default()
            },
        )
        .expect("create");
        let p: Persona = update(
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
        let err = add::<Persona>(
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
