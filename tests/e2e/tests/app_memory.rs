//! The Memory screen, walked by clicking in the app built as shipped (`custom-protocol`): two
//! notes created (one in Japanese without spaces), linked, found by a two-character Japanese
//! word with the match marked, opened with its link and related note, edited, deleted, and each
//! change seen in "Recent changes"; what the window did is read back through llmgen_core.
//! Skipped with a notice outside `cargo xtask test`.

mod support;

use fantoccini::{Client, Locator};
use llmgen_core::{
    Store,
    memory::{self, Actor, NewMemory, SearchQuery},
};
use support::{
    app, axe,
    driver::{Driver, Setup},
    screens, ui,
};

/// A note in Japanese, one run of text without spaces, as Japanese is written.
const TOKYO_TITLE: &str = "東京の旅";
const TOKYO_TEXT: &str = "昨日は東京タワーに登って、夜は新宿で友だちと食事をした。";
const TOKYO_EDITED: &str = "東京の旅（秋）";
/// A note in English, linked to the Japanese one.
const PACKING_TITLE: &str = "Packing list";
const PACKING_TEXT: &str = "Passport, charger, and an umbrella for the rainy season.";
const RELATION: &str = "checklist for";
/// A note made with the form in Japanese.
const KYOTO_TITLE: &str = "京都の週末";
const KYOTO_TEXT: &str = "東京から新幹線で二時間。紅葉を見に行く。";
/// A note a built-in persona stores from outside the window.
const PERSONA: &str = "rational-advisor";
const FROM_AI_APP: &str = "Stored by an AI app";

/// Proves, through what a user sees and what lands in the store: a note typed into the form is
/// stored as typed (Japanese too); a link made from one note shows on both; a search for 東京
/// (two characters, inside a sentence without spaces) finds the Japanese note first with 東京
/// marked in its snippet, and the linked note after it, marked related; the opened note lists
/// its link (with its relation) and its related note; an edit and a deletion reach the store;
/// "Recent changes" names every change, newest first, and shows a persona's change made outside
/// the window without a click. The screen passes the accessibility audit with results and with
/// a note open, in Japanese and in dark colours, and is photographed (`app-memory*.png`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_keeps_notes_links_them_and_finds_them_in_japanese() {
    let Some(setup) = Setup::from_xtask() else {
        return;
    };
    let home_dir = app::app_home();
    let home = home_dir.path();
    let shots = setup.screenshots.as_deref();
    let driver = Driver::start(&setup, home).expect("WebDriver server");
    let client = driver.session(&setup.app_bin).await.expect("session");
    let _app = app::AppProcess(driver.app_pid(&setup.app_bin));

    screens::open(&client, "memory").await;
    ui::find(&client, "[data-testid=memory-empty]").await;
    create_note(&client, TOKYO_TITLE, TOKYO_TEXT, "旅行, 東京").await;
    ui::click(&client, "[data-testid=memory-back]").await;
    create_note(&client, PACKING_TITLE, PACKING_TEXT, "trip").await;

    // Link the packing list to the Japanese note, found by its word.
    type_into(&client, "#memory-link-query", "東京").await;
    ui::click(&client, "[data-testid=memory-link-find]").await;
    ui::find(&client, "input[name=memory-link-target]:checked").await;
    type_into(&client, "#memory-relation", RELATION).await;
    ui::click(&client, "[data-testid=memory-link-add]").await;
    let link = ui::wait_for_text(&client, "[data-testid=memory-link]", "the new link", |t| {
        t.contains(TOKYO_TITLE)
    })
    .await;
    assert!(link.contains(RELATION), "the link shows its relation: {link}");

    // Search 東京: the Japanese note, its match marked; the packing list after it, related.
    ui::click(&client, "[data-testid=memory-back]").await;
    type_into(&client, "#memory-query", "東京").await;
    ui::click(&client, "[data-testid=memory-search]").await;
    // Before the search, the newest notes are listed, none of them related.
    ui::find(&client, "[data-testid=memory-hit][data-related=true]").await;
    let hits = hits(&client).await;
    assert_eq!(
        hits,
        [
            (TOKYO_TITLE.to_string(), false),
            (PACKING_TITLE.to_string(), true)
        ],
        "the Japanese note is the hit and the linked note is related"
    );
    let marked = ui::find(&client, "[data-testid=memory-hit] .snippet mark").await;
    assert_eq!(marked.text().await.expect("mark").as_str(), "東京");
    axe::assert_accessible(&client, "the Memory screen with results").await;
    ui::screenshot(&client, shots, "app-memory").await;

    // Open it: its link from the packing list and the packing list as a related note.
    ui::click(&client, "[data-testid=memory-hit] button.link").await;
    ui::wait_for_text(&client, "#memory-title", "the note's title", |t| t == TOKYO_TITLE).await;
    let link = ui::find(&client, "[data-testid=memory-link]")
        .await
        .text()
        .await
        .expect("link");
    assert!(link.contains(PACKING_TITLE) && link.contains(RELATION), "{link}");
    ui::wait_for_text(
        &client,
        "[data-testid=memory-related-note]",
        "the related note",
        |t| t.contains(PACKING_TITLE),
    )
    .await;
    let content = ui::find(&client, "[data-testid=memory-content]").await;
    assert_eq!(content.text().await.expect("content"), TOKYO_TEXT);
    axe::assert_accessible(&client, "a note of the Memory screen").await;
    ui::screenshot(&client, shots, "app-memory-note").await;

    // Edit its title, then delete the packing list (after the confirmation).
    ui::click(&client, "[data-testid=memory-edit]").await;
    let title = ui::find(&client, "#memory-field-title").await;
    title.clear().await.expect("clear the title");
    type_into(&client, "#memory-field-title", TOKYO_EDITED).await;
    ui::click(&client, "[data-testid=memory-save]").await;
    ui::wait_for_text(&client, "#memory-title", "the edited title", |t| {
        t == TOKYO_EDITED
    })
    .await;
    client
        .find(Locator::XPath(&format!(
            "//*[@data-testid='memory-link']//button[text()='{PACKING_TITLE}']"
        )))
        .await
        .expect("the link to the packing list")
        .click()
        .await
        .expect("open the packing list");
    ui::wait_for_text(&client, "#memory-title", "the packing list", |t| {
        t == PACKING_TITLE
    })
    .await;
    ui::click(&client, "[data-testid=memory-delete]").await;
    ui::click(&client, "[data-testid=memory-delete-confirm]").await;
    ui::find(&client, "#memory-query").await;

    // Recent changes, newest first: the deletion, the edit, the link, the two creations.
    let actions = changes(&client).await;
    assert_eq!(
        actions,
        ["deleted", "updated", "linked", "created", "created"],
        "every change is in Recent changes, newest first"
    );
    let newest = ui::find(&client, "[data-testid=memory-change]")
        .await
        .text()
        .await
        .expect("change");
    assert!(
        newest.contains(&format!("You deleted “{PACKING_TITLE}”")),
        "{newest}"
    );
    check_store(&app::data_dir(home));

    // In Japanese: a note made with the Japanese form, then the same search, photographed; and
    // in dark colours.
    screens::switch_to_japanese(&client).await;
    screens::open(&client, "memory").await;
    create_note(&client, KYOTO_TITLE, KYOTO_TEXT, "旅行").await;
    ui::click(&client, "[data-testid=memory-back]").await;
    type_into(&client, "#memory-query", "東京").await;
    ui::click(&client, "[data-testid=memory-search]").await;
    ui::find(&client, "[data-testid=memory-hit] .snippet mark").await;
    ui::wait_for_count(&client, "[data-testid=memory-hit]", 2).await;
    ui::wait_for_text(&client, "[data-testid=memory-change]", "Japanese words", |t| {
        t.contains("作成しました")
    })
    .await;
    axe::assert_accessible(&client, "the Memory screen in Japanese").await;
    ui::screenshot(&client, shots, "app-memory-ja").await;
    screens::force_dark_scheme(&client).await;
    axe::assert_accessible(&client, "the Memory screen in dark colours").await;
    ui::screenshot(&client, shots, "app-memory-ja-dark").await;

    // A note a persona stores through another process (as an AI app does through the server)
    // shows in Recent changes without a click.
    let store = Store::open(&app::data_dir(home)).expect("store");
    let persona = Actor::Persona(PERSONA.into());
    let new = NewMemory {
        title: FROM_AI_APP.into(),
        content: "Stored through the server.".into(),
        ..Default::default()
    };
    memory::create(&store, &persona, new).expect("a persona's note");
    ui::wait_for_text(
        &client,
        "[data-testid=memory-change]",
        "the persona's change",
        |t| t.contains(FROM_AI_APP) && t.contains(PERSONA),
    )
    .await;

    if let Err(e) = client.close().await {
        eprintln!("ending the WebDriver session: {e}");
    }
}

/// New note: fill the form and create; the note opens.
async fn create_note(client: &Client, title: &str, text: &str, tags: &str) {
    ui::click(client, "[data-testid=memory-new]").await;
    type_into(client, "#memory-field-title", title).await;
    type_into(client, "#memory-field-content", text).await;
    type_into(client, "#memory-field-tags", tags).await;
    ui::click(client, "[data-testid=memory-save]").await;
    ui::wait_for_text(
        client,
        "[data-testid=memory-note] #memory-title",
        "the new note",
        |t| t == title,
    )
    .await;
}

/// Types `text` into the field `css`, as a keyboard would.
async fn type_into(client: &Client, css: &str, text: &str) {
    ui::find(client, css)
        .await
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
}

/// The search's hits as (title, related).
async fn hits(client: &Client) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for hit in client
        .find_all(Locator::Css("[data-testid=memory-hit]"))
        .await
        .expect("hits")
    {
        let title = hit
            .find(Locator::Css("button.link"))
            .await
            .expect("a hit's title")
            .text()
            .await
            .expect("title");
        let related = hit.attr("data-related").await.expect("data-related");
        out.push((title, related.as_deref() == Some("true")));
    }
    out
}

/// The actions of "Recent changes", top to bottom, once the newest is the deletion.
async fn changes(client: &Client) -> Vec<String> {
    ui::find(client, "[data-testid=memory-change][data-action=deleted]").await;
    let mut out = Vec::new();
    for line in client
        .find_all(Locator::Css("[data-testid=memory-change]"))
        .await
        .expect("changes")
    {
        out.push(
            line.attr("data-action")
                .await
                .expect("action")
                .unwrap_or_default(),
        );
    }
    out
}

/// What the window did, read back through the core as any other front end would: the edited
/// Japanese note is found by 東京, has no link left, and the packing list is gone.
fn check_store(data: &llmgen_core::paths::DataDir) {
    let store = Store::open(data).expect("store");
    let found = memory::search(
        &store,
        &Actor::User,
        &SearchQuery {
            text: "東京".into(),
            ..Default::default()
        },
    )
    .expect("search");
    assert_eq!(found.total, 1, "{found:?}");
    let note = memory::get(&store, &Actor::User, found.results[0].id).expect("get");
    assert_eq!(
        (note.title.as_str(), note.content.as_str(), note.tags.as_slice()),
        (
            TOKYO_EDITED,
            TOKYO_TEXT,
            ["旅行".to_string(), "東京".to_string()].as_slice()
        )
    );
    assert!(
        note.links.is_empty(),
        "the link went with the deleted note: {:?}",
        note.links
    );
    assert_eq!(memory::count(&store).expect("count"), 1);
}
