//! Updates of the desktop app: asking the configured endpoint for a newer signed release
//! (tauri-plugin-updater), keeping what was found, downloading it with its signature verified
//! against the public key the app carries, and installing it only when the user asks. Checks run
//! on demand, and for the tray's schedule (at start and daily, llmgen_tray::updates) in a
//! `--check-updates` process; every change of state is sent to
//! the UI as the [`STATE_EVENT`] event, and each failure is a sentence that says what to do.

use std::{sync::Mutex, time::Duration};

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_updater::{Update, UpdaterExt};

/// The event the UI listens to; its payload is an [`UpdateState`].
pub const STATE_EVENT: &str = "update-state";

/// The public key committed in tauri.conf.json. The plugin will not start without a `pubkey`,
/// but the real key is made at release time and never committed: `cargo xtask bundle` puts it in
/// the build's configuration. A build that still carries this text cannot verify an update, so
/// it does not look for one.
pub const PLACEHOLDER_PUBKEY: &str =
    "NOT-A-KEY: cargo xtask bundle replaces this with the release public key (LLMGEN_UPDATER_PUBKEY)";

/// How long a check may wait for the update server.
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a download may go without receiving a byte before it is given up. A slow download
/// that keeps moving is never cut off (no overall limit); a dead one does not hang "Installing"
/// for ever.
const STALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long connecting to the update server may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// A newer release the update server offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    pub version: String,
    /// The release notes, as published with the release.
    pub notes: Option<String>,
    /// The publication date, RFC 3339.
    pub date: Option<String>,
}

/// What the updater is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Busy {
    Checking,
    Installing,
}

/// Everything the Updates card shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateState {
    pub current_version: String,
    /// Whether this build can check for and verify updates: it carries a release key.
    pub can_check: bool,
    /// Automatic checks at start and once a day (the `update-check` setting).
    pub auto_check: bool,
    pub busy: Option<Busy>,
    /// The newer release found by the last successful check.
    pub offer: Option<Offer>,
    /// When a check last reached the update server, RFC 3339.
    pub last_checked: Option<String>,
    /// Why the last check or installation failed, and what to do.
    pub error: Option<String>,
}

/// Failures of a check, a download or an installation, each worded for the person who clicked.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(
        "This copy of MCP LLM Generator was built without an update key, so it cannot check for or verify updates. Install a released package to get updates, or update it the way you built it."
    )]
    NotConfigured,
    #[error("An update is being installed already; wait for it to finish.")]
    Busy,
    #[error("No update is waiting to be installed: check for updates first.")]
    NothingOffered,
    #[error(
        "Could not reach the update server ({0}). Check your internet connection (and proxy settings), then try again."
    )]
    Unreachable(String),
    #[error(
        "The update server's answer could not be read ({0}). Try again later; if it keeps happening, download the latest version from the project page."
    )]
    BadAnswer(String),
    #[error(
        "The update server offers no package for this system ({0}). Download the latest version from the project page."
    )]
    NoPackage(String),
    #[error(
        "The downloaded update failed its signature check, so it was not installed ({0}). It may have been damaged or tampered with on the way: try again later, and if it keeps happening, download the latest version from the project page."
    )]
    BadSignature(String),
    #[error(
        "This copy of MCP LLM Generator was not installed from a .deb or .rpm package, so it cannot replace itself. Install the new version with your package manager or from the project page."
    )]
    NotFromPackage,
    #[error(
        "The administrator password was not given, so the update was not installed. Choose Install again and enter it, or install the new version with your package manager."
    )]
    NotAuthorised,
    #[error(
        "The update was downloaded and verified, but installing it failed ({0}). Install the new version with your package manager or from the project page; your data stays as it is."
    )]
    Install(String),
}

impl UpdateError {
    /// Sorts the plugin's errors of a check or a download by what the user can do about them.
    fn from_plugin(e: tauri_plugin_updater::Error) -> Self {
        use tauri_plugin_updater::Error as E;
        let text = e.to_string();
        match e {
            E::Reqwest(_) | E::Network(_) | E::Io(_) => Self::Unreachable(text),
            E::ReleaseNotFound | E::Serialization(_) | E::Semver(_) | E::UrlParse(_) => Self::BadAnswer(text),
            E::TargetNotFound(_) | E::TargetsNotFound(_) | E::UnsupportedArch | E::UnsupportedOs => {
                Self::NoPackage(text)
            }
            E::Minisign(_)
            | E::Base64(_)
            | E::SignatureUtf8(_)
            | E::SignedVersionMismatch { .. }
            | E::MissingSignedVersion => Self::BadSignature(text),
            E::EmptyEndpoints | E::InsecureTransportProtocol => Self::NotConfigured,
            _ => Self::Unreachable(text),
        }
    }

    /// The plugin's errors of installing verified bytes: the package manager's, not the network's.
    fn from_install(e: tauri_plugin_updater::Error) -> Self {
        use tauri_plugin_updater::Error as E;
        match e {
            E::AuthenticationFailed => Self::NotAuthorised,
            E::Minisign(_) | E::SignedVersionMismatch { .. } | E::MissingSignedVersion => {
                Self::BadSignature(e.to_string())
            }
            _ => Self::Install(e.to_string()),
        }
    }
}

/// Whether this process can replace itself: on Linux only an app installed from a package (or
/// an AppImage) can; one built from source or copied cannot.
fn installed_from_package() -> bool {
    !cfg!(target_os = "linux") || tauri::utils::platform::bundle_type().is_some()
}

/// A download whose signature matched the app's public key; only such bytes are installed.
pub struct Verified {
    pub version: String,
    pub bytes: Vec<u8>,
}

/// The updater's state, managed by the app.
pub struct Updates {
    inner: Mutex<Inner>,
    /// [`STALL_TIMEOUT`], shorter in tests.
    stall_timeout: Duration,
}

struct Inner {
    state: UpdateState,
    /// The release behind `state.offer`, as the plugin described it (URL, signature).
    pending: Option<Update>,
}

impl Updates {
    pub fn new(current_version: String, can_check: bool, auto_check: bool) -> Self {
        Self {
            inner: Mutex::new(Inner {
                state: UpdateState {
                    current_version,
                    can_check,
                    auto_check,
                    busy: None,
                    offer: None,
                    last_checked: None,
                    error: None,
                },
                pending: None,
            }),
            stall_timeout: STALL_TIMEOUT,
        }
    }

    /// The same, giving up a download after `stall` without data (tests).
    #[cfg(test)]
    pub fn with_stall_timeout(mut self, stall: Duration) -> Self {
        self.stall_timeout = stall;
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves plain data behind; keep using it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    /// Ends a check's busy state, but not an installation the user started meanwhile.
    fn finish_check(&mut self) {
        if self.state.busy == Some(Busy::Checking) {
            self.state.busy = None;
        }
    }
}

/// The current state (what the Updates card shows when it opens).
pub fn state<R: Runtime>(app: &AppHandle<R>) -> UpdateState {
    app.state::<Updates>().lock().state.clone()
}

/// Changes the state and tells the UI (and the tray, which listens too).
fn change<R: Runtime>(app: &AppHandle<R>, edit: impl FnOnce(&mut Inner)) -> UpdateState {
    let state = {
        let updates = app.state::<Updates>();
        let mut inner = updates.lock();
        edit(&mut inner);
        inner.state.clone()
    };
    if let Err(e) = app.emit(STATE_EVENT, &state) {
        tracing::warn!("could not send the update state to the window: {e}");
    }
    state
}

/// Records whether automatic checks are on (the setting itself is stored by the caller).
pub fn set_auto_check<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> UpdateState {
    change(app, |i| i.state.auto_check = enabled)
}

/// Whether this build carries a real public key (see [`PLACEHOLDER_PUBKEY`]).
pub fn is_configured<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.config()
        .plugins
        .0
        .get("updater")
        .and_then(|u| u.get("pubkey"))
        .and_then(|k| k.as_str())
        .is_some_and(|k| !k.trim().is_empty() && k != PLACEHOLDER_PUBKEY)
}

/// Asks the update server whether a newer release exists. The answer (or the failure) becomes
/// the state the UI shows; an offered release is kept for [`download`] and [`install`].
pub async fn check<R: Runtime>(app: &AppHandle<R>) -> Result<Option<Offer>, UpdateError> {
    if !is_configured(app) {
        let e = UpdateError::NotConfigured;
        change(app, |i| i.state.error = Some(e.to_string()));
        return Err(e);
    }
    {
        let updates = app.state::<Updates>();
        if updates.lock().state.busy == Some(Busy::Installing) {
            return Err(UpdateError::Busy);
        }
    }
    change(app, |i| i.state.busy = Some(Busy::Checking));
    let stall = app.state::<Updates>().stall_timeout;
    let result = async {
        // The plugin applies `timeout` to the check only; the client settings below also go
        // with the offered update to its download.
        let updater = app
            .updater_builder()
            .timeout(CHECK_TIMEOUT)
            .configure_client(move |client| client.connect_timeout(CONNECT_TIMEOUT).read_timeout(stall))
            .build()
            .map_err(UpdateError::from_plugin)?;
        updater.check().await.map_err(UpdateError::from_plugin)
    }
    .await;
    match result {
        Ok(found) => {
            let offer = found.as_ref().map(offer_of);
            change(app, |i| {
                i.finish_check();
                i.state.error = None;
                i.state.offer = offer.clone();
                i.state.last_checked = Some(rfc3339(time::OffsetDateTime::now_utc()));
                i.pending = found;
            });
            match &offer {
                Some(o) => tracing::info!(
                    "update available: {} -> {}",
                    state(app).current_version,
                    o.version
                ),
                None => tracing::info!("no update available"),
            }
            Ok(offer)
        }
        Err(e) => {
            tracing::warn!("update check failed: {e}");
            // An offer found earlier stays valid; the error says why this check did not finish.
            change(app, |i| {
                i.finish_check();
                i.state.error = Some(e.to_string());
            });
            Err(e)
        }
    }
}

fn offer_of(update: &Update) -> Offer {
    Offer {
        version: update.version.clone(),
        notes: update.body.clone().filter(|n| !n.trim().is_empty()),
        date: update.date.map(rfc3339),
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Downloads the offered release and verifies its signature against the app's public key (and
/// that it was signed for the version the server announced). Nothing is installed.
pub async fn download<R: Runtime>(app: &AppHandle<R>) -> Result<Verified, UpdateError> {
    let update = app
        .state::<Updates>()
        .lock()
        .pending
        .clone()
        .ok_or(UpdateError::NothingOffered)?;
    let bytes = update
        .download(|_, _| {}, || {})
        .await
        .map_err(UpdateError::from_plugin)?;
    tracing::info!(
        "update {} downloaded ({} bytes), signature verified",
        update.version,
        bytes.len()
    );
    Ok(Verified {
        version: update.version,
        bytes,
    })
}

/// Downloads, verifies and installs the offered release, then restarts into it. Only called on
/// the user's confirmation. Installing a system package asks for the administrator password
/// (pkexec); a refusal or any failure leaves the installed app as it was.
pub async fn install<R: Runtime>(app: &AppHandle<R>) -> Result<(), UpdateError> {
    let update = {
        let updates = app.state::<Updates>();
        let inner = updates.lock();
        if inner.state.busy == Some(Busy::Installing) {
            return Err(UpdateError::Busy);
        }
        inner.pending.clone().ok_or(UpdateError::NothingOffered)?
    };
    if !installed_from_package() {
        let e = UpdateError::NotFromPackage;
        change(app, |i| i.state.error = Some(e.to_string()));
        return Err(e);
    }
    change(app, |i| {
        i.state.busy = Some(Busy::Installing);
        i.state.error = None;
    });
    let result = async {
        let verified = download(app).await?;
        tracing::info!("installing update {}", verified.version);
        // The package manager runs as a child process that waits for a password: off the
        // async workers.
        tauri::async_runtime::spawn_blocking(move || update.install(&verified.bytes))
            .await
            .map_err(|e| UpdateError::Install(e.to_string()))?
            .map_err(UpdateError::from_install)
    }
    .await;
    match result {
        Ok(()) => {
            tracing::info!("update installed; restarting");
            crate::link::restart_app(app);
            Ok(())
        }
        Err(e) => {
            tracing::warn!("update not installed: {e}");
            change(app, |i| {
                i.state.busy = None;
                i.state.error = Some(e.to_string());
            });
            Err(e)
        }
    }
}

#[cfg(test)]
#[path = "updater_tests.rs"]
mod tests;
