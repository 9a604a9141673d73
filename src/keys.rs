//! Secrets kept in files outside the database, created on first start with mode 0600 whatever
//! the umask (`crate::private_files`): the JWT secret, and the Ed25519 checkpoint signing key in
//! C2SP signed-note form, so that someone who can write the database cannot mint tokens or
//! forge checkpoints.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::SigningKey;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::private_files;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write key file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("key file {path} is malformed: {reason}")]
    Malformed { path: PathBuf, reason: String },
}

/// signed-note algorithm byte for Ed25519.
const ED25519_ALG: u8 = 0x01;

/// Reads the JWT secret, creating a random 256-bit one if the file does not exist.
pub fn load_or_create_jwt_secret(path: &Path) -> Result<Vec<u8>, KeyError> {
    if !path.exists() {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        write_line(path, &BASE64.encode(secret), private_files::create_new)?;
    }
    let text = read(path)?;
    let secret = BASE64
        .decode(text.trim())
        .map_err(|e| malformed(path, e.to_string()))?;
    if secret.len() < 32 {
        return Err(malformed(
            path,
            "the secret must be at least 32 bytes".into(),
        ));
    }
    Ok(secret)
}

/// The checkpoint signer: its key name and Ed25519 key.
pub struct NoteSigner {
    pub name: String,
    pub key: SigningKey,
}

impl NoteSigner {
    /// C2SP signed-note key ID: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
    pub fn key_id(&self) -> [u8; 4] {
        let mut hasher = Sha256::new();
        hasher.update(self.name.as_bytes());
        hasher.update([b'\n', ED25519_ALG]);
        hasher.update(self.key.verifying_key().as_bytes());
        let digest = hasher.finalize();
        [digest[0], digest[1], digest[2], digest[3]]
    }

    /// The verifier key in signed-note `vkey` text form, to publish.
    pub fn vkey(&self) -> String {
        let mut body = vec![ED25519_ALG];
        body.extend_from_slice(self.key.verifying_key().as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.key_id()),
            BASE64.encode(body)
        )
    }

    fn private_key_text(&self) -> String {
        let mut body = vec![ED25519_ALG];
        body.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex::encode(self.key_id()),
            BASE64.encode(body)
        )
    }
}

/// Reads the checkpoint signing key, creating one named `name` if the file does not exist.
/// The matching `vkey` is written beside it (`<file>.vkey`) for auditors.
pub fn load_or_create_checkpoint_key(path: &Path, name: &str) -> Result<NoteSigner, KeyError> {
    if !path.exists() {
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let signer = NoteSigner {
            name: name.to_owned(),
            key: SigningKey::from_bytes(&seed),
        };
        write_line(path, &signer.private_key_text(), private_files::create_new)?;
        // Public (`GET /api/v1/ledger/vkey` serves it, the log shows it at start), yet 0600
        // like every file cartrec makes: auditors get it from the API, and the account that
        // made the key reads the file. Replaced, not refused: one left from an earlier key
        // would be wrong.
        let vkey_path = path.with_extension("vkey");
        write_line(&vkey_path, &signer.vkey(), private_files::create)?;
    }
    parse_private_key(path, &read(path)?)
}

fn parse_private_key(path: &Path, text: &str) -> Result<NoteSigner, KeyError> {
    let parts: Vec<&str> = text.trim().splitn(5, '+').collect();
    let [_, _, name, id, body] = parts[..] else {
        return Err(malformed(
            path,
            "expected PRIVATE+KEY+<name>+<id>+<key>".into(),
        ));
    };
    if !text.starts_with("PRIVATE+KEY+") {
        return Err(malformed(
            path,
            "expected PRIVATE+KEY+<name>+<id>+<key>".into(),
        ));
    }
    let body = BASE64
        .decode(body)
        .map_err(|e| malformed(path, e.to_string()))?;
    let seed: [u8; 32] = match body.split_first() {
        Some((&ED25519_ALG, seed)) => seed
            .try_into()
            .map_err(|_| malformed(path, "an Ed25519 key has 32 bytes".into()))?,
        _ => return Err(malformed(path, "not an Ed25519 key".into())),
    };
    let signer = NoteSigner {
        name: name.to_owned(),
        key: SigningKey::from_bytes(&seed),
    };
    if hex::encode(signer.key_id()) != id {
        return Err(malformed(path, "the key ID does not match the key".into()));
    }
    Ok(signer)
}

/// So that `signed_note` formats and signs the checkpoints with this key.
impl signed_note::Signer for NoteSigner {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        u32::from_be_bytes(NoteSigner::key_id(self))
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ed25519_dalek::SignatureError> {
        use ed25519_dalek::Signer;
        Ok(self.key.sign(msg).to_bytes().to_vec())
    }
}

fn read(path: &Path) -> Result<String, KeyError> {
    fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.to_owned(),
        source,
    })
}

fn malformed(path: &Path, reason: String) -> KeyError {
    KeyError::Malformed {
        path: path.to_owned(),
        reason,
    }
}

/// Writes one line, durably, to the file `open` makes: mode 0600 before anything is written,
/// so never readable by others, even for a moment.
fn write_line(
    path: &Path,
    contents: &str,
    open: fn(&Path) -> std::io::Result<fs::File>,
) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = open(path).map_err(io)?;
    file.write_all(contents.as_bytes()).map_err(io)?;
    file.write_all(b"\n").map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Covers: GMP-LED-8
    #[test]
    fn keys_are_created_private_and_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let secret_path = dir.path().join("jwt.secret");
        let secret = load_or_create_jwt_secret(&secret_path).expect("created");
        assert_eq!(
            load_or_create_jwt_secret(&secret_path).expect("read"),
            secret
        );

        let key_path = dir.path().join("checkpoint.key");
        let signer = load_or_create_checkpoint_key(&key_path, "cartrec.test/log").expect("created");
        let again = load_or_create_checkpoint_key(&key_path, "ignored").expect("read");
        assert_eq!(again.vkey(), signer.vkey());
        assert!(signer.vkey().starts_with("cartrec.test/log+"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for path in [&secret_path, &key_path, &key_path.with_extension("vkey")] {
                let mode = fs::metadata(path).expect("exists").permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{}", path.display());
            }
        }
    }

    #[test]
    fn a_new_key_replaces_a_vkey_left_from_an_earlier_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let key_path = dir.path().join("checkpoint.key");
        let vkey_path = key_path.with_extension("vkey");
        fs::write(&vkey_path, "cartrec.old/log+00000000+AQ==\n").expect("written");
        let signer = load_or_create_checkpoint_key(&key_path, "cartrec.test/log").expect("created");
        let written = fs::read_to_string(&vkey_path).expect("read");
        assert_eq!(written.trim(), signer.vkey());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&vkey_path)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
