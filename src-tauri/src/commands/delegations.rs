//! IPC commands of the Delegations screen: the delegated tasks newest first (filtered by status
//! and persona, a page at a time), one task in full, and cancelling a pending or running one;
//! each one call of llmgen-core's `team::delegation`, acting as the user (who sees and cancels
//! every task). Tasks are delegated by AI apps through the server; the window does not start any.

use llmgen_core::{
    Store,
    conversation::contexts::Page,
    team::{
        Actor,
        delegation::{self, Delegation, DelegationFilter},
    },
};
use serde::Serialize;

use super::{AppState, IpcError, blocking};

/// The window is the user's own: it acts as the user, never as a persona.
const ACTOR: Actor = Actor::User;

/// One page of delegations: core's `Page<Delegation>` with its item type spelled out, so the
/// bindings give the UI a concrete type (the generic one leaves `T` open).
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DelegationPage {
    /// Newest first.
    items: Vec<Delegation>,
    /// How many match the filter, across all pages.
    total: u64,
    /// The offset of the next page; absent on the last page.
    next_offset: Option<u64>,
}

impl From<Page<Delegation>> for DelegationPage {
    fn from(page: Page<Delegation>) -> Self {
        Self {
            items: page.items,
            total: page.total,
            next_offset: page.next_offset,
        }
    }
}

// The commands' bodies, on a store: what the unit tests call.

fn list_in(store: &Store, filter: &DelegationFilter) -> Result<DelegationPage, IpcError> {
    Ok(delegation::list(store, &ACTOR, filter)?.into())
}

fn get_in(store: &Store, id: i64) -> Result<Delegation, IpcError> {
    Ok(delegation::get(store, &ACTOR, id)?)
}

fn cancel_in(store: &Store, id: i64) -> Result<Delegation, IpcError> {
    Ok(delegation::cancel(store, &ACTOR, id)?)
}

/// Delegations newest first, filtered, one page (task-manage `list`).
#[tauri::command]
#[specta::specta]
pub async fn delegations_list(
    state: tauri::State<'_, AppState>,
    filter: DelegationFilter,
) -> Result<DelegationPage, IpcError> {
    let store = state.store()?;
    blocking(move || list_in(&store, &filter)).await
}

/// One delegation in full: the choice, route, tokens, timings, result or error (task-manage `get`).
#[tauri::command]
#[specta::specta]
pub async fn delegation_get(state: tauri::State<'_, AppState>, id: i64) -> Result<Delegation, IpcError> {
    let store = state.store()?;
    blocking(move || get_in(&store, id)).await
}

/// Cancels a pending or running delegation (task-manage `cancel`): the call running it stops and
/// stores nothing more. A finished one is refused with core's sentence.
#[tauri::command]
#[specta::specta]
pub async fn delegation_cancel(state: tauri::State<'_, AppState>, id: i64) -> Result<Delegation, IpcError> {
    let store = state.store()?;
    blocking(move || cancel_in(&store, id)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{
        error::IpcErrorKind,
        test_support::{from_ui, temp_store},
    };
    use llmgen_core::{
        generation::Generated,
        team::{
            Target,
            delegation::{DelegationRequest, Priority, Status},
        },
    };
    use serde_json::json;

    /// A task the user delegates to `persona`, recorded pending.
    fn delegate(store: &Store, persona: &str, task: &str) -> Delegation {
        let request = DelegationRequest {
            task: task.into(),
            target: Target::Persona(persona.into()),
            priority: Priority::High,
        };
        delegation::start(store, &Actor::User, &request)
            .expect("start")
            .delegation
    }

    fn reply(text: &str) -> Generated {
        Generated {
            text: text.into(),
            model: "stand-in".into(),
            stop_reason: None,
            route: "ollama".into(),
            usage: None,
        }
    }

    /// Proves: the list the screen asks for (its JSON) is newest first, filtered by status and by
    /// persona, a page at a time with the next page's offset; a done task shows its result,
    /// route and model; a running one is cancelled with "by the user" and then shows cancelled;
    /// cancelling again, or a finished one, is core's sentence; a missing one is `not_found`.
    #[test]
    fn the_screen_lists_filters_opens_and_cancels_delegations() {
        let (_dir, store) = temp_store();
        let done = delegate(&store, "rational-advisor", "Weigh the two offers.");
        delegation::mark_running(&store, done.id).expect("running");
        delegation::complete(&store, done.id, &reply("Take the first.")).expect("complete");
        let running = delegate(&store, "supportive-guide", "Write a haiku.");
        delegation::mark_running(&store, running.id).expect("running");
        let pending = delegate(&store, "supportive-guide", "Write a limerick.");

        let list = |input| list_in(&store, &from_ui(input)).expect("list");
        let ids = |page: DelegationPage| page.items.iter().map(|d| d.id).collect::<Vec<_>>();
        let all = list(json!({"status": null, "persona": null, "offset": 0, "limit": 20}));
        assert_eq!(all.total, 3);
        assert_eq!(ids(all), [pending.id, running.id, done.id]);
        assert_eq!(ids(list(json!({"status": "running"}))), [running.id]);
        assert_eq!(
            ids(list(json!({"persona": "supportive-guide"}))),
            [pending.id, running.id]
        );
        let first = list(json!({"limit": 2}));
        assert_eq!((first.items.len(), first.next_offset), (2, Some(2)));
        let last = list(json!({"offset": 2, "limit": 2}));
        assert_eq!((ids(last), None::<u64>), (vec![done.id], None));

        let opened = get_in(&store, done.id).expect("get");
        assert_eq!(
            (
                opened.status,
                opened.result.as_deref(),
                opened.route.as_deref(),
                opened.model.as_deref()
            ),
            (
                Status::Done,
                Some("Take the first."),
                Some("ollama"),
                Some("stand-in")
            )
        );
        assert_eq!(opened.choice.persona, "rational-advisor");
        assert!(
            opened.context_id.is_some(),
            "the task ran in a context of its own"
        );

        let cancelled = cancel_in(&store, running.id).expect("cancel");
        assert_eq!(cancelled.status, Status::Cancelled);
        assert_eq!(cancelled.error.as_deref(), Some("Cancelled by the user."));
        assert_eq!(ids(list(json!({"status": "cancelled"}))), [running.id]);
        for ended in [running.id, done.id] {
            let err = cancel_in(&store, ended).expect_err("already ended");
            assert_eq!(err.kind, IpcErrorKind::Invalid);
            assert!(err.message.contains("nothing to cancel"), "{}", err.message);
        }
        let err = get_in(&store, 999).expect_err("missing");
        assert_eq!(err.kind, IpcErrorKind::NotFound);
        let err = list_in(&store, &from_ui(json!({"limit": 0}))).expect_err("limit");
        assert_eq!(err.kind, IpcErrorKind::Invalid);
    }
}
