//! The one data-dir rule from which every path of the product derives.
//!
//! Order: an explicit `--data-dir`, then `LLMGEN_DATA_DIR`, then the platform's data folder
//! resolved from environment variables first (`XDG_DATA_HOME`, `HOME`, `APPDATA`) and only then
//! from `dirs` (which ignores the environment on Windows). Never the current directory.
//! Also the default folder of exports (Downloads, else home), resolved the same way.

use std::path::{Path, PathBuf};

use crate::{APP_ID, CoreError, Result};

/// Environment variable that overrides the data dir.
pub const DATA_DIR_ENV: &str = "LLMGEN_DATA_DIR";
/// File name of the SQLite store inside the data dir.
pub const DB_FILE: &str = "llmgen.db";

/// Which platform's rules to apply; a parameter so that every platform's rule is unit-tested here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Linux,
    MacOs,
    Windows,
}

impl Platform {
    pub const fn current() -> Self {
        if cfg!(target_os = "macos") {
            Self::MacOs
        } else if cfg!(target_os = "windows") {
            Self::Windows
        } else {
            Self::Linux
        }
    }
}

/// The folders of one data dir.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Resolves the data dir from an explicit override and the process environment.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self> {
        let env = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let root = resolve_with(explicit, Platform::current(), env).ok_or(CoreError::NoDataDir)?;
        Ok(Self { root })
    }

    /// A data dir at exactly this folder (tests, `--data-dir`).
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn db_path(&self) -> PathBuf {
        self.root.join(DB_FILE)
    }

    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    pub fn backups_dir(&self) -> PathBuf {
        self.root.join("backups")
    }

    /// Creates the root folder when missing (private to the user: 0700 on Unix) and takes
    /// away what an older version left readable to others ([`DataDir::tighten`]).
    pub fn ensure(&self) -> Result<()> {
        create_private_dir(&self.root).map_err(|source| CoreError::DataDir {
            path: self.root.clone(),
            source,
        })?;
        self.tighten();
        Ok(())
    }

    /// Takes group and other permissions away from our own files in the data dir (Unix): they
    /// hold conversations, and an older version (or SQLite under the usual umask) left them
    /// readable to every user of the machine. Only what is ours: the root when it carries our
    /// name (the default data dir; a folder the user chose, maybe one they share, stays as it
    /// is), the database with its `-wal`, `-shm` and `-journal`, and the `logs/` and `backups/`
    /// folders with everything in them. Never creates anything, never follows a symlink; a file
    /// that cannot be changed is left as it is (that must not stop a start).
    pub fn tighten(&self) {
        if self.root.file_name() == Some(std::ffi::OsStr::new(APP_ID)) {
            make_private(&self.root);
        }
        let db = self.db_path();
        make_private(&db);
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            make_private(Path::new(&name));
        }
        make_private_tree(&self.logs_dir());
        make_private_tree(&self.backups_dir());
    }
}

/// Permission bits no one but the user may have on our files and folders (Unix).
#[cfg(unix)]
const NOT_OURS_TO_SHARE: u32 = 0o077;

/// Creates the folder `path` private to the user (0700 on Unix) when missing; its missing
/// parents are created with the usual permissions, and an existing folder is left as it is.
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    #[cfg(unix)]
    let builder = {
        let mut builder = std::fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
    };
    #[cfg(not(unix))]
    let builder = std::fs::DirBuilder::new();
    match builder.create(path) {
        // Another process made it in between.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        other => other,
    }
}

/// Creates an empty file only the user can read and write (0600 on Unix) unless `path`
/// exists. Used for a database file before SQLite opens it: SQLite gives the `-wal`, `-shm`
/// and `-journal` files it creates the database file's permissions, so they are private too.
pub fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes group and other permissions from an existing file or folder (Unix; a no-op
/// elsewhere, where the user's profile folder is private already). A symlink and a missing
/// path are left alone; errors are ignored (best effort, see [`DataDir::tighten`]).
pub fn make_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        let mode = meta.permissions().mode();
        if meta.file_type().is_symlink() || mode & NOT_OURS_TO_SHARE == 0 {
            return;
        }
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !NOT_OURS_TO_SHARE));
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// [`make_private`] on a folder and everything in it (symlinks neither changed nor followed).
fn make_private_tree(dir: &Path) {
    make_private(dir);
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => make_private_tree(&path),
            Ok(_) => make_private(&path),
            Err(_) => {}
        }
    }
}

/// The pure rule behind [`DataDir::resolve`], with the environment passed in.
pub fn resolve_with(
    explicit: Option<&Path>,
    platform: Platform,
    env: impl Fn(&str) -> Option<PathBuf>,
) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(absolute(dir));
    }
    if let Some(dir) = env(DATA_DIR_ENV) {
        return Some(absolute(&dir));
    }
    let base = match platform {
        Platform::Linux => env("XDG_DATA_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| env("HOME").map(|home| home.join(".local/share"))),
        Platform::MacOs => env("HOME").map(|home| home.join("Library/Application Support")),
        Platform::Windows => env("APPDATA"),
    }
    .or_else(dirs::data_dir)?;
    Some(base.join(APP_ID))
}

/// The folder where files a person asks for (a conversation export) go unless they pick another:
/// their Downloads folder when it exists, else their home folder. `None` when no home is known.
pub fn export_dir() -> Option<PathBuf> {
    export_dir_with(Platform::current(), |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
}

/// The rule behind [`export_dir`], with the environment passed in: the home from `HOME`
/// (`USERPROFILE` on Windows) first, then `dirs`.
pub fn export_dir_with(platform: Platform, env: impl Fn(&str) -> Option<PathBuf>) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|p| p.is_absolute());
    let home = match platform {
        Platform::Windows => var("USERPROFILE").or_else(|| var("HOME")),
        _ => var("HOME"),
    }
    .or_else(dirs::home_dir)?;
    // The platform's own Downloads folder (a localised name on Linux, from user-dirs.dirs) when
    // it belongs to this home; otherwise the usual name.
    let downloads = dirs::download_dir()
        .filter(|d| d.starts_with(&home))
        .unwrap_or_else(|| home.join("Downloads"));
    Some(if downloads.is_dir() { downloads } else { home })
}

/// Makes a user-given path absolute against the current directory once, at start-up, so that
/// nothing later depends on where the process happens to run.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A fixed environment for the resolvers' unit tests (here and in the client registry).
#[cfg(test)]
pub(crate) fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<PathBuf> + use<> {
    let map: std::collections::HashMap<String, PathBuf> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), PathBuf::from(v)))
        .collect();
    move |name| map.get(name).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_dir_wins_over_everything() {
        let env = env_of(&[(DATA_DIR_ENV, "/from/env"), ("HOME", "/home/u")]);
        let got = resolve_with(Some(Path::new("/explicit")), Platform::Linux, env);
        assert_eq!(got, Some(PathBuf::from("/explicit")));
    }

    #[test]
    fn env_override_wins_over_platform_rule() {
        let env = env_of(&[(DATA_DIR_ENV, "/from/env"), ("HOME", "/home/u")]);
        assert_eq!(
            resolve_with(None, Platform::Linux, env),
            Some(PathBuf::from("/from/env"))
        );
    }

    #[test]
    fn linux_uses_xdg_data_home_then_home() {
        let env = env_of(&[("XDG_DATA_HOME", "/xdg"), ("HOME", "/home/u")]);
        assert_eq!(
            resolve_with(None, Platform::Linux, env),
            Some(PathBuf::from("/xdg/dev.llmgen.desktop"))
        );
        let env = env_of(&[("HOME", "/home/u")]);
        assert_eq!(
            resolve_with(None, Platform::Linux, env),
            Some(PathBuf::from("/home/u/.local/share/dev.llmgen.desktop"))
        );
    }

    #[test]
    fn linux_ignores_a_relative_xdg_data_home_as_the_spec_says() {
        let env = env_of(&[("XDG_DATA_HOME", "relative"), ("HOME", "/home/u")]);
        assert_eq!(
            resolve_with(None, Platform::Linux, env),
            Some(PathBuf::from("/home/u/.local/share/dev.llmgen.desktop"))
        );
    }

    #[test]
    fn macos_and_windows_rules() {
        let env = env_of(&[("HOME", "/Users/u")]);
        assert_eq!(
            resolve_with(None, Platform::MacOs, env),
            Some(PathBuf::from(
                "/Users/u/Library/Application Support/dev.llmgen.desktop"
            ))
        );
        let env = env_of(&[("APPDATA", "/c/Users/u/AppData/Roaming")]);
        assert_eq!(
            resolve_with(None, Platform::Windows, env),
            Some(PathBuf::from("/c/Users/u/AppData/Roaming/dev.llmgen.desktop"))
        );
    }

    /// Proves: exports go to the home's Downloads folder when there is one, else to the home;
    /// a relative HOME is ignored.
    #[test]
    fn exports_go_to_downloads_or_home() {
        let home = tempfile::tempdir().expect("home");
        let h = home.path().to_str().expect("utf-8 temp path");
        let env = env_of(&[("HOME", h)]);
        assert_eq!(
            export_dir_with(Platform::Linux, &env),
            Some(home.path().to_path_buf())
        );
        std::fs::create_dir(home.path().join("Downloads")).expect("mkdir");
        assert_eq!(
            export_dir_with(Platform::Linux, &env),
            Some(home.path().join("Downloads"))
        );
        let windows = env_of(&[("USERPROFILE", h), ("HOME", "relative")]);
        assert_eq!(
            export_dir_with(Platform::Windows, windows),
            Some(home.path().join("Downloads"))
        );
    }
}
