//! What the tray shows, in words and states, apart from any toolkit: the menu's entries (a typed
//! enum, never strings split apart), the status line's meaning, and the [`View`] a tray surface
//! (StatusNotifierItem on Linux, Tauri's tray elsewhere) draws. Labels follow the app's language
//! (lang.rs).

use llmgen_core::operations::health::Level;

use crate::lang::Lang;

/// Entries of the tray menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayItem {
    /// The one-line state of the product; clickable (opens the app) when something needs fixing.
    Status,
    Open,
    RunHealthCheck,
    BackUpNow,
    ConfigureClients,
    /// The first-run guide: AI apps, how text is generated, what to restart.
    SetUp,
    /// Checks now and opens the window, where the result (and an offered update) is shown.
    CheckForUpdates,
    StartAtLogin,
    /// The emergency stop: every server AI apps started for this data folder, then paused.
    StopAllServers,
    /// Shown while paused: tool calls are answered again.
    ResumeServers,
    /// A line (not a command) naming the AI apps connected now.
    Connected,
    Quit,
}

impl TrayItem {
    pub const ALL: [TrayItem; 12] = [
        TrayItem::Status,
        TrayItem::Open,
        TrayItem::RunHealthCheck,
        TrayItem::BackUpNow,
        TrayItem::ConfigureClients,
        TrayItem::SetUp,
        TrayItem::CheckForUpdates,
        TrayItem::StartAtLogin,
        TrayItem::StopAllServers,
        TrayItem::ResumeServers,
        TrayItem::Connected,
        TrayItem::Quit,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Open => "open",
            Self::RunHealthCheck => "run-health-check",
            Self::BackUpNow => "back-up-now",
            Self::ConfigureClients => "configure-clients",
            Self::SetUp => "set-up",
            Self::CheckForUpdates => "check-for-updates",
            Self::StartAtLogin => "start-at-login",
            Self::StopAllServers => "stop-all-servers",
            Self::ResumeServers => "resume-servers",
            Self::Connected => "connected",
            Self::Quit => "quit",
        }
    }

    /// The entry's words; the status line's start as "Checking…" and then come from [`Status`].
    pub fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::En, Self::Status) => "Checking…",
            (Lang::En, Self::Open) => "Open MCP LLM Generator",
            (Lang::En, Self::RunHealthCheck) => "Run health check",
            (Lang::En, Self::BackUpNow) => "Back up now",
            (Lang::En, Self::ConfigureClients) => "Configure clients…",
            (Lang::En, Self::SetUp) => "Set up…",
            (Lang::En, Self::CheckForUpdates) => "Check for updates",
            (Lang::En, Self::StartAtLogin) => "Start at login",
            (Lang::En, Self::StopAllServers) => "Stop all servers",
            (Lang::En, Self::ResumeServers) => "Resume servers",
            (Lang::En, Self::Connected) => "No AI app is connected now",
            (Lang::En, Self::Quit) => "Quit",
            (Lang::Ja, Self::Status) => "確認しています…",
            (Lang::Ja, Self::Open) => "MCP LLM Generator を開く",
            (Lang::Ja, Self::RunHealthCheck) => "ヘルスチェックを実行",
            (Lang::Ja, Self::BackUpNow) => "今すぐバックアップ",
            (Lang::Ja, Self::ConfigureClients) => "クライアントを設定…",
            (Lang::Ja, Self::SetUp) => "セットアップ…",
            (Lang::Ja, Self::CheckForUpdates) => "アップデートを確認",
            (Lang::Ja, Self::StartAtLogin) => "ログイン時に起動",
            (Lang::Ja, Self::StopAllServers) => "すべてのサーバーを停止",
            (Lang::Ja, Self::ResumeServers) => "サーバーを再開",
            (Lang::Ja, Self::Connected) => "接続中の AI アプリはありません",
            (Lang::Ja, Self::Quit) => "終了",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.id() == id)
    }
}

/// What the status line says, kept as meaning rather than text so a change of language can
/// say it again. The health finding is worded in each language (findings.rs); errors from
/// llmgen-core stay English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Checking,
    AllGood,
    /// The worst finding of the health check, and how many other problems there are.
    NeedsFix {
        finding: crate::findings::Sentence,
        more: usize,
    },
    /// The check itself could not run.
    Failed(String),
    BackupFailed(String),
    /// The window's process could not be started (the system's reason).
    WindowNotStarted(String),
    /// The window's process ended with this exit code instead of closing normally.
    WindowFailed(i32),
    /// The emergency stop ended this many servers and paused serving.
    ServersStopped(usize),
    /// The emergency stop (or the resume) failed; core's sentence.
    StopFailed(String),
}

impl Status {
    pub fn text(&self, lang: Lang) -> String {
        match (lang, self) {
            (_, Self::Checking) => TrayItem::Status.label(lang).to_string(),
            (Lang::En, Self::AllGood) => "All good".to_string(),
            (Lang::Ja, Self::AllGood) => "問題ありません".to_string(),
            (Lang::En, Self::NeedsFix { finding, more: 0 }) => {
                format!("{} Open the app to fix it.", finding.get(lang))
            }
            (Lang::En, Self::NeedsFix { finding, more }) => {
                format!("{} Open the app to fix it (and {more} more).", finding.get(lang))
            }
            (Lang::Ja, Self::NeedsFix { finding, more: 0 }) => {
                format!("{} アプリを開いて対処してください。", finding.get(lang))
            }
            (Lang::Ja, Self::NeedsFix { finding, more }) => {
                format!(
                    "{} アプリを開いて対処してください（ほかに {more} 件あります）。",
                    finding.get(lang)
                )
            }
            (_, Self::Failed(error)) => error.clone(),
            (Lang::En, Self::BackupFailed(error)) => format!("Backup failed: {error}"),
            (Lang::Ja, Self::BackupFailed(error)) => {
                format!("バックアップに失敗しました: {error}")
            }
            (Lang::En, Self::WindowNotStarted(error)) => format!(
                "The window could not be opened ({error}). Quit from this menu and start MCP LLM Generator again."
            ),
            (Lang::Ja, Self::WindowNotStarted(error)) => format!(
                "ウィンドウを開けませんでした ({error})。このメニューから終了し、MCP LLM Generator をもう一度起動してください。"
            ),
            (Lang::En, Self::WindowFailed(code)) => format!(
                "The window closed unexpectedly (exit code {code}). Open it again; if that fails too, see the newest lines of the log."
            ),
            (Lang::En, Self::ServersStopped(n)) => {
                format!("Stopped {n} server(s); serving is paused until you choose Resume servers.")
            }
            (Lang::Ja, Self::ServersStopped(n)) => {
                format!("{n} 個のサーバーを停止しました。「サーバーを再開」を選ぶまで一時停止しています。")
            }
            (Lang::En, Self::StopFailed(error)) => format!("Stopping the servers failed: {error}"),
            (Lang::Ja, Self::StopFailed(error)) => format!("サーバーの停止に失敗しました: {error}"),
            (Lang::Ja, Self::WindowFailed(code)) => format!(
                "ウィンドウが予期せず閉じました (終了コード {code})。もう一度開いてください。再び失敗する場合はログの最新の行を確認してください。"
            ),
        }
    }
}

/// One entry as a surface draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Separator,
    Item {
        item: TrayItem,
        label: String,
        enabled: bool,
        /// `Some` for a check box, with its mark.
        checked: Option<bool>,
    },
}

/// Everything a surface shows: the icon's level, its tooltip and the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub level: Level,
    pub tooltip: String,
    pub entries: Vec<Entry>,
}

/// What the tray knows, from which its [`View`] is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub lang: Lang,
    pub level: Level,
    pub status: Status,
    pub at_login: bool,
    /// The version of a newer release the last update check found.
    pub offer: Option<String>,
    /// Serving is paused (after an emergency stop): the menu offers Resume servers.
    pub paused: bool,
    /// The AI apps connected now (their names, from the data folder's live servers).
    pub connected: Vec<String>,
}

impl Shown {
    pub fn new(lang: Lang, at_login: bool) -> Self {
        Self {
            lang,
            // Until the first check says otherwise, nothing is known to be fine.
            level: Level::Warning,
            status: Status::Checking,
            at_login,
            offer: None,
            paused: false,
            connected: Vec::new(),
        }
    }

    pub fn view(&self) -> View {
        let lang = self.lang;
        let plain = |item: TrayItem| Entry::Item {
            item,
            label: item.label(lang).to_string(),
            enabled: true,
            checked: None,
        };
        let updates = match (&self.offer, lang) {
            (Some(version), Lang::En) => format!("Update to {version}…"),
            (Some(version), Lang::Ja) => format!("{version} にアップデート…"),
            (None, lang) => TrayItem::CheckForUpdates.label(lang).to_string(),
        };
        let mut entries = vec![
            // Clickable (opens the app at its Health card) only when there is a fix to make.
            Entry::Item {
                item: TrayItem::Status,
                label: self.status.text(lang),
                enabled: self.level != Level::Ok && self.status != Status::Checking,
                checked: None,
            },
            Entry::Separator,
            plain(TrayItem::Open),
            plain(TrayItem::RunHealthCheck),
            plain(TrayItem::BackUpNow),
            plain(TrayItem::ConfigureClients),
            plain(TrayItem::SetUp),
            Entry::Item {
                item: TrayItem::CheckForUpdates,
                label: updates,
                enabled: true,
                checked: None,
            },
            Entry::Item {
                item: TrayItem::StartAtLogin,
                label: TrayItem::StartAtLogin.label(lang).to_string(),
                enabled: true,
                checked: Some(self.at_login),
            },
            Entry::Separator,
            Entry::Item {
                item: TrayItem::Connected,
                label: self.connected_line(),
                enabled: false,
                checked: None,
            },
            plain(TrayItem::StopAllServers),
        ];
        if self.paused {
            entries.push(plain(TrayItem::ResumeServers));
        }
        entries.extend([Entry::Separator, plain(TrayItem::Quit)]);
        // Paused outranks whatever the status line says: every tool call fails until resumed.
        let paused = match (self.paused, lang) {
            (false, _) => "",
            (true, Lang::En) => "Servers paused. ",
            (true, Lang::Ja) => "サーバーは一時停止中です。",
        };
        View {
            level: self.level,
            tooltip: format!("MCP LLM Generator: {paused}{}", self.status.text(lang)),
            entries,
        }
    }
}

impl Shown {
    /// "Connected: VS Code, Claude Desktop", or that none is.
    fn connected_line(&self) -> String {
        if self.connected.is_empty() {
            return TrayItem::Connected.label(self.lang).to_string();
        }
        let names = self.connected.join(", ");
        match self.lang {
            Lang::En => format!("Connected: {names}"),
            Lang::Ja => format!("接続中: {names}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_and_status_line_has_words_in_both_languages() {
        // Proves: each menu entry is labelled in the chosen language (not English everywhere),
        // the English labels are the ones the README documents, and a core sentence is kept
        // as it is inside the Japanese status line.
        for item in TrayItem::ALL {
            let (en, ja) = (item.label(Lang::En), item.label(Lang::Ja));
            assert!(!en.is_empty() && !ja.is_empty(), "{item:?}");
            assert_ne!(en, ja, "{item:?} is not translated");
            assert!(
                ja.chars().any(|c| c > '\u{3000}') || ja.contains("MCP"),
                "{item:?}: {ja}"
            );
        }
        assert_eq!(TrayItem::BackUpNow.label(Lang::En), "Back up now");
        assert_eq!(TrayItem::Quit.label(Lang::Ja), "終了");
        assert_eq!(TrayItem::Open.label(Lang::Ja), "MCP LLM Generator を開く");

        let finding = Status::NeedsFix {
            finding: "No backup has been made yet.".into(),
            more: 0,
        };
        assert_eq!(
            finding.text(Lang::En),
            "No backup has been made yet. Open the app to fix it."
        );
        assert_eq!(
            finding.text(Lang::Ja),
            "No backup has been made yet. アプリを開いて対処してください。"
        );
        assert_eq!(Status::AllGood.text(Lang::Ja), "問題ありません");
        assert_eq!(Status::Checking.text(Lang::Ja), TrayItem::Status.label(Lang::Ja));
        assert_eq!(
            Status::BackupFailed("disk full".into()).text(Lang::Ja),
            "バックアップに失敗しました: disk full"
        );
        // A window that failed says so in the tray's language, with what to do.
        assert!(
            Status::WindowFailed(101)
                .text(Lang::En)
                .starts_with("The window closed unexpectedly (exit code 101). Open it again")
        );
        assert!(
            Status::WindowFailed(101)
                .text(Lang::Ja)
                .contains("終了コード 101")
        );
        assert!(
            Status::WindowNotStarted("No such file".into())
                .text(Lang::Ja)
                .contains("No such file")
        );
    }

    #[test]
    fn the_view_shows_the_state_in_the_chosen_language() {
        // Proves: the status line is clickable only when something needs fixing, the update
        // entry names an offered version, and the check box carries the login setting.
        let mut shown = Shown::new(Lang::En, true);
        assert!(
            matches!(shown.view().entries[0], Entry::Item { enabled: false, .. }),
            "\"Checking…\" has nothing to open"
        );
        shown.level = Level::Ok;
        shown.status = Status::AllGood;
        let view = shown.view();
        let labels: Vec<_> = view
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Item { label, .. } => Some(label.as_str()),
                Entry::Separator => None,
            })
            .collect();
        assert_eq!(
            labels,
            [
                "All good",
                "Open MCP LLM Generator",
                "Run health check",
                "Back up now",
                "Configure clients…",
                "Set up…",
                "Check for updates",
                "Start at login",
                "No AI app is connected now",
                "Stop all servers",
                "Quit"
            ]
        );
        assert!(matches!(view.entries[0], Entry::Item { enabled: false, .. }));
        assert!(matches!(
            view.entries[8],
            Entry::Item {
                checked: Some(true),
                ..
            }
        ));
        shown.level = Level::Warning;
        shown.status = Status::NeedsFix {
            finding: "No backup has been made yet.".into(),
            more: 0,
        };
        shown.offer = Some("0.2.0".into());
        shown.lang = Lang::Ja;
        let view = shown.view();
        assert!(
            matches!(&view.entries[0], Entry::Item { enabled: true, label, .. } if label.ends_with("アプリを開いて対処してください。"))
        );
        assert!(matches!(&view.entries[7], Entry::Item { label, .. } if label == "0.2.0 にアップデート…"));
    }

    #[test]
    fn resume_is_offered_only_while_paused_and_stop_all_always() {
        // Proves: the emergency stop is always in the menu; Resume servers appears once serving
        // is paused, in the chosen language, and goes when it is resumed.
        let items = |shown: &Shown| -> Vec<TrayItem> {
            shown
                .view()
                .entries
                .iter()
                .filter_map(|e| match e {
                    Entry::Item { item, .. } => Some(*item),
                    Entry::Separator => None,
                })
                .collect()
        };
        let mut shown = Shown::new(Lang::Ja, false);
        assert!(items(&shown).contains(&TrayItem::StopAllServers));
        assert!(!items(&shown).contains(&TrayItem::ResumeServers));
        shown.paused = true;
        assert!(items(&shown).contains(&TrayItem::ResumeServers));
        assert!(
            shown.view().tooltip.contains("一時停止中"),
            "{}",
            shown.view().tooltip
        );
        assert_eq!(TrayItem::ResumeServers.label(Lang::Ja), "サーバーを再開");
        assert!(
            Status::ServersStopped(2)
                .text(Lang::En)
                .starts_with("Stopped 2 server(s)")
        );
        shown.paused = false;
        assert!(!items(&shown).contains(&TrayItem::ResumeServers));
    }

    #[test]
    fn the_menu_names_the_ai_apps_connected_now_in_a_line_that_does_nothing() {
        // Proves: a disabled line above Stop all servers says which apps are connected, in the
        // chosen language, and that none is when none is.
        let line = |shown: &Shown| -> (String, bool) {
            shown
                .view()
                .entries
                .iter()
                .find_map(|e| match e {
                    Entry::Item {
                        item: TrayItem::Connected,
                        label,
                        enabled,
                        ..
                    } => Some((label.clone(), *enabled)),
                    _ => None,
                })
                .expect("the connected line")
        };
        let mut shown = Shown::new(Lang::En, false);
        assert_eq!(line(&shown), ("No AI app is connected now".into(), false));
        shown.connected = vec!["VS Code".into(), "Claude Desktop".into()];
        assert_eq!(line(&shown), ("Connected: VS Code, Claude Desktop".into(), false));
        shown.lang = Lang::Ja;
        assert_eq!(line(&shown).0, "接続中: VS Code, Claude Desktop");
    }

    #[test]
    fn the_tray_language_follows_the_choice_in_settings_over_the_system() {
        // Proves: a choice in Settings decides the tray's words whatever the system's locale
        // (lang.rs tests how "Automatic" reads the locale).
        use llmgen_core::settings::Language;
        let label = |choice| TrayItem::RunHealthCheck.label(crate::lang::resolve(choice));
        assert_eq!(label(Language::Ja), "ヘルスチェックを実行");
        assert_eq!(label(Language::En), "Run health check");
    }
}
