//! The key CSRF tokens are made with: an HMAC binds each form's token to its session (or to
//! the pre-login value), so a page of another site cannot post a form as the user.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The key CSRF tokens are made with, derived from the service's token secret so that every
/// instance behind one load balancer accepts the others' forms.
#[derive(Clone)]
pub struct CsrfKey(Vec<u8>);

impl CsrfKey {
    pub fn derive(token_secret: &[u8]) -> Self {
        let mut mac = Self::mac(token_secret);
        mac.update(b"cartrec web csrf key v1");
        CsrfKey(mac.finalize().into_bytes().to_vec())
    }

    fn mac(key: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length; this cannot fail.
        <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
    }

    /// The token for forms of the session (or pre-login value) `bound_to`.
    pub fn token(&self, bound_to: &str) -> String {
        let mut mac = Self::mac(&self.0);
        mac.update(bound_to.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Compares in constant time.
    pub fn check(&self, bound_to: &str, token: &str) -> bool {
        let Ok(given) = hex::decode(token) else {
            return false;
        };
        let mut mac = Self::mac(&self.0);
        mac.update(bound_to.as_bytes());
        mac.verify_slice(&given).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_bound_to_its_session_and_key() {
        let key = CsrfKey::derive(b"secret");
        let token = key.token("session-1");
        assert!(key.check("session-1", &token));
        assert!(!key.check("session-2", &token));
        assert!(!CsrfKey::derive(b"other").check("session-1", &token));
        assert!(!key.check("session-1", "not hex"));
        assert!(!key.check("session-1", ""));
    }
}
