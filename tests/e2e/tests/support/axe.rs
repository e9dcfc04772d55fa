//! The accessibility audit in the real webview: axe-core (the UI's pinned devDependency,
//! installed with the UI's npm packages by `cargo xtask test`) injected into the page as it is,
//! and its serious and critical findings read back, one line each.

use std::path::PathBuf;

use fantoccini::Client;

/// axe-core's browser build, where `npm install` in ui/ puts it.
fn source_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/axe-core/axe.min.js")
}

/// The findings axe-core reports, as "rule (impact): help — where", for every rule of WCAG 2.x
/// A and AA and axe's best practices.
const RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
  resultTypes: ["violations"],
}).then(
  (r) => done(r.violations.map((v) => ({
    impact: v.impact,
    line: `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`).join("; ")}`,
  }))),
  (e) => done([{ impact: "critical", line: `axe-core could not run: ${e}` }]),
);
"#;

/// The serious and critical findings on the page as it is now.
pub async fn serious_findings(client: &Client) -> Vec<String> {
    let loaded = client
        .execute("return typeof window.axe === 'object';", Vec::new())
        .await
        .unwrap_or_else(|e| panic!("cannot ask the page for axe-core: {e}"));
    if loaded.as_bool() != Some(true) {
        let path = source_path();
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing at {} ({e}): `cargo xtask test` installs the UI's npm packages, or run `npm install` in ui/",
                path.display()
            )
        });
        // The browser build sets `window.axe`; a page reload (or a new window) needs it again.
        client
            .execute(&format!("{source}\nreturn typeof window.axe;"), Vec::new())
            .await
            .unwrap_or_else(|e| panic!("cannot inject axe-core into the page: {e}"));
    }
    let found = client
        .execute_async(RUN, Vec::new())
        .await
        .unwrap_or_else(|e| panic!("axe-core did not finish: {e}"));
    found
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| v["line"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Fails, listing them, when the page as it is now has serious or critical findings.
pub async fn assert_accessible(client: &Client, what: &str) {
    let findings = serious_findings(client).await;
    assert!(
        findings.is_empty(),
        "the accessibility audit (axe-core) found serious problems on {what}:\n{}",
        findings.join("\n")
    );
}
