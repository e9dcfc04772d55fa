//! Helpers of the WebDriver suite: the drivers and the app they start, the user's side of the
//! webview (its sidebar's screens and their accessibility audit, the first-run guide), and the
//! desktop's side of the tray and of the window.

// Each test binary that includes these helpers uses a part of them.
#![allow(dead_code)]

pub mod app;
pub mod axe;
pub mod driver;
pub mod guide;
pub mod screens;
pub mod tray;
pub mod ui;
pub mod x11;

/// What a desktop test does when `cargo xtask test` did not give it its environment (the built
/// app, an X display, drivers): `LLMGEN_APP_TESTS=later` means xtask runs it in a later step, so it
/// skips; otherwise it fails when `CI` is set (a CI run that lost its display must not pass by
/// skipping) and skips outside CI, saying so.
pub fn missing_environment(needs: &str) {
    if std::env::var("LLMGEN_APP_TESTS").as_deref() == Ok("later") {
        eprintln!("desktop test left for its own step of cargo xtask test");
        return;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but this desktop test has no environment (needs {needs}): run it through `cargo xtask test`"
    );
    eprintln!("skipped (not CI): run through `cargo xtask test` (needs {needs})");
}
