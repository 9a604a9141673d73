use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    keep_large_blocks_mapped();
    let cli = cartrec::cli::Cli::parse();
    match cartrec::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// glibc raises its mmap threshold each time a large block is freed; from then on argon2's
/// 19 MiB blocks (one per password check) come from the heap arenas and mostly stay there:
/// 16 signatures at once left the server at 500 MiB resident. A fixed threshold (setting it
/// turns the raising off) keeps every block over 128 KiB mapped on its own and returned to
/// the system when freed: 90 MiB under the same load (`cargo bench --bench load`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_blocks_mapped() {
    const THRESHOLD: libc::c_int = 128 * 1024;
    // SAFETY: mallopt only sets a tunable of glibc's allocator, before any other thread runs.
    let set = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD) };
    if set != 1 {
        eprintln!("warning: could not fix the allocator's mmap threshold");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_blocks_mapped() {}
