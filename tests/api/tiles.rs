//! The C2SP tlog-tiles resources, checked the way tlog tooling reads them: the level-0 hash
//! tiles hold the entries' hashes, the entry bundles hold bytes that hash to them, and the tiles
//! hash to the signed checkpoint's root through `tlog_tiles`' own tile reader.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use reqwest::StatusCode;
use tlog_tiles::{record_hash, tree_hash, Tile, TileHashReader, TileReader};

use cartrec::db::DbConn;
use cartrec::error::AppError;
use cartrec::ledger::{self, Actor, EventKind, NewEvent, Stream};
use serde_json::json;

use crate::helpers::{checkpoint_head, problem, spawn_app, TestApp, TestUser};
use crate::ledger_integrity::append_test_events;

/// The C2SP path (no height) of a `tlog_tiles` tile of height 8.
fn c2sp(tile: &Tile) -> String {
    let path = tile.path();
    let tail = path.strip_prefix("tile/8/").expect("height 8");
    match tail.strip_prefix("data/") {
        Some(index) => format!("/api/v1/log/tile/entries/{index}"),
        None => format!("/api/v1/log/tile/{tail}"),
    }
}

async fn fetch(app: &TestApp, who: &TestUser, path: &str) -> Vec<u8> {
    let response = app.get(path, Some(&who.token)).await;
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "application/octet-stream",
        "{path}"
    );
    response.bytes().await.expect("body").to_vec()
}

/// Tiles fetched beforehand, served to `TileHashReader`.
struct Fetched(HashMap<Tile, Vec<u8>>);

impl TileReader for Fetched {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        Ok(tiles
            .iter()
            .map(|t| self.0.get(t).cloned().unwrap_or_else(|| panic!("{t:?}")))
            .collect())
    }

    fn save_tiles(&self, _tiles: &[Tile], _data: &[Vec<u8>]) {}
}

/// The entries of one bundle, split at their big-endian uint16 lengths.
fn unbundle(mut data: &[u8]) -> Vec<Vec<u8>> {
    let mut entries = Vec::new();
    while !data.is_empty() {
        let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
        entries.push(data[2..2 + len].to_vec());
        data = &data[2 + len..];
    }
    entries
}

/// Covers: GMP-LED-11
#[tokio::test]
async fn tiles_and_bundles_hold_the_ledger_and_hash_to_the_signed_root() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    // Over 256 entries: one full level-0 tile, a partial one, and level 1's first hash.
    app.sealed(|| append_test_events(&mut app.db.connect(), "tiles", 300));

    let note = app.sign_checkpoint(&auditor).await;
    let served = app
        .get("/api/v1/log/checkpoint", Some(&auditor.token))
        .await;
    assert_eq!(served.status(), 200);
    assert!(served.headers()["content-type"]
        .to_str()
        .expect("ASCII")
        .starts_with("text/plain"));
    assert_eq!(served.text().await.expect("note"), note);
    let (size, root) = checkpoint_head(&note);
    assert!(size > 256 && size % 256 != 0, "{size}");

    let entries = app.ledger_entries(&auditor).await;
    let hashes: Vec<Vec<u8>> = entries[..size as usize]
        .iter()
        .map(|e| hex::decode(e["hash"].as_str().expect("hash")).expect("hex"))
        .collect();

    // Every tile a client of this tree reads; then `tlog_tiles` recomputes the root from them.
    let mut fetched = HashMap::new();
    for tile in Tile::new_tiles(8, 0, size) {
        fetched.insert(tile, fetch(&app, &auditor, &c2sp(&tile)).await);
    }
    let levels: Vec<(u8, u64, u32)> = fetched
        .keys()
        .map(|t| (t.level(), t.level_index(), t.width()))
        .collect();
    assert!(levels.contains(&(0, 0, 256)), "{levels:?}");
    assert!(levels.contains(&(0, 1, (size - 256) as u32)), "{levels:?}");
    assert!(levels.contains(&(1, 0, 1)), "{levels:?}");
    let level0: Vec<u8> = (0..=size / 256)
        .flat_map(|n| {
            let width = (size - n * 256).min(256) as u32;
            fetched[&Tile::new(8, 0, n, width, false)].clone()
        })
        .collect();
    assert_eq!(level0, hashes.concat(), "level 0 holds the entries' hashes");
    let reader = Fetched(fetched);
    let tiles = TileHashReader::new(size, tlog_tiles::Hash(root), &reader);
    let computed = tree_hash(size, &tiles).expect("the tiles hash to the signed root");
    assert_eq!(computed.0, root);

    // Entry bundles: the stored bytes, whose leaf hashes are the entries' hashes.
    let mut bundled = Vec::new();
    for n in 0..=size / 256 {
        let width = (size - n * 256).min(256) as u32;
        let tile = Tile::new(8, 0, n, width, true);
        bundled.extend(unbundle(&fetch(&app, &auditor, &c2sp(&tile)).await));
    }
    assert_eq!(bundled.len() as u64, size);
    for (seq, bytes) in bundled.iter().enumerate() {
        assert_eq!(record_hash(bytes).0.to_vec(), hashes[seq], "entry {seq}");
        let stored = BASE64
            .decode(entries[seq]["entry_bytes"].as_str().expect("bytes"))
            .expect("base64");
        assert_eq!(bytes, &stored, "entry {seq}");
    }

    // A partial tile narrower than the tree has is served too (a client of an older tree).
    let narrow = fetch(&app, &auditor, "/api/v1/log/tile/0/000.p/3").await;
    assert_eq!(narrow, hashes[..3].concat());
    let narrow = fetch(&app, &auditor, "/api/v1/log/tile/entries/000.p/2").await;
    assert_eq!(unbundle(&narrow).len(), 2);

    // Beyond the tree: 404.
    let held = app.ledger_entries(&auditor).await.len() as u64;
    let beyond = [
        format!("/api/v1/log/tile/0/{:03}", held / 256 + 1),
        format!("/api/v1/log/tile/0/{:03}.p/{}", held / 256, held % 256 + 1),
        format!("/api/v1/log/tile/entries/{:03}", held / 256 + 1),
        "/api/v1/log/tile/1/000".to_owned(),
        "/api/v1/log/tile/1/000.p/2".to_owned(),
        "/api/v1/log/tile/2/000.p/1".to_owned(),
        "/api/v1/log/tile/63/x018/x446/x744/x073/x709/x551/615".to_owned(),
    ];
    for path in beyond {
        let (status, body) = problem(app.get(&path, Some(&auditor.token)).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_eq!(body["code"], "no_such_tile", "{path}");
    }
    // Not a tile path: 400.
    for tail in [
        "",
        "0",
        "0/0",
        "0/1000",
        "0/000.p/0",
        "0/000.p/256",
        "64/000",
        "data/000",
        "8/0/000",
        "0/x000/001",
        "entries/000.p/",
    ] {
        let path = format!("/api/v1/log/tile/{tail}");
        let (status, body) = problem(app.get(&path, Some(&auditor.token)).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
    }
}

/// 70,000 entries appended 10,000 to a transaction, as a busy site's ledger grows.
fn append_many(mut conn: DbConn, count: u64) {
    let stream = Stream::parse("batch/TILES-70K").expect("stream");
    for chunk in (0..count).step_by(10_000) {
        ledger::write(&mut conn, |tx| {
            (chunk..(chunk + 10_000).min(count)).try_for_each(|i| {
                let event = NewEvent::from_value(
                    stream.clone(),
                    EventKind::parse("test.appended").expect("kind"),
                    json!({ "i": i }),
                )
                .expect("event");
                tx.append(&Actor::system(), event).map(drop)
            })
        })
        .map_err(AppError::from)
        .expect("bulk append");
    }
}

/// Covers: GMP-LED-11
#[tokio::test]
async fn at_seventy_thousand_entries_full_and_partial_tiles_of_levels_0_1_and_2_hash_to_the_root() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    // Off the runtime's thread, so the server goes on answering (and closing idle connections).
    let (conn, sealer) = (app.db.connect(), app.sealer());
    tokio::task::spawn_blocking(move || {
        cartrec::ledger::heads::within(Some(&sealer), || append_many(conn, 70_000))
    })
    .await
    .expect("appended");
    let note = app.sign_checkpoint(&auditor).await;
    let (size, root) = checkpoint_head(&note);
    // 65,536 = 256^2 entries fill level 2's first hash; the rest leave partial tiles above.
    assert!(size > 65_536 && size % 256 != 0, "{size}");

    let mut fetched = HashMap::new();
    for tile in Tile::new_tiles(8, 0, size) {
        fetched.insert(tile, fetch(&app, &auditor, &c2sp(&tile)).await);
    }
    let shapes: Vec<(u8, bool)> = fetched
        .keys()
        .map(|t| (t.level(), t.width() == 256))
        .collect();
    for level in 0..=2u8 {
        let full = level < 2;
        assert!(
            shapes.contains(&(level, false)),
            "a partial tile at level {level}"
        );
        assert_eq!(
            shapes.contains(&(level, true)),
            full,
            "full tiles at level {level}"
        );
    }
    let level2 = Tile::new(8, 2, 0, 1, false);
    assert_eq!(
        fetched[&level2].len(),
        32,
        "level 2 holds the hash of the first 65,536"
    );
    let reader = Fetched(fetched);
    let tiles = TileHashReader::new(size, tlog_tiles::Hash(root), &reader);
    let computed = tree_hash(size, &tiles).expect("the tiles hash to the signed root");
    assert_eq!(computed.0, root);
}

/// Covers: P11-10g
#[tokio::test]
async fn only_auditors_read_the_tiles() {
    let app = spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    for path in [
        "/api/v1/log/checkpoint",
        "/api/v1/log/tile/0/000.p/1",
        "/api/v1/log/tile/entries/000.p/1",
    ] {
        let (status, _) = problem(app.get(path, Some(&qa.token)).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            app.get(path, Some(&app.admin.token)).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
        let (status, _) = problem(app.get(path, None).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let auditor = app.user_with_roles(&["auditor"]).await;
    let response = app
        .get("/api/v1/log/tile/0/000.p/1", Some(&auditor.token))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // The tail route is known to the fallback: another method is 405, not 404.
    let posted = app
        .client
        .post(app.url("/api/v1/log/tile/0/000.p/1"))
        .bearer_auth(&auditor.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(posted.status(), StatusCode::METHOD_NOT_ALLOWED);
}
