//! Configuration in one place: built-in defaults < optional TOML file < `CARTREC_*` variables.

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `postgres://…` selects PostgreSQL; anything else is a SQLite file path.
    /// Default: `<data_dir>/cartrec.sqlite3`.
    pub database_url: Option<String>,
    pub bind: String,
    pub data_dir: PathBuf,
    /// Default: `<data_dir>/jwt.secret`, generated on first start.
    pub jwt_secret_file: Option<PathBuf>,
    /// Default: `<data_dir>/checkpoint.key`, generated on first start.
    pub checkpoint_key_file: Option<PathBuf>,
    /// This site's ISBT 128 facility identification number (FIN), assigned by ICCBBA; the chain
    /// of identity identifiers cartrec assigns carry it.
    pub facility_id: String,
    /// Name of the log in checkpoints and of the checkpoint signing key.
    pub log_origin: String,
    /// A directory that receives a copy of every signed checkpoint, ideally one the database's
    /// administrator cannot write (WORM storage, another host). Default:
    /// `<data_dir>/checkpoints`.
    pub checkpoint_dir: Option<PathBuf>,
    /// Sign a checkpoint once this many entries were appended since the last (0: never).
    pub checkpoint_every_entries: u64,
    /// Sign a checkpoint this many seconds after the last, if entries were appended (0: never).
    pub checkpoint_every_seconds: u64,
    /// Verify the whole ledger in the background this often, besides once at every start
    /// (0: only at start).
    pub verify_every_minutes: u64,
    pub log_format: LogFormat,
    pub log_level: String,
    pub token_ttl_minutes: u32,
    pub session_idle_minutes: u32,
    pub session_max_hours: u32,
    /// Consecutive wrong passwords (login, signature, password change) that lock an account.
    pub lockout_threshold: u32,
    pub lockout_minutes: u32,
    /// How many recent passwords a new one may not repeat.
    pub password_history: u32,
    /// Password attempts (login, signature, password change) allowed per minute and client.
    pub rate_limit_per_client_per_minute: u32,
    /// Password attempts allowed per minute and account.
    pub rate_limit_per_account_per_minute: u32,
    pub db_pool_size: u32,
    pub max_body_bytes: usize,
    /// The largest file `POST /api/v1/attachments` accepts.
    pub max_attachment_bytes: usize,
    /// A step record entered more than this many minutes after the latest time it states is
    /// listed as a late entry in the QP's review.
    pub late_entry_minutes: u32,
    /// The site's IANA time zone (e.g. `Europe/Rome`): the web UI shows times in it and reads
    /// the dates and times people type in it.
    pub time_zone: String,
    /// Apply pending migrations on `serve`. Off where the runtime role may not run DDL.
    pub migrate_on_start: bool,
    /// HTTP worker threads; 0 means one per CPU.
    pub workers: usize,
    /// Where `GET /metrics` (Prometheus) is served, unauthenticated, on a listener of its own;
    /// unset: nowhere.
    pub metrics_bind: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: None,
            bind: "127.0.0.1:8080".to_owned(),
            data_dir: PathBuf::from("./data"),
            jwt_secret_file: None,
            checkpoint_key_file: None,
            facility_id: "A9999".to_owned(),
            log_origin: "cartrec.local/ledger".to_owned(),
            checkpoint_dir: None,
            checkpoint_every_entries: 1000,
            checkpoint_every_seconds: 300,
            verify_every_minutes: 1440,
            log_format: LogFormat::Pretty,
            log_level: "info".to_owned(),
            token_ttl_minutes: 15,
            session_idle_minutes: 15,
            session_max_hours: 8,
            lockout_threshold: 5,
            lockout_minutes: 15,
            password_history: 5,
            rate_limit_per_client_per_minute: 60,
            rate_limit_per_account_per_minute: 10,
            db_pool_size: 16,
            max_body_bytes: 256 * 1024,
            max_attachment_bytes: 20 * 1024 * 1024,
            late_entry_minutes: 60,
            time_zone: "UTC".to_owned(),
            migrate_on_start: true,
            workers: 0,
            metrics_bind: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Settings {
    /// Defaults, then the file if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        // `CARTREC_CONFIG` names the file; `CARTREC_TEST_*` belong to the test suite. Every
        // other `CARTREC_*` variable must be a setting, so a typo is an error, not ignored.
        let env = Env::prefixed("CARTREC_").filter(|key| {
            let key = key.as_str().to_ascii_lowercase();
            key != "config" && !key.starts_with("test_")
        });
        figment
            .merge(env)
            .extract()
            .map_err(|e| ConfigError(Box::new(e)))
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            self.data_dir
                .join("cartrec.sqlite3")
                .to_string_lossy()
                .into_owned()
        })
    }

    pub fn jwt_secret_path(&self) -> PathBuf {
        self.jwt_secret_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("jwt.secret"))
    }

    pub fn checkpoint_key_path(&self) -> PathBuf {
        self.checkpoint_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("checkpoint.key"))
    }

    /// Where the instance keeps, across restarts, that it stopped trusting its ledger: in the
    /// data directory, beyond the reach of someone who can only write to the database.
    pub fn distrust_file_path(&self) -> PathBuf {
        self.data_dir.join("ledger-distrust.json")
    }

    pub fn checkpoint_dir_path(&self) -> PathBuf {
        self.checkpoint_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("checkpoints"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail API fixes the closure's error type
    fn environment_overrides_file_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "cartrec.toml",
                "bind = \"0.0.0.0:9000\"\nlog_level = \"debug\"",
            )?;
            jail.set_env("CARTREC_LOG_LEVEL", "warn");
            jail.set_env("CARTREC_TEST_DATABASE", "ignored by the service");
            let settings =
                Settings::load(Some(Path::new("cartrec.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(settings.bind, "0.0.0.0:9000");
            assert_eq!(settings.log_level, "warn");
            assert_eq!(settings.token_ttl_minutes, 15);
            jail.set_env("CARTREC_TOKEN_TTL", "5");
            assert!(
                Settings::load(None).is_err(),
                "a misspelt setting is refused"
            );
            Ok(())
        });
    }
}
