//! End-to-end: the team through the real binary over stdio: persona-manage's tree (cycles,
//! missing parents and deleting a head refused; a grandchild's effective prompt holds its
//! ancestors' rules) and each role's permissions through memory-store / memory-search and
//! task-delegate / task-manage with asPersona. Each test says what it proves.
#![allow(deprecated)]

mod common;
#[path = "support/team.rs"]
mod team;

use common::*;
use serde_json::json;
use team::*;

/// Proves: the tree holds through persona-manage: a grandchild's `get` returns its own values
/// and the effective ones (its ancestors' restrictions in its effective system prompt, each
/// rule with its source, nearest first), its ancestors and a head's children; a cycle, a missing
/// parent and deleting a persona that heads others are refused with tool errors that say why
/// and what to do; `parent: ""` makes a persona a root again.
#[tokio::test]
async fn the_tree_is_kept_and_a_grandchild_inherits_its_ancestors_rules() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    team(&client).await;

    let junior = ok(call(
        &client,
        "persona-manage",
        json!({"action": "get", "name": "junior"}),
    )
    .await);
    assert_eq!(
        junior["systemPrompt"], "You are junior.",
        "own prompt kept: {junior}"
    );
    assert_eq!(junior["parent"], "analyst");
    assert_eq!(junior["role"], "assistant");
    assert_eq!(junior["expertise"], json!(["sql", "migrations"]));
    assert_eq!(junior["restrictions"], json!([]), "no rule of its own");
    assert_eq!(junior["ancestors"], json!(["analyst", "boss"]));
    let effective = junior["effectiveSystemPrompt"]
        .as_str()
        .expect("effective prompt");
    assert!(
        effective.starts_with("You are junior.")
            && effective.contains(LEAD_RULE)
            && effective.contains(ANALYST_RULE),
        "{effective}"
    );
    assert_eq!(
        junior["effectiveRestrictions"],
        json!([{"from": "analyst", "rule": ANALYST_RULE}, {"from": "boss", "rule": LEAD_RULE}])
    );
    // The consultant prompt acts as the persona with the same rules (it is a way around a
    // context, so it must not be a way around the team).
    let args = json!({"persona": "junior", "question": "Hello?"})
        .as_object()
        .cloned()
        .expect("object");
    let got = client
        .get_prompt(rmcp::model::GetPromptRequestParams::new("consultant-prompt").with_arguments(args))
        .await
        .expect("consultant");
    let body = got.messages[0]
        .content
        .as_text()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(body.contains(effective) && body.ends_with("Hello?"), "{body}");
    let boss = ok(call(
        &client,
        "persona-manage",
        json!({"action": "get", "name": "boss"}),
    )
    .await);
    assert_eq!(boss["children"], json!(["analyst", "checker", "watcher"]));
    assert_eq!(boss["ancestors"], json!([]));

    // boss under junior would put boss below itself.
    let m = err(call(
        &client,
        "persona-manage",
        json!({"action": "update", "name": "boss", "parent": "junior"}),
    )
    .await);
    assert!(
        m.contains("circle") && m.contains("boss → junior → analyst → boss"),
        "{m}"
    );
    let m = err(call(
        &client,
        "persona-manage",
        json!({"action": "create", "name": "orphan", "systemPrompt": "s", "parent": "nobody"}),
    )
    .await);
    assert!(m.contains("'nobody' does not exist"), "{m}");
    let m = err(call(
        &client,
        "persona-manage",
        json!({"action": "delete", "name": "analyst"}),
    )
    .await);
    assert!(m.contains("heads 1 persona(s) (junior)"), "{m}");
    // Nothing of the refused calls was written.
    let list = ok(call(&client, "persona-manage", json!({"action": "list"})).await);
    let names: Vec<&str> = list["personas"]
        .as_array()
        .expect("personas")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(
        !names.contains(&"orphan") && names.contains(&"analyst"),
        "{names:?}"
    );

    // An empty parent makes it a root: its inherited rules go, its own prompt stays.
    ok(call(
        &client,
        "persona-manage",
        json!({"action": "update", "name": "junior", "parent": ""}),
    )
    .await);
    let junior = ok(call(
        &client,
        "persona-manage",
        json!({"action": "get", "name": "junior"}),
    )
    .await);
    assert!(junior["parent"].is_null(), "{junior}");
    assert_eq!(junior["ancestors"], json!([]));
    assert_eq!(junior["effectiveSystemPrompt"], "You are junior.");

    // A missing field names the action as the caller wrote it.
    let m = err(call(
        &client,
        "persona-manage",
        json!({"action": "create", "name": "n1", "systemPrompt": null}),
    )
    .await);
    assert!(m.contains("Action 'create' needs 'systemPrompt'"), "{m}");
    // A model is a name: five megabytes of it are refused, not sent to the client.
    let m = err(call(
        &client,
        "task-delegate",
        json!({"task": "Hi.", "persona": "junior", "model": "m".repeat(5_000_000)}),
    )
    .await);
    assert!(m.contains("model") && m.contains("limit"), "{m}");
    client.cancel().await.expect("close");
}

/// Proves: the memory rules of each role hold through memory-store and memory-search with
/// asPersona: an observer reads but writes nothing; a reviewer writes only its own notes (not
/// another's editable one); an assistant writes its own and another's editable notes but not a
/// shared (read-only) one.
#[tokio::test]
async fn each_role_writes_only_the_memory_it_may() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    team(&client).await;
    let note = async |args: serde_json::Value| {
        let mut args = args;
        args["action"] = json!("create");
        ok(call(&client, "memory-store", args).await)["id"]
            .as_i64()
            .expect("note id")
    };
    let editable =
        note(json!({"title": "Editable plan", "owner": "analyst", "permission": "editable"})).await;
    let shared = note(json!({"title": "Shared plan", "owner": "analyst", "permission": "shared"})).await;
    let update = |id: i64, persona: &str| json!({"action": "update", "id": id, "content": format!("edited by {persona}"), "asPersona": persona});

    // Observer: reads both, writes nothing (not even a note of its own).
    let seen = ok(call(
        &client,
        "memory-search",
        json!({"query": "plan", "asPersona": "watcher"}),
    )
    .await);
    assert_eq!(seen["results"].as_array().map(Vec::len), Some(2), "{seen}");
    let m = err(call(
        &client,
        "memory-store",
        json!({"action": "create", "title": "mine", "asPersona": "watcher"}),
    )
    .await);
    assert!(m.contains("it is an observer"), "{m}");
    let m = err(call(&client, "memory-store", update(editable, "watcher")).await);
    assert!(m.contains("observer"), "{m}");

    // Reviewer: its own notes only.
    let review = ok(call(
        &client,
        "memory-store",
        json!({"action": "create", "title": "Review of the plan", "asPersona": "checker"}),
    )
    .await);
    assert_eq!(review["owner"], "checker");
    ok(call(
        &client,
        "memory-store",
        update(review["id"].as_i64().expect("id"), "checker"),
    )
    .await);
    let m = err(call(&client, "memory-store", update(editable, "checker")).await);
    assert!(m.contains("reviewer"), "{m}");

    // Assistant: its own and editable notes, not a shared one.
    ok(call(
        &client,
        "memory-store",
        json!({"action": "create", "title": "Junior's note", "asPersona": "junior"}),
    )
    .await);
    let edited = ok(call(&client, "memory-store", update(editable, "junior")).await);
    assert_eq!(edited["content"], "edited by junior");
    let m = err(call(&client, "memory-store", update(shared, "junior")).await);
    assert!(m.contains("may not change memory"), "{m}");
    let kept = ok(call(&client, "memory-search", json!({"action": "get", "id": shared})).await);
    assert!(
        kept["content"].as_str().is_none_or(|c| !c.contains("edited")),
        "{kept}"
    );
    client.cancel().await.expect("close");
}

/// Proves: who may delegate to whom holds through task-delegate with asPersona: a lead
/// delegates to any depth below it (its grandchild), a specialist to the personas below it but
/// not to one above; an assistant, a reviewer and an observer may not delegate at all (and no
/// record is made of a refused delegation); task-manage with asPersona shows a persona its own
/// delegations and a lead its team's.
#[tokio::test]
async fn each_role_delegates_only_as_it_may() {
    let dir = temp_dir();
    let tc = TestClient::replying(Era::Legacy, "Done.");
    let client = connect(dir.path(), tc.clone()).await;
    team(&client).await;
    let by_lead = ok(delegate(
        &client,
        json!({"task": "Plan the migration.", "persona": "junior", "asPersona": "boss"}),
    )
    .await);
    assert_eq!(
        (by_lead["from"].as_str(), by_lead["to"].as_str()),
        (Some("boss"), Some("junior"))
    );
    assert_eq!(by_lead["status"], "done");
    let by_specialist = ok(delegate(
        &client,
        json!({"task": "Write the query.", "expertise": ["sql"], "asPersona": "analyst"}),
    )
    .await);
    assert_eq!(by_specialist["to"], "junior", "{by_specialist}");
    assert_eq!(by_specialist["status"], "done");

    let m = err(delegate(
        &client,
        json!({"task": "Approve.", "persona": "boss", "asPersona": "analyst"}),
    )
    .await);
    assert!(m.contains("only to the personas below it"), "{m}");
    for (persona, role) in [
        ("junior", "an assistant"),
        ("checker", "a reviewer"),
        ("watcher", "an observer"),
    ] {
        let m = err(delegate(
            &client,
            json!({"task": "Help.", "expertise": ["sql"], "asPersona": persona}),
        )
        .await);
        assert!(
            m.contains(&format!("'{persona}' may not delegate: it is {role}")),
            "{m}"
        );
    }
    assert_eq!(
        tc.requests().len(),
        2,
        "only the two allowed delegations reached the model"
    );
    assert_eq!(
        list(&client, json!({})).await["total"],
        2,
        "no record of a refused delegation"
    );

    // A persona sees the delegations it made or was given; a lead also its team's.
    let (lead_id, specialist_id) = (by_lead["id"].as_i64(), by_specialist["id"].as_i64());
    let ids = |page: serde_json::Value| listed_ids(&page).into_iter().map(Some).collect::<Vec<_>>();
    assert_eq!(
        ids(list(&client, json!({"asPersona": "boss"})).await),
        [specialist_id, lead_id]
    );
    assert_eq!(
        ids(list(&client, json!({"asPersona": "analyst"})).await),
        [specialist_id]
    );
    assert!(ids(list(&client, json!({"asPersona": "watcher"})).await).is_empty());
    let m = err(call(
        &client,
        "task-manage",
        json!({"action": "get", "id": lead_id, "asPersona": "analyst"}),
    )
    .await);
    assert!(
        m.contains("not found"),
        "another persona's delegation is not shown: {m}"
    );
    client.cancel().await.expect("close");
}

/// Proves: the team tools are listed in their own group with honest annotations (task-delegate
/// may reach a model and is not read-only; task-manage stays inside the server), and the
/// tool-groups setting hides them.
#[tokio::test]
async fn the_team_tools_are_listed_with_honest_annotations() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let hints = |name: &str| {
        let tool = tools
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name} listed"));
        let a = tool.annotations.clone().expect("annotations");
        (a.read_only_hint, a.destructive_hint, a.open_world_hint)
    };
    // Listed hints leave out MCP's defaults (not read-only, destructive, open world).
    assert_eq!(hints("task-delegate"), (None, Some(false), None));
    assert_eq!(hints("task-manage"), (None, None, Some(false)));
    client.cancel().await.expect("close");

    let client = connect_with_env(
        dir.path(),
        TestClient::replying(Era::Legacy, "x"),
        &[(llmgen_core::settings::TOOL_GROUPS_ENV, "personas,memory")],
    )
    .await;
    let names = tool_names(&client).await;
    assert!(!names.iter().any(|n| n.starts_with("task-")), "{names:?}");
    client.cancel().await.expect("close");
    let client = connect_with_env(
        dir.path(),
        TestClient::replying(Era::Legacy, "x"),
        &[(llmgen_core::settings::TOOL_GROUPS_ENV, "team")],
    )
    .await;
    assert_eq!(tool_names(&client).await, ["task-delegate", "task-manage"]);
    client.cancel().await.expect("close");
}
