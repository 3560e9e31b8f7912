//! Settings the use cases read: session lifetimes, throttling, password hashing, crisis
//! resources. Every field has a default that works with no configuration file at all.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The use-case settings; the server fills them from TOML and `MUTUAL_*` variables.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppConfig {
    /// The name shown in page titles and the header.
    pub community_name: String,
    /// The address people reach this server at, used in setup and invite links.
    pub public_url: String,
    pub sessions: SessionConfig,
    pub throttle: ThrottleConfig,
    pub passwords: PasswordConfig,
    pub crisis: CrisisConfig,
    /// The time zone of members who have not chosen one (an IANA name).
    pub default_time_zone: String,
    /// The thresholds of the warning-sign rules.
    pub warning_signs: mutual_domain::recovery::warnings::Thresholds,
    pub people: PeopleConfig,
    pub mail: MailConfig,
    pub privacy: PrivacyConfig,
}

/// Export and erasure.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyConfig {
    /// How long the pseudonym of an erased account cannot be registered again (registration
    /// says it is taken, as for a live one), so nobody can take over an erased member's name
    /// while others still remember it.
    pub pseudonym_cooling_off_days: u32,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig {
            pseudonym_cooling_off_days: 90,
        }
    }
}

/// The SMTP server notifications are e-mailed through; with no host, nothing is e-mailed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls` (implicit, usually port 465) or `none` (only for a relay on this machine).
    pub tls: String,
    pub username: String,
    pub password: String,
    /// The sender, for example `Harbour <notifications@harbour.example>`.
    pub from: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            host: String::new(),
            port: 587,
            tls: "starttls".into(),
            username: String::new(),
            password: String::new(),
            from: "Mutual <notifications@localhost>".into(),
        }
    }
}

/// Mentoring, messages and circles.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PeopleConfig {
    /// The time in recovery (days on the member's longest current clock) a member needs before
    /// offering to mentor.
    pub mentor_min_days: u32,
    /// How many circle invites a member may send a day (invites by link are not counted: the
    /// one invited chooses to follow the link).
    pub circle_invites_per_day: u32,
}

impl Default for PeopleConfig {
    fn default() -> Self {
        PeopleConfig {
            mentor_min_days: 365,
            circle_invites_per_day: 20,
        }
    }
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            community_name: "Mutual".into(),
            public_url: "http://127.0.0.1:8080".into(),
            sessions: SessionConfig::default(),
            throttle: ThrottleConfig::default(),
            passwords: PasswordConfig::default(),
            crisis: CrisisConfig::default(),
            default_time_zone: "UTC".into(),
            warning_signs: Default::default(),
            people: PeopleConfig::default(),
            mail: MailConfig::default(),
            privacy: PrivacyConfig::default(),
        }
    }
}

impl AppConfig {
    /// Refuses settings that cannot work.
    pub fn check(&self) -> Result<(), String> {
        self.passwords.check()?;
        crate::crisis::CrisisLines::new(&self.crisis)?;
        if !self.mail.host.is_empty() {
            crate::notifications::mail::Mailer::new(&self.mail)?;
        }
        mutual_domain::local::Zone::parse(&self.default_time_zone).map_err(|_| {
            format!(
                "app.default_time_zone {:?} is not a time zone name",
                self.default_time_zone
            )
        })?;
        Ok(())
    }
}

/// How long sessions live.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// A browser session ends after this long without use.
    pub idle_minutes: u64,
    /// …or this long after sign-in, whatever happens.
    pub absolute_hours: u64,
    /// With "keep me signed in" (and for API tokens): idle limit.
    pub remember_idle_days: u64,
    /// With "keep me signed in" (and for API tokens): absolute limit.
    pub remember_absolute_days: u64,
    /// How long a server may reuse a session it has checked (and a member's recovery data and
    /// community reading context) before asking the database again. Changes through the same
    /// server apply at once; another server sharing the database sees them within this many
    /// seconds. 0 turns the caches off.
    pub cache_seconds: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_minutes: 30,
            absolute_hours: 12,
            remember_idle_days: 30,
            remember_absolute_days: 90,
            cache_seconds: 10,
        }
    }
}

impl SessionConfig {
    /// (idle timeout, absolute lifetime) for a session.
    pub fn lifetimes(&self, remember: bool) -> (Duration, Duration) {
        const DAY: u64 = 24 * 3600;
        if remember {
            (
                Duration::from_secs(self.remember_idle_days * DAY),
                Duration::from_secs(self.remember_absolute_days * DAY),
            )
        } else {
            (
                Duration::from_secs(self.idle_minutes * 60),
                Duration::from_secs(self.absolute_hours * 3600),
            )
        }
    }
}

/// Limits on repeated attempts, counted in the database so every server shares them.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleConfig {
    /// Failures are counted over this many minutes.
    pub window_minutes: u64,
    /// Wrong passwords for one account before it cools down.
    pub account_failures: i64,
    /// How long an account cools down.
    pub account_cooldown_minutes: u64,
    /// Wrong passwords from one client address before it cools down.
    pub client_failures: i64,
    /// How long a client address cools down.
    pub client_cooldown_minutes: u64,
    /// Accounts one client address may register per hour.
    pub registrations_per_hour: i64,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            window_minutes: 15,
            account_failures: 5,
            account_cooldown_minutes: 5,
            client_failures: 20,
            client_cooldown_minutes: 15,
            registrations_per_hour: 10,
        }
    }
}

/// Argon2id cost. The defaults are OWASP's floor; lower values are refused at start-up.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordConfig {
    /// Memory per hash in KiB (at least 19456, 19 MiB).
    pub memory_kib: u32,
    /// Passes over memory (at least 2).
    pub iterations: u32,
    /// How many hashes may run at once; bounds memory under a login flood.
    pub max_concurrent_hashes: usize,
}

impl Default for PasswordConfig {
    fn default() -> Self {
        PasswordConfig {
            memory_kib: 19 * 1024,
            iterations: 2,
            max_concurrent_hashes: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

impl PasswordConfig {
    /// Refuses settings below OWASP's floor for Argon2id.
    pub fn check(&self) -> Result<(), String> {
        if self.memory_kib < 19 * 1024 {
            return Err("passwords.memory_kib must be at least 19456 (19 MiB)".into());
        }
        if self.iterations < 2 {
            return Err("passwords.iterations must be at least 2".into());
        }
        if self.max_concurrent_hashes == 0 {
            return Err("passwords.max_concurrent_hashes must be at least 1".into());
        }
        Ok(())
    }
}

/// Which crisis lines are shown ([`crate::crisis::CrisisLines`]): the server's country, for
/// people whose country is not known, and the admin's own countries (added to the shipped
/// lists, or in place of one).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrisisConfig {
    /// An ISO 3166-1 code ("GB"); empty: the international directories.
    pub country: String,
    pub countries: Vec<crate::crisis::CountryLines>,
}

/// One crisis line or service.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisResource {
    pub name: String,
    /// What it is for and when it is open.
    pub description: String,
    /// A number to call, if any.
    #[serde(default)]
    pub phone: Option<String>,
    /// A number to text, if any.
    #[serde(default)]
    pub text: Option<String>,
    /// A web address, if any (shown as text and link; never loaded).
    #[serde(default)]
    pub url: Option<String>,
}

impl Default for CrisisConfig {
    fn default() -> Self {
        CrisisConfig {
            country: "US".into(),
            countries: Vec::new(),
        }
    }
}
