//! The memory of a GTK tray (the Tauri-drawn one; the standalone tray has no GTK). GTK opens an
//! OpenGL connection when it opens the display (to pick its visuals), which on Mesa maps the
//! LLVM-based driver: about 50 MB the tray never uses. On Linux that tray re-executes itself once
//! with `GDK_GL=disable` (the same process id, before anything else has started); the window
//! process, which draws with the GPU, gets the user's own setting back.

use std::process::Command;

/// Set in the re-executed tray; holds the user's own `GDK_GL` ("" when they had none).
const ORIGINAL_GDK_GL: &str = "LLMGEN_ORIGINAL_GDK_GL";

/// Re-executes this process without OpenGL in GTK, unless that was done already. Returns only
/// when there is nothing to do or the re-execution failed (then the tray runs as it is).
pub fn tray_without_gl() {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        if std::env::var_os(ORIGINAL_GDK_GL).is_some() {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let original = std::env::var_os("GDK_GL").unwrap_or_default();
        let error = Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("GDK_GL", "disable")
            .env(ORIGINAL_GDK_GL, original)
            .exec();
        // Logging is not set up yet; stderr is what there is.
        eprintln!("mcp-llm-generator-app: could not restart without OpenGL ({error}); going on");
    }
}

/// Gives the window process the `GDK_GL` the user had before [`tray_without_gl`].
pub fn restore_for_window(command: &mut Command) {
    if let Some(original) = std::env::var_os(ORIGINAL_GDK_GL) {
        command.env_remove(ORIGINAL_GDK_GL);
        if original.is_empty() {
            command.env_remove("GDK_GL");
        } else {
            command.env("GDK_GL", original);
        }
    }
}
