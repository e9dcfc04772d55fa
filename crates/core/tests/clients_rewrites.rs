//! Files the clients rewrote in their own style, and the removal of our Codex table wherever it
//! sits. Configure compares our entry by meaning, so a client's rewrite (no `args = []`, other
//! quoting, inline tables, another key order) is left byte for byte; removal leaves exactly the
//! user's blank lines and comments. Everything runs in a temp HOME.

use std::fs;

use llmgen_core::clients::{self, ClientState};

#[path = "support/client_home.rs"]
mod client_home;
use client_home::{home, put, read, state};

fn no_backups(h: &client_home::Home, id: &str) -> bool {
    fs::read_dir(h.tmp.path().join("data/backups/clients").join(id))
        .map(|dir| {
            dir.flatten()
                .all(|e| !e.file_name().to_string_lossy().ends_with(".bak"))
        })
        .unwrap_or(true)
}

#[test]
fn codex_rewrites_of_our_table_are_a_no_op_for_configure() {
    // Proves: each way Codex may write our entry back (literal quotes, a quoted table name, an
    // inline table, args before command, an empty env table) counts as ours:
    // configure reports no change, writes nothing and takes no backup.
    let h = home();
    let exe = h.exe.display().to_string();
    let path = h.home.join(".codex/config.toml");
    // Our entry names its client (`--client codex`); Codex keeps non-empty arguments.
    let styles = [
        format!(
            "model = \"gpt-5\"\n\n[mcp_servers.llm-generator]\ncommand = \"{exe}\"\nargs = [\"--client\", \"codex\"]\n"
        ),
        format!("[mcp_servers.\"llm-generator\"]\ncommand = '{exe}'\nargs = ['--client', 'codex']\n"),
        format!(
            "[mcp_servers]\nllm-generator = {{ command = \"{exe}\", args = [\"--client\", \"codex\"] }}\n"
        ),
        format!("[mcp_servers.llm-generator]\nargs = [\"--client\", \"codex\"]\ncommand = \"{exe}\"\n"),
        format!(
            "[mcp_servers.llm-generator]\ncommand = \"{exe}\"\nargs = [\"--client\", \"codex\"]\n\n[mcp_servers.llm-generator.env]\n"
        ),
    ];
    for style in styles {
        put(&path, &style);
        assert_eq!(
            state(&h, "codex"),
            ClientState::Configured { command: exe.clone() },
            "{style}"
        );
        let change = clients::configure(&h.clients, "codex", &h.exe, false).expect("configure");
        assert!(!change.changed, "{style}\n{}", change.diff);
        assert_eq!(read(&path), style, "byte for byte");
        assert!(no_backups(&h, "codex"), "{style}");
    }
}

#[test]
fn json_clients_that_drop_empty_fields_are_a_no_op_and_a_real_change_touches_only_it() {
    // Proves: VS Code's entry without "type", and a Cursor entry with an empty "env", mean our
    // entry: nothing is written. A moved binary still changes the command, and only what differs
    // (the arguments naming the client, which that old entry lacked, are added).
    let h = home();
    let exe = h.exe.display().to_string();
    let vscode = h.home.join(".config/Code/User/mcp.json");
    let vscode_text = format!(
        "{{\n\t\"servers\": {{\n\t\t\"llm-generator\": {{ \"command\": \"{exe}\", \"args\": [\"--client\", \"vscode\"] }}\n\t}}\n}}\n"
    );
    put(&vscode, &vscode_text);
    let cursor = h.home.join(".cursor/mcp.json");
    let cursor_text = format!(
        "{{\"mcpServers\": {{\"llm-generator\": {{\"env\": {{}}, \"command\": \"{exe}\", \"args\": [\"--client\", \"cursor\"]}}}}}}"
    );
    put(&cursor, &cursor_text);
    for (id, path, text) in [
        ("vscode", &vscode, &vscode_text),
        ("cursor", &cursor, &cursor_text),
    ] {
        let change = clients::configure(&h.clients, id, &h.exe, false).expect("configure");
        assert!(!change.changed, "{id}: {}", change.diff);
        assert_eq!(&read(path), text, "{id}");
        assert!(no_backups(&h, id), "{id}");
    }

    put(
        &cursor,
        "{\"mcpServers\": {\"llm-generator\": {\"command\": \"/old/place\"}}}",
    );
    let change = clients::configure(&h.clients, "cursor", &h.exe, false).expect("configure");
    assert!(change.changed);
    assert_eq!(
        read(&cursor),
        format!(
            "{{\"mcpServers\": {{\"llm-generator\": {{\n      \"command\": \"{exe}\",\n      \"args\": [\"--client\", \"cursor\"]\n    }}}}}}"
        )
    );
}

/// Configures nothing: puts `before` (which holds our table) in place, removes our entry, and
/// returns the file.
fn codex_after_remove(before: &str) -> String {
    let h = home();
    let path = h.home.join(".codex/config.toml");
    put(&path, before);
    let change = clients::remove(&h.clients, "codex", false).expect("remove");
    assert!(change.changed, "{before}");
    read(&path)
}

#[test]
fn removing_our_codex_table_first_in_the_file_leaves_no_blank_line_on_top() {
    // Proves: with our table first, the next table starts the file (before the fix a blank line
    // did), the two blank lines the user put before a later table stay, and a sub-table of ours
    // goes with it.
    assert_eq!(
        codex_after_remove(
            "[mcp_servers.llm-generator]\ncommand = \"/x\"\nargs = []\n\n[mcp_servers.docs]\ncommand = \"npx\"\n\n\n[profiles.fast]\nmodel = \"m\"\n"
        ),
        "[mcp_servers.docs]\ncommand = \"npx\"\n\n\n[profiles.fast]\nmodel = \"m\"\n"
    );
    assert_eq!(
        codex_after_remove(
            "[mcp_servers.llm-generator]\ncommand = \"/x\"\n\n[mcp_servers.llm-generator.env]\nDEBUG = \"1\"\n\n[other]\na = 1\n"
        ),
        "[other]\na = 1\n"
    );
}

#[test]
fn removing_our_codex_table_keeps_the_users_comments_above_it() {
    // Proves: a file's heading comment above our (first) table, and a comment above it in the
    // middle or at the end, stay; only our table and the blank lines right above it go.
    assert_eq!(
        codex_after_remove(
            "# Codex settings\n\n[mcp_servers.llm-generator]\ncommand = \"/x\"\n\n# docs server\n[mcp_servers.docs]\ncommand = \"npx\"\n"
        ),
        "# Codex settings\n\n# docs server\n[mcp_servers.docs]\ncommand = \"npx\"\n"
    );
    assert_eq!(
        codex_after_remove(
            "[a]\nx = 1\n\n# servers\n\n[mcp_servers.llm-generator]\ncommand = \"/x\"\n\n[b]\ny = 2\n"
        ),
        "[a]\nx = 1\n\n# servers\n\n[b]\ny = 2\n"
    );
    assert_eq!(
        codex_after_remove("[a]\nx = 1\n\n# ours\n[mcp_servers.llm-generator]\ncommand = \"/x\"\n"),
        "[a]\nx = 1\n\n# ours\n"
    );
}

#[test]
fn removing_our_codex_table_elsewhere_keeps_the_blank_lines_around_other_tables() {
    // Proves: after root keys, between two tables and at the end, the file loses our table and
    // the blank lines just above it, and every other table keeps its own blank lines.
    assert_eq!(
        codex_after_remove("model = \"m\"\n\n[mcp_servers.llm-generator]\ncommand = \"/x\"\n\n[b]\ny = 2\n"),
        "model = \"m\"\n\n[b]\ny = 2\n"
    );
    assert_eq!(
        codex_after_remove(
            "[mcp_servers.docs]\ncommand = \"npx\"\n\n\n[mcp_servers.llm-generator]\ncommand = \"/x\"\n\n[profiles.fast]\nmodel = \"x\"\n"
        ),
        "[mcp_servers.docs]\ncommand = \"npx\"\n\n[profiles.fast]\nmodel = \"x\"\n"
    );
    assert_eq!(
        codex_after_remove("[a]\nx = 1\n\n[mcp_servers.llm-generator]\ncommand = \"/x\"\n"),
        "[a]\nx = 1\n"
    );
}
