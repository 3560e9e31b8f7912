//! Mutual's storage: every SQL statement, written once and run on SQLite or PostgreSQL.
#![forbid(unsafe_code)]

#[macro_use]
mod db;
pub mod account_recovery;
pub mod accounts;
pub mod audit;
pub mod backup;
mod batch;
pub mod bus;
#[macro_use]
pub mod community;
mod dialect;
mod error;
pub mod meetings;
pub mod notifications;
pub mod people;
pub mod privacy;
pub mod recovery;
mod refusals;
pub mod sessions;
pub mod settings;
pub mod standing;
pub mod throttle;

pub use db::{Backend, Db, DbConfig};
pub use error::StoreError;
