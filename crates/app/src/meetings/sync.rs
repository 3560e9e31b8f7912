//! Sync from other directories: admins add sources (a Meeting Guide feed, a BMLT root server,
//! a published CSV in the plugin's layout); each is fetched on its schedule by one server (a
//! claimed job), read by the same forgiving reader as an import, compared with what the
//! source gave before (added, changed field by field, removed), and applied at once or held
//! for an admin to apply or discard. A failed or empty fetch changes nothing and says why.
//! Admins are told of every run that changed, held or failed something.

use super::interop::{self, ImportOptions, read_feed, write_feed};
use super::{directory, listing_of};
use crate::{App, AppError};
use mutual_domain::UserId;
use mutual_domain::meetings::listing;
use mutual_store::meetings as meetings_store;
use mutual_store::meetings::sources::{self as store, RunRow, SourceRow};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use uuid::Uuid;

/// The kinds of source, and what each is in words.
pub const KINDS: &[(&str, &str)] = &[
    ("meeting_guide", "Meeting Guide feed (JSON)"),
    ("bmlt", "BMLT root server"),
    ("csv", "CSV in the 12 Step Meeting List plugin's layout"),
];

/// Largest answer a source may give.
pub const MAX_SOURCE_BYTES: usize = 50 * 1024 * 1024;
/// How long a fetch may take in all.
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);
/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;
/// How long a claimed run may take before another server may take it over.
const LEASE: Duration = Duration::from_secs(15 * 60);
/// Changes listed in a run's report at most (the counts are always whole).
const REPORT_LIMIT: usize = 2000;

/// A new source, as typed.
#[derive(Clone, Debug, Default)]
pub struct SourceInput<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub url: &'a str,
    pub program: &'a str,
    /// Hours between runs (default 24).
    pub every_hours: &'a str,
    pub auto_apply: bool,
}

/// Adds a source; it first runs at once (on the next scheduler tick).
pub async fn add_source(app: &App, input: &SourceInput<'_>) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(crate::FieldError::new(
            "name",
            "Give the source a name (under 100 characters).",
        ));
    }
    if !KINDS.iter().any(|(k, _)| *k == input.kind) {
        errors.push(crate::FieldError::new(
            "kind",
            "Choose a Meeting Guide feed, a BMLT root server or a CSV.",
        ));
    }
    let url = input.url.trim();
    if let Err(e) = check_url(url) {
        errors.push(crate::FieldError::new("url", e));
    }
    let every_hours = match input.every_hours.trim() {
        "" => 24,
        text => match text.parse::<i64>() {
            Ok(h) if (1..=24 * 30).contains(&h) => h,
            _ => {
                errors.push(crate::FieldError::new(
                    "every_hours",
                    "Run it every 1 to 720 hours (24 is daily).",
                ));
                24
            }
        },
    };
    let program = input.program.trim().to_uppercase();
    if !meetings_store::list_programs(&app.db)
        .await?
        .iter()
        .any(|p| p.code == program)
    {
        errors.push(crate::FieldError::new(
            "program",
            "Choose the programme its meetings belong to.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.clock.now().millis();
    let row = SourceRow {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        kind: input.kind.to_owned(),
        url: url.to_owned(),
        program_code: program,
        every_hours,
        auto_apply: input.auto_apply,
        next_run_at: now,
        claimed_until: 0,
        created_at: now,
    };
    store::insert_source(&app.db, &row).await?;
    Ok(row.id)
}

/// An address a source may be fetched from: http or https, with a host, no password in it.
fn check_url(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|_| "Give the full address, starting with https://".to_owned())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("Only http:// and https:// addresses are fetched.".into());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("The address names no server.".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("Leave passwords out of the address.".into());
    }
    if url.chars().count() > 2000 {
        return Err("The address is longer than 2000 characters.".into());
    }
    Ok(parsed)
}

/// Where a source's meetings are read from: a BMLT root server's search results, or the
/// address as given.
fn fetch_url(source: &SourceRow) -> String {
    match source.kind.as_str() {
        "bmlt" if !source.url.contains("switcher=") => format!(
            "{}/client_interface/json/?switcher=GetSearchResults",
            source.url.trim_end_matches('/')
        ),
        _ => source.url.clone(),
    }
}

/// Fetches a source's answer: http(s) only (redirects too, at most five), within the time
/// limit and the size cap; any other answer is an error in words for the admins.
async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    check_url(url)?;
    let client = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("more than five redirects")
            } else if !matches!(attempt.url().scheme(), "http" | "https") {
                attempt.error("a redirect to an address that is not http(s)")
            } else {
                attempt.follow()
            }
        }))
        .user_agent(concat!(
            "Mutual/",
            env!("CARGO_PKG_VERSION"),
            " (directory sync)"
        ))
        .build()
        .map_err(|e| format!("could not prepare the fetch: {e}"))?;
    let described = |e: reqwest::Error| {
        if e.is_timeout() {
            format!(
                "the source did not answer within {} s",
                FETCH_TIMEOUT.as_secs()
            )
        } else if e.is_redirect() {
            format!("the source redirected too often or elsewhere ({e})")
        } else if e.is_connect() {
            "the source's server could not be reached".to_owned()
        } else {
            format!("the fetch failed ({e})")
        }
    };
    let mut response = client.get(url).send().await.map_err(described)?;
    if !response.status().is_success() {
        return Err(format!("the source answered {}", response.status()));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_SOURCE_BYTES as u64)
    {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(described)? {
        if body.len() + chunk.len() > MAX_SOURCE_BYTES {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_big() -> String {
    format!(
        "the source is larger than {} MB, more than a directory sync takes",
        MAX_SOURCE_BYTES / 1024 / 1024
    )
}

/// What a run found, before it is applied or held.
struct Found {
    feed: interop::ReadFeed,
    added: Vec<String>,
    changed: Vec<String>,
    removed: Vec<(Uuid, String)>,
    report: Vec<serde_json::Value>,
}

/// Reads a fetched answer and compares it with what the source gave before.
async fn compare(app: &App, source: &SourceRow, body: &[u8]) -> Result<Found, String> {
    let options = ImportOptions {
        program: Some(source.program_code.clone()),
        ..ImportOptions::default()
    };
    let feed = read_feed(app, body, &options).await.map_err(|e| match e {
        AppError::Invalid(fields) => fields
            .into_iter()
            .map(|f| f.message)
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    })?;
    if feed.rows.is_empty() {
        return Err(format!(
            "the source listed no meetings we could read ({} rows refused), so nothing was changed",
            feed.report.rejected.len()
        ));
    }
    // What the source gave before, by slug: each meeting's id and listing, read once.
    let before: HashMap<String, (Uuid, listing::Listing)> =
        meetings_store::list_meetings_of_source(&app.db, source.id)
            .await
            .map_err(|e| e.to_string())?
            .iter()
            .filter_map(|row| Some((row.slug.clone(), (row.id, listing_of(row).ok()?))))
            .collect();
    let mut report = Vec::new();
    let mut note = |change: &str, slug: &str, name: &str, fields: serde_json::Value| {
        if report.len() < REPORT_LIMIT {
            report.push(
                serde_json::json!({"change": change, "slug": slug, "name": name, "fields": fields}),
            );
        }
    };
    let (mut added, mut changed) = (Vec::new(), Vec::new());
    for read in &feed.rows {
        let listing = &read.listing;
        match before.get(&listing.slug).map(|(_, old)| old) {
            None => {
                note("added", &listing.slug, &listing.name, serde_json::json!([]));
                added.push(listing.slug.clone());
            }
            Some(old) => {
                let fields = listing::diff(old, listing);
                if !fields.is_empty() {
                    note(
                        "changed",
                        &listing.slug,
                        &listing.name,
                        fields
                            .iter()
                            .map(|(f, b, a)| serde_json::json!({"field": f, "before": b, "after": a}))
                            .collect(),
                    );
                    changed.push(listing.slug.clone());
                }
            }
        }
    }
    let listed: HashSet<&str> = feed.rows.iter().map(|r| r.listing.slug.as_str()).collect();
    let mut removed = Vec::new();
    for (slug, (id, old)) in &before {
        if !listed.contains(slug.as_str()) {
            note("removed", slug, &old.name, serde_json::json!([]));
            removed.push((*id, slug.clone()));
        }
    }
    Ok(Found {
        feed,
        added,
        changed,
        removed,
        report,
    })
}

/// Writes what a run found: the added and changed meetings only (nothing else is rewritten),
/// tied to the source, and the removed ones deleted.
async fn apply(app: &App, source: &SourceRow, found: Found) -> Result<(), AppError> {
    let wanted: HashSet<String> = found.added.iter().chain(&found.changed).cloned().collect();
    if !wanted.is_empty() {
        write_feed(app, found.feed, |read| wanted.contains(&read.listing.slug)).await?;
        let slugs: Vec<String> = wanted.into_iter().collect();
        store::tie_meetings(&app.db, source.id, &slugs).await?;
    }
    let ids: Vec<Uuid> = found.removed.iter().map(|(id, _)| *id).collect();
    store::delete_meetings(&app.db, &ids).await?;
    directory::changed(app).await
}

/// Runs one source now: fetch, compare, then apply or hold; the run is recorded and admins
/// are told of anything but "unchanged". Errors of the source are the run's, never thrown.
pub async fn run_source(app: &App, source: &SourceRow) -> Result<RunRow, AppError> {
    let started = app.clock.now().millis();
    let mut run = RunRow {
        id: Uuid::now_v7(),
        source_id: source.id,
        started_at: started,
        status: "failed".into(),
        error: String::new(),
        added: 0,
        changed: 0,
        removed: 0,
        report: "[]".into(),
        body: None,
    };
    let outcome = match fetch(&fetch_url(source)).await {
        Ok(body) => compare(app, source, &body).await.map(|found| (found, body)),
        Err(e) => Err(e),
    };
    match outcome {
        Err(error) => run.error = error,
        Ok((found, body)) => {
            run.added = found.added.len() as i64;
            run.changed = found.changed.len() as i64;
            run.removed = found.removed.len() as i64;
            run.report = serde_json::Value::Array(found.report.clone()).to_string();
            if run.added + run.changed + run.removed == 0 {
                run.status = "unchanged".into();
            } else if source.auto_apply {
                apply(app, source, found).await?;
                run.status = "applied".into();
            } else {
                run.status = "held".into();
                run.body = Some(body);
            }
        }
    }
    store::insert_run(&app.db, &run).await?;
    if run.status != "unchanged" {
        tell_admins(app, source, &run).await?;
    }
    Ok(run)
}

async fn tell_admins(app: &App, source: &SourceRow, run: &RunRow) -> Result<(), AppError> {
    let admins: Vec<UserId> = mutual_store::accounts::list_admins(&app.db)
        .await?
        .into_iter()
        .map(UserId)
        .collect();
    let counts = format!(
        "{} added, {} changed, {} removed",
        run.added, run.changed, run.removed
    );
    let text = match run.status.as_str() {
        "failed" => format!(
            "Sync from {} failed: {}. The meetings it gave before are kept.",
            source.name, run.error
        ),
        "held" => format!(
            "Sync from {} found changes to review: {counts}.",
            source.name
        ),
        _ => format!("Sync from {} applied: {counts}.", source.name),
    };
    crate::notifications::notify(
        app,
        &admins,
        "directory_sync",
        &text,
        "/admin/meetings#sources-heading",
    )
    .await
}

/// Applies a held run (what was fetched then, compared again with the directory now).
pub async fn apply_run(app: &App, id: Uuid) -> Result<RunRow, AppError> {
    let held = store::find_run(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (Some(body), "held") = (held.body.as_deref(), held.status.as_str()) else {
        return Err(AppError::field(
            "run",
            "This run was applied or discarded already.",
        ));
    };
    let source = store::find_source(&app.db, held.source_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let found = compare(app, &source, body)
        .await
        .map_err(|e| AppError::field("run", e))?;
    apply(app, &source, found).await?;
    store::settle_run(&app.db, id, "applied").await?;
    Ok(held)
}

/// Discards a held run: nothing it found is written.
pub async fn discard_run(app: &App, id: Uuid) -> Result<(), AppError> {
    if !store::settle_run(&app.db, id, "discarded").await? {
        return Err(AppError::field(
            "run",
            "This run was applied or discarded already.",
        ));
    }
    Ok(())
}

/// Runs a source at once (an admin's "Run now"), whatever its schedule.
pub async fn run_now(app: &App, id: Uuid) -> Result<RunRow, AppError> {
    let source = store::find_source(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    run_source(app, &source).await
}

/// Runs every source that is due, one claimed at a time; how many ran.
pub async fn run_due(app: &App) -> Result<usize, AppError> {
    let mut ran = 0;
    loop {
        let now = app.clock.now().millis();
        let lease = now + LEASE.as_millis() as i64;
        let Some(source) = store::claim_due_source(&app.db, now, lease).await? else {
            return Ok(ran);
        };
        let result = run_source(app, &source).await;
        let next = app.clock.now().millis() + source.every_hours * 3_600_000;
        store::schedule_source(&app.db, source.id, next).await?;
        result?;
        ran += 1;
    }
}

/// Removes a source and its runs; the meetings it gave stay in the directory.
pub async fn remove_source(app: &App, id: Uuid) -> Result<(), AppError> {
    if store::delete_source(&app.db, id).await? == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// A source with its latest runs, for the admin page.
pub struct SourceView {
    pub source: SourceRow,
    pub runs: Vec<RunRow>,
}

/// Every source, each with its last five runs.
pub async fn sources(app: &App) -> Result<Vec<SourceView>, AppError> {
    let mut views = Vec::new();
    for source in store::list_sources(&app.db).await? {
        let runs = store::list_runs(&app.db, source.id, 5).await?;
        views.push(SourceView { source, runs });
    }
    Ok(views)
}
