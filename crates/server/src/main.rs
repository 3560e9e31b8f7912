//! The `mutual` binary.
#![forbid(unsafe_code)]

use clap::Parser;
use mutual::cli::{Cli, run};
use std::process::ExitCode;

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
