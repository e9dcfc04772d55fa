//! What the store holds at a glance: row counts shown by the status resource, the app and
//! (later) the daily report.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Result, Store};

/// How many of each thing the store holds. Contexts counts live (unexpired) ones.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub templates: u64,
    pub personas: u64,
    pub contexts: u64,
    pub messages: u64,
    pub memories: u64,
}

/// Counts the store's rows in one read.
pub fn counts(store: &Store) -> Result<Counts> {
    let now = crate::timefmt::now_string();
    store.read(|conn| {
        Ok(conn.query_row(
            "SELECT (SELECT COUNT(*) FROM templates), (SELECT COUNT(*) FROM personas),
                    (SELECT COUNT(*) FROM contexts WHERE expires_at > ?1), (SELECT COUNT(*) FROM messages),
                    (SELECT COUNT(*) FROM memories)",
            [now],
            |r| {
                Ok(Counts {
                    templates: r.get(0)?,
                    personas: r.get(1)?,
                    contexts: r.get(2)?,
                    messages: r.get(3)?,
                    memories: r.get(4)?,
                })
            },
        )?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proves: a new store counts its built-ins and no memory; a stored note is counted.
    #[test]
    fn a_new_store_counts_its_builtins_and_then_memories() {
        let store = Store::open_in_memory().expect("store");
        assert_eq!(
            counts(&store).expect("counts"),
            Counts {
                templates: 4,
                personas: 6,
                contexts: 0,
                messages: 0,
                memories: 0
            }
        );
        crate::memory::create(
            &store,
            &crate::memory::Actor::User,
            crate::memory::NewMemory {
                title: "note".into(),
                content: "kept".into(),
                ..Default::default()
            },
        )
        .expect("memory");
        assert_eq!(counts(&store).expect("counts").memories, 1);
    }
}
