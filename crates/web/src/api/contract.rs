//! The API's shared contract: the error envelope every operation answers with, and what each
//! documented operation gains from its route's access rule (security schemes, and the error
//! answers the middleware and extractors give before a handler runs), so no handler repeats them.

use axum::http::Method;
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
        ("400", has_body, "The body is not valid JSON, or is empty"),
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
