//! Reading submitted forms and JSON bodies: size limits, content types, CSRF for forms, unknown
//! fields refused with a message, never a panic or a bare 4xx.

use crate::AppState;
use crate::error::{envelope, message_page};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mutual_app::FieldError;
use serde::de::DeserializeOwned;

/// The fields of a submitted HTML form (`application/x-www-form-urlencoded`), whose CSRF token
/// the gate has checked.
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

/// The refusal of a page request whose body is not a form.
pub(crate) fn not_a_form() -> Response {
    message_page(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Please use the form",
        "This address takes a form submitted from the page.".into(),
    )
}

/// The refusal of a form larger than `limit` bytes.
pub(crate) fn too_large(limit: usize) -> Response {
    message_page(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Too much to send",
        too_large_message(limit),
    )
}

fn too_large_message(limit: usize) -> String {
    format!(
        "What you sent is larger than this server accepts ({} KiB). Please shorten it and try again.",
        limit / 1024
    )
}

/// The refusal of a form that could not be read.
pub(crate) fn unreadable() -> Response {
    message_page(
        StatusCode::BAD_REQUEST,
        "Please try again",
        "The form could not be read.".into(),
    )
}

impl FromRequest<AppState> for FormData {
    type Rejection = Response;

    /// Reads the form; the gate has already checked its CSRF token ([`crate::csrf`]).
    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        if !has_content_type(&request, "application/x-www-form-urlencoded") {
            return Err(not_a_form());
        }
        let body = read_body(request, state)
            .await
            .map_err(|status| match status {
                StatusCode::PAYLOAD_TOO_LARGE => too_large(state.web.max_body_bytes),
                _ => unreadable(),
            })?;
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&body).map_err(|_| unreadable())?;
        Ok(FormData::from_fields(fields))
    }
}

impl FormData {
    /// The parameters of a query string (GET requests change nothing, so no CSRF check).
    /// `None` when the query string cannot be read.
    pub fn from_query(query: Option<&str>) -> Option<FormData> {
        serde_urlencoded::from_str(query.unwrap_or(""))
            .ok()
            .map(FormData::from_fields)
    }

    /// Fields given as lists (a JSON body's fields, for example). Control characters a person
    /// cannot see or mean (all but newline, carriage return and tab; see
    /// [`mutual_domain::text::is_allowed`]) are dropped, so the form keeps everything they typed.
    pub fn from_fields(fields: Vec<(String, String)>) -> FormData {
        let clean = |text: String| {
            if text.chars().all(mutual_domain::text::is_allowed) {
                text
            } else {
                text.chars()
                    .filter(|c| mutual_domain::text::is_allowed(*c))
                    .collect()
            }
        };
        FormData {
            fields: fields
                .into_iter()
                .map(|(key, value)| (clean(key), clean(value)))
                .collect(),
        }
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
                StatusCode::PAYLOAD_TOO_LARGE => envelope(
                    status,
                    "too_large",
                    &too_large_message(state.web.max_body_bytes),
                ),
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
        if let Some(problem) = control_character_in_json(&body) {
            return Err(problem);
        }
        parse_json(&body).map(ApiJson)
    }
}

/// The typed value of a JSON body, read as JSON Schema reads JSON: `5.0` is the integer 5.
/// A body that is not JSON is a 400; a field of the wrong type, missing or unknown is a 422
/// naming the field (its path, such as `risk.sleep`).
#[allow(clippy::result_large_err)] // the rejection is the extractor's answer, sent as it is
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    let error = match serde_path_to_error::deserialize::<_, T>(&mut reader) {
        Ok(value) => {
            return match reader.end() {
                Ok(()) => Ok(value),
                Err(_) => Err(envelope(
                    StatusCode::BAD_REQUEST,
                    "malformed_json",
                    "The body holds more after its JSON object; send one object.",
                )),
            };
        }
        Err(error) => error,
    };
    if error.inner().is_syntax() || error.inner().is_eof() {
        return Err(envelope(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            &format!("The body is not valid JSON: {}.", error.inner()),
        ));
    }
    // A whole number written with a fraction (5.0) is still a whole number.
    if error.inner().to_string().contains("floating point")
        && let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body)
    {
        whole_numbers(&mut value);
        if let Ok(typed) = serde_path_to_error::deserialize::<_, T>(value) {
            return Ok(typed);
        }
    }
    let path = error.path().to_string();
    let field = if path == "." { "body".to_owned() } else { path };
    let message = error.inner().to_string();
    // serde's messages end with " at line 1 column 12": the field name says where.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    Err(crate::error::ApiError(mutual_app::AppError::field(field, message)).into_response())
}

/// Turns floats with no fraction (within the exactly representable range) into integers.
fn whole_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64()
                && number.is_f64()
                && float.fract() == 0.0
                && float.abs() < 9_007_199_254_740_992.0
            {
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// The 422 for a JSON body with a control character in any string (a key or a value), naming
/// where it is; `None` when the body is clean or not JSON at all (the typed parse explains that).
fn control_character_in_json(body: &[u8]) -> Option<Response> {
    // JSON text holds C0 controls only as escapes; DEL and the C1 controls (U+0080-U+009F,
    // 0xC2 0x80-0x9F in UTF-8) may stand raw. Parse only when one of them could be there.
    let suspect = |pair: &[u8]| {
        pair == b"\\u" || pair[0] == 0x7F || (pair[0] == 0xC2 && (0x80..=0x9F).contains(&pair[1]))
    };
    if !body.windows(2).any(suspect) && body.last() != Some(&0x7F) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let (place, message) = find_control_character(&value, String::new())?;
    let field = if place.is_empty() {
        "body".to_owned()
    } else {
        place
    };
    Some(crate::error::ApiError(mutual_app::AppError::field(field, message)).into_response())
}

fn find_control_character(value: &serde_json::Value, place: String) -> Option<(String, String)> {
    use mutual_domain::text::control_character_problem;
    let join = |key: &str| {
        if place.is_empty() {
            key.to_owned()
        } else {
            format!("{place}.{key}")
        }
    };
    match value {
        serde_json::Value::String(text) => control_character_problem(text).map(|m| (place, m)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| find_control_character(item, join(&i.to_string()))),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            control_character_problem(key)
                .map(|m| (join("(a field name)"), m))
                .or_else(|| find_control_character(item, join(key)))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::control_character_in_json;

    #[test]
    fn control_characters_are_found_escaped_or_raw() {
        assert!(control_character_in_json(br#"{"label":"a\u0000b"}"#).is_some());
        assert!(control_character_in_json("{\"label\":\"a\u{7f}\"}".as_bytes()).is_some());
        assert!(control_character_in_json("{\"label\":\"a\u{85}b\"}".as_bytes()).is_some());
        assert!(
            control_character_in_json("{\"label\":\"caf\u{e9} \\u00e9\"}".as_bytes()).is_none()
        );
    }
}
