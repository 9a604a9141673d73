//! The command line: `serve`, `migrate`, `verify`, `user create-admin`, `user approve`.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::auth::password::check_policy;
use crate::backup;
use crate::config::Settings;
use crate::db::{ConnectionManager, DbConn};
use crate::domain::{FullName, Role, Roles, Username};
use crate::ledger::{self, Actor};
use crate::private_files;
use crate::progress;
use crate::services::accounts::{self, Approval, NewAccount};
use crate::services::projections;
use crate::startup::Application;
use crate::telemetry;

#[derive(Parser)]
#[command(
    name = "cartrec",
    version,
    about = "GMP electronic batch record for CAR-T manufacturing"
)]
pub struct Cli {
    /// TOML configuration file (overridden by CARTREC_* environment variables).
    #[arg(long, global = true, env = "CARTREC_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the HTTP service (applies migrations; creates the first admin on an empty database).
    Serve,
    /// Apply pending database migrations, then store the Merkle subtrees of any entries that
    /// lack them (entries written before the tree existed).
    Migrate,
    /// Verify the whole ledger (every hash, link and sequence), every signed checkpoint
    /// stored with it, then that every projection table (users, sessions, signatures) says what
    /// the ledger says. Exits non-zero on failure.
    Verify {
        /// A checkpoint the auditor kept: the ledger must be a consistent extension of it (a
        /// truncated tail or a rewritten history is named as such).
        #[arg(long, value_name = "FILE")]
        trusted: Option<PathBuf>,
        /// The checkpoint verifier key (`vkey` form); by default, the one of this server's
        /// checkpoint key file.
        #[arg(long, value_name = "FILE")]
        vkey: Option<PathBuf>,
    },
    /// Check a batch export bundle with no server and no database, against a verifier key you
    /// trust: every signature, hash, stream chain and inclusion proof. Exits non-zero and says
    /// exactly what is wrong when anything is.
    VerifyBundle {
        /// The bundle (`GET /api/v1/batches/{batch_number}/export`).
        file: PathBuf,
        /// The checkpoint verifier key (`vkey` form) you trust, e.g. from the site's QA.
        #[arg(long, value_name = "FILE")]
        vkey: PathBuf,
    },
    /// Make the projection tables (lots, equipment, …) again from the ledger, in one
    /// transaction.
    RebuildProjections,
    /// Process templates (master batch records).
    Template {
        #[command(subcommand)]
        command: TemplateCommand,
    },
    /// Manage accounts from the console.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a copy of the database to FILE (SQLite: VACUUM INTO; PostgreSQL: pg_dump
    /// --format=custom), verify the copy, and print what it holds.
    Backup {
        file: PathBuf,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
        /// The checkpoint verifier key (`vkey` form); by default, this server's.
        #[arg(long, value_name = "FILE")]
        vkey: Option<PathBuf>,
    },
    /// Restore a backup into the configured database (which must be empty), verify it, and
    /// refuse it when it is older than the newest checkpoint in `checkpoint_dir`.
    Restore {
        file: PathBuf,
        /// SQLite: replace a database file that is not empty (the old one is kept beside it).
        #[arg(long)]
        force: bool,
        /// Restore a backup older than the newest checkpoint in `checkpoint_dir`, losing the
        /// entries recorded since (they are named).
        #[arg(long)]
        accept_rollback: bool,
        /// The checkpoint verifier key (`vkey` form); by default, this server's.
        #[arg(long, value_name = "FILE")]
        vkey: Option<PathBuf>,
    },
    /// Write the validation report (HTML and PDF): every requirement of
    /// validation/requirements.toml with the tests tagged `/// Covers: ID` and their results
    /// in the saved output of `cargo test` on SQLite and on PostgreSQL; the requirements
    /// without a passing test first. Needs no configuration or database of this server.
    ValidationReport(crate::validation_report::command::Args),
}

#[derive(Subcommand)]
pub enum TemplateCommand {
    /// Import a template file as a new draft version (QA approves it in the API).
    Import { file: PathBuf },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an administrator account.
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        /// Read the password from the first line of standard input instead of a TTY prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Approve an account's pending roles directly, at the server's console: for the first QA
    /// user, when nobody can yet approve through the API. The owner must have certified their
    /// electronic signature first.
    Approve {
        username: String,
        /// The full name of the person who confirmed the account holder's identity.
        #[arg(long)]
        confirmed_by: String,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Needs no configuration, database or key file of this server: an inspector runs it anywhere.
    if let Command::VerifyBundle { file, vkey } = &cli.command {
        return verify_bundle(file, vkey);
    }
    if let Command::ValidationReport(args) = cli.command {
        return crate::validation_report::command::run(args);
    }
    let settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(settings.log_format, &settings.log_level);
    match cli.command {
        Command::Serve => serve(settings),
        Command::Migrate => {
            let mut conn = connect(&settings)?;
            let applied = crate::services::projections::migrate(&mut conn)?;
            println!("applied {} migration(s)", applied.len());
            // Subtrees are stored only over a ledger that passes the start-up check: never over
            // entries no signed head covers.
            // (An empty ledger has none to store, and needs no key.)
            let stored = match ledger::size(&mut conn)? {
                0 => 0,
                _ => sealed(&settings, |conn| Ok(ledger::catch_up_tree(conn)?))?,
            };
            if stored > 0 {
                println!("stored {stored} Merkle subtree(s) for entries that had none");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { trusted, vkey } => verify(&settings, trusted, vkey),
        Command::VerifyBundle { file, vkey } => verify_bundle(&file, &vkey),
        Command::ValidationReport(args) => crate::validation_report::command::run(args),
        Command::Template {
            command: TemplateCommand::Import { file },
        } => {
            let source =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let row = {
                let _progress = progress::spinner("importing the template");
                sealed(&settings, |conn| {
                    Ok(crate::services::templates::import(
                        conn,
                        &Actor::system(),
                        &source,
                    )?)
                })?
            };
            println!(
                "imported template {} version {} as a draft; QA approves it before use",
                row.code, row.version
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::RebuildProjections => {
            let read = {
                let _progress = progress::spinner("rebuilding the projections from the ledger");
                projections::rebuild_all(&mut connect(&settings)?)?
            };
            println!("rebuilt the projections from {read} ledger entries");
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::CreateAdmin {
                    username,
                    full_name,
                    password_stdin,
                },
        } => create_admin(&settings, &username, &full_name, password_stdin),
        Command::User {
            command:
                UserCommand::Approve {
                    username,
                    confirmed_by,
                },
        } => approve(&settings, &username, &confirmed_by),
        Command::Backup { file, force, vkey } => {
            backup::command::backup(&settings, &file, force, vkey)
        }
        Command::Restore {
            file,
            force,
            accept_rollback,
            vkey,
        } => backup::command::restore(
            &settings,
            &file,
            &backup::RestoreOptions {
                force,
                accept_rollback,
            },
            vkey,
        ),
    }
}

fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings).await?;
        if let Some(password) = &app.bootstrap_password {
            print_bootstrap_password(password);
        }
        app.run_until_stopped().await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Printed once, to the console only (never to the logs).
fn print_bootstrap_password(password: &SecretString) {
    use secrecy::ExposeSecret;
    println!(
        "\n  First start: created user `admin` with one-time password\n\n      {}\n\n  \
         Log in and change it now; it will not be shown again.\n",
        password.expose_secret()
    );
}

fn connect(settings: &Settings) -> anyhow::Result<DbConn> {
    if settings.database_url.is_none() {
        private_files::private_dir(&settings.data_dir)?;
    }
    private_files::sqlite_file(&settings.database_url())?;
    ConnectionManager::new(&settings.database_url())
        .connect()
        .context("cannot open the database")
}

/// A sealer with the service's key, if the key file is there (never created here), keeping its
/// findings in memory only: `verify` reports, it does not make the service read-only.
fn row_sealer(settings: &Settings) -> anyhow::Result<Option<std::sync::Arc<ledger::Sealer>>> {
    let key_path = settings.checkpoint_key_path();
    if !key_path.exists() {
        return Ok(None);
    }
    let signer = crate::keys::load_or_create_checkpoint_key(&key_path, &settings.log_origin)?;
    Ok(Some(ledger::Sealer::new(
        std::sync::Arc::new(signer),
        &settings.log_origin,
        None,
        None,
    )))
}

fn verify(
    settings: &Settings,
    trusted: Option<PathBuf>,
    vkey: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let mut conn = connect(settings)?;
    let Some(evidence) = evidence(settings, &mut conn, trusted, vkey)? else {
        println!("ok: 0 entries, head (empty ledger)");
        return Ok(ExitCode::SUCCESS);
    };
    let verdict = {
        let _progress = progress::spinner("verifying the ledger");
        ledger::audit(&mut conn, &evidence)?
    };
    if !verdict.is_ok() {
        println!("{}", verdict.summary());
        return Ok(ExitCode::FAILURE);
    }
    // With the ledger key at hand (on the server), the seals of the rows that grant rights are
    // checked too; an auditor's copy of the database without the key checks the rest.
    let sealer = row_sealer(settings)?;
    let mismatches = {
        let _progress = progress::spinner("checking the projections against the ledger");
        ledger::heads::within(sealer.as_ref(), || projections::check(&mut conn))?
    };
    if mismatches.is_empty() {
        println!("{}", verdict.summary());
        for line in verdict.evidence() {
            println!("{line}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "FAILED: the ledger verifies ({}) but {} projection row(s) disagree with it:",
        verdict.report.to_string().trim_start_matches("ok: "),
        mismatches.len()
    );
    for mismatch in mismatches {
        println!("  {mismatch}");
    }
    Ok(ExitCode::FAILURE)
}

/// What `verify` checks the ledger against: the verifier key (given, or beside this server's
/// checkpoint key), `checkpoint_dir`, and the auditor's own checkpoint. `None` for an empty
/// ledger with nothing to check it against.
fn evidence(
    settings: &Settings,
    conn: &mut DbConn,
    trusted: Option<PathBuf>,
    vkey: Option<PathBuf>,
) -> anyhow::Result<Option<ledger::Evidence>> {
    let vkey = match vkey {
        Some(path) => std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the verifier key {}", path.display()))?,
        None => {
            let path = settings.checkpoint_key_path();
            if !path.exists() {
                // No key, no evidence to compare with: only an empty ledger passes.
                if ledger::size(conn)? == 0 && trusted.is_none() {
                    return Ok(None);
                }
                bail!(
                    "no checkpoint key at {}: give the verifier key with --vkey FILE",
                    path.display()
                );
            }
            crate::keys::load_or_create_checkpoint_key(&path, &settings.log_origin)?.vkey()
        }
    };
    let trusted = match trusted {
        Some(path) => {
            let note = std::fs::read_to_string(&path).with_context(|| {
                format!("cannot read the trusted checkpoint {}", path.display())
            })?;
            Some((path.display().to_string(), note))
        }
        None => None,
    };
    Ok(Some(ledger::Evidence {
        vkey: vkey.trim().to_owned(),
        origin: settings.log_origin.clone(),
        outside: Some(settings.checkpoint_dir_path()),
        trusted,
    }))
}

/// Runs a command's ledger writes as the service makes them: each commit signs its tree head
/// with the ledger key, on a ledger that passes the start-up check (a ledger from before signed
/// heads is adopted first, once it verifies in full); the new head is copied outside at once.
fn sealed<T>(
    settings: &Settings,
    work: impl FnOnce(&mut DbConn) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let key_path = settings.checkpoint_key_path();
    if !key_path.exists() && ledger::size(&mut connect(settings)?)? > 0 {
        // A new key would sign heads the service's own key never signed.
        bail!(
            "no ledger key at {}: point checkpoint_key_file at the service's key (its writes \
             are signed with it); nothing was recorded",
            key_path.display()
        );
    }
    let signer = std::sync::Arc::new(crate::keys::load_or_create_checkpoint_key(
        &key_path,
        &settings.log_origin,
    )?);
    let dir = settings.checkpoint_dir_path();
    let sealer = ledger::Sealer::new(
        signer.clone(),
        &settings.log_origin,
        Some(&dir),
        Some(&settings.distrust_file_path()),
    );
    let evidence = ledger::Evidence {
        vkey: signer.vkey(),
        origin: settings.log_origin.clone(),
        outside: Some(dir),
        trusted: None,
    };
    let mut conn = connect(settings)?;
    crate::ledger_watch::check_before_writing(&mut conn, &sealer, &evidence)?;
    if let Some(distrust) = sealer.trust().current() {
        bail!(
            "the ledger did not verify (seq {}: {}): nothing was recorded",
            distrust.seq,
            distrust.reason
        );
    }
    let done = ledger::heads::within(Some(&sealer), || work(&mut conn))?;
    sealer.copy_outside(&mut conn)?;
    Ok(done)
}

fn verify_bundle(file: &Path, vkey: &Path) -> anyhow::Result<ExitCode> {
    let bundle = std::fs::read(file)
        .with_context(|| format!("cannot read the bundle {}", file.display()))?;
    let vkey = std::fs::read_to_string(vkey)
        .with_context(|| format!("cannot read the verifier key {}", vkey.display()))?;
    match ledger::bundle::check(&bundle, &vkey) {
        Ok(checked) => {
            print!("{checked}");
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            println!("FAILED: {failure}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn approve(settings: &Settings, username: &str, confirmed_by: &str) -> anyhow::Result<ExitCode> {
    let username = Username::parse(username)?;
    let confirmed_by = FullName::parse(confirmed_by)?;
    let account = sealed(settings, |conn| {
        Ok(crate::services::approvals::approve(
            conn,
            &username,
            crate::services::approvals::ApprovedBy::Console { confirmed_by },
        )?)
    })?;
    println!(
        "approved the roles of `{}`: {}",
        account.username,
        account.roles.names().join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

fn create_admin(
    settings: &Settings,
    username: &str,
    full_name: &str,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    let username = Username::parse(username)?;
    let full_name = FullName::parse(full_name)?;
    let password = read_password(password_stdin)?;
    check_policy(&password, &username, &full_name)?;
    // Made at the console by someone with access to the host: effective at once, like the
    // first administrator.
    let new = NewAccount {
        username,
        full_name,
        roles: Roles::new([Role::Admin])?,
        password,
        must_change_password: false,
        approval: Approval::Immediate,
    };
    if settings.migrate_on_start {
        crate::services::projections::migrate(&mut connect(settings)?)?;
    }
    let account = sealed(settings, |conn| {
        Ok(accounts::create_account(conn, &Actor::system(), new)?)
    })?;
    println!("created administrator `{}`", account.username);
    Ok(ExitCode::SUCCESS)
}

fn read_password(from_stdin: bool) -> anyhow::Result<SecretString> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(SecretString::from(
            line.trim_end_matches(['\r', '\n']).to_owned(),
        ));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to prompt for the password: use --password-stdin");
    }
    let first = rpassword::prompt_password("Password: ")?;
    let second = rpassword::prompt_password("Repeat password: ")?;
    if first != second {
        bail!("the two passwords differ");
    }
    Ok(SecretString::from(first))
}
