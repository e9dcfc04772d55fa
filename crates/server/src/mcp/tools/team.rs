//! The team group: task-delegate (a task given to a persona, named or chosen by expertise, and
//! run as it within the call through the same generation route as llm-generate) and
//! task-manage (list, get, cancel), thin adapters over `llmgen_core::team::delegation`.
//!
//! A delegation's record follows the call: pending when started (and while a 2026-07-28 client
//! is asked to sample), running while the model works, then done, failed or cancelled. The
//! running call polls the record, so a `task-manage cancel` from any process stops it.

use std::time::Duration;

use llmgen_core::{
    conversation::chat,
    generation::{GenerationRequest, Route},
    team::{
        Actor, Target,
        delegation::{self, Delegation, DelegationFilter, DelegationRequest},
    },
};
use rmcp::{
    handler::server::tool::{InputResponses, RequestState},
    model::{CallToolResponse, JsonObject, ProgressNotificationParam},
    service::{RequestContext, RoleServer},
    tool, tool_router,
};

use super::super::{
    LlmGenServer,
    args::{ToolError, ToolResult, encode, finish, need, schema, text_with_data},
    compat::{self, Tool},
    generate::{self, Call, Outcome},
};
use super::*;

const DELEGATE: &str = "task-delegate";
/// How often a running delegation looks whether it was cancelled (by task-manage, from any
/// process): a cancel is noticed within about this long.
const CANCEL_POLL: Duration = Duration::from_millis(250);

#[tool_router(router = team_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "task-delegate",
        description = "Run a task as a team persona (named, or the best match for the expertise), with its inherited rules, in a context of its own; returns the reply and the record (who and why).",
        input_schema = schema::<TaskDelegateParams>(),
        annotations(title = "Delegate a task", read_only_hint = false, destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    async fn task_delegate(
        &self,
        args: JsonObject,
        ctx: RequestContext<RoleServer>,
        InputResponses(input_responses): InputResponses,
        RequestState(request_state): RequestState,
    ) -> CallToolResponse {
        finish(self.delegate(args, ctx, input_responses, request_state).await)
    }

    #[tool(
        name = "task-manage",
        description = "Delegated tasks: list them (newest first), get one, or cancel a pending or running one (the running call stops and stores nothing).",
        input_schema = schema::<TaskManageParams>(),
        annotations(title = "Manage delegated tasks", read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn task_manage(&self, args: JsonObject) -> CallToolResponse {
        let result = (|| {
            let parsed = compat::parse::<TaskManageParams>(Tool::Team, "task-manage", args)?;
            let (p, notes) = (parsed.params, parsed.notes);
            let store = &self.inner.store;
            let actor = Actor::from_as_persona(store, p.as_persona.as_deref())?;
            match p.action {
                TaskAction::List => {
                    let filter = DelegationFilter {
                        status: p.status,
                        persona: p.persona,
                        offset: p.offset,
                        limit: p.limit,
                    };
                    compat::noted(&delegation::list(store, &actor, &filter)?, &notes)
                }
                TaskAction::Get => {
                    compat::noted(&delegation::get(store, &actor, need(p.id, "id", "get")?)?, &notes)
                }
                TaskAction::Cancel => compat::noted(
                    &delegation::cancel(store, &actor, need(p.id, "id", "cancel")?)?,
                    &notes,
                ),
            }
        })();
        finish(result)
    }
}

impl LlmGenServer {
    /// task-delegate: a first call starts a delegation and generates (or asks a 2026-07-28
    /// client to sample); a retry carrying the client's answer completes the delegation kept
    /// with its handle.
    async fn delegate(
        &self,
        args: JsonObject,
        ctx: RequestContext<RoleServer>,
        input_responses: Option<rmcp::model::InputResponses>,
        request_state: Option<String>,
    ) -> ToolResult {
        let parsed = compat::parse::<TaskDelegateParams>(Tool::Team, DELEGATE, args.clone())?;
        let (p, mut notes) = (parsed.params, parsed.notes);
        let store = &self.inner.store;
        let retried = match (&input_responses, &request_state) {
            (Some(_), Some(handle)) => Some((
                handle.clone(),
                self.inner
                    .pending
                    .delegation(handle, DELEGATE, &args)?
                    .ok_or_else(|| ToolError::new("This retry belongs to no delegation. Call task-delegate again without inputResponses."))?,
            )),
            // A retry without its handle would otherwise start (and record) a new delegation.
            (Some(_), None) => {
                return Err(ToolError::new(
                    "inputResponses came without the requestState of the original call. Call task-delegate again.",
                ));
            }
            _ => None,
        };
        let call = Call {
            ctx: &ctx,
            tool: DELEGATE,
            args: &args,
            input_responses,
            request_state,
            delegation: None,
        };
        let model = p.model.as_deref();
        let (id, outcome) = match retried {
            Some((handle, id)) => {
                // The client sampled for the record started by the first call: that record
                // runs now (unless it was cancelled meanwhile) and takes the answer.
                let running = delegation::mark_running(store, id).map_err(|e| {
                    // A record already running belongs to a concurrent retry of the same call,
                    // which still needs the handle; an ended one never will.
                    let running = matches!(
                        delegation::get(store, &Actor::User, id).map(|d| d.status),
                        Ok(delegation::Status::Running)
                    );
                    if !running {
                        self.inner.pending.discard(&handle);
                    }
                    ToolError::from(e)
                })?;
                let request = match task_request(store, &running) {
                    Ok(request) => request,
                    Err(e) => return Err(self.failed(id, e)),
                };
                let call = Call {
                    delegation: Some(id),
                    ..call
                };
                let outcome = generate::generate_on(&self.inner, call, request, Route::Sampling, model).await;
                (id, outcome)
            }
            None => {
                let actor = Actor::from_as_persona(store, p.as_persona.as_deref())?;
                let target = target(p.persona, p.expertise)?;
                let request = DelegationRequest {
                    task: p.task,
                    target,
                    priority: p.priority,
                };
                // Recorded before the route is known: a task given to a persona that could not
                // run (no sampling, no provider) shows as failed, with the fix, in the lists.
                let started = delegation::start(store, &actor, &request)?;
                let id = started.delegation.id;
                let route = generate::route_for(&self.inner, &ctx, &p.provider)
                    .await
                    .map_err(|e| self.failed(id, e))?;
                if !generate::asks_client_first(&ctx, &route) {
                    delegation::mark_running(store, id)?;
                }
                notify_started(&ctx, &started.delegation).await;
                let call = Call {
                    delegation: Some(id),
                    ..call
                };
                let request = started
                    .plan
                    .request
                    .validate()
                    .map_err(|e| self.failed(id, e.into()))?;
                (id, self.generate_watched(id, call, request, route, model).await)
            }
        };
        match outcome {
            // Pending until the client comes back with its model's answer.
            Ok(Outcome::InputRequired(input)) => Ok(CallToolResponse::InputRequired(input)),
            Ok(Outcome::Generated(generated, route_notes)) => {
                self.inner.metrics.record_generation(&generated.route);
                let done = match delegation::complete(store, id, &generated) {
                    Ok(done) => done,
                    Err(e) => {
                        return Err(self
                            .stopped(id, &ctx)
                            .unwrap_or_else(|| self.failed(id, e.into())));
                    }
                };
                notes.extend(route_notes);
                let mut data = encode(&done)?;
                if let (Some(obj), false) = (data.as_object_mut(), notes.is_empty()) {
                    obj.insert("notes".into(), notes.into());
                }
                let via = done.route.as_deref().unwrap_or("sampling");
                let text = format!(
                    "Task {id}, done by '{}' (via {via}):\n\n{}",
                    done.to, generated.text
                );
                text_with_data(text, &data)
            }
            Err(e) => Err(self.stopped(id, &ctx).unwrap_or_else(|| self.failed(id, e))),
        }
    }

    /// Generates on `route` while watching the record: when it is cancelled (task-manage, any
    /// process) the generation is cancelled as a client's cancellation would (a sampling request
    /// is cancelled at the client too) and ends with an error.
    async fn generate_watched(
        &self,
        id: i64,
        call: Call<'_>,
        request: GenerationRequest,
        route: Route,
        model: Option<&str>,
    ) -> Result<Outcome, ToolError> {
        let stop = call.ctx.ct.child_token();
        let mut watched = call.ctx.clone();
        watched.ct = stop.clone();
        let call = Call {
            ctx: &watched,
            ..call
        };
        let work = generate::generate_on(&self.inner, call, request, route, model);
        tokio::pin!(work);
        let mut poll = tokio::time::interval(CANCEL_POLL);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                outcome = &mut work => return outcome,
                // After the stop, the generation ends by itself (telling the client first).
                _ = poll.tick(), if !stop.is_cancelled() => {
                    if matches!(delegation::is_cancelled(&self.inner.store, id), Ok(true)) {
                        stop.cancel();
                    }
                }
            }
        }
    }

    /// The error for a delegation that was stopped rather than failed: cancelled by task-manage,
    /// or by the client cancelling this call (then the record is cancelled here, as the user's
    /// doing: nothing went wrong, and a list of failed tasks should show only real failures).
    /// `None` when it was not stopped.
    fn stopped(&self, id: i64, ctx: &RequestContext<RoleServer>) -> Option<ToolError> {
        let store = &self.inner.store;
        let record = match delegation::is_cancelled(store, id) {
            Ok(true) => delegation::get(store, &Actor::User, id).ok(),
            _ if ctx.ct.is_cancelled() => delegation::cancel(store, &Actor::User, id).ok(),
            _ => return None,
        };
        let why = record
            .and_then(|d| d.error)
            .map(|e| format!(" {e}"))
            .unwrap_or_default();
        Some(ToolError(format!(
            "Delegation {id} was cancelled before it finished.{why} Nothing it produced was stored."
        )))
    }

    /// Ends the delegation as failed with `error`'s sentence, and returns the error.
    fn failed(&self, id: i64, error: ToolError) -> ToolError {
        if let Err(e) = delegation::fail(&self.inner.store, id, &error.0) {
            tracing::warn!("delegation {id} not marked failed: {e}");
        }
        ToolError(format!("Delegation {id} failed: {}", error.0))
    }
}

/// Who should take the task: the persona named, or the one with the expertise asked for.
fn target(persona: Option<String>, expertise: Option<Vec<String>>) -> Result<Target, ToolError> {
    let persona = persona.filter(|p| !p.trim().is_empty());
    match (persona, expertise) {
        (Some(name), None) => Ok(Target::Persona(name)),
        (None, Some(asked)) => Ok(Target::Expertise(asked)),
        (Some(_), Some(_)) => Err(ToolError::new(
            "Give either 'persona' (who takes the task) or 'expertise' (what it needs), not both.",
        )),
        (None, None) => Err(ToolError::new(
            "task-delegate needs 'persona' (who takes the task) or 'expertise' (what it needs, for example [\"sql\"]). persona-manage list shows the team.",
        )),
    }
}

/// The request of a delegation started by an earlier call, rebuilt from its context (which
/// holds nothing yet, so it is the request that call prepared).
fn task_request(store: &llmgen_core::Store, d: &Delegation) -> Result<GenerationRequest, ToolError> {
    let context_id = d
        .context_id
        .as_deref()
        .ok_or_else(|| {
            ToolError::new("The delegation has no context to run in (its context could not be created). Call task-delegate again.")
        })?;
    Ok(chat::prepare(store, context_id, &d.task)?.request)
}

/// Tells a caller who asked for progress who took the task (before the wait starts).
async fn notify_started(ctx: &RequestContext<RoleServer>, d: &Delegation) {
    let Some(token) = ctx.meta.get_progress_token() else {
        return;
    };
    let note = ProgressNotificationParam::new(token, 0.0)
        .with_message(format!("Task {} given to '{}': {}", d.id, d.to, d.choice.reason));
    if let Err(e) = ctx.peer.notify_progress(note).await {
        tracing::debug!("progress notification failed: {e}");
    }
}

#[cfg(test)]
mod tests {
    use llmgen_core::team::delegation::{Priority, Status};

    use super::super::super::args::schema;
    use super::super::{TaskDelegateParams, TaskManageParams};

    /// The names a schema publishes for `field`.
    fn published<T: schemars::JsonSchema + std::any::Any>(field: &str) -> Vec<String> {
        let schema = schema::<T>();
        let values = schema["properties"][field]["enum"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }

    /// Proves: the plain name lists published for priority and status (written out to keep the
    /// tool list short) are exactly the core's values: the matches below stop compiling when the
    /// core gains a value, and each published name is read back as the value it names.
    #[test]
    fn published_priorities_and_statuses_are_the_cores() {
        let priority = |p: Priority| match p {
            Priority::Low | Priority::Normal | Priority::High | Priority::Urgent => p.as_str(),
        };
        let all_priorities = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];
        assert_eq!(
            published::<TaskDelegateParams>("priority"),
            all_priorities.map(priority)
        );
        let status = |s: Status| match s {
            Status::Pending | Status::Running | Status::Done | Status::Failed | Status::Cancelled => {
                s.as_str()
            }
        };
        let all_statuses = [
            Status::Pending,
            Status::Running,
            Status::Done,
            Status::Failed,
            Status::Cancelled,
        ];
        assert_eq!(published::<TaskManageParams>("status"), all_statuses.map(status));
        for name in published::<TaskManageParams>("status") {
            assert!(Status::parse(&name).is_some(), "{name}");
        }
        // The old server's "medium" is still taken, as normal.
        let old: Priority = serde_json::from_str("\"medium\"").expect("medium");
        assert_eq!(old, Priority::Normal);
    }
}
