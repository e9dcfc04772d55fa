//! The clients we know: ids, where their file lives on each platform, the entry shape, whether
//! comments are allowed, and what to restart. Paths come from a pure resolver that takes the
//! platform and an environment lookup, so macOS and Windows rules are unit-tested on Linux.

use std::path::PathBuf;

use serde_json::Value;

use super::jsonc::Syntax;
use crate::paths::Platform;

/// The shape of a stdio entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// VS Code: `{"type":"stdio","command":ABS,"args":[]}`.
    TypedStdio,
    /// Claude Desktop, Cursor and most others: `{"command":ABS,"args":[]}`.
    Plain,
}

impl Shape {
    /// Our entry's fields in the order the clients document them.
    pub fn fields(self, command: &str) -> Vec<(&'static str, Value)> {
        let mut fields = Vec::with_capacity(3);
        if self == Self::TypedStdio {
            fields.push(("type", Value::from("stdio")));
        }
        fields.push(("command", Value::from(command)));
        fields.push(("args", Value::Array(Vec::new())));
        fields
    }
}

/// One client's facts (see shared/docs/CLIENTS.md).
#[derive(Debug, Clone, Copy)]
pub struct Client {
    pub id: &'static str,
    pub name: &'static str,
    pub top_key: &'static str,
    pub shape: Shape,
    pub syntax: Syntax,
    pub restart: &'static str,
}

const COMMON_RESTART: &str = "Restart the client so that it reads its MCP servers again.";

/// Every supported client, in the order `clients list` shows them.
pub const CLIENTS: &[Client] = &[
    Client {
        id: "vscode",
        name: "VS Code",
        top_key: "servers",
        shape: Shape::TypedStdio,
        syntax: Syntax::Jsonc,
        restart: "In VS Code, run \"MCP: List Servers\", pick llm-generator and start it; the first start asks you to trust it.",
    },
    Client {
        id: "vscode-insiders",
        name: "VS Code Insiders",
        top_key: "servers",
        shape: Shape::TypedStdio,
        syntax: Syntax::Jsonc,
        restart: "In VS Code Insiders, run \"MCP: List Servers\", pick llm-generator and start it; the first start asks you to trust it.",
    },
    Client {
        id: "claude-desktop",
        name: "Claude Desktop",
        top_key: "mcpServers",
        shape: Shape::Plain,
        syntax: Syntax::StrictJson,
        restart: "Quit Claude Desktop completely (from the tray or menu bar, not just the window) and start it again.",
    },
    Client {
        id: "cursor",
        name: "Cursor",
        top_key: "mcpServers",
        shape: Shape::Plain,
        syntax: Syntax::Jsonc,
        restart: "Restart Cursor, or refresh the server in Settings → MCP.",
    },
    Client {
        id: "windsurf",
        name: "Windsurf",
        top_key: "mcpServers",
        shape: Shape::Plain,
        syntax: Syntax::Jsonc,
        restart: "Press refresh in Windsurf's MCP panel.",
    },
    Client {
        id: "gemini-cli",
        name: "Gemini CLI",
        top_key: "mcpServers",
        shape: Shape::Plain,
        syntax: Syntax::Jsonc,
        restart: "Restart the Gemini CLI.",
    },
    Client {
        id: "copilot-cli",
        name: "Copilot CLI",
        top_key: "mcpServers",
        shape: Shape::Plain,
        syntax: Syntax::Jsonc,
        restart: "Restart the Copilot CLI.",
    },
    Client {
        id: "lm-studio",
        name: "LM Studio",
        top_key: "mcpServers",
        shape: Shape::Plain,
        syntax: Syntax::Jsonc,
        restart: COMMON_RESTART,
    },
];

/// Looks a client up by id.
pub fn find(id: &str) -> Option<&'static Client> {
    CLIENTS.iter().find(|c| c.id == id)
}

/// The files a client may use, most likely first. The caller picks the first that exists, else
/// the first whose folder exists, else the first. Empty when the environment names no home.
pub fn candidate_paths(id: &str, platform: Platform, env: impl Fn(&str) -> Option<PathBuf>) -> Vec<PathBuf> {
    // Only absolute values count: a relative HOME would make the path depend on the current dir.
    let var = |name: &str| env(name).filter(|p| p.is_absolute());
    let home = match platform {
        Platform::Windows => var("USERPROFILE").or_else(|| var("HOME")),
        _ => var("HOME"),
    };
    // The folder where Electron apps keep their per-user settings.
    let app_config = match platform {
        Platform::Linux => var("XDG_CONFIG_HOME").or_else(|| home.as_ref().map(|h| h.join(".config"))),
        Platform::MacOs => home.as_ref().map(|h| h.join("Library/Application Support")),
        Platform::Windows => var("APPDATA"),
    };
    let in_home = |rel: &str| home.iter().map(|h| h.join(rel)).collect::<Vec<_>>();
    let in_app = |rel: &str| app_config.iter().map(|d| d.join(rel)).collect::<Vec<_>>();
    match id {
        "vscode" => in_app("Code/User/mcp.json"),
        "vscode-insiders" => in_app("Code - Insiders/User/mcp.json"),
        "claude-desktop" => {
            let mut paths = Vec::new();
            if platform == Platform::Windows {
                // Store (MSIX) installs read a virtualized copy of Roaming; when that package folder
                // exists it is the file the app really uses, so it comes first.
                if let Some(local) = var("LOCALAPPDATA") {
                    paths.push(local.join(
                        "Packages/Claude_pzs8sxrjxfjjc/LocalCache/Roaming/Claude/claude_desktop_config.json",
                    ));
                }
            }
            paths.extend(in_app("Claude/claude_desktop_config.json"));
            if platform == Platform::Linux {
                // Some Linux builds use a lower-case folder.
                paths.extend(in_app("claude/claude_desktop_config.json"));
            }
            paths
        }
        "cursor" => in_home(".cursor/mcp.json"),
        "windsurf" => in_home(".codeium/windsurf/mcp_config.json"),
        "gemini-cli" => in_home(".gemini/settings.json"),
        "copilot-cli" => in_home(".copilot/mcp-config.json"),
        "lm-studio" => {
            let mut paths = in_home(".lmstudio/mcp.json");
            if platform == Platform::MacOs {
                paths.extend(in_home(".cache/lm-studio/mcp.json"));
            }
            paths
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::env_of;

    fn paths(id: &str, platform: Platform, env: &[(&str, &str)]) -> Vec<String> {
        candidate_paths(id, platform, env_of(env))
            .into_iter()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect()
    }

    #[test]
    fn every_client_has_a_unique_lower_case_hyphenated_id_and_a_path_on_every_platform() {
        let env = [
            ("HOME", "/h"),
            ("USERPROFILE", "/h"),
            ("APPDATA", "/h/AppData/Roaming"),
            ("LOCALAPPDATA", "/h/AppData/Local"),
        ];
        let mut seen = std::collections::HashSet::new();
        for c in CLIENTS {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            assert!(
                c.id.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'),
                "{}",
                c.id
            );
            for p in [Platform::Linux, Platform::MacOs, Platform::Windows] {
                assert!(!paths(c.id, p, &env).is_empty(), "{} has no path on {p:?}", c.id);
            }
        }
    }

    #[test]
    fn linux_paths_follow_xdg_config_home_then_home() {
        let env = [("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/xdg")];
        assert_eq!(
            paths("vscode", Platform::Linux, &env),
            ["/xdg/Code/User/mcp.json"]
        );
        assert_eq!(
            paths("claude-desktop", Platform::Linux, &env),
            [
                "/xdg/Claude/claude_desktop_config.json",
                "/xdg/claude/claude_desktop_config.json"
            ]
        );
        assert_eq!(
            paths("cursor", Platform::Linux, &env),
            ["/home/u/.cursor/mcp.json"]
        );
        let env = [("HOME", "/home/u"), ("XDG_CONFIG_HOME", "relative")];
        assert_eq!(
            paths("vscode-insiders", Platform::Linux, &env),
            ["/home/u/.config/Code - Insiders/User/mcp.json"],
            "a relative XDG_CONFIG_HOME is ignored, as the XDG spec says"
        );
    }

    #[test]
    fn macos_paths_live_under_application_support() {
        let env = [("HOME", "/Users/u")];
        assert_eq!(
            paths("vscode", Platform::MacOs, &env),
            ["/Users/u/Library/Application Support/Code/User/mcp.json"]
        );
        assert_eq!(
            paths("claude-desktop", Platform::MacOs, &env),
            ["/Users/u/Library/Application Support/Claude/claude_desktop_config.json"]
        );
        assert_eq!(
            paths("lm-studio", Platform::MacOs, &env),
            [
                "/Users/u/.lmstudio/mcp.json",
                "/Users/u/.cache/lm-studio/mcp.json"
            ]
        );
        assert_eq!(
            paths("windsurf", Platform::MacOs, &env),
            ["/Users/u/.codeium/windsurf/mcp_config.json"]
        );
    }

    #[test]
    fn windows_paths_use_appdata_and_the_store_package_first() {
        let env = [
            ("USERPROFILE", "C:/Users/u"),
            ("APPDATA", "C:/Users/u/AppData/Roaming"),
            ("LOCALAPPDATA", "C:/Users/u/AppData/Local"),
        ];
        // Windows-style absolute paths are not absolute on Linux; use Unix-style stand-ins there.
        let env: Vec<(&str, &str)> = if cfg!(windows) {
            env.to_vec()
        } else {
            env.iter()
                .map(|(k, v)| (*k, v.trim_start_matches("C:")))
                .collect()
        };
        let root = if cfg!(windows) { "C:" } else { "" };
        assert_eq!(
            paths("claude-desktop", Platform::Windows, &env),
            [
                format!(
                    "{root}/Users/u/AppData/Local/Packages/Claude_pzs8sxrjxfjjc/LocalCache/Roaming/Claude/claude_desktop_config.json"
                ),
                format!("{root}/Users/u/AppData/Roaming/Claude/claude_desktop_config.json"),
            ]
        );
        assert_eq!(
            paths("vscode", Platform::Windows, &env),
            [format!("{root}/Users/u/AppData/Roaming/Code/User/mcp.json")]
        );
        assert_eq!(
            paths("copilot-cli", Platform::Windows, &env),
            [format!("{root}/Users/u/.copilot/mcp-config.json")]
        );
    }

    #[test]
    fn no_home_means_no_paths_rather_than_relative_ones() {
        assert!(paths("cursor", Platform::Linux, &[]).is_empty());
        assert!(paths("cursor", Platform::Linux, &[("HOME", "relative/home")]).is_empty());
    }

    #[test]
    fn entry_shapes_match_the_clients_documentation() {
        let typed = Shape::TypedStdio.fields("/bin/x");
        let keys: Vec<&str> = typed.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["type", "command", "args"]);
        let plain = Shape::Plain.fields("/bin/x");
        let keys: Vec<&str> = plain.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["command", "args"]);
        assert_eq!(find("vscode").map(|c| c.shape), Some(Shape::TypedStdio));
        assert_eq!(find("claude-desktop").map(|c| c.syntax), Some(Syntax::StrictJson));
        assert!(find("nope").is_none());
    }
}
