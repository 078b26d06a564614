//! The OpenAPI 3.1 document for `/api/v1`, written by hand next to the routes it describes.
//! A unit test checks that it lists exactly the routes in `super::ROUTES`.

use axum::Json;
use axum::response::IntoResponse;
use serde_json::{Value, json};

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn op(
    summary: &str,
    tag: &str,
    body: Option<&str>,
    ok_status: &str,
    ok: Value,
    errors: &[&str],
) -> Value {
    let mut responses = serde_json::Map::new();
    responses.insert(
        ok_status.into(),
        json!({ "description": "success", "content": { "application/json": { "schema": ok } } }),
    );
    for e in errors {
        responses.insert(
            (*e).into(),
            json!({ "$ref": format!("#/components/responses/E{e}") }),
        );
    }
    let mut o = json!({ "summary": summary, "tags": [tag], "responses": responses });
    if let Some(b) = body {
        o["requestBody"] =
            json!({ "required": true, "content": { "application/json": { "schema": schema(b) } } });
    }
    o
}

fn id_param() -> Value {
    json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }])
}

fn list(key: &str, item: &str) -> Value {
    json!({ "type": "object", "properties": { key: { "type": "array", "items": schema(item) } } })
}

pub fn document() -> Value {
    const R: &[&str] = &["401", "403", "404"];
    const W: &[&str] = &["400", "401", "403", "404", "409", "413", "415", "422"];
    let audit_params: Vec<Value> = [
        "citizen", "user", "org", "action", "denied", "from", "to", "limit", "before",
    ]
    .iter()
    .map(|n| json!({ "name": n, "in": "query", "schema": { "type": "string" } }))
    .collect();
    let error_responses: serde_json::Map<String, Value> = ["400", "401", "403", "404", "409", "413", "415", "422", "423", "429"]
        .iter()
        .map(|c| (format!("E{c}"), json!({ "description": "error", "content": { "application/json": { "schema": schema("Error") } } })))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Telesund API", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Telesund's JSON API. Authenticate with `Authorization: Bearer <token>` (integrations) or a session cookie plus `x-csrf-token` on changes. Errors are JSON with a stable snake_case `code` and the `request_id`." },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }, { "session": [] }],
        "paths": {
            "/auth/login": { "post": op("Staff login with e-mail and password", "session", Some("Login"), "200", schema("SignedIn"), &["400", "401", "423", "429"]) },
            "/auth/citizen-login": { "post": op("Citizen login with CPR number or e-mail and password", "session", Some("Login"), "200", schema("SignedIn"), &["400", "401", "423", "429"]) },
            "/auth/totp": { "post": op("Second factor (TOTP code) for a session that needs it", "session", Some("Totp"), "200", json!({"type": "object"}), &["401", "429"]) },
            "/auth/logout": { "post": op("End the session", "session", None, "204", json!({}), &["401"]) },
            "/me": { "get": op("Who am I: name, kind, memberships", "session", None, "200", json!({"type": "object"}), &["401"]) },
            "/citizens": {
                "get": { "parameters": [{ "name": "q", "in": "query", "schema": { "type": "string" }, "description": "CPR number (10 digits, or 6 for the birth date), phone number, or name words (æ/ø/å folded)" },
                                        { "name": "limit", "in": "query", "schema": { "type": "integer", "maximum": 50 } }],
                         "summary": "Search citizens (every hit is audited)", "tags": ["citizens"],
                         "responses": { "200": { "description": "hits", "content": { "application/json": { "schema": list("results", "CitizenSummary") } } }, "401": { "$ref": "#/components/responses/E401" }, "403": { "$ref": "#/components/responses/E403" } } },
                "post": op("Register a citizen", "citizens", Some("CitizenInput"), "201", schema("Citizen"), W)
            },
            "/citizens/{id}": {
                "parameters": id_param(),
                "get": op("Read a citizen (contact details only where allowed)", "citizens", None, "200", schema("Citizen"), R),
                "put": op("Replace a citizen's identity and contact details", "citizens", Some("CitizenInput"), "200", schema("Citizen"), W)
            },
            "/citizens/{id}/overview": { "parameters": id_param(), "get": op("The overview: identity, contact, programmes, care teams, consents", "citizens", None, "200", json!({"type": "object"}), R) },
            "/citizens/{id}/consents": {
                "parameters": id_param(),
                "get": op("Consent history", "care", None, "200", list("consents", "Consent"), R),
                "post": op("Record a consent given or withdrawn (acts at once)", "care", Some("NewConsent"), "201", schema("Consent"), W)
            },
            "/citizens/{id}/care-teams": {
                "parameters": id_param(),
                "get": op("Care teams with members", "care", None, "200", json!({"type": "object"}), R),
                "post": op("Create a care team", "care", Some("NewCareTeam"), "201", json!({"type": "object"}), W)
            },
            "/citizens/{id}/enrolments": { "parameters": id_param(), "post": op("Enrol in a programme, recording the consent to take part", "care", Some("NewEnrolment"), "201", json!({"type": "object"}), W) },
            "/citizens/{id}/access-log": { "parameters": id_param(), "get": op("Who has looked at the citizen's data (for the citizen)", "citizens", None, "200", json!({"type": "object"}), R) },
            "/citizens/{id}/observations": {
                "parameters": id_param(),
                "get": { "summary": "The citizen's measurements, newest first", "tags": ["monitoring"],
                         "parameters": [{ "name": "type", "in": "query", "schema": schema("MeasurementType") },
                                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000 } }],
                         "responses": { "200": { "description": "measurements", "content": { "application/json": { "schema": list("observations", "Observation") } } },
                                        "401": { "$ref": "#/components/responses/E401" }, "403": { "$ref": "#/components/responses/E403" }, "404": { "$ref": "#/components/responses/E404" } } },
                "post": op("Submit a home measurement: converted to canonical units, triaged for every care plan that asks for it (201; a retry with the same identifier, or device and time, answers 200 with the first)", "monitoring", Some("MeasurementInput"), "201", schema("Submitted"), W)
            },
            "/citizens/{id}/care-plans": { "parameters": id_param(), "get": op("The citizen's care plans with activities, thresholds and status", "monitoring", None, "200", list("care_plans", "CarePlan"), R) },
            "/citizens/{id}/assessments": { "parameters": id_param(), "get": op("The triage of the citizen's results per care plan, newest first (colour, every rule that fired, acknowledgement)", "monitoring", None, "200", list("assessments", "Assessment"), R) },
            "/citizens/{id}/acknowledgements": { "parameters": id_param(), "post": op("Acknowledge one result (assessment_id) or all of the citizen's on the caller's teams, with an optional message to the citizen; completes the tasks left with nothing unseen", "monitoring", Some("AckInput"), "201", json!({"type": "object"}), W) },
            "/citizens/{id}/notes": {
                "parameters": id_param(),
                "get": op("Clinicians' notes, newest first", "monitoring", None, "200", json!({"type": "object"}), R),
                "post": op("Add a note (important ones are shown first)", "monitoring", Some("NoteInput"), "201", json!({"type": "object"}), W)
            },
            "/citizens/{id}/messages": { "parameters": id_param(), "get": op("Messages between the citizen and the care team, newest first", "monitoring", None, "200", json!({"type": "object"}), R) },
            "/citizens/{id}/questionnaire-responses": { "parameters": id_param(), "post": op("Answer a questionnaire: checked by its rules, scored, triaged for every plan that asks for it (201; a retry with the same identifier answers 200)", "monitoring", Some("ResponseInput"), "201", json!({"type": "object"}), W) },
            "/care-plans/{id}/thresholds/{quantity}": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
                               { "name": "quantity", "in": "path", "required": true, "schema": { "type": "string" } }],
                "put": op("Override one quantity's thresholds for this citizen (reason required; the plan's history keeps old and new)", "monitoring", Some("ThresholdInput"), "200", schema("CarePlan"), W)
            },
            "/care-plans/{id}/status": { "parameters": id_param(), "post": op("Pause (e.g. during admission), resume or end a plan, with a reason", "monitoring", Some("PlanStatusInput"), "200", schema("CarePlan"), W) },
            "/care-plans/{id}/history": { "parameters": id_param(), "get": op("A plan's changes: created, thresholds (old and new), paused, resumed, ended — who, when, why", "monitoring", None, "200", json!({"type": "object"}), R) },
            "/worklist": { "get": { "summary": "Citizens with open work on the caller's teams: the most severe first, then the longest waiting (each shown citizen is audited)", "tags": ["monitoring"],
                "parameters": [{ "name": "programme", "in": "query", "schema": { "type": "string", "format": "uuid" } },
                               { "name": "org", "in": "query", "schema": { "type": "string", "format": "uuid" } },
                               { "name": "limit", "in": "query", "schema": { "type": "integer", "maximum": 500 } }],
                "responses": { "200": { "description": "the worklist", "content": { "application/json": { "schema": json!({"type": "object"}) } } }, "401": { "$ref": "#/components/responses/E401" }, "403": { "$ref": "#/components/responses/E403" } } } },
            "/tasks/{id}/{action}": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
                               { "name": "action", "in": "path", "required": true, "schema": { "type": "string", "enum": ["take", "release", "complete"] } }],
                "post": op("Take a task (a team member owns it), release it to the team, or complete it (a missing-result task; an alarm task closes by acknowledging)", "monitoring", None, "200", json!({"type": "object"}), W)
            },
            "/programmes/{id}/versions": {
                "parameters": id_param(),
                "get": op("A programme's versions (draft, active, retired)", "monitoring", None, "200", json!({"type": "object"}), R),
                "post": op("A new draft version: activities, thresholds, change rules, kit (the owning organisation)", "monitoring", Some("PlanDefinition"), "201", json!({"type": "object"}), W)
            },
            "/programme-versions/{id}/status": { "parameters": id_param(), "post": op("Activate a version (the active one retires) or retire it", "monitoring", Some("VersionStatusInput"), "200", json!({"type": "object"}), W) },
            "/programmes/{id}/alarm-burden": { "parameters": id_param(), "get": op("Alarms per 100 citizen-days, per rule, and the share acknowledged without action (from, to: RFC 3339; default the last 90 days)", "monitoring", None, "200", json!({"type": "object"}), R) },
            "/programmes": { "get": op("Programmes", "care", None, "200", json!({"type": "object"}), &["401"]) },
            "/organisations": {
                "get": op("Organisations (filter with q)", "admin", None, "200", list("organisations", "Organisation"), &["401"]),
                "post": op("Create an organisation (system administrators)", "admin", Some("NewOrganisation"), "201", schema("Organisation"), W)
            },
            "/organisations/{id}": { "parameters": id_param(), "get": op("One organisation", "admin", None, "200", schema("Organisation"), R) },
            "/users": {
                "get": op("Staff users (of org=, which the caller administers)", "admin", None, "200", json!({"type": "object"}), R),
                "post": op("Create a staff user with memberships", "admin", Some("NewStaffUser"), "201", json!({"type": "object"}), W)
            },
            "/users/{id}/memberships": { "parameters": id_param(), "post": op("Add a role in an organisation", "admin", Some("NewMembership"), "201", json!({"type": "object"}), W) },
            "/memberships/{id}": { "parameters": id_param(), "delete": op("End a membership now", "admin", None, "204", json!({}), R) },
            "/audit-events": { "get": { "summary": "Read the audit log with filters", "tags": ["admin"],
                "parameters": audit_params,
                "responses": { "200": { "description": "records, newest first", "content": { "application/json": { "schema": list("events", "AuditRecord") } } }, "401": { "$ref": "#/components/responses/E401" }, "403": { "$ref": "#/components/responses/E403" }, "422": { "$ref": "#/components/responses/E422" } } } },
            "/openapi.json": { "get": { "summary": "This document", "tags": ["meta"], "security": [], "responses": { "200": { "description": "OpenAPI 3.1" } } } }
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "API token made with `telesund token create`" },
                "session": { "type": "apiKey", "in": "cookie", "name": "telesund_session" }
            },
            "responses": error_responses,
            "schemas": {
                "Error": { "type": "object", "required": ["code", "message", "request_id"], "properties": {
                    "code": { "type": "string", "enum": ["invalid_cpr", "invalid_input", "malformed_json", "unknown_field", "payload_too_large", "not_found", "duplicate_cpr", "conflict", "unauthenticated", "forbidden", "invalid_credentials", "account_locked", "rate_limited", "csrf_failed", "second_factor_required", "invalid_second_factor", "unsupported_media_type", "method_not_allowed", "internal", "unavailable"] },
                    "message": { "type": "string" }, "request_id": { "type": "string" }, "location": { "type": "string", "description": "where in the input, e.g. line 3, column 7" } } },
                "MeasurementType": { "type": "string", "enum": ["blood_pressure", "pulse", "spo2", "weight", "temperature", "glucose", "steps", "fev1"] },
                "MeasurementInput": { "type": "object", "required": ["type", "values"], "additionalProperties": false, "properties": {
                    "type": schema("MeasurementType"),
                    "values": { "type": "array", "items": { "type": "object", "required": ["quantity", "value", "unit"], "properties": {
                        "quantity": { "type": "string", "enum": ["systolic", "diastolic", "pulse", "spo2", "weight", "temperature", "glucose", "steps", "fev1"] },
                        "value": { "type": "number" },
                        "unit": { "type": "string", "description": "UCUM: mm[Hg], /min, %, kg, [lb_av], Cel, [degF], mmol/L, mg/dL, L, ..." } } } },
                    "effective_at": { "type": "string", "format": "date-time", "description": "when measured; default now; at most 5 minutes ahead" },
                    "device": { "type": "string", "description": "serial number, IEEE 11073 system id or MAC" },
                    "identifier": { "type": "string", "description": "the sender's own id of this measurement (system|value); a retry with it creates nothing" } } },
                "Observation": { "type": "object", "description": "A stored measurement in canonical units, with who entered it (entered_by_name, on_behalf_of_name), the device, and times measured and received (UTC microseconds)." },
                "Submitted": { "type": "object", "properties": { "observation": schema("Observation"), "created": { "type": "boolean" },
                    "assessments": { "type": "array", "items": { "type": "object", "properties": { "care_plan_id": { "type": "string", "format": "uuid" }, "colour": { "type": "string", "enum": ["green", "blue", "yellow", "red"] }, "findings": { "type": "array" } } } } } },
                "Assessment": { "type": "object", "description": "One result triaged for one care plan: colour, findings (the rules that fired), acknowledgement." },
                "AckInput": { "type": "object", "additionalProperties": false, "properties": { "assessment_id": { "type": "string", "format": "uuid" }, "message": { "type": "string", "maxLength": 2000 }, "action_taken": { "type": "boolean" } } },
                "NoteInput": { "type": "object", "required": ["text"], "additionalProperties": false, "properties": { "text": { "type": "string", "maxLength": 4000 }, "important": { "type": "boolean" }, "care_plan_id": { "type": "string", "format": "uuid" } } },
                "ResponseInput": { "type": "object", "required": ["questionnaire", "answers"], "additionalProperties": false, "properties": {
                    "questionnaire": { "type": "string", "description": "the questionnaire's key, e.g. who5" }, "version": { "type": "string" },
                    "answers": { "type": "array", "items": { "type": "array", "prefixItems": [{ "type": "string" }, { "type": "object", "description": "{\"choice\": code} | {\"boolean\": b} | {\"integer\": n} | {\"decimal\": x} | {\"string\": s}" }] } },
                    "authored_at": { "type": "string", "format": "date-time" }, "identifier": { "type": "string" } } },
                "ThresholdInput": { "type": "object", "required": ["reason"], "additionalProperties": false, "properties": {
                    "alert_low": { "type": "number" }, "warning_low": { "type": "number" }, "warning_high": { "type": "number" }, "alert_high": { "type": "number" }, "reason": { "type": "string" } } },
                "PlanStatusInput": { "type": "object", "required": ["status", "reason"], "additionalProperties": false, "properties": { "status": { "type": "string", "enum": ["active", "paused", "ended"] }, "reason": { "type": "string" } } },
                "PlanDefinition": { "type": "object", "description": "activities (measurement or questionnaire, each with a schedule), thresholds, change_rules, kit" },
                "VersionStatusInput": { "type": "object", "required": ["status"], "additionalProperties": false, "properties": { "status": { "type": "string", "enum": ["active", "retired"] } } },
                "CarePlan": { "type": "object", "description": "A programme version applied to one citizen: activities with schedules, thresholds, change rules, kit; status active, paused or ended." },
                "Login": { "type": "object", "required": ["login", "password"], "additionalProperties": false, "properties": { "login": { "type": "string" }, "password": { "type": "string" } } },
                "Totp": { "type": "object", "required": ["code"], "properties": { "code": { "type": "string", "pattern": "^[0-9]{6}$" } } },
                "SignedIn": { "type": "object", "properties": { "csrf_token": { "type": "string" }, "second_factor_required": { "type": "boolean" } } },
                "Address": { "type": "object", "additionalProperties": false, "properties": { "line": { "type": "string" }, "postal_code": { "type": "string", "pattern": "^[0-9]{4}$" }, "city": { "type": "string" } } },
                "CitizenInput": { "type": "object", "required": ["cpr", "given_name", "family_name"], "additionalProperties": false, "properties": {
                    "cpr": { "type": "string", "description": "DDMMYYSSSS or DDMMYY-SSSS; a real date; century from the 7th digit" },
                    "given_name": { "type": "string" }, "family_name": { "type": "string" }, "address": schema("Address"),
                    "municipality_id": { "type": "string", "format": "uuid" }, "phones": { "type": "array", "items": { "type": "string" } },
                    "email": { "type": "string" }, "language": { "type": "string", "enum": ["da", "en"] }, "needs_assisted_support": { "type": "boolean" },
                    "next_of_kin": { "type": "array", "items": { "type": "object", "required": ["name", "relation"], "properties": { "name": { "type": "string" }, "relation": { "type": "string" }, "phone": { "type": "string" } } } } } },
                "Citizen": { "type": "object", "properties": { "id": { "type": "string", "format": "uuid" }, "cpr": { "type": "string" }, "given_name": { "type": "string" }, "family_name": { "type": "string" }, "address": schema("Address"), "phones": { "type": "array", "items": { "type": "string" } }, "email": { "type": ["string", "null"] }, "language": { "type": "string" }, "needs_assisted_support": { "type": "boolean" }, "next_of_kin": { "type": "array" } } },
                "CitizenSummary": { "type": "object", "properties": { "id": { "type": "string", "format": "uuid" }, "cpr": { "type": "string" }, "name": { "type": "string" }, "municipality": { "type": ["string", "null"] } } },
                "Organisation": { "type": "object", "properties": { "id": { "type": "string", "format": "uuid" }, "name": { "type": "string" }, "kind": { "type": "string" }, "sor_code": { "type": ["string", "null"] }, "cvr": { "type": ["string", "null"] }, "parent_id": { "type": ["string", "null"] }, "active": { "type": "boolean" } } },
                "NewOrganisation": { "type": "object", "required": ["name", "kind"], "additionalProperties": false, "properties": { "name": { "type": "string" }, "kind": { "type": "string", "enum": ["region", "municipality", "hospital", "hospital_department", "general_practice", "service_centre", "partner"] }, "sor_code": { "type": "string" }, "cvr": { "type": "string", "pattern": "^[0-9]{8}$" }, "parent_id": { "type": "string", "format": "uuid" } } },
                "NewMembership": { "type": "object", "required": ["org_id", "role"], "additionalProperties": false, "properties": { "org_id": { "type": "string", "format": "uuid" }, "role": { "type": "string", "enum": ["system_admin", "org_admin", "clinician", "social_supporter", "service_desk_agent", "logistics_technician", "educator", "analyst"] } } },
                "NewStaffUser": { "type": "object", "required": ["email", "name"], "additionalProperties": false, "properties": { "email": { "type": "string" }, "name": { "type": "string" }, "password": { "type": "string", "minLength": 10 }, "memberships": { "type": "array", "items": schema("NewMembership") } } },
                "Consent": { "type": "object", "properties": { "id": { "type": "string" }, "consent_type": { "type": "string" }, "programme_id": { "type": ["string", "null"] }, "status": { "type": "string", "enum": ["given", "withdrawn"] }, "recorded_by_name": { "type": "string" }, "recorded_at": { "type": "integer", "description": "UTC microseconds" }, "note": { "type": "string" } } },
                "NewConsent": { "type": "object", "required": ["consent_type", "status"], "additionalProperties": false, "properties": { "consent_type": { "type": "string", "enum": ["telemedicine_participation", "cross_sector_sharing", "logistics_address_sharing", "social_staff_sharing"] }, "programme_id": { "type": "string", "format": "uuid" }, "status": { "type": "string", "enum": ["given", "withdrawn"] }, "note": { "type": "string" } } },
                "NewCareTeam": { "type": "object", "required": ["name", "managing_org_id"], "properties": { "name": { "type": "string" }, "managing_org_id": { "type": "string", "format": "uuid" }, "members": { "type": "array", "items": { "type": "object", "required": ["org_id", "role", "scope"], "properties": { "org_id": { "type": "string" }, "user_id": { "type": "string" }, "role": { "type": "string" }, "scope": { "type": "string", "enum": ["clinical", "social_support", "service_support"] } } } } } },
                "NewEnrolment": { "type": "object", "required": ["programme_id", "org_id", "consent_note"], "properties": { "programme_id": { "type": "string", "format": "uuid" }, "org_id": { "type": "string", "format": "uuid" }, "consent_note": { "type": "string" } } },
                "AuditRecord": { "type": "object", "properties": { "id": { "type": "string" }, "at": { "type": "integer" }, "actor_kind": { "type": "string" }, "actor_name": { "type": "string" }, "actor_org_id": { "type": ["string", "null"] }, "actor_role": { "type": ["string", "null"] }, "action": { "type": "string" }, "entity": { "type": "string" }, "citizen_id": { "type": ["string", "null"] }, "category": { "type": ["string", "null"] }, "purpose": { "type": "string" }, "outcome_allowed": { "type": "boolean" }, "reason": { "type": "string" }, "request_id": { "type": "string" }, "client_addr": { "type": "string" } } }
            }
        }
    })
}

pub async fn serve() -> impl IntoResponse {
    Json(document())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_lists_exactly_the_routes() {
        let doc = super::document();
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in ["get", "post", "put", "delete", "patch"] {
                if item.get(method).is_some() {
                    documented.push((method.to_string(), path.clone()));
                }
            }
        }
        let mut routes: Vec<(String, String)> = super::super::ROUTES
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        documented.sort();
        routes.sort();
        assert_eq!(documented, routes);
    }
}
