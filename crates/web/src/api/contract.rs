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
    pub(crate) fn configured(app: &mutual_app::App) -> Vec<CrisisResourceResponse> {
        app.config
            .crisis
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

/// The one text rule (`mutual_domain::text::is_allowed`) as a JSON Schema `pattern`, built from
/// the rule itself so the two cannot disagree: every string a client sends must match it.
pub(crate) fn text_pattern() -> String {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for code in 0..=0xFFFF_u32 {
        let Some(c) = char::from_u32(code) else {
            continue;
        };
        if mutual_domain::text::is_allowed(c) {
            continue;
        }
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == code => *end = code,
            _ => ranges.push((code, code)),
        }
    }
    let class: String = ranges
        .iter()
        .map(|&(start, end)| {
            if start == end {
                format!("\\x{start:02X}")
            } else {
                format!("\\x{start:02X}-\\x{end:02X}")
            }
        })
        .collect();
    format!("^[^{class}]*$")
}

/// Adds the text rule's pattern to every free-text string schema in `value` (a whole document):
/// strings with no `enum` and no machine format (ids, dates, times); beside a pattern of the
/// field's own, through `allOf`.
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
                let rule = serde_json::json!({ "pattern": pattern });
                if !fields.contains_key("pattern") {
                    fields.insert("pattern".into(), Value::String(pattern.to_owned()));
                } else if let Some(Value::Array(all)) = fields.get_mut("allOf") {
                    all.push(rule);
                } else {
                    // A schema has one pattern: the field's own stays, the text rule joins it.
                    fields.insert("allOf".into(), Value::Array(vec![rule]));
                }
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
        assert_eq!(schema["properties"]["said"]["pattern"], "\\S");
        assert_eq!(schema["properties"]["said"]["allOf"][0]["pattern"], "P");
    }
}
