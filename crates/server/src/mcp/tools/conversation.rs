//! The contexts group: context-manage, context-chat and conversation-manage.

use llmgen_core::{
    conversation::chat,
    conversation::contexts,
    conversation::contexts::{ContextPatch, MessageOrder, NewContext},
};
use rmcp::{
    handler::server::tool::{InputResponses, RequestState},
    model::{CallToolResponse, JsonObject},
    service::{RequestContext, RoleServer},
    tool, tool_router,
};

use super::super::{
    LlmGenServer,
    args::{ToolError, finish, need, schema, text_with_data},
    compat::{self, Tool},
    generate::Call,
};
use super::*;

// ---------------------------------------------------------------------------------------------
// Contexts group

#[tool_router(router = contexts_router, vis = "pub(crate)")]
impl LlmGenServer {
    #[tool(
        name = "context-manage",
        description = "Manage contexts: conversations with their own system prompt and settings (token budget, inactivity expiry), optionally created from a persona.",
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
        description = "Send a message in a context and get the reply. Its history is replayed within its token budget; message and reply are stored only if generation succeeds.",
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
                delegation: None,
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
        description = "Manage the stored messages of one context.",
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
                    let deleted = match (p.message_id, extras.message_ids, extras.older_than) {
                        (Some(id), None, None) => {
                            contexts::delete_message(store, context_id, id)?;
                            return compat::noted(
                                &serde_json::json!({ "deleted": id, "contextId": context_id }),
                                &notes,
                            );
                        }
                        (None, Some(ids), None) => contexts::delete_messages(store, context_id, &ids)?,
                        (None, None, Some(before)) => {
                            contexts::delete_messages_before(store, context_id, &before)?
                        }
                        (None, None, None) => {
                            return Err(ToolError::new(
                                "Action 'delete' needs 'messageId' (conversation-manage list shows the ids). Add it and call again.",
                            ));
                        }
                        _ => {
                            return Err(ToolError::new(
                                "Action 'delete' takes one of 'messageId', 'conversationIds' or 'olderThan', not several: call once for each.",
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
