//! IPC commands of the Personas screen: list, add, edit, delete and reset a built-in, each one
//! call of llmgen-core's catalog (the same calls as the persona-manage tool), declared by the
//! shared catalog module.

use llmgen_core::catalog::personas::{NewPersona, Persona, PersonaPatch};

use super::catalog::catalog_commands;

catalog_commands! {
    Persona, NewPersona, PersonaPatch;
    PersonaList => personas_list, personas_add, personas_update, personas_delete, personas_reset
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::test_support::{from_ui, temp_store};
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
}
