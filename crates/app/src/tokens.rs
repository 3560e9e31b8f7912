//! Random secret tokens (sessions, invites, setup links, reset links, recovery codes) and the
//! hashes they are stored under.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A new 256-bit random token, URL-safe base64 (43 characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The letters of a recovery code: Crockford's base 32, without i, l, o and u, so that a code
/// written on paper reads back (an o read as 0, an i or l as 1).
const CODE_LETTERS: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A new recovery code: 16 letters of 5 random bits each (80 bits), as `xxxx-xxxx-xxxx-xxxx`.
pub fn new_recovery_code() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    let letters: Vec<char> = bytes
        .iter()
        .map(|b| char::from(CODE_LETTERS[usize::from(b & 31)]))
        .collect();
    letters
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A recovery code as typed (any case, spaces or dashes anywhere, o for 0, i or l for 1), in
/// the form it was made in without its dashes.
pub fn canonical_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        })
        .collect()
}

/// The SHA-256 of a token: what the database keeps, so a stolen database holds no live tokens.
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A short, non-reversible key for throttling by something personal (a pseudonym, an address),
/// so the throttle table holds neither.
pub fn throttle_key(kind: &str, value: &str) -> String {
    let digest = Sha256::digest(format!("{kind}\0{value}").as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("{kind}:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn token_hashes_are_stable_and_differ_from_the_token() {
        let token = new_token();
        assert_eq!(hash_token(&token), hash_token(&token));
        assert_eq!(hash_token(&token).len(), 32);
        assert_ne!(hash_token(&token), hash_token(&new_token()));
    }

    #[test]
    fn throttle_keys_hide_the_value_but_stay_distinct() {
        let key = throttle_key("account", "quiet_river");
        assert!(key.starts_with("account:"));
        assert!(!key.contains("quiet_river"));
        assert_ne!(key, throttle_key("client", "quiet_river"));
    }
}
