//! IPC commands of the Personas screen: list, create, edit, delete and reset a built-in, each one
//! call of llmgen-core's `personas` module (the same calls as the persona-manage tool).

use llmgen_core::{
    Store,
    catalog::{
        self,
        personas::{self, NewPersona, Persona, PersonaPatch},
    },
};
use serde::Serialize;

use crate::commands::{AppState, blocking};

/// What the Personas screen lists.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PersonaList {
    /// Every stored persona, sorted by name.
    items: Vec<Persona>,
    /// The names of the shipped personas, so the screen can offer to restore a deleted one.
    builtins: Vec<String>,
}

/// The core's error sentence, which is what the screens show.
fn text(e: llmgen_core::CoreError) -> String {
    e.to_string()
}

// The commands' bodies, on a store: what the unit tests call.

fn list_in(store: &Store) -> Result<PersonaList, String> {
    Ok(PersonaList {
        items: catalog::list(store).map_err(text)?,
        builtins: personas::builtins().into_iter().map(|p| p.name).collect(),
    })
}

fn create_in(store: &Store, persona: NewPersona) -> Result<Persona, String> {
    catalog::add(store, persona).map_err(text)
}

fn update_in(store: &Store, name: &str, patch: PersonaPatch) -> Result<Persona, String> {
    catalog::update(store, name, patch).map_err(text)
}

fn delete_in(store: &Store, name: &str) -> Result<(), String> {
    catalog::delete::<Persona>(store, name).map_err(text)
}

fn reset_in(store: &Store, name: &str) -> Result<Persona, String> {
    catalog::reset(store, name).map_err(text)
}

/// Every persona and the built-ins' names (persona-manage `list`).
#[tauri::command]
#[specta::specta]
pub async fn personas_list(state: tauri::State<'_, AppState>) -> Result<PersonaList, String> {
    let store = state.store()?;
    blocking(move || list_in(&store)).await
}

/// Creates a persona (persona-manage `create`); core's validation message on bad input.
#[tauri::command]
#[specta::specta]
pub async fn persona_create(
    state: tauri::State<'_, AppState>,
    persona: NewPersona,
) -> Result<Persona, String> {
    let store = state.store()?;
    blocking(move || create_in(&store, persona)).await
}

/// Changes the given fields of a persona (persona-manage `update`).
#[tauri::command]
#[specta::specta]
pub async fn persona_update(
    state: tauri::State<'_, AppState>,
    name: String,
    patch: PersonaPatch,
) -> Result<Persona, String> {
    let store = state.store()?;
    blocking(move || update_in(&store, &name, patch)).await
}

/// Deletes a persona (persona-manage `delete`).
#[tauri::command]
#[specta::specta]
pub async fn persona_delete(state: tauri::State<'_, AppState>, name: String) -> Result<(), String> {
    let store = state.store()?;
    blocking(move || delete_in(&store, &name)).await
}

/// Puts a built-in persona back as shipped, recreating it if deleted (persona-manage `reset`).
#[tauri::command]
#[specta::specta]
pub async fn persona_reset(state: tauri::State<'_, AppState>, name: String) -> Result<Persona, String> {
    let store = state.store()?;
    blocking(move || reset_in(&store, &name)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use llmgen_core::{catalog::personas::PersonaSettings, paths::DataDir};

    fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&DataDir::at(dir.path())).expect("store");
        (dir, store)
    }

    /// Proves: the list carries every stored persona and the built-ins' names, so a deleted
    /// built-in can be offered for restoring, and reset brings it back as shipped.
    #[test]
    fn the_list_names_the_builtins_and_reset_restores_a_deleted_one() {
        let (_dir, store) = temp_store();
        let before = list_in(&store).expect("list");
        assert_eq!(before.items.len(), 6);
        assert!(before.builtins.iter().any(|b| b == "rational-advisor"));
        delete_in(&store, "rational-advisor").expect("delete");
        let after = list_in(&store).expect("list");
        assert_eq!(after.items.len(), 5);
        assert_eq!(after.builtins, before.builtins);
        let back = reset_in(&store, "rational-advisor").expect("reset");
        assert!(back.builtin);
        assert_eq!(list_in(&store).expect("list").items.len(), 6);
    }

    /// Proves: what the create form sends arrives as a persona; an empty system prompt and an
    /// out-of-range temperature come back as core's sentences, which the form shows.
    #[test]
    fn create_form_input_is_validated_by_core() {
        let (_dir, store) = temp_store();
        let input: NewPersona = serde_json::from_value(serde_json::json!({
            "name": "chef", "systemPrompt": "You cook.", "settings": {"temperature": 0.2}
        }))
        .expect("the form's JSON");
        let p = create_in(&store, input).expect("create");
        assert_eq!(p.settings.temperature, Some(0.2));
        let err = create_in(
            &store,
            NewPersona {
                name: "blank".into(),
                system_prompt: "  ".into(),
                ..Default::default()
            },
        )
        .expect_err("empty prompt");
        assert!(err.contains("non-empty systemPrompt"), "{err}");
        let err = update_in(
            &store,
            "chef",
            PersonaPatch {
                settings: Some(PersonaSettings {
                    temperature: Some(7.0),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .expect_err("range");
        assert!(err.contains("temperature"), "{err}");
        let err = create_in(
            &store,
            NewPersona {
                name: "bad name!".into(),
                system_prompt: "x".into(),
                ..Default::default()
            },
        )
        .expect_err("name");
        assert!(err.contains("is not allowed"), "{err}");
        let edited = update_in(
            &store,
            "chef",
            PersonaPatch {
                description: Some("Cooks things".into()),
                ..Default::default()
            },
        )
        .expect("edit");
        assert_eq!(
            (edited.description.as_str(), edited.settings.temperature),
            ("Cooks things", Some(0.2))
        );
        let err = reset_in(&store, "chef").expect_err("not a built-in");
        assert!(err.contains("not a built-in persona"), "{err}");
    }
}
