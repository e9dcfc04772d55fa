//! The TypeScript server's six `shared-memory-*` tools, for calls and prompts written for it:
//! listed only with `compat-tool-names` (like its other old names), served by our memory.
//!
//! The old server took any string as a persona id and had no private notes: its `public` is our
//! `shared` (others read), its `edit` our `editable`. Its persona ids become persona names by the
//! rule the import uses ([`old_persona`]), and its note ids keep working after an import (the
//! import keeps them beside ours). Its substring search is approximated by prefix search.

use llmgen_core::{
    import_upstream::builtin_persona_for,
    memory::{self, Actor, MemoryPatch, NewMemory, Permission, SearchQuery},
};
use rmcp::{
    model::{CallToolResponse, JsonObject},
    tool, tool_router,
};
use schemars::JsonSchema;
use serde::Deserialize;

use super::super::{
    LlmGenServer,
    args::{ToolError, ToolResult, finish, parse, schema, structured},
};

/// The old server's permission levels.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OldPermission {
    /// Others read.
    Public,
    /// Others read and write.
    Edit,
}

impl From<OldPermission> for Permission {
    fn from(old: OldPermission) -> Self {
        match old {
            OldPermission::Public => Permission::Shared,
            OldPermission::Edit => Permission::Editable,
        }
    }
}

/// A note id as the old server's callers write it: its own ids were strings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OldId {
    Number(i64),
    Text(String),
}

/// Parameters of shared-memory-create.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateParams {
    pub title: String,
    pub content: String,
    /// public = others read; edit (default) = others read and write.
    #[serde(default)]
    pub permission_level: Option<OldPermission>,
    pub creator_persona_id: String,
}

/// Parameters of shared-memory-search.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchParams {
    /// Words to find in titles and contents (empty: the newest notes).
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    #[schemars(range(min = 1, max = 50))]
    pub limit: Option<u32>,
    #[serde(default)]
    pub offset: Option<u32>,
    pub requester_persona_id: String,
}

/// Parameters of shared-memory-get.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetParams {
    pub id: OldId,
    pub requester_persona_id: String,
}

/// Parameters of shared-memory-update.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateParams {
    pub id: OldId,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub permission_level: Option<OldPermission>,
    pub updater_persona_id: String,
}

/// Parameters of shared-memory-delete.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeleteParams {
    pub id: OldId,
    pub deleter_persona_id: String,
}

/// Parameters of shared-memory-notifications.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NotificationsParams {
    #[serde(default)]
    #[schemars(range(min = 1, max = 50))]
    pub limit: Option<u32>,
    pub persona_id: String,
}

/// The persona an old persona id stands for: our built-in for an old built-in preset id, else the
/// id itself (the import names the owners of old notes by the same rule).
pub fn old_persona(id: &str) -> Result<Actor, ToolError> {
    let id = id.trim();
    if id.is_empty() {
        return Err(ToolError::new(
            "The persona id is empty. Give the id of the persona that acts (any name you use for it).",
        ));
    }
    llmgen_core::limits::check("Memory", "persona id", id, llmgen_core::limits::NAME_CHARS)?;
    Ok(Actor::Persona(builtin_persona_for(id).unwrap_or(id).to_string()))
}

impl LlmGenServer {
    /// Our id of an old call's note id: one of ours, or an old server's id kept by the import.
    fn memory_id(&self, id: &OldId) -> Result<i64, ToolError> {
        let text = match id {
            OldId::Number(n) => return Ok(*n),
            OldId::Text(text) => text.trim(),
        };
        // An old id first: an imported note whose old id was "42" is that note, not our 42.
        if let Some(ours) = memory::id_of_imported(&self.inner.store, text)? {
            return Ok(ours);
        }
        text.parse::<i64>().map_err(|_| {
            ToolError::new(format!(
                "Memory '{text}' was not found. shared-memory-search (or memory-search) shows the notes that exist and their ids."
            ))
        })
    }

    fn old_memory_call<T: serde::de::DeserializeOwned>(
        &self,
        tool: &str,
        args: JsonObject,
        run: impl FnOnce(&Self, T) -> ToolResult,
    ) -> CallToolResponse {
        finish(parse::<T>(tool, args).and_then(|params| run(self, params)))
    }
}

#[tool_router(router = compat_memory_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "shared-memory-create",
        description = "The TypeScript server's shared-memory tool; prefer memory-store.",
        input_schema = schema::<CreateParams>(),
        annotations(title = "Create a shared note (old name)", read_only_hint = false, destructive_hint = false, idempotent_hint = false, open_world_hint = false)
    )]
    async fn shared_memory_create(&self, args: JsonObject) -> CallToolResponse {
        self.old_memory_call("shared-memory-create", args, |server, p: CreateParams| {
            let actor = old_persona(&p.creator_persona_id)?;
            let new = NewMemory {
                title: p.title,
                content: p.content,
                tags: Vec::new(),
                owner: None,
                permission: Some(p.permission_level.unwrap_or(OldPermission::Edit).into()),
            };
            structured(&memory::create(&server.inner.store, &actor, new)?)
        })
    }

    #[tool(
        name = "shared-memory-search",
        description = "The TypeScript server's shared-memory tool; prefer memory-search.",
        input_schema = schema::<SearchParams>(),
        annotations(title = "Search shared notes (old name)", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn shared_memory_search(&self, args: JsonObject) -> CallToolResponse {
        self.old_memory_call("shared-memory-search", args, |server, p: SearchParams| {
            let actor = old_persona(&p.requester_persona_id)?;
            let query = SearchQuery {
                text: substring_like(p.query.as_deref().unwrap_or_default()),
                limit: p.limit,
                offset: p.offset,
                ..Default::default()
            };
            structured(&memory::search(&server.inner.store, &actor, &query)?)
        })
    }

    #[tool(
        name = "shared-memory-get",
        description = "The TypeScript server's shared-memory tool; prefer memory-search get.",
        input_schema = schema::<GetParams>(),
        annotations(title = "Read a shared note (old name)", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn shared_memory_get(&self, args: JsonObject) -> CallToolResponse {
        self.old_memory_call("shared-memory-get", args, |server, p: GetParams| {
            let actor = old_persona(&p.requester_persona_id)?;
            let id = server.memory_id(&p.id)?;
            structured(&memory::get(&server.inner.store, &actor, id)?)
        })
    }

    #[tool(
        name = "shared-memory-update",
        description = "The TypeScript server's shared-memory tool; prefer memory-store update.",
        input_schema = schema::<UpdateParams>(),
        annotations(title = "Change a shared note (old name)", read_only_hint = false, destructive_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn shared_memory_update(&self, args: JsonObject) -> CallToolResponse {
        self.old_memory_call("shared-memory-update", args, |server, p: UpdateParams| {
            let actor = old_persona(&p.updater_persona_id)?;
            let id = server.memory_id(&p.id)?;
            let patch = MemoryPatch {
                title: p.title,
                content: p.content,
                tags: None,
                permission: p.permission_level.map(Permission::from),
            };
            structured(&memory::update(&server.inner.store, &actor, id, patch)?)
        })
    }

    #[tool(
        name = "shared-memory-delete",
        description = "The TypeScript server's shared-memory tool; prefer memory-store delete.",
        input_schema = schema::<DeleteParams>(),
        annotations(title = "Delete a shared note (old name)", read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn shared_memory_delete(&self, args: JsonObject) -> CallToolResponse {
        self.old_memory_call("shared-memory-delete", args, |server, p: DeleteParams| {
            let actor = old_persona(&p.deleter_persona_id)?;
            let id = server.memory_id(&p.id)?;
            memory::delete(&server.inner.store, &actor, id)?;
            structured(&serde_json::json!({ "deleted": id }))
        })
    }

    #[tool(
        name = "shared-memory-notifications",
        description = "The TypeScript server's shared-memory tool; prefer the llmgen://memory/feed resource.",
        input_schema = schema::<NotificationsParams>(),
        annotations(title = "Recent changes to shared notes (old name)", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn shared_memory_notifications(&self, args: JsonObject) -> CallToolResponse {
        self.old_memory_call(
            "shared-memory-notifications",
            args,
            |server, p: NotificationsParams| {
                let actor = old_persona(&p.persona_id)?;
                let limit = p.limit.unwrap_or(10);
                if !(1..=50).contains(&limit) {
                    return Err(ToolError::new(format!(
                        "shared-memory-notifications: limit {limit} is out of range; use 1 to 50."
                    )));
                }
                // Notifications are what others did: the persona's own changes are left out.
                let mut changes = memory::recent_changes(&server.inner.store, &actor, Some(limit * 4))?;
                changes.retain(|c| c.actor.as_deref() != actor.persona());
                changes.truncate(limit as usize);
                structured(&serde_json::json!({ "notifications": changes }))
            },
        )
    }
}

/// The old server searched by substring; each word of `query` becomes a prefix (`kyo` finds
/// Kyoto). Japanese already matches inside words.
fn substring_like(query: &str) -> String {
    query
        .split_whitespace()
        .map(|word| {
            if word.ends_with('*') || !word.chars().last().is_some_and(char::is_alphanumeric) {
                word.to_string()
            } else {
                format!("{word}*")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Old persona ids map like the import's owners; old words search as prefixes.
    #[test]
    fn old_ids_and_queries_map_to_ours() {
        assert_eq!(
            old_persona("test-user-1").expect("id"),
            Actor::Persona("test-user-1".into())
        );
        assert!(old_persona("  ").is_err());
        assert_eq!(substring_like("kyo  東京 bus*"), "kyo* 東京* bus*");
    }
}
