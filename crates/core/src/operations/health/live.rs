//! The checks of live serving: whether the user paused the servers (emergency stop), and whether
//! each AI app we set up has started this server since (an app that was never restarted after
//! setup, or whose entry it ignores, shows up here and nowhere else).

use super::Check;
use crate::{
    Store,
    clients::registry,
    operations::live::{self, Paused},
    paths::DataDir,
};

pub(super) fn paused_check(data_dir: &DataDir) -> Check {
    match live::paused(data_dir) {
        None => Check::ok("paused", "The servers answer tool calls (not paused)."),
        Some(Paused { since, by }) => Check::warning(
            "paused",
            format!(
                "The servers are paused (emergency stop by {by}{}): AI apps get an error for every tool call.",
                if since.is_empty() {
                    String::new()
                } else {
                    format!(" at {since}")
                }
            ),
            "Resume with \"Resume servers\" in the tray menu, or run `mcp-llm-generator resume`.",
        ),
    }
}

/// `None` when the database predates the record of connections (the check never migrates).
pub(super) fn connections_check(store: &Store) -> Option<Check> {
    let waiting = live::never_connected_since_setup(store).ok()?;
    if waiting.is_empty() {
        return Some(Check::ok(
            "connections",
            "Every AI app set up here has started this server since it was set up.",
        ));
    }
    let names: Vec<&str> = waiting
        .iter()
        .map(|(id, _)| registry::find(id).map_or(id.as_str(), |c| c.name))
        .collect();
    let mut restarts: Vec<&str> = Vec::new();
    for restart in waiting
        .iter()
        .filter_map(|(id, _)| registry::find(id).map(|c| c.restart))
    {
        if !restarts.contains(&restart) {
            restarts.push(restart);
        }
    }
    Some(Check::warning(
        "connections",
        format!(
            "{} has not started this server since it was set up, so it cannot use it yet.",
            names.join(", ")
        ),
        format!(
            "Restart it so it reads its new settings: {} Then use a tool of MCP LLM Generator from it once.",
            restarts.join(" ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{clients::records, operations::health::Level, operations::live::ClientHello};

    #[test]
    fn a_client_set_up_but_never_connected_warns_until_it_connects() {
        // Proves: an entry we wrote for Claude Desktop with no connection since is a warning that
        // names the app and how to restart it; its first connection (recorded by the server
        // after the handshake) makes the check ok.
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = DataDir::at(dir.path());
        let store = Store::open(&data_dir).expect("store");
        let none = connections_check(&store).expect("check");
        assert_eq!(none.level, Level::Ok);
        records::save(
            &store,
            &records::Record {
                client_id: "claude-desktop".into(),
                path: dir.path().join("claude_desktop_config.json"),
                workspace: None,
                command: "/opt/mcp-llm-generator".into(),
            },
        )
        .expect("record the entry");
        let waiting = connections_check(&store).expect("check");
        assert_eq!(waiting.level, Level::Warning);
        assert!(
            waiting.message.starts_with("Claude Desktop has not started"),
            "{}",
            waiting.message
        );
        let hello = ClientHello {
            name: "claude-ai".into(),
            version: "0.9".into(),
            sampling: false,
        };
        live::connections::record(&store, "claude-desktop", &hello).expect("connect");
        assert_eq!(connections_check(&store).map(|c| c.level), Some(Level::Ok));
    }

    #[test]
    fn paused_is_a_warning_that_says_who_paused_and_how_to_resume() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = DataDir::at(dir.path());
        assert_eq!(paused_check(&data_dir).level, Level::Ok);
        live::pause(&data_dir, "tray").expect("pause");
        let check = paused_check(&data_dir);
        assert_eq!(check.level, Level::Warning);
        assert!(check.message.contains("by tray"), "{}", check.message);
        assert!(check.fix.is_some_and(|f| f.contains("Resume servers")));
    }
}
