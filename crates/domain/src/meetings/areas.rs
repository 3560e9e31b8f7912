//! The directory's areas as a tree of at most three levels (region, sub-region, district): the
//! area a meeting's region, sub-region and district names lead to, the time zone it inherits,
//! the path text a search names an area by ("Chicago > Portage Park"), and the checks on a new
//! area.

use crate::local::Zone;
use uuid::Uuid;

/// The levels' names, from the top.
pub const LEVELS: [&str; 3] = ["region", "sub-region", "district"];

/// One area; `zone` is empty when it takes its parent's.
#[derive(Clone, Debug, PartialEq)]
pub struct Area {
    pub id: Uuid,
    pub parent: Option<Uuid>,
    pub name: String,
    pub zone: String,
}

/// Every area of the directory.
#[derive(Clone, Debug, Default)]
pub struct Areas {
    areas: Vec<Area>,
}

/// Longest area name.
const NAME_LIMIT: usize = 100;

impl Areas {
    pub fn new(areas: Vec<Area>) -> Areas {
        Areas { areas }
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// Adds an area (checked by [`Areas::check_new`]).
    pub fn add(&mut self, area: Area) {
        self.areas.push(area);
    }

    pub fn get(&self, id: Uuid) -> Option<&Area> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// The area and those above it, from the top.
    pub fn path(&self, id: Uuid) -> Vec<&Area> {
        let mut path = Vec::new();
        let mut at = self.get(id);
        while let Some(area) = at {
            path.push(area);
            // A parent chain is at most three long; this bounds a damaged one.
            if path.len() > LEVELS.len() {
                break;
            }
            at = area.parent.and_then(|p| self.get(p));
        }
        path.reverse();
        path
    }

    /// The area's names from the top: region, sub-region, district (empty below its level).
    pub fn names(&self, id: Uuid) -> [String; 3] {
        let mut names: [String; 3] = Default::default();
        for (slot, area) in names.iter_mut().zip(self.path(id)) {
            slot.clone_from(&area.name);
        }
        names
    }

    /// An area's path as a search names it: "Chicago > Portage Park".
    pub fn label(&self, id: Uuid) -> String {
        self.path(id)
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(" > ")
    }

    /// The child of `parent` (of the top level for `None`) called `name`.
    pub fn child(&self, parent: Option<Uuid>, name: &str) -> Option<&Area> {
        self.areas
            .iter()
            .find(|a| a.parent == parent && a.name == name)
    }

    /// The deepest area the names lead to, from the top ("Chicago", "Portage Park", ""), and
    /// how many of the given names that is (fewer than given when the tree has no such area).
    pub fn find(&self, names: &[&str]) -> (Option<&Area>, usize) {
        let mut found = None;
        let mut matched = 0;
        for name in names.iter().map(|n| n.trim()).take_while(|n| !n.is_empty()) {
            match self.child(found.map(|a: &Area| a.id), name) {
                Some(area) => {
                    found = Some(area);
                    matched += 1;
                }
                None => break,
            }
        }
        (found, matched)
    }

    /// The area a search names by its path text ("Chicago > Portage Park").
    pub fn by_label(&self, label: &str) -> Option<&Area> {
        let names: Vec<&str> = label.split('>').map(str::trim).collect();
        match self.find(&names) {
            (Some(area), matched) if matched == names.len() => Some(area),
            _ => None,
        }
    }

    /// The zone the area's meetings take when they name none: its own, else the nearest
    /// above it that has one.
    pub fn zone(&self, id: Uuid) -> Option<&str> {
        self.path(id)
            .into_iter()
            .rev()
            .map(|a| a.zone.as_str())
            .find(|z| !z.is_empty())
    }

    /// Every area in tree order (each followed by those under it, siblings by name), with its
    /// level (0 for a region).
    pub fn in_order(&self) -> Vec<(&Area, usize)> {
        let mut out = Vec::with_capacity(self.areas.len());
        self.push_children(None, 0, &mut out);
        out
    }

    fn push_children<'a>(
        &'a self,
        parent: Option<Uuid>,
        level: usize,
        out: &mut Vec<(&'a Area, usize)>,
    ) {
        if level >= LEVELS.len() {
            return;
        }
        let mut children: Vec<&Area> = self.areas.iter().filter(|a| a.parent == parent).collect();
        children.sort_by(|a, b| a.name.cmp(&b.name));
        for child in children {
            out.push((child, level));
            self.push_children(Some(child.id), level + 1, out);
        }
    }

    /// Checks a new area: a name (unique under its parent, without `>`), a parent that exists
    /// and is not a district, a zone we know or none. Errors are (field, message).
    pub fn check_new(
        &self,
        parent: Option<Uuid>,
        name: &str,
        zone: &str,
    ) -> Result<(), Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let name = name.trim();
        if name.is_empty() {
            errors.push(("name", "Give the area a name.".to_owned()));
        } else if name.chars().count() > NAME_LIMIT {
            errors.push((
                "name",
                format!("Please keep the name under {NAME_LIMIT} characters."),
            ));
        } else if name.contains('>') || name.chars().any(char::is_control) {
            errors.push((
                "name",
                "An area's name cannot hold \">\" (it separates the levels of a path).".to_owned(),
            ));
        } else if self.child(parent, name).is_some() {
            errors.push((
                "name",
                format!("There is already an area called \"{name}\" there."),
            ));
        }
        if let Some(parent) = parent {
            match self.get(parent) {
                None => errors.push(("parent", "That area no longer exists; reload the page.".to_owned())),
                Some(_) if self.path(parent).len() >= LEVELS.len() => errors.push((
                    "parent",
                    "A district is the smallest area: choose a region or a sub-region to put it under.".to_owned(),
                )),
                Some(_) => {}
            }
        }
        if !zone.trim().is_empty()
            && let Err(e) = Zone::parse(zone)
        {
            errors.push(("time_zone", e.to_string()));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(name: &str, parent: Option<&Area>, zone: &str) -> Area {
        Area {
            id: Uuid::now_v7(),
            parent: parent.map(|p| p.id),
            name: name.into(),
            zone: zone.into(),
        }
    }

    fn tree() -> (Areas, [Area; 4]) {
        let illinois = area("Illinois", None, "America/Chicago");
        let chicago = area("Chicago", Some(&illinois), "");
        let portage = area("Portage Park", Some(&chicago), "");
        let leeds = area("Leeds", None, "");
        let all = [illinois, chicago, portage, leeds];
        (Areas::new(all.to_vec()), all)
    }

    #[test]
    fn names_lead_down_the_tree_and_zones_come_from_above() {
        let (areas, [illinois, chicago, portage, leeds]) = tree();
        assert_eq!(
            areas.find(&["Illinois", "Chicago", "Portage Park"]),
            (Some(&portage), 3)
        );
        assert_eq!(
            areas.find(&["Illinois", "Springfield", ""]),
            (Some(&illinois), 1),
            "as far as the tree goes"
        );
        assert_eq!(areas.find(&["", "Chicago"]), (None, 0));
        assert_eq!(areas.zone(portage.id), Some("America/Chicago"));
        assert_eq!(areas.zone(leeds.id), None);
        assert_eq!(areas.label(portage.id), "Illinois > Chicago > Portage Park");
        assert_eq!(areas.by_label(" Illinois>Chicago "), Some(&chicago));
        assert_eq!(areas.by_label("Illinois > Nowhere"), None);
        assert_eq!(
            areas.names(chicago.id),
            ["Illinois".to_owned(), "Chicago".into(), String::new()]
        );
        let order: Vec<(&str, usize)> = areas
            .in_order()
            .iter()
            .map(|(a, l)| (a.name.as_str(), *l))
            .collect();
        assert_eq!(
            order,
            [
                ("Illinois", 0),
                ("Chicago", 1),
                ("Portage Park", 2),
                ("Leeds", 0)
            ]
        );
    }

    #[test]
    fn a_new_area_is_checked() {
        let (areas, [illinois, chicago, portage, _]) = tree();
        assert!(areas.check_new(Some(chicago.id), "Wicker Park", "").is_ok());
        let fields = |parent, name, zone| -> Vec<&'static str> {
            areas
                .check_new(parent, name, zone)
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|(f, _)| f)
                .collect()
        };
        assert_eq!(
            fields(Some(illinois.id), "Chicago", ""),
            ["name"],
            "taken under that parent"
        );
        assert!(
            areas.check_new(None, "Chicago", "").is_ok(),
            "a region may share a sub-region's name"
        );
        assert_eq!(fields(None, "  ", "Mars/Olympus"), ["name", "time_zone"]);
        assert_eq!(fields(None, "A > B", ""), ["name"]);
        assert_eq!(
            fields(Some(portage.id), "Block 7", ""),
            ["parent"],
            "no fourth level"
        );
        assert_eq!(fields(Some(Uuid::now_v7()), "X", ""), ["parent"]);
    }
}
