//! Configuration: defaults that work with no file, an optional TOML file, `MUTUAL_*`
//! environment variables over it, and command-line flags over those.

use mutual_app::AppConfig;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// Everything the server can be told.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub log: LogConfig,
    /// Community, sessions, throttling, password hashing and crisis resources.
    pub app: AppConfig,
}

/// The HTTP listener.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: String,
    /// Answer 503 after this many seconds.
    pub request_timeout_seconds: u64,
    /// Largest accepted request body in KiB.
    pub max_body_kib: usize,
    /// Take the client address from X-Forwarded-For (only behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    /// With `trust_forwarded_for`: how many proxies in front of the server append to the header
    /// (the address is the entry this many from the right; the client writes the rest).
    pub trusted_proxy_hops: usize,
    /// Mark cookies Secure; when unset, true if `app.public_url` is https.
    pub secure_cookies: Option<bool>,
    /// Close a connection that has not sent a request's headers within this many seconds
    /// (also how long an idle kept-alive connection waits for its next request).
    pub header_read_timeout_seconds: u64,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// On SIGTERM, wait this many seconds for requests in flight, then stop anyway.
    pub shutdown_grace_seconds: u64,
}

impl ServerConfig {
    /// The proxy hops the web layer trusts: none unless `trust_forwarded_for` is on.
    pub fn forwarded_hops(&self) -> usize {
        if self.trust_forwarded_for {
            self.trusted_proxy_hops
        } else {
            0
        }
    }

    /// The listener's limits.
    pub fn limits(&self) -> crate::server::Limits {
        crate::server::Limits {
            header_read_timeout: Duration::from_secs(self.header_read_timeout_seconds),
            max_connections: self.max_connections,
            shutdown_grace: Duration::from_secs(self.shutdown_grace_seconds),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            request_timeout_seconds: 30,
            max_body_kib: 64,
            trust_forwarded_for: false,
            trusted_proxy_hops: 1,
            secure_cookies: None,
            header_read_timeout_seconds: 10,
            max_connections: 10_000,
            shutdown_grace_seconds: 10,
        }
    }
}

/// The database.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` (default `sqlite://data/mutual.db`) or `postgres://...`.
    pub url: String,
    pub max_connections: u32,
    /// How long a request waits for a database connection (a free one, or a new one while the
    /// database refuses) before it is answered 503.
    pub acquire_timeout_seconds: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://data/mutual.db".into(),
            max_connections: 16,
            acquire_timeout_seconds: 5,
        }
    }
}

/// Logging.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter, for example "info" or "info,mutual_web=debug".
    pub level: String,
    /// "text" or "json".
    pub format: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            level: "info,sqlx=warn".into(),
            format: "text".into(),
        }
    }
}

/// Where a setting can be overridden from the environment.
const ENV_OVERRIDES: &[&str] = &[
    "MUTUAL_LISTEN",
    "MUTUAL_DATABASE_URL",
    "MUTUAL_PUBLIC_URL",
    "MUTUAL_COMMUNITY_NAME",
    "MUTUAL_LOG",
    "MUTUAL_LOG_FORMAT",
    "MUTUAL_SECURE_COOKIES",
    "MUTUAL_TRUST_FORWARDED_FOR",
    "MUTUAL_TRUSTED_PROXY_HOPS",
    "MUTUAL_HEADER_READ_TIMEOUT_SECONDS",
    "MUTUAL_MAX_CONNECTIONS",
    "MUTUAL_SHUTDOWN_GRACE_SECONDS",
    "MUTUAL_DATABASE_ACQUIRE_TIMEOUT_SECONDS",
    "MUTUAL_SMTP_HOST",
    "MUTUAL_SMTP_PORT",
    "MUTUAL_SMTP_TLS",
    "MUTUAL_SMTP_USERNAME",
    "MUTUAL_SMTP_PASSWORD",
    "MUTUAL_SMTP_FROM",
];

impl Config {
    /// Defaults, then the file (if given), then the environment.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, String> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    format!("cannot read the configuration file {}: {e}", path.display())
                })?;
                toml::from_str(&text).map_err(|e| {
                    format!(
                        "the configuration file {} is not valid: {e}",
                        path.display()
                    )
                })?
            }
            None => Config::default(),
        };
        for name in ENV_OVERRIDES {
            if let Some(value) = env(name).filter(|v| !v.is_empty()) {
                config.set_from_env(name, value)?;
            }
        }
        config.check()?;
        Ok(config)
    }

    fn set_from_env(&mut self, name: &str, value: String) -> Result<(), String> {
        let flag = |value: &str| match value {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" => Ok(false),
            _ => Err(format!("{name} must be true or false, not {value:?}")),
        };
        let seconds = |value: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("{name} must be a number of seconds, not {value:?}"))
        };
        match name {
            "MUTUAL_LISTEN" => self.server.listen = value,
            "MUTUAL_DATABASE_URL" => self.database.url = value,
            "MUTUAL_PUBLIC_URL" => self.app.public_url = value,
            "MUTUAL_COMMUNITY_NAME" => self.app.community_name = value,
            "MUTUAL_LOG" => self.log.level = value,
            "MUTUAL_LOG_FORMAT" => self.log.format = value,
            "MUTUAL_SECURE_COOKIES" => self.server.secure_cookies = Some(flag(&value)?),
            "MUTUAL_TRUST_FORWARDED_FOR" => self.server.trust_forwarded_for = flag(&value)?,
            "MUTUAL_TRUSTED_PROXY_HOPS" => {
                self.server.trusted_proxy_hops = value
                    .parse()
                    .map_err(|_| format!("{name} must be a number of proxies, not {value:?}"))?;
            }
            "MUTUAL_HEADER_READ_TIMEOUT_SECONDS" => {
                self.server.header_read_timeout_seconds = seconds(&value)?;
            }
            "MUTUAL_MAX_CONNECTIONS" => {
                self.server.max_connections = value.parse().map_err(|_| {
                    format!("{name} must be a number of connections, not {value:?}")
                })?;
            }
            "MUTUAL_SHUTDOWN_GRACE_SECONDS" => {
                self.server.shutdown_grace_seconds = seconds(&value)?
            }
            "MUTUAL_DATABASE_ACQUIRE_TIMEOUT_SECONDS" => {
                self.database.acquire_timeout_seconds = seconds(&value)?;
            }
            "MUTUAL_SMTP_HOST" => self.app.mail.host = value,
            "MUTUAL_SMTP_PORT" => {
                self.app.mail.port = value
                    .parse()
                    .map_err(|_| format!("{name} must be a port number, not {value:?}"))?;
            }
            "MUTUAL_SMTP_TLS" => self.app.mail.tls = value,
            "MUTUAL_SMTP_USERNAME" => self.app.mail.username = value,
            "MUTUAL_SMTP_PASSWORD" => self.app.mail.password = value,
            "MUTUAL_SMTP_FROM" => self.app.mail.from = value,
            _ => {}
        }
        Ok(())
    }

    /// Refuses settings that cannot work, with a message saying which and why.
    pub fn check(&self) -> Result<(), String> {
        self.app.check()?;
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return Err(format!(
                "log.format must be \"text\" or \"json\", not {:?}",
                self.log.format
            ));
        }
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(format!(
                "database.url must start with sqlite:// or postgres://, not {:?}",
                redact_url(url)
            ));
        }
        if self.server.trust_forwarded_for && self.server.trusted_proxy_hops == 0 {
            return Err(
                "server.trusted_proxy_hops must be at least 1 when trust_forwarded_for is on"
                    .into(),
            );
        }
        if self.database.max_connections == 0 {
            return Err("database.max_connections must be at least 1".into());
        }
        for (name, value) in [
            (
                "server.header_read_timeout_seconds",
                self.server.header_read_timeout_seconds,
            ),
            ("server.max_connections", self.server.max_connections as u64),
            (
                "database.acquire_timeout_seconds",
                self.database.acquire_timeout_seconds,
            ),
        ] {
            if value == 0 {
                return Err(format!("{name} must be at least 1"));
            }
        }
        Ok(())
    }

    /// Whether cookies are marked Secure.
    pub fn secure_cookies(&self) -> bool {
        self.server
            .secure_cookies
            .unwrap_or_else(|| self.app.public_url.starts_with("https://"))
    }

    /// The effective settings as TOML, with the database and SMTP passwords redacted.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database.url = redact_url(&shown.database.url);
        if !shown.app.mail.password.is_empty() {
            shown.app.mail.password = "***".into();
        }
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot show settings: {e}"))
    }
}

/// A database URL with any password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest.split_once('/').map_or((rest, ""), |(a, t)| (a, t));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = if rest.contains('/') {
        format!("/{tail}")
    } else {
        String::new()
    };
    // Query parameters may carry a password too.
    let tail = match tail.split_once('?') {
        Some((path, query)) if query.to_ascii_lowercase().contains("password") => {
            format!("{path}?***")
        }
        _ => tail,
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_file_and_no_environment() {
        let config = Config::load(None, |_| None).unwrap();
        assert_eq!(config.server.listen, "127.0.0.1:8080");
        assert_eq!(config.database.url, "sqlite://data/mutual.db");
        assert!(!config.secure_cookies());
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let dir = std::env::temp_dir().join(format!("mutual-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("mutual.toml");
        std::fs::write(
            &file,
            "[server]\nlisten = \"0.0.0.0:9000\"\n[app]\ncommunity_name = \"Harbour\"\n",
        )
        .unwrap();
        let env = |name: &str| (name == "MUTUAL_LISTEN").then(|| "127.0.0.1:9100".to_owned());
        let config = Config::load(Some(&file), env).unwrap();
        assert_eq!(config.server.listen, "127.0.0.1:9100");
        assert_eq!(config.app.community_name, "Harbour");
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn unknown_settings_and_weak_hashing_are_refused_with_a_message() {
        let dir = std::env::temp_dir().join(format!("mutual-config-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("mutual.toml");
        std::fs::write(&file, "[server]\nlisen = \"x\"\n").unwrap();
        let error = Config::load(Some(&file), |_| None).unwrap_err();
        assert!(error.contains("lisen"), "{error}");
        std::fs::write(&file, "[app.passwords]\nmemory_kib = 1024\n").unwrap();
        let error = Config::load(Some(&file), |_| None).unwrap_err();
        assert!(error.contains("memory_kib"), "{error}");
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn listener_limits_come_from_the_environment_and_zero_is_refused() {
        let env = |name: &str| match name {
            "MUTUAL_HEADER_READ_TIMEOUT_SECONDS" => Some("3".to_owned()),
            "MUTUAL_MAX_CONNECTIONS" => Some("50".to_owned()),
            "MUTUAL_SHUTDOWN_GRACE_SECONDS" => Some("0".to_owned()),
            _ => None,
        };
        let limits = Config::load(None, env).unwrap().server.limits();
        assert_eq!(limits.header_read_timeout, Duration::from_secs(3));
        assert_eq!(limits.max_connections, 50);
        assert_eq!(limits.shutdown_grace, Duration::ZERO);
        let zero = |name: &str| (name == "MUTUAL_MAX_CONNECTIONS").then(|| "0".to_owned());
        assert!(
            Config::load(None, zero)
                .unwrap_err()
                .contains("server.max_connections")
        );
    }

    #[test]
    fn unsupported_database_schemes_are_refused() {
        let env = |name: &str| (name == "MUTUAL_DATABASE_URL").then(|| "mysql://x".to_owned());
        assert!(
            Config::load(None, env)
                .unwrap_err()
                .contains("sqlite:// or postgres://")
        );
    }

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/mutual"),
            "postgres://app:***@db:5432/mutual"
        );
        assert_eq!(
            redact_url("postgres://app@db/mutual"),
            "postgres://app@db/mutual"
        );
        assert_eq!(
            redact_url("postgres://db/m?password=s3cret"),
            "postgres://db/m?***"
        );
        assert_eq!(
            redact_url("sqlite://data/mutual.db"),
            "sqlite://data/mutual.db"
        );
        let env = |name: &str| {
            (name == "MUTUAL_DATABASE_URL").then(|| "postgres://a:s3cret@h/db".to_owned())
        };
        let shown = Config::load(None, env).unwrap().to_redacted_toml();
        assert!(!shown.contains("s3cret"));
        assert!(shown.contains("postgres://a:***@h/db"));
    }
}
