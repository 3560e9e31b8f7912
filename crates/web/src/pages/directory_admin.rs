//! The admins' directory page: who may browse, importing meetings (Meeting Guide, BMLT or the
//! plugin's CSV), programmes, and the areas (regions, sub-regions, districts) meetings belong to.

use crate::AppState;
use crate::error::{PageError, form_errors};
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::meetings::options;
use crate::pages::{query_param, render};
use askama::Template;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::meetings;
use mutual_app::meetings::areas::{self, AreaSummary};
use mutual_app::meetings::interop::{self, ImportOptions, ImportReport};
use mutual_app::meetings::sync;
use mutual_app::{AppError, FieldError};
use mutual_domain::meetings::areas::LEVELS;
use mutual_domain::meetings::catalog;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "admin_meetings.html")]
struct AdminMeetingsPage {
    layout: Layout,
    flash: Option<&'static str>,
    report: Option<ImportReport>,
    form: FormView,
    public: bool,
    max_mb: usize,
    programs: Vec<(String, String)>,
    program_rows: Vec<meetings::ProgramRow>,
    approaches: Vec<(String, String)>,
    areas: Vec<AreaLine>,
    /// Where a new area may go: (id, path), regions and sub-regions only.
    parents: Vec<(String, String)>,
    sources: Vec<SourceLine>,
    kinds: Vec<(String, String)>,
    sync_max_mb: usize,
}

/// A source as the page lists it, with its latest runs.
struct SourceLine {
    id: uuid::Uuid,
    name: String,
    kind: &'static str,
    url: String,
    program: String,
    every_hours: i64,
    auto_apply: bool,
    next_run: String,
    runs: Vec<RunLine>,
}

/// One run of a source.
struct RunLine {
    id: uuid::Uuid,
    at: String,
    status: String,
    error: String,
    added: i64,
    changed: i64,
    removed: i64,
    held: bool,
    /// The changes, in words: "changed hope-at-noon (Hope at Noon): start_time 12:00 → 12:30".
    changes: Vec<String>,
}

/// Milliseconds as "YYYY-MM-DD HH:MM UTC".
fn utc(millis: i64) -> String {
    format!(
        "{} UTC",
        mutual_domain::local::Zone::utc().display(mutual_domain::Timestamp(millis))
    )
}

fn source_line(view: sync::SourceView) -> SourceLine {
    let s = view.source;
    SourceLine {
        id: s.id,
        kind: sync::KINDS
            .iter()
            .find(|(k, _)| *k == s.kind)
            .map_or("", |(_, label)| label),
        next_run: utc(s.next_run_at),
        runs: view
            .runs
            .into_iter()
            .map(|r| RunLine {
                id: r.id,
                at: utc(r.started_at),
                held: r.status == "held",
                changes: serde_json::from_str::<Vec<serde_json::Value>>(&r.report)
                    .unwrap_or_default()
                    .iter()
                    .map(change_words)
                    .collect(),
                status: r.status,
                error: r.error,
                added: r.added,
                changed: r.changed,
                removed: r.removed,
            })
            .collect(),
        name: s.name,
        url: s.url,
        program: s.program_code,
        every_hours: s.every_hours,
        auto_apply: s.auto_apply,
    }
}

/// One change of a run's report in words.
fn change_words(change: &serde_json::Value) -> String {
    let text = |key: &str| change[key].as_str().unwrap_or("").to_owned();
    let fields: Vec<String> = change["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{}: \u{201c}{}\u{201d} \u{2192} \u{201c}{}\u{201d}",
                f["field"].as_str().unwrap_or(""),
                f["before"].as_str().unwrap_or(""),
                f["after"].as_str().unwrap_or("")
            )
        })
        .collect();
    let mut words = format!("{} {} ({})", text("change"), text("slug"), text("name"));
    if !fields.is_empty() {
        words.push_str(": ");
        words.push_str(&fields.join("; "));
    }
    words
}

/// An area as the page lists it.
struct AreaLine {
    area: AreaSummary,
    level_name: &'static str,
}

async fn admin_page(
    state: &AppState,
    ctx: &PageContext,
    flash: Option<&'static str>,
    report: Option<ImportReport>,
    form: FormView,
) -> Result<AdminMeetingsPage, AppError> {
    let program_rows = meetings::programs(&state.app).await?;
    let snapshot = meetings::directory::snapshot(&state.app).await?;
    let summaries = areas::summaries(&state.app).await?;
    let parents = summaries
        .iter()
        .filter(|a| a.level + 1 < LEVELS.len())
        .map(|a| (a.id.to_string(), a.label.clone()))
        .collect();
    Ok(AdminMeetingsPage {
        layout: ctx.layout("Meeting directory"),
        flash,
        report,
        form,
        public: snapshot.public,
        max_mb: crate::IMPORT_UPLOAD_BYTES / 1024 / 1024,
        programs: program_rows
            .iter()
            .map(|p| (p.code.clone(), p.name.clone()))
            .collect(),
        program_rows,
        approaches: options(catalog::APPROACHES),
        parents,
        sources: sync::sources(&state.app)
            .await?
            .into_iter()
            .map(source_line)
            .collect(),
        sync_max_mb: sync::MAX_SOURCE_BYTES / 1024 / 1024,
        kinds: sync::KINDS
            .iter()
            .map(|(k, label)| ((*k).to_owned(), (*label).to_owned()))
            .collect(),
        areas: summaries
            .into_iter()
            .map(|area| AreaLine {
                level_name: LEVELS[area.level.min(LEVELS.len() - 1)],
                area,
            })
            .collect(),
    })
}

/// `GET /admin/meetings`
pub async fn show_admin_meetings(
    State(state): State<AppState>,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let flash = match query_param(&query, "done").as_deref() {
        Some("visibility") => Some("Saved who can browse the directory."),
        Some("program") => Some("Programmes saved."),
        Some("area") => Some("Areas saved."),
        Some("source") => Some("Sources saved."),
        Some("ran") => Some("The source was run; its report is below."),
        Some("applied") => Some("The run's changes are applied."),
        Some("discarded") => Some("The run's changes are discarded."),
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &admin_page(&state, &ctx, flash, None, FormView::default()).await?,
    ))
}

async fn admin_result(
    state: &AppState,
    ctx: &PageContext,
    result: Result<(), AppError>,
    done: &str,
    view: FormView,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/meetings?done={done}")).into_response()),
        Err(error) => {
            let view = view.with_errors(form_errors(error)?);
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &admin_page(state, ctx, None, None, view).await?,
            ))
        }
    }
}

/// `POST /admin/meetings/visibility`
pub async fn set_visibility(
    State(state): State<AppState>,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let mut errors = form.unknown_fields(&["public"]);
    let public = form.checkbox("public", &mut errors);
    let result = if errors.is_empty() {
        meetings::set_directory_public(&state.app, public).await
    } else {
        Err(AppError::Invalid(errors))
    };
    admin_result(&state, &ctx, result, "visibility", FormView::default()).await
}

/// `POST /admin/programs`
pub async fn save_program(
    State(state): State<AppState>,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["code", "name", "approach"])?;
        meetings::save_program(
            &state.app,
            form.get("code"),
            form.get("name"),
            form.get("approach"),
        )
        .await
    }
    .await;
    let view = ["code", "name", "approach"]
        .iter()
        .fold(FormView::default(), |v, f| v.keep(f, form.get(f)));
    admin_result(&state, &ctx, result, "program", view).await
}

/// `POST /admin/programs/{code}/delete`
pub async fn delete_program(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(code): Path<String>,
    _form: FormData,
) -> Result<Response, PageError> {
    let result = meetings::delete_program(&state.app, &code).await;
    admin_result(&state, &ctx, result, "program", FormView::default()).await
}

/// The fields of the form that adds an area (named apart from the programme form's).
const AREA_FIELDS: &[&str] = &["area_parent", "area_name", "area_time_zone"];

/// A form's field errors, named as that form names its fields (apart from the other forms' on
/// the page).
fn prefixed_fields(error: AppError, prefix: &str) -> AppError {
    match error {
        AppError::Invalid(fields) => AppError::Invalid(
            fields
                .into_iter()
                .map(|f| FieldError::new(format!("{prefix}{}", f.field), f.message))
                .collect(),
        ),
        other => other,
    }
}

/// `POST /admin/areas`: adds a region, or a sub-region or district under one.
pub async fn add_area(
    State(state): State<AppState>,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(AREA_FIELDS)?;
        areas::add_area(
            &state.app,
            form.get("area_parent"),
            form.get("area_name"),
            form.get("area_time_zone"),
        )
        .await
        .map(|_| ())
        .map_err(|e| prefixed_fields(e, "area_"))
    }
    .await;
    let view = AREA_FIELDS
        .iter()
        .fold(FormView::default(), |v, f| v.keep(f, form.get(f)));
    admin_result(&state, &ctx, result, "area", view).await
}

/// `POST /admin/areas/{id}/zone`: an area's own time zone, or none to take its parent's.
pub async fn set_area_zone(
    State(state): State<AppState>,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["time_zone"])?;
        areas::set_zone(&state.app, id, form.get("time_zone"))
            .await
            .map_err(|e| prefixed_fields(e, "area_row_"))
    }
    .await;
    admin_result(&state, &ctx, result, "area", FormView::default()).await
}

/// `POST /admin/areas/{id}/delete`: removes an area with nothing in it.
pub async fn delete_area(
    State(state): State<AppState>,
    ctx: PageContext,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    let result = areas::remove_area(&state.app, id).await;
    admin_result(&state, &ctx, result, "area", FormView::default()).await
}

/// The fields of the form that adds a source.
const SOURCE_FIELDS: &[&str] = &[
    "source_name",
    "source_kind",
    "source_url",
    "source_program",
    "source_every_hours",
    "source_auto_apply",
];

/// `POST /admin/sources`: adds another directory to sync from.
pub async fn add_source(
    State(state): State<AppState>,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(SOURCE_FIELDS)?;
        let mut errors = Vec::new();
        let auto_apply = form.checkbox("source_auto_apply", &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let input = sync::SourceInput {
            name: form.get("source_name"),
            kind: form.get("source_kind"),
            url: form.get("source_url"),
            program: form.get("source_program"),
            every_hours: form.get("source_every_hours"),
            auto_apply,
        };
        sync::add_source(&state.app, &input)
            .await
            .map(|_| ())
            .map_err(|e| prefixed_fields(e, "source_"))
    }
    .await;
    let view = SOURCE_FIELDS
        .iter()
        .fold(FormView::default(), |v, f| v.keep(f, form.get(f)));
    admin_result(&state, &ctx, result, "source", view).await
}

/// `POST /admin/sources/{id}/run`: runs a source now.
pub async fn run_source(
    State(state): State<AppState>,
    ctx: PageContext,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    let result = sync::run_now(&state.app, id).await.map(|_| ());
    admin_result(&state, &ctx, result, "ran", FormView::default()).await
}

/// `POST /admin/sources/{id}/delete`: stops syncing from a source (its meetings stay).
pub async fn delete_source(
    State(state): State<AppState>,
    ctx: PageContext,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    let result = sync::remove_source(&state.app, id).await;
    admin_result(&state, &ctx, result, "source", FormView::default()).await
}

/// `POST /admin/sources/runs/{id}/apply`: applies a held run.
pub async fn apply_run(
    State(state): State<AppState>,
    ctx: PageContext,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    let result = sync::apply_run(&state.app, id).await.map(|_| ());
    admin_result(&state, &ctx, result, "applied", FormView::default()).await
}

/// `POST /admin/sources/runs/{id}/discard`: discards a held run.
pub async fn discard_run(
    State(state): State<AppState>,
    ctx: PageContext,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    let result = sync::discard_run(&state.app, id).await;
    admin_result(&state, &ctx, result, "discarded", FormView::default()).await
}

/// `POST /admin/meetings/import`: a multipart upload of a Meeting Guide file; the report lists
/// every rejected row.
pub async fn import_upload(
    State(state): State<AppState>,
    ctx: PageContext,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut file: Option<Vec<u8>> = None;
    let mut failure: Option<AppError> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                match field.bytes().await {
                    Ok(bytes) if name == "file" => file = Some(bytes.to_vec()),
                    Ok(bytes) => {
                        fields.insert(
                            name,
                            String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                        );
                    }
                    Err(_) => {
                        failure = Some(upload_error());
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                failure = Some(upload_error());
                break;
            }
        }
    }
    let view = FormView::default()
        .keep("program", fields.get("program").map_or("", String::as_str))
        .keep(
            "timezone",
            fields.get("timezone").map_or("", String::as_str),
        )
        .keep(
            "rename_duplicates",
            fields.get("rename_duplicates").map_or("", String::as_str),
        );
    let result = match (failure, file) {
        (Some(error), _) => Err(error),
        (None, None) => Err(AppError::field(
            "file",
            "Choose a Meeting Guide JSON file to upload.",
        )),
        (None, Some(bytes)) if bytes.is_empty() => {
            Err(AppError::field("file", "The file is empty."))
        }
        (None, Some(bytes)) => {
            let options = ImportOptions {
                program: fields.get("program").filter(|p| !p.is_empty()).cloned(),
                time_zone: fields
                    .get("timezone")
                    .filter(|z| !z.trim().is_empty())
                    .cloned(),
                rename_duplicates: fields.get("rename_duplicates").is_some_and(|v| v == "on"),
            };
            interop::import_feed(&state.app, &bytes, &options).await
        }
    };
    match result {
        Ok(report) => {
            let status = if report.rejected.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok(render(
                status,
                &admin_page(&state, &ctx, None, Some(report), view).await?,
            ))
        }
        Err(error) => {
            let view = view.with_errors(form_errors(error)?);
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &admin_page(&state, &ctx, None, None, view).await?,
            ))
        }
    }
}

fn upload_error() -> AppError {
    AppError::field("file", "The upload could not be read. Please try again.")
}
