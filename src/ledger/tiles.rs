//! The log as C2SP `tlog-tiles` (https://c2sp.org/tlog-tiles), for existing tlog tooling:
//! hash tiles of height 8 read from the stored tree (level-`L` tiles hold the hashes of tree
//! level `8 * L`: entries' own hashes at level 0, stored subtrees above) and entry bundles of
//! each entry's stored bytes. Paths are parsed and written by the `tlog_tiles` crate.

use std::ops::Range;

use diesel::prelude::*;
use tlog_tiles::Tile;

use super::tree::{ledger_size, read_level};
use super::LedgerError;
use crate::db::schema::ledger_entries::dsl as le;
use crate::db::DbConn;

/// Tiles are 2^8 = 256 hashes wide (the only height C2SP `tlog-tiles` uses).
pub const TILE_HEIGHT: u8 = 8;
/// Hashes (or entries) in a full tile.
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;
/// The largest entry an entry bundle can frame: its length prefix is a big-endian uint16.
pub const MAX_BUNDLED_ENTRY: usize = u16::MAX as usize;

/// What a tile path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileRequest {
    /// `tile/<L>/<N>[.p/<W>]`.
    Hashes(Tile),
    /// `tile/entries/<N>[.p/<W>]`.
    Entries(Tile),
}

/// Parses the part of a C2SP tile path after `tile/`: `<L>/<N>[.p/<W>]` or
/// `entries/<N>[.p/<W>]`, with `<N>` in the `x001/x234/067` encoding. `None` for anything else,
/// including non-canonical spellings (`tlog_tiles` re-renders the path and compares).
pub fn parse_tile_path(tail: &str) -> Option<TileRequest> {
    let (first, rest) = tail.split_once('/')?;
    let (level, entries) = match first {
        "entries" => ("data", true),
        // "data" is the Go sumdb spelling, not C2SP's; levels are 0..=63 (checked here because
        // `Tile::new` panics on the others).
        "data" => return None,
        level if level.parse::<u8>().is_ok_and(|l| l < 64) => (level, false),
        _ => return None,
    };
    // `Tile::new` panics on a width of 0 too.
    if let Some((_, width)) = rest.rsplit_once(".p/") {
        if width.parse::<u32>().map_or(true, |w| w == 0) {
            return None;
        }
    }
    // The crate's paths carry the height, which C2SP omits; it refuses any path it would not
    // write back the same way.
    let tile = Tile::from_path(&format!("tile/{TILE_HEIGHT}/{level}/{rest}")).ok()?;
    Some(if entries {
        TileRequest::Entries(tile)
    } else {
        TileRequest::Hashes(tile)
    })
}

/// The C2SP path of a tile (`tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`).
pub fn tile_path(tile: &Tile) -> String {
    let path = tile.path();
    let tail = path
        .strip_prefix(&format!("tile/{TILE_HEIGHT}/"))
        .expect("tiles here are of height 8");
    match tail.strip_prefix("data/") {
        Some(index) => format!("tile/entries/{index}"),
        None => format!("tile/{tail}"),
    }
}

/// The tree level and the node indexes a hash tile holds, if the tree of `size` entries has
/// all of them (every hash of a tile is a complete subtree).
pub fn hash_tile_span(tile: &Tile, size: u64) -> Option<(u32, Range<u64>)> {
    let tree_level = u32::from(tile.level()) * u32::from(TILE_HEIGHT);
    let available = size.checked_shr(tree_level).unwrap_or(0);
    let range = span(tile)?;
    (range.end <= available).then_some((tree_level, range))
}

/// The `seq`s an entry bundle holds, if the ledger of `size` entries has all of them.
pub fn bundle_span(tile: &Tile, size: u64) -> Option<Range<u64>> {
    span(tile).filter(|range| range.end <= size)
}

fn span(tile: &Tile) -> Option<Range<u64>> {
    let start = tile.level_index().checked_mul(TILE_WIDTH)?;
    let end = start.checked_add(u64::from(tile.width()))?;
    Some(start..end)
}

/// A tile's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TileAnswer {
    /// The tile's bytes.
    Tile(Vec<u8>),
    /// The tree does not have this tile (yet).
    BeyondTree { size: u64 },
    /// An entry of the bundle is longer than a uint16 length prefix can say.
    EntryTooLarge { seq: u64, len: usize },
}

/// A hash tile: the concatenated 32-byte hashes, read from the stored tree.
pub fn hash_tile(conn: &mut DbConn, tile: &Tile) -> Result<TileAnswer, LedgerError> {
    let size = ledger_size(conn)?;
    let Some((level, range)) = hash_tile_span(tile, size) else {
        return Ok(TileAnswer::BeyondTree { size });
    };
    let hashes = read_level(conn, level, range)?;
    Ok(TileAnswer::Tile(hashes.concat()))
}

/// An entry bundle: each entry's stored bytes (whose RFC 6962 leaf hash is its `hash`), each
/// after its length as a big-endian uint16.
pub fn entry_bundle(conn: &mut DbConn, tile: &Tile) -> Result<TileAnswer, LedgerError> {
    let size = ledger_size(conn)?;
    let Some(range) = bundle_span(tile, size) else {
        return Ok(TileAnswer::BeyondTree { size });
    };
    let rows: Vec<(i64, Vec<u8>)> = le::ledger_entries
        .filter(le::seq.ge(range.start as i64))
        .filter(le::seq.lt(range.end as i64))
        .order(le::seq.asc())
        .select((le::seq, le::entry_bytes))
        .load(conn)?;
    bundle(range, rows)
}

fn bundle(range: Range<u64>, rows: Vec<(i64, Vec<u8>)>) -> Result<TileAnswer, LedgerError> {
    let mut out = Vec::with_capacity(rows.iter().map(|(_, b)| b.len() + 2).sum());
    let mut expected = range.clone();
    for (seq, bytes) in rows {
        if let Some(want) = expected.next().filter(|want| *want != seq as u64) {
            return Err(LedgerError::Corrupt {
                seq: want as i64,
                reason: "the entry is missing from the ledger".to_owned(),
            });
        }
        let Ok(len) = u16::try_from(bytes.len()) else {
            return Ok(TileAnswer::EntryTooLarge {
                seq: seq as u64,
                len: bytes.len(),
            });
        };
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&bytes);
    }
    if let Some(seq) = expected.next() {
        return Err(LedgerError::Corrupt {
            seq: seq as i64,
            reason: "the entry is missing from the ledger".to_owned(),
        });
    }
    Ok(TileAnswer::Tile(out))
}

#[cfg(test)]
#[path = "tiles_tests.rs"]
mod tests;
