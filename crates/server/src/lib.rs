//! The `mutual` server: command-line interface, configuration, telemetry, start-up,
//! background work and graceful shutdown.
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod server;
pub mod telemetry;
