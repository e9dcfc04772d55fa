//! The health report's clients check words an `invalid-file` by what is wrong with the file: a
//! file that cannot be parsed, the servers section written twice, or our entry written twice
//! (which configuring fixes, so the fix says to configure instead of to edit by hand). Runs
//! in a temp HOME and data dir.

use llmgen_core::operations::health::{self, Check, Handshake, HandshakeReport, HealthOptions};

#[path = "support/client_home.rs"]
mod client_home;
use client_home::{Home, home, put};

/// No server to shake hands with: the check is left out (it is never called).
struct NoHandshake;

impl Handshake for NoHandshake {
    async fn handshake(&self) -> Result<HandshakeReport, String> {
        Err("no server in this test".into())
    }
}

fn clients_check(h: &Home) -> Check {
    let data = llmgen_core::paths::DataDir::at(h.tmp.path().join("data"));
    let options = HealthOptions {
        expected_server: Some(h.exe.clone()),
        ..HealthOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let report = runtime.block_on(health::check(
        &data,
        &h.clients,
        None::<&NoHandshake>,
        None,
        &options,
    ));
    report.check("clients").cloned().expect("a clients check")
}

#[test]
fn a_repeated_entry_is_not_called_unparseable_and_its_fix_is_to_configure() {
    // Proves: our entry written twice reads as such (before: "its file cannot be parsed"), and
    // the fix names `clients configure cursor` rather than editing by hand.
    let h = home();
    let exe = h.exe.display().to_string();
    put(
        &h.home.join(".cursor/mcp.json"),
        &format!(
            "{{\"mcpServers\": {{\n\"llm-generator\": {{\"command\": \"{exe}\"}},\n\"llm-generator\": {{\"command\": \"{exe}\"}}\n}}}}\n"
        ),
    );
    let check = clients_check(&h);
    assert!(
        check
            .message
            .contains("cursor: its file has our entry more than once")
            && !check.message.contains("cannot be parsed"),
        "{}",
        check.message
    );
    let fix = check.fix.expect("a fix");
    assert!(
        fix.contains("`mcp-llm-generator clients configure cursor`") && !fix.contains("by hand"),
        "{fix}"
    );
}

#[test]
fn a_broken_file_and_a_repeated_section_are_left_to_the_user() {
    // Proves: a file with a syntax error still reads "cannot be parsed" with its position, a
    // servers section written twice says so, and both fixes are by hand.
    let h = home();
    put(&h.home.join(".cursor/mcp.json"), "{\"mcpServers\": {,}}\n");
    put(
        &h.home.join(".codeium/windsurf/mcp_config.json"),
        "{\"mcpServers\": {},\n\"mcpServers\": {}}\n",
    );
    let check = clients_check(&h);
    assert!(
        check.message.contains("cursor: its file cannot be parsed (")
            && check.message.contains("at line 1, column"),
        "{}",
        check.message
    );
    assert!(
        check
            .message
            .contains("windsurf: its file has its servers section more than once"),
        "{}",
        check.message
    );
    let fix = check.fix.expect("a fix");
    assert!(
        fix.contains("Fix the file of cursor, windsurf by hand") && !fix.contains("configure"),
        "{fix}"
    );
}
