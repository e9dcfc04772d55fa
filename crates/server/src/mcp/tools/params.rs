//! Tool parameters: their doc comments are the schema the model reads. Calls in the TypeScript
//! server's shapes are turned into these by `mcp::compat` before they are parsed.

use std::collections::BTreeMap;

use llmgen_core::{
    catalog::personas::{PersonaSettings, Role},
    catalog::templates::TemplateParameter,
    conversation::contexts::ExportFormat,
    generation::{ChatMessage, IncludeContext, ModelPreferences, ProviderChoice},
    team::delegation::{Priority, Status},
};
use schemars::JsonSchema;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// Parameters

/// Parameters of llm-generate.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenerateParams {
    /// The conversation so far, oldest first; the first message must be from the user.
    pub messages: Vec<ChatMessage>,
    /// Instructions for the model (persona, format, rules).
    #[serde(default)]
    pub system_prompt: Option<String>,
    /// Longest reply in tokens (default 1000).
    #[serde(default)]
    #[schemars(range(min = 1, max = llmgen_core::generation::ranges::MAX_TOKENS_MAX))]
    pub max_tokens: Option<u32>,
    /// Randomness (default: the model's own).
    #[serde(default)]
    #[schemars(range(min = 0.0, max = llmgen_core::generation::ranges::TEMPERATURE_MAX))]
    pub temperature: Option<f64>,
    /// Texts that end the reply when the model produces them.
    #[serde(default)]
    pub stop_sequences: Vec<String>,
    #[serde(default)]
    pub include_context: IncludeContext,
    #[serde(default)]
    pub model_preferences: Option<ModelPreferences>,
    #[serde(default)]
    pub provider: ProviderChoice,
    /// Model of a direct provider; with sampling, the first model hint.
    #[serde(default)]
    pub model: Option<String>,
}

/// Parameters of provider-status.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderStatusParams {
    /// Only this provider (default: all).
    #[serde(default)]
    pub provider: Option<String>,
    /// Also check that each provider answers (asks for its model list; spends no tokens).
    #[serde(default)]
    pub check_reachability: bool,
}

/// Parameters of template-to-params: a template and its values (nothing is generated, so no
/// route). template-execute takes these and its route.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateRenderParams {
    /// Template name (template-manage list shows them).
    pub name: String,
    /// Values for the template's parameters, e.g. {"topic": "tides"}.
    #[serde(default)]
    pub args: BTreeMap<String, serde_json::Value>,
    /// Longest reply in tokens (default 1000).
    #[serde(default)]
    #[schemars(range(min = 1, max = llmgen_core::generation::ranges::MAX_TOKENS_MAX))]
    pub max_tokens: Option<u32>,
    /// Randomness (default: the model's own).
    #[serde(default)]
    #[schemars(range(min = 0.0, max = llmgen_core::generation::ranges::TEMPERATURE_MAX))]
    pub temperature: Option<f64>,
}

/// Parameters of template-execute.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateRunParams {
    #[serde(flatten)]
    pub template: TemplateRenderParams,
    #[serde(default)]
    pub model_preferences: Option<ModelPreferences>,
    #[serde(default)]
    pub provider: ProviderChoice,
    /// Model of a direct provider.
    #[serde(default)]
    pub model: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ManageAction {
    /// Every template.
    List,
    /// One in full (needs name).
    Get,
    /// A new one (needs name and userMessage).
    #[serde(alias = "create")]
    Add,
    /// Change the given fields (needs name).
    Update,
    /// Delete (needs name). A deleted built-in stays deleted until reset.
    Delete,
    /// Restore a built-in to its shipped version (needs name).
    Reset,
}

impl ManageAction {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::List => "list",
            Self::Get => "get",
            Self::Add => "add",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Reset => "reset",
        }
    }
}

/// Parameters of template-manage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateManageParams {
    pub action: ManageAction,
    /// Template name: 1-64 letters, digits, '-', '_' or '.'.
    #[serde(default)]
    pub name: Option<String>,
    /// What the template is for.
    #[serde(default)]
    pub description: Option<String>,
    /// System prompt; may use {placeholders}.
    #[serde(default)]
    pub system_prompt: Option<String>,
    /// The user message; may use {placeholders} ({{ and }} for literal braces).
    #[serde(default)]
    pub user_message: Option<String>,
    /// Every placeholder must be declared here.
    #[serde(default)]
    pub parameters: Option<Vec<TemplateParameter>>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PersonaAction {
    /// Every persona.
    List,
    /// One persona in full (needs name).
    Get,
    /// A new persona (needs name and systemPrompt).
    #[serde(alias = "add")]
    Create,
    /// Change the given fields (needs name); settings merge field by field.
    Update,
    /// Delete (needs name). Contexts created from it keep their copy.
    Delete,
    /// Restore a built-in persona (needs name).
    Reset,
}

impl PersonaAction {
    pub(super) fn as_manage(self) -> ManageAction {
        match self {
            Self::List => ManageAction::List,
            Self::Get => ManageAction::Get,
            Self::Create => ManageAction::Add,
            Self::Update => ManageAction::Update,
            Self::Delete => ManageAction::Delete,
            Self::Reset => ManageAction::Reset,
        }
    }
}

/// Parameters of persona-manage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonaManageParams {
    pub action: PersonaAction,
    /// Persona name: 1-64 letters, digits, '-', '_' or '.'.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Who the model should be.
    #[serde(default)]
    pub system_prompt: Option<String>,
    /// Tone and manner, added to the system prompt.
    #[serde(default)]
    pub personality: Option<String>,
    /// Defaults for contexts created from this persona.
    #[serde(default)]
    pub settings: Option<PersonaSettings>,
    /// The persona above it ("": none).
    #[serde(default)]
    pub parent: Option<String>,
    /// lead, specialist: delegate downward.
    #[serde(default)]
    #[schemars(schema_with = "role_schema")]
    pub role: Option<Role>,
    /// For task-delegate.
    #[serde(default)]
    pub expertise: Option<Vec<String>>,
    /// Rules, inherited by those below.
    #[serde(default)]
    pub restrictions: Option<Vec<String>>,
}

/// The roles as a plain list of names: what each may do is said once, in the field's own
/// description, instead of a sentence per role in every tools/list.
fn role_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    schemars::json_schema!({ "type": "string", "enum": names })
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ContextAction {
    /// New context from scratch (needs name).
    Create,
    /// New context from a persona (needs persona).
    #[serde(alias = "create_from_persona", alias = "createFromPersona")]
    CreateFromPersona,
    /// Live contexts, most recent first.
    List,
    /// One context (needs contextId).
    Get,
    /// Change the given fields (needs contextId).
    Update,
    /// Delete a context and its history (needs contextId).
    Delete,
}

/// Parameters of context-manage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContextManageParams {
    pub action: ContextAction,
    #[serde(default)]
    pub context_id: Option<String>,
    /// Persona to start from (create-from-persona).
    #[serde(default)]
    pub persona: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub system_prompt: Option<String>,
    #[serde(default)]
    pub personality: Option<String>,
    /// Absent values come from the persona, else the defaults.
    #[serde(default)]
    pub settings: Option<PersonaSettings>,
    /// Paging for list: items to skip.
    #[serde(default)]
    pub offset: Option<u64>,
    /// Paging for list (default 50).
    #[serde(default)]
    #[schemars(range(min = 1, max = llmgen_core::conversation::contexts::MAX_PAGE))]
    pub limit: Option<u32>,
    /// For list: only names containing this text (ASCII case-insensitive).
    #[serde(default)]
    pub query: Option<String>,
}

/// Parameters of context-chat.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContextChatParams {
    /// The context to talk in (context-manage create returns its id).
    pub context_id: String,
    /// Your message.
    pub message: String,
    #[serde(default)]
    pub provider: ProviderChoice,
    /// Model of a direct provider.
    #[serde(default)]
    pub model: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConversationAction {
    /// The messages, oldest first.
    List,
    /// Delete one message (needs messageId).
    Delete,
    /// Delete every message of the context.
    Clear,
    /// The whole conversation (see format).
    Export,
}

/// Parameters of conversation-manage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationManageParams {
    pub action: ConversationAction,
    /// The context; every action is limited to its conversation.
    pub context_id: String,
    /// Message id (delete).
    #[serde(default)]
    pub message_id: Option<i64>,
    #[serde(default)]
    pub offset: Option<u64>,
    #[serde(default)]
    #[schemars(range(min = 1, max = llmgen_core::conversation::contexts::MAX_PAGE))]
    pub limit: Option<u32>,
    #[serde(default)]
    pub format: ExportFormat,
}

// ---------------------------------------------------------------------------------------------
// Memory

// The core checks the memory limits (llmgen_core::limits); the schemas publish the main ones so
// that clients that validate catch an over-size value before sending it.

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemoryStoreAction {
    /// Needs title.
    Create,
    /// Changes the given fields (needs id).
    Update,
    /// Needs id.
    Delete,
    /// Links id to `to` (needs relation).
    Link,
    /// Removes links from id to `to` (all, or the relation given).
    Unlink,
}

impl MemoryStoreAction {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Link => "link",
            Self::Unlink => "unlink",
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemoryPermission {
    Private,
    Shared,
    Editable,
}

impl From<MemoryPermission> for llmgen_core::memory::Permission {
    fn from(p: MemoryPermission) -> Self {
        match p {
            MemoryPermission::Private => Self::Private,
            MemoryPermission::Shared => Self::Shared,
            MemoryPermission::Editable => Self::Editable,
        }
    }
}

/// Parameters of memory-store.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemoryStoreParams {
    pub action: MemoryStoreAction,
    /// The note (update, delete, link, unlink).
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    #[schemars(length(max = llmgen_core::limits::MEMORY_TITLE_CHARS))]
    pub title: Option<String>,
    #[serde(default)]
    #[schemars(length(max = llmgen_core::limits::MEMORY_CONTENT_CHARS))]
    pub content: Option<String>,
    /// On update, replaces the tags.
    #[serde(default)]
    #[schemars(length(max = llmgen_core::limits::MEMORY_TAGS))]
    pub tags: Option<Vec<String>>,
    /// Owning persona (create; default: whoever acts).
    #[serde(default)]
    pub owner: Option<String>,
    /// private: owner only; shared: others read; editable: others read and write.
    #[serde(default)]
    pub permission: Option<MemoryPermission>,
    /// The other note (link, unlink).
    #[serde(default)]
    pub to: Option<i64>,
    /// Link label, e.g. "cites".
    #[serde(default)]
    #[schemars(length(max = llmgen_core::limits::MEMORY_RELATION_CHARS))]
    pub relation: Option<String>,
    /// The persona acting (default: the user, who may do anything).
    #[serde(default)]
    pub as_persona: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemorySearchAction {
    /// The default.
    #[default]
    Search,
    /// One note with its links (needs id).
    Get,
}

/// Parameters of memory-search.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemorySearchParams {
    #[serde(default)]
    pub action: MemorySearchAction,
    /// Words to find; empty lists the newest first.
    #[serde(default)]
    #[schemars(length(max = llmgen_core::limits::MEMORY_QUERY_CHARS))]
    pub query: Option<String>,
    /// Only notes with these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Only notes of this persona ("user": the user's own).
    #[serde(default)]
    pub owner: Option<String>,
    /// RFC 3339 time.
    #[serde(default)]
    pub updated_after: Option<String>,
    /// RFC 3339 time.
    #[serde(default)]
    pub updated_before: Option<String>,
    /// Default 10.
    #[serde(default)]
    #[schemars(range(min = 1, max = llmgen_core::limits::MEMORY_PAGE_MAX))]
    pub limit: Option<u32>,
    #[serde(default)]
    pub offset: Option<u32>,
    /// Also notes linked to or sharing tags with the hits, marked related.
    #[serde(default)]
    pub include_related: bool,
    /// Link steps for includeRelated (default 1).
    #[serde(default)]
    #[schemars(range(min = 1, max = 2))]
    pub hops: Option<u8>,
    /// The note (get).
    #[serde(default)]
    pub id: Option<i64>,
    /// The persona acting (default: the user, who sees all).
    #[serde(default)]
    pub as_persona: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Team

/// Parameters of task-delegate.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskDelegateParams {
    /// What the persona should do.
    pub task: String,
    /// The persona to give it to; or give expertise.
    #[serde(default)]
    pub persona: Option<String>,
    /// The expertise needed: the best match takes it (most overlap, then nearest in the team).
    #[serde(default)]
    pub expertise: Option<Vec<String>>,
    /// The delegating persona (default: the user, who may delegate to anyone).
    #[serde(default)]
    pub as_persona: Option<String>,
    #[serde(default)]
    #[schemars(schema_with = "priority_schema")]
    pub priority: Priority,
    #[serde(default)]
    pub provider: ProviderChoice,
    /// Model of a direct provider; with sampling, the first model hint.
    #[serde(default)]
    pub model: Option<String>,
}

/// The priorities by name (the old server's "medium" is taken as normal, and not advertised).
fn priority_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": ["low", "normal", "high", "urgent"] })
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TaskAction {
    /// Newest first (filters: status, persona; paging).
    List,
    /// One delegation (needs id).
    Get,
    /// Stop a pending or running one (needs id); nothing it produces is stored.
    Cancel,
}

/// Parameters of task-manage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskManageParams {
    pub action: TaskAction,
    /// The delegation (get, cancel).
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    #[schemars(schema_with = "status_schema")]
    pub status: Option<Status>,
    /// Only delegations from or to this persona ("user": those you gave).
    #[serde(default)]
    pub persona: Option<String>,
    #[serde(default)]
    pub offset: Option<u64>,
    /// Default 20.
    #[serde(default)]
    #[schemars(range(min = 1, max = llmgen_core::limits::DELEGATION_PAGE_MAX))]
    pub limit: Option<u32>,
    /// Acting persona: sees its own delegations, a lead its team's too (default: the user, sees all).
    #[serde(default)]
    pub as_persona: Option<String>,
}

fn status_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": ["pending", "running", "done", "failed", "cancelled"] })
}
