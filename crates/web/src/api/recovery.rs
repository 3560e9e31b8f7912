//! `/api/v1` for the recovery journey: clocks, check-ins, weekly check-ins, trends and warning
//! signs. Only the member's own data is ever reachable; anything else is 404.

use crate::AppState;
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
use mutual_app::recovery::{self, ClockInput, ClockView};
use mutual_domain::permissions::Access::Member;
use mutual_domain::recovery::checkins::CheckinInput;
use mutual_domain::recovery::weekly::parse_weekly;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Serialize)]
struct NextMilestone {
    label: String,
    at: String,
    in_days: i64,
}

#[derive(Serialize)]
struct ClockResponse {
    id: Uuid,
    label: String,
    started_at: String,
    start_local: String,
    time_zone: String,
    days: i64,
    hours: i64,
    next_milestone: NextMilestone,
    total_days: i64,
    longest_days: i64,
    attempts: usize,
    hidden: bool,
    money_per_day_cents: Option<i64>,
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
        next_milestone: NextMilestone {
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

/// `POST /api/v1/clocks` and `PUT /api/v1/clocks/{id}` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockRequest {
    label: String,
    /// `YYYY-MM-DD` in the member's zone.
    start_date: String,
    /// `HH:MM`, optional.
    #[serde(default)]
    start_time: Option<String>,
    /// For example "12.50".
    #[serde(default)]
    money_per_day: Option<String>,
    #[serde(default)]
    minutes_per_day: Option<i64>,
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

/// `GET /api/v1/clocks`
pub async fn list_clocks(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let clocks = recovery::list_clocks(&state.app, &viewer).await?;
    Ok(Json(clocks.iter().map(clock_response).collect::<Vec<_>>()).into_response())
}

/// `POST /api/v1/clocks`
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

/// `PUT /api/v1/clocks/{id}`
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

/// `DELETE /api/v1/clocks/{id}`
pub async fn delete_clock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    recovery::delete_clock(&state.app, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/clocks/{id}/reset` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The local date of the slip, `YYYY-MM-DD`.
    date: String,
    #[serde(default)]
    time: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/v1/clocks/{id}/reset`
pub async fn reset_clock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    ApiJson(request): ApiJson<ResetRequest>,
) -> Result<Response, ApiError> {
    recovery::reset_clock(
        &state.app,
        &viewer,
        id,
        &request.date,
        request.time.as_deref().unwrap_or(""),
        request.note.as_deref().unwrap_or(""),
    )
    .await?;
    one_clock(&state, &viewer, id).await
}

/// `PUT /api/v1/checkins/{date}` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckinRequest {
    mood: i64,
    craving: i64,
    sleep_hours: f64,
    sleep_quality: i64,
    #[serde(default)]
    exercised: bool,
    #[serde(default)]
    regular_meals: bool,
    #[serde(default)]
    support_contact: bool,
    #[serde(default)]
    pledged: bool,
    #[serde(default)]
    triggers: Vec<String>,
    #[serde(default)]
    trigger_note: Option<String>,
    #[serde(default)]
    gratitude: Option<String>,
    #[serde(default)]
    journal: Option<String>,
}

/// `PUT /api/v1/checkins/{date}`: 201 when new, 200 when it replaced that day's check-in.
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
    Ok((status, Json(stored)).into_response())
}

/// `GET /api/v1/checkins?from=YYYY-MM-DD&to=YYYY-MM-DD`
pub async fn list_checkins(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let today = recovery::today(&state.app, &viewer).to_string();
    let from = query_param(&query, "from").unwrap_or_else(|| today.clone());
    let to = query_param(&query, "to").unwrap_or(today);
    Ok(Json(recovery::list_checkins(&state.app, &viewer, &from, &to).await?).into_response())
}

/// Risk-factor answers, each 0–4.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskAnswers {
    sleep: i64,
    mood: i64,
    cravings: i64,
    risky_situations: i64,
    relationships: i64,
    health: i64,
}

/// Protective-factor answers, each 0–4.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectiveAnswers {
    confidence: i64,
    self_help: i64,
    spiritual: i64,
    purpose: i64,
    income: i64,
    sober_support: i64,
}

/// `POST /api/v1/weekly-checkins` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyRequest {
    days_used: i64,
    risk: RiskAnswers,
    protective: ProtectiveAnswers,
}

/// `POST /api/v1/weekly-checkins`: this week's check-in (replacing an earlier one this week).
pub async fn create_weekly(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(request): ApiJson<WeeklyRequest>,
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
    Ok((StatusCode::CREATED, Json(scores)).into_response())
}

/// `GET /api/v1/weekly-checkins`
pub async fn list_weekly(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    Ok(Json(recovery::list_weekly(&state.app, &viewer).await?).into_response())
}

/// `GET /api/v1/trends?days=N` (7–366, default 30).
pub async fn show_trends(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    query: RawQuery,
) -> Result<Response, ApiError> {
    let days = match query_param(&query, "days") {
        None => 30,
        Some(text) => text
            .parse::<i64>()
            .map_err(|_| AppError::field("days", "Choose a whole number of days from 7 to 366."))?,
    };
    Ok(Json(recovery::trends(&state.app, &viewer, days).await?).into_response())
}

#[derive(Serialize)]
struct RuleResponse {
    rule: mutual_domain::recovery::warnings::Rule,
    title: &'static str,
    explanation: String,
}

/// `GET /api/v1/warning-signs`: the signs firing now and every rule with its thresholds.
pub async fn show_warning_signs(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, ApiError> {
    let firing = recovery::warning_signs(&state.app, &viewer).await?;
    let rules: Vec<RuleResponse> = recovery::warning_rules(&state.app)
        .into_iter()
        .map(|(rule, title, explanation)| RuleResponse {
            rule,
            title,
            explanation,
        })
        .collect();
    Ok(Json(serde_json::json!({ "firing": firing, "rules": rules })).into_response())
}

/// This part of the API's routes, each with who may call it.
pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/v1/clocks", Member, list_clocks)
        .post("/api/v1/clocks", Member, create_clock)
        .put("/api/v1/clocks/{id}", Member, update_clock)
        .delete("/api/v1/clocks/{id}", Member, delete_clock)
        .post("/api/v1/clocks/{id}/reset", Member, reset_clock)
        .put("/api/v1/checkins/{date}", Member, put_checkin)
        .get("/api/v1/checkins", Member, list_checkins)
        .post("/api/v1/weekly-checkins", Member, create_weekly)
        .get("/api/v1/weekly-checkins", Member, list_weekly)
        .get("/api/v1/trends", Member, show_trends)
        .get("/api/v1/warning-signs", Member, show_warning_signs)
}
