//! Seals of projection rows that grant rights.
//!
//! A projection can be rebuilt from the ledger, but between rebuilds it is what a request
//! reads: someone with database access who adds a role to a `users` row would be obeyed until
//! the next verification. So such rows carry a seal, an HMAC-SHA256 over what they grant and
//! the hash of the ledger entry they reflect, with a key derived (HKDF-SHA256, RFC 5869) from
//! the ledger key, which lives outside the database. Whoever cannot read that key cannot seal
//! an edited, copied or replayed row.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::keys::NoteSigner;

/// HKDF's `info`: the key serves row seals only, and version 1 of their format.
const INFO: &[u8] = b"cartrec projection row seal v1";

/// The key that seals and checks projection rows.
pub struct RowSeals {
    key: [u8; 32],
}

impl RowSeals {
    pub fn derive(signer: &NoteSigner) -> RowSeals {
        let secret = signer.key.to_bytes();
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(None, &secret)
            .expand(INFO, &mut key)
            .unwrap_or_else(|_| unreachable!("32 bytes is a valid HKDF-SHA256 length"));
        RowSeals { key }
    }

    fn mac(&self, text: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(text);
        mac
    }

    /// The seal of `text`, in hex.
    pub fn seal(&self, text: &[u8]) -> String {
        hex::encode(self.mac(text).finalize().into_bytes())
    }

    /// Whether `seal` is the seal of `text` (compared in constant time).
    pub fn matches(&self, text: &[u8], seal: &str) -> bool {
        hex::decode(seal).is_ok_and(|bytes| self.mac(text).verify_slice(&bytes).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn seals(byte: u8) -> RowSeals {
        RowSeals::derive(&NoteSigner {
            name: "example.org/cartrec".into(),
            key: SigningKey::from_bytes(&[byte; 32]),
        })
    }

    #[test]
    fn a_seal_matches_only_its_text() {
        let seals = seals(7);
        let seal = seals.seal(b"roles=operator");
        assert!(seals.matches(b"roles=operator", &seal));
        assert!(!seals.matches(b"roles=admin", &seal));
        assert!(!seals.matches(b"roles=operator", "not hex"));
        assert!(!seals.matches(b"roles=operator", ""));
    }

    #[test]
    fn another_key_cannot_seal() {
        let seal = seals(8).seal(b"roles=admin");
        assert!(!seals(7).matches(b"roles=admin", &seal));
    }

    #[test]
    fn the_key_is_not_the_signing_key() {
        let signer = NoteSigner {
            name: "n".into(),
            key: SigningKey::from_bytes(&[7; 32]),
        };
        assert_ne!(RowSeals::derive(&signer).key, signer.key.to_bytes());
    }
}
