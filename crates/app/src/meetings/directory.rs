//! The directory as searches read it: every active meeting with its group's attributes, held in
//! memory and rebuilt when the listings change. Changes through this server rebuild it on the
//! next search; other servers notice the stored version change within [`RECHECK`].

use super::{listing_of, split};
use crate::{App, AppError};
use mutual_domain::Timestamp;
use mutual_domain::local::Zone;
use mutual_domain::meetings::Schedule;
use mutual_domain::meetings::listing::{self, Status};
use mutual_domain::meetings::places::{PlaceFacts, Places};
use mutual_domain::meetings::search::{Directory, Entry, GroupFacts, Hit, Query};
use mutual_store::meetings::{self as store, ProgramRow};
use mutual_store::settings;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// How often a server asks the database whether another server changed the directory.
const RECHECK: Duration = Duration::from_secs(2);
const SETTING_VERSION: &str = "meetings.version";
pub(crate) const SETTING_PUBLIC: &str = "meetings.public";

/// An unfiltered search: the viewer's zone, the minute (since the epoch) and the limit.
type UnfilteredKey = (String, i64, usize);

/// One consistent view of the directory.
pub struct DirectorySnapshot {
    pub directory: Directory,
    /// Each entry's search-result facts as JSON, written the first time it is a result.
    facts_json: Vec<OnceLock<Box<[u8]>>>,
    /// Whether people who are not signed in may browse it.
    pub public: bool,
    pub programs: Vec<ProgramRow>,
    /// The towns, areas and postcodes of the meetings with a location, for "near".
    pub places: Places,
    /// The areas in tree order as (path, name indented by level), for the pages' choices.
    pub area_choices: Vec<(String, String)>,
    /// The answers to searches with no filters (the directory page as it opens), by zone,
    /// minute and limit: the same for everyone there and then, so worked out once a minute.
    unfiltered: Mutex<HashMap<UnfilteredKey, Arc<Vec<Hit>>>>,
    version: String,
}

impl DirectorySnapshot {
    /// Entry `index`'s facts as JSON, written by `write` the first time.
    pub(crate) fn facts_json(&self, index: usize, write: impl FnOnce() -> Vec<u8>) -> &[u8] {
        self.facts_json[index].get_or_init(|| write().into_boxed_slice())
    }

    /// Which state of the directory this is (it changes with every listing, group, programme,
    /// area or setting changed).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The programme with `code`.
    pub fn program(&self, code: &str) -> Option<&ProgramRow> {
        self.programs.iter().find(|p| p.code == code)
    }

    /// The directory's answer to `query` at `now`; one with no filters is worked out once a
    /// minute for each zone and limit.
    pub fn search(&self, query: &Query, now: Timestamp) -> Arc<Vec<Hit>> {
        if !query.is_unfiltered() {
            return Arc::new(self.directory.search(query, now));
        }
        let key = (
            query.viewer_zone.name().to_owned(),
            now.millis().div_euclid(60_000),
            query.limit,
        );
        if let Some(hits) = self
            .unfiltered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return hits.clone();
        }
        let hits = Arc::new(self.directory.search(query, now));
        let mut cache = self.unfiltered.lock().unwrap_or_else(|e| e.into_inner());
        // Earlier minutes are of no more use.
        cache.retain(|(_, minute, _), _| *minute == key.1);
        if cache.len() < 256 {
            cache.insert(key, hits.clone());
        }
        hits
    }
}

struct Current {
    snapshot: Arc<DirectorySnapshot>,
    checked: Option<Instant>,
}

/// The shared, rebuildable directory.
#[derive(Clone)]
pub(crate) struct DirectoryCache {
    current: Arc<RwLock<Current>>,
    rebuilding: Arc<tokio::sync::Mutex<()>>,
}

impl DirectoryCache {
    pub fn new() -> DirectoryCache {
        DirectoryCache {
            current: Arc::new(RwLock::new(Current {
                snapshot: Arc::new(DirectorySnapshot {
                    directory: Directory::default(),
                    facts_json: Vec::new(),
                    public: true,
                    programs: Vec::new(),
                    places: Places::default(),
                    area_choices: Vec::new(),
                    unfiltered: Mutex::default(),
                    version: String::new(),
                }),
                checked: None,
            })),
            rebuilding: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    fn fresh(&self) -> Option<Arc<DirectorySnapshot>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current
            .checked
            .filter(|at| at.elapsed() < RECHECK)
            .map(|_| current.snapshot.clone())
    }

    /// Makes the next read check the database.
    fn invalidate(&self) {
        self.current
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .checked = None;
    }
}

/// The directory, rebuilt first if the listings changed.
pub async fn snapshot(app: &App) -> Result<Arc<DirectorySnapshot>, AppError> {
    let cache = &app.directory;
    if let Some(snapshot) = cache.fresh() {
        return Ok(snapshot);
    }
    let _one_at_a_time = cache.rebuilding.lock().await;
    if let Some(snapshot) = cache.fresh() {
        return Ok(snapshot);
    }
    let version = settings::find_setting(&app.db, SETTING_VERSION)
        .await?
        .unwrap_or_else(|| "initial".into());
    let held = cache
        .current
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .snapshot
        .clone();
    let snapshot = if held.version == version {
        held
    } else {
        Arc::new(build(app, version).await?)
    };
    let mut current = cache.current.write().unwrap_or_else(|e| e.into_inner());
    current.snapshot = snapshot.clone();
    current.checked = Some(Instant::now());
    Ok(snapshot)
}

/// Records that listings, groups, programmes or the directory settings changed: every
/// server rebuilds its directory before its next search.
pub async fn changed(app: &App) -> Result<(), AppError> {
    settings::upsert_setting(
        &app.db,
        SETTING_VERSION,
        &uuid::Uuid::now_v7().to_string(),
        app.clock.now(),
    )
    .await?;
    app.directory.invalidate();
    Ok(())
}

/// Reads every active meeting, page by page, into a fresh directory.
async fn build(app: &App, version: String) -> Result<DirectorySnapshot, AppError> {
    let started = Instant::now();
    let programs = store::list_programs(&app.db).await?;
    let group_rows = store::list_groups(&app.db).await?;
    // A meeting that names no area is in its group's.
    let group_areas: HashMap<uuid::Uuid, [String; 3]> = group_rows
        .iter()
        .filter(|g| !g.area.is_empty())
        .filter_map(|g| Some((g.id, listing::parse_area(&g.area).ok()?)))
        .collect();
    let groups: HashMap<uuid::Uuid, Arc<GroupFacts>> = group_rows
        .into_iter()
        .map(|g| {
            let program = programs.iter().find(|p| p.code == g.program_code);
            let facts = GroupFacts {
                id: g.id,
                approach: program.map(|p| p.approach.clone()).unwrap_or_default(),
                program_name: program.map_or_else(|| "".into(), |p| p.name.as_str().into()),
                tags: split(&g.tags),
                audience: split(&g.audience),
                languages: split(&g.languages),
                accessibility: split(&g.accessibility),
                name: g.name.into(),
                program: g.program_code.into(),
                size: g.size,
                structure: g.structure,
                facilitation: g.facilitation,
            };
            (facts.id, Arc::new(facts))
        })
        .collect();
    let public = settings::find_setting(&app.db, SETTING_PUBLIC)
        .await?
        .is_none_or(|v| v != "false");
    let mut entries = Vec::new();
    let mut zones: HashMap<String, (Zone, Arc<str>)> = HashMap::new();
    // Many meetings share a place, a schedule in words or a list of types: keep one copy each.
    let mut texts: HashMap<String, Arc<str>> = HashMap::new();
    let mut share = |text: String| -> Arc<str> {
        texts
            .entry(text)
            .or_insert_with_key(|t| t.as_str().into())
            .clone()
    };
    let mut type_lists: HashMap<Vec<String>, Arc<[String]>> = HashMap::new();
    let mut places = Places::default();
    let mut after = None;
    loop {
        let page =
            store::list_meetings_page(&app.db, after, Some(Status::Active.as_str()), 5000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for row in &page {
            let Some(group) = groups.get(&row.group_id) else {
                continue;
            };
            let mut listing = listing_of(row)?;
            if listing.region.is_empty()
                && let Some([region, sub_region, district]) = group_areas.get(&row.group_id)
            {
                listing.region.clone_from(region);
                listing.sub_region.clone_from(sub_region);
                listing.district.clone_from(district);
            }
            let (zone, zone_name) = zones
                .entry(listing.zone.clone())
                .or_insert_with(|| {
                    let zone = Zone::parse(&listing.zone).unwrap_or_else(|_| Zone::utc());
                    let name = zone.name().into();
                    (zone, name)
                })
                .clone();
            if let Some(point) = listing.point {
                places.add(
                    PlaceFacts {
                        city: &listing.city,
                        state: &listing.state,
                        country: &listing.country,
                        region: &listing.region,
                        sub_region: &listing.sub_region,
                        postal_code: &listing.postal_code,
                    },
                    point,
                );
            }
            let program = programs.iter().find(|p| *p.code == *group.program);
            let haystack = [
                listing.name.as_str(),
                &group.name,
                listing.location.as_str(),
                &listing.address_line(),
                listing.city.as_str(),
                listing.region.as_str(),
                listing.sub_region.as_str(),
                listing.district.as_str(),
                program.map_or("", |p| p.name.as_str()),
                &group.program,
            ]
            .join(" ")
            .to_lowercase();
            entries.push(Entry {
                id: row.id,
                name: listing.name.as_str().into(),
                group: group.clone(),
                mode: listing.mode,
                types: type_lists
                    .entry(listing.types)
                    .or_insert_with_key(|t| t.as_slice().into())
                    .clone(),
                schedule_text: share(listing.recurrence.describe()),
                zone_name,
                schedule: Schedule {
                    zone,
                    start: listing.start,
                    end: listing.end,
                    recurrence: listing.recurrence,
                    cancelled: listing.cancelled,
                },
                point: listing.point,
                location: share(listing.location),
                city: share(listing.city),
                area: [
                    share(listing.region),
                    share(listing.sub_region),
                    share(listing.district),
                ],
                haystack,
            });
        }
    }
    tracing::info!(
        meetings = entries.len(),
        millis = started.elapsed().as_millis() as u64,
        "directory built"
    );
    let directory = Directory::new(entries);
    let tree = super::areas::areas(app).await?;
    let area_choices = tree
        .in_order()
        .into_iter()
        .map(|(area, level)| {
            (
                tree.label(area.id),
                format!("{}{}", "\u{2014} ".repeat(level), area.name),
            )
        })
        .collect();
    Ok(DirectorySnapshot {
        facts_json: (0..directory.entries.len())
            .map(|_| OnceLock::new())
            .collect(),
        directory,
        public,
        programs,
        places,
        area_choices,
        unfiltered: Mutex::default(),
        version,
    })
}
