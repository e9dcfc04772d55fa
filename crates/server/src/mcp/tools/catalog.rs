//! The templates and personas groups: template-execute, template-to-params, template-manage,
//! persona-manage (and its TypeScript-server name).

use std::any::Any;

use llmgen_core::{
    Store,
    catalog::{
        self, CatalogItem,
        personas::{NewPersona, Persona, PersonaPatch},
        templates::{self, NewTemplate, Template, TemplatePatch},
    },
    generation::{ChatMessage, ChatRole, GenerationRequest, defaults},
    team,
};
use rmcp::{
    handler::server::tool::{InputResponses, RequestState},
    model::{CallToolResponse, JsonObject},
    service::{RequestContext, RoleServer},
    tool, tool_router,
};

use schemars::JsonSchema;
use serde::{Serialize, de::DeserializeOwned};

use super::super::{
    LlmGenServer,
    args::{ToolError, encode, finish, need, schema},
    compat::{self, Tool},
    generate::Call,
};
use super::*;

/// The parameters of a manage tool for one catalog kind: what [`LlmGenServer::manage`] needs
/// beyond the catalog. Each kind keeps its own parameter type, so its published schema stays its
/// own (personas say "create", templates "add").
trait ManageParams: DeserializeOwned + JsonSchema + Any {
    type Item: CatalogItem + Serialize;
    /// Which calls of the TypeScript server are mapped onto these parameters.
    const TOOL: Tool;
    /// The key of the items in `list`'s result.
    const LIST_KEY: &'static str;
    /// The kind's own word for adding one, as its schema publishes it (named in errors).
    const ADD_VERB: &'static str = "add";

    fn action(&self) -> ManageAction;
    fn take_name(&mut self) -> Option<String>;
    /// The item to add, named `name`; `action` is named when a required field is missing.
    fn into_new(self, name: String, action: &str) -> Result<New<Self>, ToolError>;
    fn into_patch(self) -> <Self::Item as CatalogItem>::Patch;
    /// What `get` answers: the item as stored.
    fn view(store: &Store, name: &str) -> Result<serde_json::Value, ToolError> {
        encode(&catalog::get::<Self::Item>(store, name)?)
    }
}

type New<P> = <<P as ManageParams>::Item as CatalogItem>::New;

impl ManageParams for TemplateManageParams {
    type Item = Template;
    const TOOL: Tool = Tool::TemplateManage;
    const LIST_KEY: &'static str = "templates";

    fn action(&self) -> ManageAction {
        self.action
    }
    fn take_name(&mut self) -> Option<String> {
        self.name.take()
    }
    fn into_new(self, name: String, action: &str) -> Result<NewTemplate, ToolError> {
        Ok(NewTemplate {
            name,
            description: self.description.unwrap_or_default(),
            system_prompt: self.system_prompt.unwrap_or_default(),
            user_message: need(self.user_message, "userMessage", action)?,
            parameters: self.parameters.unwrap_or_default(),
        })
    }
    fn into_patch(self) -> TemplatePatch {
        TemplatePatch {
            description: self.description,
            system_prompt: self.system_prompt,
            user_message: self.user_message,
            parameters: self.parameters,
        }
    }
}

impl ManageParams for PersonaManageParams {
    type Item = Persona;
    const TOOL: Tool = Tool::PersonaManage;
    const LIST_KEY: &'static str = "personas";
    const ADD_VERB: &'static str = "create";

    fn action(&self) -> ManageAction {
        self.action.as_manage()
    }
    fn take_name(&mut self) -> Option<String> {
        self.name.take()
    }
    fn into_new(self, name: String, action: &str) -> Result<NewPersona, ToolError> {
        Ok(NewPersona {
            name,
            description: self.description.unwrap_or_default(),
            system_prompt: need(self.system_prompt, "systemPrompt", action)?,
            personality: self.personality.unwrap_or_default(),
            settings: self.settings.unwrap_or_default(),
            // On create, "" (no parent) and leaving it out mean the same: a root.
            parent: self.parent.filter(|p| !p.trim().is_empty()),
            role: self.role.unwrap_or_default(),
            expertise: self.expertise.unwrap_or_default(),
            restrictions: self.restrictions.unwrap_or_default(),
        })
    }
    fn into_patch(self) -> PersonaPatch {
        PersonaPatch {
            description: self.description,
            system_prompt: self.system_prompt,
            personality: self.personality,
            settings: self.settings,
            parent: self.parent,
            role: self.role,
            expertise: self.expertise,
            restrictions: self.restrictions,
        }
    }
    /// A persona with its place in the team: own values and the effective ones (its
    /// ancestors' restrictions appended to its prompt), its ancestors and its children.
    fn view(store: &Store, name: &str) -> Result<serde_json::Value, ToolError> {
        encode(&team::view(store, name)?)
    }
}

impl LlmGenServer {
    /// A manage tool of the catalog, called as `tool_name`: list (a page of it when the old
    /// server's paging asked for one), get, add, update, delete or reset.
    fn manage<P: ManageParams>(&self, tool_name: &str, args: JsonObject) -> CallToolResponse {
        let result = (|| {
            let parsed = compat::parse::<P>(P::TOOL, tool_name, args)?;
            let (mut p, notes) = (parsed.params, parsed.notes);
            let store = &self.inner.store;
            let action = p.action();
            let verb = match action {
                ManageAction::Add => P::ADD_VERB,
                other => other.as_str(),
            };
            let name = p.take_name();
            // Every action but list needs a name; only one arm asks for it.
            let named = move || need(name, "name", verb);
            let answer = match action {
                ManageAction::List => {
                    let all = catalog::list::<P::Item>(store)?;
                    return compat::noted(&listed(P::LIST_KEY, all, parsed.extras.page)?, &notes);
                }
                ManageAction::Get => return compat::noted(&P::view(store, &named()?)?, &notes),
                ManageAction::Add => {
                    let new = p.into_new(named()?, verb)?;
                    encode(&catalog::add::<P::Item>(store, new)?)?
                }
                ManageAction::Update => {
                    let name = named()?;
                    encode(&catalog::update::<P::Item>(store, &name, p.into_patch())?)?
                }
                ManageAction::Delete => {
                    let name = named()?;
                    catalog::delete::<P::Item>(store, &name)?;
                    serde_json::json!({ "deleted": name })
                }
                ManageAction::Reset => encode(&catalog::reset::<P::Item>(store, &named()?)?)?,
            };
            self.catalog_changed();
            compat::noted(&answer, &notes)
        })();
        finish(result)
    }
}

/// `list`'s result: every item under `key`, or one page of them with the total and the offset.
fn listed(
    key: &str,
    all: Vec<impl Serialize>,
    page: Option<(u64, u32)>,
) -> Result<serde_json::Map<String, serde_json::Value>, ToolError> {
    let mut out = serde_json::Map::new();
    let Some((offset, limit)) = page else {
        out.insert(key.into(), encode(&all)?);
        return Ok(out);
    };
    let total = all.len();
    let page: Vec<_> = all
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(limit as usize)
        .collect();
    out.insert(key.into(), encode(&page)?);
    out.insert("total".into(), total.into());
    out.insert("offset".into(), offset.into());
    Ok(out)
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
        self.manage::<PersonaManageParams>("personality-preset-manage", args)
    }
}

// ---------------------------------------------------------------------------------------------
// Templates group

#[tool_router(router = templates_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "template-execute",
        description = "Fill a stored prompt template with values and generate a reply with it.",
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
            let TemplateRunParams {
                template: t,
                model_preferences,
                provider,
                model,
            } = parsed.params;
            let template: Template = catalog::get(&self.inner.store, &t.name)?;
            let rendered = templates::render(&template, &string_args(t.args))?;
            let request = GenerationRequest {
                messages: vec![ChatMessage {
                    role: ChatRole::User,
                    content: rendered.user_message,
                }],
                system_prompt: Some(rendered.system_prompt),
                max_tokens: t.max_tokens.unwrap_or(defaults::MAX_TOKENS),
                temperature: t.temperature,
                stop_sequences: Vec::new(),
                include_context: parsed.extras.include_context.unwrap_or_default(),
                model_preferences,
            };
            let call = Call {
                ctx: &ctx,
                tool: "template-execute",
                args: &args,
                input_responses,
                request_state,
                delegation: None,
            };
            let name = template.name.clone();
            let route = (&provider, model.as_deref());
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
        input_schema = schema::<TemplateRenderParams>(),
        annotations(title = "Render a template", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn template_to_params(&self, args: JsonObject) -> CallToolResponse {
        finish((|| {
            let parsed =
                compat::parse::<TemplateRenderParams>(Tool::TemplateRun, "template-to-params", args)?;
            let p = parsed.params;
            let template: Template = catalog::get(&self.inner.store, &p.name)?;
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
        description = "Manage prompt templates. Placeholders are written {name} and must be declared in parameters (with an optional default).",
        input_schema = schema::<TemplateManageParams>(),
        annotations(title = "Manage templates", read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn template_manage(&self, args: JsonObject) -> CallToolResponse {
        self.manage::<TemplateManageParams>("template-manage", args)
    }
}

// ---------------------------------------------------------------------------------------------
// Personas group

#[tool_router(router = personas_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "persona-manage",
        description = "Manage personas: a system prompt, personality and default settings from which contexts are created. Personas form a team; get shows inherited rules.",
        input_schema = schema::<PersonaManageParams>(),
        annotations(title = "Manage personas", read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn persona_manage(&self, args: JsonObject) -> CallToolResponse {
        self.manage::<PersonaManageParams>("persona-manage", args)
    }
}
