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
    let mut doc = json!({
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
    });
    add_equipment(&mut doc);
    add_servicedesk(&mut doc);
    // knowledge base
    {
        const T: &str = "knowledge";
        let uuid = || json!({ "type": "string", "format": "uuid" });
        let category = || json!({ "type": ["string", "null"], "enum": ["measurement_help", "equipment_fault", "delivery_pickup", "login_access", "staff_question", "other", null] });
        let kind = || json!({ "type": "string", "enum": ["guide", "reply_template"] });
        let audience = || json!({ "type": "string", "enum": ["public", "internal"], "description": "public: everyone signed in once published; internal: the service desk" });
        let language = || json!({ "type": "string", "enum": ["da", "en"] });
        let status = || json!({ "type": "string", "enum": ["draft", "published", "retired"] });
        let ts = || json!({ "type": "integer", "description": "UTC microseconds" });
        let write: &[&str] = &["400", "401", "403", "404", "413", "415", "422"];
        let mut picture_post = op(
            "Add a picture to an article (the service desk): the raw bytes as the body, PNG, JPEG or WebP as Content-Type (checked against the bytes), at most 1 MiB; answers with the line that shows it in the body",
            T,
            None,
            "201",
            object(
                json!({ "id": uuid(), "article_id": uuid(), "content_type": { "type": "string" }, "alt": { "type": "string" }, "line": { "type": "string", "description": "![alt](image:<id>)" } }),
            ),
            write,
        );
        picture_post["parameters"] = json!([
            id_param()[0].clone(),
            query(
                "alt",
                json!({ "type": "string", "maxLength": 300 }),
                "required: what the picture shows, for those who cannot see it"
            )
        ]);
        picture_post["requestBody"] = json!({ "required": true, "content": { "image/png": { "schema": { "type": "string", "format": "binary" } }, "image/jpeg": { "schema": { "type": "string", "format": "binary" } }, "image/webp": { "schema": { "type": "string", "format": "binary" } } } });
        let mut picture_get = op(
            "A picture, for whoever may read its article (a published public guide: everyone signed in)",
            T,
            None,
            "200",
            json!({}),
            &["401", "403", "404"],
        );
        picture_get["responses"]["200"] = json!({ "description": "the picture", "content": { "image/png": {}, "image/jpeg": {}, "image/webp": {} } });
        let paths = json!({
            "/knowledge/articles": {
                "get": get_with("Search the knowledge base: every word (æ/ø/å folded) must occur in the title or body; titles with all of them first. Everyone signed in finds published public guides; the service desk also internal articles and reply templates, and drafts with include_drafts", T,
                    vec![query("q", json!({ "type": "string" }), "search words"), query("kind", kind(), ""), query("audience", audience(), "internal: the service desk only"),
                         query("language", language(), ""), query("category", json!({ "type": "string" }), "a case category"), query("model", uuid(), "a device model"),
                         query("include_drafts", json!({ "type": "boolean" }), "drafts and retired articles too (the service desk only)")],
                    list("articles", "ArticleSummary"), &["400", "401", "403"]),
                "post": op("Write an article (the service desk)", T, Some("ArticleInput"), "201", schema("Article"), write)
            },
            "/knowledge/articles/{id}": {
                "parameters": id_param(),
                "get": op("An article with its models, pictures and body as blocks; anything but a published public guide is for the service desk", T, None, "200", schema("Article"), &["401", "403", "404"]),
                "put": op("Change an article (its models are replaced)", T, Some("ArticleInput"), "200", schema("Article"), write)
            },
            "/knowledge/articles/{id}/images": { "post": picture_post },
            "/knowledge/images/{id}": { "parameters": id_param(), "get": picture_get }
        });
        let schemas = json!({
            "ArticleInput": { "type": "object", "required": ["audience", "title", "body"], "additionalProperties": false, "properties": {
                "kind": kind(), "language": language(), "audience": audience(), "category": category(),
                "title": { "type": "string", "minLength": 1, "maxLength": 200 },
                "body": { "type": "string", "minLength": 1, "maxLength": 20000, "description": "plain text: paragraphs split by a blank line, numbered steps ('1. …'), pictures on their own line as ![what it shows](image:<id>) of this article's pictures" },
                "status": status(), "models": { "type": "array", "items": uuid() } },
                "description": "kind defaults to guide, language to da, status to draft. A reply template is internal; a guide names at least one model or a category." },
            "Article": { "type": "object", "properties": {
                "id": uuid(), "kind": kind(), "language": language(), "audience": audience(), "category": category(),
                "title": { "type": "string" }, "body": { "type": "string" }, "status": status(),
                "created_at": ts(), "updated_at": ts(), "updated_by_name": { "type": "string" },
                "models": { "type": "array", "items": object(json!({ "id": uuid(), "name": { "type": "string" } })) },
                "images": { "type": "array", "items": object(json!({ "id": uuid(), "content_type": { "type": "string" }, "alt": { "type": "string" } })) },
                "blocks": { "type": "array", "items": { "type": "object", "description": "type paragraph (lines), steps (start, items) or picture (image, alt)" } } } },
            "ArticleSummary": { "type": "object", "properties": {
                "id": uuid(), "kind": kind(), "language": language(), "audience": audience(), "category": category(),
                "title": { "type": "string" }, "excerpt": { "type": "string" }, "status": status(), "updated_at": ts(),
                "models": { "type": "array", "items": uuid() } } }
        });
        if let (Value::Object(p), Value::Object(s)) = (paths, schemas) {
            doc["paths"].as_object_mut().expect("paths").extend(p);
            doc["components"]["schemas"]
                .as_object_mut()
                .expect("schemas")
                .extend(s);
        }
    }
    // service desk reports
    {
        let day = |what: &str| {
            query(
                what,
                json!({ "type": "string", "format": "date" }),
                match what {
                    "from" => {
                        "the first day (Copenhagen), YYYY-MM-DD; give with to; both left out: the current month"
                    }
                    _ => "the last day, included; at most 366 days from the first",
                },
            )
        };
        let params = || {
            vec![
                day("from"),
                day("to"),
                query(
                    "centre",
                    json!({ "type": "string", "format": "uuid" }),
                    "one service centre; default every centre",
                ),
            ]
        };
        let count = |value: Value| json!({ "type": "array", "items": object(json!({ "value": value, "cases": { "type": "integer" } })) });
        let named = json!({ "type": "array", "description": "most cases first; name null: the cases without one, last", "items": object(json!({ "name": { "type": ["string", "null"] }, "cases": { "type": "integer" } })) });
        let percent = json!({ "type": ["number", "null"], "description": "per cent, one decimal; null when nothing is decided" });
        let minutes = json!({ "type": ["integer", "null"] });
        let attainment = object(
            json!({ "met": { "type": "integer" }, "breached": { "type": "integer" }, "running": { "type": "integer", "description": "running or paused within the target: not decided" }, "percent_met": percent }),
        );
        let report = json!({ "type": "object", "description": "The service desk's figures for the cases opened in a period (merged duplicates left out); SLA clocks judged on the centre's business calendar (acute: around the clock) at generated_at.", "properties": {
            "period": object(json!({ "from": { "type": "string", "format": "date" }, "to": { "type": "string", "format": "date" } })),
            "generated_at": { "type": "integer", "description": "UTC microseconds" },
            "total": { "type": "integer" },
            "by_channel": count(json!({ "type": "string", "enum": ["phone", "web", "staff", "automatic"] })),
            "by_category": count(json!({ "type": "string", "enum": ["measurement_help", "equipment_fault", "delivery_pickup", "login_access", "staff_question", "other"] })),
            "by_model": named.clone(), "by_payer": named,
            "first_response": attainment.clone(), "resolution": attainment,
            "first_contact": object(json!({ "resolved": { "type": "integer" }, "first_contact": { "type": "integer" }, "percent": percent })),
            "time_to_resolve": object(json!({ "resolved": { "type": "integer" }, "median_working_minutes": minutes, "median_calendar_minutes": minutes })),
            "top_faults": { "type": "array", "description": "at most five models, most equipment faults first", "items": object(json!({ "model": { "type": "string" }, "faults": { "type": "integer" }, "cases": { "type": "integer" }, "percent_of_cases": { "type": "number" } })) },
            "proactive": object(json!({ "cases": { "type": "integer" }, "data_flowing": { "type": "integer" }, "median_minutes_to_data": minutes })) } });
        let errors: &[&str] = &["400", "401", "403", "422"];
        let mut csv = get_with(
            "The same report as CSV: semicolons, decimal commas, one figure a row (afsnit;emne;nøgletal;værdi)",
            "servicedesk",
            params(),
            json!({}),
            errors,
        );
        csv["responses"]["200"] = json!({ "description": "the report", "content": { "text/csv": { "schema": { "type": "string" } } } });
        let paths = doc["paths"].as_object_mut().expect("paths");
        paths.insert("/servicedesk/reports".into(), json!({ "get": get_with("The service desk's report for a period: cases per channel, category, model and payer; SLA attainment; first-contact resolution; time to resolve; top faults per model; proactive cases", "servicedesk", params(), schema("ServiceReport"), errors) }));
        paths.insert("/servicedesk/reports.csv".into(), json!({ "get": csv }));
        doc["components"]["schemas"]
            .as_object_mut()
            .expect("schemas")
            .insert("ServiceReport".into(), report);
    }
    doc
}

/// A query parameter.
fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "query", "schema": schema, "description": description })
}

/// A GET with query parameters.
fn get_with(summary: &str, tag: &str, params: Vec<Value>, ok: Value, errors: &[&str]) -> Value {
    let mut o = op(summary, tag, None, "200", ok, errors);
    o["parameters"] = Value::Array(params);
    o
}

fn object(properties: Value) -> Value {
    json!({ "type": "object", "properties": properties })
}

/// The equipment capability's paths and schemas, added to the document. One `json!` per
/// group keeps each macro call well inside the recursion limit.
fn add_equipment(doc: &mut Value) {
    const R: &[&str] = &["401", "403", "404"];
    const W: &[&str] = &["400", "401", "403", "404", "409", "413", "415", "422"];
    const T: &str = "equipment";
    let uuid = || json!({ "type": "string", "format": "uuid" });
    let date = || json!({ "type": "string", "format": "date", "description": "YYYY-MM-DD" });
    let ore = || json!({ "type": "integer", "description": "øre (1/100 DKK)" });
    let catalogue = json!({
        "/equipment/models": {
            "get": op("The approved catalogue: every model with its UDI-DI, prices (øre) and maintenance interval", T, None, "200", list("models", "Model"), &["401"]),
            "post": op("Add a model (without id: 201) or change one (with its id: 200); the service centre", T, Some("ModelInput"), "201", schema("Model"), W)
        },
        "/equipment/kits": {
            "get": op("The programmes' kits: the device roles each needs and the models that may fill them", T, None, "200", list("kits", "Kit"), &["401"]),
            "put": op("Set a programme's kit (one per programme; saving replaces its roles)", T, Some("KitInput"), "200", schema("Kit"), W)
        },
        "/equipment/service-prices": {
            "get": op("What a visit of each FUT service type costs (øre)", T, None, "200", list("prices", "ServicePrice"), &["401"]),
            "put": op("Set the price of one service type; answers with every price", T, Some("ServicePrice"), "200", list("prices", "ServicePrice"), W)
        },
        "/equipment/warehouses": {
            "get": op("Warehouses and the organisation owning each", T, None, "200", list("warehouses", "Warehouse"), &["401"]),
            "post": op("Create a warehouse", T, Some("NewWarehouse"), "201", schema("Warehouse"), W)
        }
    });
    let units = json!({
        "/equipment/units": {
            "get": get_with("Units in the given lifecycle states (every state when left out)", T,
                vec![query("state", json!({ "type": "string" }), "comma-separated or repeated: received, incoming_inspection, available, reserved, prepared, in_transit, in_use, swap_pending, in_transit_back, quarantine, reprocessing, repair, lost, recall_hold, retired, disposed")],
                list("units", "UnitSummary"), &["400", "401", "403"]),
            "post": op("Receive a unit from the supplier into a warehouse (state received)", T, Some("NewUnit"), "201", schema("UnitSummary"), W)
        },
        "/equipment/units/lookup": {
            "get": get_with("Find a unit by what was scanned or typed: a GS1 label, a serial number or the id the device reports with (404 when none)", T,
                vec![query("scan", json!({ "type": "string" }), "required")], schema("UnitSummary"), &["400", "401", "403", "404"])
        },
        "/equipment/units/{id}": { "parameters": id_param(), "get": op("A unit's page: history, assignments, reprocessing, maintenance, measurements that named it, the events that may be recorded by hand now (citizens named are audited)", T, None, "200", schema("UnitPage"), R) },
        "/equipment/units/{id}/events": { "parameters": id_param(), "post": op("Record a lifecycle event by hand (inspection, goods in, fault, loss, repair, retirement …); one the lifecycle does not allow now, or one that belongs to an order, a reprocessing record or a recall, is 409", T, Some("UnitEventInput"), "200", schema("UnitSummary"), W) },
        "/equipment/units/{id}/reprocessing": { "parameters": id_param(), "post": op("The hygiene record that ends reprocessing: passed, the unit is available; a failed function test sends it to repair; an incomplete record is refused", T, Some("ReprocessingInput"), "201", schema("UnitSummary"), W) },
        "/equipment/units/{id}/maintenance": { "parameters": id_param(), "post": op("Record a calibration, battery change or software update done on a unit", T, Some("MaintenanceRecordInput"), "201", object(json!({ "unit_id": uuid(), "kind": { "type": "string" }, "done_on": date(), "notes": { "type": "string" } })), W) },
        "/equipment/units/{id}/holders": { "parameters": id_param(), "get": op("Who had this unit, newest first (each citizen is audited)", T, None, "200", list("holders", "Holder"), R) },
        "/equipment/units/{id}/service-orders": { "parameters": id_param(), "post": op("A service visit for a unit in a home (TRAINING, CALIBRATION, MAINTENANCE, REPAIR on site); the order closes when the visit is done", T, Some("ServiceOrderInput"), "201", schema("Order"), W) },
        "/equipment/units/{id}/replacement": { "parameters": id_param(), "post": op("A faulty unit in a home: mark it swap pending and order a replacement of the same role (REPLACE)", T, Some("ReplacementInput"), "201", schema("Order"), W) },
        "/equipment/units/{id}/recall-release": { "parameters": id_param(), "post": op("Lift a unit's recall hold after the manufacturer's all-clear (a unit in a home stays in use; anything else goes to quarantine)", T, Some("ReasonInput"), "200", schema("UnitSummary"), W) },
        "/equipment/lots/holders": {
            "get": get_with("Which citizens had units of a model (UDI-DI) and, if given, one lot (each citizen is audited)", T,
                vec![query("udi_di", json!({ "type": "string", "pattern": "^[0-9]{14}$" }), "required"), query("lot", json!({ "type": "string" }), "")],
                list("holders", "Holder"), &["400", "401", "403"])
        },
        "/equipment/recalls": { "post": op("Recall a model (UDI-DI) or one lot: every unit not out of service goes on recall hold; the citizens who have one are listed with their programmes and care teams", T, Some("RecallInput"), "201", schema("RecallReport"), W) }
    });
    let orders = json!({
        "/citizens/{id}/equipment": { "parameters": id_param(), "get": op("A citizen's equipment: units with the plans each serves, orders with their trace, visits (staff who may see the citizen's support data)", T, None, "200", schema("CitizenEquipment"), R) },
        "/care-plans/{id}/kit-order": {
            "parameters": id_param(),
            "get": op("What ordering the plan's kit would come to now, without ordering (404 when the programme has no kit)", T, None, "200", schema("KitPlan"), R),
            "post": op("Order the plan's kit: units the citizen already has take the plan on, roles on their way join that line, only the rest is ordered (needs the consent to share the address with logistics)", T, Some("KitOrderInput"), "201", schema("KitOrderOutcome"), W)
        },
        "/equipment/orders": {
            "get": get_with("Orders in the given statuses, oldest first (every open order when left out)", T,
                vec![query("status", json!({ "type": "string" }), "comma-separated or repeated: draft, submitted, accepted, rejected, scheduled, picking, dispatched, installed, active, change_requested, return_requested, collected, closed, cancelled")],
                list("orders", "Order"), &["400", "401", "403"])
        },
        "/equipment/orders/{id}": { "parameters": id_param(), "get": op("One order with its lines and trace", T, None, "200", schema("Order"), R) },
        "/equipment/orders/{id}/status": { "parameters": id_param(), "post": op("Accept, reject (with a reason), cancel, request a return or close an order; the ordering clinician may cancel an order not yet accepted", T, Some("OrderStatusInput"), "200", schema("Order"), W) },
        "/equipment/orders/{id}/dispatch": { "parameters": id_param(), "post": op("Dispatch a picked order (every line allocated)", T, None, "200", schema("Order"), W) },
        "/equipment/orders/{id}/visits": { "parameters": id_param(), "post": op("Schedule the visit an accepted order (or a requested return) needs, on a working day", T, Some("VisitInput"), "201", schema("Visit"), W) },
        "/equipment/order-lines/{id}/allocation": { "parameters": id_param(), "post": op("Allocate a scanned unit to an order line (available, of a model the line accepts); the first allocation starts the picking", T, Some("ScanInput"), "200", schema("Order"), W) }
    });
    let visits = json!({
        "/equipment/visits": {
            "get": get_with("A day's planned visits, with address and phone where the citizen consented to share them with logistics (each citizen is audited)", T,
                vec![query("day", date(), "default today"), query("technician", uuid(), "one technician's visits")],
                object(json!({ "day": date(), "visits": { "type": "array", "items": schema("PlannedVisit") } })), &["400", "401", "403"])
        },
        "/equipment/visits/{id}/completion": { "parameters": id_param(), "post": op("Complete a visit: an installation (with its proof) puts the units into use and starts their assignments; a collection takes them back; a calibration records maintenance", T, Some("CompletionInput"), "200", schema("Visit"), W) },
        "/equipment/maintenance-due": {
            "get": get_with("Units due for preventive maintenance within days (default 30), or overdue, with any visit planned", T,
                vec![query("days", json!({ "type": "integer", "minimum": 0, "maximum": 3650 }), "default 30")],
                object(json!({ "days": { "type": "integer" }, "units": { "type": "array", "items": schema("DueUnit") } })), &["400", "401", "403"])
        },
        "/equipment/maintenance-visits": { "post": op("Plan a calibration visit for every unit in a home due within days that has none", T, Some("MaintenanceVisitsInput"), "201", object(json!({ "planned": { "type": "integer" } })), W) }
    });
    let stock = json!({
        "/equipment/stock": { "get": op("Stock per warehouse and model: available, other ready, dirty, reorder level", T, None, "200", list("stock", "StockLine"), &["401", "403"]) },
        "/equipment/stock/reorder-levels": { "put": op("Set a warehouse's reorder level for a model", T, Some("ReorderLevelInput"), "200", schema("ReorderLevelInput"), W) },
        "/equipment/stock-takes": { "post": op("Start a stock-take of a warehouse", T, Some("StockTakeInput"), "201", object(json!({ "id": uuid(), "warehouse_id": uuid() })), W) },
        "/equipment/stock-takes/{id}/scans": { "parameters": id_param(), "post": op("Record one scan in a running stock-take (scanning twice is harmless)", T, Some("ScanInput"), "200", schema("UnitSummary"), W) },
        "/equipment/stock-takes/{id}/finish": { "parameters": id_param(), "post": op("Finish a stock-take: units recorded there but not scanned, and scanned but recorded elsewhere", T, None, "200", schema("StockTakeResult"), W) },
        "/equipment/statements": {
            "get": get_with("A month's statements (rent per day and share, visits, reprocessing; integer øre that add up exactly), of every paying organisation or of one", T,
                vec![query("month", json!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" }), "required, YYYY-MM"), query("payer", uuid(), "one paying organisation")],
                object(json!({ "month": { "type": "string" }, "statements": { "type": "array", "items": schema("NamedStatement") } })), &["400", "401", "403"])
        },
        "/equipment/statements.csv": {
            "get": { "summary": "One paying organisation's statement as CSV (semicolons, amounts in kroner with a decimal comma, the total last)", "tags": [T],
                     "parameters": [query("month", json!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" }), "required, YYYY-MM"), query("payer", uuid(), "required")],
                     "responses": { "200": { "description": "the statement", "content": { "text/csv": { "schema": { "type": "string" } } } },
                                    "400": { "$ref": "#/components/responses/E400" }, "401": { "$ref": "#/components/responses/E401" }, "403": { "$ref": "#/components/responses/E403" } } }
        }
    });
    let inputs = json!({
        "ModelInput": { "type": "object", "required": ["manufacturer", "name", "role", "udi_di", "connectivity", "hygiene_class", "reprocessing_procedure", "purchase_price", "day_rate", "reprocessing_price"], "additionalProperties": false, "properties": {
            "id": { "type": "string", "format": "uuid", "description": "the model to change; a new one when left out" },
            "manufacturer": { "type": "string" }, "name": { "type": "string" },
            "role": { "type": "string", "enum": ["tablet", "bp_monitor", "scale", "pulse_oximeter", "glucose_meter", "thermometer", "spirometer"] },
            "udi_di": { "type": "string", "pattern": "^[0-9]{14}$", "description": "GS1 UDI-DI with its check digit" },
            "measures": { "type": "array", "items": schema("MeasurementType") },
            "connectivity": { "type": "string", "enum": ["bluetooth", "cellular", "wifi", "none"] },
            "hygiene_class": { "type": "string", "enum": ["non_critical", "semi_critical"] },
            "reprocessing_procedure": { "type": "string" },
            "maintenance": { "type": "object", "required": ["kind", "interval_days"], "additionalProperties": false, "properties": { "kind": { "type": "string", "enum": ["calibration", "battery", "software_update"] }, "interval_days": { "type": "integer", "minimum": 1 } } },
            "purchase_price": ore(), "day_rate": ore(), "reprocessing_price": ore(),
            "status": { "type": "string", "enum": ["approved", "phasing_out", "withdrawn"], "default": "approved" },
            "programmes": { "type": "array", "items": uuid(), "description": "empty: every programme" },
            "organisations": { "type": "array", "items": uuid(), "description": "empty: every organisation" } } },
        "KitInput": { "type": "object", "required": ["programme_id", "name", "roles"], "additionalProperties": false, "properties": {
            "id": uuid(), "programme_id": uuid(), "name": { "type": "string" },
            "roles": { "type": "array", "items": { "type": "object", "required": ["role", "models"], "additionalProperties": false, "properties": { "role": { "type": "string" }, "models": { "type": "array", "items": uuid() } } } } } },
        "ServicePrice": { "type": "object", "required": ["service_type", "price"], "additionalProperties": false, "properties": {
            "service_type": { "type": "string", "enum": ["DELIVER", "INSTALL", "TRAINING", "PICKUP", "REPAIR", "REPLACE", "CALIBRATION", "MAINTENANCE"] }, "price": ore() } },
        "NewWarehouse": { "type": "object", "required": ["org_id", "name"], "additionalProperties": false, "properties": { "org_id": uuid(), "name": { "type": "string" }, "address": { "type": "string" } } },
        "NewUnit": { "type": "object", "required": ["model_id", "serial", "purchased_on", "warehouse_id"], "additionalProperties": false, "properties": {
            "model_id": uuid(), "serial": { "type": "string", "maxLength": 80 }, "lot": { "type": "string" }, "expiry": date(),
            "software_version": { "type": "string" }, "device_id": { "type": "string", "description": "the id the device reports measurements with (MAC, IEEE 11073 system id)" },
            "purchased_on": date(), "purchase_price": ore(), "warehouse_id": uuid() } },
        "UnitEventInput": { "type": "object", "required": ["event"], "additionalProperties": false, "properties": {
            "event": { "type": "string", "enum": ["start_inspection", "pass_inspection", "fail_inspection", "undeliverable", "report_fault", "fault_cleared", "goods_in", "start_reprocessing", "repaired", "report_lost", "found", "retire", "dispose"] },
            "reason": { "type": "string", "description": "required for fail_inspection, report_fault, report_lost and retire" } } },
        "ReprocessingInput": { "type": "object", "required": ["cleaning_method", "disinfection_agent", "contact_time_minutes", "operator", "function_test_passed"], "additionalProperties": false, "properties": {
            "cleaning_method": { "type": "string" }, "disinfection_agent": { "type": "string" }, "contact_time_minutes": { "type": "integer", "minimum": 0 },
            "operator": { "type": "string" }, "data_wiped": { "type": "boolean" }, "factory_reset": { "type": "boolean" },
            "function_test_passed": { "type": "boolean" }, "notes": { "type": "string" } } },
        "MaintenanceRecordInput": { "type": "object", "required": ["kind"], "additionalProperties": false, "properties": {
            "kind": { "type": "string", "enum": ["calibration", "battery", "software_update"] }, "done_on": date(), "notes": { "type": "string" } } },
        "ServiceOrderInput": { "type": "object", "required": ["service"], "additionalProperties": false, "properties": { "service": { "type": "string", "enum": ["TRAINING", "CALIBRATION", "MAINTENANCE", "REPAIR"] }, "note": { "type": "string" } } },
        "ReplacementInput": { "type": "object", "required": ["fault"], "additionalProperties": false, "properties": { "fault": { "type": "string" } } },
        "ReasonInput": { "type": "object", "required": ["reason"], "additionalProperties": false, "properties": { "reason": { "type": "string" } } },
        "RecallInput": { "type": "object", "required": ["udi_di", "reason"], "additionalProperties": false, "properties": {
            "udi_di": { "type": "string", "pattern": "^[0-9]{14}$" }, "lot": { "type": "string" }, "reason": { "type": "string", "description": "the field safety notice" } } },
        "KitOrderInput": { "type": "object", "additionalProperties": false, "properties": {
            "service": { "type": "string", "enum": ["INSTALL", "DELIVER"], "default": "INSTALL" },
            "priority": { "type": "string", "enum": ["routine", "urgent"], "default": "routine" },
            "delivery": { "type": "object", "additionalProperties": false, "properties": {
                "earliest": date(), "latest": date(), "door_code": { "type": "string" }, "contact_person": { "type": "string" }, "notes": { "type": "string" } } } } },
        "OrderStatusInput": { "type": "object", "required": ["status"], "additionalProperties": false, "properties": {
            "status": { "type": "string", "enum": ["accepted", "rejected", "cancelled", "return_requested", "closed"] }, "note": { "type": "string", "description": "the reason, required to reject or cancel" } } },
        "ScanInput": { "type": "object", "required": ["scan"], "additionalProperties": false, "properties": { "scan": { "type": "string", "description": "a GS1 label, a serial number or a reported device id" } } },
        "VisitInput": { "type": "object", "required": ["day"], "additionalProperties": false, "properties": { "day": date(), "technician_id": uuid() } },
        "CompletionInput": { "type": "object", "additionalProperties": false, "properties": {
            "proof": { "type": "object", "required": ["pairing_tested", "first_measurement_received", "citizen_instructed", "signed_by"], "additionalProperties": false, "description": "required for an installation", "properties": {
                "pairing_tested": { "type": "boolean" }, "first_measurement_received": { "type": "boolean" }, "citizen_instructed": { "type": "boolean" }, "signed_by": { "type": "string" } } },
            "notes": { "type": "string" } } },
        "MaintenanceVisitsInput": { "type": "object", "required": ["days"], "additionalProperties": false, "properties": { "days": { "type": "integer", "minimum": 0, "maximum": 3650 } } },
        "ReorderLevelInput": { "type": "object", "required": ["warehouse_id", "model_id", "level"], "additionalProperties": false, "properties": { "warehouse_id": uuid(), "model_id": uuid(), "level": { "type": "integer", "minimum": 0 } } },
        "StockTakeInput": { "type": "object", "required": ["warehouse_id"], "additionalProperties": false, "properties": { "warehouse_id": uuid() } }
    });
    let answers = json!({
        "Model": { "type": "object", "description": "An approved device model: as ModelInput, with its id (maintenance null when the model has no fixed interval)." },
        "Kit": { "type": "object", "properties": { "id": uuid(), "programme_id": uuid(), "name": { "type": "string" },
            "roles": { "type": "array", "items": { "type": "object", "properties": { "role": { "type": "string" }, "models": { "type": "array", "items": uuid() } } } } } },
        "Warehouse": { "type": "object", "properties": { "id": uuid(), "org_id": uuid(), "name": { "type": "string" }, "address": { "type": "string" } } },
        "Unit": { "type": "object", "properties": { "id": uuid(), "model_id": uuid(),
            "pi": { "type": "object", "properties": { "serial": { "type": "string" }, "lot": { "type": ["string", "null"] }, "expiry": { "type": ["string", "null"], "format": "date" }, "software_version": { "type": ["string", "null"] } } },
            "device_id": { "type": ["string", "null"] }, "purchased_on": date(), "purchase_price": ore(), "state": { "type": "string" }, "before_hold": { "type": ["string", "null"] },
            "location": { "type": "object", "description": "kind warehouse (warehouse_id), home (citizen_id), technician (user_id) or supplier" },
            "warehouse_id": uuid(), "updated_at": { "type": "integer", "description": "UTC microseconds" } } },
        "UnitSummary": { "type": "object", "properties": { "unit": schema("Unit"), "model": schema("Model"), "holder": { "type": ["string", "null"], "description": "the citizen the unit is reserved for, on its way to, or with" } } },
        "UnitPage": { "type": "object", "properties": { "summary": schema("UnitSummary"), "warehouse_name": { "type": "string" }, "history": { "type": "array", "items": { "type": "object" } },
            "assignments": { "type": "array", "items": { "type": "object" } }, "reprocessing": { "type": "array", "items": { "type": "object" } }, "maintenance": { "type": "array", "items": { "type": "object" } },
            "measurements": { "type": "integer" }, "last_measurement_at": { "type": ["integer", "null"] }, "manual_events": { "type": "array", "items": { "type": "string" } } } },
        "Holder": { "type": "object", "properties": { "citizen_id": uuid(), "citizen_name": { "type": "string" }, "unit_id": uuid(), "serial": { "type": "string" }, "from": { "type": "integer" }, "to": { "type": ["integer", "null"] } } },
        "RecallReport": { "type": "object", "properties": { "id": uuid(), "held": { "type": "array", "items": schema("UnitSummary") },
            "affected": { "type": "array", "items": { "type": "object", "properties": { "citizen_id": uuid(), "citizen_name": { "type": "string" }, "serial": { "type": "string" }, "programmes": { "type": "array", "items": { "type": "string" } }, "teams": { "type": "array", "items": { "type": "string" } } } } } } },
        "Order": { "type": "object", "description": "An order (FUT Order / OrderLine / TraceLine): citizen, care plan, payer, service type, status, priority, delivery (dates YYYY-MM-DD), lines (role, accepted models, unit, status) and trace." },
        "KitPlan": { "type": "object", "properties": {
            "already": { "type": "array", "items": { "type": "object", "properties": { "role": { "type": "string" }, "unit_id": uuid() } } },
            "share": { "type": "array", "items": { "type": "object", "properties": { "role": { "type": "string" }, "unit_id": uuid() } } },
            "join": { "type": "array", "items": { "type": "object", "properties": { "role": { "type": "string" }, "order_line_id": uuid() } } },
            "order": { "type": "array", "items": { "type": "object", "properties": { "role": { "type": "string" }, "models": { "type": "array", "items": uuid() } } } },
            "needs_delivery": { "type": "boolean" } } },
        "KitOrderOutcome": { "type": "object", "properties": { "plan": schema("KitPlan"), "order": { "oneOf": [schema("Order"), { "type": "null" }], "description": "null when nothing was missing" } } },
        "Visit": { "type": "object", "description": "A home visit: order, unit, citizen, payer, kind (install, collect, swap, training, calibration), status, planned_on (YYYY-MM-DD), technician, proof, notes, price (øre), when and by whom done." },
        "PlannedVisit": { "type": "object", "properties": { "visit": schema("Visit"), "address": { "type": ["string", "null"] }, "phone": { "type": ["string", "null"] }, "order": { "oneOf": [schema("Order"), { "type": "null" }] } } },
        "DueUnit": { "type": "object", "properties": { "unit": schema("UnitSummary"), "due": { "type": "object", "properties": { "kind": { "type": "string" }, "due_on": date(), "overdue": { "type": "boolean" } } }, "visit_on": { "type": ["string", "null"], "format": "date" } } },
        "CitizenEquipment": { "type": "object", "properties": {
            "units": { "type": "array", "items": { "type": "object", "properties": { "unit": schema("Unit"), "model": schema("Model"), "holder": { "type": ["string", "null"] }, "assignments": { "type": "array", "items": { "type": "object" } } } } },
            "orders": { "type": "array", "items": schema("Order") }, "visits": { "type": "array", "items": schema("Visit") } } },
        "StockLine": { "type": "object", "properties": { "warehouse_id": uuid(), "warehouse_name": { "type": "string" }, "model_id": uuid(), "model_name": { "type": "string" },
            "available": { "type": "integer" }, "other_ready": { "type": "integer" }, "dirty": { "type": "integer" }, "reorder_level": { "type": "integer" }, "below_reorder_level": { "type": "boolean" } } },
        "StockTakeResult": { "type": "object", "properties": { "scanned": { "type": "integer" }, "missing": { "type": "array", "items": schema("UnitSummary") }, "unexpected": { "type": "array", "items": schema("UnitSummary") } } },
        "NamedStatement": { "type": "object", "properties": { "payer_name": { "type": "string" }, "statement": { "type": "object", "properties": {
            "payer": uuid(), "total": ore(),
            "lines": { "type": "array", "items": { "type": "object", "properties": { "kind": { "type": "string" }, "description": { "type": "string" }, "serial": { "type": "string" }, "quantity": { "type": "integer" }, "amount": ore() } } } } } } }
    });
    let paths = doc["paths"].as_object_mut().expect("paths");
    for group in [catalogue, units, orders, visits, stock] {
        if let Value::Object(m) = group {
            paths.extend(m);
        }
    }
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("schemas");
    for group in [inputs, answers] {
        if let Value::Object(m) = group {
            schemas.extend(m);
        }
    }
}

/// The service desk's paths and schemas: the telephony webhook, calls, the caller screen,
/// cases and the desks.
fn add_servicedesk(doc: &mut Value) {
    const T: &str = "servicedesk";
    const R: &[&str] = &["401", "403", "404"];
    const W: &[&str] = &["400", "401", "403", "404", "409", "413", "415", "422"];
    let uuid = || json!({ "type": "string", "format": "uuid" });
    let enum_of = |v: &[&str]| json!({ "type": "string", "enum": v });
    let category = || {
        enum_of(&[
            "measurement_help",
            "equipment_fault",
            "delivery_pickup",
            "login_access",
            "staff_question",
            "other",
        ])
    };
    let status = || {
        enum_of(&[
            "new",
            "open",
            "pending_citizen",
            "pending_visit",
            "pending_supplier",
            "resolved",
            "closed",
        ])
    };
    let level = || enum_of(&["high", "medium", "low"]);
    let paths = json!({
        "/telephony/incoming-call": { "post": op("The telephony integration reports a call (a bearer token of a service-desk member): the number is matched to citizens, next of kin and staff, and rings on the agents' screens. The answer holds match counts, never a citizen's name", T, Some("IncomingCall"), "201", schema("RingingCall"), W) },
        "/servicedesk/calls": { "get": op("Calls ringing now (unanswered, the last 15 minutes): number and kinds of match", T, None, "200", list("calls", "RingingCall"), R) },
        "/servicedesk/calls/{id}/answer": { "parameters": id_param(), "post": op("Take a call: it stops ringing for the others; answers who is calling (each matched citizen's identity read is audited). 409 when a colleague took it", T, None, "200", schema("Call"), W) },
        "/servicedesk/caller-screen/{id}": { "parameters": id_param(), "get": get_with("The caller screen for a citizen: identity, contact, programmes and their organisations (names only), units with state, model and when each last sent data, open orders and visits, earlier cases (audited as support reads)", T,
            vec![query("call", uuid(), "the answered call the screen is opened from")], json!({ "type": "object" }), R) },
        "/servicedesk/cases": {
            "get": get_with("The agents' queue, acute first then by the next deadline; every citizen named is audited", T,
                vec![query("view", enum_of(&["all", "mine", "unassigned", "breaching_soon", "waiting_for_citizen", "done"]), "default all")], list("cases", "QueueLine"), &["400", "401", "403"]),
            "post": op("Open a case: the desk on any channel but automatic; a citizen (web, about themselves); other staff (web, about themselves or a citizen in their care)", T, Some("NewCase"), "201", schema("CasePage"), W)
        },
        "/servicedesk/cases/{id}": { "parameters": id_param(), "get": op("A case with its timeline, clocks and rating; the citizen or the staff requester sees what is meant for them", T, None, "200", schema("CasePage"), R) },
        "/servicedesk/cases/{id}/actions": { "parameters": id_param(), "post": op("Act on a case (see CaseAction); citizens may reply and reopen their own", T, Some("CaseAction"), "200", schema("CasePage"), W) },
        "/servicedesk/cases/{id}/rating": { "parameters": id_param(), "post": op("The citizen rates the help on their resolved case, once (1–5 and a comment)", T, Some("RatingInput"), "201", json!({ "type": "object" }), W) },
        "/citizens/{id}/service-cases": { "parameters": id_param(), "get": op("A citizen's cases, newest first (support read)", T, None, "200", list("cases", "Case"), R) },
        "/servicedesk/desks": { "get": op("Every service centre's one phone number and business calendar", T, None, "200", list("desks", "Desk"), &["401"]) },
        "/servicedesk/desks/{id}": { "parameters": id_param(), "put": op("Set a service centre's phone number and business calendar", T, Some("DeskInput"), "200", schema("Desk"), W) }
    });
    let calendar = json!({ "type": "object", "required": ["week", "closed_days", "closed_on_holidays"], "properties": {
        "week": { "type": "array", "minItems": 7, "maxItems": 7, "description": "Monday first; null: closed", "items": { "oneOf": [{ "type": "null" }, { "type": "object", "properties": { "open": { "type": "integer", "description": "minutes past midnight" }, "close": { "type": "integer" } } }] } },
        "closed_days": { "type": "array", "items": { "type": "string", "format": "date" } },
        "closed_on_holidays": { "type": "boolean" } } });
    let schemas = json!({
        "IncomingCall": { "type": "object", "required": ["caller"], "additionalProperties": false, "properties": { "caller": { "type": "string" }, "call_id": { "type": "string" } } },
        "RingingCall": { "type": "object", "properties": { "id": uuid(), "caller": { "type": "string" }, "received_at": { "type": "integer" }, "citizens": { "type": "integer" }, "next_of_kin": { "type": "integer" }, "staff": { "type": "array", "items": { "type": "string" } } } },
        "Call": { "type": "object", "properties": { "id": uuid(), "caller": { "type": "string" }, "received_at": { "type": "integer" }, "answered_at": { "type": ["integer", "null"] }, "answered_by_name": { "type": ["string", "null"] }, "case_id": { "type": ["string", "null"] },
            "matches": { "type": "array", "items": { "type": "object", "description": "kind citizen (citizen_id, name), next_of_kin (citizen_id, citizen_name, name, relation) or staff (user_id, name, organisations)" } } } },
        "NewCase": { "type": "object", "required": ["channel", "category", "subject", "impact", "urgency"], "properties": {
            "citizen_id": uuid(), "requester": { "type": "object", "properties": { "kind": enum_of(&["citizen", "next_of_kin", "staff", "system"]), "name": { "type": "string" } } },
            "channel": enum_of(&["phone", "web", "staff", "automatic"]), "category": category(), "subject": { "type": "string", "maxLength": 200 }, "description": { "type": "string" },
            "impact": level(), "urgency": level(), "acute": { "type": "boolean" }, "unit_id": uuid(), "call_id": uuid() } },
        "Case": { "type": "object", "description": "A case: number, citizen, requester, channel, category, subject, status, impact, urgency, priority (acute, high, normal, low), state (clocks), due_at, escalation (0–3), assignee, unit, model, payer, plan, task, merged_into, resolution, first_contact, data_flowing_at and its times (UTC microseconds).", "properties": { "id": uuid(), "number": { "type": "integer" }, "status": status(), "category": category() } },
        "QueueLine": { "type": "object", "properties": { "case": schema("Case"), "escalation_now": { "type": "integer" } } },
        "CasePage": { "type": "object", "properties": { "case": schema("Case"), "timeline": { "type": "array", "items": { "type": "object", "properties": { "at": { "type": "integer" }, "kind": { "type": "string" }, "citizen_visible": { "type": "boolean" }, "text": { "type": "string" }, "reference": { "type": ["string", "null"] }, "by_name": { "type": "string" } } } },
            "rating": { "type": ["object", "null"] }, "clocks": { "type": "array", "items": { "type": "array" } } } },
        "CaseAction": { "type": "object", "required": ["action"], "description": "action: assign (user_id), note (text), reply (text), send_message (channel sms|email, text), use_article (article_id, sent_to_citizen), wait (status pending_*, note), resume (note), reprioritise (impact, urgency, acute), categorise (category), remote_fix (text), swap_device (unit_id, fault), book_technician (unit_id, service TRAINING|CALIBRATION|MAINTENANCE|REPAIR, note), hand_over_clinical (note), resolve (resolution), reopen (reason), close, merge (into)",
            "properties": { "action": enum_of(&["assign", "note", "reply", "send_message", "use_article", "wait", "resume", "reprioritise", "categorise", "remote_fix", "swap_device", "book_technician", "hand_over_clinical", "resolve", "reopen", "close", "merge"]) } },
        "RatingInput": { "type": "object", "required": ["score"], "additionalProperties": false, "properties": { "score": { "type": "integer", "minimum": 1, "maximum": 5 }, "comment": { "type": "string", "maxLength": 2000 } } },
        "Desk": { "type": "object", "properties": { "org_id": uuid(), "name": { "type": "string" }, "phone": { "type": "string" }, "calendar": calendar.clone() } },
        "DeskInput": { "type": "object", "required": ["phone", "calendar"], "additionalProperties": false, "properties": { "phone": { "type": "string" }, "calendar": calendar } }
    });
    if let (Value::Object(p), Value::Object(s)) = (paths, schemas) {
        doc["paths"].as_object_mut().expect("paths").extend(p);
        doc["components"]["schemas"]
            .as_object_mut()
            .expect("schemas")
            .extend(s);
    }
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
