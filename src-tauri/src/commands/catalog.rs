//! What the Personas and Templates screens share: a catalog of named items, some of them shipped
//! as built-ins, that the user lists, adds, edits, deletes and resets. [`Catalog`] is what differs
//! between the two (the core calls of one kind); [`catalog_commands!`] declares a kind's IPC
//! commands over it, since a Tauri command cannot be generic.

use llmgen_core::Store;
use serde::Serialize;

use super::{AppState, IpcError, blocking};

/// One kind of catalog: its types and the core calls behind each action (the same calls as the
/// kind's manage tool).
pub trait Catalog {
    /// A stored item, as the screen shows it.
    type Item: Serialize + Send + 'static;
    /// What the form sends to add one.
    type New: Send + 'static;
    /// The fields the form changes.
    type Patch: Send + 'static;

    /// Every stored item, sorted by name.
    fn list(store: &Store) -> llmgen_core::Result<Vec<Self::Item>>;
    /// The names of the shipped items, so a screen can offer to restore a deleted one.
    fn builtin_names() -> Vec<String>;
    fn get(store: &Store, name: &str) -> llmgen_core::Result<Self::Item>;
    fn add(store: &Store, new: Self::New) -> llmgen_core::Result<Self::Item>;
    fn update(store: &Store, name: &str, patch: Self::Patch) -> llmgen_core::Result<Self::Item>;
    fn delete(store: &Store, name: &str) -> llmgen_core::Result<()>;
    /// Puts a built-in back as shipped, recreating it if it was deleted.
    fn reset(store: &Store, name: &str) -> llmgen_core::Result<Self::Item>;
}

/// Runs one catalog call on the app's store, off the UI thread; the core's sentence is the error.
pub async fn on_store<T: Send + 'static>(
    state: &AppState,
    call: impl FnOnce(&Store) -> llmgen_core::Result<T> + Send + 'static,
) -> Result<T, IpcError> {
    let store = state.store()?;
    blocking(move || Ok(call(&store)?)).await
}

/// Declares a catalog kind's IPC surface: the unit type implementing [`Catalog`] with the core
/// module's calls, the list the screen reads, and the commands list, add, update, delete and reset.
///
/// `Kind over module (add: function) holding Item, New, Patch; List => list, add, update, delete,
/// reset`. The commands are named `<kind>_<action>` (`personas_add`), which is how the UI's
/// catalog component finds them.
macro_rules! catalog_commands {
    (
        $kind:ident over $core:ident (add: $core_add:ident) holding $item:ty, $new:ty, $patch:ty;
        $list_ty:ident => $list:ident, $add:ident, $update:ident, $delete:ident, $reset:ident
    ) => {
        /// The catalog of this screen, as the core module handles it.
        pub struct $kind;

        impl $crate::commands::catalog::Catalog for $kind {
            type Item = $item;
            type New = $new;
            type Patch = $patch;

            fn list(store: &llmgen_core::Store) -> llmgen_core::Result<Vec<$item>> {
                $core::list(store)
            }
            fn builtin_names() -> Vec<String> {
                $core::builtins().into_iter().map(|b| b.name).collect()
            }
            fn get(store: &llmgen_core::Store, name: &str) -> llmgen_core::Result<$item> {
                $core::get(store, name)
            }
            fn add(store: &llmgen_core::Store, new: $new) -> llmgen_core::Result<$item> {
                $core::$core_add(store, new)
            }
            fn update(store: &llmgen_core::Store, name: &str, patch: $patch) -> llmgen_core::Result<$item> {
                $core::update(store, name, patch)
            }
            fn delete(store: &llmgen_core::Store, name: &str) -> llmgen_core::Result<()> {
                $core::delete(store, name)
            }
            fn reset(store: &llmgen_core::Store, name: &str) -> llmgen_core::Result<$item> {
                $core::reset(store, name)
            }
        }

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
            use $crate::commands::catalog::Catalog;
            $crate::commands::catalog::on_store(&state, |store| {
                Ok($list_ty {
                    items: $kind::list(store)?,
                    builtins: $kind::builtin_names(),
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
            use $crate::commands::catalog::Catalog;
            $crate::commands::catalog::on_store(&state, move |store| $kind::add(store, item)).await
        }

        /// Changes the given fields of an item (the manage tool's `update`).
        #[tauri::command]
        #[specta::specta]
        pub async fn $update(
            state: tauri::State<'_, $crate::commands::AppState>,
            name: String,
            patch: $patch,
        ) -> Result<$item, $crate::commands::IpcError> {
            use $crate::commands::catalog::Catalog;
            $crate::commands::catalog::on_store(&state, move |store| $kind::update(store, &name, patch)).await
        }

        /// Deletes an item (the manage tool's `delete`).
        #[tauri::command]
        #[specta::specta]
        pub async fn $delete(
            state: tauri::State<'_, $crate::commands::AppState>,
            name: String,
        ) -> Result<(), $crate::commands::IpcError> {
            use $crate::commands::catalog::Catalog;
            $crate::commands::catalog::on_store(&state, move |store| $kind::delete(store, &name)).await
        }

        /// Puts a built-in back as shipped, recreating it if deleted (the manage tool's `reset`).
        #[tauri::command]
        #[specta::specta]
        pub async fn $reset(
            state: tauri::State<'_, $crate::commands::AppState>,
            name: String,
        ) -> Result<$item, $crate::commands::IpcError> {
            use $crate::commands::catalog::Catalog;
            $crate::commands::catalog::on_store(&state, move |store| $kind::reset(store, &name)).await
        }
    };
}
pub(crate) use catalog_commands;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{
        error::IpcErrorKind, personas::Personas, templates::Templates, test_support::temp_store,
    };

    fn names<K: Catalog>(store: &Store) -> Vec<String> {
        let items = serde_json::to_value(K::list(store).expect("list")).expect("json");
        let items = items.as_array().expect("a list").iter();
        items
            .map(|i| i["name"].as_str().expect("a name").to_string())
            .collect()
    }

    /// Proves, for one catalog: a fresh store holds the shipped items; a deleted one keeps its
    /// name among the built-ins (so the screen offers to restore it) and reset brings it back as
    /// a built-in; deleting a missing item is `not_found` with core's sentence.
    fn a_deleted_builtin_can_be_restored<K: Catalog>(shipped: usize, builtin: &str) {
        let (_dir, store) = temp_store();
        let builtins = K::builtin_names();
        assert_eq!(builtins.len(), shipped);
        assert!(builtins.iter().any(|b| b == builtin), "{builtins:?}");
        assert_eq!(names::<K>(&store).len(), shipped);
        K::delete(&store, builtin).expect("delete");
        let after = names::<K>(&store);
        assert_eq!(after.len(), shipped - 1);
        assert!(!after.iter().any(|n| n == builtin));
        assert_eq!(K::builtin_names(), builtins);
        let back = serde_json::to_value(K::reset(&store, builtin).expect("reset")).expect("json");
        assert_eq!(back["builtin"], true);
        assert_eq!(names::<K>(&store).len(), shipped);
        let err = IpcError::from(K::delete(&store, "no-such").expect_err("missing"));
        assert_eq!(err.kind, IpcErrorKind::NotFound);
        assert!(err.message.contains("was not found"), "{}", err.message);
    }

    #[test]
    fn a_deleted_builtin_persona_can_be_restored() {
        a_deleted_builtin_can_be_restored::<Personas>(6, "rational-advisor");
    }

    #[test]
    fn a_deleted_builtin_template_can_be_restored() {
        a_deleted_builtin_can_be_restored::<Templates>(4, "explain-topic");
    }
}
