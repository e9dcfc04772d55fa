//! Safe writes of a client file: lock, backup, temp file and rename, permissions kept, symlinks
//! followed, then the caller verifies what was written.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::ClientsError;

/// How many backups of one file are kept.
pub const BACKUPS_KEPT: usize = 10;

/// The file to edit: a symlink's final target, so that the link itself stays a link (dotfile
/// managers keep client files in a repository and link them into place).
pub fn edit_target(path: &Path) -> Result<PathBuf, ClientsError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(|source| ClientsError::io("follow the link", path, source))
        }
        _ => Ok(path.to_path_buf()),
    }
}

/// A stable short name for a file, so that lock and backup names are the same in every process
/// and every build (std's hasher is not guaranteed stable across releases). FNV-1a, 64 bits.
pub fn path_key(path: &Path) -> String {
    let canonical = path
        .parent()
        .and_then(|dir| fs::canonicalize(dir).ok())
        .and_then(|dir| path.file_name().map(|name| dir.join(name)))
        .unwrap_or_else(|| path.to_path_buf());
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in canonical.to_string_lossy().as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{name}-{hash:016x}")
}

/// An exclusive lock on one client file, held until dropped.
pub struct Lock {
    file: File,
}

impl Lock {
    pub fn acquire(dir: &Path, key: &str) -> Result<Self, ClientsError> {
        fs::create_dir_all(dir)
            .map_err(|source| ClientsError::io("create the backup folder", dir, source))?;
        let path = dir.join(format!("{key}.lock"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| ClientsError::io("create the lock file", &path, source))?;
        // fs4's trait method, named in full: std's own File::lock is newer than our minimum Rust.
        fs4::FileExt::lock(&file).map_err(|source| ClientsError::io("lock", &path, source))?;
        Ok(Self { file })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Closing the file releases the lock as well; unlocking first just makes it prompt.
        let _ = fs4::FileExt::unlock(&self.file);
    }
}

/// Copies the current file into `dir` under a timestamped name and keeps the newest
/// [`BACKUPS_KEPT`]. Names sort in time order (fixed-width UTC timestamp).
pub fn backup(target: &Path, dir: &Path, key: &str) -> Result<PathBuf, ClientsError> {
    let stamp = crate::timefmt::now_string().replace([':', '-'], "");
    let mut path = dir.join(format!("{key}.{stamp}.bak"));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{key}.{stamp}-{n}.bak"));
        n += 1;
    }
    fs::copy(target, &path).map_err(|source| ClientsError::io("back up", target, source))?;
    prune(dir, key)?;
    Ok(path)
}

/// The backups of one file, oldest first.
pub fn backups(dir: &Path, key: &str) -> Vec<PathBuf> {
    let prefix = format!("{key}.");
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".bak"))
        })
        .collect();
    found.sort();
    found
}

fn prune(dir: &Path, key: &str) -> Result<(), ClientsError> {
    let all = backups(dir, key);
    let excess = all.len().saturating_sub(BACKUPS_KEPT);
    for old in &all[..excess] {
        fs::remove_file(old).map_err(|source| ClientsError::io("remove an old backup", old, source))?;
    }
    Ok(())
}

/// The Unix permissions a client gives the files and folders it creates itself, so that one we
/// create for it looks the same (Claude Code and Codex keep their files private, 0600, because
/// they later write tokens into them). `None` means the usual: 0666 or 0777 minus the umask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CreateModes {
    pub file: Option<u32>,
    pub folder: Option<u32>,
}

/// Writes `text` to a temp file beside `target` and renames it over the target, so that a
/// crash leaves either the old or the new file, never half of one. Keeps the old permissions;
/// a new file, and folders created on the way, get `modes`.
pub fn replace(target: &Path, text: &str, modes: CreateModes) -> Result<(), ClientsError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    create_folder(dir, modes.folder).map_err(|source| ClientsError::io("create the folder", dir, source))?;
    let old_permissions = fs::metadata(target).ok().map(|m| m.permissions());
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.llmgen-{}.tmp", std::process::id()));
    let result = (|| {
        // Name the user's folder in errors, not our temp file: that is the thing they can fix.
        // A private file is private from its first byte, not after a chmod; a temp file left by a
        // crashed run (same pid) would keep its old mode, so it goes first.
        let _ = fs::remove_file(&temp);
        let mut file = create_new_file(&temp, modes.file)
            .map_err(|source| ClientsError::io("create a temporary file in the folder of", target, source))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|source| ClientsError::io("write", &temp, source))?;
        if let Some(permissions) = old_permissions {
            fs::set_permissions(&temp, permissions)
                .map_err(|source| ClientsError::io("set permissions of", &temp, source))?;
        }
        fs::rename(&temp, target).map_err(|source| ClientsError::io("replace", target, source))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Creates `dir` and its missing parents; the ones created get `mode` (existing ones keep theirs).
fn create_folder(dir: &Path, mode: Option<u32>) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    if let Some(mode) = mode {
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder.create(dir)
}

/// Creates (or truncates) `path` with `mode` when given (masked by the umask, like any creation).
fn create_new_file(path: &Path, mode: Option<u32>) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if let Some(mode) = mode {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_excludes_a_second_locker_until_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = Lock::acquire(dir.path(), "mcp.json-0").expect("first lock");
        let other = OpenOptions::new()
            .write(true)
            .open(dir.path().join("mcp.json-0.lock"))
            .expect("open the lock file again");
        assert!(
            fs4::FileExt::try_lock(&other).is_err(),
            "a second handle must not get the lock"
        );
        drop(lock);
        assert!(
            fs4::FileExt::try_lock(&other).is_ok(),
            "dropping the lock releases it"
        );
    }

    #[test]
    fn path_keys_are_stable_and_differ_per_file() {
        let a = path_key(Path::new("/nonexistent/a/mcp.json"));
        assert_eq!(a, path_key(Path::new("/nonexistent/a/mcp.json")));
        assert_ne!(a, path_key(Path::new("/nonexistent/b/mcp.json")));
        assert!(a.starts_with("mcp.json-"), "{a}");
    }

    #[test]
    fn replace_leaves_no_temp_file_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("mcp.json");
        fs::write(&target, "old").expect("write");
        replace(&target, "new", CreateModes::default()).expect("replace");
        assert_eq!(fs::read_to_string(&target).expect("read"), "new");
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from("mcp.json")]);
    }
}
