//! The `mutual` binary.
#![forbid(unsafe_code)]

use clap::Parser;
use mutual::cli::{Cli, run};
use std::process::ExitCode;

// mimalloc hands the 19 MiB of each password hash back to the system once the hashing threads
// go idle; with the system allocator, resident memory stayed near 70 MiB after three logins
// (mimalloc: 25 MiB ten seconds later). See docs/benchmarks.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(status) => ExitCode::from(status),
        Err(failure) => {
            eprintln!("mutual: {}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}
