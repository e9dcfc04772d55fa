//! The tool list's size, tool by tool, against the budgets in tests/tool_list_budget.txt: every
//! client sends the whole list to its model with every request, so a tool may not grow more than
//! 10 % past its recorded size unnoticed, and a new tool comes with a budget of its own.

mod common;

use std::collections::BTreeMap;

use common::*;

/// How far past its budget a tool may grow, in percent, before the test fails.
const TOLERANCE_PERCENT: usize = 10;

const BUDGETS: &str = include_str!("tool_list_budget.txt");

/// Tool name → budget in bytes, from the table (`#` starts a comment line).
fn budgets(table: &str) -> BTreeMap<String, usize> {
    table
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, bytes) = line
                .split_once(char::is_whitespace)
                .unwrap_or_else(|| panic!("budget line `{line}` is not `<tool> <bytes>`"));
            let bytes = bytes
                .trim()
                .parse()
                .unwrap_or_else(|e| panic!("budget line `{line}`: {e}"));
            (name.to_owned(), bytes)
        })
        .collect()
}

/// What is wrong with the measured `sizes` (tool → bytes) against `budgets`, one sentence each.
fn over_budget(sizes: &BTreeMap<String, usize>, budgets: &BTreeMap<String, usize>) -> Vec<String> {
    let mut problems = Vec::new();
    for (tool, &bytes) in sizes {
        match budgets.get(tool) {
            None => problems.push(format!(
                "{tool} ({bytes} bytes) has no budget: add the line `{tool} {bytes}` to \
                 crates/server/tests/tool_list_budget.txt"
            )),
            Some(&budget) if bytes * 100 > budget * (100 + TOLERANCE_PERCENT) => problems.push(format!(
                "{tool} is {bytes} bytes, more than {TOLERANCE_PERCENT} % over its budget of {budget}: \
                 say it in fewer words, or raise its line in tests/tool_list_budget.txt on purpose"
            )),
            Some(_) => {}
        }
    }
    for tool in budgets.keys().filter(|tool| !sizes.contains_key(*tool)) {
        problems.push(format!(
            "{tool} has a budget but is not listed: remove its line from tests/tool_list_budget.txt"
        ));
    }
    problems
}

/// The check itself: a tool past its budget by more than 10 %, a tool without a budget and a
/// budget without a tool are each reported; growth within 10 % is not.
#[test]
fn the_budget_check_reports_growth_new_tools_and_stale_lines() {
    let budgets = budgets("# a comment\nalpha 1000\nbeta 500\n");
    let sizes = |list: &[(&str, usize)]| -> BTreeMap<String, usize> {
        list.iter().map(|(n, b)| (n.to_string(), *b)).collect()
    };
    assert!(over_budget(&sizes(&[("alpha", 1100), ("beta", 10)]), &budgets).is_empty());

    let problems = over_budget(&sizes(&[("alpha", 1101), ("beta", 500), ("gamma", 42)]), &budgets);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("alpha is 1101 bytes"), "{problems:?}");
    assert!(
        problems[1].contains("gamma (42 bytes) has no budget: add the line `gamma 42`"),
        "{problems:?}"
    );

    let problems = over_budget(&sizes(&[("alpha", 1000)]), &budgets);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("beta has a budget but is not listed"),
        "{problems:?}"
    );
}

/// Every tool the server lists (all groups on, the default) fits its budget, measured as the
/// bytes of its compact JSON entry in tools/list; the sizes are printed for updating the table.
#[tokio::test]
async fn every_listed_tool_fits_its_budget() {
    let dir = temp_dir();
    let client = connect_in_process(dir.path(), TestClient::replying(Era::Legacy, "x")).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    client.cancel().await.expect("close");
    let sizes: BTreeMap<String, usize> = tools
        .iter()
        .map(|tool| {
            let entry = serde_json::to_vec(tool).expect("a tool serializes");
            (tool.name.to_string(), entry.len())
        })
        .collect();
    let budgets = budgets(BUDGETS);
    for (tool, bytes) in &sizes {
        let budget = budgets.get(tool).map_or("none".to_owned(), usize::to_string);
        eprintln!("{tool:<22} {bytes:>6} bytes (budget {budget})");
    }
    eprintln!("{:<22} {:>6} bytes", "total", sizes.values().sum::<usize>());
    let problems = over_budget(&sizes, &budgets);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
