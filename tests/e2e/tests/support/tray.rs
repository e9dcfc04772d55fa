//! The desktop's side of the tray, played by the test on its private session bus: it owns
//! `org.kde.StatusNotifierWatcher` (where libayatana-appindicator registers the app's item), then
//! reads the item's menu over `com.canonical.dbusmenu` and clicks its entries, as a panel does.
//! Tooltips are not exported on Linux, which is why the app puts its status in a menu label.

use std::{
    collections::HashMap,
    sync::{Arc, Condvar, Mutex},
    time::{Duration, Instant},
};

use zbus::{
    blocking::{Connection, Proxy, connection},
    interface,
    message::Header,
    zvariant::{OwnedObjectPath, OwnedValue, Value},
};

const WATCHER_NAME: &str = "org.kde.StatusNotifierWatcher";

/// A registered StatusNotifierItem: the bus name of its process and its object path.
#[derive(Debug, Clone)]
pub struct Item {
    pub bus_name: String,
    pub path: String,
}

#[derive(Default)]
struct Registered {
    items: Mutex<Vec<Item>>,
    arrived: Condvar,
}

/// The watcher object: remembers who registered.
struct Watcher(Arc<Registered>);

#[interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    /// Per the spec the argument is a bus name or an object path; libayatana-appindicator sends
    /// its object path, and then the item lives on the caller's connection.
    fn register_status_notifier_item(&self, service: &str, #[zbus(header)] header: Header<'_>) {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        let item = if service.starts_with('/') {
            Item {
                bus_name: sender,
                path: service.to_string(),
            }
        } else {
            Item {
                bus_name: service.to_string(),
                path: "/StatusNotifierItem".to_string(),
            }
        };
        if let Ok(mut items) = self.0.items.lock() {
            items.push(item);
            self.0.arrived.notify_all();
        }
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.0
            .items
            .lock()
            .map(|items| {
                items
                    .iter()
                    .map(|i| format!("{}{}", i.bus_name, i.path))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A host is "registered" (the test itself), so items show themselves instead of falling
    /// back to an XEmbed icon.
    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// One entry of the tray menu as dbusmenu exports it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// dbusmenu's own numeric id (not the app's string id), used to click it.
    pub id: i32,
    pub label: String,
    pub enabled: bool,
    pub separator: bool,
}

/// The tray host of the session bus; dropping it releases the watcher name.
pub struct TrayHost {
    conn: Connection,
    registered: Arc<Registered>,
}

impl TrayHost {
    /// Takes the watcher's well-known name on the session bus; fails when another watcher (a real
    /// desktop) already has it, which would mean the test is not on its private bus.
    pub fn start() -> Result<Self, String> {
        let registered = Arc::new(Registered::default());
        let conn = connection::Builder::session()
            .and_then(|b| b.name(WATCHER_NAME))
            .and_then(|b| b.serve_at("/StatusNotifierWatcher", Watcher(registered.clone())))
            .and_then(|b| b.build())
            .map_err(|e| format!("cannot own {WATCHER_NAME} on the session bus: {e}"))?;
        Ok(Self { conn, registered })
    }

    /// Waits for the first item to register (the app does when it builds its tray icon).
    pub fn wait_for_item(&self, timeout: Duration) -> Result<Item, String> {
        let deadline = Instant::now() + timeout;
        let mut items = self.registered.items.lock().map_err(|e| e.to_string())?;
        loop {
            if let Some(item) = items.first() {
                return Ok(item.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "no tray item registered with {WATCHER_NAME} within {timeout:?}"
                ));
            }
            items = self
                .registered
                .arrived
                .wait_timeout(items, left)
                .map_err(|e| e.to_string())?
                .0;
        }
    }

    /// The process id behind an item's connection (to make sure the app is gone at the end).
    pub fn pid(&self, item: &Item) -> Result<u32, String> {
        let dbus = zbus::blocking::fdo::DBusProxy::new(&self.conn).map_err(|e| e.to_string())?;
        let name = zbus::names::BusName::try_from(item.bus_name.as_str()).map_err(|e| e.to_string())?;
        dbus.get_connection_unix_process_id(name)
            .map_err(|e| e.to_string())
    }

    /// Whether the item's connection is still on the bus.
    pub fn is_alive(&self, item: &Item) -> bool {
        let Ok(dbus) = zbus::blocking::fdo::DBusProxy::new(&self.conn) else {
            return false;
        };
        let Ok(name) = zbus::names::BusName::try_from(item.bus_name.as_str()) else {
            return false;
        };
        dbus.name_has_owner(name).unwrap_or(false)
    }

    fn menu_proxy(&self, item: &Item) -> Result<Proxy<'_>, String> {
        let sni = Proxy::new(
            &self.conn,
            item.bus_name.clone(),
            item.path.clone(),
            "org.kde.StatusNotifierItem",
        )
        .map_err(|e| e.to_string())?;
        let menu: OwnedObjectPath = sni
            .get_property("Menu")
            .map_err(|e| format!("the tray item has no Menu property: {e}"))?;
        Proxy::new(&self.conn, item.bus_name.clone(), menu, "com.canonical.dbusmenu")
            .map_err(|e| e.to_string())
    }

    /// The menu's top-level entries, read with `GetLayout` as a panel reads them.
    pub fn menu(&self, item: &Item) -> Result<Vec<Entry>, String> {
        let menu = self.menu_proxy(item)?;
        type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
        let (_revision, (_root, _props, children)): (u32, Node) = menu
            .call("GetLayout", &(0i32, 1i32, Vec::<String>::new()))
            .map_err(|e| format!("GetLayout failed: {e}"))?;
        children
            .into_iter()
            .map(|child| {
                let (id, props, _): Node = child
                    .try_into()
                    .map_err(|e| format!("a menu entry is not (ia{{sv}}av): {e}"))?;
                let text = |key: &str| {
                    props
                        .get(key)
                        .and_then(|v| <&str>::try_from(&**v).ok().map(str::to_string))
                };
                let flag = |key: &str| props.get(key).and_then(|v| bool::try_from(&**v).ok());
                Ok(Entry {
                    id,
                    // dbusmenu marks a mnemonic with '_'; a panel does not show it.
                    label: text("label").unwrap_or_default().replace('_', ""),
                    enabled: flag("enabled").unwrap_or(true),
                    separator: text("type").as_deref() == Some("separator"),
                })
            })
            .collect()
    }

    /// Clicks the entry labelled `label`, as a panel does when the user picks it.
    pub fn click(&self, item: &Item, label: &str) -> Result<(), String> {
        let entries = self.menu(item)?;
        let entry = entries
            .iter()
            .find(|e| e.label == label)
            .ok_or_else(|| format!("no tray entry '{label}' in {entries:?}"))?;
        let menu = self.menu_proxy(item)?;
        // Event(id, eventId, data, timestamp); "clicked" is what activates an item.
        menu.call_method("Event", &(entry.id, "clicked", Value::from(0i32), 0u32))
            .map_err(|e| format!("Event(clicked) on '{label}' failed: {e}"))?;
        Ok(())
    }

    /// The first entry of the menu: the app's one-line status.
    pub fn status_line(&self, item: &Item) -> Result<Entry, String> {
        self.menu(item)?
            .into_iter()
            .next()
            .ok_or_else(|| "the tray menu is empty".to_string())
    }

    /// Waits until the status line satisfies `wanted`, re-reading the menu; returns its entry.
    pub fn wait_for_status(
        &self,
        item: &Item,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<Entry, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let status = self.status_line(item)?;
            if wanted(&status.label) {
                return Ok(status);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the tray's status line never became {what} within {timeout:?}; it reads \"{}\"",
                    status.label
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
