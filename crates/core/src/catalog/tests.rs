//! Unit tests of the generic catalog: each runs for templates and for personas, on an in-memory
//! store, and checks the messages users see word for word where a kind names itself.
//!
//! Items are written and read in their JSON shape (the one front ends use), so one sample
//! serves every kind: a field a kind does not have is ignored when parsing.

use serde::{Serialize, de::DeserializeOwned};
use serde_json::json;

use super::{personas::Persona, seed::seed, templates::Template, *};

/// A catalog kind the tests can build from JSON and read back as JSON.
trait Sample: CatalogItem<New: DeserializeOwned, Patch: DeserializeOwned> + Serialize + std::fmt::Debug {}

impl<T> Sample for T where
    T: CatalogItem<New: DeserializeOwned, Patch: DeserializeOwned> + Serialize + std::fmt::Debug
{
}

/// A valid user item named `name`: templates need a user message, personas a system prompt.
fn sample<T: Sample>(name: &str) -> T::New {
    let item = json!({
        "name": name,
        "description": "mine",
        "systemPrompt": "You help.",
        "userMessage": "Say hi.",
    });
    serde_json::from_value(item).expect("a new item")
}

/// A patch that changes the description only.
fn describe<T: Sample>(text: &str) -> T::Patch {
    serde_json::from_value(json!({ "description": text })).expect("a patch")
}

/// A patch whose result is invalid: it blanks the text each kind requires.
fn breaking<T: Sample>() -> T::Patch {
    serde_json::from_value(json!({ "systemPrompt": " ", "userMessage": " " })).expect("a patch")
}

fn field(item: &impl Serialize, key: &str) -> serde_json::Value {
    serde_json::to_value(item).expect("json")[key].clone()
}

fn is_builtin(item: &impl Serialize) -> bool {
    field(item, "builtin") == true
}

fn names<T: Sample>(store: &Store) -> Vec<String> {
    list::<T>(store)
        .expect("list")
        .iter()
        .map(|item| field(item, "name").as_str().expect("a name").to_string())
        .collect()
}

fn builtin_names<T: CatalogItem>() -> Vec<String> {
    let mut names: Vec<String> = T::builtins().iter().map(|b| T::name_of(b).to_string()).collect();
    names.sort();
    names
}

/// An empty, migrated database: nothing seeded yet.
fn unseeded() -> Store {
    Store::connect_in_memory().expect("store")
}

fn seeds_once<T: Sample>() {
    let store = unseeded();
    assert!(names::<T>(&store).is_empty());
    store.write(seed::<T>).expect("seed");
    assert_eq!(names::<T>(&store), builtin_names::<T>());
    assert!(list::<T>(&store).expect("list").iter().all(is_builtin));
    let first = builtin_names::<T>().remove(0);
    delete::<T>(&store, &first).expect("delete");
    store.write(seed::<T>).expect("seed again");
    assert!(
        !names::<T>(&store).contains(&first),
        "a deleted built-in came back"
    );
}

/// Built-ins are added once per database; one the user deleted does not come back.
#[test]
fn seeding_adds_each_builtin_once() {
    seeds_once::<Template>();
    seeds_once::<Persona>();
}

fn seeding_keeps<T: Sample>() {
    let store = unseeded();
    let first = builtin_names::<T>().remove(0);
    add::<T>(&store, sample::<T>(&first)).expect("add");
    store.write(seed::<T>).expect("seed");
    let kept = get::<T>(&store, &first).expect("get");
    assert!(
        !is_builtin(&kept) && field(&kept, "description") == "mine",
        "{kept:?}"
    );
}

/// A user's item that has a built-in's name is not overwritten by seeding.
#[test]
fn seeding_keeps_a_user_item_of_a_builtins_name() {
    seeding_keeps::<Template>();
    seeding_keeps::<Persona>();
}

fn adds_and_lists<T: Sample>(taken: &str) {
    let store = unseeded();
    add::<T>(&store, sample::<T>("zeta")).expect("add zeta");
    let alpha = add::<T>(&store, sample::<T>("alpha")).expect("add alpha");
    assert!(field(&alpha, "name") == "alpha" && field(&alpha, "description") == "mine");
    assert!(!is_builtin(&alpha));
    assert_eq!(names::<T>(&store), ["alpha", "zeta"]);
    let err = add::<T>(&store, sample::<T>("zeta")).expect_err("taken");
    assert_eq!(
        err.to_string(),
        format!("{taken} Choose another name, or use the update action to change it.")
    );
}

/// Added items come back from get and list (sorted by name); a taken name is refused.
#[test]
fn add_then_list_sorted_and_a_taken_name_is_refused() {
    adds_and_lists::<Template>("Template 'zeta' already exists.");
    adds_and_lists::<Persona>("Persona 'zeta' already exists.");
}

fn refuses_bad_name<T: Sample>(kind: &str) {
    let store = unseeded();
    let err = add::<T>(&store, sample::<T>("no spaces")).expect_err("bad name");
    assert!(
        err.to_string()
            .starts_with(&format!("{kind} name 'no spaces' is not allowed")),
        "{err}"
    );
    assert!(names::<T>(&store).is_empty());
}

/// Every kind checks names the same way, with its own word in the message.
#[test]
fn a_bad_name_is_refused_and_nothing_is_stored() {
    refuses_bad_name::<Template>("Template");
    refuses_bad_name::<Persona>("Persona");
}

/// The content of an item, without its stamps, in the order of its content columns.
fn content<T: CatalogItem>(item: T) -> Vec<Value> {
    T::values(&T::patched(item, T::Patch::default())).expect("values")
}

fn updates<T: Sample>() {
    let store = unseeded();
    let before = add::<T>(&store, sample::<T>("x")).expect("add");
    let after = update::<T>(&store, "x", describe::<T>("new words")).expect("update");
    assert_eq!(field(&after, "description"), "new words");
    let description = T::CONTENT_COLUMNS
        .iter()
        .position(|c| *c == "description")
        .expect("a description column");
    let (before, after) = (content(before), content(after));
    let changed: Vec<usize> = (0..before.len()).filter(|&i| before[i] != after[i]).collect();
    assert_eq!(changed, [description], "only the description changes");

    let err = update::<T>(&store, "x", breaking::<T>()).expect_err("invalid result");
    assert!(matches!(err, CoreError::Invalid(_)), "{err}");
    assert_eq!(
        field(&get::<T>(&store, "x").expect("get"), "description"),
        "new words"
    );
}

/// An update changes the given fields only, and is refused when its result is invalid (changing
/// nothing).
#[test]
fn update_changes_given_fields_and_validates_the_whole() {
    updates::<Template>();
    updates::<Persona>();
}

fn deletes<T: Sample>() {
    let store = unseeded();
    add::<T>(&store, sample::<T>("x")).expect("add");
    delete::<T>(&store, "x").expect("delete");
    assert!(names::<T>(&store).is_empty());
    assert!(get::<T>(&store, "x").is_err(), "a deleted item is still there");
}

/// Delete removes the item.
#[test]
fn delete_removes_the_item() {
    deletes::<Template>();
    deletes::<Persona>();
}

fn not_found<T: Sample>(expected: &str) {
    let store = unseeded();
    let errors = [
        get::<T>(&store, "nope").err(),
        update::<T>(&store, "nope", describe::<T>("d")).err(),
        delete::<T>(&store, "nope").err(),
    ];
    for err in errors {
        assert_eq!(err.map(|e| e.to_string()).as_deref(), Some(expected));
    }
}

/// Get, update and delete of a name that does not exist say so, with the way to list the names
/// that do.
#[test]
fn a_missing_name_is_not_found_with_the_way_to_list() {
    not_found::<Template>(
        "Template 'nope' was not found. List templates with template-manage action 'list'.",
    );
    not_found::<Persona>("Persona 'nope' was not found. List personas with persona-manage action 'list'.");
}

fn resets<T: Sample>(word: &str) {
    let store = Store::open_in_memory().expect("store");
    let first = builtin_names::<T>().remove(0);
    let shipped = get::<T>(&store, &first).expect("get");
    update::<T>(&store, &first, describe::<T>("changed")).expect("update");
    let restored = reset::<T>(&store, &first).expect("reset");
    assert!(is_builtin(&restored));
    assert_eq!(content(restored), content(shipped));

    delete::<T>(&store, &first).expect("delete");
    assert!(is_builtin(&reset::<T>(&store, &first).expect("reset deleted")));

    add::<T>(&store, sample::<T>("mine")).expect("add");
    let err = reset::<T>(&store, "mine").expect_err("not a built-in");
    let expected = format!(
        "'mine' is not a built-in {word}, so there is nothing to reset it to. Built-ins: {}.",
        T::builtins()
            .iter()
            .map(T::name_of)
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert_eq!(err.to_string(), expected);
}

/// Reset restores a changed or deleted built-in to its shipped content, and refuses a user item
/// with the list of built-ins.
#[test]
fn reset_restores_builtins_and_refuses_user_items() {
    resets::<Template>("template");
    resets::<Persona>("persona");
}

/// Every shipped item passes the checks a user's item does.
#[test]
fn every_builtin_is_valid() {
    for t in Template::builtins() {
        validate::<Template>(&t).expect(&t.name);
    }
    for p in Persona::builtins() {
        validate::<Persona>(&p).expect(&p.name);
    }
}
