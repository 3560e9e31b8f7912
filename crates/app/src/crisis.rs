//! Crisis lines by country: the lists shipped in `crisis/lines.json` (only countries with
//! well-established national lines, each with its sources), with the admin's own countries from
//! `app.crisis.countries` added or put in their place, and the server's country for anyone whose
//! country is not known. A country with no lines gets the general emergency note and
//! international directories. Admins keep their own countries on a page too ([`editing`]),
//! which go on top of both. Held in memory, so help shows with the database down; an admin's
//! change reaches every server over the bus.

pub mod editing;

use crate::config::{CrisisConfig, CrisisResource};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};

/// The crisis lines of one country.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountryLines {
    /// ISO 3166-1 alpha-2 ("GB"); empty for the lines shown anywhere else.
    pub code: String,
    /// As shown to people ("United Kingdom").
    pub name: String,
    pub resources: Vec<CrisisResource>,
    /// A closing note (which country the numbers are for, what else helps).
    pub note: String,
    /// Where the lines were taken from.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Time zones that suggest the country, for members who have not chosen one.
    #[serde(default)]
    pub zones: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipped {
    /// What the file is, for those who read it.
    #[serde(rename = "about")]
    _about: String,
    elsewhere: CountryLines,
    countries: Vec<CountryLines>,
}

/// Every country's lines, ready to show; each list shared, so that a page holds its viewer's for
/// the price of a pointer.
#[derive(Clone, Debug)]
pub struct CrisisLines {
    /// By name.
    countries: Vec<Arc<CountryLines>>,
    elsewhere: Arc<CountryLines>,
    /// The server's country, for people whose country is not known.
    default_country: String,
    /// The codes of the countries an admin set on the crisis lines page.
    own: Vec<String>,
}

/// The crisis lines in force, replaced whole when an admin changes their countries.
#[derive(Debug)]
pub struct Current(RwLock<Arc<CrisisLines>>);

impl Current {
    pub fn new(lines: CrisisLines) -> Current {
        Current(RwLock::new(Arc::new(lines)))
    }

    /// The lines in force now.
    pub fn now(&self) -> Arc<CrisisLines> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn replace(&self, lines: CrisisLines) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(lines);
    }
}

impl CrisisLines {
    /// The shipped lists with the configured countries on top; refused with a message when a
    /// configured country or the server's country is not a two-letter code or lists no line.
    pub fn new(config: &CrisisConfig) -> Result<CrisisLines, String> {
        CrisisLines::with_own(config, &[])
    }

    /// [`CrisisLines::new`] with an admin's own countries on top of the configured ones.
    pub fn with_own(config: &CrisisConfig, own: &[CountryLines]) -> Result<CrisisLines, String> {
        let shipped: Shipped = serde_json::from_str(include_str!("crisis/lines.json"))
            .map_err(|e| format!("the shipped crisis lines cannot be read: {e}"))?;
        let mut countries = shipped.countries;
        for own in config.countries.iter().chain(own) {
            let code = own.code.trim().to_ascii_uppercase();
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(format!(
                    "app.crisis.countries: {:?} is not a two-letter country code (ISO 3166-1, such as \"GB\")",
                    own.code
                ));
            }
            if own.resources.is_empty() {
                return Err(format!("app.crisis.countries: {code} lists no crisis line"));
            }
            countries.retain(|c| c.code != code);
            countries.push(CountryLines {
                code,
                ..own.clone()
            });
        }
        countries.sort_by(|a, b| a.name.cmp(&b.name));
        let countries: Vec<Arc<CountryLines>> = countries.into_iter().map(Arc::new).collect();
        let default_country = config.country.trim().to_ascii_uppercase();
        if !default_country.is_empty() && !countries.iter().any(|c| c.code == default_country) {
            return Err(format!(
                "app.crisis.country {:?} has no crisis lines: add it to app.crisis.countries, or \
                 leave it empty to show the international directories",
                config.country
            ));
        }
        Ok(CrisisLines {
            countries,
            elsewhere: Arc::new(shipped.elsewhere),
            default_country,
            own: own
                .iter()
                .map(|c| c.code.trim().to_ascii_uppercase())
                .collect(),
        })
    }

    /// The lines for `country` (a code, any case), or the server's country when none is given;
    /// the international directories for a country with no lines.
    pub fn for_country(&self, country: Option<&str>) -> &Arc<CountryLines> {
        let code = country
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or(&self.default_country);
        self.known(code).unwrap_or(&self.elsewhere)
    }

    /// The country with this code (any case), if it has lines.
    pub fn known(&self, code: &str) -> Option<&Arc<CountryLines>> {
        self.countries
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
    }

    /// Whether an admin set this country's lines on the crisis lines page.
    pub fn is_own(&self, code: &str) -> bool {
        self.own.iter().any(|own| own.eq_ignore_ascii_case(code))
    }

    /// Every country with lines, by name.
    pub fn countries(&self) -> &[Arc<CountryLines>] {
        &self.countries
    }

    /// The lines for a person: the country they picked on `/help` (a code, or anything else
    /// for "somewhere else"), else the one in their settings, else the one their time zone
    /// suggests, else the server's.
    pub fn for_person(
        &self,
        picked: Option<&str>,
        chosen: Option<&str>,
        zone: Option<&str>,
    ) -> &Arc<CountryLines> {
        if let Some(code) = given(picked).or(given(chosen)) {
            return self.known(code).unwrap_or(&self.elsewhere);
        }
        zone.and_then(|zone| self.suggested_by_zone(zone))
            .unwrap_or_else(|| self.for_country(None))
    }

    /// The country a time zone suggests, if it is one with lines.
    pub fn suggested_by_zone(&self, zone: &str) -> Option<&Arc<CountryLines>> {
        self.countries
            .iter()
            .find(|c| c.zones.iter().any(|z| z == zone))
    }
}

/// A code that was given: not absent, not blank.
fn given(code: Option<&str>) -> Option<&str> {
    code.map(str::trim).filter(|c| !c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_country_names_its_sources_and_an_emergency_number() {
        let lines = CrisisLines::new(&CrisisConfig::default()).unwrap();
        assert!(lines.countries().len() >= 10);
        for country in lines.countries() {
            assert_eq!(country.code.len(), 2, "{}", country.name);
            assert!(!country.sources.is_empty(), "{}: no source", country.name);
            assert!(
                country.resources.iter().any(|r| r.phone.is_some()),
                "{}: no number to call",
                country.name
            );
            assert!(
                !country.zones.is_empty(),
                "{}: no zone suggests it",
                country.name
            );
            for zone in &country.zones {
                assert!(mutual_domain::local::Zone::parse(zone).is_ok(), "{zone}");
            }
        }
    }

    #[test]
    fn a_country_is_found_by_code_or_zone_and_anywhere_else_gets_the_directories() {
        let lines = CrisisLines::new(&CrisisConfig::default()).unwrap();
        assert_eq!(
            lines.for_country(None).code,
            "US",
            "the server's country by default"
        );
        assert_eq!(lines.for_country(Some("gb")).name, "United Kingdom");
        let elsewhere = lines.for_country(Some("BR"));
        assert_eq!(elsewhere.code, "");
        assert!(
            elsewhere
                .resources
                .iter()
                .any(|r| r.name == "Find A Helpline")
        );
        assert!(elsewhere.note.contains("local emergency number"));
        assert_eq!(lines.suggested_by_zone("Europe/London").unwrap().code, "GB");
        assert!(lines.suggested_by_zone("America/Sao_Paulo").is_none());
        let london = Some("Europe/London");
        assert_eq!(
            lines.for_person(None, None, london).code,
            "GB",
            "the zone suggests"
        );
        assert_eq!(
            lines.for_person(None, Some("IE"), london).code,
            "IE",
            "the setting wins"
        );
        assert_eq!(
            lines.for_person(Some("AU"), Some("IE"), london).code,
            "AU",
            "the pick wins"
        );
        assert_eq!(
            lines.for_person(Some("elsewhere"), None, london).code,
            "",
            "somewhere else"
        );
        assert_eq!(
            lines.for_person(None, None, Some("Asia/Tokyo")).code,
            "US",
            "the server's"
        );
    }

    #[test]
    fn an_admin_adds_or_replaces_a_country_and_bad_ones_are_refused() {
        let own = CountryLines {
            code: "br".into(),
            name: "Brasil".into(),
            resources: vec![CrisisResource {
                name: "CVV".into(),
                description: "Centro de Valorização da Vida, 24 horas.".into(),
                phone: Some("188".into()),
                text: None,
                url: Some("https://cvv.org.br".into()),
            }],
            note: String::new(),
            sources: vec!["https://cvv.org.br".into()],
            zones: vec!["America/Sao_Paulo".into()],
        };
        let config = CrisisConfig {
            country: "BR".into(),
            countries: vec![own.clone()],
        };
        let lines = CrisisLines::new(&config).unwrap();
        assert_eq!(
            lines.for_country(None).resources[0].phone.as_deref(),
            Some("188")
        );
        assert_eq!(
            lines.suggested_by_zone("America/Sao_Paulo").unwrap().code,
            "BR"
        );
        let replaced = CrisisConfig {
            country: "US".into(),
            countries: vec![CountryLines {
                code: "US".into(),
                ..own.clone()
            }],
        };
        assert_eq!(
            CrisisLines::new(&replaced)
                .unwrap()
                .for_country(Some("US"))
                .name,
            "Brasil"
        );
        let bad = CrisisConfig {
            country: "US".into(),
            countries: vec![CountryLines {
                code: "Brazil".into(),
                ..own.clone()
            }],
        };
        assert!(CrisisLines::new(&bad).unwrap_err().contains("two-letter"));
        let unknown = CrisisConfig {
            country: "ZZ".into(),
            countries: Vec::new(),
        };
        assert!(
            CrisisLines::new(&unknown)
                .unwrap_err()
                .contains("has no crisis lines")
        );
        let none = CrisisConfig {
            country: String::new(),
            countries: Vec::new(),
        };
        assert_eq!(CrisisLines::new(&none).unwrap().for_country(None).code, "");
    }
}
