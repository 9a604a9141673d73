//! Password hashing (argon2id, OWASP parameters) and the password policy.

use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use secrecy::{ExposeSecret, SecretString};

use super::AuthError;
use crate::domain::{DomainError, FullName, Username};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;
/// zxcvbn's score (0 to 4) a new password must reach: 3 is "safely unguessable".
pub const MIN_STRENGTH: u8 = 3;

/// `Argon2::default()` is argon2id v19 with m=19 MiB, t=2, p=1: the OWASP recommendation.
fn hasher() -> Argon2<'static> {
    Argon2::default()
}

/// Runs an argon2 computation on a pool of one thread per core. Each computation fills its own
/// 19 MiB block: run on the request's own blocking thread, 16 signatures at once took 16 blocks
/// (and glibc kept many of them), while more at once than cores finishes none sooner. Callers
/// wait their turn, each block is reused by the pool's threads, and memory under any load stays
/// near one block per core.
fn on_argon2_pool<R: Send>(compute: impl FnOnce() -> R + Send) -> R {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("argon2-{i}"))
            .start_handler(|_| yield_to_the_ledger())
            .build()
            .map_err(|error| tracing::warn!(%error, "no argon2 pool; hashing on the caller"))
            .ok()
    });
    match pool {
        Some(pool) => pool.install(compute),
        None => compute(),
    }
}

/// Lowers the calling thread's scheduling priority (nice 10). Argon2 keeps every core busy under
/// a signing load, and the one write holding the ledger's lock then waited for a core: its
/// turn took 12 ms instead of 4, and the lock, not argon2, bounded signed writes. At a lower
/// priority the password checks use what the lock holder leaves.
#[cfg(target_os = "linux")]
fn yield_to_the_ledger() {
    // SAFETY: plain system calls without pointers; on Linux, PRIO_PROCESS with a thread's own
    // id changes the nice value of that thread alone.
    let tid = unsafe { libc::gettid() };
    let set = unsafe { libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10) };
    if set != 0 {
        tracing::warn!("could not lower the priority of an argon2 thread");
    }
}

#[cfg(not(target_os = "linux"))]
fn yield_to_the_ledger() {}

/// A PHC string (`$argon2id$v=19$...`) with a fresh random salt. Slow on purpose: call it on
/// the blocking pool, never on the async executor.
pub fn hash_password(password: &SecretString) -> Result<String, AuthError> {
    on_argon2_pool(|| {
        hasher()
            .hash_password(password.expose_secret().as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|_| AuthError::Hashing)
    })
}

pub fn verify_password(password: &SecretString, phc: &str) -> bool {
    on_argon2_pool(|| {
        PasswordHash::new(phc).is_ok_and(|parsed| {
            hasher()
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok()
        })
    })
}

/// SHA-256 of a stored PHC string, for the ledger: it commits to the credential without
/// revealing anything to test password guesses against (the random salt is inside the string).
pub fn credential_digest(phc: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(phc.as_bytes()))
}

/// Spends the same time as a real check, for logins naming no account, so that response times
/// do not reveal which user names exist.
pub fn verify_against_dummy(password: &SecretString) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password(&generate_password()).ok());
    if let Some(phc) = dummy {
        let _ = verify_password(password, phc);
    }
}

/// A random password for one-time use (first admin, resets): 20 characters, ~119 bits.
pub fn generate_password() -> SecretString {
    use rand::distributions::{Alphanumeric, DistString};
    SecretString::from(Alphanumeric.sample_string(&mut rand::thread_rng(), 20))
}

/// The rules every new password must meet, checked offline: length, nothing personal, and
/// zxcvbn's strength estimate. Returns a message a person can act on.
pub fn check_policy(
    password: &SecretString,
    username: &Username,
    full_name: &FullName,
) -> Result<(), DomainError> {
    let password = password.expose_secret();
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(weak(format!(
            "the password must have at least {MIN_LENGTH} characters"
        )));
    }
    if length > MAX_LENGTH {
        return Err(weak(format!(
            "the password must have at most {MAX_LENGTH} characters"
        )));
    }
    let lowered = password.to_lowercase();
    if lowered.contains(username.as_str()) {
        return Err(weak("the password must not contain the user name".into()));
    }
    let name_parts = full_name
        .as_str()
        .split_whitespace()
        .map(str::to_lowercase)
        .filter(|part| part.chars().count() >= 3);
    if name_parts.clone().any(|part| lowered.contains(&part)) {
        return Err(weak("the password must not contain your name".into()));
    }
    let mut personal: Vec<String> = name_parts.collect();
    personal.push(username.as_str().to_owned());
    let personal: Vec<&str> = personal.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &personal);
    if u8::from(estimate.score()) < MIN_STRENGTH {
        let warning = estimate
            .feedback()
            .and_then(|feedback| feedback.warning())
            .map(|warning| format!(" ({warning})"))
            .unwrap_or_default();
        return Err(weak(format!(
            "the password is too easy to guess{warning}; a passphrase of several unrelated words is strong and easy to remember"
        )));
    }
    Ok(())
}

fn weak(message: String) -> DomainError {
    DomainError::new("weak_password", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Covers: P11-300a
    #[test]
    fn a_hash_verifies_its_password_only() {
        let password = SecretString::from("correct horse battery staple");
        let phc = hash_password(&password).expect("hashes");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(&password, &phc));
        assert!(!verify_password(&SecretString::from("wrong"), &phc));
        assert!(!verify_password(&password, "not a phc string"));
    }

    /// Covers: P11-300a
    #[test]
    fn policy_refuses_short_and_personal_passwords() {
        let user = Username::parse("mrossi").expect("valid");
        let name = FullName::parse("Maria Rossi").expect("valid");
        let check = |p: &str| check_policy(&SecretString::from(p.to_owned()), &user, &name);
        assert!(check("short").is_err());
        assert!(check("xx-mrossi-xx-2026").is_err());
        assert!(check("Rossi-was-here-2026").is_err());
        assert!(check("password1234").is_err());
        assert!(check("qwertyuiop123").is_err());
        assert!(check("tangerine-violin-42-orbit").is_ok());
    }
}
