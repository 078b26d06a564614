//! The CapabilityStatement: what this server does, built from one table that the HTTP crate's
//! tests check route by route.

use serde_json::{Value, json};

pub struct SearchParam {
    pub name: &'static str,
    pub kind: &'static str,
    /// The official R4 SearchParameter this one implements, or — for a parameter R4 does not
    /// define — Telesund's own, under `https://telesund.dk/fhir/SearchParameter/`, and said so
    /// in the documentation.
    pub definition: &'static str,
    pub documentation: &'static str,
}

pub struct ResourceSupport {
    pub resource: &'static str,
    pub interactions: &'static [&'static str],
    pub search: &'static [SearchParam],
    pub documentation: &'static str,
}

const ID: SearchParam = SearchParam {
    name: "_id",
    kind: "token",
    definition: "http://hl7.org/fhir/SearchParameter/Resource-id",
    documentation: "The resource id.",
};

/// Everything `/fhir` serves. A test walks this table and calls each interaction.
pub const SUPPORTED: &[ResourceSupport] = &[
    ResourceSupport {
        resource: "Patient",
        interactions: &["read", "search-type", "create", "update"],
        search: &[
            ID,
            SearchParam {
                name: "identifier",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/Patient-identifier",
                documentation: "CPR number: urn:oid:1.2.208.176.1.2|DDMMYYXXXX (hyphen allowed).",
            },
            SearchParam {
                name: "name",
                kind: "string",
                definition: "http://hl7.org/fhir/SearchParameter/Patient-name",
                documentation: "Every word must start a name part; æ/ø/å and accents fold (\"soren\" finds Søren).",
            },
            SearchParam {
                name: "phone",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/individual-phone",
                documentation: "Phone number; spaces and +45 are ignored.",
            },
        ],
        documentation: "Citizens. Reads are authorised by care relationship and consent and audited; search hits carry identity only (meta.tag SUBSETTED) — read the Patient for the rest.",
    },
    ResourceSupport {
        resource: "Observation",
        interactions: &["read", "search-type", "create"],
        search: &[
            SearchParam {
                name: "patient",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/clinical-patient",
                documentation: "Required (or subject): the citizen whose measurements to list.",
            },
            SearchParam {
                name: "subject",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/Observation-subject",
                documentation: "Patient/<id>, the same as patient.",
            },
            SearchParam {
                name: "code",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/clinical-code",
                documentation: "LOINC, IEEE 11073 MDC, NPU or MedCom codes, comma-separated for any of them; every code of a type finds that type.",
            },
            SearchParam {
                name: "date",
                kind: "date",
                definition: "http://hl7.org/fhir/SearchParameter/clinical-date",
                documentation: "eq, ge, gt, le, lt, sa, eb; a value stands for its whole period (2026-11 is November) in Danish time unless a zone is given; repeat to give a range.",
            },
        ],
        documentation: "Home measurements. Create: blood pressure as one Observation with systolic and diastolic components; LOINC, MDC, NPU or MedCom codes; UCUM units, converted (mg/dL, [lb_av], [degF]); unknown units refused. A retry with the same identifier, or the same device and time, creates nothing and answers 200 with the first measurement. Search: newest first (_sort=-date; _sort=date for oldest first), _count up to 500, paged by the next link.",
    },
    ResourceSupport {
        resource: "CarePlan",
        interactions: &["search-type"],
        search: &[
            SearchParam {
                name: "patient",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/clinical-patient",
                documentation: "Required: the citizen.",
            },
            SearchParam {
                name: "subject",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/CarePlan-subject",
                documentation: "Patient/<id>, the same as patient.",
            },
            SearchParam {
                name: "status",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/CarePlan-status",
                documentation: "active, on-hold (paused, e.g. during admission) or completed.",
            },
        ],
        documentation: "A programme version applied to one citizen: activities with schedules, the citizen's own copy of the thresholds (threshold extension) and change rules, routed to a care team.",
    },
    ResourceSupport {
        resource: "PlanDefinition",
        interactions: &["read", "search-type"],
        search: &[SearchParam {
            name: "status",
            kind: "token",
            definition: "http://hl7.org/fhir/SearchParameter/PlanDefinition-status",
            documentation: "draft, active or retired.",
        }],
        documentation: "One version of a programme: measurement and questionnaire activities with timing, default thresholds, change rules and the equipment kit (extensions). Not personal data.",
    },
    ResourceSupport {
        resource: "Questionnaire",
        interactions: &["read", "search-type"],
        search: &[
            SearchParam {
                name: "status",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/Questionnaire-status",
                documentation: "draft, active or retired.",
            },
            SearchParam {
                name: "url",
                kind: "uri",
                definition: "http://hl7.org/fhir/SearchParameter/Questionnaire-url",
                documentation: "The canonical, e.g. https://telesund.dk/fhir/Questionnaire/who5.",
            },
        ],
        documentation: "Symptom questionnaires and WHO-5, with answer colours and scoring (extensions) and English translations.",
    },
    ResourceSupport {
        resource: "QuestionnaireResponse",
        interactions: &["read", "search-type", "create"],
        search: &[
            SearchParam {
                name: "patient",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/clinical-patient",
                documentation: "Required: the citizen.",
            },
            SearchParam {
                name: "subject",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/QuestionnaireResponse-subject",
                documentation: "Patient/<id>, the same as patient.",
            },
            SearchParam {
                name: "status",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/QuestionnaireResponse-status",
                documentation: "completed.",
            },
        ],
        documentation: "A citizen's answers. Create: checked by the questionnaire's rules (enable-when, required, types), scored, triaged for every plan that asks for it; a retry with the same identifier creates nothing and answers 200.",
    },
    ResourceSupport {
        resource: "ClinicalImpression",
        interactions: &["search-type"],
        search: &[
            SearchParam {
                name: "patient",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/clinical-patient",
                documentation: "Required: the citizen.",
            },
            SearchParam {
                name: "subject",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/ClinicalImpression-subject",
                documentation: "Patient/<id>, the same as patient.",
            },
            SearchParam {
                name: "status",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/ClinicalImpression-status",
                documentation: "completed.",
            },
        ],
        documentation: "The triage of one result for one care plan: the colour (triage-colour extension), every rule that fired as a finding, and the acknowledgement as a note. Newest first.",
    },
    ResourceSupport {
        resource: "Task",
        interactions: &["read", "search-type"],
        search: &[
            SearchParam {
                name: "patient",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/clinical-patient",
                documentation: "Required: the citizen.",
            },
            SearchParam {
                name: "status",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/Task-status",
                documentation: "requested, in-progress, completed or cancelled.",
            },
            SearchParam {
                name: "owner",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/Task-owner",
                documentation: "Practitioner/<id> (who took it) or CareTeam/<id>.",
            },
        ],
        documentation: "Work for a care team: one open task per plan and kind (assessment, missing, unexpected), its colour in businessStatus. Without patient: the tasks of the caller's teams.",
    },
    ResourceSupport {
        resource: "Device",
        interactions: &["read", "search-type"],
        search: &[
            SearchParam {
                name: "patient",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/Device-patient",
                documentation: "Patient/<id>: the units with the citizen (reserved, on the way or in the home).",
            },
            SearchParam {
                name: "serial-number",
                kind: "token",
                definition: crate::device::SERIAL_NUMBER_PARAM,
                documentation: "Telesund's own (R4 has no serial-number parameter): Device.serialNumber, exact, ignoring case.",
            },
            SearchParam {
                name: "status",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/Device-status",
                documentation: "active or inactive (lost, retired or disposed); the lifecycle state itself is the device-lifecycle-state extension.",
            },
            SearchParam {
                name: "udi-di",
                kind: "string",
                definition: "http://hl7.org/fhir/SearchParameter/Device-udi-di",
                documentation: "The model's GS1 UDI-DI, all 14 digits (exact match).",
            },
        ],
        documentation: "Serial-numbered units of the service centre's equipment: serial number and the reported device id (MAC / IEEE 11073 system id) as identifiers, the GS1 UDI, the kit role as type, the citizen it is with, and the lifecycle state (extension). Ordered by id, _count up to 500, paged by the next link.",
    },
    ResourceSupport {
        resource: "Organization",
        interactions: &["read", "search-type"],
        search: &[
            ID,
            SearchParam {
                name: "name",
                kind: "string",
                definition: "http://hl7.org/fhir/SearchParameter/Organization-name",
                documentation: "Part of the name, æ/ø/å folded.",
            },
            SearchParam {
                name: "identifier",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/Organization-identifier",
                documentation: "SOR (urn:oid:1.2.208.176.1.1) or CVR (http://cvr.dk).",
            },
            SearchParam {
                name: "type",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/Organization-type",
                documentation: "Telesund's organisation kind, e.g. municipality, hospital_department.",
            },
            SearchParam {
                name: "partof",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/Organization-partof",
                documentation: "The parent organisation.",
            },
        ],
        documentation: "Regions, municipalities, hospitals and departments, general practices, the service centre and partners.",
    },
    ResourceSupport {
        resource: "Practitioner",
        interactions: &["read"],
        search: &[],
        documentation: "Staff users.",
    },
    ResourceSupport {
        resource: "PractitionerRole",
        interactions: &["search-type"],
        search: &[
            SearchParam {
                name: "organization",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/PractitionerRole-organization",
                documentation: "Required: the organisation whose staff memberships to list (its administrators may).",
            },
            SearchParam {
                name: "practitioner",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/PractitionerRole-practitioner",
                documentation: "Only this staff user's memberships in that organisation.",
            },
        ],
        documentation: "A staff user's role in an organisation for a period.",
    },
    ResourceSupport {
        resource: "CareTeam",
        interactions: &["search-type"],
        search: &[SearchParam {
            name: "patient",
            kind: "reference",
            definition: "http://hl7.org/fhir/SearchParameter/clinical-patient",
            documentation: "Required: the citizen whose teams to list.",
        }],
        documentation: "Care teams spanning organisations; the participant extension care-team-scope bounds what a member may see.",
    },
    ResourceSupport {
        resource: "Consent",
        interactions: &["search-type"],
        search: &[SearchParam {
            name: "patient",
            kind: "reference",
            definition: "http://hl7.org/fhir/SearchParameter/clinical-patient",
            documentation: "Required: the citizen whose consent history to list.",
        }],
        documentation: "Every consent given or withdrawn, newest first; a withdrawal is status inactive with a deny provision.",
    },
    ResourceSupport {
        resource: "AuditEvent",
        interactions: &["search-type"],
        search: &[
            SearchParam {
                name: "patient",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-patient",
                documentation: "Records about one citizen.",
            },
            SearchParam {
                name: "agent",
                kind: "reference",
                definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-agent",
                documentation: "Records of one staff user (Practitioner/<id>).",
            },
            SearchParam {
                name: "date",
                kind: "date",
                definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-date",
                documentation: "ge/gt and le/lt prefixes; a date without time means the whole day in Danish time.",
            },
            SearchParam {
                name: "outcome",
                kind: "token",
                definition: "http://hl7.org/fhir/SearchParameter/AuditEvent-outcome",
                documentation: "4 lists only refused requests.",
            },
        ],
        documentation: "The audit log, for administrators. Read-only: no interface changes or deletes a record. Newest first, paged with _count and the next link.",
    },
];

/// The CapabilityStatement for a server reachable at `base` (e.g. `https://…/fhir`).
pub fn statement(base: &str, software_version: &str, date: &str) -> Value {
    let resources: Vec<Value> = SUPPORTED
        .iter()
        .map(|r| {
            let mut v = json!({
                "type": r.resource,
                "documentation": r.documentation,
                "interaction": r.interactions.iter().map(|i| json!({ "code": i })).collect::<Vec<_>>(),
            });
            if r.interactions.contains(&"update") {
                v["updateCreate"] = json!(false);
            }
            if !r.search.is_empty() {
                v["searchParam"] = r
                    .search
                    .iter()
                    .map(|p| {
                        json!({
                            "name": p.name,
                            "definition": p.definition,
                            "type": p.kind,
                            "documentation": p.documentation,
                        })
                    })
                    .collect();
            }
            v
        })
        .collect();
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": "Telesund",
        "kind": "instance",
        "software": { "name": "Telesund", "version": software_version },
        "implementation": { "description": "Telesund FHIR R4 server", "url": base },
        "fhirVersion": crate::FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Authenticate with 'Authorization: Bearer <token>' (an API token) or a session. Every access to a citizen's data is authorised by organisation, care relationship and consent, and audited.",
            "security": {
                "cors": false,
                "service": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "OAuth", "display": "OAuth" }], "text": "Bearer API tokens; staff and citizens sign in with OpenID Connect or password" }]
            },
            "resource": resources,
            "interaction": [
                { "code": "transaction", "documentation": "POST /fhir: a Bundle of Observations stored all or nothing; the first failing entry is named in the OperationOutcome." },
                { "code": "batch", "documentation": "POST /fhir: a Bundle of Observations, each stored on its own, each answered with its status and, when refused, an OperationOutcome." }
            ],
        }],
    })
}
