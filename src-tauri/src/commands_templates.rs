//! IPC commands of the Templates screen: list, add, edit, delete, reset a built-in, and render
//! with sample values ("Try it"), each one call of llmgen-core's `templates` module (the same
//! calls as the template-manage tool and the MCP prompts).

use std::collections::BTreeMap;

use llmgen_core::{
    Store,
    catalog::{
        self,
        templates::{self, NewTemplate, RenderedTemplate, Template, TemplatePatch},
    },
};
use serde::Serialize;

use crate::commands::{AppState, blocking};

/// What the Templates screen lists.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TemplateList {
    /// Every stored template, sorted by name.
    items: Vec<Template>,
    /// The names of the shipped templates, so the screen can offer to restore a deleted one.
    builtins: Vec<String>,
}

/// The core's error sentence, which is what the screens show.
fn text(e: llmgen_core::CoreError) -> String {
    e.to_string()
}

// The commands' bodies, on a store: what the unit tests call.

fn list_in(store: &Store) -> Result<TemplateList, String> {
    Ok(TemplateList {
        items: catalog::list(store).map_err(text)?,
        builtins: templates::builtins().into_iter().map(|t| t.name).collect(),
    })
}

fn add_in(store: &Store, template: NewTemplate) -> Result<Template, String> {
    catalog::add(store, template).map_err(text)
}

fn update_in(store: &Store, name: &str, patch: TemplatePatch) -> Result<Template, String> {
    catalog::update(store, name, patch).map_err(text)
}

fn delete_in(store: &Store, name: &str) -> Result<(), String> {
    catalog::delete::<Template>(store, name).map_err(text)
}

fn reset_in(store: &Store, name: &str) -> Result<Template, String> {
    catalog::reset(store, name).map_err(text)
}

/// The stored template filled with `args`, as the template-generate tool renders it before
/// generating (here nothing is generated).
fn render_in(store: &Store, name: &str, args: &BTreeMap<String, String>) -> Result<RenderedTemplate, String> {
    let template: Template = catalog::get(store, name).map_err(text)?;
    templates::render(&template, args).map_err(text)
}

/// Every template and the built-ins' names (template-manage `list`).
#[tauri::command]
#[specta::specta]
pub async fn templates_list(state: tauri::State<'_, AppState>) -> Result<TemplateList, String> {
    let store = state.store()?;
    blocking(move || list_in(&store)).await
}

/// Adds a template (template-manage `add`); core's validation message on bad input.
#[tauri::command]
#[specta::specta]
pub async fn template_add(
    state: tauri::State<'_, AppState>,
    template: NewTemplate,
) -> Result<Template, String> {
    let store = state.store()?;
    blocking(move || add_in(&store, template)).await
}

/// Changes the given fields of a template (template-manage `update`).
#[tauri::command]
#[specta::specta]
pub async fn template_update(
    state: tauri::State<'_, AppState>,
    name: String,
    patch: TemplatePatch,
) -> Result<Template, String> {
    let store = state.store()?;
    blocking(move || update_in(&store, &name, patch)).await
}

/// Deletes a template (template-manage `delete`).
#[tauri::command]
#[specta::specta]
pub async fn template_delete(state: tauri::State<'_, AppState>, name: String) -> Result<(), String> {
    let store = state.store()?;
    blocking(move || delete_in(&store, &name)).await
}

/// Puts a built-in template back as shipped, recreating it if deleted (template-manage `reset`).
#[tauri::command]
#[specta::specta]
pub async fn template_reset(state: tauri::State<'_, AppState>, name: String) -> Result<Template, String> {
    let store = state.store()?;
    blocking(move || reset_in(&store, &name)).await
}

/// Renders a stored template with the given values; nothing is sent to a model.
#[tauri::command]
#[specta::specta]
pub async fn template_render(
    state: tauri::State<'_, AppState>,
    name: String,
    args: BTreeMap<String, String>,
) -> Result<RenderedTemplate, String> {
    let store = state.store()?;
    blocking(move || render_in(&store, &name, &args)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use llmgen_core::{catalog::templates::TemplateParameter, paths::DataDir};

    fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&DataDir::at(dir.path())).expect("store");
        (dir, store)
    }

    fn param(name: &str, required: bool, default: Option<&str>) -> TemplateParameter {
        TemplateParameter {
            name: name.into(),
            description: String::new(),
            required,
            default: default.map(Into::into),
        }
    }

    /// Proves: a template added from the form's JSON renders with the given values and its
    /// default; a missing required value and an unknown parameter come back as core's sentences.
    #[test]
    fn try_it_renders_the_stored_template_or_says_what_is_missing() {
        let (_dir, store) = temp_store();
        let input: NewTemplate = serde_json::from_value(serde_json::json!({
            "name": "greet",
            "systemPrompt": "Speak {tone}.",
            "userMessage": "Say hello to {who}.",
            "parameters": [
                {"name": "who", "description": "Whom to greet", "required": true},
                {"name": "tone", "description": "", "required": false, "default": "kindly"}
            ]
        }))
        .expect("the form's JSON");
        add_in(&store, input).expect("add");
        let args = BTreeMap::from([("who".to_string(), "Ada".to_string())]);
        let r = render_in(&store, "greet", &args).expect("render");
        assert_eq!(
            (r.system_prompt.as_str(), r.user_message.as_str()),
            ("Speak kindly.", "Say hello to Ada.")
        );
        let err = render_in(&store, "greet", &BTreeMap::new()).expect_err("missing");
        assert!(err.contains("needs a value for 'who'"), "{err}");
        let extra = BTreeMap::from([("mood".to_string(), "x".to_string())]);
        let err = render_in(&store, "greet", &extra).expect_err("unknown");
        assert!(err.contains("has no parameter 'mood'"), "{err}");
        let err = render_in(&store, "nope", &args).expect_err("no such template");
        assert!(err.contains("was not found"), "{err}");
    }

    /// Proves: a placeholder without a declared parameter is refused on add and on edit with
    /// core's sentence, and nothing is stored; a valid edit is stored.
    #[test]
    fn undeclared_placeholders_are_refused_on_add_and_edit() {
        let (_dir, store) = temp_store();
        let err = add_in(
            &store,
            NewTemplate {
                name: "t".into(),
                user_message: "About {topic}".into(),
                ..Default::default()
            },
        )
        .expect_err("undeclared");
        assert!(
            err.contains("{topic}") && err.contains("declares no parameter"),
            "{err}"
        );
        assert!(!list_in(&store).expect("list").items.iter().any(|t| t.name == "t"));
        add_in(
            &store,
            NewTemplate {
                name: "t".into(),
                user_message: "About {topic}".into(),
                parameters: vec![param("topic", true, None)],
                ..Default::default()
            },
        )
        .expect("add");
        let err = update_in(
            &store,
            "t",
            TemplatePatch {
                user_message: Some("About {topic} for {who}".into()),
                ..Default::default()
            },
        )
        .expect_err("undeclared on edit");
        assert!(err.contains("{who}"), "{err}");
        let t = update_in(
            &store,
            "t",
            TemplatePatch {
                user_message: Some("About {topic} for {who}".into()),
                parameters: Some(vec![param("topic", true, None), param("who", false, Some("all"))]),
                ..Default::default()
            },
        )
        .expect("edit");
        assert_eq!(t.parameters.len(), 2);
    }

    /// Proves: deleting a built-in keeps its name in the list's built-ins, and reset recreates it.
    #[test]
    fn a_deleted_builtin_can_be_restored() {
        let (_dir, store) = temp_store();
        let builtins = list_in(&store).expect("list").builtins;
        assert_eq!(builtins.len(), 4);
        let name = builtins[0].clone();
        delete_in(&store, &name).expect("delete");
        assert!(
            !list_in(&store)
                .expect("list")
                .items
                .iter()
                .any(|t| t.name == name)
        );
        assert!(reset_in(&store, &name).expect("reset").builtin);
        let err = delete_in(&store, "no-such").expect_err("missing");
        assert!(err.contains("was not found"), "{err}");
    }
}
