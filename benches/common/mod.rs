//! What the benches share: running on each backend (SQLite in a temp directory, PostgreSQL on
//! its own new database when a server answers) and the process's peak memory.

use diesel::connection::SimpleConnection;
use diesel::Connection;

/// Runs `bench(backend, url)` on SQLite, then on a fresh PostgreSQL database named
/// `<name>_<pid>` (dropped afterwards) when `CARTREC_BENCH_POSTGRES` or the local server answers.
/// `CARTREC_BENCH_BACKEND=sqlite` (or `postgresql`) runs on that one only.
pub fn on_each_backend(name: &str, bench: impl Fn(&str, &str)) {
    let only = std::env::var("CARTREC_BENCH_BACKEND").ok();
    let wanted = |backend: &str| only.as_deref().is_none_or(|only| only == backend);
    let dir = tempfile::tempdir().expect("temp dir");
    if wanted("sqlite") {
        let sqlite = dir.path().join(format!("{name}.sqlite3"));
        bench("sqlite", &sqlite.to_string_lossy());
    }
    if !wanted("postgresql") {
        return;
    }

    let admin_url = std::env::var("CARTREC_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    match diesel::PgConnection::establish(&admin_url) {
        Ok(mut admin) => {
            let database = format!("{name}_{}", std::process::id());
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {database}"))
                .and_then(|()| admin.batch_execute(&format!("CREATE DATABASE {database}")))
                .expect("create bench database");
            let (base, _) = admin_url.rsplit_once('/').expect("URL with a database");
            bench("postgresql", &format!("{base}/{database}"));
            admin
                .batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)"))
                .expect("drop bench database");
        }
        Err(e) => println!("postgresql skipped: {e}"),
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory: {mib:.1} MiB");
    }
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
