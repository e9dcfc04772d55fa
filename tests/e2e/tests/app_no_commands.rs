//! No command line in the window: the app built as shipped, started on a data dir where as many
//! health findings as real conditions can make are present, shows on none of its screens, in
//! English or in Japanese, a command of ours (`mcp-llm-generator` followed by a word) or a
//! backtick (how the command line's sentences quote commands). Skipped with a notice outside
//! `cargo xtask test`.

mod support;

use std::{path::Path, process::Command, time::Instant};

use fantoccini::Client;
use llmgen_core::{
    Store,
    generation::{
        TokenUsage,
        usage::{self, Budget, BudgetUnit, Outcome},
    },
    operations::live,
    paths::DataDir,
};
use support::{
    app,
    driver::{Driver, Setup},
    screens, ui,
};

/// Health findings this test makes real, as `check id/finding id` of the Health screen.
const MADE: [&str; 7] = [
    "backup/backup.never",
    "clients/clients.broken",
    "provider-key/provider-key.missing",
    "logs/logs.errors",
    "budget/budget.exhausted",
    "paused/paused.on",
    "connections/connections.never",
];

/// Proves that every screen of the sidebar, in English and in Japanese, reads without a command
/// of ours or a backtick, in its visible text (`innerText`), with its closed "Details" opened, and
/// in the text of elements not drawn at all (`textContent`), while these findings of the health check are present
/// (checked on the Health screen): no backup yet; Claude Desktop's file is broken JSON; the
/// default provider (Anthropic) has no key and is over its monthly budget; today's log has error
/// lines; the servers are paused (through llmgen_core's live pause, as the tray's emergency stop
/// does); VS Code was set up (by the command line) but never connected. These are the findings
/// whose command-line wording names commands. Findings that need a broken database, a full disk
/// or a keychain that is not there cannot be made without breaking the app under test: the
/// Vitest test ui/src/lib/Health.words.test.ts renders every finding id, each worded without a
/// command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_screen_shows_a_command_or_a_backtick_whatever_the_findings() {
    let Some(setup) = Setup::from_xtask() else {
        return;
    };
    let started = Instant::now();
    let home_dir = app::app_home();
    let home = home_dir.path();
    let data = app::data_dir(home);
    let server = setup.server_bin();
    make_findings(home, &data, &server);

    // No local model server anywhere (a closed port): the guide's screen is the same everywhere.
    let driver = Driver::start_with_env(
        &setup,
        home,
        &[("LLMGEN_LOCAL_MODEL_URLS", "http://127.0.0.1:9/v1")],
    )
    .expect("WebDriver server");
    let client = driver.session(&setup.app_bin).await.expect("session");
    let _app = app::AppProcess(driver.app_pid(&setup.app_bin));

    screens::open(&client, "health").await;
    let shown = findings(&client).await;
    eprintln!("findings on the Health screen: {shown:?}");
    for made in MADE {
        assert!(
            shown.iter().any(|f| f == made),
            "the Health screen does not show {made}: {shown:?}"
        );
    }

    let mut found = every_screen(&client, "en").await;
    screens::switch_to_japanese(&client).await;
    found.extend(every_screen(&client, "ja").await);
    assert!(
        found.is_empty(),
        "commands or backticks in the window:\n{}",
        found.join("\n")
    );
    if let Err(e) = client.close().await {
        eprintln!("ending the WebDriver session: {e}");
    }
    eprintln!("the visit of every screen took {:.1?}", started.elapsed());
}

/// The conditions behind [`MADE`], made as they happen to people.
fn make_findings(home: &Path, data: &DataDir, server: &Path) {
    let store = Store::open(data).expect("store");
    // VS Code set up from the command line (as a user who followed an old README), never started.
    std::fs::create_dir_all(home.join(".config/Code/User")).expect("VS Code's folder");
    let configured = app::in_home(
        Command::new(server).args(["clients", "configure", "vscode"]),
        home,
    )
    .output()
    .expect("run clients configure");
    assert!(
        configured.status.success(),
        "clients configure vscode: {}",
        String::from_utf8_lossy(&configured.stderr)
    );
    // Claude Desktop's file, broken by a hand edit.
    let claude = home.join(".config/Claude/claude_desktop_config.json");
    std::fs::create_dir_all(claude.parent().expect("parent")).expect("Claude's folder");
    std::fs::write(
        &claude,
        "{ \"mcpServers\": { \"filesystem\": { \"command\": \"npx\" ",
    )
    .expect("broken file");
    // The default provider over its budget.
    usage::set_budget(
        &store,
        "anthropic",
        Budget {
            unit: BudgetUnit::Tokens,
            monthly_limit: 1000.0,
        },
    )
    .expect("budget");
    let tokens = TokenUsage {
        input_tokens: 1200,
        output_tokens: 300,
    };
    usage::record(&store, "anthropic", "claude-test", Outcome::Ok, tokens, 900).expect("usage");
    // Errors in today's log, in the server's format.
    let now = utc_now();
    let logs = data.logs_dir();
    std::fs::create_dir_all(&logs).expect("logs folder");
    let lines: String = (0..3)
        .map(|i| format!("{now} ERROR llmgen_server::mcp: provider 'anthropic' failed ({i}): HTTP 500\n"))
        .collect();
    std::fs::write(logs.join(format!("llmgen.{}.log", &now[..10])), lines).expect("log file");
    live::pause(data, "the end-to-end test").expect("pause the servers");
}

/// Now in UTC as the server's log writes it (RFC 3339, microseconds).
fn utc_now() -> String {
    let out = Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%S.%6NZ"])
        .output()
        .expect("run date");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The Health screen's findings as `check id/finding id`, once its check has run.
async fn findings(client: &Client) -> Vec<String> {
    ui::find(client, "[data-testid=health-level]").await;
    let script = "return [...document.querySelectorAll('main [data-finding]')].map((e) => `${e.dataset.testid.replace(/^check-/, '')}/${e.dataset.finding}`);";
    let found = client
        .execute(script, Vec::new())
        .await
        .expect("read the findings");
    serde_json::from_value(found).expect("a list of findings")
}

/// Every screen's text: as a user reads it (`innerText`), the same with every closed "Details"
/// opened (then closed again), and each text node's `textContent` on a line of its own (text
/// that is not drawn at all). The body's whole `textContent` is not used: it glues a path ending
/// in `mcp-llm-generator` to the next label ("Templates") as if it were a command.
const TEXTS: &str = r#"
const visible = document.body.innerText;
const closed = [...document.querySelectorAll("details:not([open])")];
for (const d of closed) d.open = true;
const opened = document.body.innerText;
for (const d of closed) d.open = false;
const nodes = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const parent = walker.currentNode.parentElement;
  if (parent && !parent.closest("script, style, template")) nodes.push(walker.currentNode.textContent);
}
return [visible, opened, nodes.join("\n")];
"#;

/// Opens every screen and returns what each shows of a command: `screen (lang): …text…`.
async fn every_screen(client: &Client, lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    for id in screens::ids(client).await {
        screens::open(client, &id).await;
        ui::find(client, "main h2").await;
        ui::wait_for_count(client, "main [aria-busy=true]", 0).await;
        if id == "health" {
            ui::find(client, "[data-testid=health-level]").await;
        }
        let texts = client
            .execute(TEXTS, Vec::new())
            .await
            .expect("read the screen's text");
        let texts: Vec<String> = serde_json::from_value(texts).expect("three texts");
        for text in texts {
            for hit in commands_in(&text) {
                let line = format!("{id} ({lang}): {hit}");
                if !found.contains(&line) {
                    found.push(line);
                }
            }
        }
    }
    found
}

/// Each command of ours (`mcp-llm-generator` then a space and a word) and each backtick in
/// `text`, with the words around it.
fn commands_in(text: &str) -> Vec<String> {
    const OURS: &str = "mcp-llm-generator";
    let chars: Vec<char> = text.chars().collect();
    let ours: Vec<char> = OURS.chars().collect();
    let around = |at: usize, len: usize| -> String {
        let from = at.saturating_sub(60);
        let to = (at + len + 60).min(chars.len());
        chars[from..to].iter().collect::<String>().replace('\n', " ⏎ ")
    };
    let mut hits = Vec::new();
    for at in 0..chars.len() {
        if chars[at] == '`' {
            hits.push(format!("a backtick in \"{}\"", around(at, 1)));
        } else if chars[at..].starts_with(&ours) {
            let rest = &chars[at + ours.len()..];
            let spaces = rest.iter().take_while(|c| *c == &' ' || *c == &'\u{a0}').count();
            if spaces > 0 && rest.get(spaces).is_some_and(|c| c.is_alphanumeric()) {
                hits.push(format!("a command in \"{}\"", around(at, ours.len())));
            }
        }
    }
    hits
}

#[test]
fn commands_in_finds_our_commands_and_backticks_only() {
    assert!(commands_in("Run mcp-llm-generator keys set openai.").len() == 1);
    assert!(commands_in("Run `resume`.").len() == 2);
    assert!(commands_in("/usr/bin/mcp-llm-generator --client vscode").is_empty());
    assert!(commands_in("MCP LLM Generator is running; mcp-llm-generator.").is_empty());
}
