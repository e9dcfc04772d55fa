//! Conversations: contexts (a persona instance with its own prompt, settings and inactivity
//! expiry) and chat (history replayed within the context's token budget; an exchange is stored
//! only when the generation succeeded).

pub mod chat;
pub mod contexts;
