//! The admins' own crisis lines: a country's lines set on a page (added to the shipped and
//! configured ones, or in their place), checked, kept as one setting, and loaded into memory on
//! every server.

use super::{CountryLines, CrisisLines};
use crate::accounts::Viewer;
use crate::bus::{self, Change};
use crate::config::CrisisResource;
use crate::{App, AppError, FieldError};
use mutual_domain::permissions::Role;

/// The setting that holds the admins' countries, as JSON.
const SETTING: &str = "crisis_countries";
/// At most this many lines for one country.
const MAX_LINES: usize = 12;

/// A country's lines as the admin's form gives them.
#[derive(Clone, Debug, Default)]
pub struct CountryInput {
    pub code: String,
    pub name: String,
    /// One line each: `name | what it is for | phone | text | web address`.
    pub lines: String,
    pub note: String,
    /// One source a line.
    pub sources: String,
    /// Time zones that suggest the country, one a line or comma-separated.
    pub zones: String,
}

impl CountryInput {
    /// The form's fields, by name.
    pub const FIELDS: [&str; 6] = ["code", "name", "lines", "note", "sources", "zones"];

    /// The input from a form's fields (`get` answers "" for an absent one).
    pub fn from_fields<'a>(get: impl Fn(&str) -> &'a str) -> CountryInput {
        CountryInput {
            code: get("code").to_owned(),
            name: get("name").to_owned(),
            lines: get("lines").to_owned(),
            note: get("note").to_owned(),
            sources: get("sources").to_owned(),
            zones: get("zones").to_owned(),
        }
    }

    /// Each field's name with its value, in [`CountryInput::FIELDS`]' order.
    pub fn fields(&self) -> [(&'static str, &str); 6] {
        let values = [
            &self.code,
            &self.name,
            &self.lines,
            &self.note,
            &self.sources,
            &self.zones,
        ];
        let mut fields = [("", ""); 6];
        for (slot, (name, value)) in fields.iter_mut().zip(Self::FIELDS.iter().zip(values)) {
            *slot = (name, value.as_str());
        }
        fields
    }

    /// The form filled in from a country's lines in force, to edit.
    pub fn of(country: &CountryLines) -> CountryInput {
        CountryInput {
            code: country.code.clone(),
            name: country.name.clone(),
            lines: country
                .resources
                .iter()
                .map(|r| {
                    let part = |p: &Option<String>| p.clone().unwrap_or_default();
                    format!(
                        "{} | {} | {} | {} | {}",
                        r.name,
                        r.description,
                        part(&r.phone),
                        part(&r.text),
                        part(&r.url)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            note: country.note.clone(),
            sources: country.sources.join("\n"),
            zones: country.zones.join("\n"),
        }
    }
}

/// The admins' countries as stored (none until one is saved).
async fn stored(app: &App) -> Result<Vec<CountryLines>, AppError> {
    let Some(text) = mutual_store::settings::find_setting(&app.db, SETTING).await? else {
        return Ok(Vec::new());
    };
    serde_json::from_str(&text)
        .map_err(|e| AppError::Internal(format!("the stored crisis countries cannot be read: {e}")))
}

/// Loads the admins' countries into memory on top of the shipped and configured ones (at
/// start-up and when an admin on any server changes them). The lines in force stay as they
/// are if the database cannot be read.
pub async fn load(app: &App) {
    let built = stored(app).await.and_then(|own| {
        CrisisLines::with_own(&app.config.crisis, &own).map_err(AppError::Internal)
    });
    match built {
        Ok(lines) => app.crisis.replace(lines),
        Err(error) => tracing::warn!(%error, "the admins' crisis lines were not loaded"),
    }
}

fn ensure_admin(viewer: &Viewer) -> Result<(), AppError> {
    if viewer.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Text of at most `max` characters, trimmed; `what` names it in the message.
fn within(field: &'static str, text: &str, max: usize, what: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("Keep {what} under {max} characters."),
        ));
    }
    Ok(text.to_owned())
}

/// One line of the lines field: `name | what it is for | phone | text | web address`.
fn parse_line(number: usize, line: &str) -> Result<CrisisResource, String> {
    let parts: Vec<&str> = line.split('|').map(str::trim).collect();
    let at = format!("Line {number}");
    if parts.len() > 5 {
        return Err(format!(
            "{at} has more than five parts: name | what it is for | phone | text | web address."
        ));
    }
    let part = |i: usize| parts.get(i).copied().unwrap_or("");
    let optional = |i: usize| Some(part(i).to_owned()).filter(|p| !p.is_empty());
    let (name, description) = (part(0), part(1));
    if name.is_empty() || name.chars().count() > 100 {
        return Err(format!(
            "{at} needs a name (under 100 characters) before the first |."
        ));
    }
    if description.chars().count() > 300 {
        return Err(format!("{at}: keep what it is for under 300 characters."));
    }
    for (i, what) in [(2, "phone number"), (3, "number to text")] {
        let number = part(i);
        if number.chars().count() > 30
            || !number
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()".contains(c))
        {
            return Err(format!(
                "{at}: the {what} may hold only digits, spaces, +, - and brackets."
            ));
        }
    }
    let url = part(4);
    if !url.is_empty()
        && (url.chars().count() > 200
            || !(url.starts_with("https://") || url.starts_with("http://"))
            || url.contains(char::is_whitespace))
    {
        return Err(format!(
            "{at}: the web address starts with https:// (under 200 characters, no spaces)."
        ));
    }
    let resource = CrisisResource {
        name: name.to_owned(),
        description: description.to_owned(),
        phone: optional(2),
        text: optional(3),
        url: optional(4),
    };
    if resource.phone.is_none() && resource.text.is_none() && resource.url.is_none() {
        return Err(format!(
            "{at} needs a way to reach it: a phone number, a number to text or a web address."
        ));
    }
    Ok(resource)
}

/// Checks the form into a country's lines, every problem named at once.
pub fn parse_country(input: &CountryInput) -> Result<CountryLines, AppError> {
    let mut errors = Vec::new();
    let code = input.code.trim().to_ascii_uppercase();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.push(FieldError::new(
            "code",
            "Give the country's two-letter code (ISO 3166-1, such as GB or BR).",
        ));
    }
    let name = match within("name", &input.name, 80, "the name") {
        Ok(name) if name.is_empty() => {
            errors.push(FieldError::new(
                "name",
                "Give the country's name, as people say it.",
            ));
            name
        }
        Ok(name) => name,
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    let given: Vec<&str> = input
        .lines
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut resources = Vec::new();
    if given.is_empty() {
        errors.push(FieldError::new("lines", "List at least one crisis line."));
    } else if given.len() > MAX_LINES {
        errors.push(FieldError::new(
            "lines",
            format!("List at most {MAX_LINES} lines: the ones people should call first."),
        ));
    } else {
        match given
            .iter()
            .enumerate()
            .map(|(i, line)| parse_line(i + 1, line))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(parsed) => resources = parsed,
            Err(problem) => errors.push(FieldError::new("lines", problem)),
        }
    }
    let note = within("note", &input.note, 500, "the note").unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    });
    let sources: Vec<String> = input
        .sources
        .lines()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if sources.is_empty() || sources.len() > 5 || sources.iter().any(|s| s.chars().count() > 200) {
        errors.push(FieldError::new(
            "sources",
            "Name where the numbers come from (one to five sources, each under 200 characters), so the next admin can check them.",
        ));
    }
    let zones: Vec<String> = input
        .zones
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|z| !z.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(unknown) = zones
        .iter()
        .find(|z| mutual_domain::local::Zone::parse(z).is_err())
    {
        errors.push(FieldError::new(
            "zones",
            format!("{unknown:?} is not a time zone: write them as Europe/London, one a line."),
        ));
    } else if zones.len() > 20 {
        errors.push(FieldError::new("zones", "List at most 20 time zones."));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(CountryLines {
        code,
        name,
        resources,
        note,
        sources,
        zones,
    })
}

/// Sets a country's lines (admins): added, or in place of the shipped or configured ones.
/// Every server shows them from here on.
pub async fn save_country(
    app: &App,
    viewer: &Viewer,
    input: &CountryInput,
) -> Result<(), AppError> {
    ensure_admin(viewer)?;
    let country = parse_country(input)?;
    let mut own = stored(app).await?;
    own.retain(|c| c.code != country.code);
    own.push(country);
    keep(app, &own).await
}

/// Removes a country an admin set (its shipped or configured lines, if any, show again).
pub async fn remove_country(app: &App, viewer: &Viewer, code: &str) -> Result<(), AppError> {
    ensure_admin(viewer)?;
    let mut own = stored(app).await?;
    let before = own.len();
    own.retain(|c| !c.code.eq_ignore_ascii_case(code.trim()));
    if own.len() == before {
        return Err(AppError::NotFound);
    }
    keep(app, &own).await
}

async fn keep(app: &App, own: &[CountryLines]) -> Result<(), AppError> {
    let lines = CrisisLines::with_own(&app.config.crisis, own).map_err(AppError::Internal)?;
    let json = serde_json::to_string(own).map_err(|e| AppError::Internal(e.to_string()))?;
    mutual_store::settings::upsert_setting(&app.db, SETTING, &json, app.clock.now()).await?;
    app.crisis.replace(lines);
    bus::changed(app, Change::CrisisLines).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(lines: &str) -> CountryInput {
        CountryInput {
            code: "br".into(),
            name: "Brasil".into(),
            lines: lines.into(),
            note: String::new(),
            sources: "https://cvv.org.br".into(),
            zones: "America/Sao_Paulo".into(),
        }
    }

    #[test]
    fn a_country_reads_from_the_form_and_back() {
        let country = parse_country(&input(
            "CVV | Centro de Valorização da Vida, 24 horas | 188 | | https://cvv.org.br\nSAMU | Emergências | 192",
        ))
        .unwrap();
        assert_eq!(country.code, "BR");
        assert_eq!(country.resources.len(), 2);
        assert_eq!(country.resources[0].phone.as_deref(), Some("188"));
        assert_eq!(country.resources[0].text, None);
        assert_eq!(country.resources[1].url, None);
        let again = parse_country(&CountryInput::of(&country)).unwrap();
        assert_eq!(again.resources[0].url, country.resources[0].url);
        assert_eq!(again.zones, ["America/Sao_Paulo"]);
    }

    #[test]
    fn bad_input_names_each_problem() {
        let problems = |input: &CountryInput| match parse_country(input) {
            Err(AppError::Invalid(errors)) => errors
                .into_iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let found = problems(&CountryInput {
            code: "Brazil".into(),
            name: "x".repeat(81),
            sources: String::new(),
            zones: "Mars/Olympus".into(),
            ..input("CVV | only words")
        });
        for field in ["code", "name", "lines", "sources", "zones"] {
            assert!(
                found.iter().any(|p| p.starts_with(field)),
                "{field}: {found:?}"
            );
        }
        assert!(
            problems(&input(""))
                .iter()
                .any(|p| p.contains("at least one"))
        );
        assert!(
            problems(&input("CVV | | call me"))
                .iter()
                .any(|p| p.contains("only digits"))
        );
        assert!(
            problems(&input("CVV | | | | cvv.org.br"))
                .iter()
                .any(|p| p.contains("https://"))
        );
        assert!(
            problems(&input("a|b|1|2|https://x|extra"))
                .iter()
                .any(|p| p.contains("five parts"))
        );
        assert!(
            problems(&input(" | | 188"))
                .iter()
                .any(|p| p.contains("needs a name"))
        );
        let many = vec!["CVV | | 188"; MAX_LINES + 1].join("\n");
        assert!(
            problems(&input(&many))
                .iter()
                .any(|p| p.contains("at most"))
        );
    }
}
