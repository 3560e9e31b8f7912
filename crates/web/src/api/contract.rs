//! The API's shared contract: the error envelope every operation answers with, and what each
//! documented operation gains from its route's access rule (security schemes, and the error
//! answers the middleware and extractors give before a handler runs), so no handler repeats them.

use axum::http::Method;
use mutual_app::AppError;
use mutual_domain::permissions::Access;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

/// The one error envelope: `{"error": {"code", "message"}}`, with `fields` for bad input.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

/// What went wrong, for a program (`code`) and for a person (`message`).
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code, such as `invalid`, `not_found` or `throttled`.
    #[schema(example = "invalid")]
    pub code: String,
    /// What happened and what to do, in plain words.
    #[schema(example = "label: Give the clock a name.")]
    pub message: String,
    /// With `invalid`: each field that needs attention.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldProblem>>,
}

/// One field that needs attention.
#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field's name as sent (`form` for the request as a whole).
    #[schema(example = "label")]
    pub field: String,
    #[schema(example = "Give the clock a name.")]
    pub message: String,
}

/// An instant as the API writes it (RFC 3339, UTC).
pub(crate) fn at(millis: i64) -> String {
    mutual_domain::Timestamp(millis).to_rfc3339()
}

/// Renames the fields of a use case's refusal to the names the API request uses (where the
/// use case, shared with the pages, names a field after the form).
pub(crate) fn renamed(error: AppError, names: &[(&str, &'static str)]) -> AppError {
    match error {
        AppError::Invalid(mut fields) => {
            for field in &mut fields {
                if let Some((_, to)) = names.iter().find(|(from, _)| field.field == *from) {
                    field.field = (*to).into();
                }
            }
            AppError::Invalid(fields)
        }
        other => other,
    }
}

/// A crisis line or service of the server's region (`app.crisis`), as the crisis notice after a
/// post and the Reach out answer show it.
#[derive(Serialize, ToSchema)]
pub(crate) struct CrisisResourceResponse {
    #[schema(example = "988 Suicide & Crisis Lifeline")]
    name: String,
    /// What it is for and when it is open.
    #[schema(
        example = "Free, confidential support for anyone in emotional distress. 24 hours, every day."
    )]
    description: String,
    /// A number to call; null when it takes no calls.
    #[schema(example = "988")]
    phone: Option<String>,
    /// A number to text; null when it takes no texts.
    #[schema(example = "988")]
    text: Option<String>,
    /// A web address; null for none.
    #[schema(example = "https://988lifeline.org")]
    url: Option<String>,
}

impl CrisisResourceResponse {
    /// The configured crisis resources.
    /// The lines for the viewer's country (chosen in settings, or suggested by their zone).
    pub(crate) fn for_viewer(
        app: &mutual_app::App,
        viewer: &mutual_app::accounts::Viewer,
    ) -> Vec<CrisisResourceResponse> {
        mutual_app::accounts::crisis_lines(app, Some(viewer), None)
            .resources
            .iter()
            .map(|r| CrisisResourceResponse {
                name: r.name.clone(),
                description: r.description.clone(),
                phone: r.phone.clone(),
                text: r.text.clone(),
                url: r.url.clone(),
            })
            .collect()
    }
}

/// Each operation of a path item, with its method.
pub(crate) fn operations_mut(item: &mut PathItem) -> Vec<(Method, &mut Operation)> {
    [
        (Method::GET, item.get.as_mut()),
        (Method::PUT, item.put.as_mut()),
        (Method::POST, item.post.as_mut()),
        (Method::DELETE, item.delete.as_mut()),
        (Method::PATCH, item.patch.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.map(|operation| (method, operation)))
    .collect()
}

/// Completes an operation from its route: who may call it (security), and the errors that
/// can come before its handler runs or from any handler of its kind.
pub(crate) fn complete(operation: &mut Operation, access: Access, path: &str) {
    let signed_in = || {
        vec![
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("cookie", Vec::<String>::new()),
        ]
    };
    operation.security.get_or_insert_with(|| match access {
        Access::Public => Vec::new(),
        // Signed in or not: the empty requirement makes the credentials optional.
        Access::Anyone => {
            let mut optional = vec![SecurityRequirement::default()];
            optional.extend(signed_in());
            optional
        }
        Access::Member | Access::Moderator | Access::Admin => signed_in(),
    });
    let has_body = operation.request_body.is_some();
    let needs_session = !matches!(access, Access::Public | Access::Anyone);
    let errors = [
        (
            "400",
            true,
            "The body is not valid JSON or is empty, or the address holds a control character",
        ),
        (
            "401",
            needs_session,
            "Not signed in: send a bearer token or the session cookie",
        ),
        (
            "403",
            needs_session,
            "Not allowed: suspended, waiting for approval, or not permitted",
        ),
        (
            "404",
            path.contains('{'),
            "Nothing here, or not yours to see (an id that is not one is not found either)",
        ),
        (
            "405",
            true,
            "This path does not take that method; Allow lists those it does",
        ),
        (
            "413",
            has_body,
            "The body is larger than the server accepts",
        ),
        (
            "414",
            true,
            "The address (path and query) is longer than the server accepts (8 KiB)",
        ),
        ("415", has_body, "The body is not application/json"),
        (
            "422",
            true,
            "A field is missing, of the wrong type, unknown, or breaks a rule",
        ),
        (
            "503",
            true,
            "The database is unavailable, or the request took too long",
        ),
    ];
    for (status, applies, description) in errors {
        if applies && !operation.responses.responses.contains_key(status) {
            operation
                .responses
                .responses
                .insert(status.to_owned(), error_response(description));
        }
    }
}

/// A response whose body is the error envelope.
pub(crate) fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Error")))
                .build(),
        )
        .build()
        .into()
}

/// The characters of the Basic Multilingual Plane that `keep` accepts, as the inside of a regex
/// character class (`\xNN` and `\uNNNN` escapes, which ECMA-262, Python and Rust read alike).
fn class_of(keep: impl Fn(char) -> bool) -> String {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for code in 0..=0xFFFF_u32 {
        match char::from_u32(code) {
            Some(c) if keep(c) => {}
            _ => continue,
        }
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == code => *end = code,
            _ => ranges.push((code, code)),
        }
    }
    let escape = |code: u32| {
        if code <= 0xFF {
            format!("\\x{code:02X}")
        } else {
            format!("\\u{code:04X}")
        }
    };
    ranges
        .iter()
        .map(|&(start, end)| {
            if start == end {
                escape(start)
            } else {
                format!("{}-{}", escape(start), escape(end))
            }
        })
        .collect()
}

/// One character the text rule (`mutual_domain::text::is_allowed`) allows, as a class.
fn text_char() -> String {
    format!("[^{}]", class_of(|c| !mutual_domain::text::is_allowed(c)))
}

/// One allowed white-space character (what `str::trim` takes away), as a class.
fn space_char() -> String {
    format!(
        "[{}]",
        class_of(|c| c.is_whitespace() && mutual_domain::text::is_allowed(c))
    )
}

/// One allowed character that is not white space, as a class.
fn visible_char() -> String {
    format!(
        "[^{}]",
        class_of(|c| c.is_whitespace() || !mutual_domain::text::is_allowed(c))
    )
}

/// The one text rule (`mutual_domain::text::is_allowed`) as a JSON Schema `pattern`, built from
/// the rule itself so the two cannot disagree: every string a client sends must match it.
pub(crate) fn text_pattern() -> String {
    format!("^{}*$", CLASSES.text)
}

/// The three classes, worked out once (each walks the Basic Multilingual Plane).
struct Classes {
    text: String,
    space: String,
    visible: String,
}

static CLASSES: std::sync::LazyLock<Classes> = std::sync::LazyLock::new(|| Classes {
    text: text_char(),
    space: space_char(),
    visible: visible_char(),
});

/// A field's own pattern, as written beside its field (`\s`, `\S`, `.`, unanchored), made exact
/// under the text rule: `\s` becomes the allowed white space, `\S` an allowed character that is
/// not white space, `.` any allowed character, and an unanchored pattern may be surrounded by
/// allowed text only. One pattern then says all the field takes, so a generator (schemathesis)
/// makes what it accepts instead of making strings and filtering them through a second pattern.
/// `\s` and `\S` inside a bracketed class are refused (a class cannot hold another class's
/// complement): such a pattern is written another way.
pub(crate) fn exact_pattern(own: &str) -> String {
    let Classes {
        text,
        space,
        visible,
    } = &*CLASSES;
    let mut out = String::with_capacity(own.len() * 8);
    let mut chars = own.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('s' | 'S') if in_class => {
                    panic!("pattern {own:?}: \\s or \\S inside [...] cannot be made exact")
                }
                Some('s') => out.push_str(space),
                Some('S') => out.push_str(visible),
                Some(escaped) => {
                    out.push('\\');
                    out.push(escaped);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '.' if !in_class => out.push_str(text),
            c => out.push(c),
        }
    }
    let body = out.strip_prefix('^').unwrap_or(&out);
    let body = body.strip_suffix('$').unwrap_or(body);
    let surround = |anchored: bool| {
        if anchored {
            String::new()
        } else {
            format!("{text}*")
        }
    };
    let (open, close) = (surround(out.starts_with('^')), surround(out.ends_with('$')));
    format!("^{open}(?:{body}){close}$")
}

/// Adds the text rule to every free-text string schema in `value` (a whole document): strings
/// with no `enum` and no machine format (ids, dates, times) get it as their pattern; a field with
/// a pattern of its own gets that pattern made exact under the rule ([`exact_pattern`]).
pub(crate) fn add_text_rule(value: &mut serde_json::Value, pattern: &str) {
    use serde_json::Value;
    match value {
        Value::Object(fields) => {
            let is_string = match fields.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                _ => false,
            };
            let machine_format = matches!(
                fields.get("format").and_then(Value::as_str),
                Some("uuid" | "date" | "date-time" | "time")
            );
            if is_string && !machine_format && !fields.contains_key("enum") {
                let exact = match fields.get("pattern") {
                    Some(Value::String(own)) => exact_pattern(own),
                    _ => pattern.to_owned(),
                };
                fields.insert("pattern".into(), Value::String(exact));
            }
            fields
                .values_mut()
                .for_each(|inner| add_text_rule(inner, pattern));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|inner| add_text_rule(inner, pattern)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_pattern_is_the_domain_rule() {
        assert_eq!(
            text_pattern(),
            "^[^\\x00-\\x08\\x0B-\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
        );
        let mut schema = serde_json::json!({ "properties": {
            "label": { "type": "string" },
            "note": { "type": ["string", "null"] },
            "id": { "type": "string", "format": "uuid" },
            "kind": { "type": "string", "enum": ["a"] },
            "said": { "type": "string", "pattern": "\\S" },
        }});
        add_text_rule(&mut schema, "P");
        assert_eq!(schema["properties"]["label"]["pattern"], "P");
        assert_eq!(schema["properties"]["note"]["pattern"], "P");
        assert!(schema["properties"]["id"].get("pattern").is_none());
        assert!(schema["properties"]["kind"].get("pattern").is_none());
        assert_eq!(
            schema["properties"]["said"]["pattern"],
            exact_pattern("\\S"),
            "a field's own pattern is made exact, not joined by a second one"
        );
        assert!(schema["properties"]["said"].get("allOf").is_none());
    }

    #[test]
    fn own_patterns_are_made_exact_under_the_text_rule() {
        let text = "[^\\x00-\\x08\\x0B-\\x0C\\x0E-\\x1F\\x7F-\\x9F]";
        let space = "[\\x09-\\x0A\\x0D\\x20\\xA0\\u1680\\u2000-\\u200A\\u2028-\\u2029\\u202F\\u205F\\u3000]";
        let visible =
            "[^\\x00-\\x20\\x7F-\\xA0\\u1680\\u2000-\\u200A\\u2028-\\u2029\\u202F\\u205F\\u3000]";
        assert_eq!(
            space_char(),
            space,
            "str::trim's white space, less control characters"
        );
        assert_eq!(visible_char(), visible);
        assert_eq!(
            exact_pattern("\\S"),
            format!("^{text}*(?:{visible}){text}*$"),
            "unanchored: allowed text around it"
        );
        assert_eq!(
            exact_pattern("^\\s*([01]?[0-9]|2[0-3]):[0-5][0-9]\\s*$"),
            format!("^(?:{space}*([01]?[0-9]|2[0-3]):[0-5][0-9]{space}*)$")
        );
        assert_eq!(
            exact_pattern("^(\\s*https?://.*)?$"),
            format!("^(?:({space}*https?://{text}*)?)$"),
            "a dot is any allowed character"
        );
        assert_eq!(
            exact_pattern("^[0-9+,*#() .-]*\\.?$"),
            "^(?:[0-9+,*#() .-]*\\.?)$",
            "a dot in a class and an escaped dot stay as they are"
        );
    }

    #[test]
    #[should_panic(expected = "cannot be made exact")]
    fn a_white_space_class_inside_brackets_is_refused() {
        exact_pattern("^[a\\s]*$");
    }
}
