//! The first-run guide as a user walks it, by clicking: its three steps (the AI apps found,
//! pre-ticked, added with one button after a look at the change under "Details"; a local model
//! server made the default; what to restart and the sentence to paste), each audited for
//! accessibility and photographed, in whatever language the window shows. Selectors are the guide's structure and test ids, never
//! its words, so the same walk runs in every language.

use std::path::Path;

use fantoccini::Client;

use super::{axe, ui};

/// The guide's card (on the overview at a first run, or its own screen).
pub const GUIDE: &str = "section[aria-labelledby=guide-title]";

/// The button that goes to the next step (or finishes, at the last).
const FORWARD: &str = "section[aria-labelledby=guide-title] .nav button:last-child";

/// What the last step showed.
pub struct Done {
    /// Per app, the line saying what to restart.
    pub restart: Vec<String>,
    /// The sentence to paste into an AI app to try the server.
    pub sentence: String,
}

/// Walks the guide from its first step with `apps` installed and not yet set up: all are
/// pre-ticked, "Details" of the first shows the change that runs `server`, one click adds our
/// entry to all; step 2 finds the local model server at `local_url` serving `model` and makes it
/// the default; step 3 names each app to restart and a sentence to paste, with no warning that
/// nothing could generate. At each point the page passes the accessibility audit (axe-core: no
/// serious or critical finding); screenshots `guide-<n>-<what>-<lang>.png` go to `shots`.
/// Finishes the guide and returns what its last step said.
pub async fn walk(
    client: &Client,
    apps: &[&str],
    server: &Path,
    local: (&str, &str),
    shots: Option<&Path>,
    lang: &str,
) -> Done {
    let shot = |name: &str| format!("guide-{name}-{lang}");
    let row = |id: &str| format!("{GUIDE} [data-testid=guide-app-{id}]");

    // --- Step 1: the apps found here, each pre-ticked; the exact change under "Details".
    for id in apps {
        let tick = ui::find(client, &format!("{} input[type=checkbox]", row(id))).await;
        assert_eq!(
            tick.prop("checked").await.expect("checked").as_deref(),
            Some("true"),
            "{id} is installed here and must be pre-ticked ({lang})"
        );
    }
    at(client, shots, &shot("1-apps")).await;
    let first = row(apps[0]);
    ui::click(client, &format!("{first} details > summary")).await;
    let server_path = server.display().to_string();
    ui::wait_for_text(client, &format!("{first} details pre"), "the change", |t| {
        t.contains("llm-generator") && t.contains(&server_path)
    })
    .await;
    at(client, shots, &shot("1-details")).await;

    ui::click(client, &format!("{GUIDE} > button")).await;
    let added = format!("{GUIDE} p.result:not(.error)");
    ui::wait_for_count(client, &added, apps.len()).await;
    assert_eq!(
        ui::count(client, &format!("{GUIDE} p.result.error")).await,
        0,
        "an app could not be set up ({lang})"
    );
    // Read again: each app now runs ours, so it can no longer be unticked.
    for id in apps {
        ui::find(client, &format!("{} input[type=checkbox]:disabled", row(id))).await;
    }
    at(client, shots, &shot("1-added")).await;
    ui::click(client, FORWARD).await;

    // --- Step 2: the local model server found at the address probed, made the default.
    let (local_url, model) = local;
    let server_row = format!("{GUIDE} [data-testid=guide-local-server]");
    ui::wait_for_text(client, &server_row, "the local model server", |t| {
        t.contains(local_url)
    })
    .await;
    let choice = ui::find(client, &format!("{server_row} select")).await;
    assert_eq!(
        choice.prop("value").await.expect("the model chosen").as_deref(),
        Some(model),
        "the model the stand-in serves is offered first ({lang})"
    );
    for id in apps {
        ui::find(client, &format!("{GUIDE} [data-testid=guide-sampling-{id}]")).await;
    }
    at(client, shots, &shot("2-generation")).await;
    ui::click(client, &format!("{server_row} button")).await;
    ui::find(client, &format!("{GUIDE} p.result[role=status]:not(.error)")).await;
    ui::find(client, &format!("{GUIDE} [data-testid=guide-provider]")).await;
    at(client, shots, &shot("2-default")).await;
    ui::click(client, FORWARD).await;

    // --- Step 3: what to restart in each app, and the sentence to paste.
    let sentence = ui::wait_for_text(
        client,
        &format!("{GUIDE} [data-testid=guide-sentence]"),
        "the sentence to paste",
        |t| !t.trim().is_empty(),
    )
    .await;
    let mut restart = Vec::new();
    for id in apps {
        let line = ui::wait_for_text(
            client,
            &format!("{GUIDE} [data-testid=guide-restart-{id}]"),
            "what to restart",
            |t| !t.trim().is_empty(),
        )
        .await;
        restart.push(line);
    }
    assert_eq!(
        ui::count(client, &format!("{GUIDE} p.warning")).await,
        0,
        "the guide warns that nothing can generate although a default was made ({lang})"
    );
    at(client, shots, &shot("3-done")).await;
    ui::click(client, FORWARD).await;
    ui::wait_for_count(client, GUIDE, 0).await;
    ui::find(client, "nav [data-screen=overview][aria-current=page]").await;
    Done { restart, sentence }
}

/// One point of the walk: the page as it is passes the accessibility audit, then is photographed
/// as `name`.
async fn at(client: &Client, shots: Option<&Path>, name: &str) {
    axe::assert_accessible(client, &format!("the guide ({name})")).await;
    ui::screenshot(client, shots, name).await;
}
