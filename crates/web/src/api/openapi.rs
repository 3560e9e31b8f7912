//! The OpenAPI 3 description of `/api/v1`, served at `/api/v1/openapi.json`. A test checks that
//! it lists every API route the router serves.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::LazyLock;

fn error_responses(codes: &[&str]) -> Value {
    let mut responses = serde_json::Map::new();
    for code in codes {
        let description = match *code {
            "400" => "Malformed request body",
            "401" => "Not signed in, or wrong pseudonym or password",
            "403" => "Not allowed (suspended, waiting for approval, or not permitted)",
            "415" => "Body is not application/json",
            "422" => "A field is missing, of the wrong type, unknown, or breaks a rule",
            "429" => "Too many attempts; see the Retry-After header",
            "503" => "The database is unavailable",
            _ => "Error",
        };
        responses.insert(
            (*code).to_owned(),
            json!({
                "description": description,
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
            }),
        );
    }
    Value::Object(responses)
}

fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        base.extend(extra.clone());
    }
    base
}

fn json_body(schema: &str) -> Value {
    json!({
        "required": true,
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

fn ok(status: &str, description: &str, schema: &str) -> Value {
    json!({ status: {
        "description": description,
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    }})
}

static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    let signed_in = json!([{ "bearer": [] }, { "cookie": [] }]);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Mutual API",
            "version": "1",
            "description": "The JSON API of a Mutual peer-support server. Errors use one envelope: \
                {\"error\": {\"code\", \"message\"}}. Unknown fields in request bodies are refused."
        },
        "servers": [{ "url": "/" }],
        "paths": {
            "/api/v1/openapi.json": { "get": {
                "summary": "This document", "operationId": "showOpenapi", "security": [],
                "responses": { "200": { "description": "The OpenAPI document" } }
            }},
            "/api/v1/accounts": { "post": {
                "summary": "Register with a pseudonym and a password", "operationId": "createAccount",
                "security": [],
                "requestBody": json_body("CreateAccountRequest"),
                "responses": with(ok("201", "Account created (status pending when registration needs approval)", "AccountResponse"),
                    error_responses(&["400", "415", "422", "429", "503"]))
            }},
            "/api/v1/sessions": { "post": {
                "summary": "Sign in and receive a bearer token", "operationId": "createSession",
                "security": [],
                "requestBody": json_body("CreateSessionRequest"),
                "responses": with(ok("201", "Signed in", "SessionResponse"),
                    error_responses(&["400", "401", "403", "415", "422", "429", "503"]))
            }},
            "/api/v1/sessions/current": { "delete": {
                "summary": "Sign out (end the session that made this request)", "operationId": "deleteCurrentSession",
                "security": signed_in,
                "responses": with(json!({ "204": { "description": "Signed out" } }), error_responses(&["401", "503"]))
            }},
            "/api/v1/me": { "get": {
                "summary": "The signed-in member", "operationId": "showMe",
                "security": signed_in,
                "responses": with(ok("200", "The member", "MeResponse"), error_responses(&["401", "503"]))
            }},
            "/api/v1/clocks": {
                "get": {
                    "summary": "The member's recovery clocks", "operationId": "listClocks", "security": signed_in,
                    "responses": with(json!({ "200": { "description": "Clocks", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Clock" } } } } } }), error_responses(&["401", "503"]))
                },
                "post": {
                    "summary": "Start a clock", "operationId": "createClock", "security": signed_in,
                    "requestBody": json_body("ClockRequest"),
                    "responses": with(ok("201", "The new clock", "Clock"), error_responses(&["400", "401", "415", "422", "503"]))
                }
            },
            "/api/v1/clocks/{id}": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
                "put": {
                    "summary": "Change a clock's details", "operationId": "updateClock", "security": signed_in,
                    "requestBody": json_body("ClockRequest"),
                    "responses": with(ok("200", "The clock", "Clock"), error_responses(&["400", "401", "404", "415", "422", "503"]))
                },
                "delete": {
                    "summary": "Delete a clock and its history", "operationId": "deleteClock", "security": signed_in,
                    "responses": with(json!({ "204": { "description": "Deleted" } }), error_responses(&["401", "404", "503"]))
                }
            },
            "/api/v1/clocks/{id}/reset": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
                "post": {
                    "summary": "Record a slip: the clock starts again and the history is kept", "operationId": "resetClock", "security": signed_in,
                    "requestBody": json_body("ResetRequest"),
                    "responses": with(ok("200", "The clock", "Clock"), error_responses(&["400", "401", "404", "415", "422", "503"]))
                }
            },
            "/api/v1/checkins/{date}": {
                "parameters": [{ "name": "date", "in": "path", "required": true, "description": "The member's local date, YYYY-MM-DD: today or up to 7 days back", "schema": { "type": "string", "format": "date" } }],
                "put": {
                    "summary": "Create or replace the daily check-in of a local date", "operationId": "putCheckin", "security": signed_in,
                    "requestBody": json_body("CheckinRequest"),
                    "responses": with(with(ok("201", "Created", "Checkin"), ok("200", "Replaced that day's check-in", "Checkin")), error_responses(&["400", "401", "415", "422", "503"]))
                }
            },
            "/api/v1/checkins": {
                "get": {
                    "summary": "The member's check-ins between two local dates", "operationId": "listCheckins", "security": signed_in,
                    "parameters": [
                        { "name": "from", "in": "query", "schema": { "type": "string", "format": "date" } },
                        { "name": "to", "in": "query", "schema": { "type": "string", "format": "date" } }
                    ],
                    "responses": with(json!({ "200": { "description": "Check-ins, oldest first", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Checkin" } } } } } }), error_responses(&["401", "422", "503"]))
                }
            },
            "/api/v1/weekly-checkins": {
                "get": {
                    "summary": "The member's weekly check-ins", "operationId": "listWeeklyCheckins", "security": signed_in,
                    "responses": with(json!({ "200": { "description": "Weekly check-ins, oldest first", "content": { "application/json": { "schema": { "type": "array", "items": { "type": "object" } } } } } }), error_responses(&["401", "503"]))
                },
                "post": {
                    "summary": "This week's check-in (use, risk and protective factors)", "operationId": "createWeeklyCheckin", "security": signed_in,
                    "requestBody": json_body("WeeklyRequest"),
                    "responses": with(ok("201", "The three domain scores", "WeeklyScores"), error_responses(&["400", "401", "415", "422", "503"]))
                }
            },
            "/api/v1/trends": {
                "get": {
                    "summary": "Daily mood, craving, sleep and clean days, and weekly scores", "operationId": "showTrends", "security": signed_in,
                    "parameters": [{ "name": "days", "in": "query", "schema": { "type": "integer", "minimum": 7, "maximum": 366, "default": 30 } }],
                    "responses": with(json!({ "200": { "description": "Trend data", "content": { "application/json": { "schema": { "type": "object" } } } } }), error_responses(&["401", "422", "503"]))
                }
            },
            "/api/v1/warning-signs": {
                "get": {
                    "summary": "Warning signs firing now, and every rule with its thresholds", "operationId": "showWarningSigns", "security": signed_in,
                    "responses": with(json!({ "200": { "description": "firing and rules", "content": { "application/json": { "schema": { "type": "object" } } } } }), error_responses(&["401", "503"]))
                }
            },
            "/api/v1/me/export": { "get": {
                "summary": "Everything stored about the signed-in member", "operationId": "exportMe",
                "security": signed_in,
                "responses": with(json!({ "200": { "description": "The export, keyed by table name",
                    "content": { "application/json": { "schema": { "type": "object" } } } } }),
                    error_responses(&["401", "503"]))
            }}
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "cookie": { "type": "apiKey", "in": "cookie", "name": "mutual_session" }
            },
            "schemas": {
                "Error": {
                    "type": "object", "required": ["error"],
                    "properties": { "error": {
                        "type": "object", "required": ["code", "message"],
                        "properties": {
                            "code": { "type": "string" },
                            "message": { "type": "string" },
                            "fields": { "type": "array", "items": {
                                "type": "object",
                                "properties": { "field": { "type": "string" }, "message": { "type": "string" } }
                            }}
                        }
                    }}
                },
                "CreateAccountRequest": {
                    "type": "object", "additionalProperties": false, "required": ["username", "password"],
                    "properties": {
                        "username": { "type": "string", "minLength": 3, "maxLength": 32, "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9]$" },
                        "password": { "type": "string", "minLength": 12, "maxLength": 256 },
                        "email": { "type": "string", "nullable": true },
                        "invite": { "type": "string", "nullable": true, "description": "Invite token, when registration is by invitation" },
                        "time_zone": { "type": "string", "nullable": true, "description": "IANA time zone, e.g. Europe/London" }
                    }
                },
                "AccountResponse": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string", "format": "uuid" },
                        "username": { "type": "string" },
                        "status": { "type": "string", "enum": ["active", "pending"] },
                        "warnings": { "type": "array", "items": {
                            "type": "object",
                            "properties": {
                                "code": { "type": "string", "enum": ["looks_like_real_name", "contains_phone_number"] },
                                "message": { "type": "string" }
                            }
                        }}
                    }
                },
                "CreateSessionRequest": {
                    "type": "object", "additionalProperties": false, "required": ["username", "password"],
                    "properties": { "username": { "type": "string" }, "password": { "type": "string" } }
                },
                "SessionResponse": {
                    "type": "object",
                    "properties": {
                        "token": { "type": "string" },
                        "token_type": { "type": "string", "enum": ["Bearer"] },
                        "expires_at": { "type": "string", "format": "date-time" },
                        "idle_timeout_seconds": { "type": "integer" }
                    }
                },
                "Clock": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string", "format": "uuid" },
                        "label": { "type": "string" },
                        "started_at": { "type": "string", "format": "date-time" },
                        "start_local": { "type": "string" },
                        "time_zone": { "type": "string" },
                        "days": { "type": "integer" },
                        "hours": { "type": "integer" },
                        "next_milestone": { "type": "object", "properties": { "label": { "type": "string" }, "at": { "type": "string", "format": "date-time" }, "in_days": { "type": "integer" } } },
                        "total_days": { "type": "integer" },
                        "longest_days": { "type": "integer" },
                        "attempts": { "type": "integer" },
                        "hidden": { "type": "boolean" },
                        "money_per_day_cents": { "type": "integer", "nullable": true },
                        "minutes_per_day": { "type": "integer", "nullable": true }
                    }
                },
                "ClockRequest": {
                    "type": "object", "additionalProperties": false, "required": ["label", "start_date"],
                    "properties": {
                        "label": { "type": "string", "maxLength": 40 },
                        "start_date": { "type": "string", "format": "date" },
                        "start_time": { "type": "string", "pattern": "^[0-9]{1,2}:[0-9]{2}$" },
                        "money_per_day": { "type": "string", "example": "12.50" },
                        "minutes_per_day": { "type": "integer", "minimum": 0, "maximum": 1440 },
                        "hidden": { "type": "boolean" }
                    }
                },
                "ResetRequest": {
                    "type": "object", "additionalProperties": false, "required": ["date"],
                    "properties": { "date": { "type": "string", "format": "date" }, "time": { "type": "string" }, "note": { "type": "string", "maxLength": 2000 } }
                },
                "CheckinRequest": {
                    "type": "object", "additionalProperties": false, "required": ["mood", "craving", "sleep_hours", "sleep_quality"],
                    "properties": {
                        "mood": { "type": "integer", "minimum": 1, "maximum": 5 },
                        "craving": { "type": "integer", "minimum": 0, "maximum": 10 },
                        "sleep_hours": { "type": "number", "minimum": 0, "maximum": 24 },
                        "sleep_quality": { "type": "integer", "minimum": 1, "maximum": 5 },
                        "exercised": { "type": "boolean" },
                        "regular_meals": { "type": "boolean" },
                        "support_contact": { "type": "boolean" },
                        "pledged": { "type": "boolean" },
                        "triggers": { "type": "array", "items": { "type": "string" } },
                        "trigger_note": { "type": "string", "maxLength": 200 },
                        "gratitude": { "type": "string", "maxLength": 500 },
                        "journal": { "type": "string", "maxLength": 4000 }
                    }
                },
                "Checkin": { "type": "object", "properties": { "day": { "type": "string", "format": "date" }, "mood": { "type": "integer" }, "craving": { "type": "integer" }, "sleep_hours_tenths": { "type": "integer" } } },
                "WeeklyRequest": {
                    "type": "object", "additionalProperties": false, "required": ["days_used", "risk", "protective"],
                    "properties": {
                        "days_used": { "type": "integer", "minimum": 0, "maximum": 7 },
                        "risk": { "type": "object", "additionalProperties": false, "description": "Each 0-4",
                            "required": ["sleep", "mood", "cravings", "risky_situations", "relationships", "health"],
                            "properties": { "sleep": { "type": "integer" }, "mood": { "type": "integer" }, "cravings": { "type": "integer" }, "risky_situations": { "type": "integer" }, "relationships": { "type": "integer" }, "health": { "type": "integer" } } },
                        "protective": { "type": "object", "additionalProperties": false, "description": "Each 0-4",
                            "required": ["confidence", "self_help", "spiritual", "purpose", "income", "sober_support"],
                            "properties": { "confidence": { "type": "integer" }, "self_help": { "type": "integer" }, "spiritual": { "type": "integer" }, "purpose": { "type": "integer" }, "income": { "type": "integer" }, "sober_support": { "type": "integer" } } }
                    }
                },
                "WeeklyScores": { "type": "object", "properties": { "use_days": { "type": "integer" }, "risk": { "type": "integer" }, "protective": { "type": "integer" } } },
                "MeResponse": {
                    "type": "object",
                    "properties": {
                        "id": { "type": "string", "format": "uuid" },
                        "username": { "type": "string" },
                        "role": { "type": "string", "enum": ["member", "moderator", "admin"] },
                        "member_since": { "type": "string", "format": "date-time" }
                    }
                }
            }
        }
    })
});

/// The document itself.
pub fn document() -> &'static Value {
    &DOCUMENT
}

/// `GET /api/v1/openapi.json`
pub async fn show_openapi() -> Response {
    Json(document()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::registered_routes;

    #[test]
    fn the_document_lists_every_api_route_and_nothing_else() {
        let paths = document()["paths"].as_object().unwrap();
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
        let mut served: Vec<_> = registered_routes()
            .into_iter()
            .filter(|(_, path)| path.starts_with("/api/"))
            .map(|(method, path)| (method.to_owned(), path.to_owned()))
            .collect();
        served.sort();
        assert_eq!(documented, served);
    }

    #[test]
    fn every_schema_reference_resolves() {
        let text = document().to_string();
        let schemas = document()["components"]["schemas"].as_object().unwrap();
        for piece in text.split("#/components/schemas/").skip(1) {
            let name: String = piece.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(schemas.contains_key(&name), "missing schema {name}");
        }
    }
}
