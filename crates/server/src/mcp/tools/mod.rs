//! The MCP tools: typed parameters and one thin adapter per tool over llmgen-core, by group
//! (generation, templates and personas, contexts). Tools come in groups that settings can hide.

mod catalog;
mod conversation;
mod generation;
mod params;

use std::collections::BTreeMap;

pub use params::*;

use llmgen_core::generation::{GenerationRequest, ProviderChoice};
use rmcp::model::CallToolResponse;
use serde::Serialize;

use super::{
    LlmGenServer,
    args::{ToolError, ToolResult, text_with_data},
    generate::{Call, Outcome},
};

// ---------------------------------------------------------------------------------------------
// Results

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GenerateOutput<'a> {
    text: &'a str,
    model: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_reason: Option<&'a str>,
    route: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<&'a llmgen_core::generation::TokenUsage>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

fn arg_text(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

fn string_args(args: BTreeMap<String, serde_json::Value>) -> BTreeMap<String, String> {
    args.into_iter().map(|(k, v)| (k, arg_text(v))).collect()
}

impl LlmGenServer {
    /// Runs a generation and turns the outcome into the tool's response; `after` sees the
    /// generated text before the result is returned (context-chat stores it there).
    async fn run_generation(
        &self,
        call: Call<'_>,
        request: GenerationRequest,
        route: (&ProviderChoice, Option<&str>),
        mut notes: Vec<String>,
        after: impl FnOnce(&llmgen_core::generation::Generated) -> Result<serde_json::Value, ToolError>,
    ) -> ToolResult {
        let (choice, model) = route;
        let request = request.validate()?;
        match super::generate::generate(&self.inner, call, request, choice, model).await? {
            Outcome::InputRequired(input) => Ok(CallToolResponse::InputRequired(input)),
            Outcome::Generated(generated, route_notes) => {
                notes.extend(route_notes);
                self.inner.metrics.record_generation(&generated.route);
                let extra = after(&generated)?;
                let mut data = serde_json::to_value(GenerateOutput {
                    text: &generated.text,
                    model: &generated.model,
                    stop_reason: generated.stop_reason.as_deref(),
                    route: &generated.route,
                    usage: generated.usage.as_ref(),
                    notes: &notes,
                })
                .map_err(|e| ToolError(e.to_string()))?;
                if let (Some(obj), serde_json::Value::Object(more)) = (data.as_object_mut(), extra) {
                    obj.extend(more);
                }
                text_with_data(generated.text.clone(), &data)
            }
        }
    }
}
