//! Periodic clean-up: lapsed sessions, stale throttle counters and retired pseudonyms whose
//! cooling-off period is over.

use crate::{App, AppError};
use mutual_store::{sessions, throttle};
use std::time::Duration;

/// What one clean-up pass removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub throttles: u64,
    pub retired_pseudonyms: u64,
}

/// Removes lapsed sessions, throttle counters older than a day and retired pseudonyms free
/// again.
pub async fn sweep(app: &App) -> Result<Swept, AppError> {
    let now = app.clock.now();
    let sessions = sessions::delete_expired_sessions(&app.db, now).await?;
    let day_ago = now.minus(Duration::from_secs(24 * 3600));
    let throttles = throttle::delete_stale_throttles(&app.db, day_ago, now).await?;
    let retired_pseudonyms = crate::privacy::forget_retired_pseudonyms(app, now).await?;
    Ok(Swept {
        sessions,
        throttles,
        retired_pseudonyms,
    })
}
