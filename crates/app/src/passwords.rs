//! Password hashing with Argon2id: PHC strings, re-hash when the cost rises, and a bound on
//! how many hashes run at once so that a flood of logins cannot exhaust memory.

use crate::AppError;
use crate::config::PasswordConfig;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Semaphore;

/// Hashes and verifies passwords on the blocking pool, at most N at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// A hash of a random password, verified against when the account does not exist so that
    /// a wrong pseudonym takes as long as a wrong password.
    decoy: Arc<tokio::sync::OnceCell<String>>,
    /// How many hash or verify operations have started, for metrics and tests.
    operations: Arc<AtomicU64>,
}

impl PasswordHasher {
    pub fn new(config: &PasswordConfig) -> PasswordHasher {
        let params = Params::new(config.memory_kib, config.iterations, 1, None)
            .expect("Argon2 parameters within the library's limits");
        PasswordHasher {
            params,
            permits: Arc::new(Semaphore::new(config.max_concurrent_hashes.max(1))),
            decoy: Arc::new(tokio::sync::OnceCell::new()),
            operations: Arc::new(AtomicU64::new(0)),
        }
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// The PHC string for a new password.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        let params = self.params.clone();
        self.run(move || {
            let mut salt = [0u8; 16];
            getrandom::fill(&mut salt).map_err(|e| AppError::Internal(e.to_string()))?;
            let salt =
                SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
            Self::argon2(params)
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
        })
        .await
    }

    /// Whether `password` matches the PHC string `stored`, and whether the stored hash should be
    /// replaced because the configured cost has risen since it was made.
    pub async fn verify(&self, password: &str, stored: &str) -> Result<Verified, AppError> {
        let password = password.to_owned();
        let stored = stored.to_owned();
        let current = self.params.clone();
        self.run(move || {
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Ok(Verified {
                    matches: false,
                    needs_rehash: false,
                });
            };
            let matches = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            let needs_rehash = matches && Self::is_weaker_than(&parsed, &current);
            Ok(Verified {
                matches,
                needs_rehash,
            })
        })
        .await
    }

    /// Spends the same effort as [`verify`](Self::verify) against nothing (for unknown accounts).
    pub async fn verify_decoy(&self, password: &str) -> Result<(), AppError> {
        let decoy = self
            .decoy
            .get_or_try_init(|| async { self.hash(&crate::tokens::new_token()).await })
            .await?
            .clone();
        self.verify(password, &decoy).await.map(|_| ())
    }

    fn is_weaker_than(hash: &PasswordHash<'_>, current: &Params) -> bool {
        let Ok(params) = Params::try_from(hash) else {
            return true;
        };
        hash.algorithm.as_str() != "argon2id"
            || params.m_cost() < current.m_cost()
            || params.t_cost() < current.t_cost()
    }

    /// How many hash or verify operations have started since the server began.
    pub fn operations(&self) -> u64 {
        self.operations.load(Ordering::Relaxed)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Internal("password hasher closed".into()))?;
        self.operations.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Internal(format!("hashing task failed: {e}")))?
    }
}

/// The outcome of checking a password.
#[derive(Debug, Clone, Copy)]
pub struct Verified {
    pub matches: bool,
    pub needs_rehash: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher(memory_kib: u32, iterations: u32) -> PasswordHasher {
        PasswordHasher::new(&PasswordConfig {
            memory_kib,
            iterations,
            max_concurrent_hashes: 2,
        })
    }

    #[tokio::test]
    async fn hashes_are_argon2id_phc_strings_at_or_above_the_owasp_floor() {
        let hash = hasher(19 * 1024, 2)
            .hash("lantern harbour violet")
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }

    #[tokio::test]
    async fn the_right_password_matches_and_a_wrong_one_does_not() {
        let hasher = hasher(19 * 1024, 2);
        let hash = hasher.hash("lantern harbour violet").await.unwrap();
        assert!(
            hasher
                .verify("lantern harbour violet", &hash)
                .await
                .unwrap()
                .matches
        );
        assert!(
            !hasher
                .verify("lantern harbour violeT", &hash)
                .await
                .unwrap()
                .matches
        );
        assert!(
            !hasher
                .verify("anything", "not a phc string")
                .await
                .unwrap()
                .matches
        );
    }

    #[tokio::test]
    async fn a_hash_made_at_a_lower_cost_asks_to_be_rehashed() {
        let old = hasher(19 * 1024, 2)
            .hash("lantern harbour violet")
            .await
            .unwrap();
        let stronger = hasher(19 * 1024, 3);
        let verified = stronger
            .verify("lantern harbour violet", &old)
            .await
            .unwrap();
        assert!(verified.matches && verified.needs_rehash);
        let same = hasher(19 * 1024, 2)
            .verify("lantern harbour violet", &old)
            .await
            .unwrap();
        assert!(same.matches && !same.needs_rehash);
    }

    #[test]
    fn costs_below_the_floor_are_refused() {
        let weak = PasswordConfig {
            memory_kib: 4096,
            iterations: 2,
            max_concurrent_hashes: 2,
        };
        assert!(weak.check().is_err());
        let few = PasswordConfig {
            memory_kib: 19456,
            iterations: 1,
            max_concurrent_hashes: 2,
        };
        assert!(few.check().is_err());
        assert!(PasswordConfig::default().check().is_ok());
    }
}
