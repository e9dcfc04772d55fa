//! IPC commands of the Personas screen: list, create, edit, delete and reset a built-in, each one
//! call of llmgen-core's `personas` module (the same calls as the persona-manage tool), declared
//! by the shared catalog module.

use llmgen_core::catalog::personas::{self, NewPersona, Persona, PersonaPatch};

use super::catalog::catalog_commands;

catalog_commands! {
    Personas over personas (add: create) holding Persona, NewPersona, PersonaPatch;
    PersonaList => personas_list, persona_create(persona), persona_update, persona_delete, persona_reset
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{catalog::Catalog, test_support::temp_store};
    use llmgen_core::catalog::personas::PersonaSettings;

    /// Proves: what the create form sends arrives as a persona; an empty system prompt and an
    /// out-of-range temperature come back as core's sentences, which the form shows.
    #[test]
    fn create_form_input_is_validated_by_core() {
        let (_dir, store) = temp_store();
        let input: NewPersona = serde_json::from_value(serde_json::json!({
            "name": "chef", "systemPrompt": "You cook.", "settings": {"temperature": 0.2}
        }))
        .expect("the form's JSON");
        let p = Personas::add(&store, input).expect("create");
        assert_eq!(p.settings.temperature, Some(0.2));
        let err = Personas::add(
            &store,
            NewPersona {
                name: "blank".into(),
                system_prompt: "  ".into(),
                ..Default::default()
            },
        )
        .expect_err("empty prompt")
        .to_string();
        assert!(err.contains("non-empty systemPrompt"), "{err}");
        let err = Personas::update(
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
        .expect_err("range")
        .to_string();
        assert!(err.contains("temperature"), "{err}");
        let err = Personas::add(
            &store,
            NewPersona {
                name: "bad name!".into(),
                system_prompt: "x".into(),
                ..Default::default()
            },
        )
        .expect_err("name")
        .to_string();
        assert!(err.contains("is not allowed"), "{err}");
        let edited = Personas::update(
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
        let err = Personas::reset(&store, "chef")
            .expect_err("not a built-in")
            .to_string();
        assert!(err.contains("not a built-in persona"), "{err}");
    }
}
