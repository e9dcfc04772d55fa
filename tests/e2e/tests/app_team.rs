//! The team in the app built as shipped (`custom-protocol`), walked by clicking: on the Personas
//! screen a persona becomes a lead with a restriction, another goes under it with expertise, the
//! tree shows it there and its values in force hold the lead's rule; on the Delegations screen
//! the tasks that AI apps delegated (seeded through llmgen_core on the same data dir, as the
//! server records them) are listed, one opened in full, a running one cancelled. What the window
//! did is read back through llmgen_core. Skipped with a notice outside `cargo xtask test`.
//! Screenshots: app-team*.png (a member's editor opening with what is in force for it, and the
//! tree), app-delegations*.png (a task in full, and the list).

mod support;

use fantoccini::{Client, Locator};
use llmgen_core::{
    Store, catalog,
    catalog::personas::Persona,
    generation::{Generated, TokenUsage},
    team::{
        self, Actor, Role, Target,
        delegation::{self, Delegation, DelegationRequest, Priority, Status},
    },
};
use support::{
    app, axe,
    driver::{Driver, Setup},
    screens, ui,
};

/// The built-in persona made the lead, and its rule.
const LEAD: &str = "professional-assistant";
const RULE: &str = "Never share customer data.";
/// The built-in persona put under it, and what it is good at.
const MEMBER: &str = "rational-advisor";
const EXPERTISE: &str = "risks, trade-offs";
/// The Personas screen's card, photographed from its top.
const PERSONAS_CARD: &str = "section[aria-labelledby=personas-title]";
/// What the seeded tasks ask and what the finished one answered.
const DONE_TASK: &str = "Weigh the risks of moving the launch to March.";
const DONE_RESULT: &str = "Moving to March lowers the quality risk and costs two weeks of sales.";
const RUNNING_TASK: &str = "Compare the two suppliers' offers.";

/// Proves, through what a user sees and what lands in the store: the role, restriction, parent
/// and expertise set in the Personas editor are stored; the tree draws the member under its
/// lead with their roles; the member's values in force list the lead's rule with its source
/// and its effective prompt ends with it. The Delegations screen lists the seeded tasks newest
/// first, shows a task delegated while it is open without a click, opens the finished one with
/// its result, route and choice, and cancels the running one after a confirmation: it shows
/// cancelled and the store says so, without a result. Both screens pass the accessibility
/// audit (in Japanese and in dark colours too) and are photographed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_builds_a_team_and_follows_and_cancels_its_delegations() {
    let Some(setup) = Setup::from_xtask() else {
        return;
    };
    let home_dir = app::app_home();
    let home = home_dir.path();
    let shots = setup.screenshots.as_deref();
    let driver = Driver::start(&setup, home).expect("WebDriver server");
    let client = driver.session(&setup.app_bin).await.expect("session");
    let _app = app::AppProcess(driver.app_pid(&setup.app_bin));

    // The lead: its role and a rule.
    screens::open(&client, "personas").await;
    edit(&client, LEAD).await;
    ui::click(&client, "[data-testid=persona-role-lead]").await;
    type_into(&client, "#persona-restrictions", RULE).await;
    save(&client, LEAD).await;
    // The member: under the lead, with its expertise.
    edit(&client, MEMBER).await;
    ui::find(&client, "#persona-parent")
        .await
        .select_by_value(LEAD)
        .await
        .expect("choose the parent");
    type_into(&client, "#persona-expertise", EXPERTISE).await;
    save(&client, MEMBER).await;

    // The tree: the member's row in the list under the lead's row, each with its role.
    let under_lead = format!("[data-testid=persona-{LEAD}] ~ ul.nested [data-testid=persona-{MEMBER}]");
    ui::find(&client, &under_lead).await;
    let lead_role = ui::find(
        &client,
        &format!("[data-testid=persona-{LEAD}] [data-testid=persona-role]"),
    )
    .await;
    assert_eq!(lead_role.text().await.expect("role"), "Lead");

    // The member's values in force: the lead's rule, marked as the lead's, in its prompt.
    edit(&client, MEMBER).await;
    let prompt = ui::wait_for_text(
        &client,
        "[data-testid=persona-effective-prompt]",
        "the inherited rule",
        |t| t.contains(RULE),
    )
    .await;
    assert!(
        prompt.contains(&format!("{RULE} (set by '{LEAD}'")),
        "the rule is marked as the lead's: {prompt}"
    );
    let rule = ui::find(&client, &format!("[data-testid=persona-rule][data-from={LEAD}]")).await;
    assert!(rule.text().await.expect("rule").contains(RULE));
    axe::assert_accessible(&client, "the Personas screen with a team and its values in force").await;
    scroll_to(&client, PERSONAS_CARD).await;
    ui::screenshot(&client, shots, "app-team").await;
    check_team(&Store::open(&app::data_dir(home)).expect("store"));
    ui::click(&client, "form.form button[type=button]").await;
    scroll_to(&client, &format!("[data-testid=persona-{LEAD}]")).await;
    ui::screenshot(&client, shots, "app-team-tree").await;

    // Delegations: one finished before the screen opens, one delegated while it is open.
    let store = Store::open(&app::data_dir(home)).expect("store");
    let done = seed_done(&store);
    screens::open(&client, "delegations").await;
    ui::wait_for_count(&client, "[data-testid=delegation-row]", 1).await;
    let running = seed_running(&store);
    ui::wait_for_count(&client, "[data-testid=delegation-row]", 2).await;
    assert_eq!(
        row_states(&client).await,
        [
            (running.id.to_string(), "running".to_string()),
            (done.id.to_string(), "done".to_string())
        ],
        "newest first, each with its status"
    );
    axe::assert_accessible(&client, "the Delegations screen").await;
    ui::screenshot(&client, shots, "app-delegations-list").await;

    // The finished one in full.
    open_task(&client, done.id).await;
    let result = ui::find(&client, "[data-testid=delegation-result]").await;
    assert_eq!(result.text().await.expect("result"), DONE_RESULT);
    let route = ui::find(&client, "[data-testid=delegation-route]").await;
    assert_eq!(route.text().await.expect("route"), "ollama");
    let reason = ui::find(&client, "[data-testid=delegation-reason]").await;
    assert!(reason.text().await.expect("reason").contains(MEMBER));
    axe::assert_accessible(&client, "a finished task of the Delegations screen").await;
    ui::screenshot(&client, shots, "app-delegations").await;
    ui::click(&client, "[data-testid=delegation-back]").await;

    // The running one: cancel, confirm, and it shows cancelled.
    open_task(&client, running.id).await;
    ui::click(&client, "[data-testid=delegation-cancel]").await;
    ui::click(&client, "[data-testid=delegation-cancel-confirm]").await;
    ui::wait_for_text(
        &client,
        "[data-testid=delegation-status]",
        "the cancelled status",
        |t| t == "Cancelled",
    )
    .await;
    let error = ui::find(&client, "[data-testid=delegation-error]").await;
    assert_eq!(error.text().await.expect("error"), "Cancelled by the user.");
    let stored = delegation::get(&store, &Actor::User, running.id).expect("get");
    assert_eq!((stored.status, stored.result), (Status::Cancelled, None));
    ui::click(&client, "[data-testid=delegation-back]").await;
    ui::find(
        &client,
        &format!(
            "[data-testid=delegation-row][data-id=\"{}\"][data-status=cancelled]",
            running.id
        ),
    )
    .await;

    // In Japanese, and in dark colours.
    screens::switch_to_japanese(&client).await;
    screens::open(&client, "delegations").await;
    ui::wait_for_text(
        &client,
        "[data-testid=delegation-row] .badge",
        "a Japanese status",
        |t| t == "キャンセル済み",
    )
    .await;
    axe::assert_accessible(&client, "the Delegations screen in Japanese").await;
    open_task(&client, done.id).await;
    ui::wait_for_text(
        &client,
        "[data-testid=delegation-status]",
        "a Japanese status",
        |t| t == "完了",
    )
    .await;
    ui::screenshot(&client, shots, "app-delegations-ja").await;
    screens::open(&client, "personas").await;
    scroll_to(&client, &format!("[data-testid=persona-{LEAD}]")).await;
    ui::wait_for_text(
        &client,
        &format!("[data-testid=persona-{LEAD}] [data-testid=persona-role]"),
        "a Japanese role",
        |t| t == "リーダー",
    )
    .await;
    ui::screenshot(&client, shots, "app-team-tree-ja").await;
    edit(&client, MEMBER).await;
    ui::wait_for_text(
        &client,
        "[data-testid=persona-effective-prompt]",
        "the inherited rule",
        |t| t.contains(RULE),
    )
    .await;
    scroll_to(&client, PERSONAS_CARD).await;
    ui::screenshot(&client, shots, "app-team-ja").await;
    screens::force_dark_scheme(&client).await;
    axe::assert_accessible(&client, "the Personas screen in Japanese and dark colours").await;
    ui::screenshot(&client, shots, "app-team-ja-dark").await;
    screens::open(&client, "delegations").await;
    open_task(&client, done.id).await;
    axe::assert_accessible(&client, "a task in Japanese and dark colours").await;

    if let Err(e) = client.close().await {
        eprintln!("ending the WebDriver session: {e}");
    }
}

/// Opens the editor of the persona `name` from its row.
async fn edit(client: &Client, name: &str) {
    client
        .find(Locator::XPath(&format!(
            "//*[@data-testid='persona-{name}']//button[text()='Edit' or text()='編集']"
        )))
        .await
        .unwrap_or_else(|e| panic!("no Edit button on {name}'s row: {e}"))
        .click()
        .await
        .expect("open the editor");
    ui::find(client, "form.form #persona-parent").await;
}

/// Saves the open editor and waits until the screen says so.
async fn save(client: &Client, name: &str) {
    ui::click(client, "form.form button[type=submit]").await;
    ui::wait_for_text(
        client,
        "section[aria-labelledby=personas-title] [role=status]",
        "the save",
        |t| t == format!("Saved {name}."),
    )
    .await;
}

/// Scrolls the element `css` to the top of the window (for a screenshot of that part).
async fn scroll_to(client: &Client, css: &str) {
    let el = ui::find(client, css).await;
    ui::scroll_to(client, &el).await;
}

/// Types `text` into the field `css`, as a keyboard would.
async fn type_into(client: &Client, css: &str, text: &str) {
    ui::find(client, css)
        .await
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
}

/// The list's rows as (id, status), top to bottom.
async fn row_states(client: &Client) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for row in client
        .find_all(Locator::Css("[data-testid=delegation-row]"))
        .await
        .expect("rows")
    {
        let id = row.attr("data-id").await.expect("data-id").unwrap_or_default();
        let status = row
            .attr("data-status")
            .await
            .expect("data-status")
            .unwrap_or_default();
        out.push((id, status));
    }
    out
}

/// Opens the task `id` from its line in the list.
async fn open_task(client: &Client, id: i64) {
    ui::click(
        client,
        &format!("[data-testid=delegation-row][data-id=\"{id}\"] button.link"),
    )
    .await;
    ui::find(client, "[data-testid=delegation]").await;
    // The heading's digits, whatever the language writes around them (or between them).
    let number = id.to_string();
    ui::wait_for_text(client, "#delegations-title", "the task's number", |t| {
        t.chars().filter(char::is_ascii_digit).collect::<String>() == number
    })
    .await;
}

/// What the editor stored, read back through the core as any other front end would.
fn check_team(store: &Store) {
    let lead: Persona = catalog::get(store, LEAD).expect("lead");
    assert_eq!(
        (lead.role, lead.restrictions.as_slice()),
        (Role::Lead, [RULE.to_string()].as_slice())
    );
    let member: Persona = catalog::get(store, MEMBER).expect("member");
    assert_eq!(member.parent.as_deref(), Some(LEAD));
    assert_eq!(member.expertise, ["risks", "trade-offs"]);
    let prompt = team::effective_system_prompt(store, MEMBER).expect("prompt");
    assert!(prompt.contains(RULE), "{prompt}");
}

/// A task the user delegated by expertise, run through a local provider and finished, as the
/// server records one.
fn seed_done(store: &Store) -> Delegation {
    let request = DelegationRequest {
        task: DONE_TASK.into(),
        target: Target::Expertise(vec!["risks".into()]),
        priority: Priority::High,
    };
    let started = delegation::start(store, &Actor::User, &request).expect("delegate");
    assert_eq!(started.delegation.to, MEMBER, "chosen by its expertise");
    let id = started.delegation.id;
    delegation::mark_running(store, id).expect("running");
    let reply = Generated {
        text: DONE_RESULT.into(),
        model: "llama3.2".into(),
        stop_reason: None,
        route: "ollama".into(),
        usage: Some(TokenUsage {
            input_tokens: 1200,
            output_tokens: 80,
        }),
    };
    delegation::complete(store, id, &reply).expect("complete")
}

/// A task the lead delegates to its member, still running.
fn seed_running(store: &Store) -> Delegation {
    let request = DelegationRequest {
        task: RUNNING_TASK.into(),
        target: Target::Persona(MEMBER.into()),
        priority: Priority::Normal,
    };
    let started =
        delegation::start(store, &Actor::Persona(LEAD.into()), &request).expect("the lead delegates");
    delegation::mark_running(store, started.delegation.id).expect("running")
}
