//! The window's IPC surface: one module per screen, each command a thin adapter over one
//! llmgen-core call that answers with [`IpcError`] when it fails. This file lists the modules and
//! builds, from one list of commands, both the handler the app installs and the TypeScript
//! bindings the UI imports, so the two cannot drift apart.

mod backups;
mod blocking;
mod catalog;
mod clients;
mod contexts;
mod delegations;
mod error;
mod guide;
mod keys;
mod logs;
mod memory;
mod moving_in;
mod personas;
mod servers;
mod settings;
mod state;
mod status;
mod templates;
#[cfg(test)]
mod test_support;
mod updates;
mod usage;

use blocking::blocking;
pub(crate) use clients::server_binary;
pub use error::IpcError;
pub(crate) use settings::set_autostart;
pub use state::AppState;
pub(crate) use updates::auto_check_enabled;

/// The handler and the bindings, made from this one list.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            // The overview: status, API keys, clients, settings, health and backups.
            status::app_status,
            keys::provider_status,
            keys::set_provider_key,
            keys::delete_provider_key,
            keys::test_provider_key,
            status::ui_ready,
            crate::window::take_focus,
            clients::clients_list,
            clients::clients_preview,
            clients::clients_configure,
            clients::clients_remove,
            clients::clients_restore,
            clients::clients_repair,
            settings::autostart_enabled,
            settings::autostart_set,
            status::health_check,
            backups::backups_list,
            backups::backup_now,
            backups::backup_verify,
            backups::backup_restore,
            // Personas, templates, contexts and logs screens.
            personas::personas_list,
            personas::personas_add,
            personas::personas_update,
            personas::personas_delete,
            personas::personas_reset,
            templates::templates_list,
            templates::templates_add,
            templates::templates_update,
            templates::templates_delete,
            templates::templates_reset,
            templates::template_render,
            contexts::contexts_list,
            contexts::contexts_search,
            contexts::context_messages,
            contexts::context_delete,
            contexts::context_export_path,
            contexts::context_export,
            logs::logs_recent,
            logs::logs_open_folder,
            // Moving in from the TypeScript server, and removing everything.
            moving_in::moving_in_scan,
            moving_in::moving_in_import,
            moving_in::moving_in_replace_entries,
            moving_in::remove_everything,
            // The language of the window and the tray.
            settings::app_language,
            settings::set_app_language,
            // Updates.
            updates::update_state,
            updates::update_check,
            updates::update_install,
            updates::update_auto_set,
            // The Usage screen's charts.
            usage::usage_history,
            // The first-run guide.
            guide::guide_state,
            guide::guide_needed,
            guide::guide_add_clients,
            guide::guide_use_local_server,
            guide::guide_use_key,
            // Live servers: who is connected, the emergency stop and the pause.
            servers::servers_list,
            servers::servers_connections,
            servers::servers_stop_all,
            servers::servers_resume,
            servers::servers_paused,
            // The Memory screen: search, a note with its links and related notes, changes, feed.
            memory::memory_search,
            memory::memory_get,
            memory::memory_create,
            memory::memory_update,
            memory::memory_delete,
            memory::memory_link,
            memory::memory_unlink,
            memory::memory_feed,
            // The team (issue 15): the Personas screen's tree and effective values, and the
            // Delegations screen: list, one in full, cancel.
            personas::personas_team,
            personas::persona_view,
            delegations::delegations_list,
            delegations::delegation_get,
            delegations::delegation_cancel,
        ])
        // Counts and token figures are far below 2^53; numbers are what the UI wants.
        .dangerously_cast_bigints_to_number()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the generated bindings live in the UI.
    const BINDINGS_PATH: &str = "../ui/src/lib/bindings.ts";

    /// Writes the TypeScript bindings of [`specta_builder`] to `path`.
    fn export_bindings(path: &std::path::Path) -> Result<(), String> {
        specta_builder()
            .export(
                specta_typescript::Typescript::default()
                    .header("// Generated from src-tauri/src/commands/mod.rs by `cargo xtask bindings`; do not edit.\n// @ts-nocheck"),
                path,
            )
            .map_err(|e| e.to_string())
    }

    /// Proves the checked-in bindings match the Rust commands: regenerating them changes nothing.
    /// After changing a command, run `cargo xtask bindings` (or set LLMGEN_WRITE_BINDINGS=1).
    #[test]
    fn typescript_bindings_are_current() {
        let checked_in = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
        if std::env::var_os("LLMGEN_WRITE_BINDINGS").is_some() {
            export_bindings(&checked_in).expect("write the bindings");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let fresh = dir.path().join("bindings.ts");
        export_bindings(&fresh).expect("export");
        let fresh = std::fs::read_to_string(&fresh).expect("read fresh");
        let current = std::fs::read_to_string(&checked_in).unwrap_or_default();
        assert!(
            fresh == current,
            "ui/src/lib/bindings.ts is out of date with the Rust commands: run `cargo xtask bindings`"
        );
    }
}
