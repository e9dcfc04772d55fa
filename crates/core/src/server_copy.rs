//! The server binary at a path that outlives the app's own. An AppImage runs from a mount point
//! that changes at every start (`/tmp/.mount_XXXX`), so a client entry pointing into it breaks
//! as soon as the app quits: there the bundled server is copied to a stable per-user place first
//! (`<data dir>/bin/`), and client entries run that copy.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use crate::{CoreError, Result, paths::DataDir};

/// The folder of the data dir that holds the stable copy.
pub const BIN_DIR: &str = "bin";

/// File name of the server binary on this platform.
pub fn server_file_name() -> String {
    format!("mcp-llm-generator{}", std::env::consts::EXE_SUFFIX)
}

/// Whether a program in `exe_dir` runs from inside an AppImage's temporary mount: the AppImage
/// runtime sets `APPIMAGE` (the image file) and `APPDIR` (where it is mounted). The environment
/// is passed in so the rule is unit-tested without an AppImage.
pub fn runs_from_appimage(exe_dir: &Path, env: impl Fn(&str) -> Option<PathBuf>) -> bool {
    env("APPIMAGE").is_some()
        && env("APPDIR").is_some_and(|mount| !mount.as_os_str().is_empty() && exe_dir.starts_with(mount))
}

/// The server binary client entries must run, for an app whose programs are in `exe_dir`: the
/// server bundled there, or, inside an AppImage, its stable copy (made now if needed). `None`
/// when no server ships beside the app. A failed copy falls back to the bundled path (entries
/// written now break when the AppImage quits; the next start repairs them) and is logged.
pub fn for_client_entries(exe_dir: &Path) -> Option<PathBuf> {
    let bundled = fs::canonicalize(exe_dir.join(server_file_name()))
        .ok()
        .filter(|p| p.is_file())?;
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if !runs_from_appimage(exe_dir, env) {
        return Some(bundled);
    }
    match DataDir::resolve(None).and_then(|data| ensure_stable_copy(&bundled, &data)) {
        Ok(stable) => Some(stable),
        Err(e) => {
            tracing::error!("could not copy the server out of the AppImage: {e}");
            Some(bundled)
        }
    }
}

/// Where the stable copy of the server lives in this data dir.
pub fn stable_path(data_dir: &DataDir) -> PathBuf {
    data_dir.root().join(BIN_DIR).join(server_file_name())
}

/// Copies `source` (the server inside the AppImage) to [`stable_path`] unless an identical copy
/// is already there, and returns the copy's canonical path. The copy is written to a temporary
/// file beside the destination and renamed over it, so a client starting the server meanwhile
/// runs either the old or the new program, never half of one; a server already running keeps
/// its own (unlinked) file.
pub fn ensure_stable_copy(source: &Path, data_dir: &DataDir) -> Result<PathBuf> {
    let dest = stable_path(data_dir);
    let fail = |path: &Path, source: std::io::Error| CoreError::WriteFile {
        path: path.to_path_buf(),
        source,
    };
    let bytes = fs::read(source).map_err(|e| fail(source, e))?;
    let current = fs::read(&dest).ok();
    if current.as_deref() != Some(bytes.as_slice()) || !is_executable(&dest) {
        let dir = dest.parent().unwrap_or(data_dir.root());
        fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".mcp-llm-generator.")
            .tempfile_in(dir)
            .map_err(|e| fail(dir, e))?;
        tmp.write_all(&bytes).map_err(|e| fail(tmp.path(), e))?;
        make_executable(tmp.as_file()).map_err(|e| fail(&dest, e))?;
        tmp.as_file().sync_all().map_err(|e| fail(&dest, e))?;
        tmp.persist(&dest).map_err(|e| fail(&dest, e.error))?;
        tracing::info!("copied the bundled server to {}", dest.display());
    }
    fs::canonicalize(&dest).map_err(|e| fail(&dest, e))
}

#[cfg(unix)]
fn make_executable(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_file: &fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<PathBuf> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| PathBuf::from(v))
        }
    }

    /// Proves: only a program inside the mounted AppImage counts as one; a .deb install or a
    /// build from source with a stray APPIMAGE variable does not.
    #[test]
    fn appimage_is_recognised_by_its_mount() {
        let vars = [
            ("APPIMAGE", "/home/u/Apps/llmgen.AppImage"),
            ("APPDIR", "/tmp/.mount_llmgenAb12"),
        ];
        assert!(runs_from_appimage(
            Path::new("/tmp/.mount_llmgenAb12/usr/bin"),
            env_of(&vars)
        ));
        assert!(!runs_from_appimage(Path::new("/usr/bin"), env_of(&vars)));
        assert!(!runs_from_appimage(
            Path::new("/tmp/.mount_llmgenAb12/usr/bin"),
            env_of(&[("APPDIR", "/tmp/.mount_llmgenAb12")])
        ));
        assert!(!runs_from_appimage(Path::new("/usr/bin"), env_of(&[])));
    }

    /// Proves: the copy is made executable in the data dir, an identical copy is left alone (same
    /// inode, so a running server is not disturbed), and a new version replaces it whole.
    #[cfg(unix)]
    #[test]
    fn stable_copy_is_made_once_and_replaced_on_update() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let tmp = tempfile::tempdir().expect("tempdir");
        let mount = tmp.path().join("mount");
        fs::create_dir_all(&mount).expect("mkdir");
        let bundled = mount.join(server_file_name());
        fs::write(&bundled, b"#!/bin/sh\necho v1\n").expect("write");
        let data = DataDir::at(tmp.path().join("data"));

        let copy = ensure_stable_copy(&bundled, &data).expect("copy");
        assert_eq!(copy, fs::canonicalize(stable_path(&data)).expect("exists"));
        assert_eq!(fs::read(&copy).expect("read"), b"#!/bin/sh\necho v1\n");
        assert_eq!(
            fs::metadata(&copy).expect("meta").permissions().mode() & 0o777,
            0o755
        );
        let inode = fs::metadata(&copy).expect("meta").ino();

        ensure_stable_copy(&bundled, &data).expect("again");
        assert_eq!(
            fs::metadata(&copy).expect("meta").ino(),
            inode,
            "an identical copy is kept"
        );

        fs::write(&bundled, b"#!/bin/sh\necho v2\n").expect("write");
        ensure_stable_copy(&bundled, &data).expect("update");
        assert_eq!(fs::read(&copy).expect("read"), b"#!/bin/sh\necho v2\n");
        let leftovers: Vec<_> = fs::read_dir(copy.parent().expect("dir"))
            .expect("list")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary files are left: {leftovers:?}");
    }

    /// Proves: outside an AppImage (no APPIMAGE in this test's environment) entries run the
    /// server bundled beside the app, by its canonical path; with none there, there is none.
    #[test]
    fn entries_run_the_bundled_server_outside_an_appimage() {
        let tmp = tempfile::tempdir().expect("tempdir");
        assert_eq!(for_client_entries(tmp.path()), None);
        fs::write(tmp.path().join(server_file_name()), b"x").expect("write");
        assert_eq!(
            for_client_entries(tmp.path()),
            Some(fs::canonicalize(tmp.path().join(server_file_name())).expect("exists"))
        );
    }

    /// Proves: a missing bundled binary is an error naming the file, and nothing is created.
    #[test]
    fn missing_source_is_a_clear_error() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let data = DataDir::at(tmp.path().join("data"));
        let err = ensure_stable_copy(&tmp.path().join("nope"), &data).expect_err("missing");
        assert!(err.to_string().contains("nope"), "{err}");
        assert!(!stable_path(&data).exists());
    }
}
