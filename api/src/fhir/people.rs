//! Patient, `RelatedPerson` (a patient's contacts) and `CareTeam` (one per
//! care-team membership: its single participant is the member, its
//! subject the patient; a client wanting the whole team searches
//! `CareTeam?patient=`).

use chrono::NaiveDate;
use fhirbolt::model::r4::resources::{
    CareTeam, CareTeamParticipant, Patient, PatientCommunication, RelatedPerson,
};
use fhirbolt::model::r4::types::{Address, CodeableConcept, Extension, ExtensionValue, HumanName};
use shared::care_team::CareTeamMember;
use shared::case_status::CaseStatus;
use shared::contacts::{Contact, Relationship};
use shared::patients::Patient as Client;

use super::model::{
    BCP47, boxed_ref, coded, coding, date, identifier, meta, named, own, period, telecom,
};

/// HL7's extension saying a patient needs an interpreter.
const INTERPRETER_REQUIRED: &str =
    "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired";
/// v3 `RoleCode`: personal relationships.
const ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
/// v2 table 0131: contact role (`C` emergency contact).
const CONTACT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/v2-0131";

/// A patient: identifiers, names (official, and the preferred one as
/// `usual`), contact points, address, language, and whether an
/// interpreter is needed. `active` is false once the case is closed.
pub fn patient(p: &Client) -> Patient {
    let mut name = vec![HumanName {
        r#use: Some("official".into()),
        family: Some(p.family_name.clone().into()),
        given: vec![p.given_name.clone().into()],
        ..Default::default()
    }];
    if let Some(preferred) = &p.preferred_name {
        name.push(HumanName {
            r#use: Some("usual".into()),
            given: vec![preferred.clone().into()],
            ..Default::default()
        });
    }
    Patient {
        id: Some(p.id.to_string().into()),
        meta: meta(Some(p.version), p.updated_at),
        extension: vec![Extension {
            url: INTERPRETER_REQUIRED.into(),
            value: Some(ExtensionValue::Boolean(p.interpreter_needed.into())),
            ..Default::default()
        }],
        identifier: p
            .identifiers
            .iter()
            .map(|i| identifier(&i.system, &i.value))
            .collect(),
        active: Some((p.status != CaseStatus::Closed).into()),
        name,
        telecom: telecom(p.phone.as_deref(), p.email.as_deref()),
        gender: Some(p.sex.as_ref().into()),
        birth_date: Some(date(p.birth_date)),
        address: p.address.iter().map(address).collect(),
        communication: vec![PatientCommunication {
            language: Box::new(coded(BCP47, &p.preferred_language, None)),
            preferred: Some(true.into()),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// A postal address.
pub fn address(a: &shared::patients::Address) -> Address {
    Address {
        line: [&a.line1, &a.line2]
            .into_iter()
            .flatten()
            .map(|l| l.clone().into())
            .collect(),
        city: a.city.clone().map(Into::into),
        state: a.state.clone().map(Into::into),
        postal_code: a.postal_code.clone().map(Into::into),
        ..Default::default()
    }
}

/// The v3 `RoleCode` of a relationship, where there is one.
fn role_code(r: Relationship) -> Option<(&'static str, &'static str)> {
    Some(match r {
        Relationship::Parent => ("PRN", "parent"),
        Relationship::Spouse => ("SPS", "spouse"),
        Relationship::Partner => ("DOMPART", "domestic partner"),
        Relationship::Child => ("CHILD", "child"),
        Relationship::Sibling => ("SIB", "sibling"),
        Relationship::Relative => ("FAMMEMB", "family member"),
        Relationship::Friend => ("FRND", "unrelated friend"),
        Relationship::Guardian => ("GUARD", "guardian"),
        Relationship::Caregiver | Relationship::Other => return None,
    })
}

/// A contact of the patient: the relationship (v3 `RoleCode` where it has
/// one, and v2 `C` for an emergency contact), phone and email. What they
/// may be told (consent) is the care manager's, not in the resource.
pub fn related_person(c: &Contact) -> RelatedPerson {
    let mut relationship = vec![match role_code(c.relationship) {
        Some((code, display)) => CodeableConcept {
            coding: vec![coding(ROLE_CODE, code, Some(display))],
            text: Some(c.relationship.as_ref().into()),
            ..Default::default()
        },
        None => own("relationship", c.relationship.as_ref()),
    }];
    if c.emergency_contact {
        relationship.push(coded(CONTACT_ROLE, "C", Some("Emergency Contact")));
    }
    RelatedPerson {
        id: Some(c.id.to_string().into()),
        meta: meta(Some(c.version), c.updated_at),
        active: Some(c.active.into()),
        patient: Box::new(super::model::reference("Patient", c.patient_id)),
        relationship,
        name: vec![HumanName {
            text: Some(c.name.clone().into()),
            ..Default::default()
        }],
        telecom: telecom(c.phone.as_deref(), c.email.as_deref()),
        ..Default::default()
    }
}

/// One membership of a patient's care team, as a `CareTeam` with that
/// member alone: `active` while the membership covers `today`.
pub fn care_team(m: &CareTeamMember, today: NaiveDate) -> CareTeam {
    let day = |d: NaiveDate| {
        Some(fhirbolt::model::r4::types::DateTime::from(
            d.format("%Y-%m-%d").to_string(),
        ))
    };
    CareTeam {
        id: Some(m.id.to_string().into()),
        meta: meta(Some(m.version), m.updated_at),
        status: Some(
            if m.active_on(today) {
                "active"
            } else {
                "inactive"
            }
            .into(),
        ),
        subject: boxed_ref("Patient", m.patient_id),
        period: period(day(m.start_date), m.end_date.and_then(day)),
        participant: vec![CareTeamParticipant {
            role: vec![own("care-team-role", m.role.as_ref())],
            member: Some(Box::new(named(&m.name))),
            on_behalf_of: m.organization.as_deref().map(|o| Box::new(named(o))),
            ..Default::default()
        }],
        ..Default::default()
    }
}
