//! The window manager's side of the app's window, played over the X protocol: find the app's
//! top-level window by its title and ask it to close exactly as a window manager does when the
//! user clicks the close button (a `WM_DELETE_WINDOW` message), so no window manager is needed.

use x11rb::{
    connection::Connection,
    protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, MapState, Window},
    rust_connection::RustConnection,
};

/// A connection to the X display of `$DISPLAY`.
pub struct Display {
    conn: RustConnection,
    root: Window,
}

impl Display {
    pub fn open() -> Result<Self, String> {
        let (conn, screen) = x11rb::connect(None).map_err(|e| format!("cannot open the X display: {e}"))?;
        let root = conn.setup().roots[screen].root;
        Ok(Self { conn, root })
    }

    fn atom(&self, name: &str) -> Result<u32, String> {
        Ok(self
            .conn
            .intern_atom(false, name.as_bytes())
            .map_err(|e| e.to_string())?
            .reply()
            .map_err(|e| e.to_string())?
            .atom)
    }

    fn title(&self, window: Window) -> Option<String> {
        let utf8 = self.atom("UTF8_STRING").ok()?;
        let net_name = self.atom("_NET_WM_NAME").ok()?;
        for (property, kind) in [
            (net_name, utf8),
            (AtomEnum::WM_NAME.into(), AtomEnum::STRING.into()),
        ] {
            let reply = self
                .conn
                .get_property(false, window, property, kind, 0, 1024)
                .ok()?
                .reply()
                .ok()?;
            if !reply.value.is_empty() {
                return Some(String::from_utf8_lossy(&reply.value).into_owned());
            }
        }
        None
    }

    /// The mapped (visible) top-level windows titled `title`.
    pub fn visible_windows(&self, title: &str) -> Result<Vec<Window>, String> {
        let tree = self
            .conn
            .query_tree(self.root)
            .map_err(|e| e.to_string())?
            .reply()
            .map_err(|e| e.to_string())?;
        let mut found = Vec::new();
        for window in tree.children {
            let Ok(Ok(attributes)) = self.conn.get_window_attributes(window).map(|c| c.reply()) else {
                continue;
            };
            if attributes.map_state == MapState::VIEWABLE && self.title(window).as_deref() == Some(title) {
                found.push(window);
            }
        }
        Ok(found)
    }

    /// Sends `WM_DELETE_WINDOW`, what a window manager sends when the close button is clicked.
    pub fn close(&self, window: Window) -> Result<(), String> {
        let protocols = self.atom("WM_PROTOCOLS")?;
        let delete = self.atom("WM_DELETE_WINDOW")?;
        let event = ClientMessageEvent::new(32, window, protocols, [delete, x11rb::CURRENT_TIME, 0, 0, 0]);
        self.conn
            .send_event(false, window, EventMask::NO_EVENT, event)
            .map_err(|e| e.to_string())?;
        self.conn.flush().map_err(|e| e.to_string())
    }
}
