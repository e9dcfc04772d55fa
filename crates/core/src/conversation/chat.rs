//! `context-chat`: assembling a request from a context's history within its token budget, and
//! storing the exchange once the generation succeeded (both messages in one transaction, so a
//! failed generation stores nothing).

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::{
    CoreError, Result, Store,
    catalog::persona_rules,
    conversation::contexts::{self, Context, MESSAGE_COLUMNS, StoredMessage},
    generation::tokens,
    generation::{ChatMessage, ChatRole, Generated, GenerationRequest, IncludeContext},
    limits, timefmt,
};

/// A request ready to send, with what was left out to fit the budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatPlan {
    pub context: Context,
    pub request: GenerationRequest,
    /// Stored messages left out to stay within maxHistoryTokens (older turns, or incomplete ones).
    pub omitted_messages: u64,
    /// Estimated tokens of the prompt plus the reply budget.
    pub estimated_tokens: u32,
}

/// Checks the new message, reads as much history as the budget allows (newest turns first,
/// whole user/assistant turns only) and builds the request.
pub fn prepare(store: &Store, context_id: &str, message: &str) -> Result<ChatPlan> {
    prepare_with(store, context_id, message, Personality::Keep)
}

/// Whether the context's personality goes into the system prompt of a chat request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Personality {
    /// The system prompt, then the personality (the normal case).
    #[default]
    Keep,
    /// Only the context's system prompt, for one request (the TypeScript server's
    /// `maintainPersonality: false`).
    Leave,
}

/// [`prepare`], choosing whether the personality is part of the system prompt.
pub fn prepare_with(
    store: &Store,
    context_id: &str,
    message: &str,
    personality: Personality,
) -> Result<ChatPlan> {
    if message.trim().is_empty() {
        return Err(CoreError::invalid(
            "message is empty: write what you want to say.",
        ));
    }
    limits::check("context-chat", "message", message, limits::MESSAGE_CHARS)?;
    store.read(|conn| {
        let context = contexts::get_live(conn, context_id)?;
        let own_prompt = match personality {
            Personality::Keep => context.effective_system_prompt(),
            Personality::Leave => context.system_prompt.trim().to_string(),
        };
        // The persona's restrictions and its ancestors', as the team is now: a context's own
        // prompt (or maintainPersonality false) never drops them.
        let system_prompt = match context.persona.as_deref() {
            Some(persona) => {
                persona_rules::with_rules(&own_prompt, persona, &persona_rules::rules_in(conn, persona)?)
            }
            None => own_prompt,
        };
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE context_id = ?1 ORDER BY id DESC"
        ))?;
        let newest_first = stmt.query_map([context_id], contexts::message_row)?;
        let assembled = assemble(
            &system_prompt,
            newest_first.map(|r| r.map_err(CoreError::from)),
            message,
            context.settings.max_tokens,
            context.settings.max_history_tokens,
        )?;
        let request = GenerationRequest {
            messages: assembled.messages,
            system_prompt: (!system_prompt.is_empty()).then_some(system_prompt),
            max_tokens: context.settings.max_tokens,
            temperature: Some(context.settings.temperature),
            stop_sequences: Vec::new(),
            include_context: IncludeContext::None,
            model_preferences: None,
        };
        let omitted_messages = context.message_count.saturating_sub(assembled.history_messages);
        Ok(ChatPlan {
            context,
            request,
            omitted_messages,
            estimated_tokens: assembled.estimated_tokens,
        })
    })
}

/// The outcome of [`assemble`].
#[derive(Debug, Clone, PartialEq)]
pub struct Assembled {
    pub messages: Vec<ChatMessage>,
    /// Stored messages replayed in this request.
    pub history_messages: u64,
    /// True when older turns did not fit the budget and were left out.
    pub history_truncated: bool,
    pub estimated_tokens: u32,
}

fn cost(m: &StoredMessage) -> u32 {
    m.token_estimate.saturating_add(tokens::MESSAGE_OVERHEAD)
}

/// Fits history into `budget` tokens next to the system prompt, the new message and the reply
/// budget. History arrives newest first and is read only as far as needed. Only complete turns
/// (a user message and the replies after it) are kept, so the request never starts with an
/// assistant message; the new message is always included, or this is an error.
pub fn assemble(
    system_prompt: &str,
    newest_first: impl Iterator<Item = Result<StoredMessage>>,
    new_message: &str,
    reply_budget: u32,
    budget: u32,
) -> Result<Assembled> {
    let system = if system_prompt.is_empty() {
        0
    } else {
        tokens::estimate(system_prompt)
    };
    let fixed = system
        .saturating_add(reply_budget)
        .saturating_add(tokens::estimate(new_message))
        .saturating_add(tokens::MESSAGE_OVERHEAD);
    if fixed > budget {
        return Err(CoreError::invalid(format!(
            "This message does not fit the context's token budget: system prompt, message and reply need about {fixed} tokens, but maxHistoryTokens is {budget}. Shorten the message, lower maxTokens, or raise maxHistoryTokens (context-manage update)."
        )));
    }
    let mut used = fixed;
    let mut kept_turns: Vec<Vec<StoredMessage>> = Vec::new();
    let mut pending_replies: Vec<StoredMessage> = Vec::new();
    let mut history_truncated = false;
    for message in newest_first {
        let message = message?;
        match message.role {
            ChatRole::Assistant => pending_replies.push(message),
            ChatRole::User => {
                if pending_replies.is_empty() {
                    // A user message with no stored reply is not a complete turn; skip it.
                    continue;
                }
                let turn_cost = pending_replies
                    .iter()
                    .map(cost)
                    .fold(cost(&message), u32::saturating_add);
                if used.saturating_add(turn_cost) > budget {
                    // Keep history contiguous, and stop reading: older turns are all omitted.
                    history_truncated = true;
                    break;
                }
                used += turn_cost;
                let mut turn = vec![message];
                turn.extend(pending_replies.drain(..).rev());
                kept_turns.push(turn);
            }
        }
    }
    let mut messages: Vec<ChatMessage> = kept_turns
        .into_iter()
        .rev()
        .flatten()
        .map(|m| ChatMessage {
            role: m.role,
            content: m.content,
        })
        .collect();
    let history_messages = messages.len() as u64;
    messages.push(ChatMessage {
        role: ChatRole::User,
        content: new_message.to_string(),
    });
    Ok(Assembled {
        messages,
        history_messages,
        history_truncated,
        estimated_tokens: used,
    })
}

/// Stores the user's message and the reply together, and refreshes the context's expiry.
/// Fails (and stores nothing) if the context was deleted or expired meanwhile.
pub fn record_exchange(store: &Store, context_id: &str, user_message: &str, reply: &Generated) -> Result<()> {
    store.write(|tx| record_exchange_in(tx, context_id, user_message, reply))
}

/// [`record_exchange`] inside the caller's transaction (a delegation stores its exchange and its
/// result together).
pub(crate) fn record_exchange_in(
    tx: &rusqlite::Transaction<'_>,
    context_id: &str,
    user_message: &str,
    reply: &Generated,
) -> Result<()> {
    let context = contexts::get_live(tx, context_id)?;
    let now = timefmt::now_string();
    let mut insert = tx.prepare_cached(
        "INSERT INTO messages (context_id, role, content, token_estimate, model, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    insert.execute(params![
        context_id,
        "user",
        user_message,
        tokens::estimate(user_message),
        Option::<String>::None,
        now
    ])?;
    insert.execute(params![
        context_id,
        "assistant",
        reply.text,
        tokens::estimate(&reply.text),
        reply.model,
        now
    ])?;
    tx.execute(
        "UPDATE contexts SET last_activity_at = ?2, expires_at = ?3 WHERE id = ?1",
        params![
            context_id,
            now,
            timefmt::days_from_now(context.settings.expiry_days)
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::personas::PersonaSettings;
    use crate::conversation::contexts::NewContext;

    fn msg(id: i64, role: ChatRole, content: &str) -> StoredMessage {
        StoredMessage {
            id,
            role,
            content: content.into(),
            token_estimate: tokens::estimate(content),
            model: None,
            created_at: String::new(),
        }
    }

    fn newest_first(history: &[StoredMessage]) -> impl Iterator<Item = Result<StoredMessage>> + '_ {
        history.iter().rev().cloned().map(Ok)
    }

    #[test]
    fn whole_turns_are_kept_newest_first_and_never_start_with_assistant() {
        let long = "x".repeat(400); // ~100 tokens
        let history = vec![
            msg(1, ChatRole::Assistant, "orphan greeting"),
            msg(2, ChatRole::User, &long),
            msg(3, ChatRole::Assistant, &long),
            msg(4, ChatRole::User, "recent question"),
            msg(5, ChatRole::Assistant, "recent answer"),
        ];
        // Budget fits the newest turn but not the long one.
        let out = assemble("sys", newest_first(&history), "new", 100, 150).expect("fits");
        let roles: Vec<_> = out.messages.iter().map(|m| m.role).collect();
        assert_eq!(roles, [ChatRole::User, ChatRole::Assistant, ChatRole::User]);
        assert_eq!(out.messages[0].content, "recent question");
        assert!(out.history_truncated);
        assert_eq!(out.history_messages, 2);
        assert!(out.estimated_tokens <= 150);
        // A large budget keeps both turns and still drops the leading assistant message.
        let out = assemble("sys", newest_first(&history), "new", 100, 10_000).expect("fits");
        assert_eq!(out.messages.len(), 5);
        assert_eq!(out.messages[0].role, ChatRole::User);
    }

    #[test]
    fn the_system_prompt_and_reply_budget_count_and_an_oversized_message_is_an_error() {
        let err = assemble(&"s".repeat(4000), std::iter::empty(), "hi", 100, 500).expect_err("too big");
        assert!(err.to_string().contains("maxHistoryTokens"), "{err}");
    }

    #[test]
    fn a_recorded_exchange_is_stored_as_a_pair_and_replayed() {
        let store = Store::open_in_memory().expect("store");
        let c = contexts::create(
            &store,
            NewContext {
                name: "t".into(),
                system_prompt: "Be brief.".into(),
                settings: PersonaSettings {
                    max_tokens: Some(100),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .expect("create");
        let plan = prepare(&store, &c.id, "first").expect("plan");
        assert_eq!(plan.request.messages.len(), 1);
        let reply = Generated {
            text: "one".into(),
            model: "m".into(),
            stop_reason: None,
            route: "sampling".into(),
            usage: None,
        };
        record_exchange(&store, &c.id, "first", &reply).expect("record");
        let plan = prepare(&store, &c.id, "second").expect("plan");
        let contents: Vec<_> = plan.request.messages.iter().map(|m| m.content.as_str()).collect();
        assert_eq!(contents, ["first", "one", "second"]);
        assert_eq!(plan.request.system_prompt.as_deref(), Some("Be brief."));
    }

    #[test]
    fn recording_into_a_deleted_context_stores_nothing() {
        let store = Store::open_in_memory().expect("store");
        let c = contexts::create(
            &store,
            NewContext {
                name: "t".into(),
                ..Default::default()
            },
        )
        .expect("create");
        contexts::delete(&store, &c.id).expect("delete");
        let reply = Generated {
            text: "x".into(),
            model: "m".into(),
            stop_reason: None,
            route: "sampling".into(),
            usage: None,
        };
        assert!(record_exchange(&store, &c.id, "q", &reply).is_err());
        let n: i64 = store
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))?))
            .expect("count");
        assert_eq!(n, 0);
    }
}
