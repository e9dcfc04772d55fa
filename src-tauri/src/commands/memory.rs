//! IPC commands of the Memory screen: search (snippets, filters, paging, related notes), a note
//! with its links and related notes, create, update, delete, link, unlink, and the recent
//! changes; each one call of llmgen-core's `memory` module, acting as the user (who sees and
//! changes every note).

use llmgen_core::{
    Store,
    memory::{
        self, Actor, Change, ChangeAction, Memory, MemoryPatch, NewMemory, SearchHit, SearchPage, SearchQuery,
    },
};
use serde::Serialize;

use super::{AppState, IpcError, blocking};

/// The window is the user's own: it acts as the user, never as a persona.
const ACTOR: Actor = Actor::User;

/// A note as its view shows it: the note with its links, and the notes related to it.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MemoryView {
    note: Memory,
    /// Notes one step away by a link or shared tags (as the search's "include related" finds
    /// them from this note), best first.
    related: Vec<SearchHit>,
}

/// A change of the feed as "Recent changes" lists it: core's `Change` under a name of its own
/// (the AI apps screen's `Change` of a file already has that name in the bindings).
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MemoryChange {
    seq: i64,
    memory_id: i64,
    action: ChangeAction,
    /// The persona that made the change; `None` for the user.
    actor: Option<String>,
    title: String,
    at: String,
}

impl From<Change> for MemoryChange {
    fn from(c: Change) -> Self {
        Self {
            seq: c.seq,
            memory_id: c.memory_id,
            action: c.action,
            actor: c.actor,
            title: c.title,
            at: c.at,
        }
    }
}

// The commands' bodies, on a store: what the unit tests call.

fn search_in(store: &Store, query: &SearchQuery) -> Result<SearchPage, IpcError> {
    Ok(memory::search(store, &ACTOR, query)?)
}

fn get_in(store: &Store, id: i64) -> Result<MemoryView, IpcError> {
    let note = memory::get(store, &ACTOR, id)?;
    let related = memory::related(store, &ACTOR, id, 1)?;
    Ok(MemoryView { note, related })
}

fn create_in(store: &Store, new: NewMemory) -> Result<Memory, IpcError> {
    Ok(memory::create(store, &ACTOR, new)?)
}

fn update_in(store: &Store, id: i64, patch: MemoryPatch) -> Result<Memory, IpcError> {
    Ok(memory::update(store, &ACTOR, id, patch)?)
}

fn delete_in(store: &Store, id: i64) -> Result<(), IpcError> {
    Ok(memory::delete(store, &ACTOR, id)?)
}

fn link_in(store: &Store, from: i64, to: i64, relation: &str) -> Result<Memory, IpcError> {
    Ok(memory::link(store, &ACTOR, from, to, relation)?)
}

fn unlink_in(store: &Store, from: i64, to: i64, relation: Option<&str>) -> Result<Memory, IpcError> {
    Ok(memory::unlink(store, &ACTOR, from, to, relation)?)
}

fn recent_in(store: &Store, limit: Option<u32>) -> Result<Vec<MemoryChange>, IpcError> {
    Ok(memory::recent_changes(store, &ACTOR, limit)?
        .into_iter()
        .map(MemoryChange::from)
        .collect())
}

/// Searches the notes (memory-search `search`): words, tags, owner, paging, related notes.
#[tauri::command]
#[specta::specta]
pub async fn memory_search(
    state: tauri::State<'_, AppState>,
    query: SearchQuery,
) -> Result<SearchPage, IpcError> {
    let store = state.store()?;
    blocking(move || search_in(&store, &query)).await
}

/// A note with its links and the notes related to it (memory-search `get`).
#[tauri::command]
#[specta::specta]
pub async fn memory_get(state: tauri::State<'_, AppState>, id: i64) -> Result<MemoryView, IpcError> {
    let store = state.store()?;
    blocking(move || get_in(&store, id)).await
}

/// Creates a note (memory-store `create`); the owner is the user unless a persona is named.
#[tauri::command]
#[specta::specta]
pub async fn memory_create(state: tauri::State<'_, AppState>, note: NewMemory) -> Result<Memory, IpcError> {
    let store = state.store()?;
    blocking(move || create_in(&store, note)).await
}

/// Changes the given fields of a note (memory-store `update`).
#[tauri::command]
#[specta::specta]
pub async fn memory_update(
    state: tauri::State<'_, AppState>,
    id: i64,
    patch: MemoryPatch,
) -> Result<Memory, IpcError> {
    let store = state.store()?;
    blocking(move || update_in(&store, id, patch)).await
}

/// Deletes a note and its links (memory-store `delete`).
#[tauri::command]
#[specta::specta]
pub async fn memory_delete(state: tauri::State<'_, AppState>, id: i64) -> Result<(), IpcError> {
    let store = state.store()?;
    blocking(move || delete_in(&store, id)).await
}

/// Links note `from` to note `to` with a relation (memory-store `link`); returns `from`.
#[tauri::command]
#[specta::specta]
pub async fn memory_link(
    state: tauri::State<'_, AppState>,
    from: i64,
    to: i64,
    relation: String,
) -> Result<Memory, IpcError> {
    let store = state.store()?;
    blocking(move || link_in(&store, from, to, &relation)).await
}

/// Removes the link from `from` to `to` with that relation, or every link between them without
/// one (memory-store `unlink`); returns `from`.
#[tauri::command]
#[specta::specta]
pub async fn memory_unlink(
    state: tauri::State<'_, AppState>,
    from: i64,
    to: i64,
    relation: Option<String>,
) -> Result<Memory, IpcError> {
    let store = state.store()?;
    blocking(move || unlink_in(&store, from, to, relation.as_deref())).await
}

/// The recent changes of memory, newest first (the change feed, llmgen://memory/feed).
#[tauri::command]
#[specta::specta]
pub async fn memory_feed(
    state: tauri::State<'_, AppState>,
    limit: Option<u32>,
) -> Result<Vec<MemoryChange>, IpcError> {
    let store = state.store()?;
    blocking(move || recent_in(&store, limit)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{
        error::IpcErrorKind,
        test_support::{from_ui, temp_store},
    };
    use serde_json::json;

    fn note(store: &Store, input: serde_json::Value) -> Memory {
        create_in(store, from_ui(input)).expect("create")
    }

    /// Proves: notes made from the form's JSON are found by a two-character Japanese word inside
    /// a sentence without spaces, its match marked in the snippet; the note linked to it follows,
    /// marked related; the note's view lists the link and the related note; the filters the
    /// screen sends (tags, owner) narrow the search.
    #[test]
    fn search_finds_japanese_and_a_note_shows_its_links_and_related_notes() {
        let (_dir, store) = temp_store();
        let tokyo = note(
            &store,
            json!({"title": "東京の旅", "content": "昨日は東京タワーに登った。", "tags": ["旅行"]}),
        );
        let packing = note(
            &store,
            json!({"title": "Packing list", "content": "Passport and an umbrella.", "tags": ["trip"], "owner": "rational-advisor", "permission": "private"}),
        );
        let linked = link_in(&store, packing.id, tokyo.id, "checklist for").expect("link");
        assert_eq!(linked.links.len(), 1);

        let search = |input| search_in(&store, &from_ui(input)).expect("search");
        let page = search(
            json!({"text": "東京", "tags": [], "owner": null, "includeRelated": true, "offset": 0, "limit": 10}),
        );
        let found: Vec<_> = page.results.iter().map(|h| (h.id, h.related.is_some())).collect();
        assert_eq!(found, [(tokyo.id, false), (packing.id, true)]);
        assert!(
            page.results[0].snippet.contains("**東京**"),
            "{}",
            page.results[0].snippet
        );
        assert_eq!(page.total, 1);

        let view = get_in(&store, tokyo.id).expect("get");
        assert_eq!(view.note.links[0].id, packing.id);
        assert_eq!(view.note.links[0].relation, "checklist for");
        let related: Vec<_> = view.related.iter().map(|h| h.id).collect();
        assert_eq!(related, [packing.id]);

        let mine = search(json!({"text": "", "owner": {"kind": "user"}}));
        assert_eq!(mine.results.iter().map(|h| h.id).collect::<Vec<_>>(), [tokyo.id]);
        let advisor = search(
            json!({"text": "", "tags": ["trip"], "owner": {"kind": "persona", "name": "rational-advisor"}}),
        );
        assert_eq!(
            advisor.results.iter().map(|h| h.id).collect::<Vec<_>>(),
            [packing.id]
        );
    }

    /// Proves: an edit changes what it sends and keeps the rest; unlink and delete take effect
    /// (a deleted note is "not found" with core's sentence); the recent changes list every
    /// change newest first, by the user; over-size input is core's clear error.
    #[test]
    fn edits_deletions_and_links_show_in_the_recent_changes() {
        let (_dir, store) = temp_store();
        let a = note(&store, json!({"title": "Kyoto", "content": "Temples."}));
        let b = note(&store, json!({"title": "Osaka", "content": "Food."}));
        let edited = update_in(
            &store,
            a.id,
            from_ui(json!({"title": "Kyoto trip", "tags": ["trip"]})),
        )
        .expect("update");
        assert_eq!(
            (
                edited.title.as_str(),
                edited.content.as_str(),
                edited.tags.as_slice()
            ),
            ("Kyoto trip", "Temples.", ["trip".to_string()].as_slice())
        );
        link_in(&store, a.id, b.id, "next").expect("link");
        let unlinked = unlink_in(&store, a.id, b.id, Some("next")).expect("unlink");
        assert!(unlinked.links.is_empty());
        delete_in(&store, b.id).expect("delete");
        let err = get_in(&store, b.id).expect_err("gone");
        assert_eq!(err.kind, IpcErrorKind::NotFound);
        assert!(err.message.contains("was not found"), "{}", err.message);

        let recent = recent_in(&store, Some(20)).expect("feed");
        let seen: Vec<_> = recent
            .iter()
            .map(|c| (c.action, c.memory_id, c.actor.clone()))
            .collect();
        assert_eq!(
            seen,
            [
                (ChangeAction::Deleted, b.id, None),
                (ChangeAction::Unlinked, a.id, None),
                (ChangeAction::Linked, a.id, None),
                (ChangeAction::Updated, a.id, None),
                (ChangeAction::Created, b.id, None),
                (ChangeAction::Created, a.id, None),
            ]
        );
        let newest_two: Vec<_> = recent_in(&store, Some(2))
            .expect("feed")
            .iter()
            .map(|c| c.seq)
            .collect();
        assert_eq!(newest_two, [recent[0].seq, recent[1].seq]);

        let err = create_in(&store, from_ui(json!({"title": "x".repeat(201), "content": ""})))
            .expect_err("too long");
        assert_eq!(err.kind, IpcErrorKind::Invalid);
        assert!(err.message.contains("200"), "{}", err.message);
    }
}
