//! The real `cartrec serve` as a child process: started on a free port against a database,
//! timed until `/readyz` answers, measured through `/proc/<pid>`, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a start may take before the bench gives up on it.
const START_TIMEOUT: Duration = Duration::from_secs(60);
const POLL_EVERY: Duration = Duration::from_millis(2);

/// Settings the bench gives the server on top of its defaults, and why.
const SETTINGS: [(&str, &str); 5] = [
    ("CARTREC_LOG_LEVEL", "warn"),
    // 16 clients sign from one address, each account far more often than a person would:
    // the per-minute limits on password attempts would refuse most of them.
    ("CARTREC_RATE_LIMIT_PER_CLIENT_PER_MINUTE", "10000000"),
    ("CARTREC_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE", "10000000"),
    // Long runs (CARTREC_BENCH_SECONDS=600) must not see their tokens expire.
    ("CARTREC_TOKEN_TTL_MINUTES", "600"),
    ("CARTREC_SESSION_IDLE_MINUTES", "600"),
];

/// Where a server keeps its state: the database and the data directory (keys, checkpoints).
pub struct Site {
    pub database_url: String,
    pub data_dir: PathBuf,
}

pub struct Server {
    child: Child,
    pub address: String,
    /// The server's own metrics listener.
    metrics: String,
    /// Spawn until `/readyz` first answered 200.
    pub ready_after: Duration,
    /// The first admin's one-time password, when this start created it.
    pub bootstrap_password: Option<String>,
}

impl Site {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cartrec"));
        command.args(args);
        // The server refuses unknown CARTREC_* settings, and the bench's own variables
        // (CARTREC_BENCH_*) are not settings.
        for (key, _) in std::env::vars() {
            if key.starts_with("CARTREC_") {
                command.env_remove(key);
            }
        }
        command
            .env("CARTREC_DATABASE_URL", &self.database_url)
            .env("CARTREC_DATA_DIR", &self.data_dir)
            .envs(SETTINGS);
        command
    }

    /// `cartrec user approve <username>` at the console, as the first QA user needs.
    pub fn approve_at_console(&self, username: &str) {
        let output = self
            .command(&["user", "approve", username, "--confirmed-by", "Site Head"])
            .output()
            .expect("cartrec runs");
        assert!(
            output.status.success(),
            "console approval of {username}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts `cartrec serve` and waits until it is ready.
    pub async fn start(&self) -> Server {
        let port = free_port();
        let metrics_port = free_port();
        std::fs::create_dir_all(&self.data_dir).expect("data directory");
        let log = self.data_dir.join("server.log");
        let started = Instant::now();
        let mut child = self
            .command(&["serve"])
            .env("CARTREC_BIND", format!("127.0.0.1:{port}"))
            .env("CARTREC_METRICS_BIND", format!("127.0.0.1:{metrics_port}"))
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("cartrec starts");
        let password = read_bootstrap_password(child.stdout.take().expect("stdout"));
        let address = format!("http://127.0.0.1:{port}");
        let ready_after = wait_until_ready(&address, &mut child, started, &log).await;
        Server {
            child,
            address,
            metrics: format!("http://127.0.0.1:{metrics_port}/metrics"),
            ready_after,
            bootstrap_password: password.recv_timeout(Duration::from_secs(1)).ok(),
        }
    }
}

/// How long writes held the ledger's append lock, from the server's Prometheus counters.
#[derive(Debug, Clone, Copy, Default)]
pub struct LockUse {
    /// Writes and the seconds they held the group's connection, in total.
    pub turns: f64,
    pub turn_seconds: f64,
    /// Groups committed and the seconds their commits took, in total.
    pub commits: f64,
    pub commit_seconds: f64,
}

impl LockUse {
    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &LockUse) -> LockUse {
        LockUse {
            turns: self.turns - earlier.turns,
            turn_seconds: self.turn_seconds - earlier.turn_seconds,
            commits: self.commits - earlier.commits,
            commit_seconds: self.commit_seconds - earlier.commit_seconds,
        }
    }
}

impl Server {
    /// The lock-holding figures now (zero if the metrics cannot be read).
    pub async fn lock_use(&self) -> LockUse {
        let Ok(response) = reqwest::get(&self.metrics).await else {
            return LockUse::default();
        };
        let text = response.text().await.unwrap_or_default();
        // Prometheus text format: `name value` lines; only four plain (label-less) series.
        let value = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
                .unwrap_or(0.0)
        };
        LockUse {
            turns: value("cartrec_ledger_write_turn_seconds_count"),
            turn_seconds: value("cartrec_ledger_write_turn_seconds_sum"),
            commits: value("cartrec_ledger_group_commit_seconds_count"),
            commit_seconds: value("cartrec_ledger_group_commit_seconds_sum"),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `VmHWM`, the peak resident memory since the process started, in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        proc_status_kib(self.pid(), "VmHWM:") / 1024.0
    }

    /// CPU time the server has used (user and system), from `/proc/<pid>/stat`.
    pub fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))
            .expect("server /proc/<pid>/stat");
        // Fields after the command name (which may hold spaces, hence the last ')'):
        // utime and stime are the 12th and 13th, in clock ticks.
        let after_name = &stat[stat.rfind(')').expect("stat format") + 2..];
        let ticks: u64 = after_name
            .split_whitespace()
            .skip(11)
            .take(2)
            .map(|t| t.parse::<u64>().expect("ticks"))
            .sum();
        // USER_HZ is 100 on every Linux architecture's user ABI.
        Duration::from_millis(ticks * 10)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Reads the server's stdout on a thread of its own (so the pipe never fills) and sends the
/// one-time password `serve` prints on a first start: the line after "First start".
fn read_bootstrap_password(stdout: std::process::ChildStdout) -> std::sync::mpsc::Receiver<String> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut after_first_start = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let line = line.trim();
            if line.contains("First start") {
                after_first_start = true;
            } else if after_first_start && !line.is_empty() {
                let _ = send.send(line.to_owned());
                after_first_start = false;
            }
        }
    });
    receive
}

async fn wait_until_ready(
    address: &str,
    child: &mut Child,
    started: Instant,
    log: &Path,
) -> Duration {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("HTTP client");
    let readyz = format!("{address}/readyz");
    loop {
        if let Ok(response) = client.get(&readyz).send().await {
            if response.status() == 200 {
                return started.elapsed();
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "cartrec exited ({status}) before it was ready:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < START_TIMEOUT,
            "cartrec not ready after {START_TIMEOUT:?}"
        );
        tokio::time::sleep(POLL_EVERY).await;
    }
}

fn proc_status_kib(pid: u32, field: &str) -> f64 {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).expect("server /proc/<pid>/status");
    status
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kib| kib.parse().ok())
        .expect("a VmHWM line")
}
