//! The directory's areas: admins keep the tree (regions, sub-regions, districts, each with an
//! optional time zone), listings name one, imports add the areas their rows name, and a row
//! without a zone takes its area's.

use crate::{App, AppError};
use mutual_domain::local::Zone;
use mutual_domain::meetings::areas::{Area, Areas};
use mutual_domain::meetings::listing::Listing;
use mutual_store::StoreError;
use mutual_store::meetings::areas::{self as store, AreaRow};
use uuid::Uuid;

fn area_of(row: AreaRow) -> Area {
    Area {
        id: row.id,
        parent: row.parent_id,
        name: row.name,
        zone: row.time_zone,
    }
}

/// Every area of the directory.
pub async fn areas(app: &App) -> Result<Areas, AppError> {
    Ok(Areas::new(
        store::list_areas(&app.db)
            .await?
            .into_iter()
            .map(area_of)
            .collect(),
    ))
}

/// An area as the admin page lists it.
#[derive(Clone, Debug)]
pub struct AreaSummary {
    pub id: Uuid,
    pub name: String,
    /// The path a search names it by.
    pub label: String,
    /// 0 for a region, 1 for a sub-region, 2 for a district.
    pub level: usize,
    pub zone: String,
    /// The zone it takes from above when it has none of its own.
    pub inherited_zone: Option<String>,
    /// How many meetings are in it or in an area under it.
    pub meetings: i64,
    pub has_children: bool,
}

/// The tree in order, each area with its meetings counted.
pub async fn summaries(app: &App) -> Result<Vec<AreaSummary>, AppError> {
    let areas = areas(app).await?;
    let counts = store::count_meetings_by_area(&app.db).await?;
    let ordered = areas.in_order();
    Ok(ordered
        .iter()
        .map(|(area, level)| {
            let names = areas.names(area.id);
            let meetings = counts
                .iter()
                .filter(|(region, sub_region, district, _)| {
                    [region, sub_region, district]
                        .iter()
                        .zip(&names)
                        .all(|(theirs, wanted)| wanted.is_empty() || *theirs == wanted)
                })
                .map(|(.., count)| count)
                .sum();
            AreaSummary {
                id: area.id,
                name: area.name.clone(),
                label: areas.label(area.id),
                level: *level,
                zone: area.zone.clone(),
                inherited_zone: area.parent.and_then(|p| areas.zone(p)).map(str::to_owned),
                meetings,
                has_children: ordered.iter().any(|(a, _)| a.parent == Some(area.id)),
            }
        })
        .collect())
}

fn invalid(errors: Vec<(&'static str, String)>) -> AppError {
    AppError::Invalid(
        errors
            .into_iter()
            .map(|(field, message)| crate::FieldError::new(field, message))
            .collect(),
    )
}

/// Adds an area under `parent` (an area's id, or empty for a region).
pub async fn add_area(app: &App, parent: &str, name: &str, zone: &str) -> Result<Uuid, AppError> {
    let parent = match parent.trim() {
        "" => None,
        id => Some(
            Uuid::parse_str(id)
                .map_err(|_| AppError::field("parent", "Choose an area from the list."))?,
        ),
    };
    let areas = areas(app).await?;
    areas.check_new(parent, name, zone).map_err(invalid)?;
    insert(app, parent, name.trim(), zone).await
}

/// A zone as an area keeps it: its canonical name, or empty to take the parent's.
fn zone_name(zone: &str) -> Result<String, AppError> {
    match zone.trim() {
        "" => Ok(String::new()),
        given => Ok(Zone::parse(given)
            .map_err(|e| AppError::field("time_zone", e.to_string()))?
            .name()
            .to_owned()),
    }
}

async fn insert(app: &App, parent: Option<Uuid>, name: &str, zone: &str) -> Result<Uuid, AppError> {
    let zone = zone_name(zone)?;
    let row = AreaRow {
        id: Uuid::now_v7(),
        parent_id: parent,
        name: name.to_owned(),
        time_zone: zone,
        created_at: app.clock.now().millis(),
    };
    match store::insert_area(&app.db, &row).await {
        Ok(()) => {
            super::directory::changed(app).await?;
            Ok(row.id)
        }
        Err(StoreError::Conflict) => Err(AppError::field(
            "name",
            format!("There is already an area called \"{name}\" there."),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Gives an area its own time zone, or none (empty) so it takes its parent's.
pub async fn set_zone(app: &App, id: Uuid, zone: &str) -> Result<(), AppError> {
    let zone = zone_name(zone)?;
    if store::set_area_zone(&app.db, id, &zone).await? == 0 {
        return Err(AppError::NotFound);
    }
    super::directory::changed(app).await
}

/// Removes an area that has no areas under it and no meetings in it.
pub async fn remove_area(app: &App, id: Uuid) -> Result<(), AppError> {
    let summary = summaries(app)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(AppError::NotFound)?;
    if summary.has_children {
        return Err(AppError::field(
            "area",
            format!("{} has areas under it: remove those first.", summary.label),
        ));
    }
    if summary.meetings > 0 {
        return Err(AppError::field(
            "area",
            format!(
                "{} has {} meeting(s); move them to another area first.",
                summary.label, summary.meetings
            ),
        ));
    }
    store::delete_area(&app.db, id).await?;
    super::directory::changed(app).await
}

/// Refuses a listing whose area is not one of the directory's (unless it is the one the
/// listing already had, from before the areas were kept).
pub async fn check_listing(
    app: &App,
    listing: &Listing,
    before: Option<&Listing>,
) -> Result<(), AppError> {
    let label = listing.area_label();
    if label.is_empty() || before.is_some_and(|b| b.area_label() == label) {
        return Ok(());
    }
    if areas(app).await?.by_label(&label).is_none() {
        return Err(AppError::field(
            "area",
            format!(
                "There is no area \"{label}\"; choose one from the list (admins add areas on the directory's admin page)."
            ),
        ));
    }
    Ok(())
}

/// The areas while an import adds those its rows name.
pub struct ImportAreas {
    areas: Areas,
}

impl ImportAreas {
    pub async fn load(app: &App) -> Result<ImportAreas, AppError> {
        Ok(ImportAreas {
            areas: areas(app).await?,
        })
    }

    /// The area a row names by region, sub-region and district, added to the tree as far as
    /// it is missing (as the plugin's importer does); `None` for a row naming none. A name the
    /// tree cannot take (too long, holding ">") stops the path there.
    pub async fn ensure(&mut self, app: &App, names: [&str; 3]) -> Result<Option<Uuid>, AppError> {
        let mut parent: Option<Uuid> = None;
        for name in names.iter().map(|n| n.trim()).take_while(|n| !n.is_empty()) {
            if let Some(found) = self.areas.child(parent, name) {
                parent = Some(found.id);
                continue;
            }
            if self.areas.check_new(parent, name, "").is_err() {
                break;
            }
            let id = insert(app, parent, name, "").await?;
            self.areas.add(Area {
                id,
                parent,
                name: name.to_owned(),
                zone: String::new(),
            });
            parent = Some(id);
        }
        Ok(parent)
    }

    /// How many areas there are.
    pub fn count(&self) -> usize {
        self.areas.len()
    }

    /// The zone an area's meetings take when they name none.
    pub fn zone(&self, area: Uuid) -> Option<Zone> {
        self.areas.zone(area).and_then(|z| Zone::parse(z).ok())
    }
}
