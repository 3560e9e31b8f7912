//! Black-box HTTP tests: a real server on port 0, every test on SQLite and on PostgreSQL.

mod accounts_api;
mod anonymity;
mod backups;
mod browser;
mod canary;
mod cli;
mod community;
mod crash;
mod data;
mod delivery;
mod directory_sync;
mod faults;
mod forgery;
mod listener;
mod mail_sink;
mod meetings;
mod methods;
mod milestones;
mod operations;
mod pages;
mod people;
mod policy;
mod recovery;
mod standing;
mod support;
mod throttling;
