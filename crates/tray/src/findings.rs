//! The tray's words for a health finding, in English and Japanese: one short sentence of what
//! was found, from its id and parameters. Never a command: the app, opened from the menu, offers
//! the fix. Paths, versions and timings stay in the app's details.

use llmgen_core::operations::health::{BudgetNote, ClientFault, ClientProblem, Finding};

use crate::lang::Lang;

/// A sentence in every language the tray speaks, so a change of language can say it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    en: String,
    ja: String,
}

impl Sentence {
    /// The finding's sentence in both languages.
    pub fn of(finding: &Finding) -> Self {
        Self {
            en: words(finding, Lang::En),
            ja: words(finding, Lang::Ja),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

/// A sentence that has no translation: the same text in every language.
impl From<&str> for Sentence {
    fn from(text: &str) -> Self {
        Self {
            en: text.to_string(),
            ja: text.to_string(),
        }
    }
}

/// The providers of a budget finding, as one list.
fn providers(budgets: &[BudgetNote]) -> String {
    let names: Vec<&str> = budgets
        .iter()
        .map(|b| match b {
            BudgetNote::Used { provider, .. } | BudgetNote::Unreadable { provider, .. } => provider.as_str(),
        })
        .collect();
    names.join(", ")
}

/// Entries that cannot start this server, then entries that work but need an update.
fn clients_words(problems: &[ClientProblem], lang: Lang) -> String {
    let names = |outdated: bool| -> String {
        let names: Vec<&str> = problems
            .iter()
            .filter(|p| (p.problem == ClientFault::NeedsUpdate) == outdated)
            .map(|p| p.client.as_str())
            .collect();
        names.join(", ")
    };
    let (broken, outdated) = (names(false), names(true));
    let mut sentences = Vec::new();
    if !broken.is_empty() {
        sentences.push(match lang {
            Lang::Ja => format!("AI アプリの設定に問題があります: {broken}。"),
            Lang::En => format!("Some AI apps cannot start this server: {broken}."),
        });
    }
    if !outdated.is_empty() {
        sentences.push(match lang {
            Lang::Ja => format!("動作していますが、設定の更新が必要な AI アプリがあります: {outdated}。"),
            Lang::En => format!("These AI apps work, but their entry needs an update: {outdated}."),
        });
    }
    sentences.join(" ")
}

/// One sentence for `finding` in `lang`.
pub fn words(finding: &Finding, lang: Lang) -> String {
    use Finding::*;
    let ja = lang == Lang::Ja;
    let pick = |en: &str, jp: &str| if ja { jp.to_string() } else { en.to_string() };
    match finding {
        DatabaseMissing { .. } => pick(
            "There is no database yet: start your AI app once.",
            "データベースはまだありません。AI アプリを一度起動してください。",
        ),
        DatabaseUnopenable { .. } => pick("The database cannot be opened.", "データベースを開けません。"),
        DatabaseOk { .. } => pick("The database is intact.", "データベースは正常です。"),
        DatabaseDamaged { .. } | DatabaseUnreadable { .. } | DatabaseUnusable { .. } => {
            pick("The database is damaged.", "データベースが壊れています。")
        }
        SchemaCurrent { .. } => pick("The database is up to date.", "データベースは最新です。"),
        SchemaBehind { .. } => pick(
            "The database is updated when your AI apps restart.",
            "AI アプリを再起動するとデータベースが更新されます。",
        ),
        SchemaAhead { .. } => pick(
            "The data was written by a newer version: update MCP LLM Generator.",
            "データは新しいバージョンで書かれています。MCP LLM Generator を更新してください。",
        ),
        SchemaUnreadable { .. } => pick(
            "The database's version cannot be read.",
            "データベースのバージョンを読み取れません。",
        ),
        DiskOk { .. } => pick("There is enough disk space.", "ディスクの空き容量は十分です。"),
        DiskLow { .. } => pick(
            "The disk is nearly full.",
            "ディスクの空き容量が少なくなっています。",
        ),
        DiskFull { .. } => pick(
            "The disk is full: saving may fail.",
            "ディスクがいっぱいです。保存に失敗するおそれがあります。",
        ),
        DiskUnmeasured { .. } => pick(
            "The free disk space cannot be measured.",
            "ディスクの空き容量を測れません。",
        ),
        BackupNever => pick(
            "No backup has been made yet.",
            "バックアップはまだ作成されていません。",
        ),
        BackupRecent { age_hours } | BackupOld { age_hours } => match (ja, *age_hours >= 48) {
            (false, true) => format!("The last backup is {} days old.", age_hours / 24),
            (false, false) => format!("The last backup is {} hours old.", age_hours.max(&0)),
            (true, true) => format!("最後のバックアップは {} 日前です。", age_hours / 24),
            (true, false) => format!("最後のバックアップは {} 時間前です。", age_hours.max(&0)),
        },
        KeychainOk => pick(
            "The system keychain answers.",
            "システムのキーチェーンは応答しています。",
        ),
        KeychainUnreachable { .. } | KeychainStopped { .. } => pick(
            "The system keychain cannot be reached.",
            "システムのキーチェーンに接続できません。",
        ),
        KeychainTimeout { .. } => pick(
            "The system keychain did not answer: it may be locked.",
            "システムのキーチェーンが応答しません。ロックされている可能性があります。",
        ),
        KeychainFromEnv { provider, .. } => {
            if ja {
                format!("キーチェーンに接続できないため、{provider} のキーは環境変数から読み込まれています。")
            } else {
                format!(
                    "The system keychain cannot be reached; the {provider} key comes from the environment."
                )
            }
        }
        ProvidersUnreadable { .. } => pick(
            "The AI providers cannot be read.",
            "AI プロバイダーの設定を読み取れません。",
        ),
        NoDefaultProvider => pick(
            "No default AI provider is chosen.",
            "既定の AI プロバイダーが選ばれていません。",
        ),
        KeyNotNeeded { provider } => {
            if ja {
                format!("既定のプロバイダー {provider} にはキーは不要です。")
            } else {
                format!("The default provider {provider} needs no key.")
            }
        }
        KeyPresent { provider, .. } => {
            if ja {
                format!("既定のプロバイダー {provider} のキーがあります。")
            } else {
                format!("The default provider {provider} has a key.")
            }
        }
        KeyMissing { provider } => {
            if ja {
                format!("既定のプロバイダー {provider} の API キーがありません。")
            } else {
                format!("The default provider {provider} has no API key.")
            }
        }
        BudgetsUnreadable { .. } => pick("The budgets cannot be read.", "予算を読み取れません。"),
        NoBudget => pick("No monthly budget is set.", "月間予算は設定されていません。"),
        BudgetsFine { .. } => pick(
            "Every monthly budget is under 80 % used.",
            "すべての月間予算の使用率は 80 % 未満です。",
        ),
        BudgetsNear { budgets } => {
            let names = providers(budgets);
            if ja {
                format!("月間予算の残りがわずかです: {names}。")
            } else {
                format!("A monthly budget is nearly used up: {names}.")
            }
        }
        BudgetsExhausted { budgets } => {
            let names = providers(budgets);
            if ja {
                format!("月間予算を使い切りました: {names}。")
            } else {
                format!("A monthly budget is used up: {names}.")
            }
        }
        ClientsNone => pick(
            "No AI app is set up to use this server yet.",
            "このサーバーを使うように設定された AI アプリはまだありません。",
        ),
        ClientsOk { count } => {
            if ja {
                format!("{count} 個の AI アプリの設定は正常です。")
            } else {
                format!("{count} AI app(s) are set up and their entries work.")
            }
        }
        ClientsBroken { problems } => clients_words(problems, lang),
        LogsClean { .. } => pick("No errors were logged recently.", "最近のエラーはありません。"),
        LogErrors { count, hours, .. } => {
            if ja {
                format!("過去 {hours} 時間に {count} 件のエラーが記録されました。")
            } else {
                format!("{count} error(s) were logged in the last {hours} hours.")
            }
        }
        LogsNotAFolder { .. } | LogsUnreadable { .. } => {
            pick("The log folder cannot be used.", "ログのフォルダーを使えません。")
        }
        ServerOk { .. } => pick("The server answers.", "サーバーは応答しています。"),
        ServerFailed { .. } | ServerTimeout { .. } => {
            pick("The server did not start.", "サーバーが起動しませんでした。")
        }
        PausedOff => pick(
            "The servers answer tool calls.",
            "サーバーはツールの呼び出しに応答しています。",
        ),
        PausedOn { .. } => pick(
            "The servers are paused: AI apps get an error until you resume them.",
            "サーバーは一時停止中です。再開するまで AI アプリにはエラーが返ります。",
        ),
        ConnectionsAll => pick(
            "Every AI app set up here has used this server.",
            "設定したすべての AI アプリがこのサーバーを使っています。",
        ),
        ConnectionsNever { clients } => {
            let names: Vec<&str> = clients.iter().map(|c| c.name.as_str()).collect();
            let names = names.join(", ");
            if ja {
                format!("設定後まだ接続していない AI アプリがあります: {names}。再起動してください。")
            } else {
                format!("Not connected since set up: {names}. Restart them.")
            }
        }
        // A check worded by its sentence only: that sentence, untranslated.
        Other { message, .. } => message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llmgen_core::operations::health::examples;

    /// Proves: no finding's line names a command of ours or holds a backtick, in either
    /// language, and every Japanese line (but the untranslated kind) is Japanese: it differs from
    /// the English one and has no English sentence left in it.
    #[test]
    fn every_finding_has_a_line_without_commands_and_japanese_without_english_leftovers() {
        for finding in examples() {
            let id = finding.id();
            for lang in [Lang::En, Lang::Ja] {
                let line = words(&finding, lang);
                assert!(!line.is_empty(), "{id}");
                assert!(
                    !line.contains("mcp-llm-generator") && !line.contains('`'),
                    "{id} ({lang:?}): {line}"
                );
            }
            if matches!(finding, Finding::Other { .. }) {
                continue;
            }
            let (en, ja) = (words(&finding, Lang::En), words(&finding, Lang::Ja));
            assert_ne!(en, ja, "{id}");
            assert!(
                ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
                "{id} has no kana: {ja}"
            );
            // English leftovers: a run of three or more English words in a row, once the
            // finding's own values (client and provider names) are taken out.
            let mut rest = ja.clone();
            for value in strings(&serde_json::to_value(&finding).expect("json")) {
                rest = rest.replace(&value, " ");
            }
            let mut run = 0;
            for token in rest.split_whitespace() {
                let word = token.trim_matches(|c: char| c.is_ascii_punctuation());
                let english = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphabetic() || c == '\'');
                run = if english { run + 1 } else { 0 };
                assert!(run < 3, "{id} keeps English words: {ja}");
            }
        }
    }

    /// Every string in a JSON value.
    fn strings(v: &serde_json::Value) -> Vec<String> {
        match v {
            serde_json::Value::String(s) => vec![s.clone()],
            serde_json::Value::Array(a) => a.iter().flat_map(strings).collect(),
            serde_json::Value::Object(o) => o.values().flat_map(strings).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn the_line_carries_the_findings_figures() {
        let old = Finding::BackupOld { age_hours: 80 };
        assert_eq!(words(&old, Lang::En), "The last backup is 3 days old.");
        assert_eq!(words(&old, Lang::Ja), "最後のバックアップは 3 日前です。");
        let missing = Finding::KeyMissing {
            provider: "openai".into(),
        };
        assert!(words(&missing, Lang::Ja).contains("openai"));
    }

    #[test]
    fn an_entry_that_only_needs_an_update_is_not_said_to_be_broken() {
        let problem = |client: &str, problem| ClientProblem {
            client: client.into(),
            problem,
        };
        let outdated = Finding::ClientsBroken {
            problems: vec![problem("vscode", ClientFault::NeedsUpdate)],
        };
        assert_eq!(
            words(&outdated, Lang::En),
            "These AI apps work, but their entry needs an update: vscode."
        );
        assert!(!words(&outdated, Lang::Ja).contains("問題"));
        let both = Finding::ClientsBroken {
            problems: vec![
                problem("cursor", ClientFault::EntryRemoved),
                problem("vscode", ClientFault::NeedsUpdate),
            ],
        };
        assert_eq!(
            words(&both, Lang::En),
            "Some AI apps cannot start this server: cursor. These AI apps work, but their entry needs an update: vscode."
        );
    }
}
