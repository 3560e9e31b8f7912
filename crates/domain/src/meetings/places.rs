//! The directory's own places: the towns, areas and postcodes where meetings with a location
//! are listed, each at the middle of its meetings, so "near" takes a name a person knows
//! ("Evanston", "Portage Park", "60641") as well as coordinates. Nothing is looked up anywhere
//! else.

use super::geo::{Point, PointError};
use std::collections::HashMap;

/// What a meeting says about where it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlaceFacts<'a> {
    pub city: &'a str,
    pub state: &'a str,
    pub country: &'a str,
    pub region: &'a str,
    pub sub_region: &'a str,
    pub postal_code: &'a str,
}

/// A place, as the middle of the meetings there.
#[derive(Clone, Debug)]
struct Place {
    name: String,
    lat_sum: f64,
    lng_sum: f64,
    count: u32,
}

impl Place {
    fn point(&self) -> Point {
        let n = f64::from(self.count.max(1));
        Point {
            lat: self.lat_sum / n,
            lng: self.lng_sum / n,
        }
    }
}

/// Towns first, then areas, then postcodes: "Chicago" is the town even where an area has
/// that name too.
const TOWNS: usize = 0;
const AREAS: usize = 1;
const POSTCODES: usize = 2;

/// The places of the directory, by the names people type.
#[derive(Clone, Debug, Default)]
pub struct Places {
    kinds: [HashMap<String, Vec<Place>>; 3],
}

/// Why "near" named no one place.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PlaceError {
    #[error("{0}")]
    Point(#[from] PointError),
    #[error(
        "No meetings with a location are listed in a place called \"{given}\". Give a town, area or postcode where meetings are listed, or latitude,longitude.{}",
        suggest(.suggestions)
    )]
    Unknown {
        given: String,
        suggestions: Vec<String>,
    },
    #[error("More than one place here is called \"{given}\": {}. Type one of them.", .choices.join(" or "))]
    Ambiguous { given: String, choices: Vec<String> },
}

fn suggest(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!(" Places listed here include: {}.", names.join("; "))
    }
}

/// A name as it is looked up: lower case, commas as spaces, one space between words.
fn key(name: &str) -> String {
    name.to_lowercase()
        .replace(',', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a text is meant as coordinates ("41.9,-87.6"), not a name.
fn looks_like_coordinates(text: &str) -> bool {
    text.contains(',')
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || "+-., ".contains(c))
}

impl Places {
    /// Counts a meeting at `point` in each place it names.
    pub fn add(&mut self, facts: PlaceFacts<'_>, point: Point) {
        let mut put = |kind: usize, keys: &[&str], name: &str| {
            for key in keys.iter().map(|k| key(k)).filter(|k| !k.is_empty()) {
                let places = self.kinds[kind].entry(key).or_default();
                let place = match places.iter_mut().position(|p| p.name == name) {
                    Some(at) => &mut places[at],
                    None => {
                        places.push(Place {
                            name: name.to_owned(),
                            lat_sum: 0.0,
                            lng_sum: 0.0,
                            count: 0,
                        });
                        places.last_mut().expect("just pushed")
                    }
                };
                place.lat_sum += point.lat;
                place.lng_sum += point.lng;
                place.count += 1;
            }
        };
        if !facts.city.is_empty() {
            let within = [facts.state, facts.country]
                .into_iter()
                .find(|s| !s.is_empty());
            let name = match within {
                Some(within) => format!("{}, {within}", facts.city),
                None => facts.city.to_owned(),
            };
            put(TOWNS, &[facts.city, &name], &name);
        }
        for area in [facts.region, facts.sub_region] {
            put(AREAS, &[area], area);
        }
        put(POSTCODES, &[facts.postal_code], facts.postal_code);
    }

    /// Where `text` is: coordinates as given, or the one place of the directory with that name.
    pub fn locate(&self, text: &str) -> Result<Point, PlaceError> {
        let text = text.trim();
        if looks_like_coordinates(text) {
            return Ok(Point::parse(text)?);
        }
        let wanted = key(text);
        let found = [TOWNS, AREAS, POSTCODES]
            .iter()
            .find_map(|kind| self.kinds[*kind].get(&wanted));
        match found.map(Vec::as_slice) {
            Some([one]) => Ok(one.point()),
            Some(several) if !several.is_empty() => {
                let mut choices: Vec<String> = several.iter().map(|p| p.name.clone()).collect();
                choices.sort();
                Err(PlaceError::Ambiguous {
                    given: text.chars().take(60).collect(),
                    choices,
                })
            }
            _ => Err(PlaceError::Unknown {
                given: text.chars().take(60).collect(),
                suggestions: self.like(&wanted),
            }),
        }
    }

    /// Up to five place names that start like `wanted` (its first three letters).
    fn like(&self, wanted: &str) -> Vec<String> {
        let start: String = wanted.chars().take(3).collect();
        if start.is_empty() {
            return Vec::new();
        }
        let mut names: Vec<String> = self
            .kinds
            .iter()
            .flat_map(|kind| kind.iter())
            .filter(|(key, _)| key.starts_with(&start))
            .flat_map(|(_, places)| places.iter().map(|p| p.name.clone()))
            .collect();
        names.sort();
        names.dedup();
        names.truncate(5);
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Places {
        let mut places = Places::default();
        let town = |city, state, region, postal_code| PlaceFacts {
            city,
            state,
            region,
            postal_code,
            ..PlaceFacts::default()
        };
        places.add(
            town("Chicago", "IL", "Chicago", "60641"),
            Point::new(41.9, -87.7).unwrap(),
        );
        places.add(
            town("Chicago", "IL", "Chicago", "60614"),
            Point::new(41.7, -87.5).unwrap(),
        );
        places.add(
            town("Springfield", "IL", "", ""),
            Point::new(39.8, -89.6).unwrap(),
        );
        places.add(
            town("Springfield", "MA", "", ""),
            Point::new(42.1, -72.6).unwrap(),
        );
        places.add(
            PlaceFacts {
                city: "Zürich",
                country: "Switzerland",
                sub_region: "Altstadt",
                ..PlaceFacts::default()
            },
            Point::new(47.37, 8.54).unwrap(),
        );
        places
    }

    #[test]
    fn a_town_is_the_middle_of_its_meetings_whatever_the_case_or_commas() {
        let places = places();
        let chicago = places.locate("chicago").unwrap();
        assert!((chicago.lat - 41.8).abs() < 1e-9 && (chicago.lng + 87.6).abs() < 1e-9);
        assert_eq!(places.locate("  Chicago ,  il ").unwrap(), chicago);
        assert_eq!(
            places.locate("60641").unwrap(),
            Point::new(41.9, -87.7).unwrap()
        );
        assert_eq!(
            places.locate("ZÜRICH").unwrap(),
            places.locate("altstadt").unwrap()
        );
        assert_eq!(
            places.locate("41.88,-87.63").unwrap(),
            Point::new(41.88, -87.63).unwrap()
        );
    }

    #[test]
    fn a_name_that_is_unknown_or_ambiguous_says_what_there_is() {
        let places = places();
        let ambiguous = places.locate("Springfield").unwrap_err();
        assert_eq!(
            ambiguous.to_string(),
            "More than one place here is called \"Springfield\": Springfield, IL or Springfield, MA. Type one of them."
        );
        assert!(places.locate("springfield, ma").is_ok());
        let unknown = places.locate("Chicagoland").unwrap_err().to_string();
        assert!(
            unknown.contains("\"Chicagoland\"")
                && unknown.contains("include: Chicago; Chicago, IL."),
            "{unknown}"
        );
        assert_eq!(
            places.locate("200,1").unwrap_err(),
            PlaceError::Point(PointError::Latitude)
        );
    }
}
