//! End-to-end: the memory tools (memory-store, memory-search) through the real binary over
//! stdio: store → search → related expansion, Japanese search, permissions between personas,
//! and over-size input. Each test says what it proves.
#![allow(deprecated)]

mod common;
#[path = "support/memory.rs"]
mod memory;

use common::*;
use memory::*;
use serde_json::json;

/// Proves: both memory tools are listed with annotations that say what they do (memory-search is
/// read-only; memory-store is not), and with strict input limits published in their schemas.
#[tokio::test]
async fn memory_tools_are_listed_with_annotations_and_limits() {
    let (data, home) = (temp_dir(), temp_dir());
    let client = server(data.path(), home.path(), TestClient::replying(Era::Legacy, "x")).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let find = |name: &str| {
        tools
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name} is not listed"))
    };
    let search = find("memory-search");
    let store_tool = find("memory-store");
    let hints = |t: &rmcp::model::Tool| t.annotations.as_ref().and_then(|a| a.read_only_hint);
    assert_eq!(hints(search), Some(true));
    assert_eq!(hints(store_tool), None, "not read-only (MCP's default)");
    let props = &store_tool.input_schema["properties"];
    assert_eq!(props["title"]["maxLength"], 200);
    assert_eq!(props["content"]["maxLength"], 20_000);
    assert_eq!(search.input_schema["properties"]["limit"]["maximum"], 50);
    client.cancel().await.expect("close");
}

/// Proves: a note stored is found by a word of its title or content, with a snippet of the
/// original text; a two-character Japanese word (東京) finds a note whose content has it inside
/// an unspaced sentence; `get` returns the note with its links; update and delete take effect.
#[tokio::test]
async fn stored_notes_are_found_in_english_and_japanese() {
    let (data, home) = (temp_dir(), temp_dir());
    let client = server(data.path(), home.path(), TestClient::replying(Era::Legacy, "x")).await;
    let tokyo = create(
        &client,
        json!({"title": "旅行メモ", "content": "昨日は東京タワーに行った", "tags": ["travel"]}),
    )
    .await;
    let bread = create(
        &client,
        json!({"title": "Sourdough", "content": "Feed the starter twice a day.", "tags": ["baking"]}),
    )
    .await;

    let page = search(&client, json!({"query": "東京"})).await;
    assert_eq!(ids(&page), [tokyo], "{page}");
    assert!(
        page["results"][0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("東京")),
        "the snippet comes from the original text: {page}"
    );
    assert!(page["results"][0]["related"].is_null(), "a direct hit: {page}");
    // A longer Japanese word and an English word find their notes too.
    assert_eq!(
        ids(&search(&client, json!({"query": "東京タワー"})).await),
        [tokyo]
    );
    assert_eq!(ids(&search(&client, json!({"query": "starter"})).await), [bread]);
    assert!(ids(&search(&client, json!({"query": "大阪"})).await).is_empty());

    // An empty query lists the newest first; a tag filter narrows it.
    assert_eq!(ids(&search(&client, json!({})).await), [bread, tokyo]);
    assert_eq!(ids(&search(&client, json!({"tags": ["travel"]})).await), [tokyo]);

    store(
        &client,
        json!({"action": "link", "id": tokyo, "to": bread, "relation": "snack"}),
    )
    .await;
    let note = search(&client, json!({"action": "get", "id": tokyo, "query": "unused"})).await;
    assert_eq!(note["content"], "昨日は東京タワーに行った");
    assert_eq!(
        notes(&note),
        ["Ignored 'query': action 'get' does not use it."],
        "a field the action does not read is named, not silently dropped"
    );
    assert_eq!(note["links"][0]["id"], bread, "{note}");
    assert_eq!(note["links"][0]["relation"], "snack", "{note}");

    let updated = store(
        &client,
        json!({"action": "update", "id": bread, "content": "Bake on Sunday."}),
    )
    .await;
    assert_eq!(updated["content"], "Bake on Sunday.");
    assert!(ids(&search(&client, json!({"query": "starter"})).await).is_empty());
    assert_eq!(ids(&search(&client, json!({"query": "Sunday"})).await), [bread]);

    let deleted = store(&client, json!({"action": "delete", "id": bread})).await;
    assert_eq!(deleted["deleted"], bread);
    let gone = err(call(&client, "memory-search", json!({"action": "get", "id": bread})).await);
    assert!(gone.contains("not found"), "{gone}");
    client.cancel().await.expect("close");
}

/// Proves: includeRelated returns the direct hits first, then notes reached along a link and
/// notes sharing a tag, each marked related (with where it came from); a note with neither
/// stays out; without includeRelated only the direct hit comes back.
#[tokio::test]
async fn include_related_adds_linked_and_tag_sharing_notes_after_direct_hits() {
    let (data, home) = (temp_dir(), temp_dir());
    let client = server(data.path(), home.path(), TestClient::replying(Era::Legacy, "x")).await;
    let hit = create(
        &client,
        json!({"title": "Lighthouse keeper", "content": "The lamp burns whale oil.", "tags": ["coast"]}),
    )
    .await;
    let linked = create(
        &client,
        json!({"title": "Supplies", "content": "Barrels arrive monthly."}),
    )
    .await;
    let same_tag = create(
        &client,
        json!({"title": "Tides", "content": "High water at noon.", "tags": ["coast"]}),
    )
    .await;
    let unrelated = create(
        &client,
        json!({"title": "Garden", "content": "Tomatoes need sun."}),
    )
    .await;
    store(
        &client,
        json!({"action": "link", "id": hit, "to": linked, "relation": "needs"}),
    )
    .await;

    assert_eq!(ids(&search(&client, json!({"query": "lamp"})).await), [hit]);
    let page = search(&client, json!({"query": "lamp", "includeRelated": true})).await;
    let found = ids(&page);
    assert_eq!(found.first(), Some(&hit), "the direct hit first: {page}");
    assert!(page["results"][0]["related"].is_null(), "{page}");
    for id in [linked, same_tag] {
        let at = found
            .iter()
            .position(|f| *f == id)
            .unwrap_or_else(|| panic!("note {id} missing from {page}"));
        let related = &page["results"][at]["related"];
        assert_eq!(related["from"], hit, "{page}");
        assert_eq!(related["hops"], 1, "{page}");
    }
    let at = |id: i64| found.iter().position(|f| *f == id).expect("listed");
    assert_eq!(page["results"][at(linked)]["related"]["link"], "needs", "{page}");
    assert_eq!(
        page["results"][at(same_tag)]["related"]["sharedTags"],
        json!(["coast"]),
        "{page}"
    );
    assert!(!found.contains(&unrelated), "{page}");
    client.cancel().await.expect("close");
}

/// Proves: a persona's private note is invisible to another persona in search and get (reported
/// as not found, so its existence does not leak), while the user sees it; a shared note is
/// readable but not writable by the other persona; an editable one is writable by it; only the
/// owner deletes; the owner filter tells the personas' notes from the user's own; an unknown
/// asPersona is an error, not a silent fallback to the user.
#[tokio::test]
async fn permissions_keep_personas_apart() {
    let (data, home) = (temp_dir(), temp_dir());
    let client = server(data.path(), home.path(), TestClient::replying(Era::Legacy, "x")).await;
    persona(&client, "alice").await;
    persona(&client, "bob").await;
    let secret = create(
        &client,
        json!({"asPersona": "alice", "title": "Diary", "content": "Meet at the harbour.", "permission": "private"}),
    )
    .await;
    let shared = create(
        &client,
        json!({"asPersona": "alice", "title": "Notice", "content": "The harbour closes at dusk.", "permission": "shared"}),
    )
    .await;
    let editable = create(
        &client,
        json!({"asPersona": "alice", "title": "Shopping", "content": "harbour fish", "permission": "editable"}),
    )
    .await;

    let as_bob = |extra: serde_json::Value| {
        let mut args = json!({"asPersona": "bob"});
        args.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        args
    };
    let bob_sees = ids(&search(&client, as_bob(json!({"query": "harbour"}))).await);
    assert!(!bob_sees.contains(&secret), "{bob_sees:?}");
    assert!(
        bob_sees.contains(&shared) && bob_sees.contains(&editable),
        "{bob_sees:?}"
    );
    let hidden = err(call(
        &client,
        "memory-search",
        as_bob(json!({"action": "get", "id": secret})),
    )
    .await);
    assert!(hidden.contains("not found"), "{hidden}");
    let alice_sees = ids(&search(&client, json!({"asPersona": "alice", "query": "harbour"})).await);
    assert!(alice_sees.contains(&secret), "{alice_sees:?}");
    let user_sees = ids(&search(&client, json!({"query": "harbour"})).await);
    assert_eq!(user_sees.len(), 3, "the user sees everything: {user_sees:?}");
    let users_own = create(&client, json!({"title": "Mine", "content": "harbour view"})).await;
    assert_eq!(
        ids(&search(&client, json!({"query": "harbour", "owner": "user"})).await),
        [users_own]
    );
    let by_alice = ids(&search(&client, json!({"query": "harbour", "owner": "alice"})).await);
    assert!(
        by_alice.len() == 3 && !by_alice.contains(&users_own),
        "{by_alice:?}"
    );

    let refused = err(call(
        &client,
        "memory-store",
        as_bob(json!({"action": "update", "id": shared, "content": "Open all night."})),
    )
    .await);
    assert!(
        refused.contains("may not change"),
        "bob may not change a shared note: {refused}"
    );
    store(
        &client,
        as_bob(json!({"action": "update", "id": editable, "content": "harbour fish and bread"})),
    )
    .await;
    let refused = err(call(
        &client,
        "memory-store",
        as_bob(json!({"action": "delete", "id": editable})),
    )
    .await);
    assert!(
        refused.contains("Only its owner"),
        "only the owner deletes: {refused}"
    );
    let refused = err(call(
        &client,
        "memory-store",
        as_bob(json!({"action": "update", "id": secret, "title": "Mine"})),
    )
    .await);
    assert!(refused.contains("not found"), "{refused}");

    let unknown = err(call(
        &client,
        "memory-search",
        json!({"asPersona": "mallory", "query": "harbour"}),
    )
    .await);
    assert!(unknown.contains("mallory"), "{unknown}");
    client.cancel().await.expect("close");
}

/// Proves: an over-size title, content, tag list and query are tool errors (isError) naming the
/// field and its limit, never a crash or a silent cut: the server answers the next call, and
/// nothing was stored.
#[tokio::test]
async fn over_size_input_is_a_tool_error_naming_field_and_limit() {
    let (data, home) = (temp_dir(), temp_dir());
    let client = server(data.path(), home.path(), TestClient::replying(Era::Legacy, "x")).await;
    let many_tags: Vec<String> = (0..21).map(|i| format!("tag{i}")).collect();
    let cases = [
        (
            "memory-store",
            json!({"action": "create", "title": "t".repeat(201), "content": "c"}),
            "title",
            "limit is 200",
        ),
        (
            "memory-store",
            json!({"action": "create", "title": "t", "content": "東".repeat(20_001)}),
            "content",
            "limit is 20000",
        ),
        (
            "memory-store",
            json!({"action": "create", "title": "t", "tags": many_tags}),
            "tags",
            "limit is 20",
        ),
        (
            "memory-store",
            json!({"action": "create", "title": "t", "tags": ["x".repeat(51)]}),
            "tag",
            "limit is 50",
        ),
        (
            "memory-search",
            json!({"query": "q".repeat(501)}),
            "query",
            "limit is 500",
        ),
        (
            "memory-search",
            json!({"query": "q", "limit": 51}),
            "limit",
            "1 to 50",
        ),
    ];
    for (tool, args, field, limit) in cases {
        let message = err(call(&client, tool, args).await);
        assert!(
            message.contains(field) && message.contains(limit),
            "{tool}: the error names {field} and {limit}: {message}"
        );
    }
    assert!(
        ids(&search(&client, json!({})).await).is_empty(),
        "nothing was stored"
    );
    client.cancel().await.expect("close");
}
