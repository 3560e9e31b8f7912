//! The member's settings: password, sessions, data export and account deletion.

use crate::AppState;
use crate::auth::SignedIn;
use crate::client::Client;
use crate::error::{PageError, form_errors};
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::{query_param, redirect_with_session, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::{self, Viewer};
use mutual_app::{account_recovery, privacy, recovery, reminders};
use mutual_domain::SessionId;

struct SessionView {
    id: String,
    device: String,
    kind: String,
    created: String,
    last_seen: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    flash: Option<&'static str>,
    username: String,
    role: String,
    member_since: String,
    sessions: Vec<SessionView>,
    password_form: FormView,
    recovery_form: FormView,
    /// Recovery codes not yet used.
    codes_left: i64,
    delete_form: FormView,
    zone_form: FormView,
    zones: &'static [String],
    country_form: FormView,
    /// The countries with crisis lines, and the one the member's zone suggests.
    countries: Vec<std::sync::Arc<mutual_app::crisis::CountryLines>>,
    suggested_country: String,
}

/// The forms of the settings page, as they should be shown.
#[derive(Default)]
struct SettingsForms {
    password: FormView,
    recovery: FormView,
    delete: FormView,
    zone: Option<FormView>,
    country: Option<FormView>,
}

async fn settings_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    flash: Option<&'static str>,
    forms: SettingsForms,
) -> Result<SettingsPage, PageError> {
    let sessions = accounts::list_my_sessions(&state.app, viewer).await?;
    let crisis = state.app.crisis.now();
    let zone_form = match forms.zone {
        Some(form) => form,
        None => {
            let chosen = recovery::chosen_time_zone(&state.app, viewer)
                .await?
                .unwrap_or_default();
            let reminder = reminders::reminder(&state.app, viewer)
                .await?
                .unwrap_or_default();
            FormView::default()
                .keep("time_zone", &chosen)
                .keep("reminder_time", &reminder)
        }
    };
    Ok(SettingsPage {
        layout: ctx.layout("Settings"),
        flash,
        username: viewer.username.as_str().to_owned(),
        role: viewer.role.to_string(),
        member_since: viewer.member_since.to_display_utc(),
        sessions: sessions
            .into_iter()
            .map(|s| SessionView {
                id: s.id.to_string(),
                device: s.device,
                kind: s.kind,
                created: s.created_at.to_display_utc(),
                last_seen: s.last_seen_at.to_display_utc(),
                current: s.id == viewer.session_id,
            })
            .collect(),
        password_form: forms.password,
        recovery_form: forms.recovery,
        codes_left: mutual_app::account_recovery::unused_codes(&state.app, viewer).await?,
        delete_form: forms.delete,
        zone_form,
        zones: mutual_domain::local::zone_names(),
        country_form: forms.country.unwrap_or_else(|| {
            let chosen = viewer.country.as_deref().unwrap_or("").to_ascii_lowercase();
            let chosen = if chosen == "other" {
                chosen
            } else {
                chosen.to_ascii_uppercase()
            };
            FormView::default().keep("country", &chosen)
        }),
        countries: crisis.countries().to_vec(),
        suggested_country: crisis
            .suggested_by_zone(viewer.zone.name())
            .unwrap_or_else(|| crisis.for_country(None))
            .name
            .clone(),
    })
}

/// The settings page again (422), with the refused form as `forms` shows it.
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    forms: SettingsForms,
) -> Result<Response, PageError> {
    let page = settings_page(state, viewer, ctx, None, forms).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

fn flash_message(code: Option<String>) -> Option<&'static str> {
    match code.as_deref() {
        Some("password") => {
            Some("Your password has been changed. Your other sessions were signed out.")
        }
        Some("session") => Some("That session has been signed out."),
        Some("zone") => Some("Your time zone has been saved."),
        Some("reminder") => Some("Your reminder has been saved."),
        Some("country") => Some("Your country has been saved: help pages show its crisis lines."),
        _ => None,
    }
}

/// `GET /settings`
pub async fn show_settings(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let flash = flash_message(query_param(&query, "done"));
    let page = settings_page(&state, &viewer, &ctx, flash, SettingsForms::default()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /settings/password`
pub async fn change_password(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    client: Client,
    form: FormData,
) -> Result<Response, PageError> {
    let unknown = form.unknown_fields(&["current_password", "new_password"]);
    let result = if unknown.is_empty() {
        accounts::change_password(
            &state.app,
            &viewer,
            form.get("current_password"),
            form.get("new_password"),
            &client.address,
        )
        .await
    } else {
        Err(AppError::Invalid(unknown))
    };
    match result {
        Ok(()) => Ok(Redirect::to("/settings?done=password").into_response()),
        Err(AppError::Invalid(errors)) => {
            let forms = SettingsForms {
                password: FormView::default().with_errors(errors),
                ..SettingsForms::default()
            };
            refused(&state, &viewer, &ctx, forms).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /settings/recovery-codes`: new codes after the current password, shown once.
pub async fn renew_recovery_codes(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    client: Client,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["password"])?;
        account_recovery::renew_codes(&state.app, &viewer, form.get("password"), &client.address)
            .await
    }
    .await;
    match result {
        Ok(codes) => Ok(crate::pages::account_recovery::codes_page(
            &ctx,
            codes,
            None,
            "/settings",
        )),
        Err(AppError::Invalid(errors)) => {
            let forms = SettingsForms {
                recovery: FormView::default().with_errors(errors),
                ..SettingsForms::default()
            };
            refused(&state, &viewer, &ctx, forms).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /settings/sessions/{id}/end`
pub async fn end_session(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    _form: FormData,
) -> Result<Response, PageError> {
    let id = SessionId(id);
    accounts::end_session(&state.app, &viewer, id).await?;
    Ok(Redirect::to("/settings?done=session").into_response())
}

/// `POST /settings/sessions/end-all`: log out everywhere, this browser included.
pub async fn end_all_sessions(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    _form: FormData,
) -> Result<Response, PageError> {
    accounts::log_out_everywhere(&state.app, &viewer).await?;
    Ok(redirect_with_session(&state, "/", None, false))
}

/// `GET /settings/export`: everything stored about the member, as a JSON download.
pub async fn export_data(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Response, PageError> {
    let export = privacy::export_my_data(&state.app, &viewer).await?;
    let body =
        serde_json::to_string_pretty(&export).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"mutual-export.json\""),
    );
    Ok(response)
}

/// `POST /settings/delete`
pub async fn delete_account(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    client: Client,
    form: FormData,
) -> Result<Response, PageError> {
    let unknown = form.unknown_fields(&["password"]);
    let result = if unknown.is_empty() {
        privacy::delete_my_account(&state.app, &viewer, form.get("password"), &client.address).await
    } else {
        Err(AppError::Invalid(unknown))
    };
    match result {
        Ok(()) => {
            let mut response = super::accounts::message(
                &ctx,
                "Your account has been deleted",
                vec![
                    "Your pseudonym, password, e-mail and sessions are gone. Thank you for being part of this community.".into(),
                    "If you ever need support again, you are welcome back at any time.".into(),
                ],
                Some(("/help", "Crisis lines and urgent help")),
            );
            let cleared = redirect_with_session(&state, "/", None, false);
            if let Some(cookie) = cleared.headers().get(header::SET_COOKIE) {
                response
                    .headers_mut()
                    .append(header::SET_COOKIE, cookie.clone());
            }
            Ok(response)
        }
        Err(error) => {
            let forms = SettingsForms {
                delete: FormView::default().with_errors(form_errors(error)?),
                ..SettingsForms::default()
            };
            refused(&state, &viewer, &ctx, forms).await
        }
    }
}

async fn zone_action(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    form: &FormData,
    field: &'static str,
    done: &str,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    let result = match form.unknown_fields(&[field]) {
        unknown if unknown.is_empty() => result,
        unknown => Err(AppError::Invalid(unknown)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/settings?done={done}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let kept = FormView::default()
                .keep(field, form.get(field))
                .with_errors(errors);
            let forms = SettingsForms {
                zone: Some(kept),
                ..SettingsForms::default()
            };
            refused(state, viewer, ctx, forms).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /settings/time-zone`
pub async fn set_time_zone(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = recovery::set_time_zone(&state.app, &viewer, form.get("time_zone"))
        .await
        .map(|_| ());
    zone_action(&state, &viewer, &ctx, &form, "time_zone", "zone", result).await
}

/// `POST /settings/country`: the country whose crisis lines the member is shown.
pub async fn set_country(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["country"])?;
        accounts::set_country(&state.app, &viewer, form.get("country")).await
    }
    .await;
    match result {
        Ok(()) => {
            let mut response =
                Redirect::to("/settings?done=country#country-heading").into_response();
            let chosen = Some(form.get("country")).filter(|c| !c.trim().is_empty());
            let crisis = state.app.crisis.now();
            let lines = crisis.for_person(None, chosen, Some(viewer.zone.name()));
            crate::pages::help::remember_country(&state, &mut response, lines);
            Ok(response)
        }
        Err(AppError::Invalid(errors)) => {
            let forms = SettingsForms {
                country: Some(form.kept(&["country"]).with_errors(errors)),
                ..SettingsForms::default()
            };
            refused(&state, &viewer, &ctx, forms).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /settings/reminder`
pub async fn set_reminder(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = reminders::set_reminder(&state.app, &viewer, form.get("reminder_time")).await;
    zone_action(
        &state,
        &viewer,
        &ctx,
        &form,
        "reminder_time",
        "reminder",
        result,
    )
    .await
}
