//! The member's own data as one whole: the export of everything stored about them and the
//! erasure of their account, each folded from what every feature hands over (its export and
//! its [`mutual_store::privacy::MemberData`]), and the cooling-off of erased pseudonyms.

use crate::accounts::{Viewer, taken};
use crate::audit::{Action, record};
use crate::{App, AppError};
use mutual_domain::Timestamp;
use mutual_domain::accounts::Username;
use mutual_domain::permissions::Role;
use mutual_store::privacy as store;
use mutual_store::{StoreError, accounts};
use std::time::Duration;

/// The stored form of a retired pseudonym: a hash of its canonical spelling, so the list of
/// retired names does not keep an erased member's pseudonym readable.
fn retired_hash(username: &Username) -> Vec<u8> {
    crate::tokens::hash_token(&format!("retired pseudonym {}", username.canonical()))
}

/// Refuses a pseudonym an erased account gave up less than the cooling-off period ago, with the
/// very words a live account's pseudonym gets: nobody learns that someone erased their account.
pub(crate) async fn ensure_not_retired(app: &App, username: &Username) -> Result<(), AppError> {
    if store::is_retired(&app.db, &retired_hash(username), app.clock.now()).await? {
        return Err(taken(StoreError::Conflict));
    }
    Ok(())
}

/// Forgets retired pseudonyms whose cooling-off period is over (housekeeping).
pub async fn forget_retired_pseudonyms(app: &App, now: Timestamp) -> Result<u64, AppError> {
    Ok(store::delete_expired_retired_names(&app.db, now).await?)
}

/// Everything stored about the viewer, as JSON keyed by the table it came from.
pub async fn export_my_data(app: &App, viewer: &Viewer) -> Result<serde_json::Value, AppError> {
    let user = accounts::find_user_by_id(&app.db, viewer.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    record(app, Some(user.id), Some(user.id), Action::Exported, "").await?;
    let sessions = mutual_store::sessions::list_sessions_by_user(&app.db, user.id).await?;
    let audit_log = mutual_store::audit::list_audit_events_by_user(&app.db, user.id).await?;
    let invites = accounts::list_invites_by_user(&app.db, user.id).await?;
    let recovery = crate::recovery::export(app, user.id).await?;
    let meetings = crate::meetings::export(app, user.id).await?;
    let community = crate::community::export(app, user.id).await?;
    let people = crate::people::export(app, user.id).await?;
    let notifications = crate::notifications::export(app, user.id).await?;
    let account_recovery = mutual_store::account_recovery::export_member(&app.db, user.id).await?;
    let mut export = serde_json::json!({
        "format": "mutual-export/1",
        "exported_at": app.clock.now().to_rfc3339(),
        "users": {
            "id": user.id,
            "username": user.username,
            "email": user.email,
            "role": user.role,
            "status": user.status,
            "status_reason": user.status_reason,
            "time_zone": user.time_zone,
            "country": user.country,
            "created_at": user.created_at.to_rfc3339(),
            "updated_at": user.updated_at.to_rfc3339(),
        },
        "sessions": sessions,
        "audit_log": audit_log,
        "invites": invites,
    });
    if let Some(tables) = export.as_object_mut() {
        tables.extend(recovery);
        tables.extend(meetings);
        tables.extend(community);
        tables.extend(people);
        tables.extend(notifications);
        tables.extend(account_recovery);
    }
    readable(&mut export);
    Ok(export)
}

/// Puts an export in the forms a person reads, whatever table a value came from: every instant
/// (a field named `at`, `*_at` or `*_until`, stored as Unix milliseconds) becomes an RFC 3339
/// time, a duration stored in milliseconds (`*_ms`) becomes seconds (`*_seconds`), and sleep
/// stored in tenths of an hour (`*_hours_tenths`) becomes hours (`*_hours`).
fn readable(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Array(items) => items.iter_mut().for_each(readable),
        Value::Object(fields) => {
            let renamed: Vec<(String, String, Value)> = fields
                .iter()
                .filter_map(|(key, value)| {
                    let number = value.as_i64()?;
                    if key == "at" || key.ends_with("_at") || key.ends_with("_until") {
                        let time = Timestamp(number).to_rfc3339();
                        Some((key.clone(), key.clone(), Value::String(time)))
                    } else if let Some(stem) = key.strip_suffix("_ms") {
                        Some((
                            key.clone(),
                            format!("{stem}_seconds"),
                            (number / 1000).into(),
                        ))
                    } else {
                        key.strip_suffix("_tenths").map(|stem| {
                            (key.clone(), stem.to_owned(), (number as f64 / 10.0).into())
                        })
                    }
                })
                .collect();
            for (old, new, value) in renamed {
                fields.remove(&old);
                fields.insert(new, value);
            }
            fields.values_mut().for_each(readable);
        }
        _ => {}
    }
}

/// Erases the viewer's account after checking their password: personal data goes at once,
/// every session ends, and only a de-identified tombstone remains for integrity.
pub async fn delete_my_account(
    app: &App,
    viewer: &Viewer,
    password: &str,
    client: &str,
) -> Result<(), AppError> {
    crate::accounts::confirm_password(app, viewer, password, client, "password").await?;
    if viewer.role == Role::Admin && accounts::count_active_admins(&app.db).await? <= 1 {
        return Err(AppError::Forbidden(
            "You are the only admin. Make someone else an admin before deleting your account.",
        ));
    }
    record(
        app,
        Some(viewer.user_id),
        Some(viewer.user_id),
        Action::AccountDeleted,
        "",
    )
    .await?;
    let now = app.clock.now();
    let cooling_off = u64::from(app.config.privacy.pseudonym_cooling_off_days) * 24 * 3600;
    store::erase_user(
        &app.db,
        viewer.user_id,
        now,
        &retired_hash(&viewer.username),
        now.plus(Duration::from_secs(cooling_off)),
    )
    .await?;
    crate::bus::changed(app, crate::bus::Change::Member(viewer.user_id)).await;
    crate::people::messages::forget_all_places(app);
    // Other members' snapshots hold their unread notifications rendered with the member's
    // pseudonym and thread titles: every one is dropped, as an erasure is rare.
    crate::recovery::snapshot::forget_all(app);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn exports_read_as_times_seconds_and_hours() {
        let mut export = serde_json::json!({
            "users": { "created_at": 1_790_000_000_000_i64, "username": "quiet_harbour" },
            "sessions": [{ "expires_at": 0, "idle_timeout_ms": 1_800_000, "locked_until": 0 }],
            "checkins": [{ "sleep_hours_tenths": 75, "mood": 3, "at": 1_000 }],
        });
        readable(&mut export);
        assert_eq!(export["users"]["created_at"], "2026-09-21T14:13:20Z");
        assert_eq!(export["users"]["username"], "quiet_harbour");
        let session = &export["sessions"][0];
        assert_eq!(session["expires_at"], "1970-01-01T00:00:00Z");
        assert_eq!(session["idle_timeout_seconds"], 1_800);
        assert!(session.get("idle_timeout_ms").is_none());
        assert_eq!(session["locked_until"], "1970-01-01T00:00:00Z");
        let checkin = &export["checkins"][0];
        assert_eq!(checkin["sleep_hours"], 7.5);
        assert_eq!(checkin["mood"], 3);
        assert_eq!(checkin["at"], "1970-01-01T00:00:01Z");
    }
}
