//! IPC commands of the Templates screen: list, add, edit, delete, reset a built-in (declared by
//! the shared catalog module), and render with sample values ("Try it"), each one call of
//! llmgen-core's catalog or `templates` module (the same calls as the template-manage tool and
//! the MCP prompts).

use std::collections::BTreeMap;

use llmgen_core::{
    Store,
    catalog::{
        self,
        templates::{self, NewTemplate, RenderedTemplate, Template, TemplatePatch},
    },
};

use super::{
    AppState, IpcError,
    catalog::{catalog_commands, on_store},
};

catalog_commands! {
    Template, NewTemplate, TemplatePatch;
    TemplateList => templates_list, templates_add, templates_update, templates_delete, templates_reset
}

/// The stored template filled with `args`, as the template-generate tool renders it before
/// generating (here nothing is generated).
fn render_in(
    store: &Store,
    name: &str,
    args: &BTreeMap<String, String>,
) -> llmgen_core::Result<RenderedTemplate> {
    templates::render(&catalog::get::<Template>(store, name)?, args)
}

/// Renders a stored template with the given values; nothing is sent to a model.
#[tauri::command]
#[specta::specta]
pub async fn template_render(
    state: tauri::State<'_, AppState>,
    name: String,
    args: BTreeMap<String, String>,
) -> Result<RenderedTemplate, IpcError> {
    on_store(&state, move |store| render_in(store, &name, &args)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::test_support::{from_ui, temp_store};
    use serde_json::json;

    /// Proves: a template added from the form's JSON renders with the given values and its
    /// default; a missing required value and an unknown parameter come back as core's sentences.
    #[test]
    fn try_it_renders_the_stored_template_or_says_what_is_missing() {
        let (_dir, store) = temp_store();
        let input = json!({
            "name": "greet",
            "systemPrompt": "Speak {tone}.",
            "userMessage": "Say hello to {who}.",
            "parameters": [
                {"name": "who", "description": "Whom to greet", "required": true},
                {"name": "tone", "description": "", "required": false, "default": "kindly"}
            ]
        });
        catalog::add::<Template>(&store, from_ui(input)).expect("add");
        let args = BTreeMap::from([("who".to_string(), "Ada".to_string())]);
        let r = render_in(&store, "greet", &args).expect("render");
        assert_eq!(
            (r.system_prompt.as_str(), r.user_message.as_str()),
            ("Speak kindly.", "Say hello to Ada.")
        );
        let err = render_in(&store, "greet", &BTreeMap::new()).expect_err("missing");
        assert!(err.to_string().contains("needs a value for 'who'"), "{err}");
        let extra = BTreeMap::from([("mood".to_string(), "x".to_string())]);
        let err = render_in(&store, "greet", &extra).expect_err("unknown");
        assert!(err.to_string().contains("has no parameter 'mood'"), "{err}");
        let err = render_in(&store, "nope", &args).expect_err("no such template");
        assert!(err.to_string().contains("was not found"), "{err}");
    }

    /// Proves: a placeholder without a declared parameter is refused on add and on edit with
    /// core's sentence, and nothing is stored; a valid edit is stored.
    #[test]
    fn undeclared_placeholders_are_refused_on_add_and_edit() {
        let (_dir, store) = temp_store();
        let add = |input| catalog::add::<Template>(&store, from_ui(input));
        let update = |input| catalog::update::<Template>(&store, "t", from_ui(input));
        let topic = json!({"name": "topic", "description": "", "required": true});
        let err = add(json!({"name": "t", "userMessage": "About {topic}"})).expect_err("undeclared");
        let err = err.to_string();
        assert!(
            err.contains("{topic}") && err.contains("declares no parameter"),
            "{err}"
        );
        assert!(
            !catalog::list::<Template>(&store)
                .expect("list")
                .iter()
                .any(|t| t.name == "t")
        );
        add(json!({"name": "t", "userMessage": "About {topic}", "parameters": [topic]})).expect("add");
        let err = update(json!({"userMessage": "About {topic} for {who}"})).expect_err("undeclared on edit");
        assert!(err.to_string().contains("{who}"), "{err}");
        let who = json!({"name": "who", "description": "", "required": false, "default": "all"});
        let edited = update(json!({"userMessage": "About {topic} for {who}", "parameters": [topic, who]}));
        assert_eq!(edited.expect("edit").parameters.len(), 2);
    }
}
