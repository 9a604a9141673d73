//! The one authorization table: which role may perform which action. Every endpoint declares
//! its action (`http::ENDPOINTS`) and the request extractor checks it here; signatures check
//! the action of their meaning; the README prints the table; a test walks every endpoint
//! against every role.

use std::fmt;

use crate::domain::{Role, Roles};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read one's own account, change one's own password, refresh a token, log out.
    ManageOwnAccount,
    ListUsers,
    CreateUser,
    ChangeUserRoles,
    DeactivateUser,
    UnlockUser,
    ResetUserPassword,
    /// Make an account's pending roles effective, signed (`approved`). Who may approve which
    /// roles is decided per account in `domain::account::state`.
    ApproveAccount,
    /// Start a batch at apheresis receipt.
    CreateBatch,
    /// Record or verify a manufacturing step (the step's own role is checked per step).
    RecordStep,
    /// Read batch records.
    ReadBatches,
    /// Record or verify a QC release test result.
    RecordQcResult,
    /// The review by exception of a batch before certification.
    ReviewBatch,
    /// Certify (release), reject or exceptionally release a batch.
    CertifyBatch,
    /// Dispatch a released batch to the treating site.
    ShipBatch,
    /// On the ward: receive a shipment, check identity at the bedside, record the infusion and
    /// the follow-up visits.
    TreatPatient,
    /// The treating physician's request for an out-of-specification product.
    RequestExceptionalRelease,
    /// Trace a lot to every batch and patient that used it (recall).
    TraceLot,
    /// Correct a recorded value (the record's performer, or QA: checked per record).
    CorrectRecord,
    /// Raise a deviation by hand.
    RaiseDeviation,
    /// Classify and close deviations; hold, resume and terminate batches.
    SuperviseBatch,
    /// Import process templates and approve them.
    ManageTemplates,
    ReadTemplates,
    /// Register lots and equipment, release or reject lots, record calibrations.
    ManageMaterials,
    /// See lots, equipment and attachments (to pick them in a step).
    ReadMaterials,
    /// Upload a file to attach to a record.
    UploadAttachment,
    ReadLedger,
    /// Query and download the audit trail (every entry, filtered, with its `seq` and hash).
    ReadAuditTrail,
    /// Download a batch's export bundle and its printable record (PDF, HTML).
    ExportBatch,
    VerifyLedger,
    /// See this instance's trust in its ledger and the site's ledger incidents.
    ReadIncidents,
    /// Record (QA) or confirm (an administrator) a ledger incident, signed; who does which is
    /// decided in `domain::incident`.
    RecordIncident,
    ReadSignatures,
    /// Apply an electronic signature to a record; the meaning needs its own action too.
    SignRecord,
    SignPerformed,
    SignVerified,
    SignWitnessed,
    SignReviewed,
    SignApproved,
    SignReleased,
    SignRejected,
    SignReleasedExceptionally,
    SignRequested,
}

use Action::*;
use Role::*;

const EVERY_ROLE: &[Role] = &[Operator, QcAnalyst, Qa, Qp, Clinician, Auditor, Admin];
/// Roles that record or sign GMP data. Admins and auditors never do.
const GMP_SIGNERS: &[Role] = &[Operator, QcAnalyst, Qa, Qp];

pub const AUTHORIZATION: &[(Action, &[Role])] = &[
    (ManageOwnAccount, EVERY_ROLE),
    (ListUsers, &[Admin, Qa]),
    (CreateUser, &[Admin]),
    (ChangeUserRoles, &[Admin]),
    (DeactivateUser, &[Admin]),
    (UnlockUser, &[Admin]),
    (ResetUserPassword, &[Admin]),
    (ApproveAccount, &[Qa, Admin]),
    (CreateBatch, &[Operator]),
    (RecordStep, &[Operator, QcAnalyst]),
    (
        ReadBatches,
        &[Operator, QcAnalyst, Qa, Qp, Clinician, Auditor],
    ),
    (RecordQcResult, &[QcAnalyst]),
    (ReviewBatch, &[Qa, Qp, Auditor]),
    (CertifyBatch, &[Qp]),
    (ShipBatch, &[Operator]),
    (TreatPatient, &[Clinician]),
    (RequestExceptionalRelease, &[Clinician]),
    (TraceLot, &[Qa, Qp, Auditor]),
    (CorrectRecord, &[Operator, QcAnalyst, Qa]),
    (RaiseDeviation, &[Operator, Qa]),
    (SuperviseBatch, &[Qa]),
    (ManageTemplates, &[Qa]),
    (ReadTemplates, &[Operator, QcAnalyst, Qa, Qp, Auditor]),
    (ManageMaterials, &[Qa]),
    (ReadMaterials, &[Operator, QcAnalyst, Qa, Qp, Auditor]),
    (UploadAttachment, &[Operator, QcAnalyst, Qa, Qp]),
    (ReadLedger, &[Auditor]),
    (ReadAuditTrail, &[Auditor, Qa, Qp]),
    (ExportBatch, &[Auditor, Qa, Qp]),
    (VerifyLedger, &[Auditor, Admin]),
    (ReadIncidents, &[Qa, Auditor, Admin]),
    (RecordIncident, &[Qa, Admin]),
    (
        ReadSignatures,
        &[Operator, QcAnalyst, Qa, Qp, Clinician, Auditor],
    ),
    (SignRecord, GMP_SIGNERS),
    (SignPerformed, &[Operator, QcAnalyst, Clinician]),
    (SignVerified, &[Operator, QcAnalyst]),
    (SignWitnessed, &[Operator, QcAnalyst, Qa, Clinician]),
    (SignReviewed, &[Qa, Qp]),
    (SignApproved, &[Qa]),
    (SignReleased, &[Qp]),
    (SignRejected, &[Qp]),
    (SignReleasedExceptionally, &[Qp]),
    (SignRequested, &[Clinician]),
];

pub fn allowed_roles(action: Action) -> &'static [Role] {
    AUTHORIZATION
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(&[], |(_, roles)| roles)
}

/// Whether these roles permit the action. Managing one's own account needs no role, so that
/// a new account can replace its temporary password and certify its signature before any of
/// its roles is approved.
pub fn is_allowed(roles: &Roles, action: Action) -> bool {
    action == ManageOwnAccount
        || allowed_roles(action)
            .iter()
            .any(|role| roles.contains(*role))
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            ManageOwnAccount => "manage_own_account",
            ListUsers => "list_users",
            CreateUser => "create_user",
            ChangeUserRoles => "change_user_roles",
            DeactivateUser => "deactivate_user",
            UnlockUser => "unlock_user",
            ResetUserPassword => "reset_user_password",
            ApproveAccount => "approve_account",
            CreateBatch => "create_batch",
            RecordStep => "record_step",
            ReadBatches => "read_batches",
            RecordQcResult => "record_qc_result",
            ReviewBatch => "review_batch",
            CertifyBatch => "certify_batch",
            ShipBatch => "ship_batch",
            TreatPatient => "treat_patient",
            RequestExceptionalRelease => "request_exceptional_release",
            TraceLot => "trace_lot",
            CorrectRecord => "correct_record",
            RaiseDeviation => "raise_deviation",
            SuperviseBatch => "supervise_batch",
            ManageTemplates => "manage_templates",
            ReadTemplates => "read_templates",
            ManageMaterials => "manage_materials",
            ReadMaterials => "read_materials",
            UploadAttachment => "upload_attachment",
            ReadLedger => "read_ledger",
            ReadAuditTrail => "read_audit_trail",
            ExportBatch => "export_batch",
            VerifyLedger => "verify_ledger",
            ReadIncidents => "read_incidents",
            RecordIncident => "record_incident",
            ReadSignatures => "read_signatures",
            SignRecord => "sign_record",
            SignPerformed => "sign_performed",
            SignVerified => "sign_verified",
            SignWitnessed => "sign_witnessed",
            SignReviewed => "sign_reviewed",
            SignApproved => "sign_approved",
            SignReleased => "sign_released",
            SignRejected => "sign_rejected",
            SignReleasedExceptionally => "sign_released_exceptionally",
            SignRequested => "sign_requested",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The table as Markdown, one row per action, as the README prints it.
pub fn markdown_table() -> String {
    let mut table = String::from("| action |");
    for role in Role::ALL {
        table.push_str(&format!(" {role} |"));
    }
    table.push_str("\n|---|");
    table.push_str(&"---|".repeat(Role::ALL.len()));
    for (action, roles) in AUTHORIZATION {
        table.push_str(&format!("\n| `{action}` |"));
        for role in Role::ALL {
            table.push_str(if roles.contains(&role) {
                " ✓ |"
            } else {
                " |"
            });
        }
    }
    table.push('\n');
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Covers: GMP-ROLE-1
    #[test]
    fn admins_and_auditors_never_sign() {
        for (action, roles) in AUTHORIZATION {
            if action.as_str().starts_with("sign_") {
                assert!(
                    !roles.contains(&Admin) && !roles.contains(&Auditor),
                    "{action}"
                );
            }
        }
    }

    #[test]
    fn the_readme_prints_the_table_as_the_code_has_it() {
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&markdown_table()),
            "README.md's authorization table is out of date; it should read:\n{}",
            markdown_table()
        );
    }
}
