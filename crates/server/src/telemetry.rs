//! Structured logs through `tracing`. What is logged is chosen where it is logged: route
//! patterns and ids, never passwords, tokens, pseudonyms or content.

use crate::config::LogConfig;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber (text or JSON lines on standard error).
pub fn init(config: &LogConfig) {
    let filter =
        EnvFilter::try_new(&config.level).unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let result = if config.format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    if result.is_err() {
        eprintln!("logging was already set up; keeping the existing subscriber");
    }
}
