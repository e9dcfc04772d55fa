//! The generation group: llm-generate and provider-status, and their TypeScript-server names.

use llmgen_core::generation::{
    GenerationRequest, ProviderChoice, defaults, describe_auto_route, needs_default_provider,
};
use rmcp::{
    handler::server::tool::{InputResponses, RequestState},
    model::{CallToolResponse, JsonObject},
    service::{RequestContext, RoleServer},
    tool, tool_router,
};

use super::super::{
    LlmGenServer,
    args::{ToolError, finish, schema},
    compat::{self, Tool},
    generate::Call,
};
use super::*;

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
                delegation: None,
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
            let prefer = inner.settings.prefer_sampling;
            // The same rule as a real call: the default provider's keychain entry is only read
            // when it decides the route.
            let default = if needs_default_provider(&ProviderChoice::Auto, sampling, prefer) {
                inner.direct.default_for_routing(&inner.store).await?
            } else {
                None
            };
            let auto = describe_auto_route(sampling, prefer, default);
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
}

// ---------------------------------------------------------------------------------------------
// Generation group

#[tool_router(router = generation_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "llm-generate",
        description = "Generate text with an LLM: by default your MCP client's own model (no API key needed), else a direct provider (see provider).",
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
        description = "The direct LLM providers: whether each has an API key (never shown), its default model, this month's usage and budget, warnings; and where provider 'auto' goes for this client.",
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
