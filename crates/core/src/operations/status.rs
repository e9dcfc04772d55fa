//! What the store holds at a glance: row counts shown by the status resource, the app and
//! (later) the daily report, with the delegated tasks in each status.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Result, Store, team::delegation::Status};

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
    /// Delegated tasks by status.
    pub delegations: DelegationCounts,
}

/// How many delegated tasks are in each status.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DelegationCounts {
    pub pending: u64,
    pub running: u64,
    pub done: u64,
    pub failed: u64,
    pub cancelled: u64,
}

impl DelegationCounts {
    /// From `team::delegation::count_by_status`'s pairs.
    pub fn from_pairs(pairs: &[(Status, u64)]) -> Self {
        let mut counts = Self::default();
        for (status, n) in pairs {
            *match status {
                Status::Pending => &mut counts.pending,
                Status::Running => &mut counts.running,
                Status::Done => &mut counts.done,
                Status::Failed => &mut counts.failed,
                Status::Cancelled => &mut counts.cancelled,
            } += n;
        }
        counts
    }

    pub fn total(&self) -> u64 {
        self.pending + self.running + self.done + self.failed + self.cancelled
    }
}

/// Counts the store's rows (the delegations in a read of their own).
pub fn counts(store: &Store) -> Result<Counts> {
    let now = crate::timefmt::now_string();
    let delegations = DelegationCounts::from_pairs(&crate::team::delegation::count_by_status(store)?);
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
                    delegations,
                })
            },
        )?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proves: a new store counts its built-ins and no memory; a stored note and a delegated task
    /// are counted.
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
                memories: 0,
                delegations: DelegationCounts::default(),
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
        // A delegated task is counted in its status.
        let request = crate::team::delegation::DelegationRequest {
            task: "Sum it up.".into(),
            target: crate::team::Target::Persona("calm-counselor".into()),
            priority: Default::default(),
        };
        crate::team::delegation::start(&store, &crate::team::Actor::User, &request).expect("delegate");
        let delegations = counts(&store).expect("counts").delegations;
        assert_eq!((delegations.pending, delegations.total()), (1, 1));
    }

    /// Proves: each status is counted in its own field, and the total adds them up.
    #[test]
    fn delegations_count_by_status() {
        let counts =
            DelegationCounts::from_pairs(&[(Status::Done, 3), (Status::Failed, 1), (Status::Running, 2)]);
        assert_eq!(
            (counts.done, counts.failed, counts.running, counts.pending),
            (3, 1, 2, 0)
        );
        assert_eq!(counts.total(), 6);
    }
}
