//! What to do with one incoming line, before rmcp sees it: deliver it, answer it with a JSON-RPC
//! error, or ignore it. Pure (no I/O) apart from logging why a line was ignored.
//!
//! rmcp 3.x ends a stdio session when a notification or response arrives before `initialize`,
//! ignores invalid JSON without an answer, answers a well-formed but invalid message with
//! -32600 and no `id`, and parses a known method with bad params as a custom request that it
//! answers with -32601. This module gives each of those the answer JSON-RPC 2.0 prescribes.

// The list of known requests names the deprecated ones too (logging, resources/subscribe): rmcp
// still parses them, so their bad params are still -32602.
#![allow(deprecated)]

use rmcp::model::{
    ClientJsonRpcMessage, ClientRequest, ConstString, ErrorCode, GetMeta, JsonRpcMessage, ProtocolVersion,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// The outcome for one line.
#[derive(Debug)]
pub enum Verdict {
    /// A valid message for rmcp (boxed: it is ten times the size of the other variants).
    Deliver(Box<ClientJsonRpcMessage>),
    /// An error response to write back; rmcp never sees the line.
    Reply(ErrorReply),
    /// Nothing to deliver or answer (a blank line, or a stray that has been logged).
    Ignore,
}

/// Declares the request methods rmcp parses into typed requests: their names, and a parse of a
/// message as the typed request that yields serde's complaint about its params.
macro_rules! known_requests {
    ($($method:ident => $request:ident),* $(,)?) => {
        /// Every request method rmcp's `ClientRequest` knows; any other method is not found.
        const KNOWN_METHODS: &[&str] = &[$(<rmcp::model::$method as ConstString>::VALUE),*];

        /// Why `message` (method and params) does not parse as the typed request of `method`.
        fn params_problem(method: &str, message: Value) -> Option<String> {
            $(
                if method == <rmcp::model::$method as ConstString>::VALUE {
                    return serde_json::from_value::<rmcp::model::$request>(message)
                        .err()
                        .map(|e| e.to_string());
                }
            )*
            None
        }
    };
}

known_requests! {
    PingRequestMethod => PingRequest,
    InitializeResultMethod => InitializeRequest,
    DiscoverRequestMethod => DiscoverRequest,
    CompleteRequestMethod => CompleteRequest,
    SetLevelRequestMethod => SetLevelRequest,
    GetPromptRequestMethod => GetPromptRequest,
    ListPromptsRequestMethod => ListPromptsRequest,
    ListResourcesRequestMethod => ListResourcesRequest,
    ListResourceTemplatesRequestMethod => ListResourceTemplatesRequest,
    ReadResourceRequestMethod => ReadResourceRequest,
    SubscriptionsListenRequestMethod => SubscriptionsListenRequest,
    SubscribeRequestMethod => SubscribeRequest,
    UnsubscribeRequestMethod => UnsubscribeRequest,
    CallToolRequestMethod => CallToolRequest,
    ListToolsRequestMethod => ListToolsRequest,
    GetTaskMethod => GetTaskRequest,
    UpdateTaskMethod => UpdateTaskRequest,
    CancelTaskMethod => CancelTaskRequest,
    ListSkillsRequestMethod => ListSkillsRequest,
    GetSkillRequestMethod => GetSkillRequest,
    ReadResourceDirectoryRequestMethod => ReadResourceDirectoryRequest,
}

/// UTF-8 byte order mark, which RFC 8259 lets a parser ignore (rmcp does too).
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The inspector of one session's incoming lines. It tracks whether rmcp has left its
/// pre-session loop (where a notification or response is fatal) for the session loop.
#[derive(Debug)]
pub struct Inspector {
    started: bool,
    supported: Vec<ProtocolVersion>,
}

impl Inspector {
    /// An inspector for a server that speaks `supported` (its `supported_protocol_versions`).
    pub fn new(supported: impl Into<Vec<ProtocolVersion>>) -> Self {
        Self {
            started: false,
            supported: supported.into(),
        }
    }

    /// Whether a session has started (legacy `initialize`, or a 2026-07-28 request rmcp
    /// accepts as the first of a session).
    #[cfg(test)]
    pub fn started(&self) -> bool {
        self.started
    }

    /// Decides what happens to one line (without its line ending).
    pub fn inspect(&mut self, line: &[u8]) -> Verdict {
        let line = line.strip_prefix(BOM).unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return Verdict::Ignore;
        }
        let value: Value = match serde_json::from_slice(line) {
            Ok(value) => value,
            Err(e) => {
                tracing::debug!("answered a line that is not JSON: {e}");
                return reply(
                    Value::Null,
                    ErrorCode::PARSE_ERROR,
                    format!(
                        "Parse error: the line is not valid JSON ({e}). Send one JSON-RPC message per line."
                    ),
                );
            }
        };
        match value {
            Value::Object(object) => self.inspect_object(object),
            Value::Array(_) => reply(
                Value::Null,
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: JSON-RPC batches (arrays) are not supported by MCP; send one message per line.",
            ),
            _ => reply(
                Value::Null,
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: a JSON-RPC message must be a JSON object.",
            ),
        }
    }

    fn inspect_object(&mut self, object: Map<String, Value>) -> Verdict {
        // Echo the id whenever it is one JSON-RPC allows, even if MCP does not (a fraction, a
        // number beyond 64 bits): the client can still match the error to its request.
        let echo = match object.get("id") {
            Some(id @ (Value::String(_) | Value::Number(_))) => id.clone(),
            _ => Value::Null,
        };
        let is_response = object.contains_key("result") || object.contains_key("error");
        match object.get("method") {
            Some(Value::String(method)) if object.contains_key("id") && !is_response => {
                let method = method.clone();
                self.inspect_request(object, echo, &method)
            }
            Some(Value::String(method)) if !object.contains_key("id") && !is_response => {
                let method = method.clone();
                self.inspect_notification(object, &method)
            }
            Some(Value::String(_)) => reply(
                echo,
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: a message with a `method` must not carry `result` or `error`.",
            ),
            Some(_) => reply(
                echo,
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: `method` must be a string.",
            ),
            None if is_response => self.inspect_response(object),
            None => reply(
                echo,
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: a message needs a `method` (request or notification), or a `result` or `error` (response).",
            ),
        }
    }

    fn inspect_request(&mut self, object: Map<String, Value>, echo: Value, method: &str) -> Verdict {
        if object.get("jsonrpc") != Some(&json!("2.0")) {
            return reply(
                echo,
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: `jsonrpc` must be \"2.0\".",
            );
        }
        let id_ok = match &object["id"] {
            Value::String(_) => true,
            Value::Number(n) => n.is_i64(),
            _ => false,
        };
        if !id_ok {
            return reply(
                echo,
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: `id` must be a string or an integer.",
            );
        }
        if !KNOWN_METHODS.contains(&method) {
            return reply(
                echo,
                ErrorCode::METHOD_NOT_FOUND,
                format!("Method not found: {method}"),
            );
        }
        if let Some(params) = object.get("params")
            && !params.is_object()
        {
            return reply(
                echo,
                ErrorCode::INVALID_PARAMS,
                format!("Invalid params for {method}: `params` must be an object."),
            );
        }
        let has_params = object.contains_key("params");
        let typed_message = json!({ "method": method, "params": object.get("params") });
        let parsed = serde_json::from_value::<ClientJsonRpcMessage>(Value::Object(object));
        match parsed {
            Ok(JsonRpcMessage::Request(request))
                if !matches!(request.request, ClientRequest::CustomRequest(_)) =>
            {
                self.note_session_start(&request.request);
                Verdict::Deliver(Box::new(JsonRpcMessage::Request(request)))
            }
            // A known method that only parses as a custom request has params rmcp rejected.
            parsed => {
                let problem = if has_params {
                    params_problem(method, typed_message)
                        .or_else(|| parsed.err().map(|e| e.to_string()))
                        .unwrap_or_else(|| "they do not match the method's schema".into())
                } else {
                    "`params` is missing".into()
                };
                reply(
                    echo,
                    ErrorCode::INVALID_PARAMS,
                    format!("Invalid params for {method}: {problem}."),
                )
            }
        }
    }

    /// rmcp leaves its pre-session loop on `initialize`, or on the first request other than
    /// `ping` and `server/discover` whose `_meta` names a supported protocol version and carries
    /// client capabilities (a 2026-07-28 session); the same checks are made here.
    fn note_session_start(&mut self, request: &ClientRequest) {
        if self.started {
            return;
        }
        match request {
            ClientRequest::InitializeRequest(_) => self.started = true,
            ClientRequest::PingRequest(_) | ClientRequest::DiscoverRequest(_) => {}
            other => {
                let meta = other.get_meta();
                self.started = meta
                    .missing_required_keys(&ProtocolVersion::V_2026_07_28)
                    .is_empty()
                    && meta
                        .protocol_version()
                        .is_some_and(|version| self.supported.contains(&version));
            }
        }
    }

    fn inspect_notification(&mut self, object: Map<String, Value>, method: &str) -> Verdict {
        if !self.started {
            tracing::warn!("ignored notification {method:?} sent before the session started (initialize)");
            return Verdict::Ignore;
        }
        match serde_json::from_value::<ClientJsonRpcMessage>(Value::Object(object)) {
            Ok(message) => Verdict::Deliver(Box::new(message)),
            // Notifications are never answered, not even with an error.
            Err(e) => {
                tracing::debug!("ignored malformed notification {method:?}: {e}");
                Verdict::Ignore
            }
        }
    }

    fn inspect_response(&mut self, object: Map<String, Value>) -> Verdict {
        if !self.started {
            let id = object.get("id").cloned().unwrap_or_default();
            tracing::warn!(
                %id,
                "ignored a response sent before the session started (initialize); the server asked nothing yet"
            );
            return Verdict::Ignore;
        }
        match serde_json::from_value::<ClientJsonRpcMessage>(Value::Object(object)) {
            Ok(message) => Verdict::Deliver(Box::new(message)),
            // Responses are never answered: an error reply could start an echo loop.
            Err(e) => {
                tracing::debug!("ignored malformed response: {e}");
                Verdict::Ignore
            }
        }
    }
}

/// A JSON-RPC error response. The id is raw JSON so that any id a client sent can be echoed
/// (rmcp's `RequestId` holds only strings and 64-bit integers).
#[derive(Debug, Serialize)]
pub struct ErrorReply {
    pub jsonrpc: &'static str,
    pub id: Value,
    pub error: ErrorBody,
}

#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub code: i32,
    pub message: String,
}

fn reply(id: Value, code: ErrorCode, message: impl Into<String>) -> Verdict {
    Verdict::Reply(ErrorReply {
        jsonrpc: "2.0",
        id,
        error: ErrorBody {
            code: code.0,
            message: message.into(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inspector() -> Inspector {
        Inspector::new(ProtocolVersion::KNOWN_VERSIONS.to_vec())
    }

    /// The (id, code) of an error reply; panics on any other verdict.
    fn answered(verdict: Verdict) -> (Value, i64) {
        match verdict {
            Verdict::Reply(r) => (r.id, i64::from(r.error.code)),
            other => panic!("expected an error reply, got {other:?}"),
        }
    }

    fn check(line: &str, id: Value, code: i32) {
        assert_eq!(
            answered(inspector().inspect(line.as_bytes())),
            (id, i64::from(code)),
            "{line}"
        );
    }

    /// Every kind of malformed request gets the code JSON-RPC prescribes, with its id.
    #[test]
    fn malformed_requests_get_the_right_code_and_their_id() {
        check("{not json", Value::Null, -32700);
        check("[]", Value::Null, -32600);
        check("42", Value::Null, -32600);
        check(r#"{"jsonrpc":"2.0","id":7}"#, json!(7), -32600);
        check(
            r#"{"jsonrpc":"1.0","id":"a","method":"tools/list"}"#,
            json!("a"),
            -32600,
        );
        check(
            r#"{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}"#,
            json!(1.5),
            -32600,
        );
        check(
            r#"{"jsonrpc":"2.0","id":{"x":1},"method":"tools/list"}"#,
            Value::Null,
            -32600,
        );
        check(r#"{"jsonrpc":"2.0","id":3,"method":7}"#, json!(3), -32600);
        check(
            r#"{"jsonrpc":"2.0","id":4,"method":"nope/nothing"}"#,
            json!(4),
            -32601,
        );
        check(
            r#"{"jsonrpc":"2.0","id":5,"method":"tools/call"}"#,
            json!(5),
            -32602,
        );
        check(
            r#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":3}}"#,
            json!(6),
            -32602,
        );
        check(
            r#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"x","arguments":[1]}}"#,
            json!(8),
            -32602,
        );
        check(
            r#"{"jsonrpc":"2.0","id":9,"method":"resources/read","params":{}}"#,
            json!(9),
            -32602,
        );
        check(
            r#"{"jsonrpc":"2.0","id":10,"method":"tools/list","params":[1]}"#,
            json!(10),
            -32602,
        );
        check(
            r#"{"jsonrpc":"2.0","id":11,"method":"initialize","params":{"protocolVersion":1}}"#,
            json!(11),
            -32602,
        );
    }

    /// A -32602 names what is wrong, in serde's words.
    #[test]
    fn an_invalid_params_error_says_what_is_wrong() {
        let Verdict::Reply(v) =
            inspector().inspect(br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}"#)
        else {
            panic!("no reply")
        };
        let message = v.error.message;
        assert!(
            message.contains("tools/call") && message.contains("name"),
            "{message}"
        );
    }

    /// Stray notifications and responses are dropped before a session, delivered after it.
    #[test]
    fn strays_are_ignored_only_before_the_session_starts() {
        let mut inspector = inspector();
        let note = br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        let response = br#"{"jsonrpc":"2.0","id":1,"result":{}}"#;
        assert!(matches!(inspector.inspect(note), Verdict::Ignore));
        assert!(matches!(inspector.inspect(response), Verdict::Ignore));
        assert!(!inspector.started());
        let init = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
        assert!(matches!(inspector.inspect(init), Verdict::Deliver(_)));
        assert!(inspector.started());
        assert!(matches!(inspector.inspect(note), Verdict::Deliver(_)));
        assert!(matches!(inspector.inspect(response), Verdict::Deliver(_)));
    }

    /// 2026-07-28: discover and ping leave the session unstarted; a request with complete
    /// metadata of a supported version starts it; one with an unknown version does not.
    #[test]
    fn a_2026_request_with_complete_metadata_starts_the_session() {
        let mut inspector = inspector();
        let discover = br#"{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
        assert!(matches!(inspector.inspect(discover), Verdict::Deliver(_)));
        assert!(!inspector.started());
        let unknown_version = br#"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
        assert!(matches!(inspector.inspect(unknown_version), Verdict::Deliver(_)));
        assert!(!inspector.started());
        let list = br#"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
        assert!(matches!(inspector.inspect(list), Verdict::Deliver(_)));
        assert!(inspector.started());
    }

    /// Blank lines and a byte order mark are not errors.
    #[test]
    fn blank_lines_and_a_bom_are_accepted() {
        assert!(matches!(inspector().inspect(b"  \t"), Verdict::Ignore));
        let ping = b"\xEF\xBB\xBF{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
        assert!(matches!(inspector().inspect(ping), Verdict::Deliver(_)));
    }
}
