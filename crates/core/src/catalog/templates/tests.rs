//! Unit tests of templates: placeholders, rendering, validation and the built-ins.

use super::*;
use crate::{
    Store,
    catalog::{add, delete, get, list, reset, update},
};

fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn template(user: &str, params: Vec<TemplateParameter>) -> Template {
    Template {
        name: "t".into(),
        description: String::new(),
        system_prompt: String::new(),
        user_message: user.into(),
        parameters: params,
        builtin: false,
        created_at: String::new(),
        updated_at: String::new(),
    }
}

#[test]
fn a_value_is_never_substituted_again() {
    let t = template("{a} and {b}", vec![param("a", "", None), param("b", "", None)]);
    let out = render(&t, &args(&[("a", "{b}"), ("b", "$1 $& \\0")])).expect("render");
    assert_eq!(out.user_message, "{b} and $1 $& \\0");
}

#[test]
fn doubled_braces_and_non_placeholder_braces_stay_literal() {
    let t = template("{{x}} {\"json\": 1} { x} {x}", vec![param("x", "", None)]);
    let out = render(&t, &args(&[("x", "V")])).expect("render");
    assert_eq!(out.user_message, "{x} {\"json\": 1} { x} V");
}

#[test]
fn defaults_fill_missing_values_and_missing_required_values_are_named() {
    let t = template(
        "{a}-{b}-{c}",
        vec![
            param("a", "", None),
            param("b", "", Some("B")),
            TemplateParameter {
                required: false,
                ..param("c", "", None)
            },
        ],
    );
    assert_eq!(
        render(&t, &args(&[("a", "A")])).expect("render").user_message,
        "A-B-"
    );
    assert_eq!(
        render(&t, &args(&[("a", "A"), ("b", " ")]))
            .expect("render")
            .user_message,
        "A-B-",
        "an empty value keeps the default"
    );
    assert!(
        render(&t, &args(&[("a", "")])).is_err(),
        "an empty required value is missing"
    );
    let err = render(&t, &args(&[])).expect_err("a is required");
    assert!(err.to_string().contains("'a'"), "{err}");
}

#[test]
fn unknown_arguments_are_refused_with_the_list_of_parameters() {
    let t = template("{a}", vec![param("a", "", None)]);
    let err = render(&t, &args(&[("a", "1"), ("z", "2")])).expect_err("z is unknown");
    assert!(
        err.to_string().contains("'z'") && err.to_string().contains("a (required)"),
        "{err}"
    );
}

#[test]
fn saving_a_template_with_an_undeclared_placeholder_fails() {
    let store = Store::open_in_memory().expect("store");
    let err = add::<Template>(
        &store,
        NewTemplate {
            name: "x".into(),
            user_message: "Hi {who}".into(),
            ..Default::default()
        },
    )
    .expect_err("undeclared");
    assert!(err.to_string().contains("{who}"), "{err}");
    assert!(
        list::<Template>(&store)
            .expect("list")
            .iter()
            .all(|t| t.name != "x")
    );
}

#[test]
fn builtins_are_seeded_once_and_a_deleted_one_stays_deleted_until_reset() {
    let dir = tempfile::tempdir().expect("dir");
    let data = crate::paths::DataDir::at(dir.path());
    let store = Store::open(&data).expect("open");
    let names: Vec<String> = list::<Template>(&store)
        .expect("list")
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(
        names,
        [
            "code-review",
            "explain-topic",
            "summarize-content",
            "translate-text"
        ]
    );
    delete::<Template>(&store, "code-review").expect("delete");
    drop(store);
    let store = Store::open(&data).expect("reopen");
    assert!(
        get::<Template>(&store, "code-review").is_err(),
        "a deleted built-in came back"
    );
    let restored = reset::<Template>(&store, "code-review").expect("reset");
    assert!(restored.builtin);
    assert_eq!(restored.parameters.len(), 3);
}

#[test]
fn update_keeps_unset_fields_and_validates_the_result() {
    let store = Store::open_in_memory().expect("store");
    add::<Template>(
        &store,
        NewTemplate {
            name: "greet".into(),
            description: "d".into(),
            user_message: "Hi {who}".into(),
            parameters: vec![param("who", "", None)],
            ..Default::default()
        },
    )
    .expect("add");
    let err = update::<Template>(
        &store,
        "greet",
        TemplatePatch {
            parameters: Some(vec![]),
            ..Default::default()
        },
    )
    .expect_err("now undeclared");
    assert!(err.to_string().contains("{who}"));
    let t = update::<Template>(
        &store,
        "greet",
        TemplatePatch {
            user_message: Some("Hello {who}!".into()),
            ..Default::default()
        },
    )
    .expect("update");
    assert_eq!(
        (t.description.as_str(), t.user_message.as_str()),
        ("d", "Hello {who}!")
    );
}
