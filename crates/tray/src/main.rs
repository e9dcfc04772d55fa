//! `mcp-llm-generator-tray`: the app's tray on Linux (lib.rs says why it is a program of its
//! own). Started by the app's binary, which becomes it:
//! `mcp-llm-generator-tray --app PATH [--minimized]`.

#[cfg(target_os = "linux")]
fn main() {
    use llmgen_tray::{link::MINIMIZED_ARG, single, sni};
    llmgen_tray::init_logging();
    let args: Vec<String> = std::env::args().collect();
    let app = args
        .iter()
        .position(|a| a == "--app")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from)
        .or_else(|| llmgen_tray::beside_me(llmgen_tray::APP_PROGRAM));
    let Some(app) = app else {
        eprintln!(
            "mcp-llm-generator-tray: the app's program was not found; start MCP LLM Generator from its launcher"
        );
        std::process::exit(2);
    };
    let minimized = args.iter().any(|a| a == MINIMIZED_ARG);
    let (events, incoming) = std::sync::mpsc::channel();
    let _name = match single::claim(events.clone()) {
        single::Instance::First(connection) => Some(connection),
        single::Instance::HandedOver => {
            tracing::info!("MCP LLM Generator is running already; its window was asked to open");
            return;
        }
        single::Instance::Alone(why) => {
            tracing::warn!("cannot tell whether the app runs already ({why}); starting anyway");
            None
        }
    };
    match sni::run(app.clone(), minimized, events, incoming) {
        sni::Ending::Quit => std::process::exit(0),
        sni::Ending::Restart => {
            use std::os::unix::process::CommandExt;
            // The same process becomes the newly installed app; the D-Bus name goes with the
            // old image (its socket closes on exec), and the window's pipe closes, ending it.
            let error = std::process::Command::new(&app).exec();
            tracing::error!("could not restart into the update ({error}); start the app again");
            std::process::exit(1);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("mcp-llm-generator-tray is the Linux tray; on this system the app draws its own tray");
    std::process::exit(2);
}
