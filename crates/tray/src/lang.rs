//! The language the app speaks on its Rust side (the tray menu): the user's choice from Settings,
//! or, for "Automatic", the operating system's locale. The web UI resolves "Automatic" from the
//! webview's `navigator.language`, which the OS locale also sets, so both sides agree.

use llmgen_core::settings::Language;

/// A language the app has words for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ja => "ja",
        }
    }

    /// A locale name (`ja_JP.UTF-8`, `ja-JP`, `en_US`, `C`) to the language we show: Japanese for
    /// any `ja` locale, English for everything else.
    fn of_locale(name: &str) -> Self {
        let name = name.trim().to_ascii_lowercase();
        let primary = name.split(['_', '-', '.', '@']).next().unwrap_or("");
        if primary == "ja" { Self::Ja } else { Self::En }
    }
}

/// The language for a stored choice; `Auto` asks the system.
pub fn resolve(choice: Language) -> Lang {
    pick(choice, |name| std::env::var(name).ok(), sys_locale::get_locale)
}

/// `resolve` with the environment and the OS query passed in, so tests need not change either.
/// POSIX order: `LC_ALL`, then `LC_MESSAGES` (the category for UI text), then `LANG`; the first
/// one set wins, even when it says `C`. Where none is set (a macOS or Windows desktop session), the
/// OS's own preference decides.
fn pick(choice: Language, env: impl Fn(&str) -> Option<String>, os: impl FnOnce() -> Option<String>) -> Lang {
    match choice {
        Language::En => Lang::En,
        Language::Ja => Lang::Ja,
        Language::Auto => ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .find_map(|name| env(name).filter(|v| !v.trim().is_empty()))
            .or_else(os)
            .map_or(Lang::En, |locale| Lang::of_locale(&locale)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn automatic_follows_the_locale_environment_in_posix_order() {
        // Proves: a Japanese locale in any of the three variables gives Japanese, and the more
        // specific variable wins over LANG in both directions.
        let none = || None;
        assert_eq!(
            pick(Language::Auto, env(&[("LANG", "ja_JP.UTF-8")]), none),
            Lang::Ja
        );
        assert_eq!(
            pick(Language::Auto, env(&[("LANG", "en_US.UTF-8")]), none),
            Lang::En
        );
        assert_eq!(
            pick(
                Language::Auto,
                env(&[("LANG", "en_US.UTF-8"), ("LC_MESSAGES", "ja_JP")]),
                none
            ),
            Lang::Ja
        );
        assert_eq!(
            pick(
                Language::Auto,
                env(&[("LANG", "ja_JP.UTF-8"), ("LC_ALL", "C")]),
                none
            ),
            Lang::En
        );
        assert_eq!(pick(Language::Auto, env(&[("LC_ALL", "ja")]), none), Lang::Ja);
        // An empty variable counts as unset, as in libc.
        assert_eq!(
            pick(
                Language::Auto,
                env(&[("LC_ALL", ""), ("LANG", "ja_JP.eucJP")]),
                none
            ),
            Lang::Ja
        );
        // Javanese (jv) is not Japanese: only the language subtag "ja" counts.
        assert_eq!(pick(Language::Auto, env(&[("LANG", "jv_ID")]), none), Lang::En);
    }

    #[test]
    fn without_locale_variables_the_os_decides_and_english_is_the_fallback() {
        assert_eq!(pick(Language::Auto, env(&[]), || Some("ja-JP".into())), Lang::Ja);
        assert_eq!(pick(Language::Auto, env(&[]), || Some("de-DE".into())), Lang::En);
        assert_eq!(pick(Language::Auto, env(&[]), || None), Lang::En);
    }

    #[test]
    fn a_choice_in_settings_overrides_the_system() {
        let japanese = env(&[("LANG", "ja_JP.UTF-8")]);
        assert_eq!(pick(Language::En, &japanese, || Some("ja-JP".into())), Lang::En);
        let english = env(&[("LANG", "en_US.UTF-8")]);
        assert_eq!(pick(Language::Ja, &english, || None), Lang::Ja);
    }
}
