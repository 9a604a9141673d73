//! Electronic signatures as the domain sees them (21 CFR Part 11 §11.50): the closed set of
//! meanings and the `signature.applied` event that binds a signer to the hashes of records.

use serde::{Deserialize, Serialize};

/// The closed set of signature meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignatureMeaning {
    Performed,
    Verified,
    Witnessed,
    Reviewed,
    Approved,
    Released,
    Rejected,
    ReleasedExceptionally,
    /// The treating physician's request for an out-of-specification product, with the risk
    /// acknowledged (EudraLex Vol 4 Part IV §11.54).
    Requested,
    /// A person's certification that their electronic signature is the legally binding
    /// equivalent of their handwritten signature (21 CFR Part 11 §11.100(c)).
    Acknowledged,
}

impl SignatureMeaning {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMeaning::Performed => "performed",
            SignatureMeaning::Verified => "verified",
            SignatureMeaning::Witnessed => "witnessed",
            SignatureMeaning::Reviewed => "reviewed",
            SignatureMeaning::Approved => "approved",
            SignatureMeaning::Released => "released",
            SignatureMeaning::Rejected => "rejected",
            SignatureMeaning::ReleasedExceptionally => "released_exceptionally",
            SignatureMeaning::Requested => "requested",
            SignatureMeaning::Acknowledged => "acknowledged",
        }
    }

    /// Whether a signature with this meaning may be applied to an existing record on its own.
    /// Release decisions are signed only as part of the batch's release action, where the
    /// release rules are checked, a physician's request only as that request, and an
    /// acknowledgment only as one's own certification.
    pub fn stands_alone(self) -> bool {
        !matches!(
            self,
            SignatureMeaning::Released
                | SignatureMeaning::Rejected
                | SignatureMeaning::ReleasedExceptionally
                | SignatureMeaning::Requested
                | SignatureMeaning::Acknowledged
        )
    }
}

/// One signed ledger entry: its position, the hash the signature is bound to, and its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedEntry {
    pub seq: i64,
    pub hash: String,
    pub kind: String,
}

/// The payload of a `signature.applied` event, in the stream of the records it signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureApplied {
    pub signer: String,
    pub signer_full_name: String,
    pub meaning: SignatureMeaning,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub signed: Vec<SignedEntry>,
}

pub const SIGNATURE_KIND: &str = "signature.applied";

/// Whether an entry of this stream may be signed on its own, through the generic signing
/// endpoint. Batches, templates, lots, equipment and the chain-of-identity and attachment
/// streams are signed only through their own actions, where their rules are checked (a
/// `verified` signature on a step record is a second-person verification, and only the
/// step's own action may make one).
pub fn signable_on_its_own(stream: &str) -> bool {
    stream == "system" || stream.starts_with("user/")
}
