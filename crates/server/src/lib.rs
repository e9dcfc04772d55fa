//! llmgen-server: the MCP server of MCP LLM Generator, a thin adapter over llmgen-core.

pub mod guarded_stdio;
pub mod handshake;
pub mod mcp;
pub mod serve;

pub use handshake::{ChildHandshake, check_installation_now};
pub use mcp::LlmGenServer;
