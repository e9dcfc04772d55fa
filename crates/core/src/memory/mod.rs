//! The associative memory: notes that the user and personas keep and share, with tags, labelled
//! links, full-text search (Japanese included), related notes and a feed of every change.
//!
//! Every front end calls the functions re-exported here: `memory::create(store, &actor, new)`.
//! Who acts is an [`Actor`]: the user sees and changes everything; a persona is held to each
//! note's [`Permission`]. That is a guardrail between personas that share one user's data, not a
//! security boundary: anyone who can call the tools can act as the user.

use serde::{Deserialize, Serialize};

mod access;
mod batch;
mod cjk;
mod export;
mod feed;
mod rank;
mod related;
mod search;
mod snippet;
mod write;

#[cfg(test)]
mod tests;

pub use access::Actor;
pub use batch::create_many;
pub use export::{ExportFormat, export};
pub use feed::{Change, ChangeAction, FeedPage, feed, latest_seq, recent_changes};
pub use related::{RelatedVia, related};
pub use search::{OwnerFilter, SearchHit, SearchPage, SearchQuery, count, get, search};
// Used by import_upstream, which brings the old shared memory in (issue 14).
pub(crate) use write::{ImportedMemory, imported_exists, insert_imported};
pub use write::{create, delete, id_of_imported, link, unlink, update};

/// What personas other than a note's owner may do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    /// Only the owner (and the user).
    Private,
    /// Others read.
    Shared,
    /// Others read and write (but only the owner deletes it or changes who may).
    Editable,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Shared => "shared",
            Self::Editable => "editable",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "private" => Some(Self::Private),
            "shared" => Some(Self::Shared),
            "editable" => Some(Self::Editable),
            _ => None,
        }
    }
}

/// A note with its links, as `get`, `create` and `update` return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Memory {
    pub id: i64,
    pub title: String,
    pub content: String,
    pub tags: Vec<String>,
    /// The owning persona's name; `None` for the user.
    pub owner: Option<String>,
    pub permission: Permission,
    pub created_at: String,
    pub updated_at: String,
    /// Links from and to this note, to notes the actor may read: every outgoing link, and the
    /// first incoming ones.
    pub links: Vec<LinkView>,
    /// Incoming links not in `links` (0 unless more than `limits::MEMORY_LINKS` notes link here).
    pub links_left_out: u32,
}

/// One end of a link, seen from a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LinkView {
    /// The note at the other end.
    pub id: i64,
    pub title: String,
    pub relation: String,
    pub direction: LinkDirection,
}

/// Whether a link goes out of the note it is seen from or comes into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum LinkDirection {
    Out,
    In,
}

/// A note to create.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewMemory {
    pub title: String,
    pub content: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// A persona's name; absent: the acting persona, or the user.
    #[serde(default)]
    pub owner: Option<String>,
    /// Absent: `shared`, so the personas of one user find each other's notes unless told not to.
    #[serde(default)]
    pub permission: Option<Permission>,
}

/// The fields an update changes; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MemoryPatch {
    pub title: Option<String>,
    pub content: Option<String>,
    pub tags: Option<Vec<String>>,
    pub permission: Option<Permission>,
}

/// The kind word of memory errors ("Memory '12' was not found").
pub(crate) const KIND: &str = "Memory";
pub(crate) const NOT_FOUND_HINT: &str =
    "Search with memory-search to see the notes that exist (a persona sees only its own and shared notes).";

pub(crate) fn not_found(id: i64) -> crate::CoreError {
    crate::CoreError::NotFound {
        kind: KIND,
        name: id.to_string(),
        hint: NOT_FOUND_HINT,
    }
}
