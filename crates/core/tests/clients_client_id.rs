//! Our entry names the AI app it is written for (`--client ID`), so the server it starts knows
//! whom it serves. An entry written before that is "needs update" (stale, with a one-click fix)
//! and repair adds the argument, leaving everything else in the file as it was.

use llmgen_core::clients::{self, ClientState};

#[path = "support/client_home.rs"]
mod client_home;
use client_home::{home, put, read, state};

#[test]
fn a_written_entry_carries_the_client_id_and_repair_adds_it_to_an_old_entry() {
    // Proves: configure writes `--client claude-desktop`; an entry of ours without it (as older
    // versions wrote) is reported stale with a reason that says what is missing; repair adds
    // the argument and keeps the user's other server and settings byte for byte in meaning.
    let h = home();
    let exe = h.exe.display().to_string();
    let path = h.home.join(".config/Claude/claude_desktop_config.json");
    put(&path, "{\n  \"mcpServers\": {}\n}\n");
    clients::configure(&h.clients, "claude-desktop", &h.exe, false).expect("configure");
    let value: serde_json::Value = serde_json::from_str(&read(&path)).expect("strict JSON");
    assert_eq!(
        value["mcpServers"]["llm-generator"]["args"],
        serde_json::json!(["--client", "claude-desktop"])
    );
    assert_eq!(
        state(&h, "claude-desktop"),
        ClientState::Configured { command: exe.clone() }
    );

    // What an older version wrote (and recorded), beside a server of the user's.
    put(
        &path,
        &format!(
            "{{\n  \"mcpServers\": {{\n    \"docs\": {{\"command\": \"npx\", \"args\": [\"docs-mcp\"]}},\n    \"llm-generator\": {{\"command\": \"{exe}\", \"args\": []}}\n  }},\n  \"theme\": \"dark\"\n}}\n"
        ),
    );
    match state(&h, "claude-desktop") {
        ClientState::Stale {
            command,
            reason,
            outdated,
        } => {
            assert_eq!(command.as_deref(), Some(exe.as_str()));
            assert!(reason.contains("--client claude-desktop"), "{reason}");
            assert!(outdated, "it works; only an update is due");
        }
        other => panic!("expected needs-update (stale), got {other:?}"),
    }
    let results = clients::repair(&h.clients, &h.exe, false).expect("repair");
    assert_eq!(results.len(), 1, "{results:?}");
    assert!(results[0].as_ref().is_ok_and(|c| c.changed), "{results:?}");
    let value: serde_json::Value = serde_json::from_str(&read(&path)).expect("strict JSON");
    assert_eq!(
        value["mcpServers"]["llm-generator"],
        serde_json::json!({"command": exe, "args": ["--client", "claude-desktop"]})
    );
    assert_eq!(
        value["mcpServers"]["docs"],
        serde_json::json!({"command": "npx", "args": ["docs-mcp"]})
    );
    assert_eq!(value["theme"], "dark");
    assert_eq!(
        state(&h, "claude-desktop"),
        ClientState::Configured { command: exe }
    );
}
