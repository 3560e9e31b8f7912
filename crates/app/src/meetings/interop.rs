//! Meeting Guide interoperability: importing a feed (a Meeting Guide list, BMLT's search results
//! or the plugin's CSV; row by row, each rejected row reported with its slug and reason,
//! re-imports updating by slug) and writing the feed page by page so that even a very large
//! directory is streamed, never held whole.

use super::{RowParts, areas, directory, row_of};
use crate::{App, AppError};
use mutual_domain::local::Zone;
use mutual_domain::meetings::catalog::Mode;
use mutual_domain::meetings::feed::{self, FeedMeeting, RowError, bmlt, csv_layout};
use mutual_store::meetings::{self as store, GroupRow, ImportRow};
pub use mutual_store::meetings::{FeedFilter, FeedRow};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// Largest feed accepted, in bytes.
pub const MAX_FEED_BYTES: usize = 200 * 1024 * 1024;
/// Rows written per transaction.
const CHUNK: usize = 2000;

/// Choices for an import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The programme of new groups (default: "OTHER").
    pub program: Option<String>,
    /// The zone of rows without `timezone` (default: the server's).
    pub time_zone: Option<String>,
    /// A row whose slug an earlier row has is imported under `{slug}-2` (then `-3`, ...) and
    /// reported, instead of refused. The same feed renames the same rows the same way, so
    /// importing it again updates them.
    pub rename_duplicates: bool,
}

/// What an import did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    pub rejected: Vec<Rejected>,
    /// Rows imported under a new slug because an earlier row had theirs (with
    /// [`ImportOptions::rename_duplicates`]).
    pub renamed: Vec<Renamed>,
    /// How many rows named no time zone and were given [`ImportReport::default_zone`].
    pub zoned_by_default: u64,
    /// How many rows named no time zone and were given their area's.
    pub zoned_by_area: u64,
    /// The areas the rows named that the directory did not have, added.
    pub areas_added: u64,
    pub default_zone: String,
}

/// A row that was not imported.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Rejected {
    /// Its position in the feed, from 1.
    pub row: usize,
    pub slug: Option<String>,
    pub reason: String,
}

/// A row imported under a new slug.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Renamed {
    pub row: usize,
    /// The slug the row gave, which row `first` has.
    pub slug: String,
    pub first: usize,
    pub renamed: String,
}

/// Reads a Meeting Guide feed and imports every valid row. Fails as a whole only when the file
/// cannot be read as a list of meetings, or the options are wrong; then nothing is changed.
pub async fn import_feed(
    app: &App,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ImportReport, AppError> {
    let feed = read_feed(app, bytes, options).await?;
    write_feed(app, feed, |_| true).await
}

/// A feed read and checked row by row, not yet written.
pub(crate) struct ReadFeed {
    pub report: ImportReport,
    pub rows: Vec<FeedMeeting>,
    /// The programme of new groups.
    program: String,
    known: std::collections::HashSet<String>,
}

/// Reads and checks every row of a feed (the rows' areas are added to the tree meanwhile).
pub(crate) async fn read_feed(
    app: &App,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ReadFeed, AppError> {
    if bytes.len() > MAX_FEED_BYTES {
        return Err(AppError::field(
            "file",
            format!(
                "The file is larger than {} MB; split it into smaller feeds.",
                MAX_FEED_BYTES / 1024 / 1024
            ),
        ));
    }
    let program = options
        .program
        .as_deref()
        .map(|p| p.trim().to_uppercase())
        .unwrap_or_else(|| "OTHER".into());
    let known: std::collections::HashSet<String> = store::list_programs(&app.db)
        .await?
        .into_iter()
        .map(|p| p.code)
        .collect();
    if !known.contains(&program) {
        return Err(AppError::field(
            "program",
            format!("There is no programme with the code {program:?}."),
        ));
    }
    // Never UTC by accident: a row without a zone takes its area's, else the one asked for,
    // else the server's unless that is UTC (no meeting is there by accident); else it is refused.
    let zone = match &options.time_zone {
        Some(name) => {
            Some(Zone::parse(name).map_err(|e| AppError::field("timezone", e.to_string()))?)
        }
        None => Zone::parse(&app.config.default_time_zone)
            .ok()
            .filter(|zone| !matches!(zone.name(), "UTC" | "Etc/UTC")),
    };
    let rows = feed_rows_of(bytes)?;
    // A meeting our feed wrote as one row a day is one meeting again.
    let rows = feed::merge_split_rows(rows);
    let mut report = ImportReport {
        default_zone: zone
            .as_ref()
            .map(|z| z.name().to_owned())
            .unwrap_or_default(),
        ..ImportReport::default()
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut read_rows = Vec::with_capacity(rows.len());
    let mut areas = areas::ImportAreas::load(app).await?;
    let areas_before = areas.count();
    for (index, row) in rows.iter().enumerate() {
        let number = index + 1;
        // The row's area, added where missing; its zone is the row's when the row names none.
        let named = |key: &str| row.get(key).and_then(Value::as_str).unwrap_or("");
        let area = areas
            .ensure(
                app,
                [named("region"), named("sub_region"), named("district")],
            )
            .await?;
        let area_zone = area.and_then(|a| areas.zone(a));
        let mut read = match feed::read_row(row, area_zone.as_ref().or(zone.as_ref())) {
            Ok(read) => read,
            Err(RowError { slug, reason }) => {
                report.rejected.push(Rejected {
                    row: number,
                    slug,
                    reason,
                });
                continue;
            }
        };
        if read.zone_defaulted {
            match area_zone {
                Some(_) => report.zoned_by_area += 1,
                None => report.zoned_by_default += 1,
            }
        }
        if let Some(&first) = seen.get(&read.listing.slug) {
            if !options.rename_duplicates {
                report.rejected.push(Rejected {
                    row: number,
                    slug: Some(read.listing.slug.clone()),
                    reason: format!(
                        "the slug is also used by row {first}; slugs must be unique \
                         (or import with duplicates renamed)"
                    ),
                });
                continue;
            }
            let renamed = (2..)
                .map(|n| format!("{}-{n}", read.listing.slug))
                .find(|slug| !seen.contains_key(slug))
                .expect("some suffix is free");
            report.renamed.push(Renamed {
                row: number,
                slug: std::mem::replace(&mut read.listing.slug, renamed.clone()),
                first,
                renamed,
            });
        }
        seen.insert(read.listing.slug.clone(), number);
        read_rows.push(read);
    }
    report.areas_added = (areas.count() - areas_before) as u64;
    Ok(ReadFeed {
        report,
        rows: read_rows,
        program,
        known,
    })
}

/// Writes the rows of a read feed that `keep` takes, in chunks, updating by slug.
pub(crate) async fn write_feed(
    app: &App,
    feed: ReadFeed,
    keep: impl Fn(&FeedMeeting) -> bool,
) -> Result<ImportReport, AppError> {
    let ReadFeed {
        mut report,
        rows,
        program,
        known,
    } = feed;
    let mut batch: Vec<ImportRow> = Vec::with_capacity(CHUNK);
    let now = app.clock.now().millis();
    for read in rows.into_iter().filter(|r| keep(r)) {
        let implicit = read.group.is_none();
        let group = GroupRow {
            closed: read.listing.types.iter().any(|t| t == "C"),
            notes: read.group_notes.clone(),
            implicit,
            ..GroupRow::new(
                read.group.as_deref().unwrap_or(&read.listing.name),
                // A row's own programme (our feed says it) where the directory has it.
                read.program
                    .as_ref()
                    .filter(|code| known.contains(*code))
                    .unwrap_or(&program),
                now,
            )
        };
        let meeting = row_of(
            &read.listing,
            RowParts {
                id: Uuid::now_v7(),
                group_id: group.id,
                source_url: read.url.clone(),
                extra: read.extra,
                created_at: now,
                updated_at: read.updated.map_or(now, |t| t.millis()),
            },
        );
        batch.push(ImportRow { meeting, group });
        if batch.len() == CHUNK {
            add(&mut report, store::import_meetings(&app.db, &batch).await?);
            batch.clear();
        }
    }
    if !batch.is_empty() {
        add(&mut report, store::import_meetings(&app.db, &batch).await?);
    }
    directory::changed(app).await?;
    Ok(report)
}

/// The rows of a feed file (a Meeting Guide JSON list, a BMLT GetSearchResults answer, or a CSV
/// in the plugin's layout), or what
/// the file looks like instead: a byte-order mark is skipped, and a web page, UTF-16 text, bad
/// JSON or an object instead of a list are named as such.
fn feed_rows_of(bytes: &[u8]) -> Result<Vec<Value>, AppError> {
    let refuse = |message: String| Err(AppError::field("file", message));
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || bytes.get(1) == Some(&0)
    {
        return refuse(
            "This file is UTF-16 text; please save it as UTF-8 (the Meeting Guide format's \
             encoding) and upload it again."
                .into(),
        );
    }
    let start = bytes.trim_ascii_start();
    if start.first() == Some(&b'<') {
        return refuse(
            "This file is a web page (HTML), not a Meeting Guide feed: it may be the page that \
             links to the feed rather than the feed itself, which is a JSON list of meetings."
                .into(),
        );
    }
    if !matches!(start.first(), Some(b'[' | b'{') | None) {
        return csv_layout::rows(bytes).map_err(|e| AppError::field("file", e.to_string()));
    }
    let document: Value = serde_json::from_slice(bytes).map_err(|e| {
        AppError::field(
            "file",
            format!(
                "This is not valid JSON (line {}, column {}).",
                e.line(),
                e.column()
            ),
        )
    })?;
    match document {
        // A BMLT root server's GetSearchResults answer, read meeting by meeting as feed rows.
        Value::Array(rows) if rows.first().is_some_and(bmlt::is_bmlt) => {
            Ok(rows.iter().map(bmlt::feed_row).collect())
        }
        Value::Array(rows) => Ok(rows),
        Value::Object(_) => refuse(
            "This is one JSON object; a Meeting Guide feed is a JSON list of meetings \
             ([{...}, {...}])."
                .into(),
        ),
        _ => refuse("A Meeting Guide feed is a JSON list of meetings ([{...}, {...}]).".into()),
    }
}

fn add(report: &mut ImportReport, counts: store::ImportCounts) {
    report.created += counts.created;
    report.updated += counts.updated;
}

/// The address a meeting's page has on this server.
pub fn meeting_url(app: &App, id: Uuid) -> String {
    format!(
        "{}/meetings/{id}",
        app.config.public_url.trim_end_matches('/')
    )
}

/// Meetings per page of the feed.
pub const FEED_PAGE: i64 = 5000;

/// The filter of a feed as asked for: a programme's code (which must exist) and a region.
pub async fn feed_filter(app: &App, program: &str, region: &str) -> Result<FeedFilter, AppError> {
    let program = program.trim().to_uppercase();
    if !program.is_empty()
        && !store::list_programs(&app.db)
            .await?
            .iter()
            .any(|p| p.code == program)
    {
        return Err(AppError::field(
            "program",
            format!("There is no programme with the code {program:?}."),
        ));
    }
    let given = |text: String| Some(text).filter(|t| !t.is_empty());
    Ok(FeedFilter {
        program: given(program),
        region: given(region.trim().to_owned()),
    })
}

/// One page of the feed's meetings, in id order after `after` (a full page means there may be
/// more).
pub async fn feed_rows(
    app: &App,
    after: Option<Uuid>,
    only: &FeedFilter,
) -> Result<Vec<FeedRow>, AppError> {
    Ok(store::list_feed_page(&app.db, after, FEED_PAGE, only).await?)
}

/// Feed rows as JSON array elements joined by commas (no brackets): each meeting's stored part
/// completed with its group, page address, update time and `approximate`, one row a day.
pub fn feed_chunk(app: &App, rows: &[FeedRow]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 600);
    for row in rows.iter().filter(|r| !r.feed_json.is_empty()) {
        if !out.is_empty() {
            out.push(b',');
        }
        let page = meeting_url(app, row.id);
        let feedback_url = format!("{page}/suggest");
        let url = if row.source_url.is_empty() {
            page
        } else {
            row.source_url.clone()
        };
        let completion = feed::Completion {
            group: (!row.group_implicit).then_some(row.group_name.as_str()),
            group_notes: &row.group_notes,
            url: &url,
            feedback_url: &feedback_url,
            program: &row.program_code,
            updated: mutual_domain::Timestamp(row.updated_at),
            // Where the source did not say: an address people go to is exact.
            approximate: row
                .approximate
                .is_none()
                .then(|| !Mode::parse(&row.mode).is_some_and(Mode::in_person)),
        };
        feed::with_group(&row.feed_json, &completion, &mut out);
    }
    out
}

/// A meeting left out of the feed, and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Omitted {
    pub slug: String,
    pub name: String,
    pub reason: &'static str,
    pub url: String,
}

/// The active meetings the feed leaves out because the format cannot express them.
pub async fn omitted(app: &App, only: &FeedFilter) -> Result<Vec<Omitted>, AppError> {
    Ok(store::list_inexpressible(&app.db, only)
        .await?
        .into_iter()
        .map(|(id, slug, name, kind)| Omitted {
            slug,
            name,
            reason: feed::inexpressible(&kind).unwrap_or_default(),
            url: meeting_url(app, id),
        })
        .collect())
}
