//! Where the report was made: the product version and commit, the operating system, the
//! machine, the Rust compiler and the two databases' versions. A fact that cannot be read is
//! reported as such, never guessed.

use std::path::Path;
use std::process::Command;

use diesel::dsl::sql;
use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};

pub struct Environment {
    pub version: String,
    pub commit: String,
    pub generated_at: String,
    pub os: String,
    pub machine: String,
    pub rustc: String,
    pub sqlite: String,
    pub postgres: String,
}

const UNKNOWN: &str = "not known";

impl Environment {
    pub fn read(postgres_url: Option<&str>) -> Environment {
        Environment {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            commit: commit(),
            generated_at: chrono::Utc::now()
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            os: os(),
            machine: machine(),
            rustc: output("rustc", &["--version"]).unwrap_or_else(|| UNKNOWN.to_owned()),
            sqlite: sqlite_version(),
            postgres: postgres_url
                .map_or_else(|| "not given (--postgres-url)".to_owned(), postgres_version),
        }
    }
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The commit checked out, and whether tracked files differ from it.
fn commit() -> String {
    let Some(head) = output("git", &["rev-parse", "HEAD"]) else {
        return UNKNOWN.to_owned();
    };
    match output("git", &["status", "--porcelain", "--untracked-files=no"]) {
        Some(changes) if changes.is_empty() => head,
        Some(_) => format!("{head} with uncommitted changes"),
        None => head,
    }
}

fn first_line(path: &str) -> Option<String> {
    let text = std::fs::read_to_string(Path::new(path)).ok()?;
    text.lines().next().map(|l| l.trim().to_owned())
}

fn os() -> String {
    let name = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_owned());
    match first_line("/proc/sys/kernel/osrelease") {
        Some(kernel) => format!("{name}, kernel {kernel}"),
        None => name,
    }
}

fn machine() -> String {
    let host = first_line("/proc/sys/kernel/hostname")
        .or_else(|| first_line("/etc/hostname"))
        .unwrap_or_else(|| UNKNOWN.to_owned());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{host} ({}, {cpus} CPUs)", std::env::consts::ARCH)
}

/// The SQLite library built into cartrec (the one the SQLite tests ran on).
fn sqlite_version() -> String {
    let version = SqliteConnection::establish(":memory:").and_then(|mut conn| {
        diesel::select(sql::<Text>("sqlite_version()"))
            .get_result::<String>(&mut conn)
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    });
    match version {
        Ok(v) => format!("SQLite {v} (bundled)"),
        Err(e) => format!("{UNKNOWN}: {e}"),
    }
}

fn postgres_version(url: &str) -> String {
    let version = PgConnection::establish(url).and_then(|mut conn| {
        diesel::select(sql::<Text>("current_setting('server_version')"))
            .get_result::<String>(&mut conn)
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    });
    match version {
        Ok(v) => format!("PostgreSQL {v} (server)"),
        // The URL may hold a password: the error says why, never the URL.
        Err(e) => format!("{UNKNOWN}: {e}"),
    }
}
