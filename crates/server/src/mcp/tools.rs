//! The MCP tools: typed parameters (their doc comments are the schema the model reads) and one
//! thin adapter per tool over llmgen-core. Tools come in groups that settings can hide.

use std::collections::BTreeMap;

use llmgen_core::{
    chat, contexts,
    contexts::{ContextPatch, ExportFormat, MessageOrder, NewContext},
    generation::{
        ChatMessage, ChatRole, GenerationRequest, IncludeContext, ModelPreferences, ProviderChoice, defaults,
    },
    personas::{self, NewPersona, PersonaPatch, PersonaSettings},
    templates::{self, NewTemplate, TemplateParameter, TemplatePatch},
};
use rmcp::{
    handler::server::tool::{InputResponses, RequestState},
    model::{CallToolResponse, JsonObject},
    service::{RequestContext, RoleServer},
    tool, tool_router,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    LlmGenServer,
    args::{ToolError, ToolResult, finish, need, schema, text_with_data},
    compat::{self, Tool},
    generate::{Call, Outcome},
};

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
    /// Longest reply in tokens, 1 to 200000. Default 1000.
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Randomness, 0 to 2; 0 is the most deterministic (and is kept as 0). Default: the model's own.
    #[serde(default)]
    pub temperature: Option<f64>,
    /// Texts that end the reply when the model produces them.
    #[serde(default)]
    pub stop_sequences: Vec<String>,
    /// Extra MCP context the client may add: none (default), thisServer, allServers. Only sent to
    /// clients that declare support for it.
    #[serde(default)]
    pub include_context: IncludeContext,
    /// Hints for the client's choice of model.
    #[serde(default)]
    pub model_preferences: Option<ModelPreferences>,
    /// Route: "auto" (default: the client's model through MCP sampling when it offers it, else the
    /// default direct provider), "sampling", or a configured provider name (provider-status lists them).
    #[serde(default)]
    pub provider: ProviderChoice,
    /// Model for a direct provider (default: the provider's default model). With sampling it is
    /// passed as the first model hint.
    #[serde(default)]
    pub model: Option<String>,
}

/// Parameters of provider-status.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderStatusParams {
    /// Only this provider (default: every provider).
    #[serde(default)]
    pub provider: Option<String>,
    /// Also check that each provider answers at its base URL (one request for its model list;
    /// spends no tokens). Default false.
    #[serde(default)]
    pub check_reachability: bool,
}

/// Parameters of template-execute and template-to-params.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateRunParams {
    /// Template name (template-manage list shows them).
    pub name: String,
    /// Values for the template's parameters, e.g. {"topic": "tides"}. Numbers and booleans are
    /// written as text.
    #[serde(default)]
    pub args: BTreeMap<String, serde_json::Value>,
    /// Longest reply in tokens, 1 to 200000. Default 1000.
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Randomness, 0 to 2.
    #[serde(default)]
    pub temperature: Option<f64>,
    /// Hints for the client's choice of model.
    #[serde(default)]
    pub model_preferences: Option<ModelPreferences>,
    /// Route: "auto" (default), "sampling", or a configured provider name.
    #[serde(default)]
    pub provider: ProviderChoice,
    /// Model for a direct provider (default: the provider's default model).
    #[serde(default)]
    pub model: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ManageAction {
    /// List every item.
    List,
    /// One item in full (needs name).
    Get,
    /// Add a new item (needs name and its required fields). For personas the word is "create";
    /// both are accepted everywhere.
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
    fn as_str(self) -> &'static str {
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
    /// list, get, add, update, delete or reset.
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
    /// The user message; may use {placeholders}. Required for add. Write {{ and }} for literal braces.
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
    fn as_manage(self) -> ManageAction {
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
    /// list, get, create, update, delete or reset.
    pub action: PersonaAction,
    /// Persona name: 1-64 letters, digits, '-', '_' or '.'.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Who the model should be. Required for add.
    #[serde(default)]
    pub system_prompt: Option<String>,
    /// Tone and manner, added to the system prompt.
    #[serde(default)]
    pub personality: Option<String>,
    /// Defaults for contexts created from this persona.
    #[serde(default)]
    pub settings: Option<PersonaSettings>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ContextAction {
    /// New context from scratch (needs name).
    Create,
    /// New context from a persona (needs persona).
    #[serde(alias = "create_from_persona", alias = "createFromPersona")]
    CreateFromPersona,
    /// Live contexts, most recent first, with paging (offset, limit); query narrows by name.
    List,
    /// One context (needs contextId).
    Get,
    /// Change name, prompt, personality or settings (needs contextId).
    Update,
    /// Delete a context and its history (needs contextId).
    Delete,
}

/// Parameters of context-manage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContextManageParams {
    /// create, create-from-persona, list, get, update or delete.
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
    /// temperature, maxTokens, maxHistoryTokens (the request budget), expiryDays (inactivity).
    #[serde(default)]
    pub settings: Option<PersonaSettings>,
    /// Paging for list: items to skip.
    #[serde(default)]
    pub offset: Option<u64>,
    /// Paging for list: 1 to 200, default 50.
    #[serde(default)]
    pub limit: Option<u32>,
    /// For list: only contexts whose name contains this text (case-insensitive for ASCII).
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
    /// Route: "auto" (default), "sampling", or a configured provider name.
    #[serde(default)]
    pub provider: ProviderChoice,
    /// Model for a direct provider (default: the provider's default model).
    #[serde(default)]
    pub model: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConversationAction {
    /// The context's messages, oldest first, with paging.
    List,
    /// Delete one message (needs messageId).
    Delete,
    /// Delete every message of the context.
    Clear,
    /// The whole conversation as markdown (default) or json.
    Export,
}

/// Parameters of conversation-manage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationManageParams {
    /// list, delete, clear or export.
    pub action: ConversationAction,
    /// The context whose conversation this is; every action is limited to it.
    pub context_id: String,
    /// Message id (delete).
    #[serde(default)]
    pub message_id: Option<i64>,
    #[serde(default)]
    pub offset: Option<u64>,
    #[serde(default)]
    pub limit: Option<u32>,
    /// export format: markdown (default) or json.
    #[serde(default)]
    pub format: ExportFormat,
}

// ---------------------------------------------------------------------------------------------
// Results

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GenerateOutput<'a> {
    text: &'a str,
    model: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_reason: Option<&'a str>,
    route: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<&'a llmgen_core::generation::TokenUsage>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

fn arg_text(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

fn string_args(args: BTreeMap<String, serde_json::Value>) -> BTreeMap<String, String> {
    args.into_iter().map(|(k, v)| (k, arg_text(v))).collect()
}

impl LlmGenServer {
    /// Runs a generation and turns the outcome into the tool's response; `after` sees the
    /// generated text before the result is returned (context-chat stores it there).
    async fn run_generation(
        &self,
        call: Call<'_>,
        request: GenerationRequest,
        route: (&ProviderChoice, Option<&str>),
        mut notes: Vec<String>,
        after: impl FnOnce(&llmgen_core::generation::Generated) -> Result<serde_json::Value, ToolError>,
    ) -> ToolResult {
        let (choice, model) = route;
        let request = request.validate()?;
        match super::generate::generate(&self.inner, call, request, choice, model).await? {
            Outcome::InputRequired(input) => Ok(CallToolResponse::InputRequired(input)),
            Outcome::Generated(generated, route_notes) => {
                notes.extend(route_notes);
                self.inner.metrics.record_generation(&generated.route);
                let extra = after(&generated)?;
                let mut data = serde_json::to_value(GenerateOutput {
                    text: &generated.text,
                    model: &generated.model,
                    stop_reason: generated.stop_reason.as_deref(),
                    route: &generated.route,
                    usage: generated.usage.as_ref(),
                    notes: &notes,
                })
                .map_err(|e| ToolError(e.to_string()))?;
                if let (Some(obj), serde_json::Value::Object(more)) = (data.as_object_mut(), extra) {
                    obj.extend(more);
                }
                text_with_data(generated.text.clone(), &data)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One implementation per tool, shared by its name and, with `compat-tool-names`, its old name.

impl LlmGenServer {
    async fn generate_as(
        &self,
        name: &'static str,
        args: JsonObject,
        ctx: RequestContext<RoleServer>,
        input_responses: Option<rmcp::model::InputResponses>,
        request_state: Option<String>,
    ) -> CallToolResponse {
        let outcome = async {
            let parsed = compat::parse::<GenerateParams>(Tool::Generate, name, args.clone())?;
            let p = parsed.params;
            let request = GenerationRequest {
                messages: p.messages,
                system_prompt: p.system_prompt,
                max_tokens: p.max_tokens.unwrap_or(defaults::MAX_TOKENS),
                temperature: p.temperature,
                stop_sequences: p.stop_sequences,
                include_context: p.include_context,
                model_preferences: p.model_preferences,
            };
            let call = Call {
                ctx: &ctx,
                tool: name,
                args: &args,
                input_responses,
                request_state,
            };
            let route = (&p.provider, p.model.as_deref());
            self.run_generation(call, request, route, parsed.notes, |_| {
                Ok(serde_json::Value::Null)
            })
            .await
        };
        finish(outcome.await)
    }

    async fn provider_status_as(
        &self,
        name: &str,
        args: JsonObject,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        let outcome = async {
            let parsed = compat::parse::<ProviderStatusParams>(Tool::ProviderStatus, name, args)?;
            let p = parsed.params;
            let inner = &self.inner;
            let report = inner
                .direct
                .status(&inner.store, p.provider.as_deref(), p.check_reachability)
                .await?;
            let sampling = ctx
                .client_capabilities()
                .is_some_and(|caps| caps.sampling.is_some());
            let auto = if sampling && inner.settings.prefer_sampling {
                "sampling (your client's model)".to_string()
            } else {
                match report.providers.iter().find(|p| p.is_default) {
                    Some(d) if d.key_present || !d.needs_key => format!("provider '{}'", d.name),
                    Some(d) => format!("provider '{}' (not usable: no API key)", d.name),
                    None => "none (no default provider)".to_string(),
                }
            };
            let mut data = serde_json::to_value(&report).map_err(|e| ToolError(e.to_string()))?;
            if let Some(obj) = data.as_object_mut() {
                obj.insert("clientSupportsSampling".into(), sampling.into());
                obj.insert("preferSampling".into(), inner.settings.prefer_sampling.into());
                obj.insert("autoRoute".into(), auto.into());
            }
            compat::noted(&data, &parsed.notes)
        };
        finish(outcome.await)
    }

    fn persona_manage_as(&self, name: &str, args: JsonObject) -> CallToolResponse {
        let result = (|| {
            let parsed = compat::parse::<PersonaManageParams>(Tool::PersonaManage, name, args)?;
            let (p, notes) = (parsed.params, parsed.notes);
            let store = &self.inner.store;
            let action = p.action.as_manage().as_str();
            match p.action.as_manage() {
                ManageAction::List => {
                    let all = personas::list(store)?;
                    match parsed.extras.page {
                        None => compat::noted(&serde_json::json!({ "personas": all }), &notes),
                        Some((offset, limit)) => {
                            let total = all.len();
                            let page: Vec<_> = all
                                .into_iter()
                                .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                                .take(limit as usize)
                                .collect();
                            compat::noted(
                                &serde_json::json!({ "personas": page, "total": total, "offset": offset }),
                                &notes,
                            )
                        }
                    }
                }
                ManageAction::Get => {
                    compat::noted(&personas::get(store, &need(p.name, "name", action)?)?, &notes)
                }
                ManageAction::Add => {
                    let persona = personas::create(
                        store,
                        NewPersona {
                            name: need(p.name, "name", action)?,
                            description: p.description.unwrap_or_default(),
                            system_prompt: need(p.system_prompt, "systemPrompt", action)?,
                            personality: p.personality.unwrap_or_default(),
                            settings: p.settings.unwrap_or_default(),
                        },
                    )?;
                    self.catalog_changed();
                    compat::noted(&persona, &notes)
                }
                ManageAction::Update => {
                    let patch = PersonaPatch {
                        description: p.description,
                        system_prompt: p.system_prompt,
                        personality: p.personality,
                        settings: p.settings,
                    };
                    let persona = personas::update(store, &need(p.name, "name", action)?, patch)?;
                    self.catalog_changed();
                    compat::noted(&persona, &notes)
                }
                ManageAction::Delete => {
                    let name = need(p.name, "name", action)?;
                    personas::delete(store, &name)?;
                    self.catalog_changed();
                    compat::noted(&serde_json::json!({ "deleted": name }), &notes)
                }
                ManageAction::Reset => {
                    let persona = personas::reset(store, &need(p.name, "name", action)?)?;
                    self.catalog_changed();
                    compat::noted(&persona, &notes)
                }
            }
        })();
        finish(result)
    }
}

// ---------------------------------------------------------------------------------------------
// Generation group

#[tool_router(router = generation_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "llm-generate",
        description = "Generate text with an LLM. By default the request goes to the model of your MCP client (MCP sampling), so no API key is needed; clients without sampling use the default direct provider (see provider-status). Give the conversation in messages; set systemPrompt, maxTokens, temperature (0 to 2) and stopSequences as needed; provider and model pick a direct provider and model.",
        input_schema = schema::<GenerateParams>(),
        annotations(title = "Generate text", read_only_hint = true, destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn llm_generate(
        &self,
        args: JsonObject,
        ctx: RequestContext<RoleServer>,
        InputResponses(input_responses): InputResponses,
        RequestState(request_state): RequestState,
    ) -> CallToolResponse {
        self.generate_as("llm-generate", args, ctx, input_responses, request_state)
            .await
    }

    #[tool(
        name = "provider-status",
        description = "Show the direct LLM providers: for each, whether an API key is present (never the key), the default model, usage and budget this month, and warnings; with checkReachability, whether it answers. Also says how provider 'auto' routes for this client.",
        input_schema = schema::<ProviderStatusParams>(),
        annotations(title = "Provider status", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true)
    )]
    async fn provider_status(&self, args: JsonObject, ctx: RequestContext<RoleServer>) -> CallToolResponse {
        self.provider_status_as("provider-status", args, ctx).await
    }
}

// ---------------------------------------------------------------------------------------------
// Old tool names (setting compat-tool-names)

#[tool_router(router = compat_generation_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "external-llm-generate",
        description = "The TypeScript server's name for llm-generate (same input); prefer llm-generate.",
        input_schema = schema::<GenerateParams>(),
        annotations(title = "Generate text (old name)", read_only_hint = true, destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn external_llm_generate(
        &self,
        args: JsonObject,
        ctx: RequestContext<RoleServer>,
        InputResponses(input_responses): InputResponses,
        RequestState(request_state): RequestState,
    ) -> CallToolResponse {
        self.generate_as("external-llm-generate", args, ctx, input_responses, request_state)
            .await
    }

    #[tool(
        name = "external-llm-providers",
        description = "The TypeScript server's name for provider-status (same input); prefer provider-status.",
        input_schema = schema::<ProviderStatusParams>(),
        annotations(title = "Provider status (old name)", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true)
    )]
    async fn external_llm_providers(
        &self,
        args: JsonObject,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        self.provider_status_as("external-llm-providers", args, ctx).await
    }
}

#[tool_router(router = compat_personas_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "personality-preset-manage",
        description = "The TypeScript server's name for persona-manage (same input); prefer persona-manage.",
        input_schema = schema::<PersonaManageParams>(),
        annotations(title = "Manage personas (old name)", read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn personality_preset_manage(&self, args: JsonObject) -> CallToolResponse {
        self.persona_manage_as("personality-preset-manage", args)
    }
}

// ---------------------------------------------------------------------------------------------
// Templates group

#[tool_router(router = templates_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "template-execute",
        description = "Fill a stored prompt template with values and generate a reply with it. See template-manage list for templates and their parameters.",
        input_schema = schema::<TemplateRunParams>(),
        annotations(title = "Run a template", read_only_hint = true, destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn template_execute(
        &self,
        args: JsonObject,
        ctx: RequestContext<RoleServer>,
        InputResponses(input_responses): InputResponses,
        RequestState(request_state): RequestState,
    ) -> CallToolResponse {
        let outcome = async {
            let parsed =
                compat::parse::<TemplateRunParams>(Tool::TemplateRun, "template-execute", args.clone())?;
            let p = parsed.params;
            let template = templates::get(&self.inner.store, &p.name)?;
            let rendered = templates::render(&template, &string_args(p.args))?;
            let request = GenerationRequest {
                messages: vec![ChatMessage {
                    role: ChatRole::User,
                    content: rendered.user_message,
                }],
                system_prompt: Some(rendered.system_prompt),
                max_tokens: p.max_tokens.unwrap_or(defaults::MAX_TOKENS),
                temperature: p.temperature,
                stop_sequences: Vec::new(),
                include_context: parsed.extras.include_context.unwrap_or_default(),
                model_preferences: p.model_preferences,
            };
            let call = Call {
                ctx: &ctx,
                tool: "template-execute",
                args: &args,
                input_responses,
                request_state,
            };
            let name = template.name.clone();
            let route = (&p.provider, p.model.as_deref());
            self.run_generation(call, request, route, parsed.notes, |_| {
                Ok(serde_json::json!({ "template": name }))
            })
            .await
        };
        finish(outcome.await)
    }

    #[tool(
        name = "template-to-params",
        description = "Fill a stored prompt template with values and return the resulting systemPrompt and messages (ready for llm-generate) without generating anything.",
        input_schema = schema::<TemplateRunParams>(),
        annotations(title = "Render a template", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn template_to_params(&self, args: JsonObject) -> CallToolResponse {
        finish((|| {
            let parsed = compat::parse::<TemplateRunParams>(Tool::TemplateRun, "template-to-params", args)?;
            let p = parsed.params;
            let template = templates::get(&self.inner.store, &p.name)?;
            let rendered = templates::render(&template, &string_args(p.args))?;
            let mut out = serde_json::json!({
                "systemPrompt": rendered.system_prompt,
                "messages": [{ "role": "user", "content": rendered.user_message }],
                "maxTokens": p.max_tokens.unwrap_or(defaults::MAX_TOKENS),
                "temperature": p.temperature,
            });
            if let (Some(obj), Some(include)) = (out.as_object_mut(), parsed.extras.include_context) {
                obj.insert(
                    "includeContext".into(),
                    serde_json::to_value(include).unwrap_or_default(),
                );
            }
            compat::noted(&out, &parsed.notes)
        })())
    }

    #[tool(
        name = "template-manage",
        description = "Manage prompt templates: list, get, add, update, delete, or reset a built-in. Placeholders are written {name} and must be declared in parameters (with an optional default).",
        input_schema = schema::<TemplateManageParams>(),
        annotations(title = "Manage templates", read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn template_manage(&self, args: JsonObject) -> CallToolResponse {
        let result = (|| {
            let parsed =
                compat::parse::<TemplateManageParams>(Tool::TemplateManage, "template-manage", args)?;
            let (p, notes) = (parsed.params, parsed.notes);
            let store = &self.inner.store;
            let action = p.action.as_str();
            match p.action {
                ManageAction::List => compat::noted(
                    &serde_json::json!({ "templates": templates::list(store)? }),
                    &notes,
                ),
                ManageAction::Get => {
                    compat::noted(&templates::get(store, &need(p.name, "name", action)?)?, &notes)
                }
                ManageAction::Add => {
                    let t = templates::add(
                        store,
                        NewTemplate {
                            name: need(p.name, "name", action)?,
                            description: p.description.unwrap_or_default(),
                            system_prompt: p.system_prompt.unwrap_or_default(),
                            user_message: need(p.user_message, "userMessage", action)?,
                            parameters: p.parameters.unwrap_or_default(),
                        },
                    )?;
                    self.catalog_changed();
                    compat::noted(&t, &notes)
                }
                ManageAction::Update => {
                    let patch = TemplatePatch {
                        description: p.description,
                        system_prompt: p.system_prompt,
                        user_message: p.user_message,
                        parameters: p.parameters,
                    };
                    let t = templates::update(store, &need(p.name, "name", action)?, patch)?;
                    self.catalog_changed();
                    compat::noted(&t, &notes)
                }
                ManageAction::Delete => {
                    let name = need(p.name, "name", action)?;
                    templates::delete(store, &name)?;
                    self.catalog_changed();
                    compat::noted(&serde_json::json!({ "deleted": name }), &notes)
                }
                ManageAction::Reset => {
                    let t = templates::reset(store, &need(p.name, "name", action)?)?;
                    self.catalog_changed();
                    compat::noted(&t, &notes)
                }
            }
        })();
        finish(result)
    }
}

// ---------------------------------------------------------------------------------------------
// Personas group

#[tool_router(router = personas_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "persona-manage",
        description = "Manage personas (a system prompt, personality and default settings from which contexts are created): list, get, create, update, delete, or reset a built-in.",
        input_schema = schema::<PersonaManageParams>(),
        annotations(title = "Manage personas", read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn persona_manage(&self, args: JsonObject) -> CallToolResponse {
        self.persona_manage_as("persona-manage", args)
    }
}

// ---------------------------------------------------------------------------------------------
// Contexts group

#[tool_router(router = contexts_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "context-manage",
        description = "Manage contexts: a conversation with its own system prompt, settings, token budget and inactivity expiry, optionally created from a persona. Actions: create, create-from-persona, list (paged), get, update, delete.",
        input_schema = schema::<ContextManageParams>(),
        annotations(title = "Manage contexts", read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn context_manage(&self, args: JsonObject) -> CallToolResponse {
        let result = (|| {
            let parsed = compat::parse::<ContextManageParams>(Tool::ContextManage, "context-manage", args)?;
            let (p, notes) = (parsed.params, parsed.notes);
            let store = &self.inner.store;
            let new = |name: Option<String>| NewContext {
                name: name.unwrap_or_default(),
                system_prompt: p.system_prompt.clone().unwrap_or_default(),
                personality: p.personality.clone().unwrap_or_default(),
                settings: p.settings.clone().unwrap_or_default(),
            };
            match p.action {
                ContextAction::Create => {
                    let name = need(p.name.clone(), "name", "create")?;
                    compat::noted(&contexts::create(store, new(Some(name)))?, &notes)
                }
                ContextAction::CreateFromPersona => {
                    let persona = need(p.persona.clone(), "persona", "create-from-persona")?;
                    compat::noted(
                        &contexts::create_from_persona(store, &persona, new(p.name.clone()))?,
                        &notes,
                    )
                }
                ContextAction::List => match p.query.as_deref() {
                    Some(q) => compat::noted(&contexts::search(store, q, p.offset, p.limit)?, &notes),
                    None => compat::noted(&contexts::list(store, p.offset, p.limit)?, &notes),
                },
                ContextAction::Get => compat::noted(
                    &contexts::get(store, &need(p.context_id, "contextId", "get")?)?,
                    &notes,
                ),
                ContextAction::Update => {
                    let patch = ContextPatch {
                        name: p.name,
                        system_prompt: p.system_prompt,
                        personality: p.personality,
                        settings: p.settings,
                    };
                    compat::noted(
                        &contexts::update(store, &need(p.context_id, "contextId", "update")?, patch)?,
                        &notes,
                    )
                }
                ContextAction::Delete => {
                    let id = need(p.context_id, "contextId", "delete")?;
                    contexts::delete(store, &id)?;
                    compat::noted(&serde_json::json!({ "deleted": id }), &notes)
                }
            }
        })();
        finish(result)
    }

    #[tool(
        name = "context-chat",
        description = "Send a message in a context and get the reply. The context's history is replayed within its token budget (whole turns, newest first); the message and the reply are stored together only when generation succeeds.",
        input_schema = schema::<ContextChatParams>(),
        annotations(title = "Chat in a context", read_only_hint = false, destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn context_chat(
        &self,
        args: JsonObject,
        ctx: RequestContext<RoleServer>,
        InputResponses(input_responses): InputResponses,
        RequestState(request_state): RequestState,
    ) -> CallToolResponse {
        let outcome = async {
            let parsed = compat::parse::<ContextChatParams>(Tool::ContextChat, "context-chat", args.clone())?;
            let p = parsed.params;
            let store = &self.inner.store;
            let personality = match parsed.extras.keep_personality {
                Some(false) => chat::Personality::Leave,
                _ => chat::Personality::Keep,
            };
            let plan = chat::prepare_with(store, &p.context_id, &p.message, personality)?;
            let call = Call {
                ctx: &ctx,
                tool: "context-chat",
                args: &args,
                input_responses,
                request_state,
            };
            let omitted = plan.omitted_messages;
            let route = (&p.provider, p.model.as_deref());
            self.run_generation(call, plan.request, route, parsed.notes, |generated| {
                chat::record_exchange(store, &p.context_id, &p.message, generated)?;
                Ok(serde_json::json!({ "contextId": p.context_id, "omittedMessages": omitted }))
            })
            .await
        };
        finish(outcome.await)
    }

    #[tool(
        name = "conversation-manage",
        description = "Manage the stored conversation of one context: list (paged), delete a message, clear, or export as markdown or json. Every action is limited to the given contextId.",
        input_schema = schema::<ConversationManageParams>(),
        annotations(title = "Manage a conversation", read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn conversation_manage(&self, args: JsonObject) -> CallToolResponse {
        let result = (|| {
            let parsed = compat::parse::<ConversationManageParams>(
                Tool::ConversationManage,
                "conversation-manage",
                args,
            )?;
            let (p, extras, notes) = (parsed.params, parsed.extras, parsed.notes);
            let store = &self.inner.store;
            let context_id = &p.context_id;
            match p.action {
                ConversationAction::List => {
                    let order = match extras.newest_first {
                        Some(true) => MessageOrder::NewestFirst,
                        _ => MessageOrder::OldestFirst,
                    };
                    let page = contexts::messages_in_order(store, context_id, p.offset, p.limit, order)?;
                    compat::noted(&page, &notes)
                }
                ConversationAction::Delete => {
                    if let Some(id) = p.message_id {
                        contexts::delete_message(store, context_id, id)?;
                        return compat::noted(
                            &serde_json::json!({ "deleted": id, "contextId": context_id }),
                            &notes,
                        );
                    }
                    let deleted = match (extras.message_ids, extras.older_than) {
                        (Some(ids), _) => contexts::delete_messages(store, context_id, &ids)?,
                        (None, Some(before)) => contexts::delete_messages_before(store, context_id, &before)?,
                        (None, None) => {
                            return Err(ToolError::new(
                                "Action 'delete' needs 'messageId' (conversation-manage list shows the ids). Add it and call again.",
                            ));
                        }
                    };
                    compat::noted(
                        &serde_json::json!({ "deletedCount": deleted, "contextId": context_id }),
                        &notes,
                    )
                }
                ConversationAction::Clear => {
                    let n = contexts::clear(store, context_id)?;
                    compat::noted(
                        &serde_json::json!({ "cleared": n, "contextId": context_id }),
                        &notes,
                    )
                }
                ConversationAction::Export => {
                    let text = contexts::export(store, context_id, p.format)?;
                    let mut data =
                        serde_json::json!({ "contextId": context_id, "format": p.format, "export": text });
                    if let (Some(obj), false) = (data.as_object_mut(), notes.is_empty()) {
                        obj.insert("notes".into(), notes.into());
                    }
                    text_with_data(text, &data)
                }
            }
        })();
        finish(result)
    }
}
