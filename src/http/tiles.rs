//! The log as C2SP `tlog-tiles` resources (https://c2sp.org/tlog-tiles) under `/api/v1/log/`,
//! for auditors' existing tlog tooling: the newest signed checkpoint, hash tiles of height 8
//! read from the stored Merkle tree, and entry bundles of each entry's stored bytes.

use actix_web::http::header::ContentType;
use actix_web::{web, HttpResponse};

use super::problems::{BadRequest, Forbidden, NotFound, Unauthorized, Unprocessable};
use super::AppState;
use crate::domain::DomainError;
use crate::error::{AppError, ServiceError};
use crate::ledger::tiles::{self, TileAnswer, TileRequest, MAX_BUNDLED_ENTRY};
use crate::services::accounts::Principal;

/// The newest signed checkpoint (a C2SP `tlog-checkpoint` signed note), the one
/// `GET /api/v1/ledger/checkpoint` answers: the tree size and root the tiles are read against.
#[utoipa::path(
    get,
    path = "/api/v1/log/checkpoint",
    tag = "log",
    operation_id = "log_checkpoint",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed note", content_type = "text/plain", body = String),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn checkpoint(
    _who: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    crate::edge::downloads::newest_checkpoint(&state).await
}

/// A C2SP `tlog-tiles` tile. `{tail}` is `<L>/<N>[.p/<W>]` for a hash tile (the 32-byte hashes
/// of tree level 8·L, numbers N·256 to N·256+W−1; level 0 holds the entries' own `hash`) or
/// `entries/<N>[.p/<W>]` for an entry bundle (the stored bytes of entries N·256 to N·256+W−1,
/// each after its length as a big-endian uint16; its RFC 6962 leaf hash, SHA-256(0x00‖bytes),
/// is the entry's `hash`). N is written in 3-digit groups, all but the last prefixed with `x`
/// (`x001/x234/067`); `.p/<W>` names a partial tile of width W (1 to 255), a full tile has 256.
/// Tiles the ledger does not hold yet are 404; a path that is not a tile is 400; an entry bundle
/// with an entry longer than 65535 bytes (which a uint16 cannot frame) is 422.
#[utoipa::path(
    get,
    path = "/api/v1/log/tile/{tail}",
    tag = "log",
    operation_id = "log_tile",
    security(("bearer" = [])),
    params(
        ("tail" = String, Path, description = "`<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]`, e.g. `0/x001/234.p/17`"),
    ),
    responses(
        (status = 200, description = "The tile: W 32-byte hashes, or W length-prefixed entries", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ),
)]
pub async fn tile(
    _who: Principal,
    state: web::Data<AppState>,
    tail: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let tail = tail.into_inner();
    let Some(request) = tiles::parse_tile_path(&tail) else {
        return Err(AppError::BadRequest(format!(
            "`tile/{tail}` is not a C2SP tlog-tiles path: `tile/<L>/<N>[.p/<W>]` or \
             `tile/entries/<N>[.p/<W>]`, with N in 3-digit groups (`x001/x234/067`) and W \
             from 1 to 255"
        )));
    };
    let answer = state
        .db
        .run(move |conn| {
            match request {
                TileRequest::Hashes(tile) => tiles::hash_tile(conn, &tile),
                TileRequest::Entries(tile) => tiles::entry_bundle(conn, &tile),
            }
            .map_err(AppError::from)
        })
        .await?;
    let (TileRequest::Hashes(tile) | TileRequest::Entries(tile)) = request;
    match answer {
        TileAnswer::Tile(data) => Ok(HttpResponse::Ok()
            .content_type(ContentType::octet_stream())
            .body(data)),
        TileAnswer::BeyondTree { size } => Err(ServiceError::from(DomainError::not_found(
            "no_such_tile",
            format!(
                "the ledger holds {size} entries, too few for {}",
                tiles::tile_path(&tile)
            ),
        ))
        .into()),
        TileAnswer::EntryTooLarge { seq, len } => Err(ServiceError::from(DomainError::new(
            "entry_too_large_for_bundle",
            format!(
                "entry {seq} is {len} bytes, more than the {MAX_BUNDLED_ENTRY} a tlog-tiles \
                 entry bundle can frame; read it from GET /api/v1/ledger/entries (its hash is \
                 in the level-0 hash tiles)"
            ),
        ))
        .into()),
    }
}
