//! Helpers of the WebDriver suite: the drivers and the app they start, the user's side of the
//! webview, and the desktop's side of the tray and of the window.

// Each test binary that includes these helpers uses a part of them.
#![allow(dead_code)]

pub mod app;
pub mod driver;
pub mod tray;
pub mod ui;
pub mod x11;
