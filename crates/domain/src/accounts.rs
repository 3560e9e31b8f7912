//! Account rules: pseudonyms, passwords, e-mail, account status and registration modes.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

/// A pseudonym: 3–32 ASCII letters, digits, `_`, `-` or `.`, starting and ending with a letter
/// or digit. ASCII only, so that no two pseudonyms can look alike (no homoglyph impersonation
/// of a moderator). Unique without regard to case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

/// Why a pseudonym was refused; the message is written for the person choosing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("Choose a pseudonym.")]
    Empty,
    #[error("A pseudonym needs at least 3 characters.")]
    TooShort,
    #[error("A pseudonym can have at most 32 characters.")]
    TooLong,
    #[error(
        "Use only letters a–z, digits, and _ - . (so no two pseudonyms can look alike); \"{0}\" is not allowed."
    )]
    BadCharacter(char),
    #[error("Start and end the pseudonym with a letter or a digit.")]
    BadEdge,
    #[error("That pseudonym is reserved. Please choose another.")]
    Reserved,
}

/// Names nobody may register, because they would let a member pass as staff or as the system.
const RESERVED: &[&str] = &[
    "admin",
    "administrator",
    "anonymous",
    "deleted",
    "help",
    "mod",
    "moderator",
    "moderators",
    "mutual",
    "root",
    "staff",
    "support",
    "system",
    "team",
];

impl Username {
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 32;

    /// Parses a submitted pseudonym (surrounding whitespace is ignored).
    pub fn parse(input: &str) -> Result<Username, UsernameError> {
        let name = input.trim();
        if name.is_empty() {
            return Err(UsernameError::Empty);
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        {
            return Err(UsernameError::BadCharacter(bad));
        }
        // ASCII from here on, so bytes are characters.
        if name.len() < Self::MIN_CHARS {
            return Err(UsernameError::TooShort);
        }
        if name.len() > Self::MAX_CHARS {
            return Err(UsernameError::TooLong);
        }
        let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
            return Err(UsernameError::BadEdge);
        }
        let lower = name.to_ascii_lowercase();
        let squashed: String = lower
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        if RESERVED.contains(&lower.as_str()) || RESERVED.contains(&squashed.as_str()) {
            return Err(UsernameError::Reserved);
        }
        Ok(Username(name.to_owned()))
    }

    /// Wraps a name read back from storage, where it was parsed on the way in.
    pub fn from_trusted(name: String) -> Username {
        Username(name)
    }

    /// The pseudonym as the member wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The canonical lower-case form used for uniqueness and look-ups.
    pub fn canonical(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// Gentle warnings (never refusals) about a pseudonym that may identify its owner.
    pub fn warnings(&self) -> Vec<NameWarning> {
        let mut warnings = Vec::new();
        if looks_like_full_name(&self.0) {
            warnings.push(NameWarning::LooksLikeRealName);
        }
        if self.0.chars().filter(char::is_ascii_digit).count() >= 7 {
            warnings.push(NameWarning::ContainsPhoneNumber);
        }
        warnings
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Something about a pseudonym worth a second thought before keeping it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NameWarning {
    LooksLikeRealName,
    ContainsPhoneNumber,
}

impl NameWarning {
    /// The sentence shown to the person.
    pub fn message(self) -> &'static str {
        match self {
            NameWarning::LooksLikeRealName => {
                "This looks like it could be a real name. Many members use a pseudonym so that \
                 nobody can find them here by name. You can keep it or choose another."
            }
            NameWarning::ContainsPhoneNumber => {
                "This seems to contain a phone number, which could identify you. You can keep it \
                 or choose another."
            }
        }
    }
}

static FIRST_NAMES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/first-names.txt")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .flat_map(str::split_whitespace)
        .collect()
});

/// "John.Smith", "jane_doe", "MariaGarcia": a common given name followed by one or two more
/// purely alphabetic parts.
fn looks_like_full_name(name: &str) -> bool {
    let mut parts: Vec<String> = Vec::new();
    for piece in name.split(['_', '-', '.']).filter(|p| !p.is_empty()) {
        // Split "MariaGarcia" at the inner capital.
        let mut current = String::new();
        for c in piece.chars() {
            if c.is_ascii_uppercase() && !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            current.push(c);
        }
        parts.push(current);
    }
    let all_alpha = parts
        .iter()
        .all(|p| p.len() >= 2 && p.chars().all(|c| c.is_ascii_alphabetic()));
    (2..=3).contains(&parts.len())
        && all_alpha
        && FIRST_NAMES.contains(parts[0].to_ascii_lowercase().as_str())
}

/// A password that met the rules. Never displayed, logged or serialised.
pub struct Password(String);

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Choose a password of at least 12 characters.")]
    TooShort,
    #[error("A password can have at most 256 characters.")]
    TooLong,
    #[error(
        "That password is one of the first that attackers try. A few unrelated words make a strong one."
    )]
    Common,
    #[error("Please don't use your pseudonym in your password.")]
    ContainsUsername,
}

static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    /// Parses a new password: 12–256 characters of any kind, not a common one, not the pseudonym.
    /// No composition rules (NIST SP 800-63B).
    pub fn parse(input: &str, username: Option<&Username>) -> Result<Password, PasswordError> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        let lower = input.to_lowercase();
        if let Some(username) = username
            && lower.contains(&username.canonical())
        {
            return Err(PasswordError::ContainsUsername);
        }
        if is_common(&lower) {
            return Err(PasswordError::Common);
        }
        Ok(Password(input.to_owned()))
    }

    /// The secret itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

fn is_common(lower: &str) -> bool {
    let mut distinct = lower.chars().collect::<Vec<_>>();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() <= 2 {
        return true; // "aaaaaaaaaaaa", "abababababab"
    }
    if COMMON_PASSWORDS.contains(lower) {
        return true;
    }
    // A listed stem followed only by digits and symbols: "password1234", "sunshine2024!".
    let stem = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    if !stem.is_empty() && COMMON_PASSWORDS.contains(stem) {
        return true;
    }
    // A listed stem written twice: "monkeymonkey".
    let half = lower.len() / 2;
    if lower.len().is_multiple_of(2)
        && lower.is_char_boundary(half)
        && lower[..half] == lower[half..]
        && COMMON_PASSWORDS.contains(&lower[..half])
    {
        return true;
    }
    // Runs along the keyboard or the alphabet: "1234567890ab", "abcdefghijklm".
    const RUNS: &[&str] = &[
        "1234567890123456789012345678901234567890",
        "0987654321098765432109876543210987654321",
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
        "qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm",
        "zyxwvutsrqponmlkjihgfedcbazyxwvutsrqponmlkjihgfedcba",
    ];
    RUNS.iter().any(|run| run.contains(lower))
}

/// An optional e-mail address, kept only if the member gives one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

/// Why an e-mail address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("That doesn't look like an e-mail address (it needs one @ with text on both sides).")]
    Malformed,
    #[error("An e-mail address can have at most 254 characters.")]
    TooLong,
}

impl Email {
    /// Parses an optional address: blank means none.
    pub fn parse_optional(input: &str) -> Result<Option<Email>, EmailError> {
        let text = input.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = text.split_once('@').ok_or(EmailError::Malformed)?;
        let valid = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            return Err(EmailError::Malformed);
        }
        Ok(Some(Email(text.to_owned())))
    }

    /// Wraps an address read back from storage.
    pub fn from_trusted(text: String) -> Email {
        Email(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where an account stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AccountStatus {
    /// Can sign in.
    Active,
    /// Registered while registration needs approval; waiting for an admin.
    Pending,
    /// Suspended by staff, with a reason the member can read.
    Suspended,
    /// Erased at the member's request; only a de-identified tombstone remains.
    Deleted,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Pending => "pending",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> Option<AccountStatus> {
        [Self::Active, Self::Pending, Self::Suspended, Self::Deleted]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// How new accounts come to be, chosen by the admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationMode {
    /// Anyone may register (the default).
    Open,
    /// Only with an invite link from an admin.
    Invite,
    /// Anyone may register; an admin approves the account before it can be used.
    Approval,
}

impl RegistrationMode {
    pub const ALL: [RegistrationMode; 3] = [Self::Open, Self::Invite, Self::Approval];

    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationMode::Open => "open",
            RegistrationMode::Invite => "invite",
            RegistrationMode::Approval => "approval",
        }
    }

    pub fn parse(text: &str) -> Option<RegistrationMode> {
        Self::ALL.into_iter().find(|mode| mode.as_str() == text)
    }

    /// A sentence for the admin page.
    pub fn describe(self) -> &'static str {
        match self {
            RegistrationMode::Open => "Open: anyone can register.",
            RegistrationMode::Invite => "Invite only: people register with an invite link.",
            RegistrationMode::Approval => {
                "Approval: anyone can register; an admin approves each account."
            }
        }
    }
}

/// The e-mail that carries a reset link (plain text, no pseudonym in the subject).
pub fn reset_email(
    site: &str,
    base_url: &str,
    username: &str,
    token: &str,
    lifetime: std::time::Duration,
) -> crate::notifications::Email {
    let base = base_url.trim_end_matches('/');
    let minutes = lifetime.as_secs() / 60;
    crate::notifications::Email {
        subject: format!("{site}: a link to choose a new password"),
        body: format!(
            "Someone (we hope you) asked for a new password for {username} on {site}.\n\n\
             Choose it here within {minutes} minutes; the link works once:\n{base}/account-recovery/reset/{token}\n\n\
             Choosing it signs you out everywhere. If you did not ask, ignore this e-mail: your \
             password stays as it is.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_follow_the_length_and_character_rules() {
        assert!(Username::parse("quiet_river").is_ok());
        assert!(Username::parse("a.b").is_ok());
        assert_eq!(Username::parse("  "), Err(UsernameError::Empty));
        assert_eq!(Username::parse("ab"), Err(UsernameError::TooShort));
        assert_eq!(
            Username::parse(&"x".repeat(33)),
            Err(UsernameError::TooLong)
        );
        assert!(Username::parse(&"x".repeat(32)).is_ok());
        assert_eq!(
            Username::parse("hello world"),
            Err(UsernameError::BadCharacter(' '))
        );
        assert_eq!(
            Username::parse("rivеr"),
            Err(UsernameError::BadCharacter('е'))
        );
        assert_eq!(Username::parse("_river"), Err(UsernameError::BadEdge));
        assert_eq!(Username::parse("river."), Err(UsernameError::BadEdge));
    }

    #[test]
    fn staff_like_pseudonyms_are_reserved_in_any_case_or_punctuation() {
        assert_eq!(Username::parse("Admin"), Err(UsernameError::Reserved));
        assert_eq!(Username::parse("mod.erator"), Err(UsernameError::Reserved));
        assert_eq!(Username::parse("Anonymous"), Err(UsernameError::Reserved));
    }

    #[test]
    fn canonical_form_ignores_case() {
        let a = Username::parse("QuietRiver").unwrap();
        let b = Username::parse("quietriver").unwrap();
        assert_eq!(a.canonical(), b.canonical());
        assert_eq!(a.as_str(), "QuietRiver");
    }

    #[test]
    fn real_names_and_phone_numbers_draw_a_warning_but_pseudonyms_do_not() {
        let warn = |s: &str| Username::parse(s).unwrap().warnings();
        assert_eq!(warn("John.Smith"), vec![NameWarning::LooksLikeRealName]);
        assert_eq!(warn("maria_garcia"), vec![NameWarning::LooksLikeRealName]);
        assert_eq!(warn("SarahJones"), vec![NameWarning::LooksLikeRealName]);
        assert_eq!(
            warn("ben-5551234567"),
            vec![NameWarning::ContainsPhoneNumber]
        );
        assert!(warn("quiet_river").is_empty());
        assert!(warn("morningtide").is_empty());
        assert!(warn("john").is_empty());
    }

    #[test]
    fn passwords_need_twelve_characters_of_any_kind_and_allow_at_least_128() {
        assert_eq!(
            Password::parse("short", None).unwrap_err(),
            PasswordError::TooShort
        );
        assert!(Password::parse("correct horse battery", None).is_ok());
        assert!(Password::parse("ŝtelo-ĉielo-ŝipo", None).is_ok());
        assert!(Password::parse("🐢🌊🌙🍵🐢🌊🌙🍵🐢🌊🌙🍵", None).is_ok());
        let long: String = "river lamp ".repeat(12).chars().take(128).collect();
        assert!(Password::parse(&long, None).is_ok());
        assert_eq!(
            Password::parse(&"ab1".repeat(90), None).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn common_passwords_and_their_obvious_variants_are_refused() {
        for common in [
            "password1234",
            "Password2024!",
            "qwertyuiop12",
            "123456789012",
            "iloveyou1234",
            "monkeymonkey",
            "aaaaaaaaaaaa",
            "abcdefghijklm",
            "onedayatatime",
        ] {
            assert_eq!(
                Password::parse(common, None).unwrap_err(),
                PasswordError::Common,
                "{common}"
            );
        }
    }

    #[test]
    fn a_password_containing_the_pseudonym_is_refused() {
        let name = Username::parse("quiet_river").unwrap();
        assert_eq!(
            Password::parse("my Quiet_River secret", Some(&name)).unwrap_err(),
            PasswordError::ContainsUsername
        );
    }

    #[test]
    fn passwords_never_show_in_debug_output() {
        let password = Password::parse("lantern harbour violet", None).unwrap();
        assert_eq!(format!("{password:?}"), "Password(..)");
    }

    #[test]
    fn email_is_optional_and_checked_loosely() {
        assert_eq!(Email::parse_optional("  "), Ok(None));
        assert!(Email::parse_optional("me@example.org").unwrap().is_some());
        assert_eq!(Email::parse_optional("me@"), Err(EmailError::Malformed));
        assert_eq!(
            Email::parse_optional("a@b@c.org"),
            Err(EmailError::Malformed)
        );
    }

    #[test]
    fn registration_modes_and_statuses_round_trip() {
        for mode in RegistrationMode::ALL {
            assert_eq!(RegistrationMode::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(
            AccountStatus::parse("suspended"),
            Some(AccountStatus::Suspended)
        );
        assert_eq!(AccountStatus::parse("gone"), None);
    }
}
