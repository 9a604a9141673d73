//! Tile paths, and tiles at levels 0, 1 and 2 assembled the way the database answers them
//! (from the stored subtrees) checked with `tlog_tiles`' own tile reader against the root.

use std::collections::HashMap;

use tlog_tiles::{tree_hash, TileHashReader, TileReader};

use super::*;
use crate::ledger::canonical::{leaf_hash, Hash};
use crate::ledger::merkle::{fold, subtrees, Frontier, NodeId};

fn hashes(tile: Tile) -> TileRequest {
    TileRequest::Hashes(tile)
}

/// Covers: GMP-LED-11
#[test]
fn c2sp_paths_parse_and_print_back() {
    let cases = [
        ("0/000", hashes(Tile::new(8, 0, 0, 256, false))),
        ("0/001.p/5", hashes(Tile::new(8, 0, 1, 5, false))),
        (
            "3/x001/x234/067",
            hashes(Tile::new(8, 3, 1_234_067, 256, false)),
        ),
        ("63/000.p/255", hashes(Tile::new(8, 63, 0, 255, false))),
        (
            "entries/x001/234.p/1",
            TileRequest::Entries(Tile::new(8, 0, 1234, 1, true)),
        ),
    ];
    for (tail, expected) in cases {
        let parsed = parse_tile_path(tail);
        assert_eq!(parsed, Some(expected), "{tail}");
        let (TileRequest::Hashes(tile) | TileRequest::Entries(tile)) = expected;
        assert_eq!(tile_path(&tile), format!("tile/{tail}"));
    }
    for bad in [
        "",
        "0",
        "0/",
        "0/0",
        "0/00",
        "00/000",
        "+0/000",
        "64/000",
        "255/000",
        "256/000",
        "-1/000",
        "data/000",
        "entries/000/",
        "0/000.p/0",
        "0/000.p/00",
        "0/000.p/256",
        "0/000.p/05",
        "0/000.p/",
        "0/1000",
        "0/x000/001",
        "0/001/002",
        "entries/000.p/x",
        "8/0/000",
        "0/x018/x446/x744/x073/x709/x551/616",
    ] {
        assert_eq!(parse_tile_path(bad), None, "{bad:?}");
    }
}

/// What storage holds for `leaves`: every complete subtree.
fn stored(leaves: &[Hash]) -> HashMap<NodeId, Hash> {
    let mut nodes = HashMap::new();
    let mut frontier = Frontier::default();
    for (i, leaf) in leaves.iter().enumerate() {
        nodes.insert(
            NodeId {
                level: 0,
                index: i as u64,
            },
            *leaf,
        );
        frontier.push(*leaf, |id, hash| {
            nodes.insert(id, *hash);
        });
    }
    nodes
}

/// Serves tiles the way [`hash_tile`] does, from a map of stored nodes.
struct Stored<'a> {
    nodes: &'a HashMap<NodeId, Hash>,
    size: u64,
}

impl Stored<'_> {
    fn tile(&self, tile: &Tile) -> Option<Vec<u8>> {
        let (level, range) = hash_tile_span(tile, self.size)?;
        let mut data = Vec::new();
        for index in range {
            let id = NodeId {
                level: level as u8,
                index,
            };
            data.extend_from_slice(&self.nodes[&id]);
        }
        Some(data)
    }
}

impl TileReader for Stored<'_> {
    fn height(&self) -> u8 {
        TILE_HEIGHT
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        Ok(tiles
            .iter()
            .map(|t| {
                self.tile(t)
                    .unwrap_or_else(|| panic!("{} is served", t.path()))
            })
            .collect())
    }

    fn save_tiles(&self, _tiles: &[Tile], _data: &[Vec<u8>]) {}
}

/// Covers: GMP-LED-11
#[test]
fn tiles_at_levels_0_1_and_2_hash_to_the_root() {
    const LEAVES: u64 = 70_000;
    let leaves: Vec<Hash> = (0..LEAVES).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let nodes = stored(&leaves);
    for size in [
        1,
        255,
        256,
        257,
        65_535,
        65_536,
        65_537,
        65_536 + 256 * 3 + 7,
        LEAVES,
    ] {
        let root = fold(
            &subtrees(0..size)
                .iter()
                .map(|id| nodes[id])
                .collect::<Vec<_>>(),
        )
        .expect("non-empty");
        let reader = Stored {
            nodes: &nodes,
            size,
        };
        // Every tile a client of a tree this size fetches is served, and they hash to the root.
        let tiles = TileHashReader::new(size, tlog_tiles::Hash(root), &reader);
        let computed = tree_hash(size, &tiles).expect("the tiles hash to the root");
        assert_eq!(computed.0, root, "size {size}");
        for tile in Tile::new_tiles(TILE_HEIGHT, 0, size) {
            let data = reader.tile(&tile).expect("served");
            assert_eq!(data.len(), tile.width() as usize * 32);
        }
    }
    // At 70,000 entries: full and partial tiles at level 0 and 1, a partial one at level 2.
    let size = LEAVES;
    assert!(hash_tile_span(&Tile::new(8, 0, 272, 256, false), size).is_some());
    assert!(hash_tile_span(&Tile::new(8, 0, 273, 112, false), size).is_some());
    assert!(hash_tile_span(&Tile::new(8, 0, 273, 113, false), size).is_none());
    assert!(hash_tile_span(&Tile::new(8, 0, 274, 1, false), size).is_none());
    assert!(hash_tile_span(&Tile::new(8, 1, 0, 256, false), size).is_some());
    assert!(hash_tile_span(&Tile::new(8, 1, 1, 17, false), size).is_some());
    assert!(hash_tile_span(&Tile::new(8, 1, 1, 18, false), size).is_none());
    assert!(hash_tile_span(&Tile::new(8, 2, 0, 1, false), size).is_some());
    assert!(hash_tile_span(&Tile::new(8, 2, 0, 2, false), size).is_none());
    assert!(hash_tile_span(&Tile::new(8, 3, 0, 1, false), size).is_none());
    assert!(hash_tile_span(&Tile::new(8, 63, 0, 1, false), size).is_none());
    assert_eq!(
        hash_tile_span(&Tile::new(8, 1, 1, 17, false), size),
        Some((8, 256..273))
    );
    assert_eq!(
        bundle_span(&Tile::new(8, 0, 273, 112, true), size),
        Some(69_888..70_000)
    );
    assert!(bundle_span(&Tile::new(8, 0, 273, 113, true), size).is_none());
    assert!(bundle_span(&Tile::new(8, 0, u64::MAX, 1, true), size).is_none());
}

/// Covers: GMP-LED-11
#[test]
fn bundles_frame_each_entry_and_refuse_what_a_uint16_cannot_say() {
    let rows = vec![(4, b"ab".to_vec()), (5, Vec::new()), (6, vec![7; 300])];
    let TileAnswer::Tile(data) = bundle(4..7, rows).expect("bundled") else {
        panic!("a bundle");
    };
    let mut expected = vec![0, 2, b'a', b'b', 0, 0, 1, 44];
    expected.extend([7; 300]);
    assert_eq!(data, expected);

    let too_long = vec![
        (0, vec![0; MAX_BUNDLED_ENTRY]),
        (1, vec![0; MAX_BUNDLED_ENTRY + 1]),
    ];
    assert_eq!(
        bundle(0..2, too_long).expect("answered"),
        TileAnswer::EntryTooLarge {
            seq: 1,
            len: MAX_BUNDLED_ENTRY + 1
        }
    );
    assert!(bundle(0..3, vec![(0, vec![]), (2, vec![])]).is_err());
    assert!(bundle(0..3, vec![(0, vec![]), (1, vec![])]).is_err());
}
