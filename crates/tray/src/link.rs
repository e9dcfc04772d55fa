//! The line protocol between the tray and the app's processes. The window runs in a process of
//! its own (`mcp-llm-generator-app --window`), started by the tray; they talk in lines over the
//! child's stdin (tray → window) and stdout (window → tray), one message per line, prefixed so
//! stray output of a library on stdout is never taken for one (and a message is still found
//! after a library's unfinished line). A short-lived `--check-updates` process answers the
//! tray's daily update check the same way.

/// The argument that starts the app as the window process.
pub const WINDOW_ARG: &str = "--window";
/// The argument that has the app check for updates, print one [`UpdateAnswer`] and exit.
pub const CHECK_UPDATES_ARG: &str = "--check-updates";
/// The argument autostart passes, so a start at login stays in the tray.
pub const MINIMIZED_ARG: &str = "--minimized";
/// Every message line starts with this.
const PREFIX: &str = "llmgen-link ";

/// Why a health check ran, logged with its result so a log (or a test) can tell the checks apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Start,
    Timer,
    TrayMenu,
    HealthScreen,
    Backup,
    Restore,
    /// An API key was stored or deleted: the provider-key check may have changed.
    KeyChanged,
    /// A client file was changed by us: the clients check may have changed.
    ClientsChanged,
    /// Servers were stopped or resumed: the paused check (and the menu's Resume) changed.
    ServersChanged,
}

impl Trigger {
    pub const ALL: [Trigger; 9] = [
        Self::Start,
        Self::Timer,
        Self::TrayMenu,
        Self::HealthScreen,
        Self::Backup,
        Self::Restore,
        Self::KeyChanged,
        Self::ClientsChanged,
        Self::ServersChanged,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Timer => "timer",
            Self::TrayMenu => "tray menu",
            Self::HealthScreen => "health screen",
            Self::Backup => "backup",
            Self::Restore => "restore",
            Self::KeyChanged => "key changed",
            Self::ClientsChanged => "clients changed",
            Self::ServersChanged => "servers changed",
        }
    }
}

/// From the tray to the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToWindow {
    /// Come to the front (the user picked Open again, or launched the app a second time), at
    /// the part of the overview the tray's entry is about, if any.
    Show(Option<Focus>),
    /// Check for updates now and show the result (the tray's "Check for updates").
    CheckForUpdates,
}

/// A part of the overview a tray entry opens the window at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Focus {
    /// The status line's problem: the Health card, with its fixes.
    Health,
    /// "Configure clients…": the AI clients card.
    Clients,
    /// "Set up…": the first-run guide.
    Guide,
}

impl Focus {
    const ALL: [Focus; 3] = [Self::Health, Self::Clients, Self::Guide];

    fn as_str(self) -> &'static str {
        match self {
            Self::Health => "health",
            Self::Clients => "clients",
            Self::Guide => "guide",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// From the window to the tray.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToTray {
    /// Something a health check looks at changed: check again so the icon follows.
    Recheck(Trigger),
    /// The language setting changed: re-label the menu.
    LanguageChanged,
    /// Start at login was switched in Settings: move the menu's check mark.
    AutostartChanged,
    /// An update was installed: restart the whole app into it.
    Restart,
    /// The window is closing and its process ending: the next Open starts a new one.
    Closing,
}

/// What a `--check-updates` process found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateAnswer {
    /// A newer release, by version.
    Offered(String),
    /// This is the newest release.
    UpToDate,
    /// This build carries no update key, so it never checks.
    NotConfigured,
    /// The check failed; the sentence says why.
    Failed(String),
}

/// The message in a line: what follows the prefix, wherever it starts.
fn message_in(line: &str) -> Option<&str> {
    line.find(PREFIX).map(|at| line[at + PREFIX.len()..].trim())
}

impl ToWindow {
    pub fn encode(self) -> String {
        match self {
            Self::Show(None) => format!("{PREFIX}show"),
            Self::Show(Some(focus)) => format!("{PREFIX}show {}", focus.as_str()),
            Self::CheckForUpdates => format!("{PREFIX}check-for-updates"),
        }
    }

    pub fn decode(line: &str) -> Option<Self> {
        match message_in(line)? {
            "show" => Some(Self::Show(None)),
            "check-for-updates" => Some(Self::CheckForUpdates),
            other => Focus::parse(other.strip_prefix("show ")?).map(|f| Self::Show(Some(f))),
        }
    }
}

impl ToTray {
    pub fn encode(self) -> String {
        match self {
            Self::Recheck(why) => format!("{PREFIX}recheck {}", why.as_str()),
            Self::LanguageChanged => format!("{PREFIX}language-changed"),
            Self::AutostartChanged => format!("{PREFIX}autostart-changed"),
            Self::Restart => format!("{PREFIX}restart"),
            Self::Closing => format!("{PREFIX}closing"),
        }
    }

    pub fn decode(line: &str) -> Option<Self> {
        let message = message_in(line)?;
        match message {
            "closing" => Some(Self::Closing),
            "language-changed" => Some(Self::LanguageChanged),
            "autostart-changed" => Some(Self::AutostartChanged),
            "restart" => Some(Self::Restart),
            _ => Trigger::parse(message.strip_prefix("recheck ")?).map(Self::Recheck),
        }
    }
}

impl UpdateAnswer {
    pub fn encode(&self) -> String {
        // One line: a sentence from elsewhere never breaks the format.
        let one_line = |text: &str| text.replace(['\n', '\r'], " ");
        match self {
            Self::Offered(version) => format!("{PREFIX}update-offered {}", one_line(version)),
            Self::UpToDate => format!("{PREFIX}update-none"),
            Self::NotConfigured => format!("{PREFIX}update-not-configured"),
            Self::Failed(why) => format!("{PREFIX}update-failed {}", one_line(why)),
        }
    }

    pub fn decode(line: &str) -> Option<Self> {
        let message = message_in(line)?;
        match message {
            "update-none" => Some(Self::UpToDate),
            "update-not-configured" => Some(Self::NotConfigured),
            _ => {
                if let Some(version) = message.strip_prefix("update-offered ") {
                    Some(Self::Offered(version.to_string()))
                } else {
                    message
                        .strip_prefix("update-failed ")
                        .map(|why| Self::Failed(why.to_string()))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proves every message survives the pipe's line format, and that other output on the
    /// window's stdout is not mistaken for a message.
    #[test]
    fn messages_round_trip_and_stray_lines_are_ignored() {
        for m in [
            ToWindow::Show(None),
            ToWindow::Show(Some(Focus::Health)),
            ToWindow::Show(Some(Focus::Clients)),
            ToWindow::Show(Some(Focus::Guide)),
            ToWindow::CheckForUpdates,
        ] {
            assert_eq!(ToWindow::decode(&m.encode()), Some(m));
        }
        let mut to_tray = vec![
            ToTray::LanguageChanged,
            ToTray::AutostartChanged,
            ToTray::Restart,
            ToTray::Closing,
        ];
        to_tray.extend(Trigger::ALL.into_iter().map(ToTray::Recheck));
        for m in to_tray {
            assert_eq!(ToTray::decode(&m.encode()), Some(m), "{m:?}");
        }
        for m in [
            UpdateAnswer::Offered("0.2.0".into()),
            UpdateAnswer::UpToDate,
            UpdateAnswer::NotConfigured,
            UpdateAnswer::Failed("Could not reach the update server.".into()),
        ] {
            assert_eq!(UpdateAnswer::decode(&m.encode()), Some(m.clone()), "{m:?}");
        }
        // A failure's sentence with a line break stays one message.
        let broken = UpdateAnswer::Failed("first\nsecond".into()).encode();
        assert_eq!(broken.lines().count(), 1);
        assert_eq!(
            UpdateAnswer::decode(&broken),
            Some(UpdateAnswer::Failed("first second".into()))
        );
        for stray in [
            "show",
            "",
            "recheck start",
            "llmgen-link recheck nonsense",
            "Gtk-Message: hi",
        ] {
            assert_eq!(ToTray::decode(stray), None, "{stray}");
            assert_eq!(ToWindow::decode(stray), None, "{stray}");
            assert_eq!(UpdateAnswer::decode(stray), None, "{stray}");
        }
    }
}
