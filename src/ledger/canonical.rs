//! RFC 8785 canonical JSON and the RFC 6962 leaf hash: the two functions every hash in the
//! ledger is computed with.

use serde::Serialize;
use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// `prev_hash` of entry 0 and `stream_prev_hash` of a stream's first entry.
pub const ZERO_HASH: Hash = [0u8; 32];

/// RFC 8785 (JCS) bytes of any serializable value.
pub fn canonical_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    serde_json_canonicalizer::to_vec(value)
}

/// RFC 6962 leaf hash: SHA-256(0x00 || entry bytes). The chain and the Merkle tree share it.
pub fn leaf_hash(entry_bytes: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(entry_bytes);
    hasher.finalize().into()
}

/// Lowercase hex SHA-256 of a payload's canonical bytes.
pub fn payload_sha256(payload_bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(payload_bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Covers: GMP-LED-2
    #[test]
    fn leaf_hash_of_empty_input_is_the_rfc6962_empty_leaf() {
        // SHA-256(0x00), as in RFC 6962's test data.
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    /// Covers: GMP-LED-2
    #[test]
    fn canonical_bytes_sort_keys_and_drop_whitespace() {
        let value: serde_json::Value =
            serde_json::from_str(r#"{ "b": 1, "a": [true, null] }"#).expect("valid JSON");
        assert_eq!(
            canonical_bytes(&value).expect("canonical"),
            br#"{"a":[true,null],"b":1}"#
        );
    }
}
