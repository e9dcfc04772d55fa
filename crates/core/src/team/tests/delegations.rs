//! Delegation records: running in a context of its own, cancellation that stores nothing, lists
//! and who sees them, stale tasks, and what a deleted persona leaves behind.

use super::*;

#[test]
fn a_delegation_runs_in_its_own_context_and_records_its_result() {
    let store = team();
    let started = delegate(
        &store,
        &Actor::Persona("boss".into()),
        by_expertise(&["reporting"]),
    )
    .expect("start");
    let d = &started.delegation;
    assert_eq!(
        (d.status, d.to.as_str(), d.kind, d.priority),
        (Status::Pending, "analyst", Kind::Task, Priority::High)
    );
    assert_eq!(d.expertise, ["reporting"], "what was asked is recorded");
    let system = started.plan.request.system_prompt.clone().expect("prompt");
    assert!(
        system.contains("Never share salaries."),
        "inherited rule: {system}"
    );
    delegation::mark_running(&store, d.id).expect("running");
    let done = delegation::complete(&store, d.id, &reply("42 orders")).expect("done");
    assert_eq!(
        (done.status, done.result.as_deref(), done.route.as_deref()),
        (Status::Done, Some("42 orders"), Some("local"))
    );
    assert!(done.started_at.is_some() && done.finished_at.is_some());
    let ctx = contexts::get(&store, done.context_id.as_deref().expect("context")).expect("context");
    assert_eq!(ctx.message_count, 2, "the exchange is in the task's context");
    // A reviewer's task is recorded as a review.
    let review = delegate(&store, &Actor::User, Target::Persona("critic".into())).expect("review");
    assert_eq!(review.delegation.kind, Kind::Review);
}

#[test]
fn a_cancelled_delegation_stores_no_result_and_cannot_be_cancelled_twice() {
    let store = team();
    let started = delegate(&store, &Actor::User, Target::Persona("junior".into())).expect("start");
    let id = started.delegation.id;
    delegation::mark_running(&store, id).expect("running");
    let cancelled = delegation::cancel(&store, &Actor::User, id).expect("cancel");
    assert_eq!(cancelled.status, Status::Cancelled);
    assert!(delegation::is_cancelled(&store, id).expect("poll"));
    let err = delegation::complete(&store, id, &reply("late")).expect_err("cancelled");
    assert!(err.to_string().contains("cancelled"), "{err}");
    let after = delegation::get(&store, &Actor::User, id).expect("get");
    assert_eq!((after.status, after.result.clone()), (Status::Cancelled, None));
    let ctx = contexts::get(&store, after.context_id.as_deref().expect("context")).expect("context");
    assert_eq!(ctx.message_count, 0, "no exchange stored");
    delegation::cancel(&store, &Actor::User, id).expect_err("already ended");
    // A late failure does not overwrite the cancellation.
    assert_eq!(
        delegation::fail(&store, id, "boom").expect("fail").status,
        Status::Cancelled
    );
}

#[test]
fn lists_filter_by_status_and_persona_and_a_persona_sees_only_its_own_or_its_teams() {
    let store = team();
    let boss = Actor::Persona("boss".into());
    let a = delegate(&store, &boss, Target::Persona("analyst".into()))
        .expect("a")
        .delegation
        .id;
    let b = delegate(
        &store,
        &Actor::Persona("analyst".into()),
        Target::Persona("junior".into()),
    )
    .expect("b")
    .delegation
    .id;
    let c = delegate(&store, &Actor::User, Target::Persona("watcher".into()))
        .expect("c")
        .delegation
        .id;
    delegation::cancel(&store, &Actor::User, c).expect("cancel");
    let ids = |actor: &Actor, filter: DelegationFilter| -> Vec<i64> {
        delegation::list(&store, actor, &filter)
            .expect("list")
            .items
            .iter()
            .map(|d| d.id)
            .collect()
    };
    assert_eq!(
        ids(&Actor::User, DelegationFilter::default()),
        [c, b, a],
        "newest first"
    );
    let cancelled = DelegationFilter {
        status: Some(Status::Cancelled),
        ..Default::default()
    };
    assert_eq!(ids(&Actor::User, cancelled), [c]);
    let junior = DelegationFilter {
        persona: Some("junior".into()),
        ..Default::default()
    };
    assert_eq!(ids(&Actor::User, junior), [b]);
    let given_by_the_user = DelegationFilter {
        persona: Some(USER_WORD.into()),
        ..Default::default()
    };
    assert_eq!(ids(&Actor::User, given_by_the_user), [c]);
    // boss (a lead) sees its team's delegations; analyst (a specialist) only its own.
    assert_eq!(ids(&boss, DelegationFilter::default()), [b, a]);
    let page = delegation::list(
        &store,
        &Actor::User,
        &DelegationFilter {
            limit: Some(2),
            ..Default::default()
        },
    )
    .expect("page");
    assert_eq!((page.items.len(), page.total, page.next_offset), (2, 3, Some(2)));
    let watcher = Actor::Persona("watcher".into());
    delegation::get(&store, &watcher, a).expect_err("not its own: not found");
    delegation::cancel(&store, &watcher, a).expect_err("nor cancellable");
    // The persona doing a task sees it but may not stop it; whoever gave it, or a lead above
    // them, may.
    let junior = Actor::Persona("junior".into());
    delegation::get(&store, &junior, b).expect("the assignee sees its task");
    let err = delegation::cancel(&store, &junior, b).expect_err("not the assignee");
    assert!(err.to_string().contains("only whoever delegated it"), "{err}");
    assert_eq!(
        delegation::cancel(&store, &boss, b)
            .expect("the lead above analyst")
            .status,
        Status::Cancelled
    );
}

#[test]
fn stale_tasks_of_a_stopped_process_end_failed() {
    let store = team();
    let id = delegate(&store, &Actor::User, Target::Persona("junior".into()))
        .expect("start")
        .delegation
        .id;
    assert_eq!(
        delegation::fail_stale(&store, std::time::Duration::from_secs(3600)).expect("none"),
        0
    );
    assert_eq!(
        delegation::fail_stale(&store, std::time::Duration::ZERO).expect("one"),
        1
    );
    let d = delegation::get(&store, &Actor::User, id).expect("get");
    assert_eq!(d.status, Status::Failed);
    assert!(d.error.as_deref().is_some_and(|e| e.contains("stopped")));
    // A new delegation also ends the tasks older than STALE_AFTER (not younger ones).
    let old = delegate(&store, &Actor::User, Target::Persona("junior".into()))
        .expect("old")
        .delegation
        .id;
    let young = delegate(&store, &Actor::User, Target::Persona("junior".into()))
        .expect("young")
        .delegation
        .id;
    store
        .write(|tx| {
            tx.execute(
                "UPDATE delegations SET created_at = '2020-01-01T00:00:00.000000Z' WHERE id = ?1",
                [old],
            )?;
            Ok(())
        })
        .expect("age it");
    delegate(&store, &Actor::User, Target::Persona("junior".into())).expect("new");
    let status = |id| delegation::get(&store, &Actor::User, id).expect("get").status;
    assert_eq!((status(old), status(young)), (Status::Failed, Status::Pending));
}

#[test]
fn a_deleted_persona_leaves_nothing_to_a_namesake_and_is_not_deleted_mid_task() {
    let store = team();
    let junior = Actor::Persona("junior".into());
    let private = memory::create(
        &store,
        &junior,
        NewMemory {
            title: "junior's diary".into(),
            content: "c".into(),
            permission: Some(Permission::Private),
            ..Default::default()
        },
    )
    .expect("note");
    let id = delegate(&store, &Actor::User, Target::Persona("junior".into()))
        .expect("task")
        .delegation
        .id;
    let err = catalog::delete::<Persona>(&store, "junior").expect_err("a task is open");
    assert!(err.to_string().contains("pending or running"), "{err}");
    delegation::complete(&store, id, &reply("done")).expect("done");
    catalog::delete::<Persona>(&store, "junior").expect("now it goes");
    // A new junior sees neither the old one's private note nor its task.
    persona(&store, "junior", None, Role::Lead, &[], &[]);
    memory::get(&store, &junior, private.id).expect_err("the note is the user's now");
    assert_eq!(
        memory::get(&store, &Actor::User, private.id).expect("user").owner,
        None
    );
    delegation::get(&store, &junior, id).expect_err("not its task");
    let old = delegation::get(&store, &Actor::User, id).expect("history kept");
    assert_eq!(
        (old.to.as_str(), old.result.as_deref()),
        ("junior (deleted)", Some("done"))
    );
    let page = delegation::list(
        &store,
        &Actor::User,
        &DelegationFilter {
            offset: Some(u64::MAX),
            ..Default::default()
        },
    )
    .expect("an offset past every page is an empty page");
    assert!(page.items.is_empty() && page.next_offset.is_none());
}
