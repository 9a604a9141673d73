//! What the hardware and the database allow, measured in the same run as the load: the
//! database's durable single-row INSERT rate for rows of the size cartrec writes, and the
//! rate of bare argon2id checks (the server's own parameters) on every core.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl};
use secrecy::SecretString;

/// A table of the bench's own in the scratch database; never one of cartrec's.
const CEILING_TABLE: &str = "load_bench_ceiling";

/// pgbench's rate for single-row INSERTs of `row_bytes` from `clients` connections over
/// `seconds`, with the server's settings as they are (durable: `fsync` and
/// `synchronous_commit` on unless the server was configured otherwise).
pub fn pgbench_insert_rate(
    url: &str,
    clients: usize,
    seconds: u64,
    row_bytes: usize,
    dir: &Path,
) -> f64 {
    let mut conn = diesel::PgConnection::establish(url).expect("scratch database");
    conn.batch_execute(&format!(
        "DROP TABLE IF EXISTS {CEILING_TABLE};
         CREATE TABLE {CEILING_TABLE} (id bigserial PRIMARY KEY, body text NOT NULL)"
    ))
    .expect("ceiling table");
    let script = dir.join("insert.sql");
    std::fs::write(
        &script,
        format!("INSERT INTO {CEILING_TABLE} (body) VALUES (repeat('x', :row_bytes));\n"),
    )
    .expect("pgbench script");
    let output = Command::new("pgbench")
        .args([
            "-n",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.max(1).to_string(),
        ])
        .args(["-D", &format!("row_bytes={row_bytes}"), "-f"])
        .arg(&script)
        .arg(url)
        .output()
        .expect("pgbench runs (the PostgreSQL client tools are installed)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "pgbench failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    conn.batch_execute(&format!("DROP TABLE {CEILING_TABLE}"))
        .expect("drop ceiling table");
    // "tps = 10123.456789 (without initial connection time)"
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|tps| tps.parse().ok())
        .unwrap_or_else(|| panic!("no tps in pgbench's output:\n{stdout}"))
}

/// Single-row INSERTs of `row_bytes`, each its own transaction, one after the other, into a
/// SQLite file in `dir` with the durability cartrec uses (WAL, `synchronous=FULL`).
pub fn sqlite_serial_insert_rate(dir: &Path, seconds: f64, row_bytes: usize) -> f64 {
    let path = dir.join("ceiling.sqlite3");
    let mut conn =
        diesel::SqliteConnection::establish(&path.to_string_lossy()).expect("SQLite file");
    conn.batch_execute(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE {CEILING_TABLE} (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"
    ))
    .expect("ceiling table");
    let body = "x".repeat(row_bytes);
    let insert = format!("INSERT INTO {CEILING_TABLE} (body) VALUES (?)");
    let started = Instant::now();
    let deadline = Duration::from_secs_f64(seconds);
    let mut inserted = 0usize;
    while started.elapsed() < deadline {
        diesel::sql_query(&insert)
            .bind::<diesel::sql_types::Text, _>(&body)
            .execute(&mut conn)
            .expect("insert");
        inserted += 1;
    }
    let rate = inserted as f64 / started.elapsed().as_secs_f64();
    drop(conn);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.to_string_lossy()));
    }
    rate
}

/// argon2id checks per second on `threads` threads, through the server's own
/// `verify_password` (m=19 MiB, t=2, p=1) against a hash it made.
pub fn argon2_rate(threads: usize, seconds: f64) -> f64 {
    use cartrec::auth::password::{hash_password, verify_password};
    let password = SecretString::from("Lasting-0123456789abcdef-passphrase");
    let phc = hash_password(&password).expect("argon2 hash");
    let checks = AtomicUsize::new(0);
    let deadline = Duration::from_secs_f64(seconds);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while started.elapsed() < deadline {
                    assert!(verify_password(&password, &phc));
                    checks.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    checks.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}
