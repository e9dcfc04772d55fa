//! Keys written twice in one JSON object. JSON readers, and so the clients, keep the last copy;
//! a dead first copy must not make us report `configured`. Our repeated entry is reported with
//! its lines and cleaned by configure and repair (one backup, one entry left); a repeated
//! servers section is reported and left for the user to merge. Everything runs in a temp HOME.

use std::fs;

use llmgen_core::clients::{self, ClientState, FileProblem};

#[path = "support/client_home.rs"]
mod client_home;
use client_home::{home, put, read, state, status};

fn backups(h: &client_home::Home, id: &str) -> usize {
    fs::read_dir(h.tmp.path().join("data/backups/clients").join(id))
        .map(|dir| {
            dir.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".bak"))
                .count()
        })
        .unwrap_or(0)
}

/// A Cursor file whose first `llm-generator` runs our binary and whose last (the one Cursor
/// reads) runs a binary that is gone.
fn cursor_file(exe: &str) -> String {
    format!(
        "{{\n  \"mcpServers\": {{\n    \"llm-generator\": {{ \"command\": \"{exe}\", \"args\": [] }},\n    // the docs server\n    \"docs\": {{ \"command\": \"npx\", \"args\": [\"docs-mcp\"] }},\n    \"llm-generator\": {{ \"command\": \"/gone/mcp-llm-generator\", \"args\": [], \"env\": {{ \"DEBUG\": \"1\" }} }}\n  }}\n}}\n"
    )
}

#[test]
fn a_repeated_entry_is_invalid_file_naming_the_key_and_lines_until_configure_keeps_one() {
    // Proves: the repeat is reported as invalid-file at the second copy, with the key and both
    // lines in the message (before the fix the live-looking first copy made it `configured`);
    // configure then keeps only the last copy (with the user's env), pointed at our binary,
    // takes one backup and leaves the comment and the other server as they were; a second
    // configure writes nothing.
    let h = home();
    let exe = h.exe.display().to_string();
    let path = h.home.join(".cursor/mcp.json");
    put(&path, &cursor_file(&exe));
    match state(&h, "cursor") {
        ClientState::InvalidFile {
            line,
            column,
            message,
            problem,
            fixable,
        } => {
            assert_eq!((line, column), (6, 5), "{message}");
            assert_eq!((problem, fixable), (FileProblem::RepeatedEntry, true));
            assert!(
                message.contains("\"llm-generator\"") && message.contains("lines 3 and 6"),
                "{message}"
            );
        }
        other => panic!("expected invalid-file, got {other:?}"),
    }

    let change = clients::configure(&h.clients, "cursor", &h.exe, false).expect("configure");
    assert!(change.changed && change.backup.is_some(), "{change:?}");
    assert_eq!(backups(&h, "cursor"), 1);
    assert_eq!(
        read(&path),
        format!(
            "{{\n  \"mcpServers\": {{\n    // the docs server\n    \"docs\": {{ \"command\": \"npx\", \"args\": [\"docs-mcp\"] }},\n    \"llm-generator\": {{ \"command\": \"{exe}\", \"args\": [\"--client\", \"cursor\"], \"env\": {{ \"DEBUG\": \"1\" }} }}\n  }}\n}}\n"
        )
    );
    assert_eq!(state(&h, "cursor"), ClientState::Configured { command: exe });
    let again = clients::configure(&h.clients, "cursor", &h.exe, false).expect("again");
    assert!(!again.changed, "{again:?}");
    assert_eq!(backups(&h, "cursor"), 1);
}

#[test]
fn repair_cleans_a_repeat_that_appeared_after_we_configured() {
    // Proves: when a client or a hand edit repeats our entry in a file we configured, repair
    // leaves exactly one entry, running our binary, in the strict JSON Claude Desktop reads.
    let h = home();
    let exe = h.exe.display().to_string();
    let path = h.home.join(".config/Claude/claude_desktop_config.json");
    put(&path, "{\n  \"mcpServers\": {}\n}\n");
    clients::configure(&h.clients, "claude-desktop", &h.exe, false).expect("configure");
    put(
        &path,
        &format!(
            "{{\n  \"mcpServers\": {{\n    \"llm-generator\": {{\"command\": \"{exe}\", \"args\": []}},\n    \"llm-generator\": {{\"command\": \"/old/copy\", \"args\": []}}\n  }}\n}}\n"
        ),
    );
    assert!(matches!(
        state(&h, "claude-desktop"),
        ClientState::InvalidFile { .. }
    ));

    let results = clients::repair(&h.clients, &h.exe, false).expect("repair");
    assert_eq!(results.len(), 1, "{results:?}");
    assert!(results[0].is_ok(), "{results:?}");
    let text = read(&path);
    assert_eq!(text.matches("\"llm-generator\"").count(), 1, "{text}");
    let value: serde_json::Value = serde_json::from_str(&text).expect("strict JSON");
    assert_eq!(value["mcpServers"]["llm-generator"]["command"], exe);
    assert_eq!(
        state(&h, "claude-desktop"),
        ClientState::Configured { command: exe }
    );
}

#[test]
fn a_repeated_servers_section_is_reported_refused_by_configure_and_cleaned_of_ours_by_remove() {
    // Proves: `mcpServers` twice is invalid-file naming the key and both lines (clients read
    // only the second, so the first's servers are dead); configure refuses with a message that
    // says to merge them and changes nothing; remove takes our entry out of every copy and
    // leaves the user's servers where they are.
    let h = home();
    let exe = h.exe.display().to_string();
    let path = h.home.join(".cursor/mcp.json");
    let original = format!(
        "{{\n  \"mcpServers\": {{ \"docs\": {{ \"command\": \"npx\" }}, \"llm-generator\": {{ \"command\": \"/old\" }} }},\n  \"mcpServers\": {{ \"llm-generator\": {{ \"command\": \"{exe}\", \"args\": [] }}, \"web\": {{ \"command\": \"uvx\" }} }}\n}}\n"
    );
    put(&path, &original);
    match state(&h, "cursor") {
        ClientState::InvalidFile {
            line,
            message,
            problem,
            fixable,
            ..
        } => {
            assert_eq!(line, 3, "{message}");
            assert_eq!(
                (problem, fixable),
                (FileProblem::RepeatedSection, false),
                "only the user can merge the sections"
            );
            assert!(
                message.contains("\"mcpServers\"") && message.contains("lines 2 and 3"),
                "{message}"
            );
        }
        other => panic!("expected invalid-file, got {other:?}"),
    }

    let err = clients::configure(&h.clients, "cursor", &h.exe, false).expect_err("refused");
    let shown = err.to_string();
    assert!(
        shown.contains("\"mcpServers\" appears more than once") && shown.contains("merge them"),
        "{shown}"
    );
    assert_eq!(read(&path), original, "nothing was changed");
    assert_eq!(backups(&h, "cursor"), 0);

    clients::remove(&h.clients, "cursor", false).expect("remove");
    assert_eq!(
        read(&path),
        "{\n  \"mcpServers\": { \"docs\": { \"command\": \"npx\" } },\n  \"mcpServers\": { \"web\": { \"command\": \"uvx\" } }\n}\n"
    );
    assert!(status(&h, "cursor").upstream_entries.is_empty());
}
