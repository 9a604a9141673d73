//! Electronic signatures (21 CFR Part 11 §11.50, §11.70, §11.200; EU GMP Annex 11 §14).
//!
//! Signing is two steps that cannot be taken out of order: [`verify_signer`] re-checks the
//! signer's password (a token alone is never enough) and yields a [`VerifiedSigner`], which only
//! it can make; [`apply`] consumes that inside the write transaction of the action being
//! signed and appends a `signature.applied` event bound to the hash of every signed entry.

pub mod audit;
mod view;

use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::auth::{required_action, AuthError, SignatureInput, SignatureMeaning};
use crate::db::schema::signatures;
use crate::db::DbConn;
pub use crate::domain::signature::SIGNATURE_KIND;
use crate::domain::signature::{SignatureApplied, SignedEntry};
use crate::domain::{DomainError, FullName, Username};
use crate::error::ServiceError;
use crate::ledger::{Actor, Appender, Entry, NewEvent, Payload, Stream};
use crate::services::accounts::{
    ensure_unlocked, find_account, recheck_password, Attempt, Principal, SecurityPolicy,
};
pub use view::{signatures_of, SignatureView, SignaturesOfEntry};

impl Payload for SignatureApplied {
    const KIND: &'static str = SIGNATURE_KIND;
}

/// How long a password re-check stays good for applying the signature.
const SIGNING_WINDOW: Duration = Duration::from_secs(60);

/// Proof that the authenticated user re-entered the right password for this meaning just now.
/// Only [`verify_signer`] makes one, and [`apply`] consumes it, so it signs once.
pub struct VerifiedSigner {
    username: Username,
    full_name: FullName,
    meaning: SignatureMeaning,
    comment: Option<String>,
    session_id: String,
    verified_at: Instant,
}

/// Checks that the caller's roles may sign with this meaning and that the password is theirs.
/// A wrong password counts toward lock-out like a wrong login. Blocking (argon2).
pub fn verify_signer(
    conn: &mut DbConn,
    policy: &SecurityPolicy,
    who: &Principal,
    input: SignatureInput,
    client: &str,
) -> Result<VerifiedSigner, ServiceError> {
    who.authorize(required_action(input.meaning))?;
    check_password(conn, policy, who, input, client)
}

/// For an action whose own rules say who may sign it (an account approval): the signature
/// must carry the action's one meaning, and the password must be the caller's. Blocking.
pub fn verify_signer_for(
    conn: &mut DbConn,
    policy: &SecurityPolicy,
    who: &Principal,
    input: SignatureInput,
    meaning: SignatureMeaning,
    client: &str,
) -> Result<VerifiedSigner, ServiceError> {
    if input.meaning != meaning {
        return Err(DomainError::new(
            "wrong_meaning",
            format!(
                "this action is signed with the meaning '{}', not '{}'",
                meaning.as_str(),
                input.meaning.as_str()
            ),
        )
        .into());
    }
    check_password(conn, policy, who, input, client)
}

fn check_password(
    conn: &mut DbConn,
    policy: &SecurityPolicy,
    who: &Principal,
    input: SignatureInput,
    client: &str,
) -> Result<VerifiedSigner, ServiceError> {
    let comment = input.comment()?;
    let wrong = DomainError::forbidden(
        "signature_password_wrong",
        "the password is wrong; nothing was signed",
    );
    let account = recheck_password(
        conn,
        policy,
        who,
        &input.password,
        Attempt::Signature,
        client,
        wrong,
    )?;
    Ok(VerifiedSigner {
        username: account.username,
        full_name: account.full_name,
        meaning: input.meaning,
        comment,
        session_id: who.session_id.clone(),
        verified_at: Instant::now(),
    })
}

/// Appends the signature over `signed` (entries of one stream) in the caller's transaction.
/// Refuses a replay (same signer, meaning and content), signing a signature, and a verifier
/// who is the record's own author.
pub fn apply(
    tx: &mut Appender<'_>,
    signer: VerifiedSigner,
    signed: &[Entry],
) -> Result<Entry, ServiceError> {
    if signer.verified_at.elapsed() > SIGNING_WINDOW {
        return Err(DomainError::conflict(
            "signature_expired",
            "the password check is too old; sign again",
        )
        .into());
    }
    ensure_still_entitled(tx.conn(), &signer)?;
    let stream = one_stream(signed)?;
    for entry in signed {
        check_signable(tx.conn(), &signer, entry)?;
    }
    let payload = SignatureApplied {
        signer: signer.username.as_str().to_owned(),
        signer_full_name: signer.full_name.as_str().to_owned(),
        meaning: signer.meaning,
        comment: signer.comment.clone(),
        signed: signed
            .iter()
            .map(|e| SignedEntry {
                seq: e.seq,
                hash: hex::encode(&e.hash),
                kind: e.kind.clone(),
            })
            .collect(),
    };
    let signature = tx.append(
        &Actor::user(&signer.username),
        NewEvent::new(stream, &payload)?,
    )?;
    for entry in signed {
        diesel::insert_into(signatures::table)
            .values((
                signatures::signature_seq.eq(signature.seq),
                signatures::entry_seq.eq(entry.seq),
                signatures::entry_hash.eq(&entry.hash),
                signatures::signer.eq(signer.username.as_str()),
                signatures::meaning.eq(signer.meaning.as_str()),
            ))
            .execute(tx.conn())?;
    }
    Ok(signature)
}

fn one_stream(signed: &[Entry]) -> Result<Stream, ServiceError> {
    let first = signed.first().ok_or_else(|| {
        DomainError::new(
            "nothing_to_sign",
            "a signature must sign at least one record",
        )
    })?;
    if signed.iter().any(|e| e.stream != first.stream) {
        return Err(DomainError::new(
            "signature_spans_streams",
            "one signature signs records of one stream",
        )
        .into());
    }
    Ok(Stream::parse(&first.stream)?)
}

fn check_signable(
    conn: &mut DbConn,
    signer: &VerifiedSigner,
    entry: &Entry,
) -> Result<(), ServiceError> {
    if entry.kind == SIGNATURE_KIND {
        return Err(DomainError::new(
            "cannot_sign_signature",
            "a signature cannot itself be signed",
        )
        .into());
    }
    let is_author = entry.actor == signer.username.as_str();
    if signer.meaning == SignatureMeaning::Performed && !is_author {
        return Err(DomainError::forbidden(
            "performer_is_not_author",
            "only the person who recorded it can sign a record as performed",
        )
        .into());
    }
    let earlier_meanings: Vec<String> = signatures::table
        .filter(signatures::entry_hash.eq(&entry.hash))
        .filter(signatures::signer.eq(signer.username.as_str()))
        .select(signatures::meaning)
        .load(conn)?;
    if earlier_meanings
        .iter()
        .any(|m| m == signer.meaning.as_str())
    {
        return Err(DomainError::conflict(
            "already_signed",
            format!(
                "you have already signed entry {} as {}",
                entry.seq,
                signer.meaning.as_str()
            ),
        )
        .into());
    }
    // The second person took no other part in the record: neither wrote nor signed it.
    if signer.meaning == SignatureMeaning::Verified && (is_author || !earlier_meanings.is_empty()) {
        return Err(DomainError::forbidden(
            "verifier_took_part",
            "a second person must verify: you recorded or already signed this record",
        )
        .into());
    }
    Ok(())
}

/// Inside the signing transaction: the signer's account may have been locked or deactivated,
/// or the session ended, since the password was checked.
fn ensure_still_entitled(conn: &mut DbConn, signer: &VerifiedSigner) -> Result<(), ServiceError> {
    let account = find_account(conn, &signer.username)?;
    ensure_unlocked(&account)?;
    let session_open = crate::services::accounts::store::checked_session(conn, &signer.session_id)?
        .is_some_and(|session| session.ended_at.is_none());
    if !account.active || !session_open {
        return Err(AuthError::SessionEnded.into());
    }
    Ok(())
}
