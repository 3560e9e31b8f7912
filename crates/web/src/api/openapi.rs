//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`: generated from
//! the routes' `#[utoipa::path]` declarations and their named types, with the hand-written
//! descriptions of the operations not yet declared that way merged in (generated ones win).
//! A test checks that it lists every API route the router serves, and nothing else.

use crate::AppState;
use crate::api::contract::ErrorResponse;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use mutual_domain::permissions::Access;
use serde_json::{Value, json};
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, ServerBuilder};
use utoipa::{PartialSchema, ToSchema};

mod people;

fn error_responses(codes: &[&str]) -> Value {
    let mut responses = serde_json::Map::new();
    for code in codes {
        let description = match *code {
            "400" => "Malformed request body",
            "401" => "Not signed in, or wrong pseudonym or password",
            "403" => "Not allowed (suspended, waiting for approval, or not permitted)",
            "409" => "Already done (for example reacting twice)",
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

static LEGACY: LazyLock<Value> = LazyLock::new(|| {
    let signed_in = json!([{ "bearer": [] }, { "cookie": [] }]);
    let mut document = json!({
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
    });
    for extra in [
        directory_paths(&signed_in),
        community_paths(&signed_in),
        people::paths(&signed_in),
    ] {
        if let (Some(paths), Value::Object(extra)) = (document["paths"].as_object_mut(), extra) {
            paths.extend(extra);
        }
    }
    for extra in [directory_schemas(), community_schemas(), people::schemas()] {
        if let (Some(schemas), Value::Object(extra)) =
            (document["components"]["schemas"].as_object_mut(), extra)
        {
            schemas.extend(extra);
        }
    }
    document
});

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "description": description, "schema": schema })
}

fn path_id() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } })
}

fn no_content(description: &str) -> Value {
    json!({ "204": { "description": description } })
}

fn object_response(status: &str, description: &str) -> Value {
    json!({ status: { "description": description, "content": { "application/json": { "schema": { "type": "object" } } } } })
}

/// The meeting directory's paths.
fn directory_paths(signed_in: &Value) -> Value {
    let text = json!({ "type": "string" });
    let search_parameters = json!([
        query(
            "q",
            "Words that must all appear (name, group, place, programme)",
            text.clone()
        ),
        query("program", "Programme code, e.g. AA, SMART", text.clone()),
        query(
            "types",
            "Comma-separated Meeting Guide type codes; all must match",
            text.clone()
        ),
        query(
            "mode",
            "How people attend",
            json!({ "type": "string", "enum": ["in_person", "online", "hybrid", "phone"] })
        ),
        query(
            "day",
            "Weekday in the viewer's zone, 0 = Sunday",
            json!({ "type": "integer", "minimum": 0, "maximum": 6 })
        ),
        query(
            "after",
            "Starting at or after HH:MM in the viewer's zone",
            text.clone()
        ),
        query(
            "before",
            "Starting before HH:MM in the viewer's zone (earlier than after: past midnight)",
            text.clone()
        ),
        query(
            "tz",
            "The viewer's IANA zone (default: the server's)",
            text.clone()
        ),
        query("near", "lat,lng", text.clone()),
        query(
            "radius_km",
            "Distance from near, default 25",
            json!({ "type": "number", "maximum": 500 })
        ),
        query(
            "starting_within_hours",
            "Starting within this many hours",
            json!({ "type": "number", "maximum": 168 })
        ),
        query(
            "in_progress",
            "Only meetings in progress now",
            json!({ "type": "boolean" })
        ),
        query(
            "limit",
            "At most this many, default 50",
            json!({ "type": "integer", "minimum": 1, "maximum": 200 })
        ),
        query(
            "order",
            "next (default) or distance",
            json!({ "type": "string", "enum": ["next", "distance"] })
        ),
        query("tags", "Comma-separated group value tags", text.clone()),
        query("size", "small, medium or large", text.clone()),
        query("structure", "Group format", text.clone()),
        query("facilitation", "peer or professional", text.clone()),
        query("audience", "Comma-separated audiences", text.clone()),
        query("language", "Language code", text.clone()),
        query(
            "accessibility",
            "Comma-separated accessibility features",
            text.clone()
        ),
    ]);
    let listing_body = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ListingRequest" } } } });
    let group_body = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/GroupRequest" } } } });
    json!({
        "/api/v1/meetings": { "get": {
            "summary": "Search the directory (the same answer for every viewer)", "operationId": "searchMeetings", "security": [],
            "parameters": search_parameters,
            "responses": with(object_response("200", "time_zone, count and meetings ordered by next occurrence or distance"), error_responses(&["401", "422", "503"]))
        }},
        "/api/v1/meetings/{id}": {
            "get": {
                "summary": "One meeting; join details are null when the group keeps them for signed-in members", "operationId": "showMeeting", "security": [],
                "parameters": [path_id(), query("tz", "The viewer's IANA zone", text.clone())],
                "responses": with(object_response("200", "The meeting"), error_responses(&["401", "404", "503"]))
            },
            "put": {
                "summary": "Change a meeting (its group's facilitators, moderators, admins)", "operationId": "updateMeeting", "security": signed_in,
                "parameters": [path_id()], "requestBody": listing_body.clone(),
                "responses": with(no_content("Changed, recorded in the history"), error_responses(&["400", "401", "403", "404", "415", "422", "503"]))
            }
        },
        "/api/v1/meetings/{id}/history": { "get": {
            "summary": "Who changed the listing, what and when (its editors)", "operationId": "showMeetingHistory", "security": signed_in,
            "parameters": [path_id()],
            "responses": with(object_response("200", "history, newest first"), error_responses(&["401", "403", "404", "503"]))
        }},
        "/api/v1/meetings/{id}/suggestions": { "post": {
            "summary": "Suggest a correction: the fields as they should be, and a note", "operationId": "suggestChange", "security": signed_in,
            "parameters": [path_id()], "requestBody": listing_body.clone(),
            "responses": with(object_response("201", "id and status pending"), error_responses(&["400", "401", "404", "415", "422", "503"]))
        }},
        "/api/v1/finder": { "get": {
            "summary": "The guided finder: ranked suggestions with their reasons", "operationId": "findMyGroup", "security": [],
            "parameters": [
                query("approach", "Approaches or value tags, comma-separated", text.clone()),
                query("size", "small, medium or large", text.clone()),
                query("structure", "Format", text.clone()),
                query("audience", "Audiences, comma-separated", text.clone()),
                query("days", "Weekdays (0 = Sunday), comma-separated", text.clone()),
                query("parts", "morning, afternoon, evening; comma-separated", text.clone()),
                query("attend", "in_person, online or either", text.clone()),
                query("near", "lat,lng", text.clone()),
                query("radius_km", "How far to travel", json!({ "type": "number" })),
                query("language", "Language code", text.clone()),
                query("tz", "The viewer's IANA zone", text.clone())
            ],
            "responses": with(object_response("200", "suggestions, best first, each with meeting, score and reasons"), error_responses(&["401", "422", "503"]))
        }},
        "/api/v1/groups": { "post": {
            "summary": "Create a group (moderators, admins)", "operationId": "createGroup", "security": signed_in,
            "requestBody": group_body.clone(),
            "responses": with(object_response("201", "id"), error_responses(&["400", "401", "403", "415", "422", "503"]))
        }},
        "/api/v1/groups/{id}": {
            "get": {
                "summary": "A group with its attributes and meetings", "operationId": "showGroup", "security": [],
                "parameters": [path_id()],
                "responses": with(object_response("200", "The group"), error_responses(&["401", "404", "503"]))
            },
            "put": {
                "summary": "Change a group (its facilitators, moderators, admins)", "operationId": "updateGroup", "security": signed_in,
                "parameters": [path_id()], "requestBody": group_body,
                "responses": with(no_content("Changed"), error_responses(&["400", "401", "403", "404", "415", "422", "503"]))
            }
        },
        "/api/v1/groups/{id}/meetings": { "post": {
            "summary": "Add a meeting to a group", "operationId": "createMeeting", "security": signed_in,
            "parameters": [path_id()], "requestBody": listing_body,
            "responses": with(object_response("201", "id"), error_responses(&["400", "401", "403", "404", "415", "422", "503"]))
        }},
        "/api/v1/programs": { "get": {
            "summary": "Programmes and approaches", "operationId": "listPrograms", "security": [],
            "responses": with(object_response("200", "programs"), error_responses(&["503"]))
        }},
        "/api/v1/suggestions": { "get": {
            "summary": "Suggestions waiting for review, with field-by-field differences (moderators)", "operationId": "listSuggestions", "security": signed_in,
            "responses": with(object_response("200", "suggestions"), error_responses(&["401", "403", "503"]))
        }},
        "/api/v1/suggestions/{id}/decision": { "post": {
            "summary": "Approve (apply) or reject a suggestion (moderators)", "operationId": "decideSuggestion", "security": signed_in,
            "parameters": [path_id()], "requestBody": json_body("DecisionRequest"),
            "responses": with(no_content("Decided"), error_responses(&["400", "401", "403", "404", "415", "422", "503"]))
        }},
        "/api/v1/me/saved-meetings": { "get": {
            "summary": "The member's saved meetings", "operationId": "listSavedMeetings", "security": signed_in,
            "responses": with(object_response("200", "meetings"), error_responses(&["401", "503"]))
        }},
        "/api/v1/me/saved-meetings/{id}": {
            "put": {
                "summary": "Save a meeting", "operationId": "saveMeeting", "security": signed_in, "parameters": [path_id()],
                "responses": with(no_content("Saved"), error_responses(&["401", "404", "503"]))
            },
            "delete": {
                "summary": "Forget a saved meeting", "operationId": "unsaveMeeting", "security": signed_in, "parameters": [path_id()],
                "responses": with(no_content("Removed"), error_responses(&["401", "503"]))
            }
        },
        "/api/v1/me/attendance": {
            "get": {
                "summary": "The member's private attendance log", "operationId": "listAttendance", "security": signed_in,
                "responses": with(object_response("200", "attendance, newest first"), error_responses(&["401", "503"]))
            },
            "post": {
                "summary": "Log going to a meeting (only the member sees it)", "operationId": "logAttendance", "security": signed_in,
                "requestBody": json_body("AttendanceRequest"),
                "responses": with(object_response("201", "id"), error_responses(&["400", "401", "404", "415", "422", "503"]))
            }
        },
        "/api/v1/me/attendance/{id}": { "delete": {
            "summary": "Delete a log entry", "operationId": "deleteAttendance", "security": signed_in, "parameters": [path_id()],
            "responses": with(no_content("Deleted"), error_responses(&["401", "404", "503"]))
        }}
    })
}

/// The meeting directory's request bodies.
fn directory_schemas() -> Value {
    let text = json!({ "type": "string" });
    let mut listing = serde_json::Map::new();
    for field in mutual_domain::meetings::listing::LISTING_FIELDS {
        listing.insert((*field).to_owned(), text.clone());
    }
    listing.insert("days".into(), json!({ "type": "array", "items": { "type": "integer", "minimum": 0, "maximum": 6 }, "description": "0 = Sunday" }));
    listing.insert(
        "types".into(),
        json!({ "type": "array", "items": { "type": "string" } }),
    );
    listing.insert("approximate".into(), json!({ "type": "boolean" }));
    listing.insert(
        "note".into(),
        json!({ "type": "string", "description": "Suggestions only: for the moderators" }),
    );
    let mut group = serde_json::Map::new();
    for field in mutual_app::meetings::GROUP_FIELDS {
        group.insert((*field).to_owned(), text.clone());
    }
    for list in ["tags", "languages", "accessibility", "audience"] {
        group.insert(
            list.into(),
            json!({ "type": "array", "items": { "type": "string" } }),
        );
    }
    group.insert("closed".into(), json!({ "type": "boolean" }));
    group.insert("join_members_only".into(), json!({ "type": "boolean" }));
    json!({
        "ListingRequest": { "type": "object", "additionalProperties": false, "properties": listing,
            "description": "time_zone IANA; start_time/end_time HH:MM (end before start: past midnight); recurrence weekly, biweekly, monthly (with nth 1-4 or -1) or once (with date)" },
        "GroupRequest": { "type": "object", "additionalProperties": false, "required": ["name", "program"], "properties": group },
        "DecisionRequest": { "type": "object", "additionalProperties": false, "required": ["approve"],
            "properties": { "approve": { "type": "boolean" }, "note": { "type": "string" } } },
        "AttendanceRequest": { "type": "object", "additionalProperties": false, "required": ["day"],
            "properties": { "meeting_id": { "type": "string", "format": "uuid" }, "meeting_name": { "type": "string" }, "day": { "type": "string", "format": "date" }, "note": { "type": "string" } } }
    })
}

/// The community's paths.
fn community_paths(signed_in: &Value) -> Value {
    let text = json!({ "type": "string" });
    let member_errors = error_responses(&["401", "403", "404", "415", "422", "503"]);
    json!({
        "/api/v1/spaces": { "get": {
            "summary": "The spaces the viewer may see (visitors: public spaces only)",
            "responses": object_response("200", "{spaces: [{id, slug, name, description, visibility, threads, guidance}]}")
        }},
        "/api/v1/spaces/{id}/threads": {
            "get": {
                "summary": "A page of a space's threads, most recently active first",
                "parameters": [path_id(), query("before", "The `next` value of the previous page", text.clone())],
                "responses": with(object_response("200", "{space, threads: [{id, title, author, anonymous, locked, replies, created_at, last_post_at, unread}], next}"), error_responses(&["401", "404", "422"]))
            },
            "post": {
                "summary": "Start a thread; the answer says whether crisis resources were shown",
                "security": signed_in, "parameters": [path_id()],
                "requestBody": json_body("ThreadRequest"),
                "responses": with(ok("201", "Posted", "Posted"), member_errors.clone())
            }
        },
        "/api/v1/threads/{id}": { "get": {
            "summary": "A page of a thread (50 posts); anonymous posts name no author",
            "parameters": [path_id(), query("page", "From 1", json!({ "type": "integer", "minimum": 1 }))],
            "responses": with(object_response("200", "{thread, space, page, pages, subscribed, can_reply, posts: [{id, seq, author, anonymous, own, state, placeholder, body, html, content_warning, quoted_post, created_at, edited_at, reactions}]}"), error_responses(&["401", "404", "422"]))
        }},
        "/api/v1/threads/{id}/replies": { "post": {
            "summary": "Reply to a thread (refused when it is locked)",
            "security": signed_in, "parameters": [path_id()],
            "requestBody": json_body("ReplyRequest"),
            "responses": with(ok("201", "Posted", "Posted"), member_errors.clone())
        }},
        "/api/v1/posts/{id}/flags": { "post": {
            "summary": "Flag a post for the moderators",
            "security": signed_in, "parameters": [path_id()],
            "requestBody": json_body("FlagRequest"),
            "responses": with(object_response("201", "{flagged: true}"), error_responses(&["401", "403", "404", "409", "415", "422"]))
        }},
        "/api/v1/posts/{id}/reactions": { "post": {
            "summary": "React to a post (409 when given already)",
            "security": signed_in, "parameters": [path_id()],
            "requestBody": json_body("ReactionRequest"),
            "responses": with(object_response("201", "{kind}"), error_responses(&["401", "404", "409", "415", "422"]))
        }},
        "/api/v1/posts/{id}/reactions/{kind}": { "delete": {
            "summary": "Take a reaction back",
            "security": signed_in,
            "parameters": [path_id(), { "name": "kind", "in": "path", "required": true, "schema": { "type": "string", "enum": ["support", "me_too", "congrats", "thanks"] } }],
            "responses": with(no_content("Taken back"), error_responses(&["401", "404", "422"]))
        }},
        "/api/v1/search": { "get": {
            "summary": "Full-text search over posts the viewer may see",
            "parameters": [
                query("q", "Words, \"phrases\" and prefix* terms; other characters are ignored", text.clone()),
                query("space", "A space id", text.clone()),
                query("author", "A pseudonym (anonymous posts never match)", text.clone()),
                query("order", "relevance (default) or newest", json!({ "type": "string", "enum": ["relevance", "newest"] })),
                query("page", "From 1", json!({ "type": "integer", "minimum": 1, "maximum": 500 }))
            ],
            "responses": with(object_response("200", "{page, results: [{post_id, thread_id, title, space_id, space, author, excerpt, url, created_at}]}"), error_responses(&["422", "503"]))
        }},
        "/api/v1/notifications": { "get": {
            "summary": "The member's notifications, newest first, and the unread count",
            "security": signed_in,
            "responses": with(object_response("200", "{unread, notifications: [{id, kind, body, link, created_at, read}]}"), error_responses(&["401"]))
        }},
        "/api/v1/moderation/queue": { "get": {
            "summary": "Posts waiting for review, crisis first (moderators)",
            "security": signed_in,
            "responses": with(object_response("200", "{items: [...]}"), error_responses(&["401", "403"]))
        }},
        "/api/v1/moderation/posts/{id}": { "post": {
            "summary": "A moderator's decision on a post: approve, dismiss, hide, restore, delete, lock, unlock, move, edit, or a sanction on its author (warn_author, silence_author with days, suspend_author, ban_author)",
            "security": signed_in, "parameters": [path_id()],
            "requestBody": json_body("ModerationRequest"),
            "responses": with(object_response("200", "{done, url}"), member_errors.clone())
        }},
        "/api/v1/clocks/{id}/share": { "post": {
            "summary": "Share a clock's latest milestone as a thread in Wins and milestones (how long, never the start date); only when the member asks",
            "security": signed_in, "parameters": [path_id()],
            "requestBody": json_body("ShareRequest"),
            "responses": with(ok("201", "Posted", "Posted"), member_errors.clone())
        }},
        "/api/v1/standing": { "get": {
            "summary": "The member's sanctions (warnings, silences, suspensions, removals) with reasons, appeals and answers",
            "security": signed_in,
            "responses": with(object_response("200", "{sanctions: [{id, kind, label, reason, in_force, given_at, ends_at, lifted_at, appeal, appealed_at, answer, answered_at}]}"), error_responses(&["401"]))
        }},
        "/api/v1/sanctions/{id}/appeal": { "post": {
            "summary": "Appeal one of the member's own sanctions (once); 409 when already appealed",
            "security": signed_in, "parameters": [path_id()],
            "requestBody": json_body("AppealRequest"),
            "responses": with(object_response("201", "{appealed: true}"), member_errors.clone())
        }},
        "/api/v1/blocks": {
            "get": {
                "summary": "The members the viewer blocked",
                "security": signed_in,
                "responses": with(object_response("200", "{blocked: [{username, since}]}"), error_responses(&["401"]))
            },
            "post": {
                "summary": "Block a member by pseudonym: neither sees the other's posts or hears of their replies, mentions or reactions",
                "security": signed_in,
                "requestBody": json_body("BlockRequest"),
                "responses": with(object_response("201", "{blocked}"), member_errors.clone())
            }
        },
        "/api/v1/blocks/{username}": { "delete": {
            "summary": "Lift a block",
            "security": signed_in,
            "parameters": [{ "name": "username", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": with(json!({ "204": { "description": "Block lifted" } }), error_responses(&["401", "404"]))
        }},
        "/api/v1/moderation/appeals": { "get": {
            "summary": "Appeals, waiting ones first (moderators); the member is not named when the sanction came from an anonymous post",
            "security": signed_in,
            "responses": with(object_response("200", "{appeals: [...]}"), error_responses(&["401", "403"]))
        }},
        "/api/v1/moderation/appeals/{id}": { "post": {
            "summary": "Answer an appeal, lifting or upholding the sanction (moderators)",
            "security": signed_in, "parameters": [path_id()],
            "requestBody": json_body("AnswerRequest"),
            "responses": with(object_response("200", "{answered, lifted}"), member_errors.clone())
        }}
    })
}

fn community_schemas() -> Value {
    json!({
        "ThreadRequest": { "type": "object", "additionalProperties": false, "required": ["title", "body"],
            "properties": { "title": { "type": "string", "maxLength": 150 }, "body": { "type": "string", "description": "Markdown, up to 20,000 characters" },
                "anonymous": { "type": "boolean" }, "content_warning": { "type": "string", "maxLength": 80 } } },
        "ReplyRequest": { "type": "object", "additionalProperties": false, "required": ["body"],
            "properties": { "body": { "type": "string" }, "anonymous": { "type": "boolean" }, "content_warning": { "type": "string" },
                "quoted_post": { "type": "string", "format": "uuid" } } },
        "Posted": { "type": "object", "properties": {
            "thread_id": { "type": "string", "format": "uuid" }, "post_id": { "type": "string", "format": "uuid" },
            "seq": { "type": "integer" }, "url": { "type": "string" }, "held_for_review": { "type": "boolean" },
            "crisis_resources_shown": { "type": "boolean" },
            "crisis_resources": { "type": "array", "items": { "type": "object" } } } },
        "FlagRequest": { "type": "object", "additionalProperties": false, "required": ["reason"],
            "properties": { "reason": { "type": "string", "enum": ["spam", "harassment", "selling", "unsafe_advice", "crisis", "other"] }, "note": { "type": "string" } } },
        "ReactionRequest": { "type": "object", "additionalProperties": false, "required": ["kind"],
            "properties": { "kind": { "type": "string", "enum": ["support", "me_too", "congrats", "thanks"] } } },
        "ModerationRequest": { "type": "object", "additionalProperties": false, "required": ["action"],
            "properties": { "action": { "type": "string", "enum": ["approve", "dismiss", "hide", "restore", "delete", "lock", "unlock", "move", "edit", "warn_author", "silence_author", "suspend_author", "ban_author"] },
                "reason": { "type": "string" }, "space": { "type": "string", "format": "uuid" }, "body": { "type": "string" },
                "days": { "type": "integer", "minimum": 1, "maximum": 90 } } },
        "ShareRequest": { "type": "object", "additionalProperties": false,
            "properties": { "body": { "type": "string", "description": "Markdown; the default words when empty" }, "anonymous": { "type": "boolean" } } },
        "AppealRequest": { "type": "object", "additionalProperties": false, "required": ["appeal"],
            "properties": { "appeal": { "type": "string", "maxLength": 2000 } } },
        "BlockRequest": { "type": "object", "additionalProperties": false, "required": ["username"],
            "properties": { "username": { "type": "string" } } },
        "AnswerRequest": { "type": "object", "additionalProperties": false, "required": ["answer", "outcome"],
            "properties": { "answer": { "type": "string", "maxLength": 2000 }, "outcome": { "type": "string", "enum": ["lift", "uphold"] } } }
    })
}

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
    merge_missing(&mut document["paths"], &LEGACY["paths"], 2);
    merge_missing(
        &mut document["components"]["schemas"],
        &LEGACY["components"]["schemas"],
        1,
    );
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

/// Adds what `extra` has and `base` lacks, `depth` levels of objects deep.
fn merge_missing(base: &mut Value, extra: &Value, depth: usize) {
    let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) else {
        return;
    };
    for (key, value) in extra {
        match base.get_mut(key) {
            Some(existing) if depth > 1 => merge_missing(existing, value, depth - 1),
            Some(_) => {}
            None => {
                base.insert(key.clone(), value.clone());
            }
        }
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

/// `GET /api/v1/openapi.json`
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
            let schema = match schema["$ref"].as_str() {
                Some(reference) => {
                    &document["components"]["schemas"][reference.rsplit('/').next().unwrap()]
                }
                None => schema,
            };
            let field = pointer.trim_start_matches('/');
            assert!(
                schema["properties"][field].is_object(),
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
