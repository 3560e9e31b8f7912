//! Account use cases: register, sign in and out, sessions and password change. The member's
//! own data (export and erasure) is [`crate::privacy`]'s.

use crate::audit::{Action, record};
use crate::bus::{self, Change};
use crate::session_cache::CachedSession;
use crate::tokens::{hash_token, new_token, throttle_key};
use crate::{App, AppError, FieldError};
use mutual_domain::accounts::{
    AccountStatus, Email, NameWarning, Password, RegistrationMode, Username,
};
use mutual_domain::local::Zone;
use mutual_domain::permissions::Role;
use mutual_domain::{SessionId, Timestamp, UserId};
use mutual_store::accounts::{self as store, NewUser, UserRecord};
use mutual_store::sessions::{self as session_store, SessionRecord};
use mutual_store::{StoreError, settings, throttle};
use std::time::Duration;

/// The signed-in person making a request.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub user_id: UserId,
    pub username: Username,
    pub role: Role,
    pub session_id: SessionId,
    /// When the account was created.
    pub member_since: Timestamp,
    /// The member's time zone (the server's default until they choose one).
    pub zone: Zone,
    /// The country whose crisis lines they chose, if any.
    pub country: Option<String>,
}

/// What kind of client holds a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser, holding the token in a cookie.
    Browser,
    /// A program, holding the token as a bearer token.
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        }
    }
}

/// A registration as submitted.
#[derive(Debug, Default)]
pub struct Registration<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// Blank for none.
    pub email: &'a str,
    /// The invite token, when registration is by invitation.
    pub invite: Option<&'a str>,
    /// The client's address, for the per-client registration limit.
    pub client: &'a str,
    /// An IANA time zone (a browser offers its own); blank for the server's default.
    pub time_zone: &'a str,
}

/// The result of a registration.
#[derive(Debug)]
pub struct Registered {
    pub user_id: UserId,
    pub username: Username,
    /// `Pending` while registration needs approval, else `Active`.
    pub status: AccountStatus,
    /// Gentle warnings about the pseudonym, for the member to consider.
    pub warnings: Vec<NameWarning>,
    /// The account's recovery codes, to be shown once, now.
    pub recovery_codes: Vec<String>,
}

const SETTING_REGISTRATION_MODE: &str = "registration_mode";

/// How registration works right now.
pub async fn registration_mode(app: &App) -> Result<RegistrationMode, AppError> {
    let stored = settings::find_setting(&app.db, SETTING_REGISTRATION_MODE).await?;
    Ok(stored
        .as_deref()
        .and_then(RegistrationMode::parse)
        .unwrap_or(RegistrationMode::Open))
}

pub(crate) async fn set_registration_mode(
    app: &App,
    mode: RegistrationMode,
) -> Result<(), AppError> {
    settings::upsert_setting(
        &app.db,
        SETTING_REGISTRATION_MODE,
        mode.as_str(),
        app.clock.now(),
    )
    .await?;
    Ok(())
}

/// Parses a new account's pseudonym, password and e-mail, reporting every problem at once.
pub(crate) fn parse_new_account(
    username: &str,
    password: &str,
    email: &str,
) -> Result<(Username, Password, Option<Email>), AppError> {
    let mut errors = Vec::new();
    let username = Username::parse(username)
        .map_err(|e| errors.push(FieldError::new("username", e.to_string())))
        .ok();
    let password = Password::parse(password, username.as_ref())
        .map_err(|e| errors.push(FieldError::new("password", e.to_string())))
        .ok();
    let email = Email::parse_optional(email)
        .map_err(|e| errors.push(FieldError::new("email", e.to_string())))
        .ok()
        .flatten();
    match (username, password) {
        (Some(username), Some(password)) if errors.is_empty() => Ok((username, password, email)),
        _ => Err(AppError::Invalid(errors)),
    }
}

pub(crate) fn taken(error: StoreError) -> AppError {
    match error {
        StoreError::Conflict => AppError::field(
            "username",
            "That pseudonym is taken. Please choose another.",
        ),
        other => other.into(),
    }
}

/// Creates an account under the current registration mode.
pub async fn register(app: &App, input: Registration<'_>) -> Result<Registered, AppError> {
    let mode = registration_mode(app).await?;
    let (username, password, email) =
        parse_new_account(input.username, input.password, input.email)?;
    let invite_hash = match (mode, input.invite.map(str::trim).filter(|t| !t.is_empty())) {
        (RegistrationMode::Invite, None) => {
            return Err(AppError::field(
                "invite",
                "Registration here is by invitation. Please use the invite link you were sent.",
            ));
        }
        (RegistrationMode::Invite, Some(token)) => Some(hash_token(token)),
        _ => None,
    };
    let zone = match input.time_zone.trim() {
        "" => None,
        name => Some(Zone::parse(name).map_err(|e| AppError::field("time_zone", e.to_string()))?),
    };
    let client_key = throttle_key("register", input.client);
    let now = app.clock.now();
    let hour = Duration::from_secs(3600);
    let limit = throttle::Limit {
        window_start: now.minus(hour),
        limit: app.config.throttle.registrations_per_hour,
        lock_until: now.plus(hour),
    };
    take_attempts(app, &[(&client_key, limit)]).await?;
    let registered = create_account(
        app,
        &username,
        &password,
        email.as_ref(),
        mode,
        invite_hash,
        zone,
    )
    .await;
    if registered.is_err() {
        throttle::refund_attempt(&app.db, &client_key).await?;
    }
    registered
}

/// Stores a new account whose details have been checked (the throttle already counted it).
async fn create_account(
    app: &App,
    username: &Username,
    password: &Password,
    email: Option<&Email>,
    mode: RegistrationMode,
    invite_hash: Option<Vec<u8>>,
    zone: Option<Zone>,
) -> Result<Registered, AppError> {
    let password_hash = app.hasher.hash(password.expose()).await?;
    // After the hashing, as for a live pseudonym's refusal: the time taken tells nothing either.
    crate::privacy::ensure_not_retired(app, username).await?;
    let status = match mode {
        RegistrationMode::Approval => AccountStatus::Pending,
        _ => AccountStatus::Active,
    };
    let now = app.clock.now();
    let user = NewUser {
        id: UserId::new(),
        username,
        password_hash: &password_hash,
        email,
        role: Role::Member,
        status,
        now,
    };
    match &invite_hash {
        Some(hash) => store::insert_user_with_invite(&app.db, &user, hash).await.map_err(|e| match e {
            StoreError::NotFound => AppError::field(
                "invite",
                "This invite link has already been used or has expired. Please ask for a new one.",
            ),
            other => taken(other),
        })?,
        None => store::insert_user(&app.db, &user).await.map_err(taken)?,
    }
    if let Some(zone) = &zone {
        mutual_store::recovery::update_time_zone(&app.db, user.id, zone.name(), now).await?;
    }
    record(
        app,
        Some(user.id),
        Some(user.id),
        Action::Registered,
        format!("mode={}", mode.as_str()),
    )
    .await?;
    Ok(Registered {
        user_id: user.id,
        warnings: username.warnings(),
        username: username.clone(),
        status,
        recovery_codes: crate::account_recovery::new_codes(app, user.id).await?,
    })
}

/// Sign-in details as submitted.
#[derive(Debug)]
pub struct Credentials<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// "Keep me signed in": the longer session lifetimes.
    pub remember: bool,
    pub kind: SessionKind,
    /// The client's address, for throttling (never stored as is).
    pub client: &'a str,
    /// A coarse device description for the member's session list.
    pub device: &'a str,
}

/// A new session.
#[derive(Debug)]
pub struct SignedIn {
    /// The secret token; shown to the client once, stored only as a hash.
    pub token: String,
    pub session: SessionRecord,
    pub viewer: Viewer,
}

/// Counts an attempt against each `(key, rule)` before it is made; refused (and the attempts
/// just counted given back) when any key is locked or this attempt is past its limit.
pub(crate) async fn take_attempts(
    app: &App,
    keys: &[(&str, throttle::Limit)],
) -> Result<(), AppError> {
    let now = app.clock.now();
    let mut locked_until: Option<Timestamp> = None;
    for (key, rule) in keys {
        locked_until = locked_until.max(throttle::take_attempt(&app.db, key, now, *rule).await?);
    }
    match locked_until {
        Some(until) => {
            for (key, _) in keys {
                throttle::refund_attempt(&app.db, key).await?;
            }
            Err(AppError::Throttled(
                until.since(now).max(Duration::from_secs(1)),
            ))
        }
        None => Ok(()),
    }
}

/// The sign-in limits for one account and one client address.
pub(crate) fn sign_in_limits(app: &App) -> [throttle::Limit; 2] {
    let config = &app.config.throttle;
    let now = app.clock.now();
    let window_start = now.minus(Duration::from_secs(config.window_minutes * 60));
    let rule = |limit: i64, cooldown_minutes: u64| throttle::Limit {
        window_start,
        limit,
        lock_until: now.plus(Duration::from_secs(cooldown_minutes * 60)),
    };
    [
        rule(config.account_failures, config.account_cooldown_minutes),
        rule(config.client_failures, config.client_cooldown_minutes),
    ]
}

/// Checks a member's password, the attempt counted (atomically) before any hashing: a locked
/// account or client, or an attempt past the limit, is refused at once, so concurrent guesses
/// cannot pass it. A correct password forgets the account's count and gives the client's
/// attempt back. Unknown pseudonyms cost the same time as wrong passwords.
pub(crate) async fn check_password(
    app: &App,
    username: &str,
    password: &str,
    client: &str,
) -> Result<UserRecord, AppError> {
    let canonical = username.trim().to_ascii_lowercase();
    let account_key = throttle_key("account", &canonical);
    let client_key = throttle_key("client", client);
    let [account_limit, client_limit] = sign_in_limits(app);
    take_attempts(
        app,
        &[(&account_key, account_limit), (&client_key, client_limit)],
    )
    .await?;

    let user = store::find_user_by_username(&app.db, &canonical).await?;
    let too_long = password.chars().count() > Password::MAX_CHARS;
    let verified = match &user {
        Some(user) if !too_long => Some(app.hasher.verify(password, &user.password_hash).await?),
        _ => {
            if !too_long {
                app.hasher.verify_decoy(password).await?;
            }
            None
        }
    };
    match (user, verified) {
        (Some(user), Some(verified)) if verified.matches => {
            throttle::delete_throttle(&app.db, &account_key).await?;
            throttle::refund_attempt(&app.db, &client_key).await?;
            if verified.needs_rehash {
                let hash = app.hasher.hash(password).await?;
                store::update_password_hash(&app.db, user.id, &hash, app.clock.now()).await?;
            }
            Ok(user)
        }
        (user, _) => {
            let subject = user.map(|u| u.id);
            record(app, None, subject, Action::LoginFailed, "").await?;
            Err(AppError::BadCredentials)
        }
    }
}

/// Signs a member in and starts a new session (a fresh token every time).
pub async fn log_in(app: &App, credentials: Credentials<'_>) -> Result<SignedIn, AppError> {
    let mut missing = Vec::new();
    if credentials.username.trim().is_empty() {
        missing.push(FieldError::new("username", "Enter your pseudonym."));
    }
    if credentials.password.is_empty() {
        missing.push(FieldError::new("password", "Enter your password."));
    }
    if !missing.is_empty() {
        return Err(AppError::Invalid(missing));
    }
    let user = check_password(
        app,
        credentials.username,
        credentials.password,
        credentials.client,
    )
    .await?;
    match user.status {
        AccountStatus::Active => {}
        AccountStatus::Pending => return Err(AppError::PendingApproval),
        AccountStatus::Suspended => return Err(AppError::Suspended(user.status_reason)),
        AccountStatus::Deleted => return Err(AppError::BadCredentials),
    }
    let signed_in = start_session(
        app,
        &user,
        credentials.remember,
        credentials.kind,
        credentials.device,
    )
    .await?;
    record(
        app,
        Some(user.id),
        Some(user.id),
        Action::LoggedIn,
        credentials.kind.as_str(),
    )
    .await?;
    Ok(signed_in)
}

/// Signs in the account that was just registered (and is active), without checking the password
/// a second time: registration has just hashed it.
pub async fn sign_in_registered(
    app: &App,
    registered: &Registered,
    device: &str,
) -> Result<SignedIn, AppError> {
    if registered.status != AccountStatus::Active {
        return Err(AppError::PendingApproval);
    }
    let user = store::find_user_by_id(&app.db, registered.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let signed_in = start_session(app, &user, false, SessionKind::Browser, device).await?;
    record(
        app,
        Some(user.id),
        Some(user.id),
        Action::LoggedIn,
        SessionKind::Browser.as_str(),
    )
    .await?;
    Ok(signed_in)
}

pub(crate) async fn start_session(
    app: &App,
    user: &UserRecord,
    remember: bool,
    kind: SessionKind,
    device: &str,
) -> Result<SignedIn, AppError> {
    let now = app.clock.now();
    let (idle, absolute) = app
        .config
        .sessions
        .lifetimes(remember || kind == SessionKind::Api);
    let token = new_token();
    let session = SessionRecord {
        id: SessionId::new(),
        user_id: user.id,
        kind: kind.as_str().to_owned(),
        device: device.chars().take(80).collect(),
        created_at: now,
        last_seen_at: now,
        idle_timeout_ms: i64::try_from(idle.as_millis()).unwrap_or(i64::MAX),
        expires_at: now.plus(absolute),
    };
    session_store::insert_session(&app.db, &session, &hash_token(&token)).await?;
    let viewer = Viewer {
        user_id: user.id,
        username: user.username.clone(),
        role: user.role,
        session_id: session.id,
        member_since: user.created_at,
        zone: member_zone(app, user.time_zone.as_deref()),
        country: user.country.clone(),
    };
    Ok(SignedIn {
        token,
        session,
        viewer,
    })
}

/// A member's zone: theirs if chosen and still known, else the server's default.
pub(crate) fn member_zone(app: &App, chosen: Option<&str>) -> Zone {
    chosen
        .and_then(|name| Zone::parse(name).ok())
        .or_else(|| Zone::parse(&app.config.default_time_zone).ok())
        .unwrap_or_else(Zone::utc)
}

/// The zone to show times in: the member's, or the server's for a visitor.
pub fn zone_for(app: &App, viewer: Option<&Viewer>) -> Zone {
    viewer.map_or_else(|| member_zone(app, None), |v| v.zone.clone())
}

/// Activity is written back at most this often per session, so that reads stay reads.
const SEEN_GRANULARITY: Duration = Duration::from_secs(60);

/// The viewer a session token belongs to, if the session is live and the account active.
pub async fn authenticate(app: &App, token: &str) -> Result<Option<Viewer>, AppError> {
    if token.len() != 43 {
        return Ok(None);
    }
    let token_hash = hash_token(token);
    let now = app.clock.now();
    let cached = match app.sessions.get(&token_hash, now) {
        Some(cached) => cached,
        None => {
            let Some((session, user)) =
                session_store::find_session_by_token_hash(&app.db, &token_hash).await?
            else {
                return Ok(None);
            };
            if user.status != AccountStatus::Active {
                return Ok(None);
            }
            let viewer = Viewer {
                user_id: user.id,
                username: user.username,
                role: user.role,
                session_id: session.id,
                member_since: user.created_at,
                zone: member_zone(app, user.time_zone.as_deref()),
                country: user.country.clone(),
            };
            let cached = CachedSession {
                viewer,
                session,
                read_at: now,
            };
            app.sessions.put(token_hash.clone(), cached.clone());
            cached
        }
    };
    if cached.session.is_expired(now) {
        app.sessions.forget_session(cached.viewer.session_id);
        session_store::delete_session(&app.db, cached.viewer.user_id, cached.viewer.session_id)
            .await
            .ok();
        return Ok(None);
    }
    if now.since(cached.session.last_seen_at) >= SEEN_GRANULARITY {
        let session_id = cached.viewer.session_id;
        if !session_store::update_session_seen(&app.db, session_id, now).await? {
            app.sessions.forget_session(session_id);
            return Ok(None);
        }
        let mut seen = cached.clone();
        seen.session.last_seen_at = now;
        app.sessions.put(token_hash, seen);
    }
    Ok(Some(cached.viewer))
}

/// Ends the viewer's current session.
pub async fn log_out(app: &App, viewer: &Viewer) -> Result<(), AppError> {
    match session_store::delete_session(&app.db, viewer.user_id, viewer.session_id).await {
        Ok(()) | Err(StoreError::NotFound) => {}
        Err(other) => return Err(other.into()),
    }
    bus::changed(app, Change::Session(viewer.session_id)).await;
    record(
        app,
        Some(viewer.user_id),
        Some(viewer.user_id),
        Action::LoggedOut,
        "",
    )
    .await
}

/// Ends every one of the viewer's sessions, this one included.
pub async fn log_out_everywhere(app: &App, viewer: &Viewer) -> Result<u64, AppError> {
    let ended = session_store::delete_sessions_by_user(&app.db, viewer.user_id, None).await?;
    bus::changed(app, Change::Member(viewer.user_id)).await;
    record(
        app,
        Some(viewer.user_id),
        Some(viewer.user_id),
        Action::LoggedOutEverywhere,
        format!("sessions={ended}"),
    )
    .await?;
    Ok(ended)
}

/// The viewer's sessions, most recently used first.
pub async fn list_my_sessions(app: &App, viewer: &Viewer) -> Result<Vec<SessionRecord>, AppError> {
    Ok(session_store::list_sessions_by_user(&app.db, viewer.user_id).await?)
}

/// Ends one of the viewer's sessions; `NotFound` if it is not theirs.
pub async fn end_session(app: &App, viewer: &Viewer, session: SessionId) -> Result<(), AppError> {
    session_store::delete_session(&app.db, viewer.user_id, session).await?;
    bus::changed(app, Change::Session(session)).await;
    record(
        app,
        Some(viewer.user_id),
        Some(viewer.user_id),
        Action::SessionEnded,
        "",
    )
    .await
}

/// Checks the signed-in viewer's own password before a sensitive change (throttled like a
/// login); a wrong or missing one is an error on `field`.
pub(crate) async fn confirm_password(
    app: &App,
    viewer: &Viewer,
    password: &str,
    client: &str,
    field: &'static str,
) -> Result<(), AppError> {
    if password.is_empty() {
        return Err(AppError::field(
            field,
            "Enter your current password to confirm.",
        ));
    }
    match check_password(app, viewer.username.as_str(), password, client).await {
        Ok(_) => Ok(()),
        Err(AppError::BadCredentials) => {
            Err(AppError::field(field, "That is not your current password."))
        }
        Err(other) => Err(other),
    }
}

/// Changes the viewer's password after checking the current one; every other session ends.
pub async fn change_password(
    app: &App,
    viewer: &Viewer,
    current: &str,
    new: &str,
    client: &str,
) -> Result<(), AppError> {
    let new = Password::parse(new, Some(&viewer.username))
        .map_err(|e| AppError::field("new_password", e.to_string()))?;
    confirm_password(app, viewer, current, client, "current_password").await?;
    let hash = app.hasher.hash(new.expose()).await?;
    store::update_password_hash(&app.db, viewer.user_id, &hash, app.clock.now()).await?;
    session_store::delete_sessions_by_user(&app.db, viewer.user_id, Some(viewer.session_id))
        .await?;
    bus::changed(app, Change::Member(viewer.user_id)).await;
    record(
        app,
        Some(viewer.user_id),
        Some(viewer.user_id),
        Action::PasswordChanged,
        "",
    )
    .await
}

/// The member who goes by a pseudonym as someone typed it (any case, spaces around), unless the
/// account was deleted.
pub async fn member_named(app: &App, typed: &str) -> Result<Option<UserRecord>, AppError> {
    let canonical = typed.trim().trim_start_matches('@').to_ascii_lowercase();
    Ok(store::find_user_by_username(&app.db, &canonical)
        .await?
        .filter(|user| user.status != AccountStatus::Deleted))
}

/// The crisis lines to show: the country `picked` on `/help` (a visitor's or member's cookie),
/// else the viewer's chosen country, else the one their time zone suggests, else the server's.
pub fn crisis_lines(
    app: &App,
    viewer: Option<&Viewer>,
    picked: Option<&str>,
) -> std::sync::Arc<crate::crisis::CountryLines> {
    app.crisis
        .now()
        .for_person(
            picked,
            viewer.and_then(|v| v.country.as_deref()),
            viewer.map(|v| v.zone.name()),
        )
        .clone()
}

/// Sets the country whose crisis lines the viewer is shown: a code with lines, `other` for
/// "somewhere else" (the international directories), or empty for the one their zone suggests.
pub async fn set_country(app: &App, viewer: &Viewer, country: &str) -> Result<(), AppError> {
    let country = country.trim();
    let stored = match country {
        "" => None,
        "other" => Some("other".to_owned()),
        code => Some(
            app.crisis
                .now()
                .known(code)
                .ok_or_else(|| {
                    AppError::field(
                        "country",
                        "Choose a country from the list, or \"Somewhere else\".",
                    )
                })?
                .code
                .clone(),
        ),
    };
    store::update_country(&app.db, viewer.user_id, stored.as_deref(), app.clock.now()).await?;
    bus::changed(app, Change::Member(viewer.user_id)).await;
    Ok(())
}
