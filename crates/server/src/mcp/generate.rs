//! Generation through MCP sampling, on both protocol eras:
//! - sessions that began with `initialize`: a `sampling/createMessage` request to the client,
//!   with progress notifications while waiting and prompt cancellation;
//! - 2026-07-28 sessions (no server-to-client requests): an `input_required` result asking the
//!   client to sample, and the answer read from `inputResponses` when the client retries.
//!
//! The capability check happens before anything is asked, and a declined request never falls
//! back to another route. The other route, a direct provider, is served by llmgen-core.

// rmcp marks the sampling types deprecated (SEP-2577 plans to remove sampling from a later spec);
// they are the protocol both eras use today, and generation through the client's model is the
// heart of this product.
#![allow(deprecated)]

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    sync::Mutex,
    time::{Duration, Instant},
};

use llmgen_core::{
    generation::providers,
    generation::{
        ChatRole, Generated, GenerationRequest, IncludeContext, ProviderChoice, Route, choose_route,
        needs_default_provider,
    },
};
use rmcp::{
    model::{
        ClientCapabilities, ClientResult, ContextInclusion, CreateMessageRequest, CreateMessageRequestParams,
        CreateMessageResult, InputRequest, InputRequests, InputRequiredResult, InputResponses, JsonObject,
        ModelHint, ModelPreferences, ProgressNotificationParam, ProtocolVersion, Role, SamplingMessage,
        ServerRequest,
    },
    service::{PeerRequestOptions, RequestContext, RoleServer},
};

use super::args::ToolError;

/// Key of our one sampling request inside `inputRequests` / `inputResponses`.
const INPUT_KEY: &str = "generate";
/// How often a waiting generation reports progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);
/// How long a 2026-07-28 client may take to come back with the sampled answer.
const PENDING_TTL: Duration = Duration::from_secs(60 * 60);
/// Upper bound of outstanding input-required requests kept in memory.
const PENDING_MAX: usize = 1024;

/// What a generation step produced.
pub enum Outcome {
    Generated(Generated, Vec<String>),
    /// The client must sample and call again (2026-07-28 sessions).
    InputRequired(InputRequiredResult),
}

/// One tool call's view of the session, for generation.
pub struct Call<'a> {
    pub ctx: &'a RequestContext<RoleServer>,
    pub tool: &'static str,
    pub args: &'a JsonObject,
    pub input_responses: Option<InputResponses>,
    pub request_state: Option<String>,
    /// The delegation this call runs (task-delegate), kept with a 2026-07-28 pending handle so
    /// that the retry completes the same record (see [`PendingRequests::delegation`]).
    pub delegation: Option<i64>,
}

struct Pending {
    tool: &'static str,
    fingerprint: u64,
    created: Instant,
    delegation: Option<i64>,
}

/// Outstanding input-required requests: `requestState` is only an opaque handle into this map,
/// so an echoed state cannot claim anything, and each answer is used once (a replayed retry of
/// `context-chat` cannot store the exchange twice).
#[derive(Default)]
pub struct PendingRequests(Mutex<HashMap<String, Pending>>);

impl PendingRequests {
    fn insert(&self, tool: &'static str, fingerprint: u64, delegation: Option<i64>) -> String {
        let handle = uuid::Uuid::new_v4().to_string();
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, p| p.created.elapsed() < PENDING_TTL);
        if map.len() >= PENDING_MAX
            && let Some(oldest) = map.iter().min_by_key(|(_, p)| p.created).map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            handle.clone(),
            Pending {
                tool,
                fingerprint,
                created: Instant::now(),
                delegation,
            },
        );
        handle
    }

    fn take(&self, handle: &str, tool: &'static str, fingerprint: u64) -> Result<(), ToolError> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let checked = matching(map.get(handle), tool, fingerprint).map(|_| ());
        map.remove(handle);
        checked
    }

    /// The delegation a retried call continues, without using its handle up (the generation
    /// does that): the id kept with the handle, when the handle is known and the retry is the
    /// same call (tool and arguments). An echoed handle can claim no other record.
    pub fn delegation(
        &self,
        handle: &str,
        tool: &'static str,
        args: &JsonObject,
    ) -> Result<Option<i64>, ToolError> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        Ok(matching(map.get(handle), tool, fingerprint(args))?.delegation)
    }

    /// Forgets a handle whose retry will not generate (its delegation was cancelled meanwhile).
    pub fn discard(&self, handle: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(handle);
    }
}

/// `pending` if it is the request a retry of `tool` with these arguments' `fingerprint` answers.
fn matching<'a>(
    pending: Option<&'a Pending>,
    tool: &'static str,
    fingerprint: u64,
) -> Result<&'a Pending, ToolError> {
    match pending {
        Some(p) if p.tool == tool && p.fingerprint == fingerprint && p.created.elapsed() < PENDING_TTL => {
            Ok(p)
        }
        Some(_) => Err(ToolError::new(
            "The retried call does not match the original request (different tool or arguments). Call the tool again from the start.",
        )),
        None => Err(ToolError::new(
            "This generation request is unknown, expired or already completed. Call the tool again without inputResponses.",
        )),
    }
}

fn fingerprint(args: &JsonObject) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    // serde_json's map is ordered by key, so equal arguments give equal text.
    serde_json::Value::Object(args.clone())
        .to_string()
        .hash(&mut hasher);
    hasher.finish()
}

fn is_modern(ctx: &RequestContext<RoleServer>) -> bool {
    ctx.protocol_version()
        .is_some_and(|v| v.as_str() >= ProtocolVersion::V_2026_07_28.as_str())
}

/// Serves a generation request on the route the rule picks. `model` names a provider model;
/// on the sampling route it becomes the first model hint (the client chooses its model).
pub async fn generate(
    inner: &super::Inner,
    call: Call<'_>,
    request: GenerationRequest,
    choice: &ProviderChoice,
    model: Option<&str>,
) -> Result<Outcome, ToolError> {
    let route = route_for(inner, call.ctx, choice).await?;
    generate_on(inner, call, request, route, model).await
}

/// The route a generation for this call takes (the routing rule, over the client's
/// capabilities and the settings).
pub async fn route_for(
    inner: &super::Inner,
    ctx: &RequestContext<RoleServer>,
    choice: &ProviderChoice,
) -> Result<Route, ToolError> {
    let sampling = ctx
        .client_capabilities()
        .is_some_and(|caps| caps.sampling.is_some());
    let prefer = inner.settings.prefer_sampling;
    // Only read the keychain when the default provider's usability decides the route.
    let default = if needs_default_provider(choice, sampling, prefer) {
        inner.direct.default_for_routing(&inner.store).await?
    } else {
        None
    };
    let is_configured = |name: &str| matches!(providers::find(&inner.store, name), Ok(Some(_)));
    Ok(choose_route(choice, sampling, prefer, is_configured, default)?)
}

/// Whether generating on `route` first hands the request back to the client (2026-07-28
/// sampling: input_required, answered by a retry of the call) instead of generating within it.
pub fn asks_client_first(ctx: &RequestContext<RoleServer>, route: &Route) -> bool {
    *route == Route::Sampling && is_modern(ctx)
}

/// [`generate`] on a route already chosen by [`route_for`].
pub async fn generate_on(
    inner: &super::Inner,
    call: Call<'_>,
    mut request: GenerationRequest,
    route: Route,
    model: Option<&str>,
) -> Result<Outcome, ToolError> {
    // A model name travels to the client or the provider: it is a name, not a text.
    if let Some(model) = model {
        llmgen_core::limits::check(call.tool, "model", model, llmgen_core::limits::NAME_CHARS)?;
    }
    let caps = call.ctx.client_capabilities().unwrap_or_default();
    match route {
        Route::Sampling => {
            if let Some(model) = model.map(str::trim).filter(|m| !m.is_empty()) {
                request
                    .model_preferences
                    .get_or_insert_with(Default::default)
                    .hints
                    .insert(0, model.to_string());
            }
            sample(&inner.pending, call, request, &caps).await
        }
        Route::Provider(name) => {
            let work = inner.direct.generate(&inner.store, &name, model, &request);
            tokio::pin!(work);
            let progress_token = call.ctx.meta.get_progress_token();
            // Progress counts the ticks' scheduled times, not the clock when one is handled: a
            // late tick must not repeat a value (the spec wants each notification to increase).
            let started = tokio::time::Instant::now();
            let mut ticker = tokio::time::interval_at(started + PROGRESS_EVERY, PROGRESS_EVERY);
            loop {
                tokio::select! {
                    result = &mut work => {
                        let (generated, notes) = result?;
                        return Ok(Outcome::Generated(generated, notes));
                    }
                    () = call.ctx.ct.cancelled() => {
                        return Err(ToolError::new("Generation cancelled. Nothing was stored."));
                    }
                    // Provider calls can take a minute; progress keeps clients from timing out.
                    at = ticker.tick(), if progress_token.is_some() => {
                        if let Some(token) = progress_token.clone() {
                            let secs = (at - started).as_secs_f64().round();
                            let note = ProgressNotificationParam::new(token, secs)
                                .with_message(format!("Waiting for provider '{name}' ({secs:.0} s)"));
                            if let Err(e) = call.ctx.peer.notify_progress(note).await {
                                tracing::debug!("progress notification failed: {e}");
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn sample(
    pending: &PendingRequests,
    call: Call<'_>,
    request: GenerationRequest,
    caps: &ClientCapabilities,
) -> Result<Outcome, ToolError> {
    let mut notes = Vec::new();
    let params = sampling_params(request, caps, &mut notes);
    if is_modern(call.ctx) {
        let fp = fingerprint(call.args);
        match (call.input_responses, call.request_state) {
            (Some(responses), Some(state)) => {
                pending.take(&state, call.tool, fp)?;
                let answer = responses.get(INPUT_KEY).ok_or_else(|| {
                    ToolError::new(
                        "The client retried without an answer to the sampling request. Call the tool again.",
                    )
                })?;
                let result: CreateMessageResult = serde_json::from_value(answer.clone()).map_err(|_| {
                    ToolError::new(
                        "The client did not return a model reply (the sampling request may have been declined). Nothing was stored.",
                    )
                })?;
                Ok(Outcome::Generated(generated(result)?, notes))
            }
            (Some(_), None) => Err(ToolError::new(
                "inputResponses came without the requestState of the original call. Call the tool again.",
            )),
            (None, _) => {
                let handle = pending.insert(call.tool, fp, call.delegation);
                let mut requests = InputRequests::new();
                requests.insert(
                    INPUT_KEY.into(),
                    InputRequest::CreateMessage(CreateMessageRequest::new(params)),
                );
                Ok(Outcome::InputRequired(InputRequiredResult::new(
                    Some(requests),
                    Some(handle),
                )))
            }
        }
    } else {
        let result = request_sampling(call.ctx, params).await?;
        Ok(Outcome::Generated(generated(result)?, notes))
    }
}

/// Sends `sampling/createMessage` and waits, reporting progress and honouring cancellation.
async fn request_sampling(
    ctx: &RequestContext<RoleServer>,
    params: CreateMessageRequestParams,
) -> Result<CreateMessageResult, ToolError> {
    let request = ServerRequest::CreateMessageRequest(CreateMessageRequest::new(params));
    let mut handle = ctx
        .peer
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .map_err(|e| ToolError(format!("Could not send the sampling request to the client: {e}.")))?;
    let progress_token = ctx.meta.get_progress_token();
    // Scheduled tick times, so each notification's value is higher than the last (see above).
    let started = tokio::time::Instant::now();
    let mut ticker = tokio::time::interval_at(started + PROGRESS_EVERY, PROGRESS_EVERY);
    let response = loop {
        tokio::select! {
            response = &mut handle.rx => break response,
            () = ctx.ct.cancelled() => {
                // Tell the client to stop its model too, then give up at once.
                if let Err(e) = handle.cancel(Some("the tool call was cancelled".into())).await {
                    tracing::debug!("could not forward cancellation to the client: {e}");
                }
                return Err(ToolError::new("Generation cancelled. Nothing was stored."));
            }
            at = ticker.tick(), if progress_token.is_some() => {
                if let Some(token) = progress_token.clone() {
                    let secs = (at - started).as_secs_f64().round();
                    let note = ProgressNotificationParam::new(token, secs)
                        .with_message(format!("Waiting for the client's model ({secs:.0} s)"));
                    if let Err(e) = ctx.peer.notify_progress(note).await {
                        tracing::debug!("progress notification failed: {e}");
                    }
                }
            }
        }
    };
    match response {
        Ok(Ok(ClientResult::CreateMessageResult(result))) => Ok(*result),
        Ok(Ok(_)) => Err(ToolError::new(
            "The client answered the sampling request with something else than a model reply.",
        )),
        Ok(Err(e)) => Err(ToolError(format!(
            "The client did not generate a reply: {e}. If you declined the request, nothing was stored and nothing else was tried."
        ))),
        Err(_) => Err(ToolError::new(
            "The connection to the client closed while waiting for the model.",
        )),
    }
}

fn sampling_params(
    request: GenerationRequest,
    caps: &ClientCapabilities,
    notes: &mut Vec<String>,
) -> CreateMessageRequestParams {
    let messages = request
        .messages
        .into_iter()
        .map(|m| match m.role {
            ChatRole::User => SamplingMessage::user_text(m.content),
            ChatRole::Assistant => SamplingMessage::assistant_text(m.content),
        })
        .collect();
    let mut params = CreateMessageRequestParams::new(messages, request.max_tokens);
    if let Some(system) = request.system_prompt.filter(|s| !s.is_empty()) {
        params = params.with_system_prompt(system);
    }
    if let Some(t) = request.temperature {
        params = params.with_temperature(t as f32);
    }
    if !request.stop_sequences.is_empty() {
        params = params.with_stop_sequences(request.stop_sequences);
    }
    if let Some(prefs) = request.model_preferences {
        let mut p = ModelPreferences::new();
        if !prefs.hints.is_empty() {
            p = p.with_hints(prefs.hints.into_iter().map(ModelHint::new).collect());
        }
        if let Some(v) = prefs.cost_priority {
            p = p.with_cost_priority(v as f32);
        }
        if let Some(v) = prefs.speed_priority {
            p = p.with_speed_priority(v as f32);
        }
        if let Some(v) = prefs.intelligence_priority {
            p = p.with_intelligence_priority(v as f32);
        }
        params = params.with_model_preferences(p);
    }
    let context_supported = caps.sampling.as_ref().is_some_and(|s| s.context.is_some());
    match request.include_context {
        IncludeContext::None => {}
        requested if !context_supported => notes.push(format!(
            "includeContext '{}' was not sent: the client does not declare sampling.context support.",
            match requested {
                IncludeContext::ThisServer => "thisServer",
                _ => "allServers",
            }
        )),
        IncludeContext::ThisServer => params = params.with_include_context(ContextInclusion::ThisServer),
        IncludeContext::AllServers => params = params.with_include_context(ContextInclusion::AllServers),
    }
    params
}

fn generated(result: CreateMessageResult) -> Result<Generated, ToolError> {
    let text: String = result
        .message
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.as_str()))
        .collect::<Vec<_>>()
        .join("\n");
    if text.is_empty() {
        return Err(ToolError::new(
            "The client's model returned no text. Nothing was stored; try again.",
        ));
    }
    if result.message.role != Role::Assistant {
        tracing::warn!("sampling reply came with role {:?}", result.message.role);
    }
    Ok(Generated {
        text,
        model: result.model,
        stop_reason: result.stop_reason,
        route: "sampling".into(),
        usage: None,
    })
}
