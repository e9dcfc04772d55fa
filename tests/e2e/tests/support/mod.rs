//! Helpers of the WebDriver suite: the drivers and the app they start, the user's side of the
//! webview, and the desktop's side of the tray.

pub mod driver;
pub mod tray;
pub mod ui;
