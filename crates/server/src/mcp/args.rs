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

mod compact;

/// The input schema of a parameter type, or an open object if it cannot be produced (never
/// expected; logged so a broken schema cannot take the whole server down). Only standard JSON
/// Schema formats are kept (see [`standard_formats_only`]), so strict validators accept it, and
/// it is compacted (see [`compact::compact`]): the tool list goes with every model request.
pub fn schema<T: JsonSchema + std::any::Any>() -> Arc<JsonObject> {
    // Every tool call conforms its arguments to this schema (mcp::compat): built once per type,
    // not cloned and walked again on each call.
    static CACHE: std::sync::LazyLock<
        std::sync::RwLock<std::collections::HashMap<std::any::TypeId, Arc<JsonObject>>>,
    > = std::sync::LazyLock::new(Default::default);
    let id = std::any::TypeId::of::<T>();
    if let Some(found) = CACHE.read().ok().and_then(|cache| cache.get(&id).cloned()) {
        return found;
    }
    let built = build_schema::<T>();
    if let Ok(mut cache) = CACHE.write() {
        cache.insert(id, built.clone());
    }
    built
}

/// The input schema of `T`, standard formats only and compacted (see [`schema`]).
fn build_schema<T: JsonSchema + std::any::Any>() -> Arc<JsonObject> {
    let schema = rmcp::handler::server::common::schema_for_input::<T>().unwrap_or_else(|e| {
        tracing::error!("input schema of {} is invalid: {e}", std::any::type_name::<T>());
        rmcp::handler::server::common::schema_for_empty_input()
    });
    let mut schema = serde_json::Value::Object(schema.as_ref().clone());
    standard_formats_only(&mut schema);
    match schema {
        serde_json::Value::Object(mut object) => {
            compact::compact(&mut object);
            Arc::new(object)
        }
        _ => rmcp::handler::server::common::schema_for_empty_input(),
    }
}

/// The `format` values JSON Schema 2020-12 defines; validators in strict mode (Ajv) reject any
/// other, such as the `uint32`, `int64` or `double` schemars writes for Rust numbers.
const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// Removes every non-standard `format` from a schema, at any depth. What a numeric format said
/// that a caller could run into stays in standard keywords: an unsigned format (`uint32`,
/// `uint64`, ...) keeps or gains `minimum: 0`, and an 8- or 16-bit format gains the type's
/// bounds unless tighter ones are there (`type: integer` is written by schemars already). The
/// bounds of 32 bits and more (4294967295) say nothing to a model and are left out.
fn standard_formats_only(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(object) => {
            let format = object.get("format").and_then(|f| f.as_str()).map(str::to_owned);
            if let Some(format) = format.filter(|f| !STANDARD_FORMATS.contains(&f.as_str())) {
                object.remove("format");
                if let Some((low, high)) = integer_bounds(&format) {
                    tighten(object, "minimum", low, |new, old| new > old);
                    if let Some(high) = high {
                        tighten(object, "maximum", high, |new, old| new < old);
                    }
                }
            }
            object.values_mut().for_each(standard_formats_only);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(standard_formats_only),
        _ => {}
    }
}

/// The lower bound of an integer format, and its upper bound when it is one a value could meet.
fn integer_bounds(format: &str) -> Option<(i64, Option<i64>)> {
    Some(match format {
        "uint8" => (0, Some(u8::MAX.into())),
        "uint16" => (0, Some(u16::MAX.into())),
        "uint32" | "uint64" | "uint128" | "uint" => (0, None),
        "int8" => (i8::MIN.into(), Some(i8::MAX.into())),
        "int16" => (i16::MIN.into(), Some(i16::MAX.into())),
        _ => return None,
    })
}

/// Sets `key` to `bound` unless a value already there is at least as tight.
fn tighten(object: &mut JsonObject, key: &str, bound: i64, tighter: fn(f64, f64) -> bool) {
    let keep = object
        .get(key)
        .and_then(serde_json::Value::as_f64)
        .is_some_and(|old| !tighter(bound as f64, old));
    if !keep {
        object.insert(key.into(), bound.into());
    }
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

/// A result as JSON, for a tool's structured content.
pub fn encode(value: &impl Serialize) -> Result<serde_json::Value, ToolError> {
    serde_json::to_value(value).map_err(|e| ToolError(format!("Could not encode the result: {e}")))
}

/// A successful result carrying structured JSON (an object) and the same JSON as text.
pub fn structured(value: &impl Serialize) -> ToolResult {
    let value = match encode(value)? {
        object @ serde_json::Value::Object(_) => object,
        other => serde_json::json!({ "result": other }),
    };
    Ok(CallToolResult::structured(value).into())
}

/// A successful result whose text is `text`, with structured JSON beside it.
pub fn text_with_data(text: impl Into<String>, data: &impl Serialize) -> ToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(text.into())]);
    result.structured_content = Some(encode(data)?);
    Ok(result.into())
}

/// Collapses a tool outcome into what rmcp sends.
pub fn finish(result: ToolResult) -> CallToolResponse {
    result.unwrap_or_else(ToolError::into_response)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(JsonSchema)]
    #[allow(dead_code)] // only its schema is used
    struct Numbers {
        count: u32,
        offset: Option<u64>,
        id: i64,
        ratio: f64,
        small: u8,
        #[schemars(range(min = 1, max = 200))]
        limited: u32,
    }

    /// Every schemars number format is gone from a tool schema, and what it said is kept in
    /// standard keywords: unsigned types have `minimum: 0`, small ones their maximum (not the
    /// 32-bit one: no value meets it); bounds the type declares itself are not loosened.
    #[test]
    fn tool_schemas_carry_no_rust_number_formats() {
        let schema = serde_json::Value::Object(schema::<Numbers>().as_ref().clone());
        let text = schema.to_string();
        for format in ["uint32", "uint64", "int64", "double", "uint8"] {
            assert!(
                !text.contains(&format!("\"{format}\"")),
                "{format} left in {text}"
            );
        }
        let p = &schema["properties"];
        assert_eq!(
            (&p["count"]["minimum"], p["count"].get("maximum")),
            (&json!(0), None)
        );
        assert_eq!(p["offset"]["minimum"], 0);
        assert_eq!(p["offset"]["type"], "integer");
        assert_eq!(p["id"]["type"], "integer");
        assert_eq!(p["small"]["maximum"], 255);
        assert_eq!(
            (&p["limited"]["minimum"], &p["limited"]["maximum"]),
            (&json!(1), &json!(200))
        );
    }

    /// Standard formats stay; non-standard ones go at any depth (in `$defs`, in arrays).
    #[test]
    fn standard_formats_stay() {
        let mut schema = json!({
            "properties": {"at": {"type": "string", "format": "date-time"}},
            "$defs": {"N": {"anyOf": [{"type": "number", "format": "float"}, {"type": "null"}]}}
        });
        standard_formats_only(&mut schema);
        assert_eq!(schema["properties"]["at"]["format"], "date-time");
        assert_eq!(schema["$defs"]["N"]["anyOf"][0], json!({"type": "number"}));
    }
}
