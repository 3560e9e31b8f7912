//! Periodic clean-up: lapsed sessions and stale throttle counters.

use crate::{App, AppError};
use mutual_store::{sessions, throttle};
use std::time::Duration;

/// What one clean-up pass removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub throttles: u64,
}

/// Removes lapsed sessions and throttle counters older than a day.
pub async fn sweep(app: &App) -> Result<Swept, AppError> {
    let now = app.clock.now();
    let sessions = sessions::delete_expired_sessions(&app.db, now).await?;
    let day_ago = now.minus(Duration::from_secs(24 * 3600));
    let throttles = throttle::delete_stale_throttles(&app.db, day_ago, now).await?;
    Ok(Swept {
        sessions,
        throttles,
    })
}
