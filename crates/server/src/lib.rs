//! llmgen-server: the MCP server of MCP LLM Generator, a thin adapter over llmgen-core.

pub mod mcp;

pub use mcp::LlmGenServer;
