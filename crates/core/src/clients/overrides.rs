//! The environment variables that move a client's files away from their usual place, each
//! checked in the client's own source or documentation. The rules that are more than "this
//! folder instead of that one" live here: Claude Code's (CLAUDE_CONFIG_DIR, its legacy
//! `.config.json`, the OAuth suffix) and the folders that show a client is installed. The plain
//! swaps (CODEX_HOME, GEMINI_CLI_HOME, COPILOT_HOME) sit in `registry`'s candidate list. As for
//! every path there, a variable that is empty or not an absolute path counts as unset.

use std::path::PathBuf;

use super::registry::Client;
use crate::paths::Platform;

/// Claude Code's user file (which also holds its user-scope MCP servers) when its legacy
/// `.config.json` does not exist: see [`used_if_present`] for the whole rule.
pub(super) fn claude_code_file(
    home: Option<&PathBuf>,
    var: &impl Fn(&str) -> Option<PathBuf>,
    env: &impl Fn(&str) -> Option<PathBuf>,
) -> Vec<PathBuf> {
    // The file name carries the OAuth environment; release builds are hard-wired to "prod"
    // (no suffix) unless CLAUDE_CODE_CUSTOM_OAUTH_URL is set, whatever its value.
    let name = match env("CLAUDE_CODE_CUSTOM_OAUTH_URL") {
        Some(_) => ".claude-custom-oauth.json",
        None => ".claude.json",
    };
    var("CLAUDE_CONFIG_DIR")
        .or_else(|| home.cloned())
        .map(|dir| dir.join(name))
        .into_iter()
        .collect()
}

/// Claude Code's configuration folder: `$CLAUDE_CONFIG_DIR`, else `~/.claude`.
fn claude_config_dir(home: Option<&PathBuf>, var: &impl Fn(&str) -> Option<PathBuf>) -> Option<PathBuf> {
    var("CLAUDE_CONFIG_DIR").or_else(|| home.map(|h| h.join(".claude")))
}

/// Continue's global folder: `$CONTINUE_GLOBAL_DIR`, else `~/.continue` (getContinueGlobalPath
/// in continuedev/continue's core/util/paths.ts).
pub(super) fn continue_dir(
    home: Option<&PathBuf>,
    var: &impl Fn(&str) -> Option<PathBuf>,
) -> Option<PathBuf> {
    var("CONTINUE_GLOBAL_DIR").or_else(|| home.map(|h| h.join(".continue")))
}

pub(super) fn home_of(platform: Platform, var: &impl Fn(&str) -> Option<PathBuf>) -> Option<PathBuf> {
    match platform {
        Platform::Windows => var("USERPROFILE").or_else(|| var("HOME")),
        _ => var("HOME"),
    }
}

/// A file the client uses instead of its usual one when (and only when) it exists; we never
/// create it. Only Claude Code has one. Its 2.1.197 binary resolves the user file as:
///
/// ```text
/// configDir = (CLAUDE_CONFIG_DIR ?? join(homedir(), ".claude")).normalize("NFC")
/// userFile  = existsSync(join(configDir, ".config.json"))
///             ? join(configDir, ".config.json")
///             : join(CLAUDE_CONFIG_DIR || homedir(), `.claude${oauthSuffix}.json`)
/// ```
///
/// so `$CLAUDE_CONFIG_DIR/.config.json` (or, without the variable, `~/.claude/.config.json`) wins
/// when it exists, else `$CLAUDE_CONFIG_DIR/.claude.json` (or `~/.claude.json`). `claude mcp
/// add-json --scope user` writes that same file. As everywhere here, an empty or relative
/// variable counts as unset (Claude would resolve a relative one against its working folder).
pub fn used_if_present(
    id: &str,
    platform: Platform,
    env: impl Fn(&str) -> Option<PathBuf>,
) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|p| p.is_absolute());
    match id {
        "claude-code" => {
            claude_config_dir(home_of(platform, &var).as_ref(), &var).map(|d| d.join(".config.json"))
        }
        _ => None,
    }
}

/// The folder that exists once the client is installed, for clients that have one
/// ([`Client::installed_marker`]), moved by the same variables that move the client's file.
pub fn installed_folder(
    c: &Client,
    platform: Platform,
    env: impl Fn(&str) -> Option<PathBuf>,
) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|p| p.is_absolute());
    let home = home_of(platform, &var);
    match c.id {
        "claude-code" => claude_config_dir(home.as_ref(), &var),
        "continue" => continue_dir(home.as_ref(), &var),
        _ => c.installed_marker.and_then(|m| home.map(|h| h.join(m))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::registry::{candidate_paths, find};
    use crate::paths::env_of;

    fn show(paths: impl IntoIterator<Item = PathBuf>) -> Vec<String> {
        paths.into_iter().map(|p| p.display().to_string()).collect()
    }

    #[test]
    fn claude_code_follows_claude_config_dir_and_its_oauth_suffix() {
        // Proves: the user file is $CLAUDE_CONFIG_DIR/.claude.json with the variable, else
        // ~/.claude.json; CLAUDE_CODE_CUSTOM_OAUTH_URL renames it; the legacy file checked
        // first is in $CLAUDE_CONFIG_DIR, else in ~/.claude; a relative variable is ignored.
        let home = [("HOME", "/h")];
        let moved = [("HOME", "/h"), ("CLAUDE_CONFIG_DIR", "/c")];
        let oauth = [
            ("HOME", "/h"),
            ("CLAUDE_CODE_CUSTOM_OAUTH_URL", "https://sso.example"),
        ];
        let relative = [("HOME", "/h"), ("CLAUDE_CONFIG_DIR", "c")];
        let file = |env: &[(&str, &str)]| show(candidate_paths("claude-code", Platform::Linux, env_of(env)));
        let legacy =
            |env: &[(&str, &str)]| show(used_if_present("claude-code", Platform::Linux, env_of(env)));
        assert_eq!(file(&home), ["/h/.claude.json"]);
        assert_eq!(file(&moved), ["/c/.claude.json"]);
        assert_eq!(file(&oauth), ["/h/.claude-custom-oauth.json"]);
        assert_eq!(file(&relative), ["/h/.claude.json"]);
        assert_eq!(legacy(&home), ["/h/.claude/.config.json"]);
        assert_eq!(legacy(&moved), ["/c/.config.json"]);
        assert_eq!(legacy(&relative), ["/h/.claude/.config.json"]);
        assert!(used_if_present("cursor", Platform::Linux, env_of(&home)).is_none());
    }

    #[test]
    fn gemini_copilot_and_continue_follow_their_home_variables() {
        // Proves: GEMINI_CLI_HOME replaces HOME (the `.gemini` folder stays), COPILOT_HOME and
        // CONTINUE_GLOBAL_DIR replace the client's own folder; without them, HOME decides.
        let env = [
            ("HOME", "/h"),
            ("GEMINI_CLI_HOME", "/g"),
            ("COPILOT_HOME", "/p"),
            ("CONTINUE_GLOBAL_DIR", "/k"),
        ];
        let paths = |id: &str, env: &[(&str, &str)]| show(candidate_paths(id, Platform::Linux, env_of(env)));
        assert_eq!(paths("gemini-cli", &env), ["/g/.gemini/settings.json"]);
        assert_eq!(paths("copilot-cli", &env), ["/p/mcp-config.json"]);
        assert_eq!(paths("continue", &env), ["/k/mcpServers/llm-generator.yaml"]);
        assert_eq!(paths("gemini-cli", &env[..1]), ["/h/.gemini/settings.json"]);
        assert_eq!(paths("copilot-cli", &env[..1]), ["/h/.copilot/mcp-config.json"]);
    }

    #[test]
    fn the_installed_folder_moves_with_the_file() {
        // Proves: Claude Code counts as installed by $CLAUDE_CONFIG_DIR (else ~/.claude) and
        // Continue by $CONTINUE_GLOBAL_DIR (else ~/.continue); clients without a marker have none.
        let folder = |id: &str, env: &[(&str, &str)]| {
            show(installed_folder(
                find(id).expect("known"),
                Platform::Linux,
                env_of(env),
            ))
        };
        assert_eq!(folder("claude-code", &[("HOME", "/h")]), ["/h/.claude"]);
        assert_eq!(
            folder("claude-code", &[("HOME", "/h"), ("CLAUDE_CONFIG_DIR", "/c")]),
            ["/c"]
        );
        assert_eq!(folder("continue", &[("HOME", "/h")]), ["/h/.continue"]);
        assert_eq!(
            folder("continue", &[("HOME", "/h"), ("CONTINUE_GLOBAL_DIR", "/k")]),
            ["/k"]
        );
        assert!(folder("cursor", &[("HOME", "/h")]).is_empty());
    }
}
