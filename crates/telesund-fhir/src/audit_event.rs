//! AuditEvent: one audit record, as the national infrastructure and an auditor's tools expect
//! it (who, in which role and organisation, did what to which citizen, why, from where, and
//! whether it was allowed). Read-only: audit records cannot be changed through any interface.

use crate::datatypes::{CodeableConcept, Coding, Identifier, Reference, instant};
use crate::practitioner::role_concept;
use crate::systems;
use serde::Serialize;
use telesund_core::audit::{ActorKind, AuditAction, AuditRecord};

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub resource_type: &'static str,
    pub id: String,
    #[serde(rename = "type")]
    pub type_: Coding,
    pub subtype: Vec<Coding>,
    pub action: &'static str,
    pub recorded: String,
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_desc: Option<String>,
    pub purpose_of_event: Vec<CodeableConcept>,
    pub agent: Vec<Agent>,
    pub source: Source,
    pub entity: Vec<Entity>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    #[serde(rename = "type")]
    pub type_: CodeableConcept,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role: Vec<CodeableConcept>,
    pub who: Reference,
    pub requestor: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Network {
    pub address: String,
    /// "2": an IP address.
    #[serde(rename = "type")]
    pub type_: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct Source {
    pub site: &'static str,
    pub observer: Reference,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entity {
    pub what: Reference,
    #[serde(rename = "type")]
    pub type_: Coding,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The FHIR action code (C, R, U, D, E) and the REST interaction or event subtype.
fn action_codes(a: AuditAction) -> (&'static str, Coding) {
    let rest = "http://hl7.org/fhir/restful-interaction";
    match a {
        AuditAction::Read => ("R", Coding::new(rest, "read", "read")),
        AuditAction::Search => ("E", Coding::new(rest, "search-type", "search type")),
        AuditAction::Create => ("C", Coding::new(rest, "create", "create")),
        AuditAction::Update => ("U", Coding::new(rest, "update", "update")),
        AuditAction::Delete => ("D", Coding::new(rest, "delete", "delete")),
        AuditAction::Login => (
            "E",
            Coding::new(
                "http://dicom.nema.org/resources/ontology/DCM",
                "110122",
                "Login",
            ),
        ),
        AuditAction::LoginFailed => (
            "E",
            Coding::new(
                "http://dicom.nema.org/resources/ontology/DCM",
                "110122",
                "Login",
            ),
        ),
        AuditAction::Logout => (
            "E",
            Coding::new(
                "http://dicom.nema.org/resources/ontology/DCM",
                "110123",
                "Logout",
            ),
        ),
    }
}

pub fn from_record(r: &AuditRecord) -> AuditEvent {
    let (action, subtype) = action_codes(r.action);
    let is_login = matches!(
        r.action,
        AuditAction::Login | AuditAction::LoginFailed | AuditAction::Logout
    );
    let type_ = if is_login {
        Coding::new(
            "http://dicom.nema.org/resources/ontology/DCM",
            "110114",
            "User Authentication",
        )
    } else {
        Coding::new(
            "http://terminology.hl7.org/CodeSystem/audit-event-type",
            "rest",
            "RESTful Operation",
        )
    };
    let who = match (r.actor_kind, r.actor_user_id, r.actor_citizen_id) {
        (ActorKind::Staff, Some(u), _) => Reference::to("Practitioner", u, Some(&r.actor_name)),
        (ActorKind::Citizen, _, Some(c)) => Reference::to("Patient", c, Some(&r.actor_name)),
        _ => Reference::display(&r.actor_name),
    };
    let agent_type = match r.actor_kind {
        ActorKind::Staff => ("humanuser", "human user"),
        ActorKind::Citizen => ("humanuser", "human user"),
        ActorKind::System => ("datacollector", "data collector"),
    };
    let mut entity = Vec::new();
    if let Some(c) = r.citizen_id {
        entity.push(Entity {
            what: Reference::to("Patient", c, None),
            // 1: person
            type_: Coding::new(
                "http://terminology.hl7.org/CodeSystem/audit-entity-type",
                "1",
                "Person",
            ),
            description: r.category.map(|c| format!("data category: {}", c.as_str())),
        });
    }
    entity.push(Entity {
        what: Reference {
            identifier: Some(Identifier {
                use_: None,
                system: Some(systems::REQUEST_ID.into()),
                value: Some(r.request_id.clone()),
            }),
            display: Some(
                format!("{} {}", r.entity, r.entity_id.as_deref().unwrap_or(""))
                    .trim()
                    .to_string(),
            ),
            ..Reference::default()
        },
        // 2: system object
        type_: Coding::new(
            "http://terminology.hl7.org/CodeSystem/audit-entity-type",
            "2",
            "System Object",
        ),
        description: Some("the request this record belongs to".into()),
    });
    let mut agent = vec![Agent {
        type_: CodeableConcept::coded(
            "http://terminology.hl7.org/CodeSystem/extra-security-role-type",
            agent_type.0,
            agent_type.1,
        ),
        role: r.actor_role.map(role_concept).into_iter().collect(),
        who,
        requestor: true,
        network: Some(Network {
            address: r.client_addr.clone(),
            type_: "2",
        }),
    }];
    // The organisation the user acted for is an agent of its own (agent.location would need
    // a Location).
    if let Some(org) = r.actor_org_id {
        agent.push(Agent {
            type_: CodeableConcept::text("organisation"),
            role: Vec::new(),
            who: Reference::to("Organization", org, r.actor_org_name.as_deref()),
            requestor: false,
            network: None,
        });
    }
    AuditEvent {
        resource_type: "AuditEvent",
        id: r.id.to_string(),
        type_,
        subtype: vec![subtype],
        action,
        recorded: instant(r.at),
        // 0: success; 4: minor failure (a refused request, an HTTP 4xx).
        outcome: if r.outcome_allowed { "0" } else { "4" },
        outcome_desc: (!r.reason.is_empty()).then(|| r.reason.clone()),
        purpose_of_event: vec![CodeableConcept::coded(
            "https://telesund.dk/fhir/CodeSystem/purpose-of-use",
            &r.purpose,
            "",
        )],
        agent,
        source: Source {
            site: "Telesund",
            observer: Reference::display("Telesund"),
        },
        entity,
    }
}
