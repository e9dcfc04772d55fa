//! Driving the webview like a user: find what is on screen (waiting for it to appear, with a
//! deadline and a message that says what was expected), click, type, read; and screenshots of
//! the real X window.

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use fantoccini::{Client, Locator, elements::Element};

/// How long anything the UI does after a click may take (IPC, keychain, file writes, a backup).
pub const UI_WAIT: Duration = Duration::from_secs(30);

/// The element matching `css`, waiting for it to appear.
pub async fn find(client: &Client, css: &str) -> Element {
    client
        .wait()
        .at_most(UI_WAIT)
        .every(Duration::from_millis(100))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("'{css}' never appeared on screen within {UI_WAIT:?}: {e}"))
}

/// How many elements match `css` right now.
pub async fn count(client: &Client, css: &str) -> usize {
    client
        .find_all(Locator::Css(css))
        .await
        .map(|all| all.len())
        .unwrap_or(0)
}

/// Waits until the text of `css` satisfies `wanted` (re-finding it each time: the UI re-renders);
/// returns the text.
pub async fn wait_for_text(client: &Client, css: &str, what: &str, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + UI_WAIT;
    let mut last = String::new();
    loop {
        if let Ok(el) = client.find(Locator::Css(css)).await
            && let Ok(text) = el.text().await
        {
            if wanted(&text) {
                return text;
            }
            last = text;
        }
        assert!(
            Instant::now() < deadline,
            "'{css}' never showed {what} within {UI_WAIT:?}; last seen: \"{last}\""
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `css` matches exactly `n` elements.
pub async fn wait_for_count(client: &Client, css: &str, n: usize) {
    let deadline = Instant::now() + UI_WAIT;
    loop {
        let now = count(client, css).await;
        if now == n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "expected {n} of '{css}' within {UI_WAIT:?}, saw {now}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks the element matching `css` once it is there and enabled.
pub async fn click(client: &Client, css: &str) {
    let deadline = Instant::now() + UI_WAIT;
    loop {
        let el = find(client, css).await;
        if el.is_enabled().await.unwrap_or(false) {
            el.click()
                .await
                .unwrap_or_else(|e| panic!("clicking '{css}' failed: {e}"));
            return;
        }
        assert!(
            Instant::now() < deadline,
            "'{css}' stayed disabled for {UI_WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the page has painted (two animation frames), so a screenshot shows what the DOM
/// holds and not the frame before.
async fn painted(client: &Client) {
    let script = "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
    if let Err(e) = client.execute_async(script, Vec::new()).await {
        panic!("the page did not paint: {e}");
    }
}

/// Saves what the X server shows of the app's window as `dir/name.png` (ImageMagick's `import`
/// of the root window, cropped to the window: the real pixels, not the webview's own snapshot).
pub async fn screenshot(client: &Client, dir: Option<&Path>, name: &str) {
    let Some(dir) = dir else { return };
    painted(client).await;
    let (x, y, w, h) = client
        .get_window_rect()
        .await
        .unwrap_or_else(|e| panic!("no window rectangle: {e}"));
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let file = dir.join(format!("{name}.png"));
    let status = Command::new("import")
        .args(["-window", "root", "-crop", &format!("{w}x{h}+{x}+{y}"), "+repage"])
        .arg(&file)
        .status()
        .unwrap_or_else(|e| panic!("cannot run ImageMagick's import: {e}"));
    assert!(status.success(), "import failed for {}", file.display());
}

/// Scrolls `el` to the top of the window (for a screenshot of one part of a long screen);
/// returns where the page ended up (the same for cards the page cannot scroll any further to).
pub async fn scroll_to(client: &Client, el: &Element) -> i64 {
    let arg = serde_json::to_value(el).unwrap_or_else(|e| panic!("element as a script argument: {e}"));
    client
        .execute(
            "arguments[0].scrollIntoView({block: 'start'}); return Math.round(window.scrollY);",
            vec![arg],
        )
        .await
        .unwrap_or_else(|e| panic!("cannot scroll: {e}"))
        .as_i64()
        .unwrap_or(-1)
}
