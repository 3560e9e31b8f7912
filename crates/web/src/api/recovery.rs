//! `/api/v1` for the recovery journey: clocks, check-ins, weekly check-ins, trends and warning
//! signs. Only the member's own data is ever reachable; anything else is 404.

use crate::AppState;
use crate::api::contract::at;
use crate::api::contract::renamed;
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::forms::ApiJson;
use crate::ids::IdPath;
use crate::pages::query_param;
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mutual_app::AppError;
use mutual_app::accounts::Viewer;
use mutual_app::recovery::{
    self, CheckinRow, ClockInput, ClockView, FiredSign, TrendDay, WeeklyRow,
};
use mutual_domain::permissions::Access::Member;
use mutual_domain::recovery::checkins::{CheckinInput, TRIGGERS};
use mutual_domain::recovery::warnings::Rule;
use mutual_domain::recovery::weekly::{WeeklyAnswers, WeeklyScores, parse_weekly};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

/// The trigger codes a check-in takes, as the domain lists them.
fn triggers_schema() -> ArrayBuilder {
    let codes: Vec<&str> = TRIGGERS.iter().map(|(code, _)| *code).collect();
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(codes))
                .examples(["stress"]),
        )
        .description(Some(
            "What made the day harder, as codes from the list (each once); an unknown code is refused.",
        ))
}

/// The next milestone on a clock.
#[derive(Serialize, ToSchema)]
struct ClockNextMilestone {
    /// As the milestone schedule names it.
    #[schema(example = "30 days")]
    label: String,
    /// When it is reached.
    #[schema(format = DateTime, example = "2026-04-01T00:00:00-04:00")]
    at: String,
    /// Local calendar days from today to the milestone's date.
    #[schema(example = 20)]
    in_days: i64,
}

/// A recovery clock as the member sees it.
#[derive(Serialize, ToSchema)]
struct ClockResponse {
    id: Uuid,
    #[schema(example = "alcohol")]
    label: String,
    /// When the current attempt started.
    #[schema(format = DateTime, example = "2026-03-01T00:00:00-05:00")]
    started_at: String,
    /// The start in the clock's zone, `YYYY-MM-DD HH:MM`, for showing.
    #[schema(example = "2026-03-01 00:00")]
    start_local: String,
    /// The IANA zone the clock counts days in (the member's when it was last saved).
    #[schema(example = "America/New_York")]
    time_zone: String,
    /// Whole local calendar days clean.
    #[schema(example = 10)]
    days: i64,
    /// Hours beyond the whole days (0-23).
    #[schema(minimum = 0, maximum = 23, example = 4)]
    hours: i64,
    next_milestone: ClockNextMilestone,
    /// Clean days over every attempt, this one included.
    #[schema(example = 10)]
    total_days: i64,
    /// The longest attempt, in days.
    #[schema(example = 7)]
    longest_days: i64,
    /// How many attempts, this one included.
    #[schema(minimum = 1, example = 2)]
    attempts: usize,
    /// Hidden from the dashboard.
    hidden: bool,
    /// Money no longer spent per day, in cents.
    #[schema(required = true, example = 1250)]
    money_per_day_cents: Option<i64>,
    /// Time no longer spent per day, in minutes.
    #[schema(required = true, minimum = 0, maximum = 1440, example = 90)]
    minutes_per_day: Option<i64>,
}

fn clock_response(view: &ClockView) -> ClockResponse {
    ClockResponse {
        id: view.row.id,
        label: view.row.label.clone(),
        started_at: view.started_at().to_rfc3339(),
        start_local: view.zone.display(view.started_at()),
        time_zone: view.zone.name().to_owned(),
        days: view.clean.days,
        hours: view.clean.hours,
        next_milestone: ClockNextMilestone {
            label: view.next_label.clone(),
            at: view.next_at.to_rfc3339(),
            in_days: view.days_to_next,
        },
        total_days: view.history.total_days,
        longest_days: view.history.longest_days,
        attempts: view.history.attempts,
        hidden: view.row.hidden,
        money_per_day_cents: view.row.money_per_day_cents,
        minutes_per_day: view.row.minutes_per_day,
    }
}

/// A clock's details: to start one, or to change one (a corrected start keeps its history).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockRequest {
    /// What the clock counts, 1 to 40 characters once trimmed.
    #[schema(min_length = 1, max_length = 40, example = "alcohol")]
    label: String,
    /// The start's local date in the member's zone: from 1900, not in the future.
    #[schema(format = Date, example = "2026-03-01")]
    start_date: String,
    /// The start's local time, `HH:MM` (24-hour); the start of the day when absent or empty.
    /// Not in the future, and not a time the clocks skip.
    #[serde(default)]
    #[schema(pattern = "^([0-9]{1,2}:[0-9]{2})?$", example = "21:30")]
    start_time: Option<String>,
    /// Money no longer spent per day, in the member's currency: up to 100000 with at most two
    /// decimals; none when absent or empty.
    #[serde(default)]
    #[schema(pattern = "^([0-9]{1,6}(\\.[0-9]{0,2})?)?$", example = "12.50")]
    money_per_day: Option<String>,
    /// Time no longer spent per day, in minutes.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1440, example = 90)]
    minutes_per_day: Option<i64>,
    /// Hide the clock from the dashboard.
    #[serde(default)]
    hidden: bool,
}

impl ClockRequest {
    fn minutes_text(&self) -> String {
        self.minutes_per_day
            .map(|m| m.to_string())
            .unwrap_or_default()
    }

    fn input<'a>(&'a self, minutes: &'a str) -> ClockInput<'a> {
        ClockInput {
            label: &self.label,
            start_date: &self.start_date,
            start_time: self.start_time.as_deref().unwrap_or(""),
            money_per_day: self.money_per_day.as_deref().unwrap_or(""),
            minutes_per_day: minutes,
            hidden: self.hidden,
        }
    }
}

/// The member's recovery clocks
#[utoipa::path(get, path = "/api/v1/clocks", tag = "recovery",
    responses((status = 200, description = "The clocks", body = Vec<ClockResponse>)))]
pub async fn list_clocks(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let clocks = recovery::list_clocks(&state.app, &viewer).await?;
    Ok(Json(clocks.iter().map(clock_response).collect::<Vec<_>>()).into_response())
}

/// Start a clock
///
/// A member keeps at most 20 clocks (422 on `label` past that).
#[utoipa::path(post, path = "/api/v1/clocks", tag = "recovery",
    request_body = ClockRequest,
    responses((status = 201, description = "The new clock", body = ClockResponse)))]
pub async fn create_clock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<ClockRequest>,
) -> Result<Response, ApiError> {
    let minutes = request.minutes_text();
    let created = recovery::create_clock(&state.app, &viewer, &request.input(&minutes)).await?;
    Ok((StatusCode::CREATED, Json(clock_response(&created))).into_response())
}

async fn one_clock(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<Response, ApiError> {
    Ok(Json(clock_response(
        &recovery::find_clock(&state.app, viewer, id).await?,
    ))
    .into_response())
}

/// Change a clock's details
///
/// A corrected start keeps the clock's history.
#[utoipa::path(put, path = "/api/v1/clocks/{id}", tag = "recovery",
    params(IdPath),
    request_body = ClockRequest,
    responses((status = 200, description = "The clock", body = ClockResponse)))]
pub async fn update_clock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ClockRequest>,
) -> Result<Response, ApiError> {
    let minutes = request.minutes_text();
    recovery::update_clock(&state.app, &viewer, id, &request.input(&minutes)).await?;
    one_clock(&state, &viewer, id).await
}

/// Delete a clock and its history
#[utoipa::path(delete, path = "/api/v1/clocks/{id}", tag = "recovery",
    params(IdPath),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_clock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    recovery::delete_clock(&state.app, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A slip on a clock.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetClockRequest {
    /// The slip's local date: not before the clock started, not in the future.
    #[schema(format = Date, example = "2026-03-08")]
    date: String,
    /// The slip's local time, `HH:MM` (24-hour); absent or empty: now when the date is today,
    /// else the start of that day.
    #[serde(default)]
    #[schema(pattern = "^([0-9]{1,2}:[0-9]{2})?$", example = "23:00")]
    time: Option<String>,
    /// A private note kept with the attempt that ended, at most 2000 characters once trimmed.
    #[serde(default)]
    #[schema(max_length = 2000, example = "a hard night")]
    note: Option<String>,
}

/// Record a slip: the clock starts again and the history is kept
#[utoipa::path(post, path = "/api/v1/clocks/{id}/reset", tag = "recovery",
    params(IdPath),
    request_body = ResetClockRequest,
    responses((status = 200, description = "The clock, started again", body = ClockResponse)))]
pub async fn reset_clock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ResetClockRequest>,
) -> Result<Response, ApiError> {
    recovery::reset_clock(
        &state.app,
        &viewer,
        id,
        &request.date,
        request.time.as_deref().unwrap_or(""),
        request.note.as_deref().unwrap_or(""),
    )
    .await
    .map_err(|e| renamed(e, &[("slip_date", "date"), ("slip_time", "time")]))?;
    one_clock(&state, &viewer, id).await
}

/// One day's check-in.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinRequest {
    /// 1 (very low) to 5 (very good).
    #[schema(minimum = 1, maximum = 5, example = 4)]
    mood: i64,
    /// 0 (none) to 10 (overwhelming).
    #[schema(minimum = 0, maximum = 10, example = 2)]
    craving: i64,
    /// Hours slept, kept to a tenth of an hour.
    #[schema(minimum = 0, maximum = 24, example = 7.5)]
    sleep_hours: f64,
    /// 1 (very poorly) to 5 (very well).
    #[schema(minimum = 1, maximum = 5, example = 3)]
    sleep_quality: i64,
    #[serde(default)]
    exercised: bool,
    #[serde(default)]
    regular_meals: bool,
    /// Was in touch with someone supportive.
    #[serde(default)]
    support_contact: bool,
    /// Made the day's pledge.
    #[serde(default)]
    pledged: bool,
    #[serde(default)]
    #[schema(schema_with = triggers_schema)]
    triggers: Vec<String>,
    /// Triggers in the member's own words, at most 200 characters once trimmed.
    #[serde(default)]
    #[schema(max_length = 200, example = "an argument at work")]
    trigger_note: Option<String>,
    /// At most 500 characters once trimmed.
    #[serde(default)]
    #[schema(max_length = 500, example = "my dog")]
    gratitude: Option<String>,
    /// At most 4000 characters once trimmed.
    #[serde(default)]
    #[schema(max_length = 4000, example = "A long day, but I went to a meeting.")]
    journal: Option<String>,
}

/// A daily check-in as stored, in the units it was sent in.
#[derive(Serialize, ToSchema)]
struct CheckinResponse {
    /// The member's local date the check-in is for.
    #[schema(format = Date, example = "2026-03-08")]
    day: String,
    /// 1 (very low) to 5 (very good).
    #[schema(minimum = 1, maximum = 5, example = 4)]
    mood: i64,
    /// 0 (none) to 10 (overwhelming).
    #[schema(minimum = 0, maximum = 10, example = 2)]
    craving: i64,
    /// Hours slept, to a tenth of an hour.
    #[schema(minimum = 0, maximum = 24, example = 7.5)]
    sleep_hours: f64,
    /// 1 (very poorly) to 5 (very well).
    #[schema(minimum = 1, maximum = 5, example = 3)]
    sleep_quality: i64,
    exercised: bool,
    regular_meals: bool,
    support_contact: bool,
    pledged: bool,
    #[schema(schema_with = triggers_schema)]
    triggers: Vec<String>,
    /// Trimmed; null when none.
    #[schema(required = true, example = "an argument at work")]
    trigger_note: Option<String>,
    /// Trimmed; null when none.
    #[schema(required = true, example = "my dog")]
    gratitude: Option<String>,
    /// Trimmed; null when none.
    #[schema(required = true, example = "A long day, but I went to a meeting.")]
    journal: Option<String>,
    /// When the day's check-in was first written.
    #[schema(format = DateTime, example = "2026-03-08T21:04:11Z")]
    created_at: String,
    /// When it was last written.
    #[schema(format = DateTime, example = "2026-03-08T21:04:11Z")]
    updated_at: String,
}

fn checkin_response(row: CheckinRow) -> CheckinResponse {
    CheckinResponse {
        day: row.day,
        mood: row.mood,
        craving: row.craving,
        sleep_hours: row.sleep_hours_tenths as f64 / 10.0,
        sleep_quality: row.sleep_quality,
        exercised: row.exercised,
        regular_meals: row.regular_meals,
        support_contact: row.support_contact,
        pledged: row.pledged,
        triggers: row
            .triggers
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        trigger_note: row.trigger_note,
        gratitude: row.gratitude,
        journal: row.journal,
        created_at: at(row.created_at),
        updated_at: at(row.updated_at),
    }
}

/// Create or replace the daily check-in of a local date
///
/// The warning signs are evaluated at once.
#[utoipa::path(put, path = "/api/v1/checkins/{date}", tag = "recovery",
    params(("date" = String, Path, format = Date,
        description = "The member's local date, YYYY-MM-DD: today or up to 7 days back (anything else: 422 on `date`)")),
    request_body = CheckinRequest,
    responses(
        (status = 201, description = "Created", body = CheckinResponse),
        (status = 200, description = "Replaced that day's check-in", body = CheckinResponse),
    ))]
pub async fn put_checkin(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(date): Path<String>,
    ApiJson(request): ApiJson<CheckinRequest>,
) -> Result<Response, ApiError> {
    let (mood, craving, sleep, quality) = (
        request.mood.to_string(),
        request.craving.to_string(),
        request.sleep_hours.to_string(),
        request.sleep_quality.to_string(),
    );
    let input = CheckinInput {
        mood: &mood,
        craving: &craving,
        sleep_hours: &sleep,
        sleep_quality: &quality,
        exercised: request.exercised,
        regular_meals: request.regular_meals,
        support_contact: request.support_contact,
        pledged: request.pledged,
        triggers: request.triggers.iter().map(String::as_str).collect(),
        trigger_note: request.trigger_note.as_deref().unwrap_or(""),
        gratitude: request.gratitude.as_deref().unwrap_or(""),
        journal: request.journal.as_deref().unwrap_or(""),
    };
    let (stored, created) = recovery::record_checkin(&state.app, &viewer, &date, &input).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(checkin_response(stored))).into_response())
}

/// The member's check-ins between two local dates
///
/// Both dates included; at most 731 days at a time.
#[utoipa::path(get, path = "/api/v1/checkins", tag = "recovery",
    params(
        ("from" = Option<String>, Query, format = Date, description = "The first local date (default today); on or before `to`"),
        ("to" = Option<String>, Query, format = Date, description = "The last local date (default today)"),
    ),
    responses((status = 200, description = "Check-ins, oldest first", body = Vec<CheckinResponse>)))]
pub async fn list_checkins(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let today = recovery::today(&state.app, &viewer).to_string();
    let from = query_param(&query, "from").unwrap_or_else(|| today.clone());
    let to = query_param(&query, "to").unwrap_or(today);
    let rows = recovery::list_checkins(&state.app, &viewer, &from, &to).await?;
    Ok(Json(rows.into_iter().map(checkin_response).collect::<Vec<_>>()).into_response())
}

/// Risk factors of the week, each from 0 (not at all) to 4 (extremely): higher is harder.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyRiskAnswers {
    /// How much trouble sleeping got in the way.
    #[schema(minimum = 0, maximum = 4, example = 1)]
    sleep: i64,
    /// How much the member felt down, anxious or on edge.
    #[schema(minimum = 0, maximum = 4, example = 2)]
    mood: i64,
    /// How strong cravings or urges to use were.
    #[schema(minimum = 0, maximum = 4, example = 3)]
    cravings: i64,
    /// How often they were in situations or with people that put their recovery at risk.
    #[schema(minimum = 0, maximum = 4, example = 0)]
    risky_situations: i64,
    /// How much problems with family, friends or others weighed on them.
    #[schema(minimum = 0, maximum = 4, example = 1)]
    relationships: i64,
    /// How much physical health problems bothered them.
    #[schema(minimum = 0, maximum = 4, example = 0)]
    health: i64,
}

/// Protective factors of the week, each from 0 (not at all) to 4 (extremely): higher is more
/// support.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyProtectiveAnswers {
    /// How confident they are of staying sober or clean this coming week.
    #[schema(minimum = 0, maximum = 4, example = 4)]
    confidence: i64,
    /// How much meetings or other self-help groups supported them.
    #[schema(minimum = 0, maximum = 4, example = 3)]
    self_help: i64,
    /// How much spiritual, religious or other sources of meaning supported them.
    #[schema(minimum = 0, maximum = 4, example = 2)]
    spiritual: i64,
    /// How satisfied they were with work, study, volunteering or caring for others.
    #[schema(minimum = 0, maximum = 4, example = 3)]
    purpose: i64,
    /// How well their money covered what they needed.
    #[schema(minimum = 0, maximum = 4, example = 2)]
    income: i64,
    /// How much they could count on people who support their recovery.
    #[schema(minimum = 0, maximum = 4, example = 4)]
    sober_support: i64,
}

/// This week's check-in: use, risk and protective factors (modelled on the three domains of
/// the Brief Addiction Monitor; for the member's own reflection, not a clinical measure).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyCheckinRequest {
    /// Days in the past week with any alcohol or drug use.
    #[schema(minimum = 0, maximum = 7, example = 1)]
    days_used: i64,
    risk: WeeklyRiskAnswers,
    protective: WeeklyProtectiveAnswers,
}

/// The three domain scores of a weekly check-in.
#[derive(Serialize, ToSchema)]
struct WeeklyScoresResponse {
    /// Days of use.
    #[schema(minimum = 0, maximum = 7, example = 1)]
    use_days: u8,
    /// The sum of the risk answers: higher is harder.
    #[schema(minimum = 0, maximum = 24, example = 7)]
    risk: u8,
    /// The sum of the protective answers: higher is more support.
    #[schema(minimum = 0, maximum = 24, example = 18)]
    protective: u8,
}

impl From<WeeklyScores> for WeeklyScoresResponse {
    fn from(scores: WeeklyScores) -> Self {
        WeeklyScoresResponse {
            use_days: scores.use_days,
            risk: scores.risk,
            protective: scores.protective,
        }
    }
}

/// Record this week's check-in
///
/// Replaces an earlier one of the same week (weeks start on Monday in the member's zone); the
/// warning signs are evaluated at once.
#[utoipa::path(post, path = "/api/v1/weekly-checkins", tag = "recovery",
    request_body = WeeklyCheckinRequest,
    responses((status = 201, description = "Recorded: the three domain scores", body = WeeklyScoresResponse)))]
pub async fn create_weekly(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<WeeklyCheckinRequest>,
) -> Result<Response, ApiError> {
    let (r, p) = (&request.risk, &request.protective);
    let value = |field: &str| -> String {
        let n = match field {
            "days_used" => request.days_used,
            "risk_sleep" => r.sleep,
            "risk_mood" => r.mood,
            "risk_cravings" => r.cravings,
            "risk_risky_situations" => r.risky_situations,
            "risk_relationships" => r.relationships,
            "risk_health" => r.health,
            "protective_confidence" => p.confidence,
            "protective_self_help" => p.self_help,
            "protective_spiritual" => p.spiritual,
            "protective_purpose" => p.purpose,
            "protective_income" => p.income,
            "protective_sober_support" => p.sober_support,
            _ => -1,
        };
        n.to_string()
    };
    let answers = parse_weekly(value).map_err(|errors| {
        AppError::Invalid(
            errors
                .into_iter()
                .map(|(f, m)| {
                    mutual_app::FieldError::new(
                        f.replacen('_', ".", 1).replace("days.used", "days_used"),
                        m,
                    )
                })
                .collect(),
        )
    })?;
    let scores = recovery::record_weekly(&state.app, &viewer, &answers).await?;
    Ok((
        StatusCode::CREATED,
        Json(WeeklyScoresResponse::from(scores)),
    )
        .into_response())
}

/// A weekly check-in as stored.
#[derive(Serialize, ToSchema)]
struct WeeklyCheckinResponse {
    /// The Monday of the week, in the member's zone.
    #[schema(format = Date, example = "2026-03-02")]
    week_start: String,
    /// Days in that week with any alcohol or drug use.
    #[schema(minimum = 0, maximum = 7, example = 1)]
    days_used: i64,
    risk: WeeklyRiskAnswers,
    protective: WeeklyProtectiveAnswers,
    scores: WeeklyScoresResponse,
    /// When it was last written.
    #[schema(format = DateTime, example = "2026-03-08T19:12:40Z")]
    recorded_at: String,
}

fn weekly_response(row: &WeeklyRow) -> Result<WeeklyCheckinResponse, AppError> {
    let answers: WeeklyAnswers = serde_json::from_str(&row.answers)
        .map_err(|e| AppError::Internal(format!("weekly answers: {e}")))?;
    let [
        sleep,
        mood,
        cravings,
        risky_situations,
        relationships,
        health,
    ] = answers.risk.map(i64::from);
    let [
        confidence,
        self_help,
        spiritual,
        purpose,
        income,
        sober_support,
    ] = answers.protective.map(i64::from);
    let small = |n: i64| u8::try_from(n).unwrap_or(u8::MAX);
    Ok(WeeklyCheckinResponse {
        week_start: row.week_start.clone(),
        days_used: i64::from(answers.days_used),
        risk: WeeklyRiskAnswers {
            sleep,
            mood,
            cravings,
            risky_situations,
            relationships,
            health,
        },
        protective: WeeklyProtectiveAnswers {
            confidence,
            self_help,
            spiritual,
            purpose,
            income,
            sober_support,
        },
        scores: WeeklyScoresResponse {
            use_days: small(row.use_score),
            risk: small(row.risk_score),
            protective: small(row.protective_score),
        },
        recorded_at: at(row.created_at),
    })
}

fn weekly_responses(rows: &[WeeklyRow]) -> Result<Vec<WeeklyCheckinResponse>, AppError> {
    rows.iter().map(weekly_response).collect()
}

/// The member's weekly check-ins
#[utoipa::path(get, path = "/api/v1/weekly-checkins", tag = "recovery",
    responses((status = 200, description = "Weekly check-ins, oldest first", body = Vec<WeeklyCheckinResponse>)))]
pub async fn list_weekly(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let rows = recovery::list_weekly(&state.app, &viewer).await?;
    Ok(Json(weekly_responses(&rows)?).into_response())
}

/// The trends' query.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct TrendsQuery {
    /// How many local days, ending today.
    #[param(minimum = 7, maximum = 366, default = 30)]
    days: Option<i64>,
}

impl TrendsQuery {
    fn read(query: &RawQuery) -> Result<TrendsQuery, AppError> {
        let days = match query_param(query, "days") {
            None => None,
            Some(text) => Some(text.parse::<i64>().map_err(|_| {
                AppError::field("days", "Choose a whole number of days from 7 to 366.")
            })?),
        };
        Ok(TrendsQuery { days })
    }
}

/// One local day of the trend charts; null where nothing was recorded.
#[derive(Serialize, ToSchema)]
struct TrendDayResponse {
    #[schema(format = Date, example = "2026-03-08")]
    day: String,
    /// 1 (very low) to 5 (very good).
    #[schema(required = true, minimum = 1, maximum = 5, example = 4)]
    mood: Option<i64>,
    /// 0 (none) to 10 (overwhelming).
    #[schema(required = true, minimum = 0, maximum = 10, example = 2)]
    craving: Option<i64>,
    /// Hours slept, to a tenth of an hour.
    #[schema(required = true, minimum = 0, maximum = 24, example = 7.5)]
    sleep_hours: Option<f64>,
    /// Clean days at the end of the day on the clock running longest then.
    #[schema(required = true, minimum = 0, example = 10)]
    sober_days: Option<i64>,
}

impl From<TrendDay> for TrendDayResponse {
    fn from(day: TrendDay) -> Self {
        TrendDayResponse {
            day: day.day,
            mood: day.mood,
            craving: day.craving,
            sleep_hours: day.sleep_hours,
            sober_days: day.sober_days,
        }
    }
}

/// The trend data.
#[derive(Serialize, ToSchema)]
struct TrendsResponse {
    /// Every local day asked for, oldest first, today last.
    days: Vec<TrendDayResponse>,
    /// The weekly check-ins, oldest first.
    weekly: Vec<WeeklyCheckinResponse>,
}

/// Daily mood, craving, sleep and clean days, and weekly scores
#[utoipa::path(get, path = "/api/v1/trends", tag = "recovery",
    params(TrendsQuery),
    responses((status = 200, description = "Trend data", body = TrendsResponse)))]
pub async fn show_trends(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let days = TrendsQuery::read(&query)?.days.unwrap_or(30);
    let trends = recovery::trends(&state.app, &viewer, days).await?;
    Ok(Json(TrendsResponse {
        days: trends
            .days
            .into_iter()
            .map(TrendDayResponse::from)
            .collect(),
        weekly: weekly_responses(&trends.weekly)?,
    })
    .into_response())
}

/// A warning-sign rule, spelled out.
#[derive(Serialize, ToSchema)]
struct WarningSignResponse {
    #[schema(inline)]
    rule: Rule,
    #[schema(example = "Strong cravings for several days")]
    title: &'static str,
    /// What the rule looks for, with the thresholds this server uses.
    #[schema(example = "Cravings at 7 or more out of 10 on 3 days in a row.")]
    explanation: String,
}

impl From<FiredSign> for WarningSignResponse {
    fn from(sign: FiredSign) -> Self {
        WarningSignResponse {
            rule: sign.rule,
            title: sign.title,
            explanation: sign.explanation,
        }
    }
}

/// The warning signs.
#[derive(Serialize, ToSchema)]
struct WarningSignsResponse {
    /// The signs firing today over the member's own check-ins.
    firing: Vec<WarningSignResponse>,
    /// Every rule, so nothing is a black box.
    rules: Vec<WarningSignResponse>,
}

/// Warning signs firing now, and every rule with its thresholds
///
/// A sign firing is recorded once a day, and reaches only the people the member shares
/// warning signs with.
#[utoipa::path(get, path = "/api/v1/warning-signs", tag = "recovery",
    responses((status = 200, description = "The signs firing and every rule", body = WarningSignsResponse)))]
pub async fn show_warning_signs(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let firing = recovery::warning_signs(&state.app, &viewer)
        .await?
        .into_iter()
        .map(WarningSignResponse::from)
        .collect();
    let rules = recovery::warning_rules(&state.app)
        .into_iter()
        .map(|(rule, title, explanation)| WarningSignResponse {
            rule,
            title,
            explanation,
        })
        .collect();
    Ok(Json(WarningSignsResponse { firing, rules }).into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .api(Member, routes!(list_clocks))
        .api(Member, routes!(create_clock))
        .api(Member, routes!(update_clock))
        .api(Member, routes!(delete_clock))
        .api(Member, routes!(reset_clock))
        .api(Member, routes!(put_checkin))
        .api(Member, routes!(list_checkins))
        .api(Member, routes!(create_weekly))
        .api(Member, routes!(list_weekly))
        .api(Member, routes!(show_trends))
        .api(Member, routes!(show_warning_signs))
}
