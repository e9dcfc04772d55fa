//! One app per session: the first tray owns a D-Bus name; a second launch finds it taken, asks
//! the owner to open its window and ends. The name, path and method are the ones
//! tauri-plugin-single-instance uses, so the standalone tray and the app's own (Tauri) tray
//! recognise each other.

use std::sync::mpsc::Sender;

use zbus::{blocking::Connection, interface};

use crate::sni::Event;

const NAME: &str = "dev.llmgen.desktop.SingleInstance";
const PATH: &str = "/dev/llmgen/desktop/SingleInstance";
const INTERFACE: &str = "org.SingleInstance.DBus";

/// Whether this process is the app, or handed over to the one running.
pub enum Instance {
    /// This is the first: keep the connection, which holds the name, for as long as it runs.
    First(Connection),
    /// Another is running and was asked to show its window.
    HandedOver,
    /// There is no session bus to find others on; run anyway.
    Alone(String),
}

struct Listener(Sender<Event>);

#[interface(name = "org.SingleInstance.DBus")]
impl Listener {
    /// A second launch: its arguments and folder do not matter, the window opens.
    fn execute_callback(&self, _argv: Vec<String>, _cwd: String) {
        let _ = self.0.send(Event::Open);
    }
}

/// Claims the name, or hands over to its owner. A restart into an update can find its
/// predecessor still holding the name for a moment; then a few tries follow.
pub fn claim(events: Sender<Event>) -> Instance {
    let mut last = String::new();
    for attempt in 0..20 {
        if attempt > 0 {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let built = zbus::blocking::connection::Builder::session()
            .and_then(|b| b.name(NAME))
            .and_then(|b| {
                b.replace_existing_names(false)
                    .allow_name_replacements(false)
                    .serve_at(PATH, Listener(events.clone()))
            })
            .and_then(|b| b.build());
        match built {
            Ok(connection) => return Instance::First(connection),
            Err(zbus::Error::NameTaken) => match hand_over() {
                Ok(()) => return Instance::HandedOver,
                // The owner went away between the two calls: try to be the first again.
                Err(e) => last = e.to_string(),
            },
            Err(e) => return Instance::Alone(e.to_string()),
        }
    }
    Instance::Alone(format!("the running app did not answer ({last})"))
}

fn hand_over() -> zbus::Result<()> {
    let connection = Connection::session()?;
    // Lossy: the running app ignores them, and a path that is not UTF-8 must not stop a launch.
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let cwd = std::env::current_dir().unwrap_or_default().display().to_string();
    connection.call_method(Some(NAME), PATH, Some(INTERFACE), "ExecuteCallback", &(argv, cwd))?;
    Ok(())
}
