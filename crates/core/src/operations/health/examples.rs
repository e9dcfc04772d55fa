//! One example of every finding, with made-up figures: front ends test that they word each of
//! them (in every language, with no command of ours) from this list.

use std::path::PathBuf;

use super::finding::{BudgetNote, ClientFault, ClientProblem, DiskSpace, Finding, NamedClient};
use crate::{
    clients::FileProblem,
    generation::usage::{BudgetState, BudgetUnit},
};

/// Every kind of finding once (tests in core check that none is missing).
pub fn examples() -> Vec<Finding> {
    use Finding::*;
    let path = PathBuf::from("/home/u/.local/share/dev.llmgen.desktop/llmgen.db");
    let error = || "disk I/O error".to_string();
    let space = DiskSpace {
        available_bytes: 5 << 30,
        total_bytes: 100 << 30,
        free_percent: 5.0,
        at: PathBuf::from("/home/u/.local/share/dev.llmgen.desktop"),
        database_bytes: 3 << 20,
    };
    let near = BudgetNote::Used {
        provider: "openai".into(),
        state: BudgetState {
            unit: BudgetUnit::Currency,
            monthly_limit: 10.0,
            used: 9.0,
            left: 1.0,
            percent_used: 90.0,
            unpriced_models: Vec::new(),
        },
    };
    let spent = BudgetNote::Used {
        provider: "anthropic".into(),
        state: BudgetState {
            unit: BudgetUnit::Tokens,
            monthly_limit: 1000.0,
            used: 1200.0,
            left: 0.0,
            percent_used: 120.0,
            unpriced_models: Vec::new(),
        },
    };
    let unreadable = BudgetNote::Unreadable {
        provider: "local".into(),
        error: error(),
    };
    let problem = |client: &str, problem| ClientProblem {
        client: client.into(),
        problem,
    };
    let invalid = |problem, fixable| ClientFault::InvalidFile {
        problem,
        message: "expected value".into(),
        line: 3,
        column: 7,
        fixable,
    };
    vec![
        DatabaseMissing { path: path.clone() },
        DatabaseUnopenable {
            path: path.clone(),
            error: error(),
        },
        DatabaseOk { path: path.clone() },
        DatabaseDamaged {
            path: path.clone(),
            problems: vec!["*** in database main ***".into()],
        },
        DatabaseUnreadable { path, error: error() },
        DatabaseUnusable { error: error() },
        SchemaCurrent {
            version: 20261123000005,
        },
        SchemaBehind {
            found: 20261001000000,
            known: 20261123000005,
        },
        SchemaAhead {
            found: 20270101000000,
            known: 20261123000005,
        },
        SchemaUnreadable { error: error() },
        DiskOk { space: space.clone() },
        DiskLow { space: space.clone() },
        DiskFull {
            threshold_percent: 2.0,
            space: DiskSpace {
                available_bytes: 1 << 30,
                free_percent: 1.0,
                ..space
            },
        },
        DiskUnmeasured {
            at: PathBuf::from("/home/u"),
            error: error(),
            database_bytes: 3 << 20,
        },
        BackupNever,
        BackupRecent { age_hours: 5 },
        BackupOld { age_hours: 80 },
        KeychainOk,
        KeychainUnreachable {
            error: "The Secret Service is not running.".into(),
        },
        KeychainStopped { error: error() },
        KeychainTimeout { seconds: 10 },
        KeychainFromEnv {
            provider: "openai".into(),
            variable: "OPENAI_API_KEY".into(),
        },
        ProvidersUnreadable { error: error() },
        NoDefaultProvider,
        KeyNotNeeded {
            provider: "ollama".into(),
        },
        KeyPresent {
            provider: "anthropic".into(),
            variable: None,
        },
        KeyMissing {
            provider: "anthropic".into(),
        },
        BudgetsUnreadable { error: error() },
        NoBudget,
        BudgetsFine { count: 2 },
        BudgetsNear {
            budgets: vec![near.clone(), unreadable],
        },
        BudgetsExhausted {
            budgets: vec![spent, near],
        },
        ClientsNone,
        ClientsOk { count: 2 },
        ClientsBroken {
            problems: vec![
                problem(
                    "vscode",
                    ClientFault::Stale {
                        reason: "its command /opt/old/mcp-llm-generator does not exist".into(),
                    },
                ),
                problem("cursor", invalid(FileProblem::RepeatedEntry, true)),
                problem("windsurf", invalid(FileProblem::Syntax, false)),
                problem("claude-desktop", ClientFault::EntryRemoved),
            ],
        },
        LogsClean { hours: 24 },
        LogErrors {
            count: 3,
            hours: 24,
            latest: "2026-11-23T11:00:00Z ERROR llmgen_server: usage not recorded".into(),
        },
        LogsNotAFolder {
            path: PathBuf::from("/home/u/.local/share/dev.llmgen.desktop/logs"),
        },
        LogsUnreadable { error: error() },
        ServerOk {
            version: "0.1.0".into(),
            tools: 9,
            initialize_ms: 28.0,
            tools_list_ms: 0.4,
        },
        ServerFailed {
            error: "connection closed".into(),
        },
        ServerTimeout { seconds: 20 },
        PausedOff,
        PausedOn {
            since: "2026-12-07T19:30:00Z".into(),
            by: "tray".into(),
        },
        ConnectionsAll,
        ConnectionsNever {
            clients: vec![
                NamedClient {
                    id: "vscode".into(),
                    name: "VS Code".into(),
                },
                NamedClient {
                    id: "claude-desktop".into(),
                    name: "Claude Desktop".into(),
                },
            ],
        },
        Other {
            message: "Something else was found.".into(),
            fix: Some("Do something about it.".into()),
        },
    ]
}
