//! The MCP server: the handler type shared by every session, its capabilities, and the wiring of
//! tools (grouped, so settings can hide groups), resources (with subscriptions to the memory feed)
//! and prompts.

mod args;
mod compat;
mod generate;
mod live;
mod memory_feed;
mod prompts;
mod resources;
pub mod tools;

pub use live::Live;

use std::{
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};

use llmgen_core::{
    Store, operations::metrics::Metrics, paths::DataDir, settings::Settings, settings::ToolGroup,
};
use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler,
    handler::server::router::tool::ToolRouter,
    model::SubscriptionFilter,
    model::{
        CallToolRequestParams, CallToolResponse, GetPromptRequestParams, GetPromptResponse, Implementation,
        ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
        ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
        SubscribeRequestParams, UnsubscribeRequestParams,
    },
    service::{NotificationContext, Peer, RequestContext, SubscriptionContext},
    tool_handler,
};

/// Shared state of one server process.
pub(crate) struct Inner {
    pub store: Store,
    pub settings: Settings,
    pub data_dir: DataDir,
    pub pending: generate::PendingRequests,
    /// Direct provider calls; keys are read from the keychain on first use and cached here.
    pub direct: llmgen_core::generation::providers::Direct,
    /// Tool-call and generation counters, flushed to the store every minute and at exit.
    pub metrics: Metrics,
    /// The legacy session's peer, for list-changed notifications.
    peer: OnceLock<Peer<RoleServer>>,
    /// This process's record among the live servers (set by a stdio session, not by tests).
    live: OnceLock<Live>,
    /// A counter of catalogue changes, watched by 2026-07-28 `subscriptions/listen` streams.
    changes: tokio::sync::watch::Sender<u64>,
    /// The counter when the newest subscription was acknowledged: a change between the
    /// acknowledgement and the start of `listen` is still delivered.
    acked_at: std::sync::Mutex<u64>,
    /// Memory feed URIs this (legacy) session subscribed to, polled while there are any.
    feed_subscriptions: memory_feed::watch::Subscriptions,
    /// Where acknowledged 2026-07-28 feed subscriptions start (see memory_feed::watch).
    feed_listen_starts: memory_feed::watch::ListenStarts,
}

/// The MCP handler. Cheap to clone; all clones share one store.
#[derive(Clone)]
pub struct LlmGenServer {
    pub(crate) inner: Arc<Inner>,
    tool_router: ToolRouter<Self>,
}

impl LlmGenServer {
    /// A server over an opened store, exposing the tool groups of `settings`.
    pub fn new(store: Store, settings: Settings, data_dir: DataDir) -> Self {
        let mut tool_router = ToolRouter::new();
        for group in &settings.tool_groups {
            tool_router.merge(match group {
                ToolGroup::Generation => Self::generation_router(),
                ToolGroup::Templates => Self::templates_router(),
                ToolGroup::Personas => Self::personas_router(),
                ToolGroup::Contexts => Self::contexts_router(),
                ToolGroup::Memory => Self::memory_router(),
                ToolGroup::Team => Self::team_router(),
            });
            // The TypeScript server's names of our tools, for prompts written for it.
            if settings.compat_tool_names {
                match group {
                    ToolGroup::Generation => tool_router.merge(Self::compat_generation_router()),
                    ToolGroup::Personas => tool_router.merge(Self::compat_personas_router()),
                    ToolGroup::Memory => tool_router.merge(Self::compat_memory_router()),
                    ToolGroup::Templates | ToolGroup::Contexts | ToolGroup::Team => {}
                }
            }
        }
        for route in tool_router.map.values_mut() {
            tools::annotations_without_defaults(&mut route.attr);
        }
        Self {
            inner: Arc::new(Inner {
                store,
                settings,
                data_dir,
                pending: Default::default(),
                direct: Default::default(),
                metrics: Metrics::new(),
                peer: OnceLock::new(),
                live: OnceLock::new(),
                changes: tokio::sync::watch::Sender::new(0),
                acked_at: std::sync::Mutex::new(0),
                feed_subscriptions: Default::default(),
                feed_listen_starts: Default::default(),
            }),
            tool_router,
        }
    }

    /// Names of the tools this server exposes.
    pub fn tool_names(&self) -> Vec<String> {
        self.tool_router
            .list_all()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect()
    }

    /// Lists this server among the data dir's live servers (see [`Live`]).
    pub fn attach_live(&self, live: Live) {
        let _ = self.inner.live.set(live);
    }

    /// Writes the last tool call to the live record, if one is pending.
    pub fn flush_live(&self) {
        if let Some(live) = self.inner.live.get() {
            live.flush();
        }
    }

    /// Writes the buffered metrics to the store (kept in memory for the next try on failure).
    pub fn flush_metrics(&self) {
        match self.inner.metrics.flush(&self.inner.store) {
            Ok(f) if f.tool_calls + f.generations > 0 => {
                tracing::debug!(
                    tool_calls = f.tool_calls,
                    generations = f.generations,
                    "metrics flushed"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("metrics not flushed yet (kept for the next try): {e}"),
        }
    }

    /// The end of a session: flush the metrics, then fold the WAL into the database file so a
    /// stopped server leaves no WAL behind (unless another process is still using it).
    pub fn shutdown(&self) {
        // A stop must be prompt: wait for another process's lock no longer than the checkpoint
        // does. Counts that cannot be written then are lost with the process, nothing else.
        if let Err(e) = self.inner.store.set_busy_timeout(CHECKPOINT_WAIT) {
            tracing::debug!("busy timeout unchanged: {e}");
        }
        self.flush_metrics();
        if let Some(live) = self.inner.live.get() {
            live.end();
        }
        match self.inner.store.checkpoint(CHECKPOINT_WAIT) {
            Ok(true) => tracing::debug!("WAL checkpointed"),
            Ok(false) => tracing::info!("WAL left for the other processes using the database"),
            Err(e) => tracing::warn!("WAL checkpoint failed (the data is safe in the WAL): {e}"),
        }
    }

    /// Tells the client that templates or personas changed (resource and prompt lists).
    pub(crate) fn catalog_changed(&self) {
        self.inner.changes.send_modify(|n| *n += 1);
        let Some(peer) = self.inner.peer.get().cloned() else {
            return;
        };
        tokio::spawn(async move {
            if let Err(e) = peer.notify_resource_list_changed().await {
                tracing::debug!("resources/list_changed not sent: {e}");
            }
            if let Err(e) = peer.notify_prompt_list_changed().await {
                tracing::debug!("prompts/list_changed not sent: {e}");
            }
        });
    }
}

/// How long the exit checkpoint waits for other processes' transactions: shutdown must stay
/// well under a second.
const CHECKPOINT_WAIT: Duration = Duration::from_millis(200);

const INSTRUCTIONS: &str = "MCP LLM Generator: text generation through your client's model (MCP sampling) or a direct provider (provider-status lists them), \
reusable prompt templates (also offered as prompts), personas, and contexts with a persistent conversation history. \
Use template-manage / persona-manage with action 'list' to see what exists; create a context (context-manage) \
and talk in it with context-chat.";

#[tool_handler(router = self.tool_router)]
impl ServerHandler for LlmGenServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_prompts()
            .enable_prompts_list_changed()
            .enable_resources()
            .enable_resources_list_changed()
            .enable_resources_subscribe()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("mcp-llm-generator", llmgen_core::VERSION)
                    .with_title("MCP LLM Generator"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    /// Every tool call goes through the router; its latency and outcome are counted in memory.
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let started = Instant::now();
        if let Some(live) = self.inner.live.get() {
            if live.needs_greeting() {
                live.greet(
                    &self.inner.store,
                    context.client_info(),
                    context.client_capabilities(),
                );
            }
            live.touch();
        }
        // The user stopped every server (emergency stop): nothing runs until they resume.
        if llmgen_core::operations::live::is_paused(&self.inner.data_dir) {
            return Ok(
                args::ToolError::new(llmgen_core::operations::live::PAUSED_TOOL_ERROR).into_response(),
            );
        }
        // Only names of our tools are counted: a client cannot grow the table with made-up names.
        let name = self
            .tool_router
            .has_route(&request.name)
            .then(|| request.name.clone());
        let tcc = rmcp::handler::server::tool::ToolCallContext::new(self, request, context);
        let result = self.tool_router.call(tcc).await;
        if let Some(name) = name {
            let is_error = match &result {
                Ok(CallToolResponse::Complete(r)) => r.is_error == Some(true),
                Ok(_) => false,
                Err(_) => true,
            };
            self.inner.metrics.record_tool(&name, started.elapsed(), is_error);
        }
        result
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        if let Some(live) = self.inner.live.get() {
            let hello = context.peer.peer_info();
            live.greet(
                &self.inner.store,
                hello.as_ref().map(|h| h.client_info.clone()),
                hello.as_ref().map(|h| h.capabilities.clone()),
            );
        }
        let _ = self.inner.peer.set(context.peer);
        tracing::info!("client initialized");
    }

    /// 2026-07-28 sessions receive list-changed notifications only through subscriptions/listen;
    /// the SDK narrows the filter to what was requested and what our capabilities declare.
    /// Of the resources, only memory feed URIs can be watched (see memory_feed::watch).
    fn accepted_subscription_filter(&self, requested: &SubscriptionFilter) -> Option<SubscriptionFilter> {
        *self.inner.acked_at.lock().unwrap_or_else(|p| p.into_inner()) = *self.inner.changes.borrow();
        let mut accepted = requested.clone();
        accepted.resource_subscriptions = self
            .inner
            .feed_listen_starts
            .acknowledge(&self.inner.store, requested.resource_subscriptions.as_ref());
        Some(accepted)
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), McpError> {
        let mut changes = self.inner.changes.subscribe();
        let mut seen = *self.inner.acked_at.lock().unwrap_or_else(|p| p.into_inner());
        let mut feeds = memory_feed::watch::ListenFeeds::start(
            &self.inner.store,
            context.accepted(),
            &self.inner.feed_listen_starts,
        );
        let mut feed_poll = tokio::time::interval(memory_feed::watch::POLL_EVERY);
        feed_poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let current = *changes.borrow_and_update();
            if current > seen {
                seen = current;
                let sink = context.sink();
                if context.accepted().resources_list_changed == Some(true)
                    && let Err(e) = sink.notify_resource_list_changed().await
                {
                    tracing::debug!("resources list_changed not sent: {e}");
                }
                if context.accepted().prompts_list_changed == Some(true)
                    && let Err(e) = sink.notify_prompt_list_changed().await
                {
                    tracing::debug!("prompts list_changed not sent: {e}");
                }
            }
            tokio::select! {
                () = context.cancelled() => return Ok(()),
                changed = changes.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                }
                _ = feed_poll.tick(), if !feeds.is_empty() => {
                    for uri in feeds.poll(&self.inner.store) {
                        if let Err(e) = context.sink().notify_resource_updated(uri).await {
                            tracing::debug!("resources/updated not sent: {e}");
                        }
                    }
                }
            }
        }
    }

    #[allow(deprecated)] // legacy sessions subscribe this way; 2026-07-28 ones through listen
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.subscribe_feed(&request.uri, context.peer)
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.unsubscribe_feed(&request.uri);
        Ok(())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        resources::list(&self.inner.store)
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(resources::templates())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        resources::read(self, &request.uri, &context).map(Into::into)
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        prompts::list(&self.inner.store)
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        prompts::get(
            &self.inner.store,
            &request.name,
            request.arguments.unwrap_or_default(),
        )
        .map(Into::into)
    }
}
