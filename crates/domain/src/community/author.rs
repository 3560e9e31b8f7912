//! Who a post, thread or edit is shown as: the one decision every page, history, export,
//! notification, log and moderation tool takes an author's name from. Only an admin's
//! audit-logged reveal (in the app's moderation) learns who wrote an anonymous post.

/// What an anonymous post shows instead of a pseudonym.
pub const ANONYMOUS_NAME: &str = "Anonymous member";
/// What the work of an erased account shows.
pub const ERASED_NAME: &str = "Deleted member";

/// A post's (or thread's, or edit's) author as anyone but the reveal sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Author {
    /// Signed with the author's current pseudonym.
    Named(String),
    /// Posted anonymously: the same for every viewer, moderators included.
    Anonymous,
    /// The account was erased.
    Erased,
}

impl Author {
    /// The one decision: anonymous work is `Anonymous` whoever looks; signed work shows the
    /// pseudonym the store read, or `Erased` when there is none (the account is gone). The
    /// store never reads the pseudonym of anonymous work, so `name` is `None` for it.
    pub fn of(anonymous: bool, name: Option<&str>) -> Author {
        match (anonymous, name) {
            (true, _) => Author::Anonymous,
            (false, Some(name)) => Author::Named(name.to_owned()),
            (false, None) => Author::Erased,
        }
    }

    /// The name shown.
    pub fn shown(&self) -> &str {
        match self {
            Author::Named(name) => name,
            Author::Anonymous => ANONYMOUS_NAME,
            Author::Erased => ERASED_NAME,
        }
    }

    /// The pseudonym, for signed work only.
    pub fn name(&self) -> Option<&str> {
        match self {
            Author::Named(name) => Some(name),
            _ => None,
        }
    }
}

impl std::fmt::Display for Author {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.shown())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_work_never_shows_a_name_even_when_one_is_read() {
        assert_eq!(Author::of(true, Some("quiet_harbour")), Author::Anonymous);
        assert_eq!(Author::of(true, None).shown(), ANONYMOUS_NAME);
        assert_eq!(Author::of(false, None), Author::Erased);
        assert_eq!(
            Author::of(false, Some("quiet_harbour")).name(),
            Some("quiet_harbour")
        );
    }
}
