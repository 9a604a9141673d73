//! The account approval rules and the fold, without a database.

use std::collections::BTreeSet;

use super::events::*;
use super::state::*;
use super::{Role, Roles};
use crate::domain::Recorded;

fn at(seq: i64, actor: &str, event: UserEvent) -> Recorded<UserEvent> {
    Recorded {
        seq,
        stream_seq: seq,
        hash: format!("{seq:064x}"),
        actor: actor.to_owned(),
        recorded_at: format!("2026-11-25T10:00:{seq:02}.000000Z"),
        event,
    }
}

fn created(roles_pending: Vec<Role>) -> UserEvent {
    UserEvent::Created(UserCreated {
        username: "anna".into(),
        full_name: "Anna Rossi".into(),
        roles: vec![],
        roles_pending,
        must_change_password: true,
        credential_sha256: "c0".into(),
    })
}

fn password_changed() -> UserEvent {
    UserEvent::PasswordChanged(PasswordChanged {
        sessions_ended: 1,
        credential_sha256: "c1".into(),
    })
}

fn acknowledged() -> UserEvent {
    UserEvent::Acknowledged(Acknowledged {
        statement: ACKNOWLEDGMENT_STATEMENT.into(),
    })
}

fn fold(events: Vec<Recorded<UserEvent>>) -> AccountState {
    AccountState::fold(&events).expect("folds").expect("exists")
}

/// Anna, created by `admin` with operator waiting, her password changed and acknowledged.
fn ready_for_approval(pending: Vec<Role>) -> AccountState {
    fold(vec![
        at(0, "admin", created(pending)),
        at(1, "anna", password_changed()),
        at(2, "anna", acknowledged()),
    ])
}

fn qa() -> Roles {
    Roles::new([Role::Qa]).expect("roles")
}

fn person<'a>(username: &'a str, roles: &'a Roles) -> Approver<'a> {
    Approver::Person { username, roles }
}

/// Covers: P11-100b
#[test]
fn a_new_account_has_no_effective_roles_until_approved() {
    let state = ready_for_approval(vec![Role::Operator]);
    assert!(state.roles.is_empty());
    assert_eq!(
        state.pending.as_ref().map(|p| p.requested_by.clone()),
        Some(BTreeSet::from(["admin".to_owned()]))
    );
    let roles = qa();
    let approved = decide_approval(&state, &person("quinn", &roles)).expect("approved");
    assert_eq!(approved.roles, vec![Role::Operator]);
    assert_eq!(approved.via, ApprovedVia::Signature);
    let after = fold(vec![
        at(0, "admin", created(vec![Role::Operator])),
        at(1, "anna", password_changed()),
        at(2, "anna", acknowledged()),
        at(3, "quinn", UserEvent::RolesApproved(approved)),
    ]);
    assert_eq!(after.roles, BTreeSet::from([Role::Operator]));
    assert!(after.pending.is_none());
}

/// Covers: P11-100c
#[test]
fn approval_is_refused_before_the_owners_acknowledgment() {
    let state = fold(vec![
        at(0, "admin", created(vec![Role::Operator])),
        at(1, "anna", password_changed()),
    ]);
    let roles = qa();
    let refused = decide_approval(&state, &person("quinn", &roles)).expect_err("refused");
    assert_eq!(refused.code, "not_acknowledged");
    let console = Approver::Console {
        confirmed_by: "Site Head".into(),
    };
    assert_eq!(
        decide_approval(&state, &console).expect_err("refused").code,
        "not_acknowledged"
    );
}

/// Covers: P11-100b
#[test]
fn the_requester_and_the_owner_never_approve() {
    let state = ready_for_approval(vec![Role::Admin]);
    let admin = Roles::new([Role::Admin]).expect("roles");
    let creator = decide_approval(&state, &person("admin", &admin)).expect_err("refused");
    assert_eq!(creator.code, "approver_requested_roles");
    let own = decide_approval(&state, &person("anna", &admin)).expect_err("refused");
    assert_eq!(own.code, "own_account");
    assert!(decide_approval(&state, &person("admin2", &admin)).is_ok());
}

/// Covers: P11-100b
#[test]
fn admins_approve_admins_and_qa_approves_everyone_else() {
    let admin = Roles::new([Role::Admin]).expect("roles");
    let qa = qa();
    let operator = ready_for_approval(vec![Role::Operator, Role::Qp]);
    assert_eq!(
        decide_approval(&operator, &person("admin2", &admin))
            .expect_err("refused")
            .code,
        "approver_role"
    );
    assert!(decide_approval(&operator, &person("quinn", &qa)).is_ok());
    let an_admin = ready_for_approval(vec![Role::Admin]);
    assert_eq!(
        decide_approval(&an_admin, &person("quinn", &qa))
            .expect_err("refused")
            .code,
        "approver_role"
    );
    let auditor = ready_for_approval(vec![Role::Auditor]);
    assert!(decide_approval(&auditor, &person("quinn", &qa)).is_ok());
}

/// Covers: P11-100b
#[test]
fn nothing_pending_and_inactive_accounts_are_refused() {
    let mut state = ready_for_approval(vec![]);
    let roles = qa();
    assert_eq!(
        decide_approval(&state, &person("quinn", &roles))
            .expect_err("refused")
            .code,
        "nothing_pending"
    );
    state = ready_for_approval(vec![Role::Operator]);
    state.active = false;
    assert_eq!(
        decide_approval(&state, &person("quinn", &roles))
            .expect_err("refused")
            .code,
        "account_inactive"
    );
}

/// Covers: P11-100c
#[test]
fn acknowledgment_needs_an_own_password_and_happens_once() {
    let fresh = fold(vec![at(0, "admin", created(vec![Role::Operator]))]);
    assert_eq!(
        decide_acknowledgment(&fresh).expect_err("refused").code,
        "password_change_required"
    );
    let changed = fold(vec![
        at(0, "admin", created(vec![Role::Operator])),
        at(1, "anna", password_changed()),
    ]);
    assert!(decide_acknowledgment(&changed).is_ok());
    let done = ready_for_approval(vec![Role::Operator]);
    assert_eq!(
        decide_acknowledgment(&done).expect_err("refused").code,
        "already_acknowledged"
    );
}

/// Covers: P11-100b
#[test]
fn a_role_request_removes_at_once_and_adds_only_by_approval() {
    let mut state = ready_for_approval(vec![Role::Operator, Role::Qp]);
    state.roles = BTreeSet::from([Role::Operator, Role::Qp]);
    state.pending = None;
    let requested = Roles::new([Role::Operator, Role::Qa]).expect("roles");
    let request = decide_roles_request(&state, "admin2", &requested, 1).expect("requested");
    assert_eq!(request.roles_effective, vec![Role::Operator]);
    assert_eq!(request.roles_requested, vec![Role::Operator, Role::Qa]);
    let own = decide_roles_request(&state, "anna", &requested, 0).expect_err("refused");
    assert_eq!(own.code, "own_roles");
    let after = fold(vec![
        at(0, "admin", created(vec![Role::Operator, Role::Qp])),
        at(1, "anna", password_changed()),
        at(2, "anna", acknowledged()),
        at(
            3,
            "quinn",
            UserEvent::RolesApproved(RolesApproved {
                roles: vec![Role::Operator, Role::Qp],
                via: ApprovedVia::Signature,
                confirmed_by: None,
            }),
        ),
        at(4, "admin2", UserEvent::RolesRequested(request)),
    ]);
    assert_eq!(after.roles, BTreeSet::from([Role::Operator]));
    let pending = after.pending.expect("pending");
    assert_eq!(pending.requested_by, BTreeSet::from(["admin2".to_owned()]));
    assert_eq!(pending.roles, BTreeSet::from([Role::Operator, Role::Qa]));
}

/// Covers: P11-100b, P11-300c
#[test]
fn a_password_reset_suspends_the_roles_until_someone_else_approves() {
    let state = fold(vec![
        at(0, "admin", created(vec![Role::Operator])),
        at(1, "anna", password_changed()),
        at(2, "anna", acknowledged()),
        at(
            3,
            "quinn",
            UserEvent::RolesApproved(RolesApproved {
                roles: vec![Role::Operator],
                via: ApprovedVia::Signature,
                confirmed_by: None,
            }),
        ),
        at(
            4,
            "admin",
            UserEvent::PasswordReset(PasswordReset {
                sessions_ended: 0,
                must_change_password: true,
                credential_sha256: "c2".into(),
                roles_suspended: vec![Role::Operator],
            }),
        ),
    ]);
    assert!(state.roles.is_empty());
    assert!(state.must_change_password);
    let pending = state.pending.clone().expect("pending");
    assert_eq!(pending.roles, BTreeSet::from([Role::Operator]));
    assert_eq!(pending.requested_by, BTreeSet::from(["admin".to_owned()]));
    assert!(state.acknowledged_at.is_none(), "the owner certifies again");
}

/// Covers: P11-300d-1
#[test]
fn lock_state_and_failures_fold_from_the_events() {
    let failed = |n| {
        UserEvent::LoginFailed(LoginFailed {
            reason: login_refusal::WRONG_PASSWORD.into(),
            client: "127.0.0.1".into(),
            consecutive_failures: n,
        })
    };
    let mut events = vec![at(0, "admin", created(vec![]))];
    events.push(at(1, "system", failed(1)));
    events.push(at(2, "system", failed(2)));
    assert_eq!(fold(events.clone()).failed_attempts, 2);
    events.push(at(
        3,
        "system",
        UserEvent::Locked(Locked {
            until: "2026-11-25T10:15:00.000000Z".into(),
            consecutive_failures: 3,
            sessions_ended: 0,
        }),
    ));
    let locked = fold(events.clone());
    assert_eq!(locked.failed_attempts, 0);
    assert_eq!(
        locked.locked_until.as_deref(),
        Some("2026-11-25T10:15:00.000000Z")
    );
    events.push(at(
        4,
        "admin",
        UserEvent::Unlocked(Unlocked {
            reason: "admin".into(),
        }),
    ));
    assert_eq!(fold(events).locked_until, None);
}

#[test]
fn a_stream_that_is_not_an_account_history_does_not_fold() {
    let orphan = vec![at(0, "anna", password_changed())];
    assert!(AccountState::fold(&orphan).is_err());
    let twice = vec![
        at(0, "admin", created(vec![])),
        at(1, "admin", created(vec![])),
    ];
    assert_eq!(AccountState::fold(&twice).expect_err("refused").seq, 1);
    assert!(AccountState::fold(&[]).expect("empty").is_none());
}
