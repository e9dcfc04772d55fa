//! End-to-end: task-delegate and task-manage through the real binary over stdio: a delegation by
//! expertise through the client's model on both protocol eras and through a local provider
//! stand-in (a real HTTP server on 127.0.0.1), the 2026-07-28 retry completing the record the
//! first call started, cancellation (task-manage from a second server process on the same data
//! dir, and the client's own), and progress. Each test says what it proves.
#![allow(deprecated)]

mod common;
#[path = "../../core/tests/support/mock_http.rs"]
mod mock_http;
#[path = "support/provider_cli.rs"]
mod provider_cli;
#[path = "support/team.rs"]
mod team;

use std::time::Duration;

use common::*;
use mock_http::{MockServer, Reply};
use provider_cli::*;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResponse, ClientRequest, NumberOrString, ProgressToken,
    RequestMetaObject,
};
use serde_json::{Value, json};
use team::*;

/// The arguments of a tool call as rmcp's request parameters.
fn params(tool: &str, args: Value) -> CallToolRequestParams {
    CallToolRequestParams::new(tool.to_string()).with_arguments(args.as_object().cloned().expect("object"))
}

/// The delegation the team suites ask for: only the junior knows migrations.
fn migration_task() -> Value {
    json!({"task": "Write the migration for the orders table.", "expertise": ["migrations"], "priority": "medium"})
}

/// Asserts what a finished delegation's record shows: the chosen persona and why, the route,
/// the model and the result, and a context holding the exchange.
async fn assert_done(client: &Client, record: &Value, route: &str, model: &str, reply: &str) {
    assert_eq!(record["status"], "done", "{record}");
    assert_eq!(record["to"], "junior");
    assert!(record["from"].is_null(), "the user delegated: {record}");
    assert_eq!(record["kind"], "task");
    assert_eq!(record["priority"], "normal", "the old 'medium' is normal");
    assert_eq!(record["expertise"], json!(["migrations"]));
    assert_eq!(record["choice"]["persona"], "junior");
    assert!(
        record["choice"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("'junior' has 1 of the 1 expertise")),
        "{record}"
    );
    assert_eq!(record["choice"]["candidates"][0]["name"], "junior");
    assert_eq!(record["route"], route);
    assert_eq!(record["model"], model);
    assert_eq!(record["result"], reply);
    assert!(
        record["startedAt"].is_string() && record["finishedAt"].is_string(),
        "{record}"
    );
    let context = record["contextId"].as_str().expect("the task's context");
    assert_eq!(
        message_count(client, context).await,
        2,
        "the task and its reply are stored"
    );
}

/// Proves: a delegation by expertise runs as the chosen persona through the client's model on
/// both eras (2025-11-25: a sampling/createMessage request; 2026-07-28: input_required and the
/// client's retry), with the persona's prompt and every inherited restriction in the sampling
/// request's system prompt; the result and task-manage get show the chosen persona, the route,
/// the model and the result; exactly one record and one sampling request per delegation.
#[tokio::test]
async fn a_delegation_by_expertise_runs_through_the_clients_model_on_both_eras() {
    for era in ERAS {
        let dir = temp_dir();
        let tc = TestClient::replying(era, "ALTER TABLE orders ...");
        let client = connect(dir.path(), tc.clone()).await;
        team(&client).await;
        let result = delegate(&client, migration_task()).await;
        assert!(
            text(&result).ends_with("ALTER TABLE orders ..."),
            "{era:?}: {}",
            text(&result)
        );
        let answered = ok(result);
        assert_done(
            &client,
            &answered,
            "sampling",
            "canned-model-1",
            "ALTER TABLE orders ...",
        )
        .await;
        let id = answered["id"].as_i64().expect("id");
        assert_eq!(
            record(&client, id).await,
            answered,
            "{era:?}: the record is what the call answered"
        );
        assert_eq!(
            list(&client, json!({})).await["total"],
            1,
            "{era:?}: one record per delegation"
        );

        let asked = tc.requests();
        assert_eq!(asked.len(), 1, "{era:?}: one sampling request");
        let system = asked[0].system_prompt.as_deref().unwrap_or_default();
        assert!(
            system.starts_with("You are junior.")
                && system.contains(LEAD_RULE)
                && system.contains(ANALYST_RULE),
            "{era:?}: {system}"
        );
        let task = asked[0].messages[0]
            .content
            .first()
            .and_then(|c| c.as_text())
            .map(|t| t.text.clone());
        assert_eq!(task.as_deref(), Some("Write the migration for the orders table."));
        client.cancel().await.expect("close");
    }
}

/// Proves: on 2026-07-28 the first call records the delegation (pending) and asks the client to
/// sample; the retry with the answer completes THAT record (no second one); a replayed retry is
/// refused and changes nothing; a delegation cancelled while the client samples refuses the
/// retry, saying it was cancelled, and stores nothing.
#[tokio::test]
async fn the_2026_retry_completes_the_record_the_first_call_started() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::replying(Era::Modern, "unused")).await;
    team(&client).await;
    let first = |args: Value| client.call_tool_once(params("task-delegate", args));
    let CallToolResponse::InputRequired(asked) = first(migration_task()).await.expect("call") else {
        panic!("a 2026-07-28 sampling client is asked to sample first")
    };
    let pending = list(&client, json!({})).await;
    assert_eq!(
        (pending["total"].as_u64(), pending["items"][0]["status"].as_str()),
        (Some(1), Some("pending"))
    );
    let id = pending["items"][0]["id"].as_i64().expect("id");
    let answer = json!({"generate": {"role": "assistant", "content": {"type": "text", "text": "Migrated."}, "model": "client-model"}});
    let retry = |state: String| {
        let mut p = params("task-delegate", migration_task());
        p.input_responses = serde_json::from_value(answer.clone()).ok();
        p.request_state = Some(state);
        client.call_tool(p)
    };
    let state = asked.request_state.clone().expect("a request state");
    let done = ok(retry(state.clone()).await.expect("retry"));
    assert_eq!(
        (done["id"].as_i64(), done["status"].as_str()),
        (Some(id), Some("done"))
    );
    assert_eq!(
        (done["result"].as_str(), done["model"].as_str()),
        (Some("Migrated."), Some("client-model"))
    );
    let m = err(retry(state).await.expect("replayed retry"));
    assert!(m.contains("already completed"), "{m}");
    assert_eq!(list(&client, json!({})).await["total"], 1, "still one record");

    // Cancelled while the client samples: the retry stores nothing.
    let CallToolResponse::InputRequired(asked) = first(migration_task()).await.expect("call") else {
        panic!("input_required again")
    };
    let second = listed_ids(&list(&client, json!({"status": "pending"})).await)[0];
    ok(call(&client, "task-manage", json!({"action": "cancel", "id": second})).await);
    let m = err(retry(asked.request_state.expect("state")).await.expect("retry"));
    assert!(m.contains(&format!("Delegation {second} was cancelled")), "{m}");
    let cancelled = record(&client, second).await;
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["result"].as_str()),
        (Some("cancelled"), None)
    );
    let context = cancelled["contextId"].as_str().expect("context");
    assert_eq!(message_count(&client, context).await, 0);
    client.cancel().await.expect("close");
}

/// Proves: a client without sampling has its delegation run on the default provider, a local
/// OpenAI-compatible stand-in on 127.0.0.1 (the same route llm-generate takes): the request
/// carries the persona's prompt with the inherited restrictions and the task, and the record
/// shows the chosen persona, the provider's route and model, the result and the tokens.
#[tokio::test]
async fn a_delegation_runs_through_a_local_provider() {
    let server = MockServer::start(vec![openai_ok("Migration written.")]).await;
    let dir = temp_dir();
    add_openai_compatible(dir.path(), "local", &server.origin, &["--default"]);
    let client = connect(dir.path(), TestClient::new(Era::Legacy, Sampling::Unsupported)).await;
    team(&client).await;
    let answered = ok(delegate(&client, migration_task()).await);
    assert_done(&client, &answered, "local", "local-model", "Migration written.").await;
    assert_eq!(
        (
            answered["inputTokens"].as_u64(),
            answered["outputTokens"].as_u64()
        ),
        (Some(20), Some(5))
    );
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    let body = sent[0].body.to_string();
    assert!(body.contains(LEAD_RULE) && body.contains(ANALYST_RULE), "{body}");
    assert!(
        body.contains("Write the migration for the orders table."),
        "{body}"
    );
    let id = answered["id"].as_i64().expect("id");
    assert_eq!(record(&client, id).await["route"], "local");
    client.cancel().await.expect("close");
}

/// The only delegation in `client`'s data dir once it is running.
async fn running_delegation(client: &Client) -> i64 {
    let mut id = None;
    let found = eventually(async || {
        id = listed_ids(&list(client, json!({"status": "running"})).await)
            .first()
            .copied();
        id.is_some()
    })
    .await;
    assert!(found, "no running delegation");
    id.expect("id")
}

/// Proves: `task-manage cancel` from a second server process on the same data dir stops a
/// delegation while the provider stand-in delays its answer: the delegate call ends with a tool
/// error that says it was cancelled, the record ends `cancelled` with no result, and the task's
/// context holds no message. The same with the client's model: the pending sampling request is
/// cancelled at the client too.
#[tokio::test]
async fn a_delegation_cancelled_from_another_process_stores_nothing() {
    let slow = Reply::Slow(Duration::from_secs(300), Box::new(openai_ok("too late")));
    let server = MockServer::start(vec![slow]).await;
    let dir = temp_dir();
    add_openai_compatible(dir.path(), "local", &server.origin, &["--default"]);
    for sampling in [Sampling::Unsupported, Sampling::Hang] {
        let tc = TestClient::new(Era::Legacy, sampling.clone());
        let client = connect(dir.path(), tc.clone()).await;
        if matches!(sampling, Sampling::Unsupported) {
            team(&client).await;
        }
        let peer = client.peer().clone();
        let delegating =
            tokio::spawn(async move { peer.call_tool(params("task-delegate", migration_task())).await });
        let other = connect(dir.path(), TestClient::new(Era::Legacy, Sampling::Unsupported)).await;
        let id = running_delegation(&other).await;
        // Cancelled while the model is at work: the stand-in (or the client) holds the request.
        let asked = async || match sampling {
            Sampling::Hang => tc.requests().len() == 1,
            _ => server.requests().len() == 1,
        };
        assert!(eventually(asked).await, "the model was asked");
        let cancelled = ok(call(&other, "task-manage", json!({"action": "cancel", "id": id})).await);
        assert_eq!(cancelled["status"], "cancelled");
        // The stand-in would answer after minutes, the client's model never: the call ends
        // because it noticed the cancel.
        let answer = tokio::time::timeout(HANG_GUARD, delegating).await;
        let answer = answer
            .expect("the call stopped")
            .expect("join")
            .expect("protocol");
        let m = err(answer);
        assert!(
            m.contains(&format!("Delegation {id} was cancelled"))
                && m.contains("Nothing it produced was stored"),
            "{m}"
        );
        let ended = record(&client, id).await;
        assert_eq!(ended["status"], "cancelled", "{ended}");
        assert!(ended["result"].is_null() && ended["route"].is_null(), "{ended}");
        assert_eq!(ended["error"], "Cancelled by the user.");
        assert_eq!(
            message_count(&client, ended["contextId"].as_str().expect("context")).await,
            0
        );
        if matches!(sampling, Sampling::Hang) {
            assert!(
                eventually(async || *tc.cancelled.lock().expect("lock")).await,
                "sampling request cancelled"
            );
        }
        other.cancel().await.expect("close");
        client.cancel().await.expect("close");
    }
    assert_eq!(
        server.requests().len(),
        1,
        "the provider was asked once, for the first delegation"
    );
}

/// Proves: when the client cancels its own task-delegate call (notifications/cancelled), the
/// sampling request is cancelled at the client and the record ends `cancelled` (the user
/// stopped it; nothing failed), with nothing stored.
#[tokio::test]
async fn a_client_cancelling_its_call_cancels_the_delegation() {
    let dir = temp_dir();
    let tc = TestClient::new(Era::Legacy, Sampling::Hang);
    let client = connect(dir.path(), tc.clone()).await;
    team(&client).await;
    let request =
        ClientRequest::CallToolRequest(CallToolRequest::new(params("task-delegate", migration_task())));
    let handle = client
        .peer()
        .send_cancellable_request(request, rmcp::service::PeerRequestOptions::no_options())
        .await
        .expect("send");
    let id = running_delegation(&client).await;
    handle
        .cancel(Some("user pressed stop".into()))
        .await
        .expect("cancel");
    assert!(
        eventually(async || *tc.cancelled.lock().expect("lock")).await,
        "sampling request cancelled"
    );
    let mut ended = Value::Null;
    assert!(
        eventually(async || {
            ended = record(&client, id).await;
            ended["status"] != "running"
        })
        .await
    );
    assert_eq!(ended["status"], "cancelled", "{ended}");
    assert!(ended["result"].is_null());
    assert_eq!(
        message_count(&client, ended["contextId"].as_str().expect("context")).await,
        0
    );
    client.cancel().await.expect("close");
}

/// Proves: a slow delegation sends progress notifications when the caller gives a progress
/// token: first who took the task and why, then the wait, with one token and rising values.
#[tokio::test]
async fn a_slow_delegation_reports_progress() {
    let dir = temp_dir();
    let slow = Sampling::Reply {
        text: "done".into(),
        // Well past the first progress tick (1 s), so a busy machine still sends one.
        delay: Duration::from_millis(2500),
    };
    let tc = TestClient::new(Era::Legacy, slow);
    let client = connect(dir.path(), tc.clone()).await;
    team(&client).await;
    let mut p = params("task-delegate", migration_task());
    let mut meta = RequestMetaObject::default();
    meta.set_progress_token(ProgressToken(NumberOrString::Number(9)));
    p.meta = Some(meta);
    ok(client.call_tool(p).await.expect("call"));
    let progress = tc.progress.lock().expect("lock").clone();
    assert!(
        progress.len() >= 2,
        "who took it, then at least one wait: {progress:?}"
    );
    let first = progress[0].message.as_deref().unwrap_or_default();
    assert!(first.contains("given to 'junior'"), "{first}");
    assert!(
        progress[1]
            .message
            .as_deref()
            .is_some_and(|m| m.contains("Waiting")),
        "{progress:?}"
    );
    assert!(
        progress
            .iter()
            .all(|n| n.progress_token == progress[0].progress_token)
    );
    assert!(
        progress.windows(2).all(|w| w[1].progress > w[0].progress),
        "{progress:?}"
    );
    client.cancel().await.expect("close");
}

/// Proves: a delegation with no route (a client without sampling and no provider) is recorded
/// as failed with llm-generate's fix-it error, so the lists show the attempt; one that names
/// nobody (neither persona nor expertise, both, an unknown persona, expertise nobody has: the
/// error lists who knows what) is refused and not recorded.
#[tokio::test]
async fn a_delegation_without_a_route_is_recorded_failed_and_one_without_a_persona_is_refused() {
    let dir = temp_dir();
    let client = connect(dir.path(), TestClient::new(Era::Legacy, Sampling::Unsupported)).await;
    team(&client).await;
    let m = err(delegate(&client, migration_task()).await);
    assert!(
        m.contains("'sampling' capability") && m.contains("provider"),
        "{m}"
    );
    let listed = list(&client, json!({})).await;
    assert_eq!(listed["total"], 1, "the attempt is recorded: {listed}");
    let failed = &listed["items"][0];
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .is_some_and(|e| e.contains("'sampling' capability")),
        "{failed}"
    );
    let m = err(delegate(&client, json!({"task": "Help."})).await);
    assert!(
        m.contains("needs 'persona'") && m.contains("or 'expertise'"),
        "{m}"
    );
    let m = err(delegate(
        &client,
        json!({"task": "Help.", "persona": "junior", "expertise": ["sql"]}),
    )
    .await);
    assert!(m.contains("not both"), "{m}");
    let m = err(delegate(
        &client,
        json!({"task": "Help.", "persona": "nobody", "provider": "sampling"}),
    )
    .await);
    assert!(m.contains("nobody") && m.contains("not found"), "{m}");
    assert_eq!(list(&client, json!({})).await["total"], 1, "no new record");
    client.cancel().await.expect("close");

    let tc = TestClient::replying(Era::Legacy, "x");
    let client = connect(dir.path(), tc.clone()).await;
    let m = err(delegate(&client, json!({"task": "Help.", "persona": "nobody"})).await);
    assert!(m.contains("nobody") && m.contains("not found"), "{m}");
    let m = err(delegate(&client, json!({"task": "Help.", "expertise": ["astronomy"]})).await);
    assert!(
        m.contains("No persona in the team has the expertise asked for (astronomy)")
            && m.contains("junior (sql, migrations)"),
        "{m}"
    );
    assert!(tc.requests().is_empty(), "no model was asked");
    assert_eq!(
        list(&client, json!({})).await["total"],
        1,
        "only the failed attempt"
    );
    client.cancel().await.expect("close");
}
