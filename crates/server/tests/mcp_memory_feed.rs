//! End-to-end: the memory change feed (`llmgen://memory/feed{?since,asPersona}`) through the real
//! binary: listed, read with a cursor and a persona, bad URIs refused clearly, and subscriptions
//! that hear of changes made by another server process on the same data dir. Each test says what
//! it proves.
#![allow(deprecated)]

mod common;
#[path = "support/memory.rs"]
mod memory;

use std::time::Duration;

use common::*;
use memory::*;
use rmcp::model::{SubscribeRequestParams, UnsubscribeRequestParams};
use serde_json::json;

/// Long enough for several polls (every 500 ms) and a busy machine.
const NOTICE_WITHIN: Duration = Duration::from_secs(10);
/// How long a notification that must not come is waited for: three polls and more.
const QUIET_FOR: Duration = Duration::from_millis(2_000);

/// Proves: the feed is in resources/list and its template in resources/templates/list; reading it
/// returns the changes in order with a cursor (`nextSince`) that skips what was read; the
/// resources capability says subscriptions are supported; bad query values and an unknown
/// persona are clear errors, and the server keeps serving after them.
#[tokio::test]
async fn the_feed_is_listed_read_with_a_cursor_and_refuses_bad_uris() {
    let (data, home) = (temp_dir(), temp_dir());
    let client = server(data.path(), home.path(), TestClient::replying(Era::Legacy, "x")).await;
    let caps = client
        .peer_info()
        .and_then(|info| info.capabilities.resources.clone())
        .expect("resources capability");
    assert_eq!(caps.subscribe, Some(true));
    let listed = client.list_all_resources().await.expect("resources/list");
    assert!(listed.iter().any(|r| r.uri == FEED), "{listed:?}");
    let templates = client
        .list_all_resource_templates()
        .await
        .expect("templates/list");
    assert!(
        templates
            .iter()
            .any(|t| t.uri_template == "llmgen://memory/feed{?since,asPersona}"),
        "{templates:?}"
    );

    let first = create(&client, json!({"title": "One", "content": "first"})).await;
    let second = create(&client, json!({"title": "Two", "content": "second"})).await;
    let page = feed(&client, FEED).await;
    assert_eq!(changed_ids(&page), [first, second], "{page}");
    assert_eq!(page["changes"][0]["action"], "created", "{page}");
    let since = page["nextSince"].as_i64().expect("nextSince");
    let after = feed(&client, &format!("{FEED}?since={since}")).await;
    assert!(
        changed_ids(&after).is_empty(),
        "nothing after the cursor: {after}"
    );
    store(&client, json!({"action": "update", "id": first, "title": "Uno"})).await;
    let after = feed(&client, &format!("{FEED}?since={since}")).await;
    assert_eq!(changed_ids(&after), [first], "{after}");
    assert_eq!(after["changes"][0]["action"], "updated", "{after}");

    for (uri, says) in [
        (format!("{FEED}?since=-3"), "0 or more"),
        (format!("{FEED}?since=soon"), "'soon'"),
        (format!("{FEED}?sinc=3"), "unknown parameter 'sinc'"),
        (format!("{FEED}?since=1&since=2"), "twice"),
        (format!("{FEED}?asPersona=%E6%9D"), "UTF-8"),
        (format!("{FEED}?asPersona=nobody"), "nobody"),
    ] {
        let e = read(&client, &uri).await.expect_err("refused");
        assert!(e.contains(says), "{uri}: {e}");
    }
    assert!(read(&client, FEED).await.is_ok(), "still serving");
    let refused = client
        .subscribe(SubscribeRequestParams::new("llmgen://templates"))
        .await
        .expect_err("only the feed can be subscribed to");
    assert!(refused.to_string().contains("only the memory feed"), "{refused}");
    client.cancel().await.expect("close");
}

/// Proves, with two server processes on one data dir (as two AI apps would run them): a change
/// made through process 1 is in process 2's feed; process 2's subscriber to bob's feed hears
/// nothing of alice's private note but is notified (resources/updated, for the URI it subscribed
/// to) of her shared one; bob's feed never shows the private note while the user's feed does;
/// after unsubscribing, no more notifications come.
#[tokio::test]
async fn changes_in_one_process_reach_another_process_feed_and_subscribers() {
    let (data, home) = (temp_dir(), temp_dir());
    let one = server(data.path(), home.path(), TestClient::replying(Era::Legacy, "x")).await;
    persona(&one, "alice").await;
    persona(&one, "bob").await;
    let watcher = TestClient::replying(Era::Legacy, "x");
    let two = server(data.path(), home.path(), watcher.clone()).await;
    let bob_feed = format!("{FEED}?asPersona=bob");
    two.subscribe(SubscribeRequestParams::new(bob_feed.clone()))
        .await
        .expect("subscribe to bob's feed");

    let private = create(
        &one,
        json!({"asPersona": "alice", "title": "Diary", "content": "secret", "permission": "private"}),
    )
    .await;
    assert!(
        !updated_within(&watcher, &bob_feed, QUIET_FOR).await,
        "bob's subscriber is not told of a note bob may not read"
    );
    let shared = create(
        &one,
        json!({"asPersona": "alice", "title": "Notice", "content": "open", "permission": "shared"}),
    )
    .await;
    assert!(
        updated_within(&watcher, &bob_feed, NOTICE_WITHIN).await,
        "process 2 noticed process 1's shared note"
    );

    let bobs = feed(&two, &format!("{bob_feed}&since=0")).await;
    assert_eq!(changed_ids(&bobs), [shared], "bob's feed in process 2: {bobs}");
    let users = feed(&two, FEED).await;
    assert_eq!(changed_ids(&users), [private, shared], "the user's feed: {users}");
    let hidden = err(call(
        &two,
        "memory-search",
        json!({"asPersona": "bob", "action": "get", "id": private}),
    )
    .await);
    assert!(hidden.contains("not found"), "{hidden}");

    two.unsubscribe(UnsubscribeRequestParams::new(bob_feed.clone()))
        .await
        .expect("unsubscribe");
    watcher.resource_updates.lock().expect("lock").clear();
    create(
        &one,
        json!({"asPersona": "alice", "title": "Later", "content": "also open", "permission": "shared"}),
    )
    .await;
    assert!(
        !updated_within(&watcher, &bob_feed, QUIET_FOR).await,
        "no notification after unsubscribing"
    );
    one.cancel().await.expect("close");
    two.cancel().await.expect("close");
}

/// Proves: on 2026-07-28 (no resources/subscribe), a `subscriptions/listen` stream that names a
/// feed URI has it acknowledged (another resource is not: nothing else sends updates) and gets
/// resources/updated for it when another process stores a note the persona may read.
#[tokio::test]
async fn a_listen_stream_hears_of_feed_changes_from_another_process() {
    use rmcp::model::{ServerNotification, SubscriptionFilter};
    let (data, home) = (temp_dir(), temp_dir());
    let one = server(data.path(), home.path(), TestClient::replying(Era::Legacy, "x")).await;
    persona(&one, "bob").await;
    let two = server(data.path(), home.path(), TestClient::replying(Era::Modern, "x")).await;
    let bob_feed = format!("{FEED}?asPersona=bob");
    let mut filter = SubscriptionFilter::new();
    filter.resource_subscriptions = Some(vec![bob_feed.clone(), "llmgen://status".into()]);
    let mut subscription = two.listen(filter).await.expect("subscriptions/listen");
    assert_eq!(
        subscription.acknowledged().resource_subscriptions,
        Some(vec![bob_feed.clone()])
    );

    create(
        &one,
        json!({"title": "For all", "content": "hello", "permission": "shared"}),
    )
    .await;
    let heard = tokio::time::timeout(NOTICE_WITHIN, async {
        loop {
            match subscription.next().await {
                Ok(Some(ServerNotification::ResourceUpdatedNotification(n))) => return n.params.uri,
                Ok(Some(_)) => {}
                other => panic!("the stream ended: {other:?}"),
            }
        }
    })
    .await
    .expect("resources/updated within the wait");
    assert_eq!(heard, bob_feed);
    one.cancel().await.expect("close");
    two.cancel().await.expect("close");
}
