//! The `mutual` binary.
#![forbid(unsafe_code)]

use clap::Parser;
use mutual::cli::{Cli, run};
use std::process::ExitCode;

// mimalloc gives the memory of each 19 MiB password hash back to the system promptly; with the
// system allocator, every hashing thread kept its last hash's memory for good (idle RSS ~70 MiB
// after a few logins instead of ~12 MiB). See docs/benchmarks.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mutual: {message}");
            ExitCode::FAILURE
        }
    }
}
