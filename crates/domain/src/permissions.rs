//! Roles and who may reach what: the vocabulary of the route policy table.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A member's role on this server. Later features add mentor, facilitator, supporter, clinician.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Member,
    Moderator,
    Admin,
}

impl Role {
    /// Every role, least privileged first.
    pub const ALL: [Role; 3] = [Role::Member, Role::Moderator, Role::Admin];

    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored or submitted role name.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Whether this role carries moderator powers (admins moderate too).
    pub fn can_moderate(self) -> bool {
        matches!(self, Role::Moderator | Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not; the handler does not look at the session at all
    /// (so it keeps working when the database is down).
    Public,
    /// Anyone; the handler sees the viewer if signed in.
    Anyone,
    /// Signed-in members of any role.
    Member,
    /// Moderators and admins.
    Moderator,
    /// Admins only.
    Admin,
}

impl Access {
    /// Whether a viewer with `role` (`None` when signed out) may call the route.
    pub fn allows(self, role: Option<Role>) -> bool {
        match self {
            Access::Public | Access::Anyone => true,
            Access::Member => role.is_some(),
            Access::Moderator => role.is_some_and(Role::can_moderate),
            Access::Admin => role == Some(Role::Admin),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_access_level_admits_exactly_the_roles_it_names() {
        let viewers = [
            None,
            Some(Role::Member),
            Some(Role::Moderator),
            Some(Role::Admin),
        ];
        let expect = |access: Access| viewers.map(|v| access.allows(v));
        assert_eq!(expect(Access::Public), [true, true, true, true]);
        assert_eq!(expect(Access::Anyone), [true, true, true, true]);
        assert_eq!(expect(Access::Member), [false, true, true, true]);
        assert_eq!(expect(Access::Moderator), [false, false, true, true]);
        assert_eq!(expect(Access::Admin), [false, false, false, true]);
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
