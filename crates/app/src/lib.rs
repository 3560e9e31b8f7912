//! Mutual's use cases: the rules and steps behind every page, API call and job, with no HTTP.
#![forbid(unsafe_code)]

pub mod account_recovery;
pub mod accounts;
pub mod admin;
mod audit;
pub mod bus;
mod cache;
pub mod community;
pub mod config;
pub mod crisis;
pub mod demo;
mod error;
pub mod housekeeping;
pub mod meetings;
pub mod notifications;
pub mod passwords;
pub mod people;
pub mod privacy;
pub mod recovery;
pub mod reminders;
mod session_cache;
pub mod tokens;

pub use config::AppConfig;
pub use error::{AppError, FieldError};
pub use mutual_store::{Backend, Db, DbConfig};

use mutual_domain::Clock;
use passwords::PasswordHasher;
use session_cache::SessionCache;
use std::sync::Arc;
use std::time::Duration;

/// Everything a use case needs: the database, the clock, the configuration and the bounded
/// password hasher. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<AppConfig>,
    pub hasher: PasswordHasher,
    /// The crisis lines of every country, in memory.
    pub crisis: Arc<crisis::Current>,
    sessions: SessionCache,
    snapshots: cache::TtlCache<mutual_domain::UserId, Arc<recovery::Snapshot>>,
    community: community::cached::CommunityCache,
    unread: cache::TtlCache<mutual_domain::UserId, i64>,
    directory: meetings::directory::DirectoryCache,
    people: people::PeopleState,
    mailer: Option<Arc<notifications::mail::Mailer>>,
    bus: Arc<bus::BusState>,
}

impl App {
    /// Assembles the application around an open, migrated database.
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: AppConfig) -> App {
        let hasher = PasswordHasher::new(&config.passwords);
        // The settings were checked at start-up: a host that is set builds a mailer.
        let mailer = (!config.mail.host.is_empty())
            .then(|| {
                notifications::mail::Mailer::new(&config.mail)
                    .ok()
                    .map(Arc::new)
            })
            .flatten();
        let ttl = Duration::from_secs(config.sessions.cache_seconds);
        // Checked at start-up too; the shipped lists alone if the settings cannot be used.
        let crisis = crisis::CrisisLines::new(&config.crisis)
            .or_else(|_| crisis::CrisisLines::new(&config::CrisisConfig::default()))
            .expect("the shipped crisis lines");
        App {
            db,
            clock,
            config: Arc::new(config),
            hasher,
            crisis: Arc::new(crisis::Current::new(crisis)),
            sessions: SessionCache::new(ttl),
            snapshots: cache::TtlCache::new(ttl),
            community: community::cached::CommunityCache::new(ttl),
            unread: cache::TtlCache::new(ttl),
            directory: meetings::directory::DirectoryCache::new(),
            people: people::PeopleState::new(ttl),
            mailer,
            bus: bus::BusState::new(),
        }
    }
}
