//! The MCP tools: typed parameters and one thin adapter per tool over llmgen-core, by group
//! (generation, templates and personas, contexts, memory, team). Tools come in groups that settings can hide.

mod catalog;
mod conversation;
mod generation;
mod memory;
mod memory_compat;
mod params;
mod team;

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

/// The annotations of a listed tool without the hints that say what MCP assumes anyway
/// (`readOnlyHint: false`, `destructiveHint: true`, `idempotentHint: false`, `openWorldHint:
/// true`), and without `idempotentHint` on a read-only tool, where the specification calls it
/// meaningless: the meaning is the same, and the tool list goes with every model request.
/// `destructiveHint: false` stays on read-only tools, for clients that read it alone (its default
/// would say "destructive"). Tools still state every hint in their `#[tool]` attribute.
pub(super) fn annotations_without_defaults(tool: &mut rmcp::model::Tool) {
    let Some(a) = tool.annotations.as_mut() else {
        return;
    };
    if a.read_only_hint == Some(true) {
        a.idempotent_hint = None;
    }
    if a.read_only_hint == Some(false) {
        a.read_only_hint = None;
    }
    if a.destructive_hint == Some(true) {
        a.destructive_hint = None;
    }
    if a.idempotent_hint == Some(false) {
        a.idempotent_hint = None;
    }
    if a.open_world_hint == Some(true) {
        a.open_world_hint = None;
    }
}

#[cfg(test)]
mod annotation_tests {
    use rmcp::model::{Tool, ToolAnnotations};

    use super::annotations_without_defaults;

    fn listed(read_only: bool, destructive: bool, idempotent: bool, open_world: bool) -> ToolAnnotations {
        let mut tool = Tool::new("t", "d", std::sync::Arc::new(Default::default()));
        tool.annotations = Some(ToolAnnotations::from_raw(
            Some("T".into()),
            Some(read_only),
            Some(destructive),
            Some(idempotent),
            Some(open_world),
        ));
        annotations_without_defaults(&mut tool);
        tool.annotations.expect("annotations stay")
    }

    /// Proves: what differs from MCP's defaults is kept and the rest goes; a read-only tool keeps
    /// no idempotent hint but says it is not destructive; the title always stays.
    #[test]
    fn only_hints_that_differ_from_the_defaults_are_listed() {
        let a = listed(false, true, false, true);
        assert_eq!(
            (
                a.title.as_deref(),
                a.read_only_hint,
                a.destructive_hint,
                a.idempotent_hint,
                a.open_world_hint
            ),
            (Some("T"), None, None, None, None)
        );
        let a = listed(false, false, true, false);
        assert_eq!(
            (
                a.read_only_hint,
                a.destructive_hint,
                a.idempotent_hint,
                a.open_world_hint
            ),
            (None, Some(false), Some(true), Some(false))
        );
        let a = listed(true, false, true, false);
        assert_eq!(
            (
                a.read_only_hint,
                a.destructive_hint,
                a.idempotent_hint,
                a.open_world_hint
            ),
            (Some(true), Some(false), None, Some(false))
        );
    }
}

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
