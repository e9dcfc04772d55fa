//! Encryption of backups with age to a passphrase (the scrypt recipient, which the `age` and
//! `rage` command-line tools open too: `age -d backup.db.age > llmgen.db`).

use std::{
    fs::File,
    io::{self, BufReader, BufWriter, Read},
    path::Path,
};

use age::secrecy::SecretString;

use super::BackupError;
use crate::{progress::Progress, secrets::Secret};

/// Counts the bytes read through it, for progress.
struct Counting<'a, R> {
    inner: R,
    done: u64,
    progress: &'a dyn Progress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        self.progress.advance(self.done);
        Ok(n)
    }
}

/// Encrypts `src` into `dst` (created) with `passphrase`.
pub fn encrypt_file(
    src: &Path,
    dst: &Path,
    passphrase: &Secret,
    progress: &dyn Progress,
) -> Result<(), BackupError> {
    let input = File::open(src).map_err(|e| BackupError::io("open", src, e))?;
    let total = input.metadata().map(|m| m.len()).ok();
    let output = super::create_private(dst).map_err(|e| BackupError::io("create", dst, e))?;
    progress.stage("Encrypting", total);
    let encryptor = age::Encryptor::with_user_passphrase(SecretString::from(passphrase.expose().to_owned()));
    let mut writer = encryptor
        .wrap_output(BufWriter::new(output))
        .map_err(|e| BackupError::Encrypt(e.to_string()))?;
    let mut reader = Counting {
        inner: BufReader::new(input),
        done: 0,
        progress,
    };
    io::copy(&mut reader, &mut writer).map_err(|e| BackupError::io("encrypt into", dst, e))?;
    let buffered = writer
        .finish()
        .map_err(|e| BackupError::io("finish encrypting", dst, e))?;
    let file = buffered
        .into_inner()
        .map_err(|e| BackupError::io("write", dst, e.into_error()))?;
    file.sync_all().map_err(|e| BackupError::io("write", dst, e))?;
    progress.finish();
    Ok(())
}

/// Decrypts `src` (the backup the user named, used in messages) into `dst` (created).
pub fn decrypt_file(
    src: &Path,
    dst: &Path,
    passphrase: &Secret,
    progress: &dyn Progress,
) -> Result<(), BackupError> {
    let input = File::open(src).map_err(|e| BackupError::io("open", src, e))?;
    let total = input.metadata().map(|m| m.len()).ok();
    progress.stage("Decrypting", total);
    let damaged = |detail: String| BackupError::Decrypt {
        path: src.to_path_buf(),
        detail,
    };
    let decryptor = age::Decryptor::new_buffered(BufReader::new(Counting {
        inner: input,
        done: 0,
        progress,
    }))
    .map_err(|e| damaged(e.to_string()))?;
    if !decryptor.is_scrypt() {
        return Err(damaged("it is not encrypted to a passphrase".into()));
    }
    let identity = age::scrypt::Identity::new(SecretString::from(passphrase.expose().to_owned()));
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed
            | age::DecryptError::KeyDecryptionFailed
            | age::DecryptError::NoMatchingKeys => BackupError::WrongPassphrase(src.to_path_buf()),
            other => damaged(other.to_string()),
        })?;
    let mut output =
        BufWriter::new(super::create_private(dst).map_err(|e| BackupError::io("create", dst, e))?);
    // A damaged or truncated payload fails here: age authenticates every 64 KiB chunk and the end.
    io::copy(&mut reader, &mut output).map_err(|e| damaged(e.to_string()))?;
    let file = output
        .into_inner()
        .map_err(|e| BackupError::io("write", dst, e.into_error()))?;
    file.sync_all().map_err(|e| BackupError::io("write", dst, e))?;
    progress.finish();
    Ok(())
}
