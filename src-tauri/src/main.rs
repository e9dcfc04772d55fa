//! `mcp-llm-generator-app`: the desktop tray application.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    llmgen_app::run();
}
