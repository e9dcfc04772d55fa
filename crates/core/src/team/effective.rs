//! A persona's effective system prompt: its own prompt, then its own restrictions, then those of
//! each ancestor, nearest first. Contexts created from the persona get the same rules appended at
//! every chat, read from the team as it is then, so neither a context's own prompt nor a
//! descendant can drop an ancestor's rule. Also the tree as the screens show it.

use rusqlite::Connection;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Role;
use crate::{Result, Store, catalog, catalog::persona_tree, catalog::personas::Persona};

/// One rule in force for a persona, and whose rule it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InheritedRule {
    /// The persona that set it: the persona itself or one of its ancestors.
    pub from: String,
    pub rule: String,
}

/// A persona with its own values and the effective ones (what `persona-manage get` returns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PersonaView {
    #[serde(flatten)]
    pub persona: Persona,
    /// Its system prompt with every restriction in force appended (own first, then inherited).
    pub effective_system_prompt: String,
    /// Every restriction in force, own first, then each ancestor's, nearest first.
    pub effective_restrictions: Vec<InheritedRule>,
    /// The personas above it, nearest first.
    pub ancestors: Vec<String>,
    /// The personas directly below it.
    pub children: Vec<String>,
}

/// One persona's place in the tree, in the order a tree view draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TeamMember {
    pub name: String,
    pub description: String,
    pub parent: Option<String>,
    pub role: Role,
    pub expertise: Vec<String>,
    /// Its own restrictions (inherited ones: [`view`]).
    pub restrictions: Vec<String>,
    /// 0 for a root.
    pub depth: u32,
    pub builtin: bool,
}

/// The rules in force for `persona`: its own, then each ancestor's, nearest first. Empty for a
/// persona that no longer exists.
pub(crate) fn rules_in(conn: &Connection, persona: &str) -> Result<Vec<InheritedRule>> {
    let mut rules = Vec::new();
    let chain = std::iter::once(persona.to_string()).chain(persona_tree::ancestors(conn, persona)?);
    for name in chain {
        let Some(p) = catalog::get_in::<Persona>(conn, &name)? else {
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
pub(crate) fn restrictions_block(persona: &str, rules: &[InheritedRule]) -> Option<String> {
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
pub(crate) fn with_rules(prompt: &str, persona: &str, rules: &[InheritedRule]) -> String {
    match restrictions_block(persona, rules) {
        None => prompt.to_string(),
        Some(block) if prompt.trim().is_empty() => block,
        Some(block) => format!("{}\n\n{block}", prompt.trim_end()),
    }
}

/// The effective system prompt of the persona `name`.
pub fn effective_system_prompt(store: &Store, name: &str) -> Result<String> {
    Ok(view(store, name)?.effective_system_prompt)
}

/// The persona `name` with its effective values, its ancestors and its children.
pub fn view(store: &Store, name: &str) -> Result<PersonaView> {
    store.read(|conn| {
        let persona: Persona = catalog::get_in(conn, name)?.ok_or_else(|| crate::CoreError::NotFound {
            kind: "Persona",
            name: name.to_string(),
            hint: "List personas with persona-manage action 'list'.",
        })?;
        let rules = rules_in(conn, name)?;
        Ok(PersonaView {
            effective_system_prompt: with_rules(&persona.system_prompt, name, &rules),
            effective_restrictions: rules,
            ancestors: persona_tree::ancestors(conn, name)?,
            children: persona_tree::children(conn, name)?,
            persona,
        })
    })
}

/// Every persona in tree order: each root (by name), then its children depth first.
pub fn members(store: &Store) -> Result<Vec<TeamMember>> {
    let all = catalog::list::<Persona>(store)?;
    let names: std::collections::HashSet<&str> = all.iter().map(|p| p.name.as_str()).collect();
    let mut ordered = Vec::with_capacity(all.len());
    // A parent that no longer exists (never written by us) makes its child a root here.
    let is_root = |p: &Persona| p.parent.as_deref().is_none_or(|parent| !names.contains(parent));
    let mut stack: Vec<(&Persona, u32)> = all.iter().filter(|p| is_root(p)).rev().map(|p| (p, 0)).collect();
    while let Some((p, depth)) = stack.pop() {
        ordered.push(TeamMember {
            name: p.name.clone(),
            description: p.description.clone(),
            parent: p.parent.clone(),
            role: p.role,
            expertise: p.expertise.clone(),
            restrictions: p.restrictions.clone(),
            depth,
            builtin: p.builtin,
        });
        if depth as usize >= crate::limits::TEAM_DEPTH {
            continue;
        }
        stack.extend(
            all.iter()
                .filter(|c| c.parent.as_deref() == Some(p.name.as_str()))
                .rev()
                .map(|c| (c, depth + 1)),
        );
    }
    Ok(ordered)
}
