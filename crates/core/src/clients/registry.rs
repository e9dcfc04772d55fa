//! The clients we know: ids, where their file lives on each platform, the entry shape, whether
//! comments are allowed, and what to restart. Paths come from a pure resolver that takes the
//! platform and an environment lookup, so macOS and Windows rules are unit-tested on Linux.

use std::path::PathBuf;

use serde_json::Value;

use super::jsonc::Syntax;
use super::overrides;
use super::sampling::Sampling;
use super::write::CreateModes;
use crate::paths::Platform;

/// The shape of a stdio entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// VS Code, Claude Code: `{"type":"stdio","command":ABS,"args":["--client",ID]}`.
    TypedStdio,
    /// Claude Desktop, Cursor and most others: `{"command":ABS,"args":["--client",ID]}`.
    Plain,
    /// Continue's list items, which carry their own name: `{name, command, args}`.
    Named,
}

impl Shape {
    /// Our entry's fields in the order the clients document them. `client_id` (ours, e.g.
    /// `claude-desktop`) goes into the arguments as `--client ID`, so the server knows which AI
    /// app started it (the live servers list, "never connected since set up"). An argument and
    /// not an environment variable: every client format has `args`, some have no `env` (or
    /// merge it with the user's in ways we would have to model per client), and arguments show
    /// in a process list, where a person looking for "which app runs this" looks.
    pub fn fields(self, command: &str, client_id: &str) -> Vec<(&'static str, Value)> {
        let mut fields = Vec::with_capacity(3);
        match self {
            Self::TypedStdio => fields.push(("type", Value::from("stdio"))),
            Self::Named => fields.push(("name", Value::from(super::ENTRY_NAME))),
            Self::Plain => {}
        }
        fields.push(("command", Value::from(command)));
        fields.push(("args", Value::from(client_args(client_id))));
        fields
    }
}

/// The server's option naming the client that started it (`serve --client ID`).
pub const CLIENT_ARG: &str = "--client";

/// The arguments of our entry for the client `client_id`.
pub fn client_args(client_id: &str) -> Vec<String> {
    vec![CLIENT_ARG.to_string(), client_id.to_string()]
}

/// How a client's file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON or JSONC with the servers in the object under `key`.
    Json { syntax: Syntax, key: &'static str },
    /// TOML with one table per server under `key` (Codex's `[mcp_servers.NAME]`).
    Toml { key: &'static str },
    /// A YAML file that is ours alone (Continue's block files): written whole, removed whole.
    OwnYaml,
}

/// One client's facts (see shared/docs/CLIENTS.md).
#[derive(Debug, Clone, Copy)]
pub struct Client {
    pub id: &'static str,
    pub name: &'static str,
    pub format: Format,
    pub shape: Shape,
    pub restart: &'static str,
    /// The client's own command for adding servers, used instead of editing its file when it is on
    /// PATH (Claude Code rewrites `~/.claude.json` while it runs, so edits from outside can be lost).
    pub own_command: Option<&'static str>,
    /// The project-level file, relative to a project folder (`--workspace DIR`), if the client has one.
    pub project_file: Option<&'static str>,
    /// A folder under HOME that exists once the client is installed, for clients whose file sits in
    /// a folder that always exists (HOME itself) or that the client creates only on demand.
    pub installed_marker: Option<&'static str>,
    /// The client's programs: one of them on PATH means the client is installed, even before it
    /// made its folder (a CLI client creates it on first run). Found the way `own_command` is.
    pub programs: &'static [&'static str],
    /// The permissions the client gives its user-level file (and the folders on the way) when it
    /// creates them, so that one we create matches. An existing file keeps its own; project
    /// files (`--workspace`) are shared through repositories and get the usual ones.
    pub created: CreateModes,
    /// Whether it lends its model to servers (MCP sampling), by its documentation; each entry
    /// below names its source. What a running client declares is combined in `sampling::combine`.
    pub sampling: Sampling,
}

const COMMON_RESTART: &str = "Restart the client so that it reads its MCP servers again.";

const fn json(syntax: Syntax, key: &'static str) -> Format {
    Format::Json { syntax, key }
}

/// Defaults for the optional facts, so each entry below lists only what is special about it.
const BASE: Client = Client {
    id: "",
    name: "",
    format: json(Syntax::Jsonc, "mcpServers"),
    shape: Shape::Plain,
    restart: COMMON_RESTART,
    own_command: None,
    project_file: None,
    installed_marker: None,
    programs: &[],
    created: CreateModes {
        file: None,
        folder: None,
    },
    // Windsurf, Cline, LM Studio, Copilot CLI, Codex and Continue keep this: their docs say
    // nothing of sampling either way (checked 2026-12-07); what they declare at run time will tell.
    sampling: Sampling::Unknown,
};

/// A file only its owner may read: the client writes tokens into it later.
const PRIVATE_FILE: CreateModes = CreateModes {
    file: Some(0o600),
    folder: None,
};

/// Every supported client, in the order `clients list` shows them.
pub const CLIENTS: &[Client] = &[
    Client {
        id: "vscode",
        name: "VS Code",
        format: json(Syntax::Jsonc, "servers"),
        shape: Shape::TypedStdio,
        restart: "In VS Code, run \"MCP: List Servers\", pick llm-generator and start it; the first start asks you to trust it.",
        project_file: Some(".vscode/mcp.json"),
        // Sampling: VS Code's MCP documentation (code.visualstudio.com/docs/copilot/chat/mcp-servers)
        // describes sampling requests and their approval; canimcp.dev/client/visual-studio-code.
        sampling: Sampling::Offered,
        ..BASE
    },
    Client {
        id: "vscode-insiders",
        name: "VS Code Insiders",
        format: json(Syntax::Jsonc, "servers"),
        shape: Shape::TypedStdio,
        restart: "In VS Code Insiders, run \"MCP: List Servers\", pick llm-generator and start it; the first start asks you to trust it.",
        project_file: Some(".vscode/mcp.json"),
        // Sampling: the same MCP support as VS Code; Insiders had it first (epicai.pro, "Using MCP
        // Sampling in VS Code Insiders").
        sampling: Sampling::Offered,
        ..BASE
    },
    Client {
        id: "claude-desktop",
        name: "Claude Desktop",
        format: json(Syntax::StrictJson, "mcpServers"),
        restart: "Quit Claude Desktop completely (from the tray or menu bar, not just the window) and start it again.",
        // Sampling: never offered (MCP-NOTES.md; its docs list tools, resources and prompts only,
        // per dev.to/serverdex "Which MCP clients support which features", Nov 2026).
        sampling: Sampling::NotOffered,
        ..BASE
    },
    Client {
        id: "claude-code",
        name: "Claude Code",
        format: json(Syntax::StrictJson, "mcpServers"),
        shape: Shape::TypedStdio,
        restart: "Start a new Claude Code session, or run /mcp in the running one.",
        own_command: Some("claude"),
        project_file: Some(".mcp.json"),
        installed_marker: Some(".claude"),
        programs: &["claude"],
        // Claude Code creates ~/.claude.json 0600 (it holds its OAuth account data); the file
        // sits in HOME, so no folder is ever created for it.
        created: PRIVATE_FILE,
        // Sampling: not offered; the request for it is open (github.com/anthropics/claude-code/issues/1785).
        sampling: Sampling::NotOffered,
    },
    Client {
        id: "cursor",
        name: "Cursor",
        restart: "Restart Cursor, or refresh the server in Settings → MCP.",
        project_file: Some(".cursor/mcp.json"),
        // The Cursor CLI reads the same ~/.cursor/mcp.json as the editor.
        programs: &["cursor-agent"],
        // Sampling: not offered (MCP-NOTES.md; the request is open: github.com/cursor/cursor/issues/3023).
        sampling: Sampling::NotOffered,
        ..BASE
    },
    Client {
        id: "windsurf",
        name: "Windsurf",
        restart: "Press refresh in Windsurf's MCP panel.",
        ..BASE
    },
    Client {
        id: "zed",
        name: "Zed",
        format: json(Syntax::Jsonc, "context_servers"),
        restart: "Nothing to restart: Zed reads its settings as soon as they change.",
        // Sampling: Zed's docs state it is not supported (dev.to/serverdex feature table, Nov 2026).
        sampling: Sampling::NotOffered,
        ..BASE
    },
    Client {
        id: "gemini-cli",
        name: "Gemini CLI",
        restart: "Restart the Gemini CLI.",
        project_file: Some(".gemini/settings.json"),
        programs: &["gemini"],
        // Sampling: not offered; the request is open (github.com/google-gemini/gemini-cli/issues/10704).
        sampling: Sampling::NotOffered,
        ..BASE
    },
    Client {
        id: "cline",
        name: "Cline",
        // Cline reads its file with JSON.parse: no comments, no trailing commas.
        format: json(Syntax::StrictJson, "mcpServers"),
        restart: "Nothing to restart: Cline reloads its MCP settings file by itself.",
        ..BASE
    },
    Client {
        id: "lm-studio",
        name: "LM Studio",
        restart: "Restart LM Studio, or open Program → Edit mcp.json and save it.",
        ..BASE
    },
    Client {
        id: "copilot-cli",
        name: "Copilot CLI",
        restart: "Restart the Copilot CLI.",
        programs: &["copilot"],
        ..BASE
    },
    Client {
        id: "codex",
        name: "Codex",
        format: Format::Toml { key: "mcp_servers" },
        restart: "Restart Codex.",
        programs: &["codex"],
        // Codex writes config.toml through a temp file (tempfile's NamedTempFile, 0600) renamed
        // into place; it makes ~/.codex with a plain create_dir_all, so the folder mode stays usual.
        created: PRIVATE_FILE,
        ..BASE
    },
    Client {
        id: "continue",
        name: "Continue",
        format: Format::OwnYaml,
        shape: Shape::Named,
        restart: "In VS Code, run \"Developer: Reload Window\" (JetBrains: restart the IDE) so Continue reads its blocks again.",
        installed_marker: Some(".continue"),
        ..BASE
    },
];

/// Looks a client up by id.
pub fn find(id: &str) -> Option<&'static Client> {
    CLIENTS.iter().find(|c| c.id == id)
}

/// The files a client may use, most likely first (see `overrides` for the variables that move
/// them). The caller picks the first that exists, else
/// the first whose folder exists, else the first. Empty when the environment names no home.
pub fn candidate_paths(id: &str, platform: Platform, env: impl Fn(&str) -> Option<PathBuf>) -> Vec<PathBuf> {
    // Only absolute values count: a relative HOME would make the path depend on the current dir.
    let var = |name: &str| env(name).filter(|p| p.is_absolute());
    let home = overrides::home_of(platform, &var);
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
        // Gemini CLI's own home() is `GEMINI_CLI_HOME || os.homedir()`, and its user settings
        // are `<that>/.gemini/settings.json` (Storage.getGlobalSettingsPath in its 0.61 bundle;
        // docs/reference/configuration.md documents the variable).
        "gemini-cli" => match var("GEMINI_CLI_HOME") {
            Some(dir) => vec![dir.join(".gemini/settings.json")],
            None => in_home(".gemini/settings.json"),
        },
        // COPILOT_HOME replaces ~/.copilot as a whole (GitHub's Copilot CLI documentation:
        // "This location can be changed by setting the COPILOT_HOME environment variable").
        "copilot-cli" => match var("COPILOT_HOME") {
            Some(dir) => vec![dir.join("mcp-config.json")],
            None => in_home(".copilot/mcp-config.json"),
        },
        "claude-code" => overrides::claude_code_file(home.as_ref(), &var, &env),
        "zed" => match platform {
            // Zed keeps its settings under ~/.config on macOS too, not in Application Support.
            Platform::Windows => in_app("Zed/settings.json"),
            Platform::Linux => in_app("zed/settings.json"),
            Platform::MacOs => in_home(".config/zed/settings.json"),
        },
        "cline" => ["Code", "Code - Insiders", "Cursor", "Windsurf"]
            .iter()
            .flat_map(|editor| {
                in_app(&format!(
                    "{editor}/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"
                ))
            })
            .collect(),
        "codex" => match var("CODEX_HOME") {
            Some(dir) => vec![dir.join("config.toml")],
            None => in_home(".codex/config.toml"),
        },
        "continue" => overrides::continue_dir(home.as_ref(), &var)
            .map(|dir| dir.join("mcpServers/llm-generator.yaml"))
            .into_iter()
            .collect(),
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
    fn the_newer_clients_resolve_per_platform() {
        let linux = [("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/xdg")];
        assert_eq!(paths("zed", Platform::Linux, &linux), ["/xdg/zed/settings.json"]);
        assert_eq!(
            paths("zed", Platform::MacOs, &[("HOME", "/Users/u")]),
            ["/Users/u/.config/zed/settings.json"],
            "Zed keeps ~/.config on macOS"
        );
        assert_eq!(
            paths(
                "codex",
                Platform::Linux,
                &[("HOME", "/home/u"), ("CODEX_HOME", "/codex")]
            ),
            ["/codex/config.toml"],
            "CODEX_HOME wins"
        );
        assert_eq!(
            paths("codex", Platform::Linux, &linux),
            ["/home/u/.codex/config.toml"]
        );
        assert_eq!(
            paths("claude-code", Platform::Linux, &linux),
            ["/home/u/.claude.json"]
        );
        assert_eq!(
            paths("continue", Platform::MacOs, &[("HOME", "/Users/u")]),
            ["/Users/u/.continue/mcpServers/llm-generator.yaml"]
        );
        let cline = paths("cline", Platform::MacOs, &[("HOME", "/Users/u")]);
        assert_eq!(
            cline[0],
            "/Users/u/Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"
        );
        assert_eq!(
            cline.len(),
            4,
            "VS Code, Insiders, Cursor and Windsurf can each host Cline"
        );
        let root = if cfg!(windows) { "C:" } else { "" };
        let windows = [
            ("USERPROFILE", format!("{root}/Users/u")),
            ("APPDATA", format!("{root}/Users/u/AppData/Roaming")),
        ];
        let windows: Vec<(&str, &str)> = windows.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            paths("zed", Platform::Windows, &windows),
            [format!("{root}/Users/u/AppData/Roaming/Zed/settings.json")]
        );
    }

    #[test]
    fn no_home_means_no_paths_rather_than_relative_ones() {
        assert!(paths("cursor", Platform::Linux, &[]).is_empty());
        assert!(paths("cursor", Platform::Linux, &[("HOME", "relative/home")]).is_empty());
    }

    #[test]
    fn entry_shapes_match_the_clients_documentation() {
        let typed = Shape::TypedStdio.fields("/bin/x", "vscode");
        let keys: Vec<&str> = typed.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["type", "command", "args"]);
        // The entry names its client, so the server it starts knows whom it serves.
        assert_eq!(typed[2].1, serde_json::json!(["--client", "vscode"]));
        let plain = Shape::Plain.fields("/bin/x", "cursor");
        let keys: Vec<&str> = plain.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["command", "args"]);
        assert_eq!(find("vscode").map(|c| c.shape), Some(Shape::TypedStdio));
        assert_eq!(
            find("claude-desktop").map(|c| c.format),
            Some(Format::Json {
                syntax: Syntax::StrictJson,
                key: "mcpServers"
            })
        );
        assert!(find("nope").is_none());
    }
}
