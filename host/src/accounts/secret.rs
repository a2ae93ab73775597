//! The key that signs session tokens and presigned URLs: the operator's
//! (`--auth-secret`, the same on every host of a cluster), or one generated
//! on first start and kept in `<data-dir>/auth-secret` (mode 0600), so
//! tokens survive restarts of a single host.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

const FILE: &str = "auth-secret";

pub fn load_or_create(given: Option<&str>, data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = given.map(str::trim).filter(|s| !s.is_empty()) {
        anyhow::ensure!(
            secret.len() >= 32,
            "--auth-secret must be at least 32 characters (generate one with `openssl rand -hex 32`)"
        );
        return Ok(secret.as_bytes().to_vec());
    }
    let path = data_dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()))?;
            anyhow::ensure!(
                bytes.len() >= 32,
                "{} holds fewer than 32 bytes; delete it to make a new one",
                path.display()
            );
            Ok(bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
            let secret = capsule_accounts::tokens::generate_secret().to_vec();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(mut file) => {
                    file.write_all(hex::encode(&secret).as_bytes())
                        .with_context(|| format!("writing {}", path.display()))?;
                    Ok(secret)
                }
                // Another process made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create(None, data_dir),
                Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
            }
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_kept_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(None, dir.path()).unwrap();
        assert_eq!(first.len(), 32);
        assert_eq!(load_or_create(None, dir.path()).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_short_operator_secret_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_or_create(Some("short"), dir.path()).unwrap_err().to_string().contains("32"));
        assert_eq!(load_or_create(Some(&"x".repeat(40)), dir.path()).unwrap(), vec![b'x'; 40]);
    }
}
