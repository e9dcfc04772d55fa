//! A persona as the team sees it: its own values with the effective ones (the prompt its
//! contexts send, every rule in force and whose it is; the rules themselves are
//! `catalog::persona_rules`'), and the tree as the screens show it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Role;
use crate::{
    Result, Store, catalog,
    catalog::persona_rules::{InheritedRule, rules_in, with_personality, with_rules},
    catalog::persona_tree,
    catalog::personas::Persona,
};

/// A persona with its own values and the effective ones (what `persona-manage get` returns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PersonaView {
    #[serde(flatten)]
    pub persona: Persona,
    /// What its contexts send: its system prompt and personality, then every restriction in
    /// force (own first, then inherited).
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
            effective_system_prompt: with_rules(
                &with_personality(&persona.system_prompt, &persona.personality),
                name,
                &rules,
            ),
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
