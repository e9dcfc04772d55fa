//! The checks of live serving: whether the user paused the servers (emergency stop), and whether
//! each AI app we set up has started this server since (an app that was never restarted after
//! setup, or whose entry it ignores, shows up here and nowhere else).

use super::{Check, Finding, NamedClient};
use crate::{
    Store,
    clients::registry,
    operations::live::{self, Paused},
    paths::DataDir,
};

pub(super) fn paused_check(data_dir: &DataDir) -> Check {
    Check::found(match live::paused(data_dir) {
        None => Finding::PausedOff,
        Some(Paused { since, by }) => Finding::PausedOn { since, by },
    })
}

/// `None` when the database predates the record of connections (the check never migrates).
pub(super) fn connections_check(store: &Store) -> Option<Check> {
    let waiting = live::never_connected_since_setup(store).ok()?;
    if waiting.is_empty() {
        return Some(Check::found(Finding::ConnectionsAll));
    }
    let clients = waiting
        .into_iter()
        .map(|(id, _)| NamedClient {
            name: registry::find(&id).map_or_else(|| id.clone(), |c| c.name.to_string()),
            id,
        })
        .collect();
    Some(Check::found(Finding::ConnectionsNever { clients }))
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
        // The app and the tray word it from the finding: the app's name, and its restart step.
        assert_eq!(
            waiting.finding,
            Finding::ConnectionsNever {
                clients: vec![NamedClient {
                    id: "claude-desktop".into(),
                    name: "Claude Desktop".into()
                }]
            }
        );
        assert_eq!(
            waiting.fixes,
            vec![super::super::Fix::RestartClient {
                client: "claude-desktop".into(),
                name: "Claude Desktop".into()
            }]
        );
        assert!(
            waiting
                .fix
                .as_deref()
                .is_some_and(|f| f.contains("Quit Claude Desktop completely")),
            "{:?}",
            waiting.fix
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
        assert_eq!(check.fixes, vec![super::super::Fix::Resume]);
    }
}
