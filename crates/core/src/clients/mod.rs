//! MCP client configuration: where each client keeps its servers, and our entry in those files.
//!
//! `jsonc` does the format-preserving edit of one entry; the registry, the states and the safe
//! writes build on it.

pub mod jsonc;
