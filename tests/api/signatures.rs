//! Electronic signatures from the attacker's side: the password again at the moment of
//! signing, no replay, no signing for someone else, meanings by role, a second person.

use cartrec::ledger::{self, Actor, EventKind, NewEvent, Stream};
use reqwest::Response;
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, token_claims, TestApp, TestUser};

async fn sign(app: &TestApp, user: &TestUser, seq: i64, signature: Value) -> Response {
    app.post(
        &format!("/api/v1/ledger/entries/{seq}/signatures"),
        Some(&user.token),
        &json!({ "signature": signature }),
    )
    .await
}

/// Signs and expects the signature to be applied.
pub(crate) async fn sign_ok(app: &TestApp, user: &TestUser, seq: i64, meaning: &str) {
    let response = sign(
        app,
        user,
        seq,
        json!({ "password": user.password, "meaning": meaning }),
    )
    .await;
    assert_eq!(
        response.status(),
        201,
        "{} signing {seq} as {meaning}",
        user.username
    );
}

/// The seq of the latest entry of a user's stream with this kind.
pub(crate) async fn entry_of(
    app: &TestApp,
    auditor: &TestUser,
    username: &str,
    kind: &str,
) -> (i64, String) {
    let entries = app.ledger_entries(auditor).await;
    let entry = entries
        .iter()
        .rev()
        .find(|e| e["stream"] == format!("user/{username}").as_str() && e["kind"] == kind)
        .expect("entry exists");
    (
        entry["seq"].as_i64().expect("seq"),
        entry["hash"].as_str().expect("hash").to_owned(),
    )
}

/// Covers: P11-50, P11-70, P11-10e-1
#[tokio::test]
async fn a_signature_records_who_when_what_and_the_signed_hash() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let qa = app.user_with_roles(&["qa"]).await;
    let (seq, hash) = entry_of(&app, &auditor, &qa.username, "user.created").await;
    let signed = sign(
        &app,
        &qa,
        seq,
        json!({ "password": qa.password, "meaning": "reviewed", "comment": "access review Q4" }),
    )
    .await;
    assert_eq!(signed.status(), 201);
    let view: Value = signed.json().await.expect("JSON");
    let signature = &view["signatures"][0];
    assert_eq!(signature["signer"], qa.username.as_str());
    assert!(signature["signer_full_name"]
        .as_str()
        .expect("name")
        .starts_with("Test Person"));
    assert_eq!(signature["meaning"], "reviewed");
    assert_eq!(signature["comment"], "access review Q4");
    assert_eq!(signature["signed_hash"], hash.as_str());
    assert_eq!(signature["content_is_current"], true);
    let event = app
        .ledger_entries(&auditor)
        .await
        .into_iter()
        .last()
        .expect("entry");
    assert_eq!(event["kind"], "signature.applied");
    assert_eq!(event["actor"], qa.username.as_str());
    assert_eq!(event["payload"]["signed"][0]["hash"], hash.as_str());
    assert_eq!(event["payload"]["signed"][0]["seq"], seq);
}

/// Covers: P11-200a1, GMP-SIG-1
#[tokio::test]
async fn a_valid_token_with_the_wrong_password_signs_nothing_and_counts() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let qa = app.user_with_roles(&["qa"]).await;
    let (seq, _) = entry_of(&app, &auditor, &qa.username, "user.created").await;
    let (status, body) = problem(
        sign(
            &app,
            &qa,
            seq,
            json!({ "password": "not-my-password", "meaning": "reviewed" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "signature_password_wrong");
    let view: Value = app
        .get(
            &format!("/api/v1/ledger/entries/{seq}/signatures"),
            Some(&auditor.token),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(view["signatures"], json!([]));
    let last = app
        .ledger_entries(&auditor)
        .await
        .into_iter()
        .last()
        .expect("entry");
    assert_eq!(last["kind"], "user.signature_failed");
    assert_eq!(last["stream"], format!("user/{}", qa.username).as_str());
    assert_eq!(last["payload"]["consecutive_failures"], 1);
}

/// Covers: P11-70
#[tokio::test]
async fn a_replayed_signature_is_refused() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let qa = app.user_with_roles(&["qa"]).await;
    let (seq, _) = entry_of(&app, &auditor, &qa.username, "user.created").await;
    let request = json!({ "password": qa.password, "meaning": "reviewed" });
    assert_eq!(sign(&app, &qa, seq, request.clone()).await.status(), 201);
    let (status, body) = problem(sign(&app, &qa, seq, request).await).await;
    assert_eq!(status, 409);
    assert_eq!(body["code"], "already_signed");
    // Another meaning is another signature.
    sign_ok(&app, &qa, seq, "witnessed").await;
}

/// Covers: P11-200a2
#[tokio::test]
async fn nobody_can_sign_for_another_user() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let mallory = app.user_with_roles(&["qa"]).await;
    let victim = app.user_with_roles(&["qa"]).await;
    let (seq, _) = entry_of(&app, &auditor, &victim.username, "user.created").await;
    let named =
        json!({ "password": victim.password, "meaning": "reviewed", "signer": victim.username });
    let (status, _) = problem(sign(&app, &mallory, seq, named).await).await;
    assert_eq!(status, 400, "there is no signer field to fill in");
    let (status, _) = problem(
        sign(
            &app,
            &mallory,
            seq,
            json!({ "password": victim.password, "meaning": "reviewed" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        status, 403,
        "the victim's password does not make the token holder the victim"
    );
    let last = app
        .ledger_entries(&auditor)
        .await
        .into_iter()
        .last()
        .expect("entry");
    assert_eq!(
        last["stream"],
        format!("user/{}", mallory.username).as_str()
    );
    assert_eq!(last["kind"], "user.signature_failed");
}

/// Covers: GMP-SIG-2, P11-10g
#[tokio::test]
async fn meanings_follow_the_authorization_table() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let operator = app.user_with_roles(&["operator"]).await;
    let qp = app.user_with_roles(&["qp"]).await;
    let (seq, _) = entry_of(&app, &auditor, &qp.username, "user.created").await;
    let sign_as =
        |user: &TestUser, meaning: &str| json!({ "password": user.password, "meaning": meaning });
    let (status, _) =
        problem(sign(&app, &operator, seq, sign_as(&operator, "released")).await).await;
    assert_eq!(status, 403);
    let (status, _) = problem(sign(&app, &qp, seq, sign_as(&qp, "verified")).await).await;
    assert_eq!(status, 403);
    // Release decisions are signed with the batch's release action, never on a loose record.
    let (status, body) = problem(sign(&app, &qp, seq, sign_as(&qp, "released")).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("meaning_needs_its_action"))
    );
    sign_ok(&app, &qp, seq, "reviewed").await;
    for user in [&auditor, &app.admin] {
        let (status, _) = problem(sign(&app, user, seq, sign_as(user, "reviewed")).await).await;
        assert_eq!(status, 403);
    }
    let (status, _) = problem(sign(&app, &qp, seq, sign_as(&qp, "blessed")).await).await;
    assert_eq!(status, 400);
}

/// Covers: GMP-SOD-1
#[tokio::test]
async fn the_verifier_is_never_the_author_nor_another_signer() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let author = app.user_with_roles(&["operator"]).await;
    let second = app.user_with_roles(&["operator"]).await;
    let witness = app.user_with_roles(&["operator"]).await;
    let (seq, _) = entry_of(&app, &auditor, &author.username, "user.password_changed").await;
    let sign_as =
        |user: &TestUser, meaning: &str| json!({ "password": user.password, "meaning": meaning });
    let (status, body) =
        problem(sign(&app, &author, seq, sign_as(&author, "verified")).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("verifier_took_part"))
    );
    // Only the author signs as performer.
    let (status, body) =
        problem(sign(&app, &second, seq, sign_as(&second, "performed")).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("performer_is_not_author"))
    );
    sign_ok(&app, &author, seq, "performed").await;
    // Someone who already signed the record in another capacity is not a second person.
    sign_ok(&app, &witness, seq, "witnessed").await;
    let (status, body) =
        problem(sign(&app, &witness, seq, sign_as(&witness, "verified")).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("verifier_took_part"))
    );
    sign_ok(&app, &second, seq, "verified").await;
}

/// Covers: P11-70
#[tokio::test]
async fn signatures_and_unknown_entries_cannot_be_signed() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let qa = app.user_with_roles(&["qa"]).await;
    let qp = app.user_with_roles(&["qp"]).await;
    let (seq, _) = entry_of(&app, &auditor, &qa.username, "user.created").await;
    sign_ok(&app, &qa, seq, "reviewed").await;
    let signature_seq = app.ledger_entries(&auditor).await.len() as i64 - 1;
    let (status, body) = problem(
        sign(
            &app,
            &qp,
            signature_seq,
            json!({ "password": qp.password, "meaning": "reviewed" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("cannot_sign_signature"))
    );
    let (status, _) = problem(
        sign(
            &app,
            &qp,
            999_999,
            json!({ "password": qp.password, "meaning": "reviewed" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
}

/// Covers: P11-70
#[tokio::test]
async fn a_signature_stays_bound_to_content_that_was_later_corrected() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let qa = app.user_with_roles(&["qa"]).await;
    let (seq, hash) = entry_of(&app, &auditor, &qa.username, "user.created").await;
    sign_ok(&app, &qa, seq, "reviewed").await;
    // A correction naming the entry (as batch corrections will be recorded).
    let correction = NewEvent::from_value(
        Stream::parse(&format!("user/{}", qa.username)).expect("stream"),
        EventKind::parse("user.details_corrected").expect("kind"),
        json!({ "corrects": { "seq": seq, "hash": hash }, "reason": "typo in full name" }),
    )
    .expect("event");
    let mut conn = app.db.connect();
    let corrected = app
        .sealed(|| ledger::write(&mut conn, |tx| tx.append(&Actor::system(), correction)))
        .expect("appended");
    // Written around the accounts module, which seals the row against each account event.
    app.reseal_user(&qa.username);
    let view: Value = app
        .get(
            &format!("/api/v1/ledger/entries/{seq}/signatures"),
            Some(&qa.token),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(view["corrected_by"], json!([corrected.seq]));
    assert_eq!(view["signatures"][0]["signed_hash"], hash.as_str());
    assert_eq!(view["signatures"][0]["content_is_current"], false);
}

/// Which roles may sign with which meaning, written out from the design notes (not read from
/// the code), so that a wrong mapping in the code fails here.
const MEANINGS: &[(&str, &[&str])] = &[
    ("performed", &["operator", "qc_analyst"]),
    ("verified", &["operator", "qc_analyst"]),
    ("witnessed", &["operator", "qc_analyst", "qa"]),
    ("reviewed", &["qa", "qp"]),
    ("approved", &["qa"]),
    ("released", &["qp"]),
    ("rejected", &["qp"]),
    ("released_exceptionally", &["qp"]),
];

/// Covers: GMP-SIG-2
#[tokio::test]
async fn every_role_signs_exactly_the_meanings_the_design_allows() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let subject = app.user_with_roles(&["operator"]).await;
    let (seq, _) = entry_of(&app, &auditor, &subject.username, "user.created").await;
    let mut signers = vec![("admin", app.admin.password.clone(), app.admin.token.clone())];
    for role in ["operator", "qc_analyst", "qa", "qp", "auditor"] {
        let user = app.user_with_roles(&[role]).await;
        signers.push((role, user.password, user.token));
    }
    for (role, password, token) in &signers {
        let user = TestUser {
            username: String::new(),
            password: password.clone(),
            token: token.clone(),
        };
        for (meaning, roles) in MEANINGS {
            let response = sign(
                &app,
                &user,
                seq,
                json!({ "password": password, "meaning": meaning }),
            )
            .await;
            let status = response.status();
            let body: Value = response.json().await.expect("JSON");
            if roles.contains(role) {
                assert_ne!(
                    body["code"], "forbidden",
                    "{role} may sign {meaning}: {status} {body}"
                );
            } else {
                assert_eq!(
                    (status.as_u16(), body["code"].as_str()),
                    (403, Some("forbidden")),
                    "{role} signing {meaning}"
                );
            }
        }
    }
}

/// Covers: P11-70
#[tokio::test]
async fn the_database_itself_refuses_a_duplicate_signature() {
    use cartrec::db::schema::signatures as sig;
    use diesel::prelude::*;
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let qa = app.user_with_roles(&["qa"]).await;
    let (seq, hash) = entry_of(&app, &auditor, &qa.username, "user.created").await;
    sign_ok(&app, &qa, seq, "reviewed").await;
    let duplicate = diesel::insert_into(sig::table)
        .values((
            sig::signature_seq.eq(1_000_000),
            sig::entry_seq.eq(seq),
            sig::entry_hash.eq(hex::decode(hash).expect("hex")),
            sig::signer.eq(&qa.username),
            sig::meaning.eq("reviewed"),
        ))
        .execute(&mut app.db.connect());
    let error = duplicate
        .expect_err("a second identical signature row")
        .to_string();
    // Refused by the append-only guard, which runs before the UNIQUE constraint would.
    assert!(
        error.contains("signatures is append-only: an insert may not repeat an existing row"),
        "{error}"
    );
}

/// Covers: P11-200a1
#[tokio::test]
async fn a_session_ended_between_password_check_and_signing_signs_nothing() {
    use cartrec::auth::{AuthError, SignatureInput};
    use cartrec::error::ServiceError;
    use cartrec::services::accounts::{self, SecurityPolicy};
    let app = spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let claims = token_claims(&qa.token);
    let policy = SecurityPolicy::from_settings(&cartrec::config::Settings::default());
    let mut conn = app.db.connect();
    let who = accounts::authenticate(
        &mut conn,
        &policy,
        &qa.username,
        claims["jti"].as_str().expect("jti"),
    )
    .expect("signed in");
    let input: SignatureInput =
        serde_json::from_value(json!({ "password": qa.password, "meaning": "reviewed" }))
            .expect("input");
    let signer =
        cartrec::services::signatures::verify_signer(&mut conn, &policy, &who, input, "test")
            .expect("password ok");
    // Meanwhile, the user logs out in another tab.
    assert_eq!(
        app.post("/api/v1/auth/logout", Some(&qa.token), &json!({}))
            .await
            .status(),
        204
    );
    let entry = {
        use cartrec::db::schema::ledger_entries::dsl as le;
        use diesel::prelude::*;
        le::ledger_entries
            .find(0)
            .select(cartrec::ledger::Entry::as_select())
            .first(&mut conn)
            .expect("entry 0")
    };
    let result = ledger::write(&mut conn, |tx| {
        cartrec::services::signatures::apply(tx, signer, &[entry])
    });
    assert!(
        matches!(result, Err(ServiceError::Auth(AuthError::SessionEnded))),
        "signed after logout"
    );
}
