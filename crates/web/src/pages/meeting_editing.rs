//! Changing the directory: suggesting a correction, editing and adding meetings and groups
//! (facilitators, moderators, admins), facilitators, and the suggestion review queue.

use crate::AppState;
use crate::api::meetings::listing_map;
use crate::auth::SignedIn;
use crate::error::{PageError, form_errors};
use crate::forms::FormData;
use crate::ids::IdPath;
use crate::layout::{FormView, Layout, PageContext};
use crate::pages::meetings::{area_options, day_options, group_page, mode_options, options};
use crate::pages::{parse_id, query_param, render};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::Viewer;
use mutual_app::meetings::{self, GROUP_FIELDS, GroupInput};
use mutual_domain::meetings::catalog;
use mutual_domain::meetings::listing::{LISTING_FIELDS, ListingInput, listing_fields};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Which listing form is shown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListingForm {
    Edit(Uuid),
    Suggest(Uuid),
    New(Uuid),
}

#[derive(Template)]
#[template(path = "meeting_form.html")]
struct MeetingFormPage {
    layout: Layout,
    heading: String,
    intro: &'static str,
    action: String,
    submit: &'static str,
    suggesting: bool,
    form: FormView,
    fields: Vec<&'static str>,
    recurrences: Vec<(String, String)>,
    days: Vec<(String, String)>,
    nths: Vec<(String, String)>,
    modes: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    areas: Vec<(String, String)>,
}

async fn meeting_form_page(
    state: &AppState,
    ctx: &PageContext,
    which: ListingForm,
    name: &str,
    form: FormView,
) -> Result<MeetingFormPage, AppError> {
    let areas = area_options(state, form.value("area")).await?;
    let (heading, intro, action, submit) = match which {
        ListingForm::Edit(id) => (
            format!("Edit {name}"),
            "Changes show in the directory at once and are recorded in the listing's history.",
            format!("/meetings/{id}/edit"),
            "Save listing",
        ),
        ListingForm::Suggest(id) => (
            format!("Suggest a change to {name}"),
            "Correct what is wrong; a moderator reviews it before the listing changes.",
            format!("/meetings/{id}/suggest"),
            "Send suggestion",
        ),
        ListingForm::New(group) => (
            format!("Add a meeting to {name}"),
            "The meeting appears in the directory as soon as it is saved.",
            format!("/groups/{group}/meetings/new"),
            "Add meeting",
        ),
    };
    let mut fields: Vec<&'static str> = LISTING_FIELDS.to_vec();
    fields.push("note");
    Ok(MeetingFormPage {
        layout: ctx.layout(&heading),
        heading,
        intro,
        action,
        submit,
        suggesting: matches!(which, ListingForm::Suggest(_)),
        form,
        fields,
        recurrences: vec![
            ("weekly".into(), "Every week".into()),
            ("biweekly".into(), "Every other week".into()),
            ("monthly".into(), "Monthly".into()),
            ("once".into(), "Once".into()),
            ("appointment".into(), "By appointment".into()),
        ],
        days: day_options(),
        nths: vec![
            ("1".into(), "First".into()),
            ("2".into(), "Second".into()),
            ("3".into(), "Third".into()),
            ("4".into(), "Fourth".into()),
            ("-1".into(), "Last".into()),
        ],
        modes: mode_options(),
        statuses: vec![
            ("active".into(), "Meeting".into()),
            ("closed".into(), "Temporarily not meeting".into()),
        ],
        areas,
    })
}

fn listing_view(values: &BTreeMap<String, String>) -> FormView {
    values.iter().fold(FormView::default(), |view, (k, v)| {
        view.keep_owned(k.clone(), v)
    })
}

/// The meeting as the viewer may see it: its name, and its listing as form values.
async fn current_values(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
) -> Result<(meetings::MeetingView, BTreeMap<String, String>), AppError> {
    let view = meetings::find_meeting(&state.app, Some(viewer), id).await?;
    let values = listing_fields(&view.listing)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    Ok((view, values))
}

/// `GET /meetings/{id}/edit` and `GET /meetings/{id}/suggest`: the form, prefilled.
async fn show_listing_form(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    which: ListingForm,
    id: Uuid,
) -> Result<Response, PageError> {
    let (view, values) = current_values(state, viewer, id).await?;
    if let ListingForm::Edit(_) = which
        && !view.editable
    {
        return Err(AppError::Forbidden("Only this group's facilitators and moderators can change its listings. You can suggest a change instead.").into());
    }
    Ok(render(
        StatusCode::OK,
        &meeting_form_page(state, ctx, which, &view.listing.name, listing_view(&values)).await?,
    ))
}

/// `GET /meetings/{id}/edit`
pub async fn show_edit_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    show_listing_form(&state, &viewer, &ctx, ListingForm::Edit(id), id).await
}

/// `GET /meetings/{id}/suggest`
pub async fn show_suggest(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    show_listing_form(&state, &viewer, &ctx, ListingForm::Suggest(id), id).await
}

async fn submit_listing(
    state: &AppState,
    viewer: &Viewer,
    ctx: &PageContext,
    which: ListingForm,
    form: FormData,
) -> Result<Response, PageError> {
    let values = listing_map(&form);
    let input = ListingInput::from_fields(|n| values.get(n).map_or("", String::as_str));
    let result: Result<String, AppError> = async {
        let mut allowed: Vec<&str> = LISTING_FIELDS.to_vec();
        allowed.push("note");
        form.only(&allowed)?;
        match which {
            ListingForm::Edit(id) => meetings::update_meeting(&state.app, viewer, id, &input)
                .await
                .map(|()| format!("/meetings/{id}?done=edited")),
            ListingForm::Suggest(id) => {
                meetings::suggest_change(&state.app, viewer, id, &values, form.get("note"))
                    .await
                    .map(|_| format!("/meetings/{id}?done=suggested"))
            }
            ListingForm::New(group) => meetings::create_meeting(&state.app, viewer, group, &input)
                .await
                .map(|id| format!("/meetings/{id}?done=edited")),
        }
    }
    .await;
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(error) => {
            let errors = form_errors(error)?;
            let name = match which {
                ListingForm::Edit(id) | ListingForm::Suggest(id) => {
                    meetings::find_meeting(&state.app, Some(viewer), id)
                        .await?
                        .listing
                        .name
                }
                ListingForm::New(group) => {
                    meetings::find_group(&state.app, Some(viewer), group)
                        .await?
                        .group
                        .name
                }
            };
            let view = listing_view(&values)
                .keep("note", form.get("note"))
                .with_errors(errors);
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &meeting_form_page(state, ctx, which, &name, view).await?,
            ))
        }
    }
}

/// `POST /meetings/{id}/edit`
pub async fn update_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    submit_listing(&state, &viewer, &ctx, ListingForm::Edit(id), form).await
}

/// `POST /meetings/{id}/suggest`
pub async fn suggest_change(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    submit_listing(&state, &viewer, &ctx, ListingForm::Suggest(id), form).await
}

/// `GET /groups/{id}/meetings/new`
pub async fn show_new_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    Path(group): Path<String>,
) -> Result<Response, PageError> {
    let group = parse_id(&group)?;
    let view = meetings::find_group(&state.app, Some(&viewer), group).await?;
    if !view.editable {
        return Err(AppError::Forbidden(
            "Only this group's facilitators and moderators can add meetings to it.",
        )
        .into());
    }
    let form = FormView::default()
        .keep("recurrence", "weekly")
        .keep("mode", "in_person")
        .keep("status", "active")
        .keep("time_zone", viewer.zone.name());
    Ok(render(
        StatusCode::OK,
        &meeting_form_page(
            &state,
            &ctx,
            ListingForm::New(group),
            &view.group.name,
            form,
        )
        .await?,
    ))
}

/// `POST /groups/{id}/meetings/new`
pub async fn create_meeting(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    Path(group): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let group = parse_id(&group)?;
    submit_listing(&state, &viewer, &ctx, ListingForm::New(group), form).await
}

#[derive(Template)]
#[template(path = "group_form.html")]
struct GroupFormPage {
    layout: Layout,
    heading: String,
    action: String,
    form: FormView,
    fields: &'static [&'static str],
    programs: Vec<(String, String)>,
    tags: Vec<(String, String)>,
    sizes: Vec<(String, String)>,
    structures: Vec<(String, String)>,
    facilitation: Vec<(String, String)>,
    audiences: Vec<(String, String)>,
    accessibility: Vec<(String, String)>,
    areas: Vec<(String, String)>,
}

async fn group_form_page(
    state: &AppState,
    ctx: &PageContext,
    heading: String,
    action: String,
    form: FormView,
) -> Result<GroupFormPage, AppError> {
    Ok(GroupFormPage {
        layout: ctx.layout(&heading),
        heading,
        action,
        fields: GROUP_FIELDS,
        programs: meetings::programs(&state.app)
            .await?
            .into_iter()
            .map(|p| (p.code, p.name))
            .collect(),
        tags: options(catalog::VALUE_TAGS),
        sizes: options(catalog::SIZES),
        structures: options(catalog::STRUCTURES),
        facilitation: options(catalog::FACILITATION),
        audiences: options(catalog::AUDIENCES),
        accessibility: options(catalog::ACCESSIBILITY),
        areas: area_options(state, form.value("area")).await?,
        form,
    })
}

fn group_view(form: &FormData) -> FormView {
    GROUP_FIELDS.iter().fold(FormView::default(), |v, f| {
        v.keep(f, &form.all(f).join(","))
    })
}

/// `GET /groups/new` (moderators)
pub async fn show_new_group(
    State(state): State<AppState>,
    ctx: PageContext,
) -> Result<Response, PageError> {
    let page = group_form_page(
        &state,
        &ctx,
        "Add a group".into(),
        "/groups/new".into(),
        FormView::default(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /groups/new`
pub async fn create_group(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(GROUP_FIELDS)?;
        let input = GroupInput {
            fields: form.pairs(),
        };
        meetings::create_group(&state.app, &viewer, &input).await
    }
    .await;
    group_saved(
        &state,
        &ctx,
        &form,
        result,
        "Add a group",
        "/groups/new".into(),
    )
    .await
}

/// Where a group form goes: to the group when saved, else back to the form with what was
/// typed and what needs fixing.
async fn group_saved(
    state: &AppState,
    ctx: &PageContext,
    form: &FormData,
    result: Result<Uuid, AppError>,
    heading: &str,
    action: String,
) -> Result<Response, PageError> {
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/groups/{id}")).into_response()),
        Err(error) => {
            let view = group_view(form).with_errors(form_errors(error)?);
            let page = group_form_page(state, ctx, heading.into(), action, view).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// `GET /groups/{id}/edit`
pub async fn show_edit_group(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
) -> Result<Response, PageError> {
    let view = meetings::find_group(&state.app, Some(&viewer), id).await?;
    if !view.editable {
        return Err(AppError::Forbidden(
            "Only this group's facilitators and moderators can change it.",
        )
        .into());
    }
    let g = &view.group;
    let form = FormView::default()
        .keep("name", &g.name)
        .keep("program", &g.program_code)
        .keep("description", &g.description)
        .keep("tags", &g.tags)
        .keep("size", &g.size)
        .keep("structure", &g.structure)
        .keep("facilitation", &g.facilitation)
        .keep("atmosphere", &g.atmosphere)
        .keep("languages", &g.languages)
        .keep("accessibility", &g.accessibility)
        .keep("audience", &g.audience)
        .keep("closed", if g.closed { "on" } else { "" })
        .keep("contact_name", &g.contact_name)
        .keep("contact_email", &g.contact_email)
        .keep("contact_phone", &g.contact_phone)
        .keep("area", &g.area)
        .keep(
            "join_members_only",
            if g.join_members_only { "on" } else { "" },
        )
        .keep("notes", &g.notes);
    let page = group_form_page(
        &state,
        &ctx,
        format!("Edit {}", g.name),
        format!("/groups/{id}/edit"),
        form,
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /groups/{id}/edit`
pub async fn update_group(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(GROUP_FIELDS)?;
        let input = GroupInput {
            fields: form.pairs(),
        };
        meetings::update_group(&state.app, &viewer, id, &input).await
    }
    .await;
    let action = format!("/groups/{id}/edit");
    group_saved(
        &state,
        &ctx,
        &form,
        result.map(|()| id),
        "Edit group",
        action,
    )
    .await
}

/// `POST /groups/{id}/facilitators` (moderators)
pub async fn add_facilitator(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    let result = async {
        form.only(&["username"])?;
        meetings::add_facilitator(&state.app, &viewer, id, form.get("username")).await
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/groups/{id}")).into_response()),
        Err(error) => {
            let view = FormView::default()
                .keep("username", form.get("username"))
                .with_errors(form_errors(error)?);
            let page = group_page(&state, Some(&viewer), &ctx, id, None, view).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// `POST /groups/{id}/facilitators/{user}/remove`
pub async fn remove_facilitator(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path((id, user)): Path<(String, String)>,
    _form: FormData,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    meetings::remove_facilitator(&state.app, &viewer, id, parse_id(&user)?).await?;
    Ok(Redirect::to(&format!("/groups/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "suggestions.html")]
struct SuggestionsPage {
    layout: Layout,
    flash: Option<&'static str>,
    suggestions: Vec<meetings::SuggestionView>,
}

/// `GET /moderation/suggestions`
pub async fn show_suggestions(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ctx: PageContext,
    query: RawQuery,
) -> Result<Response, PageError> {
    let flash = match query_param(&query, "done").as_deref() {
        Some("approved") => Some("Approved: the listing is updated and its history records it."),
        Some("rejected") => Some("Rejected; the listing is unchanged."),
        _ => None,
    };
    let suggestions = meetings::pending_suggestions(&state.app, &viewer).await?;
    Ok(render(
        StatusCode::OK,
        &SuggestionsPage {
            layout: ctx.layout("Suggested changes"),
            flash,
            suggestions,
        },
    ))
}

/// `POST /moderation/suggestions/{id}`
pub async fn decide_suggestion(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    IdPath(id): IdPath,
    form: FormData,
) -> Result<Response, PageError> {
    form.only(&["decision", "note"])?;
    let approve = match form.get("decision") {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::field("decision", "Choose approve or reject.").into()),
    };
    meetings::decide_suggestion(&state.app, &viewer, id, approve, form.get("note")).await?;
    let done = if approve { "approved" } else { "rejected" };
    Ok(Redirect::to(&format!("/moderation/suggestions?done={done}")).into_response())
}
