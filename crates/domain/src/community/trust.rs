//! Trust levels, earned automatically from time since joining, posts read, days visited and
//! upheld flags against, and what each level may do: how often to post, whether links are
//! allowed, whether to start private messages with strangers, and how much a flag weighs.

use std::time::Duration;

/// How far a member has come to be trusted in the community.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TrustLevel {
    New,
    Basic,
    Member,
    Trusted,
}

/// What the levels are computed from.
#[derive(Clone, Copy, Debug, Default)]
pub struct Activity {
    pub days_since_joining: u32,
    pub posts_read: u32,
    pub days_visited: u32,
    /// Flags against the member's posts that moderators upheld in the last 90 days.
    pub upheld_flags: u32,
}

/// The requirements of one level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub days_since_joining: u32,
    pub posts_read: u32,
    pub days_visited: u32,
    /// At most this many upheld flags.
    pub upheld_flags: u32,
}

/// The requirements of Basic, Member and Trusted, in that order (admins can change them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds(pub [Requirement; 3]);

impl Default for Thresholds {
    fn default() -> Self {
        let level = |days, read, visited, flags| Requirement {
            days_since_joining: days,
            posts_read: read,
            days_visited: visited,
            upheld_flags: flags,
        };
        Thresholds([
            level(1, 10, 2, 1),
            level(15, 100, 10, 1),
            level(60, 500, 40, 0),
        ])
    }
}

/// What a level allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// New posts and replies per hour.
    pub posts_per_hour: u32,
    pub links_allowed: bool,
    /// Whether they may start a private conversation with someone who has not written to them.
    pub message_strangers: bool,
    /// How much one flag of theirs counts towards hiding a post pending review.
    pub flag_weight: u32,
}

impl TrustLevel {
    /// The level `activity` has earned.
    pub fn earned(activity: &Activity, thresholds: &Thresholds) -> TrustLevel {
        let meets = |r: &Requirement| {
            activity.days_since_joining >= r.days_since_joining
                && activity.posts_read >= r.posts_read
                && activity.days_visited >= r.days_visited
                && activity.upheld_flags <= r.upheld_flags
        };
        let [basic, member, trusted] = &thresholds.0;
        match (meets(basic), meets(member), meets(trusted)) {
            (true, true, true) => TrustLevel::Trusted,
            (true, true, false) => TrustLevel::Member,
            (true, false, _) => TrustLevel::Basic,
            _ => TrustLevel::New,
        }
    }

    pub fn limits(self) -> Limits {
        match self {
            TrustLevel::New => Limits {
                posts_per_hour: 3,
                links_allowed: false,
                message_strangers: false,
                flag_weight: 1,
            },
            TrustLevel::Basic => Limits {
                posts_per_hour: 10,
                links_allowed: true,
                message_strangers: true,
                flag_weight: 1,
            },
            TrustLevel::Member => Limits {
                posts_per_hour: 30,
                links_allowed: true,
                message_strangers: true,
                flag_weight: 2,
            },
            TrustLevel::Trusted => Limits {
                posts_per_hour: 60,
                links_allowed: true,
                message_strangers: true,
                flag_weight: 3,
            },
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TrustLevel::New => "new",
            TrustLevel::Basic => "basic",
            TrustLevel::Member => "member",
            TrustLevel::Trusted => "trusted",
        }
    }
}

/// Whether another post is allowed, given the times (ages) of the member's posts in the last
/// hour and their limit; when not, how long until it is.
pub fn next_post_allowed(recent_post_ages: &[Duration], limits: &Limits) -> Result<(), Duration> {
    let hour = Duration::from_secs(3600);
    let mut in_hour: Vec<Duration> = recent_post_ages
        .iter()
        .copied()
        .filter(|a| *a < hour)
        .collect();
    if in_hour.len() < limits.posts_per_hour as usize {
        return Ok(());
    }
    in_hour.sort();
    // The oldest post within the hour leaves the window first.
    Err(hour - in_hour[in_hour.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(days: u32, read: u32, visited: u32, flags: u32) -> Activity {
        Activity {
            days_since_joining: days,
            posts_read: read,
            days_visited: visited,
            upheld_flags: flags,
        }
    }

    #[test]
    fn levels_are_earned_in_order_and_lost_with_upheld_flags() {
        let t = Thresholds::default();
        assert_eq!(
            TrustLevel::earned(&activity(0, 0, 0, 0), &t),
            TrustLevel::New
        );
        assert_eq!(
            TrustLevel::earned(&activity(1, 10, 2, 0), &t),
            TrustLevel::Basic
        );
        assert_eq!(
            TrustLevel::earned(&activity(20, 150, 12, 0), &t),
            TrustLevel::Member
        );
        assert_eq!(
            TrustLevel::earned(&activity(90, 900, 60, 0), &t),
            TrustLevel::Trusted
        );
        assert_eq!(
            TrustLevel::earned(&activity(90, 900, 60, 1), &t),
            TrustLevel::Member,
            "one upheld flag"
        );
        assert_eq!(
            TrustLevel::earned(&activity(90, 900, 60, 2), &t),
            TrustLevel::New,
            "repeated problems"
        );
        assert_eq!(
            TrustLevel::earned(&activity(365, 0, 0, 0), &t),
            TrustLevel::New,
            "time alone is not trust"
        );
    }

    #[test]
    fn new_members_are_limited_and_trusted_flags_weigh_more() {
        let new = TrustLevel::New.limits();
        assert!(!new.links_allowed && !new.message_strangers);
        assert!(TrustLevel::Trusted.limits().flag_weight > new.flag_weight);
        let minute = Duration::from_secs(60);
        assert_eq!(next_post_allowed(&[minute, minute * 2], &new), Ok(()));
        assert_eq!(
            next_post_allowed(&[minute, minute * 2, minute * 50, minute * 90], &new),
            Err(minute * 10),
            "the post 50 minutes ago leaves the hour in 10 minutes"
        );
    }
}
