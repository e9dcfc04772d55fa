//! What of the TypeScript server is on this computer: a folder holding its data, and client
//! files whose entries still run it. One scan for the app's Moving in screen and for
//! `clients migrate` without ids.

use std::path::Path;

use serde::Serialize;

use crate::clients::{self, Clients};

/// A client whose file still runs the TypeScript server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OldEntries {
    pub id: String,
    pub name: String,
    /// Names of the old server's entries in that file.
    pub entries: Vec<String>,
}

/// What the scan finds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MovingInScan {
    /// A folder holding the old server's data, when one was found (the home folder, where clients
    /// started from it often leave it).
    pub suggested_dir: Option<String>,
    /// Client files that still run the old server.
    pub clients: Vec<OldEntries>,
}

/// Looks for the old server's data in `home` (when given) and its entries in every client file.
pub fn scan(clients: &Clients, home: Option<&Path>) -> MovingInScan {
    let suggested_dir = home
        .filter(|h| super::has_upstream_data(h))
        .map(|h| h.display().to_string());
    let clients = clients::list(clients, None)
        .into_iter()
        .filter(|s| !s.upstream_entries.is_empty())
        .map(|s| OldEntries {
            id: s.id.to_string(),
            name: s.name.to_string(),
            entries: s.upstream_entries,
        })
        .collect();
    MovingInScan {
        suggested_dir,
        clients,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::{DataDir, Platform};

    /// Proves: the scan lists each client file that still runs the old server with the names of
    /// those entries (not our entry, not other servers), and suggests the home folder only once
    /// the old server's data is there.
    #[test]
    fn the_scan_finds_old_entries_and_old_data() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (home, data) = (tmp.path().join("home"), tmp.path().join("data"));
        let cursor = home.join(".cursor/mcp.json");
        std::fs::create_dir_all(cursor.parent().expect("parent")).expect("mkdir");
        std::fs::write(
            &cursor,
            r#"{"mcpServers": {"sampler": {"command": "npx", "args": ["-y", "@mako10k/mcp-llm-generator"]}, "other": {"command": "/bin/true"}}}"#,
        )
        .expect("write");
        let env_home = home.clone();
        let clients = Clients::with_env(DataDir::at(&data), Platform::Linux, move |var| {
            (var == "HOME").then(|| env_home.clone())
        });
        let found = scan(&clients, Some(&home));
        assert_eq!(found.suggested_dir, None);
        assert_eq!(
            found.clients,
            [OldEntries {
                id: "cursor".into(),
                name: found.clients[0].name.clone(),
                entries: vec!["sampler".into()],
            }]
        );
        std::fs::create_dir_all(home.join("templates")).expect("mkdir");
        std::fs::write(home.join("templates/templates.json"), "[]").expect("write");
        assert_eq!(
            scan(&clients, Some(&home)).suggested_dir.as_deref(),
            home.to_str()
        );
    }
}
