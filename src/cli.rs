//! The command line: `serve`, `migrate`, `verify`, `user create-admin`.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::accounts::{self, NewAccount};
use crate::config::Settings;
use crate::db::{migrations, ConnectionManager, DbConn};
use crate::domain::{FullName, Role, Roles, Username};
use crate::ledger::{self, Actor};
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
    /// Apply pending database migrations.
    Migrate,
    /// Verify the whole ledger: every hash, link and sequence. Exits non-zero on failure.
    Verify,
    /// Manage accounts from the console.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
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
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(settings.log_format, &settings.log_level);
    match cli.command {
        Command::Serve => serve(settings),
        Command::Migrate => {
            let applied = migrations::run_pending(&mut connect(&settings)?)?;
            println!("applied {} migration(s)", applied.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => verify(&settings),
        Command::User {
            command:
                UserCommand::CreateAdmin {
                    username,
                    full_name,
                    password_stdin,
                },
        } => create_admin(&settings, &username, &full_name, password_stdin),
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
    if let Some(parent) = settings
        .database_url
        .is_none()
        .then_some(&settings.data_dir)
    {
        std::fs::create_dir_all(parent)?;
    }
    ConnectionManager::new(&settings.database_url())
        .connect()
        .context("cannot open the database")
}

fn verify(settings: &Settings) -> anyhow::Result<ExitCode> {
    let mut conn = connect(settings)?;
    let report = ledger::verify(&mut conn)?;
    println!("{report}");
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn create_admin(
    settings: &Settings,
    username: &str,
    full_name: &str,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    let new = NewAccount {
        username: Username::parse(username)?,
        full_name: FullName::parse(full_name)?,
        roles: Roles::new([Role::Admin])?,
        password: read_password(password_stdin)?,
        must_change_password: false,
    };
    let mut conn = connect(settings)?;
    if settings.migrate_on_start {
        migrations::run_pending(&mut conn)?;
    }
    let account = accounts::create_account(&mut conn, &Actor::system(), new)?;
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
