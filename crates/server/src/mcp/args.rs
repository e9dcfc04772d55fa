//! Turning tool arguments into typed parameters, and results into MCP results.
//!
//! Arguments are parsed here rather than by rmcp's `Parameters<T>` so that a bad argument is a
//! tool error the model can read and correct (`isError: true`), not a protocol error that clients
//! show as an opaque failure.

use std::sync::Arc;

use llmgen_core::CoreError;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock, JsonObject};
use schemars::JsonSchema;
use serde::{Serialize, de::DeserializeOwned};

/// The input schema of a parameter type, or an open object if it cannot be produced (never
/// expected; logged so a broken schema cannot take the whole server down).
pub fn schema<T: JsonSchema + std::any::Any>() -> Arc<JsonObject> {
    rmcp::handler::server::common::schema_for_input::<T>().unwrap_or_else(|e| {
        tracing::error!("input schema of {} is invalid: {e}", std::any::type_name::<T>());
        rmcp::handler::server::common::schema_for_empty_input()
    })
}

/// A tool failure the model should read: becomes `isError: true` with this sentence.
#[derive(Debug)]
pub struct ToolError(pub String);

impl From<CoreError> for ToolError {
    fn from(e: CoreError) -> Self {
        Self(e.to_string())
    }
}

impl From<llmgen_core::generation::RouteError> for ToolError {
    fn from(e: llmgen_core::generation::RouteError) -> Self {
        Self(e.to_string())
    }
}

impl ToolError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    pub fn into_response(self) -> CallToolResponse {
        CallToolResult::error(vec![ContentBlock::text(self.0)]).into()
    }
}

pub type ToolResult = Result<CallToolResponse, ToolError>;

/// Parses tool arguments into `T`, with an error that names the tool and what was wrong.
pub fn parse<T: DeserializeOwned>(tool: &str, args: JsonObject) -> Result<T, ToolError> {
    serde_json::from_value(serde_json::Value::Object(args)).map_err(|e| {
        ToolError(format!(
            "Invalid arguments for {tool}: {e}. Check the tool's input schema and call it again."
        ))
    })
}

/// Requires an argument that an action needs.
pub fn need<T>(value: Option<T>, field: &str, action: &str) -> Result<T, ToolError> {
    value.ok_or_else(|| {
        ToolError(format!(
            "Action '{action}' needs '{field}'. Add it and call again."
        ))
    })
}

/// A successful result carrying structured JSON (an object) and the same JSON as text.
pub fn structured(value: &impl Serialize) -> ToolResult {
    let value =
        serde_json::to_value(value).map_err(|e| ToolError(format!("Could not encode the result: {e}")))?;
    let value = match value {
        serde_json::Value::Object(_) => value,
        other => serde_json::json!({ "result": other }),
    };
    Ok(CallToolResult::structured(value).into())
}

/// A successful result whose text is `text`, with structured JSON beside it.
pub fn text_with_data(text: impl Into<String>, data: &impl Serialize) -> ToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(text.into())]);
    result.structured_content =
        Some(serde_json::to_value(data).map_err(|e| ToolError(format!("Could not encode the result: {e}")))?);
    Ok(result.into())
}

/// Collapses a tool outcome into what rmcp sends.
pub fn finish(result: ToolResult) -> CallToolResponse {
    result.unwrap_or_else(ToolError::into_response)
}
