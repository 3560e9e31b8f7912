//! The demo community: a small, clearly fictional set of pseudonymous members, a moderator and
//! an admin, so that a newcomer running `mutual serve --demo` sees a living system.

use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_domain::accounts::{AccountStatus, Username};
use mutual_domain::permissions::Role;
use mutual_store::accounts::{self as store, NewUser};

/// The password every demo account shares. Demo data is for trying Mutual out, never for use.
pub const DEMO_PASSWORD: &str = "demo lantern harbour";

/// The demo accounts: (pseudonym, role). All fictional.
pub const DEMO_ACCOUNTS: &[(&str, Role)] = &[
    ("demo_admin", Role::Admin),
    ("demo_moderator", Role::Moderator),
    ("morning_tide", Role::Member),
    ("quiet_river", Role::Member),
    ("steady_oak", Role::Member),
    ("new_leaf", Role::Member),
];

/// Fills an empty database with the demo community and returns the logins to print;
/// `None` (and no change) when the database already has accounts.
pub async fn seed_demo(app: &App) -> Result<Option<Vec<(&'static str, Role)>>, AppError> {
    if store::count_users(&app.db).await? > 0 {
        return Ok(None);
    }
    let hash = app.hasher.hash(DEMO_PASSWORD).await?;
    for (name, role) in DEMO_ACCOUNTS {
        let username = Username::parse(name).map_err(|e| AppError::Internal(e.to_string()))?;
        let user = NewUser {
            id: UserId::new(),
            username: &username,
            password_hash: &hash,
            email: None,
            role: *role,
            status: AccountStatus::Active,
            now: app.clock.now(),
        };
        store::insert_user(&app.db, &user).await?;
    }
    Ok(Some(DEMO_ACCOUNTS.to_vec()))
}
