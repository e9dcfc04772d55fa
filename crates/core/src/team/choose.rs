//! Which persona takes a delegated task: the one named, or the one whose expertise overlaps most
//! with what is needed, then the nearest in the tree, then by name; the choice and any ties are
//! explained in words, so the user can see why.

use std::collections::HashMap;

use rusqlite::Connection;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Actor,
    roles::{check_delegation, check_may_delegate},
};
use crate::{CoreError, Result, catalog, catalog::persona_tree, catalog::personas::Persona, limits};

/// Who should take the task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", tag = "kind", content = "value")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Target {
    /// This persona.
    Persona(String),
    /// The persona best matching this expertise.
    Expertise(Vec<String>),
}

/// A persona considered for a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Candidate {
    pub name: String,
    /// The asked expertise it has.
    pub matched: Vec<String>,
    /// Steps in the tree from the delegating persona, or, when the user delegates, from the top
    /// of the team (its depth).
    pub distance: u32,
}

/// The persona chosen for a task and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Choice {
    pub persona: String,
    /// One or two sentences: why this persona, and how a tie was broken.
    pub reason: String,
    /// Personas as good as the chosen one on expertise and distance (chosen by name order).
    pub ties: Vec<String>,
    /// Every persona considered, best first (at most 10).
    pub candidates: Vec<Candidate>,
}

/// At most this many candidates are kept in a choice.
const CANDIDATES_KEPT: usize = 10;

/// Chooses the persona for a task `from` delegates, without recording anything.
pub fn choose(store: &crate::Store, from: &Actor, target: &Target) -> Result<Choice> {
    store.read(|conn| choose_in(conn, from, target))
}

pub(crate) fn choose_in(conn: &Connection, from: &Actor, target: &Target) -> Result<Choice> {
    match target {
        Target::Persona(name) => {
            let name = name.trim();
            catalog::get_in::<Persona>(conn, name)?.ok_or_else(|| CoreError::NotFound {
                kind: "Persona",
                name: name.to_string(),
                hint: "List personas with persona-manage action 'list', or ask for the expertise needed instead.",
            })?;
            check_delegation(conn, from, name)?;
            let distance = distance(conn, from, name)?;
            Ok(Choice {
                persona: name.to_string(),
                reason: format!("'{name}' was named for the task."),
                ties: Vec::new(),
                candidates: vec![Candidate {
                    name: name.to_string(),
                    matched: Vec::new(),
                    distance,
                }],
            })
        }
        Target::Expertise(asked) => by_expertise(conn, from, asked),
    }
}

/// The expertise asked for: trimmed, without repeats, within the limits, at least one.
pub(crate) fn asked_expertise(asked: &[String]) -> Result<Vec<String>> {
    let asked = limits::clean_list(
        "task-delegate",
        ("an expertise", "expertise entries"),
        asked,
        limits::EXPERTISE_ITEMS,
        limits::EXPERTISE_CHARS,
        "Ask for the few that matter most.",
    )?;
    if asked.is_empty() {
        return Err(CoreError::invalid(
            "task-delegate needs a persona or the expertise needed (for example [\"sql\", \"reporting\"]).",
        ));
    }
    Ok(asked)
}

fn by_expertise(conn: &Connection, from: &Actor, asked: &[String]) -> Result<Choice> {
    let asked = asked_expertise(asked)?;
    // Who may take it: anyone for the user; the personas below a delegating persona.
    let pool: Vec<Persona> = match from.persona() {
        None => catalog::list_in::<Persona>(conn)?,
        Some(name) => {
            // The delegator's right to delegate at all is checked before its team is searched.
            check_may_delegate(conn, name)?;
            let mut below = Vec::new();
            for (child, _) in persona_tree::descendants(conn, name)? {
                below.extend(catalog::get_in::<Persona>(conn, &child)?);
            }
            below
        }
    };
    let mut candidates = Vec::new();
    for persona in &pool {
        let matched: Vec<String> = asked
            .iter()
            .filter(|a| persona.expertise.iter().any(|e| expertise_matches(e, a)))
            .cloned()
            .collect();
        if matched.is_empty() {
            continue;
        }
        candidates.push(Candidate {
            distance: distance(conn, from, &persona.name)?,
            name: persona.name.clone(),
            matched,
        });
    }
    if candidates.is_empty() {
        return Err(no_match(&pool, &asked, from));
    }
    candidates.sort_by(|a, b| {
        b.matched
            .len()
            .cmp(&a.matched.len())
            .then(a.distance.cmp(&b.distance))
            .then(a.name.cmp(&b.name))
    });
    let best = &candidates[0];
    let ties: Vec<String> = candidates[1..]
        .iter()
        .take_while(|c| c.matched.len() == best.matched.len() && c.distance == best.distance)
        .map(|c| c.name.clone())
        .collect();
    let place = match from.persona() {
        Some(_) => format!("{} step(s) below you", best.distance),
        None if best.distance == 0 => "at the top of the team".to_string(),
        None => format!("{} level(s) from the top of the team", best.distance),
    };
    let mut reason = format!(
        "'{}' has {} of the {} expertise asked for ({}), {place}.",
        best.name,
        best.matched.len(),
        asked.len(),
        best.matched.join(", ")
    );
    if !ties.is_empty() {
        reason.push_str(&format!(
            " Tied with {} (same expertise and distance); chosen by name order.",
            ties.iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    } else if candidates.len() > 1 {
        reason.push_str(&format!(
            " {} other persona(s) matched less well.",
            candidates.len() - 1
        ));
    }
    let persona = best.name.clone();
    candidates.truncate(CANDIDATES_KEPT);
    Ok(Choice {
        persona,
        reason,
        ties,
        candidates,
    })
}

/// Whether a persona's expertise entry covers an asked one: the same words, ignoring case, or
/// one holding the other as whole words ("rust" and "rust programming").
fn expertise_matches(have: &str, asked: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (have, asked) = (words(have), words(asked));
    if have.is_empty() || asked.is_empty() {
        return false;
    }
    let contains = |long: &[String], short: &[String]| long.windows(short.len()).any(|w| w == short);
    contains(&have, &asked) || contains(&asked, &have)
}

/// Steps between the delegator and `to`: through their nearest common ancestor; for the user,
/// `to`'s depth.
fn distance(conn: &Connection, from: &Actor, to: &str) -> Result<u32> {
    let to_up = persona_tree::ancestors(conn, to)?;
    let Some(from) = from.persona() else {
        return Ok(to_up.len() as u32);
    };
    let from_up = persona_tree::ancestors(conn, from)?;
    // Chains include the persona itself at position 0.
    let steps_from: HashMap<&str, usize> = std::iter::once(from)
        .chain(from_up.iter().map(String::as_str))
        .enumerate()
        .map(|(i, n)| (n, i))
        .collect();
    for (i, name) in std::iter::once(to)
        .chain(to_up.iter().map(String::as_str))
        .enumerate()
    {
        if let Some(j) = steps_from.get(name) {
            return Ok((i + j) as u32);
        }
    }
    // Different trees: farther than any path inside one.
    Ok((from_up.len() + to_up.len() + 2) as u32)
}

fn no_match(pool: &[Persona], asked: &[String], from: &Actor) -> CoreError {
    let known: Vec<String> = pool
        .iter()
        .filter(|p| !p.expertise.is_empty())
        .take(10)
        .map(|p| format!("{} ({})", p.name, p.expertise.join(", ")))
        .collect();
    let whose = match from.persona() {
        Some(name) => format!("below '{name}'"),
        None => "in the team".to_string(),
    };
    let have = if known.is_empty() {
        format!("No persona {whose} has any expertise set yet.")
    } else {
        format!("Expertise {whose}: {}.", known.join("; "))
    };
    CoreError::invalid(format!(
        "No persona {whose} has the expertise asked for ({}). {have} Add expertise to a persona (persona-manage update, expertise), or name the persona.",
        asked.join(", ")
    ))
}
