use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cartrec::cli::Cli::parse();
    match cartrec::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
