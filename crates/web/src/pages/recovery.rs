//! The recovery pages: clocks, the daily and weekly check-ins, trends, and the settings and
//! notifications that go with them.

use crate::AppState;
use crate::auth::SignedIn;
use crate::charts::{Series, line_chart};
use crate::error::PageError;
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::{query_param, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::accounts::Viewer;
use mutual_app::recovery::WeeklyRow;
use mutual_app::recovery::{self, ClockInput, ClockView};
use mutual_app::{AppError, FieldError};
use mutual_domain::Timestamp;
use mutual_domain::recovery::checkins::{CheckinInput, TRIGGERS};
use mutual_domain::recovery::weekly::{
    INSTRUMENT_NOTE, PROTECTIVE_QUESTIONS, RISK_QUESTIONS, parse_weekly,
};
use uuid::Uuid;

/// A clock, ready for a template.
pub(crate) struct ClockCard {
    pub id: Uuid,
    pub label: String,
    pub days: i64,
    pub hours: i64,
    pub next_label: String,
    pub next_on: String,
    pub days_to_next: i64,
    pub started: String,
    pub saved: Option<String>,
    pub hidden: bool,
    /// The latest milestone reached, which the member may share.
    pub latest: Option<String>,
}

impl ClockCard {
    pub(crate) fn from_view(view: &ClockView) -> ClockCard {
        let saved = match (view.money_saved_cents, view.minutes_saved) {
            (None, None) => None,
            (money, minutes) => {
                let mut parts = Vec::new();
                if let Some(cents) = money {
                    parts.push(format!("{}.{:02} saved", cents / 100, cents % 100));
                }
                if let Some(minutes) = minutes {
                    parts.push(format!(
                        "{} hours {} minutes back",
                        minutes / 60,
                        minutes % 60
                    ));
                }
                Some(parts.join(", "))
            }
        };
        ClockCard {
            id: view.row.id,
            label: view.row.label.clone(),
            days: view.clean.days,
            hours: view.clean.hours,
            next_label: view.next_label.clone(),
            next_on: view.zone.date_of(view.next_at).to_string(),
            days_to_next: view.days_to_next,
            started: view.zone.human(view.started_at(), view.now),
            saved,
            hidden: view.row.hidden,
            latest: view.latest.clone(),
        }
    }
}

fn clock_form(view: &ClockView) -> FormView {
    let start = view.zone.display(view.started_at());
    let (date, time) = start.split_once(' ').unwrap_or((&start, ""));
    FormView::default()
        .keep("label", &view.row.label)
        .keep("start_date", date)
        .keep("start_time", time)
        .keep(
            "money_per_day",
            &view
                .row
                .money_per_day_cents
                .map(|c| format!("{}.{:02}", c / 100, c % 100))
                .unwrap_or_default(),
        )
        .keep(
            "minutes_per_day",
            &view
                .row
                .minutes_per_day
                .map(|m| m.to_string())
                .unwrap_or_default(),
        )
        .keep("hidden", if view.row.hidden { "on" } else { "" })
}

const CLOCK_FIELDS: &[&str] = &[
    "label",
    "start_date",
    "start_time",
    "money_per_day",
    "minutes_per_day",
    "hidden",
];

fn clock_input<'a>(form: &'a FormData, errors: &mut Vec<FieldError>) -> (ClockInput<'a>, FormView) {
    errors.extend(form.unknown_fields(CLOCK_FIELDS));
    let hidden = form.checkbox("hidden", errors);
    let input = ClockInput {
        label: form.get("label"),
        start_date: form.get("start_date"),
        start_time: form.get("start_time"),
        money_per_day: form.get("money_per_day"),
        minutes_per_day: form.get("minutes_per_day"),
        hidden,
    };
    let mut view = FormView::default();
    for field in CLOCK_FIELDS {
        view = view.keep(field, form.get(field));
    }
    (input, view)
}

#[derive(Template)]
#[template(path = "clocks.html")]
struct ClocksPage {
    layout: Layout,
    clocks: Vec<ClockCard>,
    form: FormView,
    zone: String,
}

async fn clocks_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: FormView,
) -> Result<ClocksPage, PageError> {
    let clocks = recovery::list_clocks(&state.app, viewer).await?;
    Ok(ClocksPage {
        layout: ctx.layout("Your clocks"),
        clocks: clocks.iter().map(ClockCard::from_view).collect(),
        form,
        zone: viewer.zone.name().to_owned(),
    })
}

/// `GET /clocks`
pub async fn show_clocks(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let today = recovery::today(&state.app, &viewer).to_string();
    let form = FormView::default().keep("start_date", &today);
    Ok(render(
        StatusCode::OK,
        &clocks_page(&state, &viewer, &ctx, form).await?,
    ))
}

/// `POST /clocks`
pub async fn create_clock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let (input, view) = clock_input(&form, &mut errors);
    let result = if errors.is_empty() {
        recovery::create_clock(&state.app, &viewer, &input)
            .await
            .map(|_| ())
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(()) => Ok(Redirect::to("/clocks").into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = clocks_page(&state, &viewer, &ctx, view.with_errors(errors)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}

struct AttemptView {
    from: String,
    to: String,
    days: i64,
    note: String,
}

#[derive(Template)]
#[template(path = "clock.html")]
struct ClockPage {
    layout: Layout,
    clock: ClockCard,
    history_total: i64,
    history_longest: i64,
    attempts: Vec<AttemptView>,
    form: FormView,
    reset_form: FormView,
}

async fn clock_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    id: Uuid,
    form: Option<FormView>,
    reset_form: Option<FormView>,
) -> Result<ClockPage, PageError> {
    let view = recovery::find_clock(&state.app, viewer, id).await?;
    let today = recovery::today(&state.app, viewer).to_string();
    let attempts = view
        .attempts
        .iter()
        .map(|a| AttemptView {
            from: view.zone.human(Timestamp(a.started_at), view.now),
            to: view.zone.human(Timestamp(a.ended_at), view.now),
            days: mutual_domain::recovery::clocks::clean_time(
                Timestamp(a.started_at),
                Timestamp(a.ended_at),
                &view.zone,
            )
            .days,
            note: a.note.clone().unwrap_or_default(),
        })
        .collect();
    Ok(ClockPage {
        layout: ctx.layout(&view.row.label),
        clock: ClockCard::from_view(&view),
        history_total: view.history.total_days,
        history_longest: view.history.longest_days,
        attempts,
        form: form.unwrap_or_else(|| clock_form(&view)),
        reset_form: reset_form.unwrap_or_else(|| FormView::default().keep("slip_date", &today)),
    })
}

/// `GET /clocks/{id}`
pub async fn show_clock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    Ok(render(
        StatusCode::OK,
        &clock_page(&state, &viewer, &ctx, id, None, None).await?,
    ))
}

/// `POST /clocks/{id}`
pub async fn update_clock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let (input, view) = clock_input(&form, &mut errors);
    let result = if errors.is_empty() {
        recovery::update_clock(&state.app, &viewer, id, &input).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/clocks/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = clock_page(
                &state,
                &viewer,
                &ctx,
                id,
                Some(view.with_errors(errors)),
                None,
            )
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /clocks/{id}/reset`
pub async fn reset_clock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let unknown = form.unknown_fields(&["slip_date", "slip_time", "note"]);
    let result = if unknown.is_empty() {
        recovery::reset_clock(
            &state.app,
            &viewer,
            id,
            form.get("slip_date"),
            form.get("slip_time"),
            form.get("note"),
        )
        .await
    } else {
        Err(AppError::Invalid(unknown))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/clocks/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let kept = FormView::default()
                .keep("slip_date", form.get("slip_date"))
                .keep("slip_time", form.get("slip_time"))
                .keep("note", form.get("note"))
                .with_errors(errors);
            let page = clock_page(&state, &viewer, &ctx, id, None, Some(kept)).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /clocks/{id}/delete`
pub async fn delete_clock(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    recovery::delete_clock(&state.app, &viewer, id).await?;
    Ok(Redirect::to("/clocks").into_response())
}

/// `POST /clocks/{id}/celebrated`
pub async fn acknowledge_milestone(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    recovery::acknowledge_milestones(&state.app, &viewer, id).await?;
    Ok(Redirect::to("/dashboard").into_response())
}

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckinPage {
    layout: Layout,
    flash: Option<&'static str>,
    day: String,
    is_today: bool,
    form: FormView,
    moods: Vec<(u8, &'static str)>,
    sleep_qualities: Vec<(u8, &'static str)>,
    habits: Vec<(&'static str, &'static str)>,
    triggers: &'static [(&'static str, &'static str)],
    recent_days: Vec<(String, String)>,
}

const HABITS: [(&str, &str); 3] = [
    ("exercised", "moved my body (a walk counts)"),
    ("regular_meals", "ate regular meals"),
    (
        "support_contact",
        "went to a meeting or talked to someone who supports me",
    ),
];

fn checkin_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    day: String,
    form: FormView,
    flash: Option<&'static str>,
) -> CheckinPage {
    let today = recovery::today(&state.app, viewer);
    let recent_days = recovery::writable_days(&state.app, viewer)
        .into_iter()
        .map(|d| {
            (
                d.to_string(),
                if d == today {
                    "today".to_owned()
                } else {
                    d.strftime("%a %-d %b").to_string()
                },
            )
        })
        .collect();
    CheckinPage {
        layout: ctx.layout("Check in"),
        flash,
        is_today: day == today.to_string(),
        day,
        form,
        moods: vec![
            (1, "very low"),
            (2, "low"),
            (3, "okay"),
            (4, "good"),
            (5, "very good"),
        ],
        sleep_qualities: vec![
            (1, "very poorly"),
            (2, "poorly"),
            (3, "okay"),
            (4, "well"),
            (5, "very well"),
        ],
        habits: HABITS.to_vec(),
        triggers: TRIGGERS,
        recent_days,
    }
}

/// `GET /checkin?date=YYYY-MM-DD` (today by default): the form, filled with that day's answers.
pub async fn show_checkin(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let requested = query_param(&query, "date")
        .unwrap_or_else(|| recovery::today(&state.app, &viewer).to_string());
    let day = recovery::parse_checkin_day(&state.app, &viewer, &requested)?;
    let mut form = FormView::default();
    if let Some(row) = recovery::find_checkin(&state.app, &viewer, day).await? {
        form = form
            .keep("mood", &row.mood.to_string())
            .keep("craving", &row.craving.to_string())
            .keep(
                "sleep_hours",
                &format!("{:.1}", row.sleep_hours_tenths as f64 / 10.0),
            )
            .keep("sleep_quality", &row.sleep_quality.to_string())
            .keep("exercised", if row.exercised { "on" } else { "" })
            .keep("regular_meals", if row.regular_meals { "on" } else { "" })
            .keep(
                "support_contact",
                if row.support_contact { "on" } else { "" },
            )
            .keep("pledged", if row.pledged { "on" } else { "" })
            .keep("triggers", &row.triggers)
            .keep("trigger_note", row.trigger_note.as_deref().unwrap_or(""))
            .keep("gratitude", row.gratitude.as_deref().unwrap_or(""))
            .keep("journal", row.journal.as_deref().unwrap_or(""));
    }
    let flash = (query_param(&query, "done").as_deref() == Some("1"))
        .then_some("Saved. Thank you for checking in.");
    Ok(render(
        StatusCode::OK,
        &checkin_page(&state, &viewer, &ctx, day.to_string(), form, flash),
    ))
}

const CHECKIN_FIELDS: &[&str] = &[
    "date",
    "mood",
    "craving",
    "sleep_hours",
    "sleep_quality",
    "exercised",
    "regular_meals",
    "support_contact",
    "pledged",
    "triggers",
    "trigger_note",
    "gratitude",
    "journal",
];

/// `POST /checkin`
pub async fn record_checkin(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let mut errors = form.unknown_fields(CHECKIN_FIELDS);
    let [exercised, regular_meals, support_contact, pledged] =
        ["exercised", "regular_meals", "support_contact", "pledged"]
            .map(|name| form.checkbox(name, &mut errors));
    let input = CheckinInput {
        mood: form.get("mood"),
        craving: form.get("craving"),
        sleep_hours: form.get("sleep_hours"),
        sleep_quality: form.get("sleep_quality"),
        exercised,
        regular_meals,
        support_contact,
        pledged,
        triggers: form.all("triggers"),
        trigger_note: form.get("trigger_note"),
        gratitude: form.get("gratitude"),
        journal: form.get("journal"),
    };
    let day = form.get("date").to_owned();
    let result = if errors.is_empty() {
        recovery::record_checkin(&state.app, &viewer, &day, &input).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/checkin?date={}&done=1", urlencode(&day))).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let mut view = FormView::default();
            for field in CHECKIN_FIELDS.iter().filter(|f| **f != "triggers") {
                view = view.keep(field, form.get(field));
            }
            let view = view
                .keep("triggers", &form.all("triggers").join(","))
                .with_errors(errors);
            let shown_day = mutual_domain::local::parse_date(&day)
                .map(|d| d.to_string())
                .unwrap_or_else(|_| recovery::today(&state.app, &viewer).to_string());
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &checkin_page(&state, &viewer, &ctx, shown_day, view, None),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

fn urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .unwrap_or_default()
        .trim_start_matches("v=")
        .to_owned()
}

/// `GET /checkins.csv`
pub async fn export_checkins_csv(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, PageError> {
    let csv = recovery::checkins_csv(&state.app, &viewer).await?;
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"mutual-checkins.csv\""),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "weekly.html")]
struct WeeklyPage {
    layout: Layout,
    flash: Option<&'static str>,
    note: &'static str,
    form: FormView,
    risk: Vec<(String, &'static str)>,
    protective: Vec<(String, &'static str)>,
    history: Vec<WeeklyRow>,
}

async fn weekly_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: FormView,
    flash: Option<&'static str>,
) -> Result<WeeklyPage, PageError> {
    let mut history = recovery::list_weekly(&state.app, viewer).await?;
    history.reverse();
    Ok(WeeklyPage {
        layout: ctx.layout("Weekly check-in"),
        flash,
        note: INSTRUMENT_NOTE,
        form,
        risk: RISK_QUESTIONS
            .iter()
            .map(|q| (format!("risk_{}", q.key), q.text))
            .collect(),
        protective: PROTECTIVE_QUESTIONS
            .iter()
            .map(|q| (format!("protective_{}", q.key), q.text))
            .collect(),
        history,
    })
}

fn weekly_fields() -> Vec<String> {
    std::iter::once("days_used".to_owned())
        .chain(RISK_QUESTIONS.iter().map(|q| format!("risk_{}", q.key)))
        .chain(
            PROTECTIVE_QUESTIONS
                .iter()
                .map(|q| format!("protective_{}", q.key)),
        )
        .collect()
}

/// `GET /weekly`
pub async fn show_weekly(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let flash = (query_param(&query, "done").as_deref() == Some("1"))
        .then_some("Saved. You can see your scores below and on your trends.");
    Ok(render(
        StatusCode::OK,
        &weekly_page(&state, &viewer, &ctx, FormView::default(), flash).await?,
    ))
}

/// `POST /weekly`
pub async fn record_weekly(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let fields = weekly_fields();
    let allowed: Vec<&str> = fields.iter().map(String::as_str).collect();
    let mut errors = form.unknown_fields(&allowed);
    let answers = parse_weekly(|field| form.get(field).to_owned())
        .map_err(|problems| errors.extend(problems.into_iter().map(|(f, m)| FieldError::new(f, m))))
        .ok();
    let result = match answers {
        Some(answers) if errors.is_empty() => {
            recovery::record_weekly(&state.app, &viewer, &answers)
                .await
                .map(|_| ())
        }
        _ => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/weekly?done=1").into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut view = FormView::default();
            for field in &fields {
                view = view.keep_owned(field.clone(), form.get(field));
            }
            let page = weekly_page(&state, &viewer, &ctx, view.with_errors(errors), None).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}

struct Chart {
    id: &'static str,
    title: String,
    summary: String,
    svg: String,
}

/// One row of the table behind the daily charts.
struct DailyRow {
    day: String,
    mood: Option<i64>,
    craving: Option<i64>,
    /// Hours, written from tenths without float formatting ("7.5").
    sleep: Option<String>,
    sober: Option<i64>,
}

#[derive(Template)]
#[template(path = "trends.html")]
struct TrendsPage {
    layout: Layout,
    periods: Vec<(i64, bool)>,
    daily_charts: Vec<Chart>,
    daily: Vec<DailyRow>,
    weekly_chart: Chart,
    weekly: Vec<WeeklyRow>,
    rules: Vec<(&'static str, String)>,
}

fn average(values: &[Option<f64>]) -> Option<f64> {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64)
}

fn daily_chart(
    id: &'static str,
    title: &str,
    unit: &str,
    labels: &[String],
    values: Vec<Option<f64>>,
    range: (f64, f64),
    class: &'static str,
) -> Chart {
    let checked = values.iter().flatten().count();
    let summary = match average(&values) {
        Some(avg) => format!(
            "Average {avg:.1}{unit} over the {checked} days you checked in, out of {}.",
            labels.len()
        ),
        None => format!("No check-ins in these {} days yet.", labels.len()),
    };
    let svg = line_chart(
        id,
        title,
        labels,
        &[Series {
            name: title,
            values,
            class,
        }],
        range.0,
        range.1,
    );
    Chart {
        id,
        title: title.to_owned(),
        summary,
        svg,
    }
}

/// `GET /trends?days=7|30|90`
pub async fn show_trends(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let days = match query_param(&query, "days").as_deref() {
        None | Some("") => 30,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|d| [7, 30, 90].contains(d))
            .ok_or_else(|| AppError::field("days", "Choose 7, 30 or 90 days."))?,
    };
    let trends = recovery::trends(&state.app, &viewer, days).await?;
    let labels: Vec<String> = trends.days.iter().map(|d| d.day.clone()).collect();
    let pick = |f: &dyn Fn(&recovery::TrendDay) -> Option<f64>| {
        trends.days.iter().map(f).collect::<Vec<_>>()
    };
    let mood = pick(&|d| d.mood.map(|v| v as f64));
    let craving = pick(&|d| d.craving.map(|v| v as f64));
    let sleep = pick(&|d| d.sleep_hours);
    let sober = pick(&|d| d.sober_days.map(|v| v as f64));
    // A round top for the axis: a multiple of 40 days (ticks every 10), at least 40.
    let sober_max = (sober.iter().flatten().copied().fold(0.0_f64, f64::max) / 40.0)
        .ceil()
        .max(1.0)
        * 40.0;
    let daily = trends
        .days
        .iter()
        .map(|d| DailyRow {
            day: d.day.clone(),
            mood: d.mood,
            craving: d.craving,
            sleep: d.sleep_hours.map(|h| {
                let tenths = (h * 10.0).round() as i64;
                format!("{}.{}", tenths / 10, tenths % 10)
            }),
            sober: d.sober_days,
        })
        .collect();
    let mut daily_charts = vec![
        daily_chart(
            "mood",
            "Mood (1–5)",
            "",
            &labels,
            mood,
            (1.0, 5.0),
            "line-a",
        ),
        daily_chart(
            "craving",
            "Craving (0–10)",
            "",
            &labels,
            craving,
            (0.0, 10.0),
            "line-b",
        ),
        daily_chart(
            "sleep",
            "Sleep (hours)",
            " hours",
            &labels,
            sleep,
            (0.0, 12.0),
            "line-c",
        ),
    ];
    let mut sober_chart = daily_chart(
        "sober",
        "Clean days on your longest clock",
        " days",
        &labels,
        sober.clone(),
        (0.0, sober_max),
        "line-c",
    );
    sober_chart.summary = match sober.last().copied().flatten() {
        Some(days) => format!("{days} clean days today on your longest-running clock."),
        None => "Start a clock to see your clean days here.".into(),
    };
    daily_charts.push(sober_chart);
    let weekly = &trends.weekly;
    let weeks: Vec<String> = weekly.iter().map(|w| w.week_start.clone()).collect();
    let column =
        |f: fn(&WeeklyRow) -> i64| weekly.iter().map(|w| Some(f(w) as f64)).collect::<Vec<_>>();
    let series = [
        Series {
            name: "Risk",
            values: column(|w| w.risk_score),
            class: "line-b",
        },
        Series {
            name: "Protective",
            values: column(|w| w.protective_score),
            class: "line-c",
        },
        Series {
            name: "Days of use",
            values: column(|w| w.use_score),
            class: "line-a",
        },
    ];
    let weekly_chart = Chart {
        id: "weekly",
        title: "Weekly check-in scores".into(),
        summary: match weekly.last() {
            Some(w) => format!(
                "Latest week ({}): risk {} of 24, protective {} of 24, {} days of use.",
                w.week_start, w.risk_score, w.protective_score, w.use_score
            ),
            None => "No weekly check-ins yet.".into(),
        },
        svg: line_chart(
            "weekly",
            "Weekly check-in scores",
            &weeks,
            &series,
            0.0,
            24.0,
        ),
    };
    let page = TrendsPage {
        layout: ctx.layout("Your trends"),
        periods: [7, 30, 90].into_iter().map(|n| (n, n == days)).collect(),
        daily_charts,
        daily,
        weekly_chart,
        weekly: trends.weekly.clone(),
        rules: recovery::warning_rules(&state.app)
            .into_iter()
            .map(|(_, title, rule)| (title, rule))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}
