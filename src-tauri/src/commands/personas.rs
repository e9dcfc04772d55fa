//! IPC commands of the Personas screen: list, add, edit, delete and reset a built-in, each one
//! call of llmgen-core's catalog (the same calls as the persona-manage tool), declared by the
//! shared catalog module; and the team: the personas in tree order, and one persona with its
//! effective values (inherited restrictions, effective system prompt), from `llmgen_core::team`.

use llmgen_core::{
    Store,
    catalog::personas::{NewPersona, Persona, PersonaPatch},
    team::{self, PersonaView, TeamMember},
};

use super::{AppState, IpcError, catalog::catalog_commands, catalog::on_store};

catalog_commands! {
    Persona, NewPersona, PersonaPatch;
    PersonaList => personas_list, personas_add, personas_update, personas_delete, personas_reset
}

fn team_in(store: &Store) -> llmgen_core::Result<Vec<TeamMember>> {
    team::members(store)
}

fn view_in(store: &Store, name: &str) -> llmgen_core::Result<PersonaView> {
    team::view(store, name)
}

/// Every persona in tree order (each root by name, then its children depth first), with its
/// depth and role: the Personas screen draws its tree from this.
#[tauri::command]
#[specta::specta]
pub async fn personas_team(state: tauri::State<'_, AppState>) -> Result<Vec<TeamMember>, IpcError> {
    on_store(&state, team_in).await
}

/// A persona with its own and its effective values: the restrictions in force with whose each
/// is, the effective system prompt, its ancestors and children (persona-manage `get`).
#[tauri::command]
#[specta::specta]
pub async fn persona_view(state: tauri::State<'_, AppState>, name: String) -> Result<PersonaView, IpcError> {
    on_store(&state, move |store| view_in(store, &name)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{
        error::IpcErrorKind,
        test_support::{from_ui, temp_store},
    };
    use llmgen_core::catalog;
    use serde_json::json;

    /// Proves: what the create form sends arrives as a persona; an empty system prompt, an
    /// out-of-range temperature and a bad name come back as core's sentences, which the form
    /// shows; an edit keeps the settings it does not send; only a built-in can be reset.
    #[test]
    fn create_form_input_is_validated_by_core() {
        let (_dir, store) = temp_store();
        let add = |input| catalog::add::<Persona>(&store, from_ui(input));
        let update = |input| catalog::update::<Persona>(&store, "chef", from_ui(input));
        let chef =
            add(json!({"name": "chef", "systemPrompt": "You cook.", "settings": {"temperature": 0.2}}));
        assert_eq!(chef.expect("create").settings.temperature, Some(0.2));
        let err = add(json!({"name": "blank", "systemPrompt": "  "})).expect_err("empty prompt");
        assert!(err.to_string().contains("non-empty systemPrompt"), "{err}");
        let err = update(json!({"settings": {"temperature": 7.0}})).expect_err("range");
        assert!(err.to_string().contains("temperature"), "{err}");
        let err = add(json!({"name": "bad name!", "systemPrompt": "x"})).expect_err("name");
        assert!(err.to_string().contains("is not allowed"), "{err}");
        let edited = update(json!({"description": "Cooks things"})).expect("edit");
        assert_eq!(
            (edited.description.as_str(), edited.settings.temperature),
            ("Cooks things", Some(0.2))
        );
        let err = catalog::reset::<Persona>(&store, "chef").expect_err("not a built-in");
        assert!(err.to_string().contains("not a built-in persona"), "{err}");
    }

    /// Proves, with what the editor sends: a parent, a role, expertise and restrictions set from
    /// the form arrive; the tree lists the child under its parent one level deeper; the child's
    /// effective values hold its own rule, then its parent's, each with where it comes from,
    /// both appended to its prompt; a cycle, a missing parent and deleting a persona that heads
    /// others are refused with core's sentences; "" as parent makes a persona a root again.
    #[test]
    fn the_editor_builds_a_team_and_shows_inherited_rules() {
        let (_dir, store) = temp_store();
        let add = |input| catalog::add::<Persona>(&store, from_ui(input));
        let update = |name: &str, input| catalog::update::<Persona>(&store, name, from_ui(input));
        add(json!({"name": "lead", "description": "", "systemPrompt": "You lead.", "personality": "",
            "settings": {}, "parent": "", "role": "lead", "expertise": [], "restrictions": ["Never share secrets."]}))
        .expect("lead");
        let child = add(
            json!({"name": "writer", "description": "", "systemPrompt": "You write.", "personality": "",
            "settings": {}, "parent": "lead", "role": "specialist", "expertise": ["poems", "haiku"],
            "restrictions": ["Keep it short."]}),
        )
        .expect("child");
        assert_eq!(child.parent.as_deref(), Some("lead"));
        assert_eq!(child.expertise, ["poems", "haiku"]);

        let tree: Vec<_> = team_in(&store)
            .expect("team")
            .into_iter()
            .filter(|m| m.name == "lead" || m.name == "writer")
            .map(|m| (m.name, m.depth, m.role))
            .collect();
        assert_eq!(
            tree,
            [
                ("lead".to_string(), 0, team::Role::Lead),
                ("writer".to_string(), 1, team::Role::Specialist)
            ]
        );

        let view = view_in(&store, "writer").expect("view");
        let rules: Vec<_> = view
            .effective_restrictions
            .iter()
            .map(|r| (r.from.as_str(), r.rule.as_str()))
            .collect();
        assert_eq!(
            rules,
            [("writer", "Keep it short."), ("lead", "Never share secrets.")]
        );
        assert!(
            view.effective_system_prompt.starts_with("You write.")
                && view
                    .effective_system_prompt
                    .contains("Never share secrets. (set by 'lead'"),
            "{}",
            view.effective_system_prompt
        );
        assert_eq!(view.ancestors, ["lead"]);

        let refused = |e: llmgen_core::CoreError, words: &str| {
            let e = IpcError::from(e);
            assert_eq!(e.kind, IpcErrorKind::Invalid);
            assert!(e.message.contains(words), "{}", e.message);
        };
        refused(
            update("lead", json!({"parent": "writer"})).expect_err("cycle"),
            "circle",
        );
        refused(
            update("writer", json!({"parent": "nobody"})).expect_err("missing"),
            "does not exist",
        );
        refused(
            catalog::delete::<Persona>(&store, "lead").expect_err("heads writer"),
            "writer",
        );
        let root = update("writer", json!({"parent": ""})).expect("root again");
        assert_eq!(root.parent, None);
        let err = IpcError::from(view_in(&store, "nobody").expect_err("missing"));
        assert_eq!(err.kind, IpcErrorKind::NotFound);
    }
}
