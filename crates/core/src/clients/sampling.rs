//! Whether a client can lend its own model to our server (MCP sampling): what each client's
//! documentation says (the `sampling` fact of the registry) and, once a client has connected,
//! what it declared in its handshake; [`combine`] says which one counts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Whether a client offers MCP sampling.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Sampling {
    /// It lends its model: generation works without a key or a local model server.
    Offered,
    /// It does not: generation needs a provider (a local model server or a key).
    NotOffered,
    /// Not known: neither its documentation nor a connection of it told us.
    Unknown,
}

/// What the registry records for client `id` (its documentation); `Unknown` for an unknown id.
pub fn documented(id: &str) -> Sampling {
    super::registry::find(id).map_or(Sampling::Unknown, |c| c.sampling)
}

/// What counts for a client: what it declared when it last connected (`Some(true)` when its
/// handshake carried the `sampling` capability), which is this very install's truth, else what
/// its documentation says. The guide takes `declared` from the last connection of each client.
pub fn combine(documented: Sampling, declared: Option<bool>) -> Sampling {
    match declared {
        Some(true) => Sampling::Offered,
        Some(false) => Sampling::NotOffered,
        None => documented,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The facts the first-run guide tells people: VS Code lends its model, Claude Desktop and
    /// Cursor do not (MCP-NOTES.md, "What the deprecation of sampling means for us").
    #[test]
    fn the_documented_facts_of_the_main_clients() {
        assert_eq!(documented("vscode"), Sampling::Offered);
        assert_eq!(documented("vscode-insiders"), Sampling::Offered);
        assert_eq!(documented("claude-desktop"), Sampling::NotOffered);
        assert_eq!(documented("cursor"), Sampling::NotOffered);
        assert_eq!(documented("no-such-client"), Sampling::Unknown);
    }

    #[test]
    fn what_a_client_declared_outweighs_its_documentation() {
        assert_eq!(combine(Sampling::NotOffered, Some(true)), Sampling::Offered);
        assert_eq!(combine(Sampling::Offered, Some(false)), Sampling::NotOffered);
        assert_eq!(combine(Sampling::Unknown, None), Sampling::Unknown);
        assert_eq!(combine(Sampling::Offered, None), Sampling::Offered);
    }
}
