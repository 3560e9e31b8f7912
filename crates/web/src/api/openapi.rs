//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`: generated from
//! the routes' `#[utoipa::path]` declarations and their named types, completed with what is
//! shared (info, security schemes, the error envelope, the text rule, links). A test checks that
//! it lists every API route the router serves, and nothing else.

use crate::AppState;
use crate::api::contract::ErrorResponse;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use mutual_domain::permissions::Access;
use serde_json::{Value, json};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, ServerBuilder};
use utoipa::{PartialSchema, ToSchema};

/// The served document: the generated operations, their schemas and the shared parts (info,
/// security schemes, the error envelope), with the hand-written operations merged in.
fn document(generated: OpenApi) -> Value {
    let mut generated = generated;
    generated.info = InfoBuilder::new()
        .title("Mutual API")
        .version("1")
        .description(Some(
            "The JSON API of a Mutual peer-support server. Errors use one envelope: \
             {\"error\": {\"code\", \"message\"}}. Unknown fields in request bodies are refused. \
             Times are RFC 3339, dates YYYY-MM-DD.",
        ))
        .build();
    generated.servers = Some(vec![ServerBuilder::new().url("/").build()]);
    let components = generated
        .components
        .get_or_insert_with(|| ComponentsBuilder::new().build());
    components
        .schemas
        .insert(ErrorResponse::name().into_owned(), ErrorResponse::schema());
    components.security_schemes.insert(
        "bearer".into(),
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()).into(),
    );
    components.security_schemes.insert(
        "cookie".into(),
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "mutual_session",
            "The browser session (named __Host-mutual_session when the server runs on https)",
        )))
        .into(),
    );
    let mut document = serde_json::to_value(&generated).unwrap_or_else(|_| json!({}));
    crate::api::contract::add_text_rule(&mut document, &crate::api::contract::text_pattern());
    add_links(&mut document);
    document
}

/// Create-then-use, as OpenAPI links: the operation whose answer (status) holds a field (a JSON
/// pointer into the body) that another operation takes as its path parameter `id`, so that a
/// client, or a stateful tester, can follow from one to the other.
const LINKS: &[(&str, &str, &str, &str)] = &[
    ("create_clock", "201", "/id", "update_clock"),
    ("create_clock", "201", "/id", "reset_clock"),
    ("create_clock", "201", "/id", "share_milestone"),
    ("create_clock", "201", "/id", "delete_clock"),
    ("create_group", "201", "/id", "show_group"),
    ("create_group", "201", "/id", "update_group"),
    ("create_group", "201", "/id", "create_meeting"),
    ("create_meeting", "201", "/id", "show_meeting"),
    ("create_meeting", "201", "/id", "update_meeting"),
    ("create_meeting", "201", "/id", "show_history"),
    ("create_meeting", "201", "/id", "suggest_change"),
    ("create_meeting", "201", "/id", "save_meeting"),
    ("log_attendance", "201", "/id", "delete_attendance"),
    ("create_thread", "201", "/thread_id", "show_thread"),
    ("create_thread", "201", "/thread_id", "create_reply"),
    ("create_thread", "201", "/post_id", "flag_post"),
    ("create_thread", "201", "/post_id", "react"),
    ("create_reply", "201", "/post_id", "flag_post"),
    ("create_reply", "201", "/post_id", "react"),
    ("start_conversation", "201", "/id", "show_conversation"),
    ("start_conversation", "201", "/id", "send_message"),
    ("create_circle", "201", "/id", "show_circle"),
    ("create_circle", "201", "/id", "invite"),
    ("create_circle", "201", "/id", "update_sharing"),
    ("create_circle", "201", "/id", "write_note"),
    ("reach_out", "201", "/id", "show_alert"),
    ("reach_out", "201", "/id", "reply_to_alert"),
];

/// Each operation's (path, method) by its operation id.
fn operations_by_id(document: &Value) -> std::collections::HashMap<String, (String, String)> {
    let mut found = std::collections::HashMap::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if let Some(id) = operation["operationId"].as_str() {
                found.insert(id.to_owned(), (path.clone(), method.clone()));
            }
        }
    }
    found
}

/// Adds [`LINKS`] to the answers they start from (only where both operations are documented).
fn add_links(document: &mut Value) {
    let operations = operations_by_id(document);
    for (from, status, pointer, to) in LINKS {
        let (Some((path, method)), Some(_)) = (operations.get(*from), operations.get(*to)) else {
            continue;
        };
        let response = &mut document["paths"][path][method]["responses"][*status];
        if !response.is_object() {
            continue;
        }
        response["links"][*to] = json!({
            "operationId": to,
            "parameters": { "id": format!("$response.body#{pointer}") },
        });
    }
}

/// The served document as bytes, made once at start-up.
pub(crate) fn serialise(generated: OpenApi) -> Bytes {
    Bytes::from(serde_json::to_vec(&document(generated)).unwrap_or_default())
}

/// The document as a client sees it at `/api/v1/openapi.json` (for `mutual openapi`).
pub fn served() -> Value {
    document(crate::routes::build().openapi)
}

/// The API reference for the README: one line per operation, with who may call it and the
/// operation's summary, in path order. A test keeps the README's copy equal to it.
pub fn reference_markdown() -> String {
    let built = crate::routes::build();
    let document = document(built.openapi);
    let mut lines = vec![
        "| method | path | who | what |".to_owned(),
        "|---|---|---|---|".to_owned(),
    ];
    let mut routes: Vec<_> = built
        .table
        .routes()
        .iter()
        .filter(|route| route.path.starts_with("/api/"))
        .collect();
    routes.sort_by(|a, b| (&a.path, a.method.as_str()).cmp(&(&b.path, b.method.as_str())));
    for route in routes {
        let method = route.method.as_str().to_lowercase();
        let summary = document["paths"][&route.path][&method]["summary"]
            .as_str()
            .unwrap_or("")
            .replace('|', "\\|");
        let who = match route.access {
            Access::Public | Access::Anyone => "anyone",
            Access::Member => "member",
            Access::Moderator => "moderator",
            Access::Admin => "admin",
        };
        lines.push(format!(
            "| {} | `{}` | {who} | {summary} |",
            route.method, route.path
        ));
    }
    lines.join("\n") + "\n"
}

/// This document (OpenAPI 3.1)
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = serde_json::Value)))]
pub async fn show_openapi(State(state): State<AppState>) -> Response {
    let mut response = state.openapi.clone().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::{build, route_table};

    fn served_document() -> Value {
        serde_json::from_slice(&serialise(build().openapi)).unwrap()
    }

    #[test]
    fn the_document_lists_every_api_route_and_nothing_else() {
        let document = served_document();
        let paths = document["paths"].as_object().unwrap();
        let mut documented = Vec::new();
        for (path, methods) in paths {
            for method in methods
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| *k != "parameters")
            {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
        documented.sort();
        let mut served: Vec<_> = route_table()
            .routes()
            .iter()
            .filter(|route| route.path.starts_with("/api/"))
            .map(|route| (route.method.as_str().to_owned(), route.path.clone()))
            .collect();
        served.sort();
        assert_eq!(documented, served);
    }

    #[test]
    fn every_schema_reference_resolves() {
        let document = served_document();
        let text = document.to_string();
        let schemas = document["components"]["schemas"].as_object().unwrap();
        for piece in text.split("#/components/schemas/").skip(1) {
            let name: String = piece.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(schemas.contains_key(&name), "missing schema {name}");
        }
    }

    /// Whether `schema` (through `$ref` and `allOf`, as flattened types are written) has `field`.
    fn has_property(document: &Value, schema: &Value, field: &str) -> bool {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap();
            return has_property(document, &document["components"]["schemas"][name], field);
        }
        schema["properties"][field].is_object()
            || schema["allOf"]
                .as_array()
                .is_some_and(|parts| parts.iter().any(|part| has_property(document, part, field)))
    }

    #[test]
    fn every_link_joins_two_documented_operations_through_a_field_the_answer_has() {
        let document = served_document();
        let operations = operations_by_id(&document);
        for (from, status, pointer, to) in LINKS {
            let (path, method) = operations
                .get(*from)
                .unwrap_or_else(|| panic!("no operation {from}"));
            let (to_path, _) = operations
                .get(*to)
                .unwrap_or_else(|| panic!("no operation {to}"));
            assert!(to_path.contains("{id}"), "{to} takes no id");
            let response = &document["paths"][path][method]["responses"][*status];
            assert!(
                response["links"][*to].is_object(),
                "{from} {status} has no link to {to}"
            );
            let schema = &response["content"]["application/json"]["schema"];
            let field = pointer.trim_start_matches('/');
            assert!(
                has_property(&document, schema, field),
                "{from}'s {status} answer has no field {field}"
            );
        }
    }

    #[test]
    fn the_readme_lists_the_api_as_the_document_describes_it() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let (begin, end) = (
            "<!-- api-reference:begin -->\n",
            "<!-- api-reference:end -->",
        );
        let start = readme
            .find(begin)
            .expect("the README marks its API reference")
            + begin.len();
        let stop = readme
            .find(end)
            .expect("the README marks the end of its API reference");
        let generated = reference_markdown();
        if std::env::var_os("MUTUAL_UPDATE_README").is_some() {
            let updated = format!("{}{generated}{}", &readme[..start], &readme[stop..]);
            std::fs::write(path, updated).unwrap();
            return;
        }
        assert!(
            readme[start..stop] == generated,
            "the README's API reference is out of date: run \
             `MUTUAL_UPDATE_README=1 cargo test --workspace --lib readme` and commit README.md"
        );
    }
}
