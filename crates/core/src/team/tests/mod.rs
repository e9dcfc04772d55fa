//! The team's rules, each through the public functions every front end calls: the tree, its
//! rules and the roles here, the delegation records in `delegations`.

use super::{
    delegation::{self, DelegationFilter, DelegationRequest, Kind, Priority, Status},
    *,
};
use crate::{
    Store,
    catalog::{self, personas::NewPersona, personas::PersonaPatch},
    conversation::contexts,
    generation::Generated,
    memory::{self, NewMemory, Permission},
};

pub(super) fn persona(
    store: &Store,
    name: &str,
    parent: Option<&str>,
    role: Role,
    expertise: &[&str],
    rules: &[&str],
) {
    catalog::add::<Persona>(
        store,
        NewPersona {
            name: name.into(),
            system_prompt: format!("You are {name}."),
            parent: parent.map(Into::into),
            role,
            expertise: expertise.iter().map(|e| e.to_string()).collect(),
            restrictions: rules.iter().map(|r| r.to_string()).collect(),
            ..Default::default()
        },
    )
    .expect("add persona");
}

/// boss (lead) → analyst (specialist) → junior (assistant); critic (reviewer) under boss;
/// watcher (observer) a root.
pub(super) fn team() -> Store {
    let store = Store::open_in_memory().expect("store");
    persona(
        &store,
        "boss",
        None,
        Role::Lead,
        &["planning"],
        &["Never share salaries."],
    );
    persona(
        &store,
        "analyst",
        Some("boss"),
        Role::Specialist,
        &["sql", "reporting"],
        &["Cite the table you used."],
    );
    persona(
        &store,
        "junior",
        Some("analyst"),
        Role::Assistant,
        &["sql"],
        &["Answer in English."],
    );
    persona(&store, "critic", Some("boss"), Role::Reviewer, &["review"], &[]);
    persona(&store, "watcher", None, Role::Observer, &["sql"], &[]);
    store
}

pub(super) fn reply(text: &str) -> Generated {
    Generated {
        text: text.into(),
        model: "m".into(),
        stop_reason: None,
        route: "local".into(),
        usage: None,
    }
}

pub(super) fn by_expertise(items: &[&str]) -> Target {
    Target::Expertise(items.iter().map(|e| e.to_string()).collect())
}

pub(super) fn delegate(store: &Store, from: &Actor, target: Target) -> crate::Result<delegation::Started> {
    delegation::start(
        store,
        from,
        &DelegationRequest {
            task: "Count last week's orders.".into(),
            target,
            priority: Priority::High,
        },
    )
}

#[test]
fn a_cycle_and_a_missing_parent_are_refused_and_the_tree_is_unchanged() {
    let store = team();
    let err = catalog::update::<Persona>(
        &store,
        "boss",
        PersonaPatch {
            parent: Some("junior".into()),
            ..Default::default()
        },
    )
    .expect_err("cycle");
    assert!(err.to_string().contains("circle"), "{err}");
    assert!(
        err.to_string().contains("boss → junior → analyst → boss"),
        "{err}"
    );
    let err = catalog::update::<Persona>(
        &store,
        "boss",
        PersonaPatch {
            parent: Some("boss".into()),
            ..Default::default()
        },
    )
    .expect_err("self");
    assert!(err.to_string().contains("its own parent"), "{err}");
    persona_err(&store, "ghost-child", Some("nobody"), "does not exist");
    assert_eq!(
        catalog::get::<Persona>(&store, "boss").expect("boss").parent,
        None
    );
}

fn persona_err(store: &Store, name: &str, parent: Option<&str>, says: &str) {
    let err = catalog::add::<Persona>(
        store,
        NewPersona {
            name: name.into(),
            system_prompt: "x".into(),
            parent: parent.map(Into::into),
            ..Default::default()
        },
    )
    .expect_err("refused");
    assert!(err.to_string().contains(says), "{err}");
}

#[test]
fn a_grandchild_keeps_its_ancestors_restrictions_in_its_prompt_and_its_contexts() {
    let store = team();
    let view = view(&store, "junior").expect("view");
    let froms: Vec<&str> = view
        .effective_restrictions
        .iter()
        .map(|r| r.from.as_str())
        .collect();
    assert_eq!(
        froms,
        ["junior", "analyst", "boss"],
        "own first, then nearest ancestor first"
    );
    assert_eq!(view.ancestors, ["analyst", "boss"]);
    let prompt = &view.effective_system_prompt;
    let own = prompt.find("Answer in English.").expect("own rule");
    let parent = prompt.find("Cite the table").expect("parent's rule");
    let top = prompt
        .find("Never share salaries. (set by 'boss'")
        .expect("grandparent's rule");
    assert!(
        prompt.starts_with("You are junior.") && own < parent && parent < top,
        "{prompt}"
    );
    // A context created from junior with its own prompt still gets every rule, as the team is
    // now: a rule added to boss later reaches it too.
    let ctx = contexts::create_from_persona(
        &store,
        "junior",
        contexts::NewContext {
            system_prompt: "Only talk about cats.".into(),
            ..Default::default()
        },
    )
    .expect("context");
    catalog::update::<Persona>(
        &store,
        "boss",
        PersonaPatch {
            restrictions: Some(vec!["Never share salaries.".into(), "Be polite.".into()]),
            ..Default::default()
        },
    )
    .expect("new rule");
    let plan = crate::conversation::chat::prepare_with(
        &store,
        &ctx.id,
        "hi",
        crate::conversation::chat::Personality::Leave,
    )
    .expect("plan");
    let system = plan.request.system_prompt.expect("system prompt");
    assert!(system.starts_with("Only talk about cats."), "{system}");
    for rule in [
        "Answer in English.",
        "Cite the table",
        "Never share salaries.",
        "Be polite.",
    ] {
        assert!(system.contains(rule), "{rule} missing: {system}");
    }
}

#[test]
fn a_persona_that_heads_others_cannot_be_deleted() {
    let store = team();
    let err = catalog::delete::<Persona>(&store, "analyst").expect_err("heads junior");
    assert!(err.to_string().contains("junior"), "{err}");
    catalog::delete::<Persona>(&store, "junior").expect("a leaf goes");
    catalog::delete::<Persona>(&store, "analyst").expect("now a leaf");
}

#[test]
fn roles_limit_memory_writes() {
    let store = team();
    let user = Actor::User;
    let editable = memory::create(
        &store,
        &user,
        NewMemory {
            title: "Team notes".into(),
            content: "shared".into(),
            permission: Some(Permission::Editable),
            ..Default::default()
        },
    )
    .expect("user note");
    let note = |title: &str| NewMemory {
        title: title.into(),
        content: "c".into(),
        ..Default::default()
    };
    let patch = memory::MemoryPatch {
        content: Some("changed".into()),
        ..Default::default()
    };
    // The observer writes nothing, even its own notes, but reads shared ones.
    let watcher = Actor::Persona("watcher".into());
    let err = memory::create(&store, &watcher, note("mine")).expect_err("observer");
    assert!(err.to_string().contains("observer"), "{err}");
    memory::update(&store, &watcher, editable.id, patch.clone()).expect_err("observer edits nothing");
    memory::get(&store, &watcher, editable.id).expect("observer reads");
    // The reviewer writes its own notes (its reviews), not others' editable ones.
    let critic = Actor::Persona("critic".into());
    let review = memory::create(&store, &critic, note("review")).expect("own note");
    memory::update(&store, &critic, review.id, patch.clone()).expect("own note again");
    let err = memory::update(&store, &critic, editable.id, patch.clone()).expect_err("not others'");
    assert!(err.to_string().contains("reviewer"), "{err}");
    // Assistants, specialists and leads write their own and editable notes.
    for name in ["junior", "analyst", "boss"] {
        let actor = Actor::Persona(name.into());
        memory::create(&store, &actor, note(name)).expect("own");
        memory::update(&store, &actor, editable.id, patch.clone()).expect("editable");
    }
}

#[test]
fn who_may_delegate_to_whom() {
    let store = team();
    let as_ = |n: &str| Actor::Persona(n.into());
    // A lead: anyone below it, at any depth.
    delegate(&store, &as_("boss"), Target::Persona("junior".into())).expect("lead → grandchild");
    // A specialist: the personas below it, not beside or above it.
    delegate(&store, &as_("analyst"), Target::Persona("junior".into())).expect("specialist → child");
    let err = delegate(&store, &as_("analyst"), Target::Persona("critic".into())).expect_err("sibling");
    assert!(err.to_string().contains("below it"), "{err}");
    delegate(&store, &as_("analyst"), Target::Persona("boss".into())).expect_err("above");
    // Assistants, reviewers and observers do not delegate.
    for name in ["junior", "critic", "watcher"] {
        let err = delegate(&store, &as_(name), by_expertise(&["sql"])).expect_err("no delegation");
        assert!(err.to_string().contains("may not delegate"), "{name}: {err}");
    }
    // The user may delegate to anyone.
    delegate(&store, &Actor::User, Target::Persona("watcher".into())).expect("user → anyone");
}

#[test]
fn expertise_then_distance_then_name_chooses_and_the_choice_is_explained() {
    let store = team();
    // From boss: analyst (sql + reporting) beats junior (sql only).
    let c = choose(
        &store,
        &Actor::Persona("boss".into()),
        &by_expertise(&["SQL", "reporting"]),
    )
    .expect("choice");
    assert_eq!(c.persona, "analyst");
    assert!(c.reason.contains("2 of the 2"), "{}", c.reason);
    // Only sql: analyst is 1 step from boss, junior 2: the nearer wins.
    let c = choose(&store, &Actor::Persona("boss".into()), &by_expertise(&["sql"])).expect("choice");
    assert_eq!((c.persona.as_str(), c.candidates.len()), ("analyst", 2));
    // The user: watcher (a root, depth 0) and analyst (depth 1) and junior (2) have sql: watcher.
    let c = choose(&store, &Actor::User, &by_expertise(&["sql"])).expect("choice");
    assert_eq!(c.persona, "watcher");
    // A tie is broken by name and said.
    persona(&store, "aaron", None, Role::Assistant, &["sql"], &[]);
    let c = choose(&store, &Actor::User, &by_expertise(&["sql"])).expect("choice");
    assert_eq!(
        (c.persona.as_str(), c.ties.as_slice()),
        ("aaron", &["watcher".to_string()][..])
    );
    assert!(c.reason.contains("Tied with 'watcher'"), "{}", c.reason);
    // Nobody has it: the error lists what exists.
    let err = choose(&store, &Actor::User, &by_expertise(&["welding"])).expect_err("none");
    assert!(err.to_string().contains("analyst (sql, reporting)"), "{err}");
}

#[test]
fn a_parent_given_with_spaces_is_stored_as_the_persona_it_names() {
    let store = team();
    catalog::update::<Persona>(
        &store,
        "watcher",
        PersonaPatch {
            parent: Some("  boss ".into()),
            ..Default::default()
        },
    )
    .expect("parent");
    assert_eq!(
        catalog::get::<Persona>(&store, "watcher")
            .expect("get")
            .parent
            .as_deref(),
        Some("boss")
    );
    let rules = view(&store, "watcher").expect("view").effective_restrictions;
    assert!(
        rules.iter().any(|r| r.from == "boss"),
        "boss's rule reaches it: {rules:?}"
    );
    catalog::delete::<Persona>(&store, "boss").expect_err("boss now heads watcher too");
}

#[test]
fn deleting_a_persona_leaves_its_rules_in_its_contexts_and_no_namesake_changes_them() {
    let store = team();
    let ctx =
        contexts::create_from_persona(&store, "junior", contexts::NewContext::default()).expect("context");
    catalog::delete::<Persona>(&store, "junior").expect("a leaf goes");
    // A new 'junior' elsewhere, with a rule of its own, lends the old context nothing.
    persona(
        &store,
        "junior",
        None,
        Role::Assistant,
        &[],
        &["Always answer in French."],
    );
    let plan = crate::conversation::chat::prepare(&store, &ctx.id, "hi").expect("plan");
    let system = plan.request.system_prompt.expect("system prompt");
    for rule in ["Answer in English.", "Cite the table", "Never share salaries."] {
        assert!(system.contains(rule), "{rule} kept: {system}");
    }
    assert!(!system.contains("French"), "{system}");
    assert_eq!(contexts::get(&store, &ctx.id).expect("context").persona, None);
}

#[test]
fn resetting_a_built_in_keeps_its_place_in_the_team() {
    let store = team();
    catalog::update::<Persona>(
        &store,
        "rational-advisor",
        PersonaPatch {
            parent: Some("boss".into()),
            role: Some(Role::Lead),
            restrictions: Some(vec!["No guesses.".into()]),
            system_prompt: Some("changed".into()),
            ..Default::default()
        },
    )
    .expect("update");
    let reset = catalog::reset::<Persona>(&store, "rational-advisor").expect("reset");
    assert_ne!(reset.system_prompt, "changed", "the shipped prompt is back");
    assert_eq!(
        (reset.parent.as_deref(), reset.role, reset.restrictions.as_slice()),
        (Some("boss"), Role::Lead, &["No guesses.".to_string()][..])
    );
}

#[test]
fn the_effective_prompt_is_what_a_context_sends() {
    let store = team();
    catalog::update::<Persona>(
        &store,
        "junior",
        PersonaPatch {
            personality: Some("Cheerful.".into()),
            ..Default::default()
        },
    )
    .expect("personality");
    let ctx =
        contexts::create_from_persona(&store, "junior", contexts::NewContext::default()).expect("context");
    let plan = crate::conversation::chat::prepare(&store, &ctx.id, "hi").expect("plan");
    assert_eq!(
        plan.request.system_prompt.as_deref(),
        Some(
            effective_system_prompt(&store, "junior")
                .expect("effective")
                .as_str()
        )
    );
}

mod delegations;
