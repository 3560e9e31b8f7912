//! E-mail delivery of notifications: which notifications go out by e-mail at once or in a daily
//! digest (each member's settings, or the defaults: Reach out only, discreet), when (never in
//! their quiet hours), and the worker that sends the queue, retrying with back-off. The request
//! that caused a notification only writes rows; sending happens in the worker.

use crate::accounts::{Viewer, member_zone};
use crate::{App, AppError};
use jiff::civil::Time;
use mutual_domain::local::Zone;
use mutual_domain::notifications::{
    self as rules, Category, DEFAULT_EMAIL, QuietHours, retry_delay,
};
use mutual_domain::{Timestamp, UserId};
use mutual_store::notifications::{
    self as store, DeliveryRow, NotificationRow, SettingsRow, TargetRow,
};
use std::time::Duration;
use uuid::Uuid;

/// When the daily digest goes out, in the member's time zone (after their quiet hours, if later).
const DIGEST_AT: (i8, i8) = (8, 0);
/// How long a worker holds a claimed delivery.
const LEASE: Duration = Duration::from_secs(120);

/// A member's delivery choices, with the defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub email: Vec<Category>,
    pub digest: Vec<Category>,
    pub quiet: Option<QuietHours>,
    /// E-mails say only that there is something new.
    pub discreet: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            email: DEFAULT_EMAIL.to_vec(),
            digest: Vec::new(),
            quiet: None,
            discreet: true,
        }
    }
}

impl Settings {
    fn from_parts(
        email: Option<&str>,
        digest: Option<&str>,
        start: Option<&str>,
        end: Option<&str>,
        discreet: Option<bool>,
    ) -> Settings {
        let Some(email) = email else {
            return Settings::default();
        };
        let list = |text: &str| Category::parse_list(text.split(',')).unwrap_or_default();
        Settings {
            email: list(email),
            digest: list(digest.unwrap_or("")),
            quiet: QuietHours::parse(start.unwrap_or(""), end.unwrap_or(""))
                .ok()
                .flatten(),
            discreet: discreet.unwrap_or(true),
        }
    }

    fn of_target(target: &TargetRow) -> Settings {
        Settings::from_parts(
            target.email_kinds.as_deref(),
            target.digest_kinds.as_deref(),
            target.quiet_start.as_deref(),
            target.quiet_end.as_deref(),
            target.discreet,
        )
    }
}

/// The first instant at or after `at` outside the quiet hours, in `zone`.
fn after_quiet(zone: &Zone, quiet: Option<QuietHours>, at: Timestamp) -> Timestamp {
    let Some(quiet) = quiet else {
        return at;
    };
    let local = zone.zoned_time(at);
    if !quiet.contains(local) {
        return at;
    }
    crate::reminders::next_run(zone, quiet.end, at)
}

/// Deliveries for new notifications: none unless mail is configured and the member has an
/// e-mail address and chose (or kept the default for) the notification's category.
pub(crate) async fn plan(
    app: &App,
    rows: &[NotificationRow],
) -> Result<Vec<DeliveryRow>, AppError> {
    if app.mailer.is_none() || rows.is_empty() {
        return Ok(Vec::new());
    }
    let users: Vec<UserId> = rows.iter().map(|r| UserId(r.user_id)).collect();
    let targets = store::list_targets(&app.db, &users).await?;
    let now = app.clock.now();
    let mut deliveries = Vec::new();
    for row in rows {
        let Some(target) = targets.iter().find(|t| t.id == row.user_id) else {
            continue;
        };
        let settings = Settings::of_target(target);
        let zone = member_zone(app, target.time_zone.as_deref());
        let category = Category::of(&row.kind);
        let delivery = |channel: &str, notification: Option<Uuid>, run_at: Timestamp| DeliveryRow {
            id: Uuid::now_v7(),
            user_id: row.user_id,
            channel: channel.to_owned(),
            notification_id: notification,
            run_at: run_at.millis(),
            attempts: 0,
            claimed_until: 0,
            last_error: String::new(),
            created_at: now.millis(),
            sent_at: None,
        };
        if settings.email.contains(&category) {
            deliveries.push(delivery(
                "email",
                Some(row.id),
                after_quiet(&zone, settings.quiet, now),
            ));
        }
        if settings.digest.contains(&category) {
            let at = Time::new(DIGEST_AT.0, DIGEST_AT.1, 0, 0).unwrap_or(Time::midnight());
            let run_at = after_quiet(
                &zone,
                settings.quiet,
                crate::reminders::next_run(&zone, at, now),
            );
            deliveries.push(delivery("digest", None, run_at));
        }
    }
    Ok(deliveries)
}

/// The viewer's delivery settings, with the defaults where they chose nothing.
pub async fn settings(app: &App, viewer: &Viewer) -> Result<Settings, AppError> {
    Ok(match store::find_settings(&app.db, viewer.user_id).await? {
        Some(row) => Settings::from_parts(
            Some(&row.email_kinds),
            Some(&row.digest_kinds),
            row.quiet_start.as_deref(),
            row.quiet_end.as_deref(),
            Some(row.discreet),
        ),
        None => Settings::default(),
    })
}

/// Whether this server can e-mail at all (an SMTP host is configured).
pub fn mail_configured(app: &App) -> bool {
    app.mailer.is_some()
}

/// The viewer's e-mail address, if they gave one.
pub async fn address(app: &App, viewer: &Viewer) -> Result<Option<String>, AppError> {
    Ok(
        mutual_store::accounts::find_user_by_id(&app.db, viewer.user_id)
            .await?
            .and_then(|user| user.email.map(|e| e.as_str().to_owned())),
    )
}

/// What the settings form sends.
#[derive(Clone, Debug, Default)]
pub struct SettingsInput<'a> {
    /// The member's e-mail address (empty: none).
    pub address: &'a str,
    pub email: Vec<&'a str>,
    pub digest: Vec<&'a str>,
    pub quiet_start: &'a str,
    pub quiet_end: &'a str,
    pub discreet: bool,
}

/// Saves the viewer's e-mail address and delivery settings: categories by e-mail at once and
/// in the digest, quiet hours ("HH:MM" both, or both empty) and discreet mode.
pub async fn save_settings(
    app: &App,
    viewer: &Viewer,
    input: &SettingsInput<'_>,
) -> Result<(), AppError> {
    let unknown =
        |name: String| AppError::field("email", format!("“{name}” is not a kind of notification."));
    let email = Category::parse_list(input.email.iter().copied()).map_err(unknown)?;
    let digest = Category::parse_list(input.digest.iter().copied()).map_err(unknown)?;
    let hours = QuietHours::parse(input.quiet_start, input.quiet_end)?;
    let address = mutual_domain::accounts::Email::parse_optional(input.address)
        .map_err(|e| AppError::field("address", e.to_string()))?;
    let discreet = input.discreet;
    mutual_store::accounts::update_email(
        &app.db,
        viewer.user_id,
        address.as_ref(),
        app.clock.now(),
    )
    .await?;
    store::upsert_settings(
        &app.db,
        &SettingsRow {
            user_id: viewer.user_id.0,
            email_kinds: Category::join(&email),
            digest_kinds: Category::join(&digest),
            quiet_start: hours.map(|h| h.text().0),
            quiet_end: hours.map(|h| h.text().1),
            discreet,
            updated_at: app.clock.now().millis(),
        },
    )
    .await?;
    Ok(())
}

/// The e-mail a claimed delivery sends, or `None` when there is nothing to send any more (the
/// notification was read or deleted, the digest is empty).
async fn compose(
    app: &App,
    delivery: &DeliveryRow,
    settings: &Settings,
) -> Result<Option<rules::Email>, AppError> {
    let site = &app.config.community_name;
    let base = &app.config.public_url;
    if delivery.channel == "digest" {
        let since = store::find_last_digest(&app.db, delivery.user_id)
            .await?
            .unwrap_or(0);
        let items: Vec<(String, String)> =
            store::list_unread_since(&app.db, delivery.user_id, since)
                .await?
                .into_iter()
                .filter(|n| settings.digest.contains(&Category::of(&n.kind)))
                .map(|n| (n.body, n.link))
                .collect();
        return Ok(
            (!items.is_empty()).then(|| rules::digest_email(site, base, settings.discreet, &items))
        );
    }
    let Some(id) = delivery.notification_id else {
        return Ok(None);
    };
    Ok(store::find_notification(&app.db, id)
        .await?
        .filter(|n| n.read_at.is_none())
        .map(|n| rules::notification_email(site, base, settings.discreet, &n.body, &n.link)))
}

/// Sends the deliveries that are due; a failure is retried later with back-off and given up
/// after about two days. Returns how many e-mails went out. Any number of servers may run it.
pub async fn run_due_deliveries(app: &App) -> Result<usize, AppError> {
    let Some(mailer) = app.mailer.clone() else {
        return Ok(0);
    };
    let now = app.clock.now();
    let due =
        store::claim_due_deliveries(&app.db, now.millis(), now.plus(LEASE).millis(), 50).await?;
    let mut sent = 0;
    for delivery in due {
        let target = store::list_targets(&app.db, &[UserId(delivery.user_id)])
            .await?
            .pop();
        let Some((target, address)) = target.and_then(|t| t.email.clone().map(|e| (t, e))) else {
            store::mark_delivered(&app.db, delivery.id, now.millis()).await?;
            continue;
        };
        let settings = Settings::of_target(&target);
        let Some(email) = compose(app, &delivery, &settings).await? else {
            store::mark_delivered(&app.db, delivery.id, now.millis()).await?;
            continue;
        };
        match mailer.send(&address, &email.subject, &email.body).await {
            Ok(()) => {
                store::mark_delivered(&app.db, delivery.id, app.clock.now().millis()).await?;
                sent += 1;
            }
            Err(error) => {
                let attempts = u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX);
                let retry = retry_delay(attempts).map(|wait| now.plus(wait).millis());
                tracing::warn!(
                    attempts,
                    gives_up = retry.is_none(),
                    "e-mail delivery failed; it will be retried"
                );
                store::mark_failed(&app.db, delivery.id, &error, retry).await?;
            }
        }
    }
    Ok(sent)
}
