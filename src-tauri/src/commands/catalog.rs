//! What the Personas and Templates screens share: a catalog of named items, some of them shipped
//! as built-ins, that the user lists, adds, edits, deletes and resets. The work is llmgen-core's
//! generic catalog (the same calls as the manage tools); [`catalog_commands!`] declares a kind's
//! IPC commands over it, since a Tauri command cannot be generic.

use llmgen_core::Store;

use super::{AppState, IpcError, blocking};

/// Runs one catalog call on the app's store, off the UI thread; the core's sentence is the error.
pub async fn on_store<T: Send + 'static>(
    state: &AppState,
    call: impl FnOnce(&Store) -> llmgen_core::Result<T> + Send + 'static,
) -> Result<T, IpcError> {
    let store = state.store()?;
    blocking(move || Ok(call(&store)?)).await
}

/// Declares a catalog kind's IPC surface over llmgen-core's generic catalog: the list the screen
/// reads and the commands list, add, update, delete and reset.
///
/// `Item, New, Patch; List => list, add, update, delete, reset`. The commands are named
/// `<kind>_<action>` (`personas_add`), which is how the UI's catalog component finds them.
macro_rules! catalog_commands {
    (
        $item:ty, $new:ty, $patch:ty;
        $list_ty:ident => $list:ident, $add:ident, $update:ident, $delete:ident, $reset:ident
    ) => {
        /// What a catalog screen lists.
        #[derive(Debug, serde::Serialize, specta::Type)]
        #[serde(rename_all = "camelCase")]
        pub struct $list_ty {
            /// Every stored item, sorted by name.
            items: Vec<$item>,
            /// The names of the shipped items, so the screen can offer to restore a deleted one.
            builtins: Vec<String>,
        }

        /// Every item and the built-ins' names (the manage tool's `list`).
        #[tauri::command]
        #[specta::specta]
        pub async fn $list(
            state: tauri::State<'_, $crate::commands::AppState>,
        ) -> Result<$list_ty, $crate::commands::IpcError> {
            $crate::commands::catalog::on_store(&state, |store| {
                Ok($list_ty {
                    items: llmgen_core::catalog::list::<$item>(store)?,
                    builtins: llmgen_core::catalog::builtin_names::<$item>(),
                })
            })
            .await
        }

        /// Adds an item (the manage tool's `add` or `create`); core's validation sentence on bad
        /// input.
        #[tauri::command]
        #[specta::specta]
        pub async fn $add(
            state: tauri::State<'_, $crate::commands::AppState>,
            item: $new,
        ) -> Result<$item, $crate::commands::IpcError> {
            $crate::commands::catalog::on_store(&state, move |store| {
                llmgen_core::catalog::add::<$item>(store, item)
            })
            .await
        }

        /// Changes the given fields of an item (the manage tool's `update`).
        #[tauri::command]
        #[specta::specta]
        pub async fn $update(
            state: tauri::State<'_, $crate::commands::AppState>,
            name: String,
            patch: $patch,
        ) -> Result<$item, $crate::commands::IpcError> {
            $crate::commands::catalog::on_store(&state, move |store| {
                llmgen_core::catalog::update::<$item>(store, &name, patch)
            })
            .await
        }

        /// Deletes an item (the manage tool's `delete`).
        #[tauri::command]
        #[specta::specta]
        pub async fn $delete(
            state: tauri::State<'_, $crate::commands::AppState>,
            name: String,
        ) -> Result<(), $crate::commands::IpcError> {
            $crate::commands::catalog::on_store(&state, move |store| {
                llmgen_core::catalog::delete::<$item>(store, &name)
            })
            .await
        }

        /// Puts a built-in back as shipped, recreating it if deleted (the manage tool's `reset`).
        #[tauri::command]
        #[specta::specta]
        pub async fn $reset(
            state: tauri::State<'_, $crate::commands::AppState>,
            name: String,
        ) -> Result<$item, $crate::commands::IpcError> {
            $crate::commands::catalog::on_store(&state, move |store| {
                llmgen_core::catalog::reset::<$item>(store, &name)
            })
            .await
        }
    };
}
pub(crate) use catalog_commands;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{error::IpcErrorKind, test_support::temp_store};
    use llmgen_core::catalog::{self, CatalogItem, personas::Persona, templates::Template};
    use serde::Serialize;

    fn names<K: CatalogItem + Serialize>(store: &Store) -> Vec<String> {
        let items = serde_json::to_value(catalog::list::<K>(store).expect("list")).expect("json");
        let items = items.as_array().expect("a list").iter();
        items
            .map(|i| i["name"].as_str().expect("a name").to_string())
            .collect()
    }

    /// Proves, for one catalog: a fresh store holds the shipped items; a deleted one keeps its
    /// name among the built-ins (so the screen offers to restore it) and reset brings it back as
    /// a built-in; deleting a missing item is `not_found` with core's sentence.
    fn a_deleted_builtin_can_be_restored<K: CatalogItem + Serialize>(shipped: usize, builtin: &str) {
        let (_dir, store) = temp_store();
        let builtins = catalog::builtin_names::<K>();
        assert_eq!(builtins.len(), shipped);
        assert!(builtins.iter().any(|b| b == builtin), "{builtins:?}");
        assert_eq!(names::<K>(&store).len(), shipped);
        catalog::delete::<K>(&store, builtin).expect("delete");
        let after = names::<K>(&store);
        assert_eq!(after.len(), shipped - 1);
        assert!(!after.iter().any(|n| n == builtin));
        assert_eq!(catalog::builtin_names::<K>(), builtins);
        let back = serde_json::to_value(catalog::reset::<K>(&store, builtin).expect("reset")).expect("json");
        assert_eq!(back["builtin"], true);
        assert_eq!(names::<K>(&store).len(), shipped);
        let err = IpcError::from(catalog::delete::<K>(&store, "no-such").expect_err("missing"));
        assert_eq!(err.kind, IpcErrorKind::NotFound);
        assert!(err.message.contains("was not found"), "{}", err.message);
    }

    #[test]
    fn a_deleted_builtin_persona_can_be_restored() {
        a_deleted_builtin_can_be_restored::<Persona>(6, "rational-advisor");
    }

    #[test]
    fn a_deleted_builtin_template_can_be_restored() {
        a_deleted_builtin_can_be_restored::<Template>(4, "explain-topic");
    }
}
