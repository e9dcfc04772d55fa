//! The app's sidebar as a user drives it: opening a screen by its id (`data-screen`, the ids of
//! ui/src/lib/screens.ts), a walk over every screen that audits each one's accessibility and
//! takes screenshots of its cards, the language chosen in Settings, and the app's dark colours
//! switched on for such a walk.

use std::path::Path;

use fantoccini::{Client, Locator};

use super::{axe, ui};

/// Opens the screen `id` from the sidebar and waits until it is the current one.
pub async fn open(client: &Client, id: &str) {
    ui::click(client, &format!("nav [data-screen=\"{id}\"]")).await;
    ui::find(client, &format!("nav [data-screen=\"{id}\"][aria-current=page]")).await;
}

/// The sidebar's screens, in order.
pub async fn ids(client: &Client) -> Vec<String> {
    let mut ids = Vec::new();
    for button in client
        .find_all(Locator::Css("nav [data-screen]"))
        .await
        .unwrap_or_else(|e| panic!("no sidebar: {e}"))
    {
        if let Ok(Some(id)) = button.attr("data-screen").await {
            ids.push(id);
        }
    }
    assert!(!ids.is_empty(), "the sidebar lists no screen");
    ids
}

/// Visits every screen of the sidebar: each must pass the accessibility audit (no serious or
/// critical finding of axe-core), and, when `dir` is given, each card is photographed scrolled to
/// the top, as `app-<screen>-<card><suffix>.png`. Card names come from the English headings of
/// the first pass (kept in `names` per screen); a pass in another language takes them by
/// position, as screens and cards keep their order.
pub async fn visit_every_screen(
    client: &Client,
    dir: Option<&Path>,
    suffix: &str,
    names: &mut Vec<(String, Vec<String>)>,
) {
    let first_pass = names.is_empty();
    for (i, id) in ids(client).await.into_iter().enumerate() {
        open(client, &id).await;
        ui::find(client, "main h2").await;
        axe::assert_accessible(client, &format!("the {id} screen{suffix}")).await;
        if first_pass {
            names.push((id.clone(), Vec::new()));
        }
        if dir.is_none() {
            continue;
        }
        let cards = client
            .find_all(Locator::Css("main section"))
            .await
            .unwrap_or_else(|e| panic!("no cards on {id}: {e}"));
        let mut shown_at = None;
        let mut j = 0;
        for card in cards {
            let title = match card.find(Locator::Css("h2")).await {
                Ok(h) => h.text().await.unwrap_or_default(),
                Err(_) => continue,
            };
            let (screen, card_names) = &mut names[i];
            if first_pass {
                card_names.push(slug(&title));
            }
            let name = card_names.get(j).cloned().unwrap_or_else(|| j.to_string());
            j += 1;
            // The last cards of a page cannot scroll to the top: they are in the shot before.
            let at = ui::scroll_to(client, &card).await;
            if shown_at == Some(at) {
                continue;
            }
            shown_at = Some(at);
            ui::screenshot(client, dir, &format!("app-{screen}-{name}{suffix}")).await;
        }
    }
}

/// Settings: choose 日本語; the sidebar is in Japanese at once.
pub async fn switch_to_japanese(client: &Client) {
    open(client, "settings").await;
    let select = ui::find(client, "[data-testid=language]").await;
    select.select_by_value("ja").await.expect("choose 日本語");
    ui::wait_for_text(
        client,
        "nav [data-screen=overview]",
        "the overview's Japanese name",
        |t| !t.is_ascii(),
    )
    .await;
}

/// Applies the app's dark colours (the rules its CSS keeps for `prefers-color-scheme: dark`)
/// whatever the desktop's theme, as a dark desktop would, for the rest of the session.
pub async fn force_dark_scheme(client: &Client) {
    let script = r#"
        const rules = [];
        for (const sheet of document.styleSheets)
          for (const rule of sheet.cssRules)
            if (rule instanceof CSSMediaRule && rule.conditionText.includes("prefers-color-scheme: dark"))
              for (const inner of rule.cssRules) rules.push(inner.cssText);
        const style = document.createElement("style");
        style.textContent = rules.join("\n");
        document.head.appendChild(style);
        document.documentElement.style.colorScheme = "dark";
        return rules.length;
    "#;
    let applied = client
        .execute(script, Vec::new())
        .await
        .unwrap_or_else(|e| panic!("cannot switch to the dark colours: {e}"));
    assert!(
        applied.as_u64().is_some_and(|n| n > 0),
        "the app's CSS has no rules for a dark desktop"
    );
}

fn slug(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.join("-")
}
