//! Reading submitted forms and JSON bodies: size limits, content types, CSRF for forms, unknown
//! fields refused with a message, never a panic or a bare 4xx.

use crate::AppState;
use crate::csrf::{self, CsrfToken};
use crate::error::{envelope, message_page};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::Response;
use mutual_app::FieldError;
use serde::de::DeserializeOwned;

/// The fields of a submitted HTML form (`application/x-www-form-urlencoded`), CSRF-checked.
#[derive(Debug)]
pub struct FormData {
    fields: Vec<(String, String)>,
}

fn has_content_type(request: &Request, wanted: &str) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
}

async fn read_body(request: Request, state: &AppState) -> Result<Bytes, StatusCode> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| rejection.status())
}

fn too_large_message(state: &AppState) -> String {
    format!(
        "What you sent is larger than this server accepts ({} KiB). Please shorten it and try again.",
        state.web.max_body_bytes / 1024
    )
}

impl FromRequest<AppState> for FormData {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let bad = |status, heading, message: String| message_page(status, heading, message);
        if !has_content_type(&request, "application/x-www-form-urlencoded") {
            return Err(bad(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Please use the form",
                "This address takes a form submitted from the page.".into(),
            ));
        }
        let expected = request.extensions().get::<CsrfToken>().cloned();
        let body = read_body(request, state)
            .await
            .map_err(|status| match status {
                StatusCode::PAYLOAD_TOO_LARGE => {
                    bad(status, "Too much to send", too_large_message(state))
                }
                _ => bad(
                    StatusCode::BAD_REQUEST,
                    "Please try again",
                    "The form could not be read.".into(),
                ),
            })?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|_| {
            bad(
                StatusCode::BAD_REQUEST,
                "Please try again",
                "The form could not be read.".into(),
            )
        })?;
        let form = FormData { fields };
        let submitted = form.get("csrf");
        if !expected.is_some_and(|token| csrf::matches(&token, submitted)) {
            return Err(bad(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "For your safety, forms only work from this site and for a limited time. Please go \
                 back, reload the page and send it again; what you typed is kept by your browser's back button."
                    .into(),
            ));
        }
        Ok(form)
    }
}

impl FormData {
    /// The parameters of a query string (GET requests change nothing, so no CSRF check).
    /// `None` when the query string cannot be read.
    pub fn from_query(query: Option<&str>) -> Option<FormData> {
        serde_urlencoded::from_str(query.unwrap_or(""))
            .ok()
            .map(|fields| FormData { fields })
    }

    /// Fields given as lists (a JSON body's fields, for example).
    pub fn from_fields(fields: Vec<(String, String)>) -> FormData {
        FormData { fields }
    }

    /// Every (field, value) pair, in order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.fields.clone()
    }

    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value)
    }

    /// Every value of `name` (for a group of checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// A checkbox: absent is off; "on", "1", "true" or "yes" is on; anything else is a field error.
    pub fn checkbox(&self, name: &'static str, errors: &mut Vec<FieldError>) -> bool {
        match self.get(name) {
            "" => false,
            "on" | "1" | "true" | "yes" => true,
            _ => {
                errors.push(FieldError::new(
                    name,
                    "This box can only be ticked or left empty.",
                ));
                false
            }
        }
    }

    /// The form as the person left it, for showing it again: what they typed in `fields`.
    pub fn kept(&self, fields: &[&'static str]) -> crate::layout::FormView {
        fields
            .iter()
            .fold(crate::layout::FormView::default(), |view, field| {
                view.keep(field, self.get(field))
            })
    }

    /// Like [`kept`](Self::kept) for fields that may repeat (checkboxes): each field's values
    /// comma-joined, so `FormView::has` finds them.
    pub fn kept_lists(&self, fields: &[&'static str]) -> crate::layout::FormView {
        fields
            .iter()
            .fold(crate::layout::FormView::default(), |view, field| {
                view.keep(field, &self.all(field).join(","))
            })
    }

    /// Refuses the form, with a message per field, when it sent any field not in `allowed`.
    pub fn only(&self, allowed: &[&str]) -> Result<(), mutual_app::AppError> {
        let unknown = self.unknown_fields(allowed);
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(mutual_app::AppError::Invalid(unknown))
        }
    }

    /// Field errors for any submitted field not in `allowed` (`csrf` is always allowed).
    pub fn unknown_fields(&self, allowed: &[&str]) -> Vec<FieldError> {
        self.fields
            .iter()
            .filter(|(key, _)| key != "csrf" && !allowed.contains(&key.as_str()))
            .map(|(key, _)| {
                let shown: String = key.chars().take(40).collect();
                FieldError::new(
                    "form",
                    format!("The form sent a field this page does not know: \"{shown}\"."),
                )
            })
            .collect()
    }
}

/// A JSON request body for the API: `application/json`, known fields only, right types.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        if !has_content_type(&request, "application/json") {
            return Err(envelope(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send a JSON body with 'Content-Type: application/json'.",
            ));
        }
        let body = read_body(request, state)
            .await
            .map_err(|status| match status {
                StatusCode::PAYLOAD_TOO_LARGE => {
                    envelope(status, "too_large", &too_large_message(state))
                }
                _ => envelope(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    "The request body could not be read.",
                ),
            })?;
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            None => {
                return Err(envelope(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    "The request body is empty; send a JSON object.",
                ));
            }
            Some(b'{') => {}
            Some(_) => {
                return Err(envelope(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "Send a JSON object ({...}) with the documented fields.",
                ));
            }
        }
        serde_json::from_slice(&body).map(ApiJson).map_err(|error| {
            let status = if error.is_syntax() || error.is_eof() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let code = if status == StatusCode::BAD_REQUEST {
                "malformed_json"
            } else {
                "invalid"
            };
            envelope(
                status,
                code,
                &format!("The JSON body was not accepted: {error}."),
            )
        })
    }
}
