//! IPC command of the Usage screen: the last days of direct-provider usage per provider and day,
//! and of tool calls with their errors and latency (llmgen-core's `usage::daily` and
//! `tool_days`), for its charts. Budgets come with the providers' status (keys.rs).

use llmgen_core::{
    Store,
    generation::usage::{self, UsageDays},
    operations::tool_days::{self, ToolCallsDay},
};
use serde::Serialize;

use super::{AppState, IpcError, blocking};

/// What the Usage screen draws.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UsageHistory {
    usage: UsageDays,
    tools: Vec<ToolCallsDay>,
}

fn history(store: &Store, days: u16) -> Result<UsageHistory, IpcError> {
    Ok(UsageHistory {
        usage: usage::daily(store, days)?,
        tools: tool_days::tool_days(store, days)?,
    })
}

/// The last `days` days (today included; the screen asks for 30).
#[tauri::command]
#[specta::specta]
pub async fn usage_history(state: tauri::State<'_, AppState>, days: u16) -> Result<UsageHistory, IpcError> {
    let store = state.store()?;
    blocking(move || history(&store, days)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::test_support::temp_store;

    /// Proves the screen gets both series over the same days, as JSON with the names the UI
    /// reads, and one entry per day even for a store that was never used.
    #[test]
    fn both_series_cover_the_asked_days_in_the_uis_names() {
        let (_dir, store) = temp_store();
        let json = serde_json::to_value(history(&store, 30).expect("history")).expect("json");
        assert_eq!(json["usage"]["days"].as_array().map(Vec::len), Some(30));
        assert_eq!(json["usage"]["providers"], serde_json::json!([]));
        let tools = json["tools"].as_array().expect("tools");
        assert_eq!(tools.len(), 30);
        assert_eq!(tools[29]["day"], json["usage"]["days"][29]);
        assert_eq!(
            (&tools[0]["calls"], &tools[0]["p95Ms"]),
            (&serde_json::json!(0), &serde_json::Value::Null)
        );
    }
}
