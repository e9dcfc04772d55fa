//! The team: personas in a tree, with roles that decide what each may do, restrictions that
//! descendants inherit, and tasks delegated from one persona (or the user) to another.
//!
//! The tree itself is stored with the personas (`catalog::persona_tree` keeps it a tree); this
//! part says what it means:
//! - [`Actor`]: who acts in a call, the user or a persona (`asPersona`);
//! - `roles`: what each [`Role`] may do (delegate to whom, write which memory);
//! - `effective`: a persona's effective values (its prompt with its own restrictions, then its
//!   ancestors', which no context and no descendant can drop: `catalog::persona_rules`) and the
//!   tree as the screens show it;
//! - `choose`: which persona takes a delegated task (expertise, then distance in the tree);
//! - `delegation`: the record of each delegated task, its status machine and its cancellation.
//!
//! `team` stands on `catalog` and `conversation` (a task runs in a context of its own); `memory`
//! stands on `team` (a persona's role limits its writes).

use serde::{Deserialize, Serialize};

use crate::{Result, Store, catalog, catalog::personas::Persona};

mod choose;
pub mod delegation;
mod effective;
mod roles;

#[cfg(test)]
mod tests;

pub use crate::catalog::persona_rules::InheritedRule;
pub use crate::catalog::personas::Role;
pub use choose::{Candidate, Choice, Target, choose};
pub use effective::{PersonaView, TeamMember, effective_system_prompt, members, view};
pub use roles::role_of;
pub(crate) use roles::{check_memory_write, role_in};

/// The word every front end takes for the user where a persona's name could stand ("the user's
/// notes", "the tasks the user gave").
pub const USER_WORD: &str = "user";

/// Who acts: the user (every front end by default) or a persona named by `asPersona`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "kind", content = "name")]
pub enum Actor {
    User,
    Persona(String),
}

impl Actor {
    /// The actor of a call with an optional `asPersona`: the named persona must exist (a typo
    /// would otherwise act as a stranger that sees only shared notes, without a word).
    pub fn from_as_persona(store: &Store, as_persona: Option<&str>) -> Result<Self> {
        match as_persona.map(str::trim) {
            None | Some("") => Ok(Self::User),
            Some(name) => {
                catalog::get::<Persona>(store, name)?;
                Ok(Self::Persona(name.to_string()))
            }
        }
    }

    /// The persona's name, or `None` for the user (as stored in `owner` and `actor` columns).
    pub fn persona(&self) -> Option<&str> {
        match self {
            Self::User => None,
            Self::Persona(name) => Some(name),
        }
    }

    /// "you" or "persona 'name'", to start a sentence about what the actor may do.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::User => "you".to_string(),
            Self::Persona(name) => format!("persona '{name}'"),
        }
    }
}
