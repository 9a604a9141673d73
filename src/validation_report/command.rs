//! `cartrec validation-report` as the command line gives it (the command is declared in
//! `crate::cli`): the summary line and where the two files were written.

use std::path::PathBuf;
use std::process::ExitCode;

/// The inputs and the output directory; the defaults suit a run from the repository's root.
#[derive(clap::Args)]
pub struct Args {
    /// The requirements file.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "validation/requirements.toml"
    )]
    requirements: PathBuf,
    /// Directories searched for tagged tests.
    #[arg(long = "sources", value_name = "DIR", default_values = ["src", "tests"])]
    sources: Vec<PathBuf>,
    /// The saved output of `cargo test` on SQLite.
    #[arg(long, value_name = "FILE")]
    sqlite_log: PathBuf,
    /// The saved output of `cargo test` on PostgreSQL.
    #[arg(long, value_name = "FILE")]
    postgres_log: PathBuf,
    /// The PostgreSQL the suite ran on, to record its server version.
    #[arg(long, value_name = "URL")]
    postgres_url: Option<String>,
    /// Where validation-report.html and validation-report.pdf are written.
    #[arg(long, value_name = "DIR", default_value = "target/validation-report")]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let written = super::run(&super::Inputs {
        requirements: args.requirements,
        sources: args.sources,
        logs: [args.sqlite_log, args.postgres_log],
        postgres_url: args.postgres_url,
        out: args.out,
    })?;
    println!("{}", written.summary);
    println!("wrote {}", written.html.display());
    println!("wrote {}", written.pdf.display());
    Ok(ExitCode::SUCCESS)
}
