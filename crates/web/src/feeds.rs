//! Machine-readable directory files: the Meeting Guide feed `/meetings.json`, the plugin's CSV
//! `/meetings.csv` and BMLT's search results (each streamed page by page), the list of meetings
//! the feed cannot express, and members' private calendar feeds of their saved meetings.

use crate::AppState;
use crate::auth::MaybeViewer;
use crate::error::PageError;
use crate::pages::meetings::ics_response;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use mutual_app::AppError;
use mutual_app::meetings::export::Format;
use mutual_app::meetings::{self, calendar, interop};
use uuid::Uuid;

type Fetch = tokio::task::JoinHandle<Result<Vec<interop::FeedRow>, AppError>>;

/// Where the feed is: the next page being read from the database while this one is written.
enum Cursor {
    Page { fetch: Fetch, first: bool },
    Closing,
    Done,
}

fn fetch(app: &mutual_app::App, after: Option<Uuid>, only: &interop::FeedFilter) -> Fetch {
    let (app, only) = (app.clone(), only.clone());
    tokio::spawn(async move { interop::feed_rows(&app, after, &only).await })
}

/// A feed's filter from its query string: `?program=AA`, `?region=Chicago`, or both.
async fn feed_filter(
    app: &mutual_app::App,
    query: &RawQuery,
) -> Result<interop::FeedFilter, AppError> {
    let fields = crate::api::meetings::query_fields(query, &["program", "region"], &[])?;
    interop::feed_filter(app, fields.get("program"), fields.get("region")).await
}

/// `GET /meetings.json`: every active weekly meeting (and those by appointment) as a Meeting
/// Guide feed, or one programme's or region's (`?program=AA`, `?region=...`), written a page at
/// a time (the next page is read while one is written). Meetings the format cannot express are
/// counted in `Mutual-Omitted-Meetings` and listed at `/meetings-omitted.json` (the `Link`
/// header points there).
pub async fn meeting_guide_feed(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    query: RawQuery,
) -> Result<Response, PageError> {
    let fields = crate::api::meetings::query_fields(&query, &["program", "region"], &[])?;
    exported(&state, viewer, &fields, Format::MeetingGuide).await
}

/// `GET /meetings.csv`: the same meetings in the 12 Step Meeting List plugin's CSV layout (its
/// columns first, one line a meeting-day), which its importer and ours read back.
pub async fn plugin_csv(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    query: RawQuery,
) -> Result<Response, PageError> {
    let fields = crate::api::meetings::query_fields(&query, &["program", "region"], &[])?;
    let mut response = exported(&state, viewer, &fields, Format::PluginCsv).await?;
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"meetings.csv\""),
    );
    Ok(response)
}

/// `GET /client_interface/json/?switcher=GetSearchResults`: the same meetings as a BMLT root
/// server answers that call, so NA-style meeting finders can read the directory (meetings by
/// appointment are left out: BMLT needs a weekday). Only that call is offered.
pub async fn bmlt_search_results(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    query: RawQuery,
) -> Result<Response, PageError> {
    let fields =
        crate::api::meetings::query_fields(&query, &["switcher", "program", "region"], &[])?;
    if fields.get("switcher") != "GetSearchResults" {
        return Err(AppError::field(
            "switcher",
            "This server answers only switcher=GetSearchResults of the BMLT client interface.",
        )
        .into());
    }
    exported(&state, viewer, &fields, Format::Bmlt).await
}

/// A directory export, streamed a page of meetings at a time while the next page is read.
async fn exported(
    state: &AppState,
    viewer: Option<mutual_app::accounts::Viewer>,
    fields: &crate::forms::FormData,
    format: Format,
) -> Result<Response, PageError> {
    meetings::directory_for(&state.app, viewer.as_ref()).await?;
    let only =
        interop::feed_filter(&state.app, fields.get("program"), fields.get("region")).await?;
    let omitted = match format {
        Format::Bmlt => 0,
        _ => interop::omitted(&state.app, &only).await?.len(),
    };
    let app = state.app.clone();
    let start = Cursor::Page {
        fetch: fetch(&app, None, &only),
        first: true,
    };
    let stream = futures_util::stream::unfold(start, move |cursor| {
        let (app, only) = (app.clone(), only.clone());
        async move {
            let (pending, first) = match cursor {
                Cursor::Done => return None,
                Cursor::Closing => {
                    return Some((Ok(Bytes::from_static(format.closing())), Cursor::Done));
                }
                Cursor::Page { fetch, first } => (fetch, first),
            };
            let page = pending
                .await
                .map_err(|e| AppError::Internal(e.to_string()))
                .and_then(|rows| rows);
            let written = page.map(|rows| {
                let next = match rows.last() {
                    Some(last) if rows.len() as i64 == interop::FEED_PAGE => Cursor::Page {
                        fetch: fetch(&app, Some(last.id), &only),
                        first: false,
                    },
                    _ => Cursor::Closing,
                };
                (format.chunk(&app, &rows), next)
            });
            match written {
                Ok((chunk, next)) => {
                    let mut bytes = Vec::with_capacity(chunk.len() + 1);
                    if first {
                        bytes.extend_from_slice(&format.opening());
                    } else if !chunk.is_empty() {
                        bytes.extend_from_slice(format.separator());
                    }
                    bytes.extend_from_slice(&chunk);
                    Some((Ok(Bytes::from(bytes)), next))
                }
                Err(error) => {
                    tracing::error!(%error, "directory export failed part way");
                    Some((Err(std::io::Error::other("export failed")), Cursor::Done))
                }
            }
        }
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    // BMLT's answer also leaves out the meetings by appointment, which that list does not name.
    if format != Format::Bmlt {
        headers.insert("mutual-omitted-meetings", HeaderValue::from(omitted));
        headers.insert(
            header::LINK,
            HeaderValue::from_static(
                "</meetings-omitted.json>; rel=\"related\"; title=\"Meetings left out of this feed\"",
            ),
        );
    }
    Ok(readable_anywhere(response))
}

/// Marks a public feed readable by pages of other sites (a meeting finder on an intergroup's
/// site): `Access-Control-Allow-Origin: *`, under which browsers never send cookies, so what
/// such a read gets is what any visitor sees; and a resource policy letting other origins load
/// it. Only public directory files go through here; nothing private does.
pub(crate) fn readable_anywhere(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("link, mutual-omitted-meetings"),
    );
    headers.insert(
        axum::http::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    response
}

/// `GET /meetings-omitted.json`: active meetings left out of the feed, each with the reason
/// (filtered as the feed is).
pub async fn omitted_meetings(
    State(state): State<AppState>,
    MaybeViewer(viewer): MaybeViewer,
    query: RawQuery,
) -> Result<Response, PageError> {
    meetings::directory_for(&state.app, viewer.as_ref()).await?;
    let only = feed_filter(&state.app, &query).await?;
    let omitted = interop::omitted(&state.app, &only).await?;
    Ok(readable_anywhere(
        Json(serde_json::json!({ "omitted": omitted })).into_response(),
    ))
}

/// `GET /calendar/{token}.ics`: a member's saved meetings for their calendar program.
pub async fn saved_calendar(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    if token.is_empty() || token.len() > 128 {
        return Err(AppError::NotFound.into());
    }
    let body = calendar::saved_feed(&state.app, token).await?;
    Ok(ics_response(body, "meetings.ics"))
}
