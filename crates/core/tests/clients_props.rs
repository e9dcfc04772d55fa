//! Property tests of the format-preserving editor over generated client files: whatever the
//! indentation, line endings, comments, trailing commas and other servers, configure changes
//! nothing but our entry and remove gives back the original bytes.

use llmgen_core::clients::jsonc::{self, Syntax};
use proptest::prelude::*;
use serde_json::Value;

const NAME: &str = "llm-generator";

/// One generated document and the other servers it holds.
#[derive(Debug, Clone)]
struct Doc {
    text: String,
    syntax: Syntax,
}

fn server_name() -> impl Strategy<Value = String> {
    // Names of other servers; never ours.
    "[a-z][a-z0-9_-]{0,12}".prop_filter("not ours", |n| n != NAME)
}

fn doc() -> impl Strategy<Value = Doc> {
    (
        prop::collection::btree_map(server_name(), "[ -~]{0,20}", 0..5),
        prop_oneof![Just("  "), Just("    "), Just("\t")],
        any::<bool>(), // CRLF
        any::<bool>(), // JSONC features (comments, trailing commas)
        any::<bool>(), // a preceding unrelated key
    )
        .prop_map(|(servers, indent, crlf, jsonc, extra)| {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut lines = vec!["{".to_string()];
            if jsonc {
                lines.push(format!("{indent}// my settings"));
            }
            if extra {
                lines.push(format!("{indent}\"theme\": \"dark\","));
            }
            lines.push(format!("{indent}\"mcpServers\": {{"));
            let count = servers.len();
            for (i, (name, arg)) in servers.into_iter().enumerate() {
                let comma = if i + 1 < count || jsonc { "," } else { "" };
                let arg = Value::from(arg).to_string();
                lines.push(format!(
                    "{indent}{indent}\"{name}\": {{ \"command\": \"npx\", \"args\": [{arg}] }}{comma}"
                ));
            }
            lines.push(format!("{indent}}}{}", if jsonc { "," } else { "" }));
            lines.push("}".to_string());
            Doc {
                text: lines.join(nl) + nl,
                syntax: if jsonc { Syntax::Jsonc } else { Syntax::StrictJson },
            }
        })
}

fn fields() -> Vec<(&'static str, Value)> {
    vec![
        ("command", Value::from("/opt/llmgen/mcp-llm-generator")),
        ("args", Value::Array(vec![])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn configure_keeps_every_other_entry_and_remove_restores_the_bytes(d in doc()) {
        let before = jsonc::entries(&d.text, d.syntax, "mcpServers").expect("generated docs parse");
        let added = jsonc::upsert_entry(&d.text, d.syntax, "mcpServers", NAME, &fields()).expect("configure");
        // Still valid in the client's own syntax (a strict file stays strict JSON).
        jsonc::check(&added, d.syntax).expect("the result parses in the file's syntax");
        let after = jsonc::entries(&added, d.syntax, "mcpServers").expect("parse after");
        let others: Vec<_> = after.iter().filter(|(n, _)| n != NAME).cloned().collect();
        prop_assert_eq!(&others, &before);
        prop_assert_eq!(
            jsonc::read_entry(&added, d.syntax, "mcpServers", NAME).expect("read"),
            Some(serde_json::json!({"command": "/opt/llmgen/mcp-llm-generator", "args": []}))
        );
        if d.text.contains("\r\n") {
            prop_assert!(!added.replace("\r\n", "").contains('\n'), "no bare LF in a CRLF file");
        }
        let again = jsonc::upsert_entry(&added, d.syntax, "mcpServers", NAME, &fields()).expect("again");
        prop_assert_eq!(&again, &added);
        let removed = jsonc::remove_entry(&added, d.syntax, "mcpServers", NAME).expect("remove");
        // An empty section we filled may come back as `{}` on one line; otherwise byte-exact.
        if !before.is_empty() {
            prop_assert_eq!(removed, d.text);
        }
    }
}
