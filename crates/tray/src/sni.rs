//! The tray on the Linux desktop: a StatusNotifierItem with a com.canonical.dbusmenu menu, spoken
//! over D-Bus by `ksni` (the protocol KDE, GNOME's AppIndicator extension, XFCE, Cinnamon and
//! waybar show). No GTK and no WebKit in this process, which is why the tray does not run in the
//! app's Tauri binary: that links WebKitGTK, about 30 MB a tray never uses. A desktop without a
//! StatusNotifierItem host (an XEmbed-only tray) gets the Tauri-drawn tray instead, which can
//! fall back to XEmbed.

use std::{
    path::PathBuf,
    sync::{
        Arc, Mutex,
        mpsc::{Receiver, Sender},
    },
    time::{Duration, Instant},
};

use llmgen_core::operations::health::Level;

use crate::{
    menu::{Entry, TrayItem, View},
    tray::{Surface, Tray},
};

/// What the menu's handlers send to the tray's main loop. Clicks are handled there, not in
/// ksni's own task: an action redraws the tray, which waits for that task.
pub enum Event {
    Click(TrayItem),
    /// A second launch of the app asked for the window.
    Open,
    Quit,
    Restart,
}

/// The item ksni exports: the last view drawn, and where clicks go.
struct Item {
    view: View,
    events: Sender<Event>,
    icons: Icons,
}

struct Icons {
    ok: Vec<ksni::Icon>,
    warning: Vec<ksni::Icon>,
    error: Vec<ksni::Icon>,
}

impl Icons {
    fn load() -> Self {
        let one = |png: &[u8], name: &str| match argb32(png) {
            Ok(icon) => vec![icon],
            Err(e) => {
                tracing::error!("the {name} tray icon could not be decoded: {e}");
                Vec::new()
            }
        };
        Self {
            ok: one(include_bytes!("../../../icons/tray-ok.png"), "ok"),
            warning: one(include_bytes!("../../../icons/tray-warning.png"), "warning"),
            error: one(include_bytes!("../../../icons/tray-error.png"), "error"),
        }
    }
}

/// A PNG as the ARGB32 pixels (network byte order) a StatusNotifierItem carries.
fn argb32(png: &[u8]) -> Result<ksni::Icon, png::DecodingError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::normalize_to_color8() | png::Transformations::ALPHA);
    let mut reader = decoder.read_info()?;
    let size = reader.output_buffer_size().unwrap_or(0);
    let mut rgba = vec![0; size];
    let info = reader.next_frame(&mut rgba)?;
    rgba.truncate(info.buffer_size());
    let data = match info.color_type {
        png::ColorType::Rgba => rgba
            .chunks_exact(4)
            .flat_map(|p| [p[3], p[0], p[1], p[2]])
            .collect(),
        png::ColorType::GrayscaleAlpha => rgba
            .chunks_exact(2)
            .flat_map(|p| [p[1], p[0], p[0], p[0]])
            .collect(),
        other => {
            tracing::error!("a tray icon has the colour type {other:?}, not RGBA");
            Vec::new()
        }
    };
    Ok(ksni::Icon {
        width: i32::try_from(info.width).unwrap_or(0),
        height: i32::try_from(info.height).unwrap_or(0),
        data,
    })
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        // The app's identifier: a panel keeps its settings for the item (hidden, order) by it.
        "dev.llmgen.desktop".into()
    }

    fn title(&self) -> String {
        "MCP LLM Generator".into()
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::ApplicationStatus
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        match self.view.level {
            Level::Ok => self.icons.ok.clone(),
            Level::Warning => self.icons.warning.clone(),
            Level::Error => self.icons.error.clone(),
        }
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: self.view.tooltip.clone(),
            ..Default::default()
        }
    }

    /// A left click on the icon opens the window, as a click on an app's tray icon does elsewhere.
    fn activate(&mut self, _x: i32, _y: i32) {
        let _ = self.events.send(Event::Click(TrayItem::Open));
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        use ksni::menu::{CheckmarkItem, StandardItem};
        self.view
            .entries
            .iter()
            .map(|entry| match entry {
                Entry::Separator => ksni::MenuItem::Separator,
                Entry::Item {
                    item,
                    label,
                    enabled,
                    checked,
                } => {
                    let item = *item;
                    // dbusmenu reads '_' as a mnemonic mark; a label's own underscore is doubled.
                    let label = label.replace('_', "__");
                    let activate = Box::new(move |me: &mut Self| {
                        let _ = me.events.send(Event::Click(item));
                    });
                    match checked {
                        Some(checked) => CheckmarkItem {
                            label,
                            enabled: *enabled,
                            checked: *checked,
                            activate,
                            ..Default::default()
                        }
                        .into(),
                        None => StandardItem {
                            label,
                            enabled: *enabled,
                            activate,
                            ..Default::default()
                        }
                        .into(),
                    }
                }
            })
            .collect()
    }

    fn watcher_online(&self) {
        tracing::info!("the desktop's tray host is back; the tray icon shows again");
    }

    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        // Keep the item: a panel that starts after us (a start at login) or restarts registers
        // it again when it comes.
        tracing::warn!(
            "the desktop shows no tray icons right now ({reason:?}); the app keeps running and shows its icon when the desktop's tray (StatusNotifierItem) comes back"
        );
        true
    }
}

/// The ksni side of [`Surface`]: redraws go to ksni's task, Quit and Restart to the main loop.
struct SniSurface {
    /// Filled once ksni has exported the item (the tray is made before it, to draw its view).
    handle: Arc<Mutex<Option<ksni::blocking::Handle<Item>>>>,
    events: Sender<Event>,
    app: PathBuf,
}

impl Surface for SniSurface {
    fn draw(&self, view: &View) {
        let handle = self.handle.lock().ok().and_then(|h| h.clone());
        if let Some(handle) = handle {
            let view = view.clone();
            handle.update(move |item| item.view = view);
        }
    }

    fn quit(&self) {
        let _ = self.events.send(Event::Quit);
    }

    fn restart(&self) {
        let _ = self.events.send(Event::Restart);
    }

    fn starts_at_login(&self) -> Result<bool, String> {
        crate::login::entry(&self.app)?
            .is_enabled()
            .map_err(|e| e.to_string())
    }

    fn set_start_at_login(&self, on: bool) -> Result<bool, String> {
        let entry = crate::login::entry(&self.app)?;
        let result = if on { entry.enable() } else { entry.disable() };
        result.map_err(|e| format!("Could not change start at login: {e}"))?;
        entry.is_enabled().map_err(|e| e.to_string())
    }
}

/// Runs the tray until Quit: exports the item, starts the tray's work and handles clicks.
/// Returns what ended it.
pub fn run(
    app: PathBuf,
    minimized: bool,
    check: crate::health::Check,
    events: Sender<Event>,
    incoming: Receiver<Event>,
) -> Ending {
    if let Err(why) = tray_host_within(HOST_WAIT) {
        return Ending::Unsupported(why);
    }
    let exported = Arc::new(Mutex::new(None));
    let surface = SniSurface {
        handle: exported.clone(),
        events: events.clone(),
        app: app.clone(),
    };
    let tray = Tray::new(app, surface, check);
    let item = Item {
        view: tray.view(),
        events,
        icons: Icons::load(),
    };
    use ksni::blocking::TrayMethods;
    // A panel that restarts later takes the item up again when it is back.
    match item.assume_sni_available(true).spawn() {
        Ok(handle) => {
            if let Ok(mut slot) = exported.lock() {
                *slot = Some(handle);
            }
            tracing::info!("tray shown (StatusNotifierItem)");
        }
        Err(e) => return Ending::Unsupported(format!("the tray item could not be exported: {e}")),
    }
    tray.start(minimized);
    let ending = loop {
        match incoming.recv() {
            Ok(Event::Click(item)) => tray.activate(item),
            Ok(Event::Open) => tray.open_window(None, None),
            Ok(Event::Quit) | Err(_) => break Ending::Quit,
            Ok(Event::Restart) => break Ending::Restart,
        }
    };
    // Take the item off the bus in order: the panel's click on Quit gets its answer first. An
    // update waits for the click's handler to let go of the item; ksni sends the answer right
    // after, on its own thread, and nothing tells us when it has: QUIT_GRACE leaves it the time
    // (an exit before it made a panel's click fail with "NoReply", about one run in ten).
    let exported = exported.lock().ok().and_then(|mut slot| slot.take());
    if let Some(handle) = exported {
        handle.update(|_| ());
        std::thread::sleep(QUIT_GRACE);
        handle.shutdown().wait();
    }
    if let Ending::Restart = ending {
        // The window asked for the restart and is ending; wait for it, or it stays a zombie of
        // the program this process becomes.
        tray.close_window(Duration::from_secs(5));
    }
    ending
}

/// How the tray ended.
pub enum Ending {
    Quit,
    Restart,
    /// The desktop has no StatusNotifierItem host (or no session bus): the app should draw its
    /// own tray, which also knows the older XEmbed trays.
    Unsupported(String),
}

/// How long the item stays on the bus after the click that ended the tray (see `run`).
const QUIT_GRACE: Duration = Duration::from_millis(300);

/// The well-known name of the desktop's StatusNotifierItem host.
const WATCHER: &str = "org.kde.StatusNotifierWatcher";
/// At login the panel may come up just after the app: how long to wait for its tray host.
const HOST_WAIT: Duration = Duration::from_secs(10);

/// Waits up to `wait` for a StatusNotifierItem host on the session bus.
fn tray_host_within(wait: Duration) -> Result<(), String> {
    let connection = zbus::blocking::Connection::session().map_err(|e| format!("no session bus: {e}"))?;
    let bus = zbus::blocking::fdo::DBusProxy::new(&connection).map_err(|e| e.to_string())?;
    let name = zbus::names::BusName::try_from(WATCHER).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + wait;
    loop {
        if bus.name_has_owner(name.clone()).unwrap_or(false) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "no StatusNotifierItem host ({WATCHER}) on the session bus after {wait:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proves the shipped PNGs decode to 64×64 ARGB32 pixmaps whose pixels are not all the same
    /// (a failed conversion would leave an empty or blank icon, which a panel draws as nothing).
    #[test]
    fn the_tray_icons_decode_to_argb32() {
        let icons = Icons::load();
        for (name, icon) in [
            ("ok", &icons.ok),
            ("warning", &icons.warning),
            ("error", &icons.error),
        ] {
            let [icon] = icon.as_slice() else {
                panic!("the {name} icon did not decode");
            };
            assert_eq!((icon.width, icon.height), (64, 64), "{name}");
            assert_eq!(icon.data.len(), 64 * 64 * 4, "{name}");
            let first = &icon.data[..4];
            assert!(icon.data.chunks(4).any(|p| p != first), "{name} is blank");
        }
        assert_ne!(icons.ok[0].data, icons.error[0].data);
    }
}
