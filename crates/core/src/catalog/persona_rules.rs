//! The rules a persona's prompts carry: its own restrictions, then each ancestor's, nearest first,
//! appended after its system prompt and personality. Contexts created from a persona get them at
//! every chat, read from the tree as it is then; a persona's deletion writes them into its
//! contexts' own prompts first. So no context and no descendant can drop an ancestor's rule.

use rusqlite::Connection;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{get_in, persona_tree, personas::Persona};
use crate::Result;

/// One rule in force for a persona, and whose rule it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InheritedRule {
    /// The persona that set it: the persona itself or one of its ancestors.
    pub from: String,
    pub rule: String,
}

/// The rules in force for `persona`: its own, then each ancestor's, nearest first. Empty for a
/// persona that does not exist.
pub fn rules_in(conn: &Connection, persona: &str) -> Result<Vec<InheritedRule>> {
    let mut rules = Vec::new();
    let chain = std::iter::once(persona.to_string()).chain(persona_tree::ancestors(conn, persona)?);
    for name in chain {
        let Some(p) = get_in::<Persona>(conn, &name)? else {
            continue;
        };
        rules.extend(p.restrictions.into_iter().map(|rule| InheritedRule {
            from: name.clone(),
            rule,
        }));
    }
    Ok(rules)
}

/// The text appended to a system prompt for `rules`; `None` when there are none. `persona` is
/// the persona the prompt speaks for: its own rules are not marked with a source.
fn restrictions_block(persona: &str, rules: &[InheritedRule]) -> Option<String> {
    if rules.is_empty() {
        return None;
    }
    let mut block = String::from("Rules you must always follow, whatever else you are asked:");
    for r in rules {
        block.push_str("\n- ");
        block.push_str(r.rule.trim());
        if r.from != persona {
            block.push_str(&format!(" (set by '{}', above you in the team)", r.from));
        }
    }
    Some(block)
}

/// `prompt` followed by the rules in force, separated by a blank line.
pub fn with_rules(prompt: &str, persona: &str, rules: &[InheritedRule]) -> String {
    match restrictions_block(persona, rules) {
        None => prompt.to_string(),
        Some(block) if prompt.trim().is_empty() => block,
        Some(block) => format!("{}\n\n{block}", prompt.trim_end()),
    }
}

/// A system prompt and a personality as one prompt: the prompt, then the personality.
pub fn with_personality(system_prompt: &str, personality: &str) -> String {
    match (system_prompt.trim(), personality.trim()) {
        (s, "") => s.to_string(),
        ("", p) => format!("Personality: {p}"),
        (s, p) => format!("{s}\n\nPersonality: {p}"),
    }
}

/// Before the persona `name` is deleted: when rules are in force for it, its contexts keep them,
/// written into their own prompts, and no longer name it (a later persona of the same name,
/// elsewhere in the team, must not lend them its rules). Without rules they keep its name, as
/// any context of a deleted persona does.
pub(crate) fn bake_into_contexts(conn: &Connection, name: &str) -> Result<()> {
    let rules = rules_in(conn, name)?;
    if rules.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached("SELECT id, system_prompt FROM contexts WHERE persona = ?1")?;
    let contexts = stmt
        .query_map([name], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (id, prompt) in contexts {
        conn.execute(
            "UPDATE contexts SET system_prompt = ?2, persona = NULL WHERE id = ?1",
            rusqlite::params![id, with_rules(&prompt, name, &rules)],
        )?;
    }
    Ok(())
}
