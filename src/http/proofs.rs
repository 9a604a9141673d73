//! Merkle proofs for auditors (RFC 6962 / RFC 9162): that an entry is in the tree of the first
//! `size` entries, and that a larger tree extends a smaller one. Hashes are standard base64, as
//! in the RFC 6962 conformance vectors and in checkpoints.

use actix_web::{web, HttpResponse};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::problems::{BadRequest, Forbidden, Unauthorized, Unprocessable};
use super::AppState;
use crate::error::AppError;
use crate::ledger::{self, Hash};
use crate::services::accounts::Principal;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The entry's `seq`: below `size`.
    #[param(minimum = 0)]
    index: u64,
    /// The tree size: how many entries, from seq 0, the tree holds; at most the ledger's size.
    #[param(minimum = 1)]
    size: u64,
}

/// An RFC 6962 inclusion proof (audit path), leaf side first.
#[derive(Serialize, ToSchema)]
pub struct InclusionAnswer {
    index: u64,
    size: u64,
    /// The entry's `hash` (its RFC 6962 leaf hash), base64.
    leaf_hash: String,
    /// The root of the tree of `size` entries, base64.
    root: String,
    /// Base64 SHA-256 hashes.
    proof: Vec<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older tree size, at least 1.
    #[param(minimum = 1)]
    from: u64,
    /// The newer tree size, at least `from` and at most the ledger's size.
    #[param(minimum = 1)]
    to: u64,
}

/// An RFC 6962 consistency proof: the tree of `to` entries extends the tree of `from` entries.
#[derive(Serialize, ToSchema)]
pub struct ConsistencyAnswer {
    from: u64,
    to: u64,
    /// The root of the tree of `from` entries, base64.
    from_root: String,
    /// The root of the tree of `to` entries, base64.
    to_root: String,
    /// Base64 SHA-256 hashes; empty when `from` equals `to`.
    proof: Vec<String>,
}

fn b64(hash: &Hash) -> String {
    BASE64.encode(hash)
}

/// Proves that entry `index` is in the tree of the first `size` entries, from O(log n) stored
/// subtree hashes.
#[utoipa::path(
    get,
    path = "/api/v1/ledger/proof/inclusion",
    tag = "ledger",
    operation_id = "inclusion_proof",
    security(("bearer" = [])),
    params(InclusionQuery),
    responses(
        (status = 200, description = "The proof, with the leaf hash and the root it leads to", body = InclusionAnswer),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ),
)]
pub async fn inclusion(
    _who: Principal,
    state: web::Data<AppState>,
    query: web::Query<InclusionQuery>,
) -> Result<HttpResponse, AppError> {
    let InclusionQuery { index, size } = query.into_inner();
    let proof = state
        .db
        .run(move |conn| ledger::inclusion_proof(conn, index, size).map_err(AppError::from))
        .await?;
    Ok(HttpResponse::Ok().json(InclusionAnswer {
        index: proof.index,
        size: proof.size,
        leaf_hash: b64(&proof.leaf),
        root: b64(&proof.root),
        proof: proof.proof.iter().map(b64).collect(),
    }))
}

/// Proves that the tree of the first `to` entries extends the tree of the first `from`
/// entries, from O(log n) stored subtree hashes.
#[utoipa::path(
    get,
    path = "/api/v1/ledger/proof/consistency",
    tag = "ledger",
    operation_id = "consistency_proof",
    security(("bearer" = [])),
    params(ConsistencyQuery),
    responses(
        (status = 200, description = "The proof, with both roots", body = ConsistencyAnswer),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ),
)]
pub async fn consistency(
    _who: Principal,
    state: web::Data<AppState>,
    query: web::Query<ConsistencyQuery>,
) -> Result<HttpResponse, AppError> {
    let ConsistencyQuery { from, to } = query.into_inner();
    let proof = state
        .db
        .run(move |conn| ledger::consistency_proof(conn, from, to).map_err(AppError::from))
        .await?;
    Ok(HttpResponse::Ok().json(ConsistencyAnswer {
        from: proof.from,
        to: proof.to,
        from_root: b64(&proof.from_root),
        to_root: b64(&proof.to_root),
        proof: proof.proof.iter().map(b64).collect(),
    }))
}
