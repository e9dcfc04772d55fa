//! Stray and malformed JSON-RPC over stdio, against the real binary: nothing a client writes
//! ends the session; every malformed request is answered with the JSON-RPC error code it calls
//! for and its own id; stray notifications and responses are never answered. Each test ends by
//! proving the process lives on and answers a normal `tools/list`.

mod raw;

use raw::{RawServer, meta_2026};
use serde_json::{Value, json};

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;

/// An error reply's message.
fn message(reply: &Value) -> &str {
    reply["error"]["message"].as_str().unwrap_or_default()
}

/// A notification before `initialize` is ignored (logged on stderr), never answered and never
/// fatal: the next message the server writes is the answer to a later `initialize`.
#[test]
fn a_notification_before_initialize_is_ignored_and_initialize_still_works() {
    let mut server = RawServer::start();
    server.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    server.send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#);
    server.send(
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}"#,
    );
    server.initialize();
    server.list_tools("list", false);
    let log = server.stderr();
    assert!(
        log.contains("ignored notification \"notifications/initialized\""),
        "the stray notification was not logged:\n{log}"
    );
    server.assert_lives_on_and_ends_cleanly(false);
}

/// A response or error response before `initialize` (the server asked nothing) is ignored and
/// logged, never answered and never fatal.
#[test]
fn a_response_before_initialize_is_ignored_and_initialize_still_works() {
    let mut server = RawServer::start();
    server.send(r#"{"jsonrpc":"2.0","id":5,"result":{}}"#);
    server.send(r#"{"jsonrpc":"2.0","id":6,"error":{"code":-32000,"message":"no"}}"#);
    server.send(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#);
    server.initialize();
    let log = server.stderr();
    assert!(
        log.contains("ignored a response"),
        "the stray response was not logged:\n{log}"
    );
    server.assert_lives_on_and_ends_cleanly(false);
}

/// Text that is not JSON gets -32700 with a null id, before and after `initialize`.
#[test]
fn invalid_json_gets_a_parse_error_with_a_null_id() {
    let mut server = RawServer::start();
    server.expect_error(r#"{"jsonrpc":"2.0","id":1,"method":"#, Value::Null, PARSE_ERROR);
    server.initialize();
    server.expect_error("not json at all", Value::Null, PARSE_ERROR);
    server.expect_error(r#"{"jsonrpc":"2.0","id":2,}"#, Value::Null, PARSE_ERROR);
    server.assert_lives_on_and_ends_cleanly(false);
}

/// Well-formed JSON that is not a valid request object gets -32600, with the message's id when
/// it has a usable one and null otherwise.
#[test]
fn json_that_is_not_a_request_gets_invalid_request_with_its_id() {
    let mut server = RawServer::start();
    server.initialize();
    // Neither a method nor a result/error:
    server.expect_error(r#"{"jsonrpc":"2.0","id":7}"#, json!(7), INVALID_REQUEST);
    // Wrong or missing protocol marker:
    server.expect_error(
        r#"{"jsonrpc":"1.0","id":"v","method":"tools/list"}"#,
        json!("v"),
        INVALID_REQUEST,
    );
    server.expect_error(r#"{"id":8,"method":"tools/list"}"#, json!(8), INVALID_REQUEST);
    // A method that is not a string; a request that also carries a result:
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":9,"method":42}"#,
        json!(9),
        INVALID_REQUEST,
    );
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":10,"method":"tools/list","result":{}}"#,
        json!(10),
        INVALID_REQUEST,
    );
    // Ids MCP does not allow: echoed when JSON-RPC can carry them, null when not.
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}"#,
        json!(1.5),
        INVALID_REQUEST,
    );
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":true,"method":"tools/list"}"#,
        Value::Null,
        INVALID_REQUEST,
    );
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":null,"method":"tools/list"}"#,
        Value::Null,
        INVALID_REQUEST,
    );
    // Not an object at all; a batch:
    server.expect_error(r#""hello""#, Value::Null, INVALID_REQUEST);
    server.expect_error(
        r#"[{"jsonrpc":"2.0","id":11,"method":"tools/list"}]"#,
        Value::Null,
        INVALID_REQUEST,
    );
    server.assert_lives_on_and_ends_cleanly(false);
}

/// An unknown method gets -32601 with its id, before and after `initialize`.
#[test]
fn an_unknown_method_gets_method_not_found_with_its_id() {
    let mut server = RawServer::start();
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":"u1","method":"does/not-exist"}"#,
        json!("u1"),
        METHOD_NOT_FOUND,
    );
    server.initialize();
    let reply = server.expect_error(
        r#"{"jsonrpc":"2.0","id":"u2","method":"tools/run","params":{"name":"x"}}"#,
        json!("u2"),
        METHOD_NOT_FOUND,
    );
    assert!(message(&reply).contains("tools/run"), "{reply}");
    // A server-to-client method sent by the client is not ours to serve either.
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":"u3","method":"sampling/createMessage","params":{}}"#,
        json!("u3"),
        METHOD_NOT_FOUND,
    );
    server.assert_lives_on_and_ends_cleanly(false);
}

/// `tools/call` with params missing, `name` not a string, `arguments` not an object or params
/// not an object gets -32602 (not -32601) with its id, and a message naming the problem.
#[test]
fn tools_call_with_bad_params_gets_invalid_params_with_its_id() {
    let mut server = RawServer::start();
    server.initialize();
    let reply = server.expect_error(
        r#"{"jsonrpc":"2.0","id":20,"method":"tools/call"}"#,
        json!(20),
        INVALID_PARAMS,
    );
    assert!(message(&reply).contains("params"), "{reply}");
    let reply = server.expect_error(
        r#"{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"name":42}}"#,
        json!(21),
        INVALID_PARAMS,
    );
    assert!(message(&reply).contains("tools/call"), "{reply}");
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"arguments":{}}}"#,
        json!(22),
        INVALID_PARAMS,
    );
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":"t23","method":"tools/call","params":{"name":"template-manage","arguments":"list"}}"#,
        json!("t23"),
        INVALID_PARAMS,
    );
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":24,"method":"tools/call","params":["template-manage"]}"#,
        json!(24),
        INVALID_PARAMS,
    );
    // The same tool with good params still works.
    server.send(r#"{"jsonrpc":"2.0","id":25,"method":"tools/call","params":{"name":"template-manage","arguments":{"action":"list"}}}"#);
    let reply = server.next_message();
    assert_eq!(reply["id"], 25, "{reply}");
    assert_ne!(reply["result"]["isError"], true, "{reply}");
    server.assert_lives_on_and_ends_cleanly(false);
}

/// `resources/read` without a uri (or with one that is not a string) gets -32602 with its id.
#[test]
fn resources_read_without_uri_gets_invalid_params_with_its_id() {
    let mut server = RawServer::start();
    server.initialize();
    let reply = server.expect_error(
        r#"{"jsonrpc":"2.0","id":30,"method":"resources/read","params":{}}"#,
        json!(30),
        INVALID_PARAMS,
    );
    assert!(message(&reply).contains("uri"), "{reply}");
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":31,"method":"resources/read"}"#,
        json!(31),
        INVALID_PARAMS,
    );
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":32,"method":"resources/read","params":{"uri":7}}"#,
        json!(32),
        INVALID_PARAMS,
    );
    server.assert_lives_on_and_ends_cleanly(false);
}

/// `initialize` with bad params gets -32602 with its id, and does not end the process: a
/// correct `initialize` afterwards starts the session.
#[test]
fn initialize_with_bad_params_gets_invalid_params_and_a_later_initialize_works() {
    let mut server = RawServer::start();
    // rmcp alone answered these with -32602 too, but about a missing 2026-07-28 `_meta`: the
    // message must name what is actually wrong.
    let reply = server.expect_error(
        r#"{"jsonrpc":"2.0","id":40,"method":"initialize"}"#,
        json!(40),
        INVALID_PARAMS,
    );
    assert!(message(&reply).contains("`params` is missing"), "{reply}");
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":41,"method":"initialize","params":{"protocolVersion":20251125,"capabilities":{},"clientInfo":{"name":"x","version":"1"}}}"#,
        json!(41),
        INVALID_PARAMS,
    );
    let reply = server.expect_error(
        r#"{"jsonrpc":"2.0","id":42,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}"#,
        json!(42),
        INVALID_PARAMS,
    );
    assert!(message(&reply).contains("capabilities"), "{reply}");
    server.initialize();
    server.assert_lives_on_and_ends_cleanly(false);
}

/// The 2026-07-28 era (no `initialize`) is unharmed: a stray notification first is ignored,
/// `server/discover` is answered, a request with `_meta` starts the session directly, a
/// notification after that is delivered (not answered), and malformed requests get the same
/// answers as in a legacy session.
#[test]
fn the_2026_era_starts_without_initialize_and_gets_the_same_answers() {
    let mut server = RawServer::start();
    server.send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99}}"#);
    let discover =
        json!({"jsonrpc":"2.0","id":"d","method":"server/discover","params":{"_meta": meta_2026()}});
    server.send(&discover.to_string());
    let reply = server.next_message();
    assert_eq!(reply["id"], "d", "{reply}");
    assert!(
        reply["result"].is_object(),
        "server/discover not answered: {reply}"
    );
    server.list_tools("first", true);
    server.send(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"gone"}}"#);
    let bad_call =
        json!({"jsonrpc":"2.0","id":50,"method":"tools/call","params":{"name":3,"_meta": meta_2026()}});
    server.expect_error(&bad_call.to_string(), json!(50), INVALID_PARAMS);
    server.expect_error(
        r#"{"jsonrpc":"2.0","id":51,"method":"nope"}"#,
        json!(51),
        METHOD_NOT_FOUND,
    );
    server.expect_error("{", Value::Null, PARSE_ERROR);
    server.assert_lives_on_and_ends_cleanly(true);
}
