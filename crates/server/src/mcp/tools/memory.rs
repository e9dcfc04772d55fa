//! The memory group: memory-store (create, update, delete, link, unlink) and memory-search
//! (search, get), thin adapters over `llmgen_core::memory`. Who acts is `asPersona` (absent: the
//! user); the core checks every permission against it.

use llmgen_core::memory::{self, Actor, MemoryPatch, NewMemory, SearchQuery};
use rmcp::{
    model::{CallToolResponse, JsonObject},
    tool, tool_router,
};

use super::super::{
    LlmGenServer,
    args::{finish, need, schema},
    compat::{self, Tool},
};
use super::*;

/// The fields of memory-store an action does not read: given anyway, they are named in a note.
fn unused_store_fields(p: &MemoryStoreParams) -> Vec<&'static str> {
    let given = [
        ("id", p.id.is_some()),
        ("title", p.title.is_some()),
        ("content", p.content.is_some()),
        ("tags", p.tags.is_some()),
        ("owner", p.owner.is_some()),
        ("permission", p.permission.is_some()),
        ("to", p.to.is_some()),
        ("relation", p.relation.is_some()),
    ];
    let reads: &[&str] = match p.action {
        MemoryStoreAction::Create => &["title", "content", "tags", "owner", "permission"],
        MemoryStoreAction::Update => &["id", "title", "content", "tags", "permission"],
        MemoryStoreAction::Delete => &["id"],
        MemoryStoreAction::Link | MemoryStoreAction::Unlink => &["id", "to", "relation"],
    };
    given
        .into_iter()
        .filter(|(name, is_given)| *is_given && !reads.contains(name))
        .map(|(name, _)| name)
        .collect()
}

/// The fields of memory-search `get` does not read (it takes `id` and `asPersona` only).
fn unused_get_fields(p: &MemorySearchParams) -> Vec<&'static str> {
    [
        ("query", p.query.is_some()),
        ("tags", !p.tags.is_empty()),
        ("owner", p.owner.is_some()),
        ("updatedAfter", p.updated_after.is_some()),
        ("updatedBefore", p.updated_before.is_some()),
        ("limit", p.limit.is_some()),
        ("offset", p.offset.is_some()),
        ("includeRelated", p.include_related),
        ("hops", p.hops.is_some()),
    ]
    .into_iter()
    .filter(|(_, given)| *given)
    .map(|(name, _)| name)
    .collect()
}

fn ignored(fields: Vec<&'static str>, action: &str, notes: &mut Vec<String>) {
    notes.extend(
        fields
            .into_iter()
            .map(|f| format!("Ignored '{f}': action '{action}' does not use it.")),
    );
}

#[tool_router(router = memory_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "memory-store",
        description = "Create, update, delete, link or unlink notes in the memory that personas share.",
        input_schema = schema::<MemoryStoreParams>(),
        annotations(title = "Store memories", read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn memory_store(&self, args: JsonObject) -> CallToolResponse {
        let result = (|| {
            let parsed = compat::parse::<MemoryStoreParams>(Tool::MemoryStore, "memory-store", args)?;
            let (p, mut notes) = (parsed.params, parsed.notes);
            let action = p.action.as_str();
            ignored(unused_store_fields(&p), action, &mut notes);
            let store = &self.inner.store;
            let actor = Actor::from_as_persona(store, p.as_persona.as_deref())?;
            let saved = match p.action {
                MemoryStoreAction::Create => memory::create(
                    store,
                    &actor,
                    NewMemory {
                        title: p.title.unwrap_or_default(),
                        content: p.content.unwrap_or_default(),
                        tags: p.tags.unwrap_or_default(),
                        owner: p.owner,
                        permission: p.permission.map(Into::into),
                    },
                )?,
                MemoryStoreAction::Update => {
                    let patch = MemoryPatch {
                        title: p.title,
                        content: p.content,
                        tags: p.tags,
                        permission: p.permission.map(Into::into),
                    };
                    memory::update(store, &actor, need(p.id, "id", action)?, patch)?
                }
                MemoryStoreAction::Delete => {
                    let id = need(p.id, "id", action)?;
                    memory::delete(store, &actor, id)?;
                    return compat::noted(&serde_json::json!({ "deleted": id }), &notes);
                }
                MemoryStoreAction::Link => {
                    let (from, to) = (need(p.id, "id", action)?, need(p.to, "to", action)?);
                    let relation = need(p.relation, "relation", action)?;
                    memory::link(store, &actor, from, to, &relation)?
                }
                MemoryStoreAction::Unlink => {
                    let (from, to) = (need(p.id, "id", action)?, need(p.to, "to", action)?);
                    memory::unlink(store, &actor, from, to, p.relation.as_deref())?
                }
            };
            compat::noted(&saved, &notes)
        })();
        finish(result)
    }

    #[tool(
        name = "memory-search",
        description = "Search the memory that personas share (full text, any language; filters, paging, related notes), or get one note with its links.",
        input_schema = schema::<MemorySearchParams>(),
        annotations(title = "Search memories", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn memory_search(&self, args: JsonObject) -> CallToolResponse {
        let result = (|| {
            let parsed = compat::parse::<MemorySearchParams>(Tool::MemorySearch, "memory-search", args)?;
            let (p, mut notes) = (parsed.params, parsed.notes);
            let store = &self.inner.store;
            let actor = Actor::from_as_persona(store, p.as_persona.as_deref())?;
            match p.action {
                MemorySearchAction::Get => {
                    ignored(unused_get_fields(&p), "get", &mut notes);
                    let id = need(p.id, "id", "get")?;
                    compat::noted(&memory::get(store, &actor, id)?, &notes)
                }
                MemorySearchAction::Search => {
                    if p.id.is_some() {
                        ignored(vec!["id"], "search", &mut notes);
                    }
                    let query = SearchQuery {
                        text: p.query.unwrap_or_default(),
                        tags: p.tags,
                        owner: p.owner.as_deref().map(memory::OwnerFilter::named),
                        updated_after: p.updated_after,
                        updated_before: p.updated_before,
                        limit: p.limit,
                        offset: p.offset,
                        include_related: p.include_related,
                        hops: p.hops,
                    };
                    compat::noted(&memory::search(store, &actor, &query)?, &notes)
                }
            }
        })();
        finish(result)
    }
}
