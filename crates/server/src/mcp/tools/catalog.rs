//! The templates and personas groups: template-execute, template-to-params, template-manage,
//! persona-manage (and its TypeScript-server name).

use llmgen_core::{
    catalog::{
        self,
        personas::{NewPersona, Persona, PersonaPatch},
        templates::{self, NewTemplate, Template, TemplatePatch},
    },
    generation::{ChatMessage, ChatRole, GenerationRequest, defaults},
};
use rmcp::{
    handler::server::tool::{InputResponses, RequestState},
    model::{CallToolResponse, JsonObject},
    service::{RequestContext, RoleServer},
    tool, tool_router,
};

use super::super::{
    LlmGenServer,
    args::{finish, need, schema},
    compat::{self, Tool},
    generate::Call,
};
use super::*;

impl LlmGenServer {
    fn persona_manage_as(&self, name: &str, args: JsonObject) -> CallToolResponse {
        let result = (|| {
            let parsed = compat::parse::<PersonaManageParams>(Tool::PersonaManage, name, args)?;
            let (p, notes) = (parsed.params, parsed.notes);
            let store = &self.inner.store;
            let action = p.action.as_manage().as_str();
            match p.action.as_manage() {
                ManageAction::List => {
                    let all = catalog::list::<Persona>(store)?;
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
                ManageAction::Get => compat::noted(
                    &catalog::get::<Persona>(store, &need(p.name, "name", action)?)?,
                    &notes,
                ),
                ManageAction::Add => {
                    let persona = catalog::add::<Persona>(
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
                    let persona = catalog::update::<Persona>(store, &need(p.name, "name", action)?, patch)?;
                    self.catalog_changed();
                    compat::noted(&persona, &notes)
                }
                ManageAction::Delete => {
                    let name = need(p.name, "name", action)?;
                    catalog::delete::<Persona>(store, &name)?;
                    self.catalog_changed();
                    compat::noted(&serde_json::json!({ "deleted": name }), &notes)
                }
                ManageAction::Reset => {
                    let persona = catalog::reset::<Persona>(store, &need(p.name, "name", action)?)?;
                    self.catalog_changed();
                    compat::noted(&persona, &notes)
                }
            }
        })();
        finish(result)
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
            let template: Template = catalog::get(&self.inner.store, &p.name)?;
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
                    &serde_json::json!({ "templates": catalog::list::<Template>(store)? }),
                    &notes,
                ),
                ManageAction::Get => compat::noted(
                    &catalog::get::<Template>(store, &need(p.name, "name", action)?)?,
                    &notes,
                ),
                ManageAction::Add => {
                    let t = catalog::add::<Template>(
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
                    let t = catalog::update::<Template>(store, &need(p.name, "name", action)?, patch)?;
                    self.catalog_changed();
                    compat::noted(&t, &notes)
                }
                ManageAction::Delete => {
                    let name = need(p.name, "name", action)?;
                    catalog::delete::<Template>(store, &name)?;
                    self.catalog_changed();
                    compat::noted(&serde_json::json!({ "deleted": name }), &notes)
                }
                ManageAction::Reset => {
                    let t = catalog::reset::<Template>(store, &need(p.name, "name", action)?)?;
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
