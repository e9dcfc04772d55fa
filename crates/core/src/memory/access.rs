//! Who acts on memory, and what each actor may do with a note: the rules of
//! [`Permission`](super::Permission) in one place, for reads (SQL filters) and writes alike.

use super::Permission;
use crate::CoreError;

pub use crate::team::Actor;

// The memory's rules for an actor; the actor itself is the team's (`team::Actor`).
impl Actor {
    fn owns(&self, owner: Option<&str>) -> bool {
        match self {
            Self::User => true,
            Self::Persona(name) => owner == Some(name.as_str()),
        }
    }

    pub(crate) fn can_read(&self, owner: Option<&str>, permission: Permission) -> bool {
        self.owns(owner) || permission != Permission::Private
    }

    pub(crate) fn can_write(&self, owner: Option<&str>, permission: Permission) -> bool {
        self.owns(owner) || permission == Permission::Editable
    }

    /// Deleting a note or changing who may use it is the owner's (and the user's) alone.
    pub(crate) fn can_manage(&self, owner: Option<&str>) -> bool {
        self.owns(owner)
    }
}

pub(crate) fn who_owns(owner: Option<&str>) -> String {
    match owner {
        None => "the user".to_string(),
        Some(name) => format!("persona '{name}'"),
    }
}

/// The refusal for a change a persona may not make. `owner_only` changes (deleting, changing who
/// may use the note) cannot be opened up by the owner, so the fix differs.
pub(crate) fn not_allowed(
    actor: &Actor,
    what: &str,
    id: i64,
    owner: Option<&str>,
    owner_only: bool,
) -> CoreError {
    let fix = if owner_only {
        "Only its owner may do that: act as the owner (asPersona), or as the user (without asPersona)."
    } else {
        "Act as its owner (asPersona), or ask the owner to make it editable."
    };
    CoreError::NotAllowed(format!(
        "{} may not {what} memory {id}: it belongs to {}. {fix}",
        actor.describe(),
        who_owns(owner)
    ))
}
