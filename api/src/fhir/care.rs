//! Encounter (hospital, ED and crisis stays), Appointment and Task.

use fhirbolt::model::r4::resources::{
    Appointment, AppointmentParticipant, Encounter, EncounterHospitalization, EncounterLocation,
    Task, TaskRestriction,
};
use fhirbolt::model::r4::types::{Annotation, CodeableConcept, Identifier, Reference};
use shared::appointments::{Appointment as Visit, AppointmentStatus};
use shared::encounters::{Encounter as Stay, EncounterKind};
use shared::tasks::{Priority, Task as Work, TaskSource, TaskStatus};

use super::model::{
    CAREMGR_SYSTEM, boxed_ref, coded, coding, date_time, identifier, instant, meta, named, own,
    period, reference, text,
};

/// v3 `ActCode`: the encounter classes.
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
/// FHIR's discharge dispositions.
const DISCHARGE_DISPOSITION: &str = "http://terminology.hl7.org/CodeSystem/discharge-disposition";

/// An integration's own id of a record (`external_id`).
fn external(id: Option<&String>) -> Vec<Identifier> {
    id.map(|v| identifier(&format!("{CAREMGR_SYSTEM}:external-id"), v))
        .into_iter()
        .collect()
}

/// The v3 `ActCode` class of a stay: an ED visit or a crisis-center stay is
/// `EMER`, a psychiatric, medical or detox admission `IMP`.
pub fn class_of(kind: EncounterKind) -> (&'static str, &'static str) {
    match kind {
        EncounterKind::Ed | EncounterKind::Bhcc => ("EMER", "emergency"),
        EncounterKind::InpatientPsych | EncounterKind::InpatientMedical | EncounterKind::Detox => {
            ("IMP", "inpatient encounter")
        }
    }
}

/// A disposition as sent, coded when it is one of FHIR's codes (`home`,
/// `snf`, `aadvice` …).
fn disposition(d: &str) -> CodeableConcept {
    const CODES: [&str; 11] = [
        "home",
        "alt-home",
        "other-hcf",
        "hosp",
        "long",
        "aadvice",
        "exp",
        "psy",
        "rehab",
        "snf",
        "oth",
    ];
    let code = d.trim().to_ascii_lowercase();
    if CODES.contains(&code.as_str()) {
        CodeableConcept {
            coding: vec![coding(DISCHARGE_DISPOSITION, &code, None)],
            text: Some(d.into()),
            ..Default::default()
        }
    } else {
        text(d)
    }
}

/// A stay: `finished` once discharged, else `in-progress`; its class, its
/// kind, the facility (by name), the admission-to-discharge period and the
/// discharge disposition.
pub fn encounter(e: &Stay) -> Encounter {
    let (class, display) = class_of(e.kind);
    Encounter {
        id: Some(e.id.to_string().into()),
        meta: meta(Some(e.version), e.updated_at),
        identifier: external(e.external_id.as_ref()),
        // An admission the hospital took back (HL7 A11) is `cancelled`.
        status: if e.cancelled_at.is_some() {
            "cancelled"
        } else if e.discharged_at.is_some() {
            "finished"
        } else {
            "in-progress"
        }
        .into(),
        class: Box::new(coding(ACT_CODE, class, Some(display))),
        r#type: vec![own("encounter-kind", e.kind.as_ref())],
        subject: boxed_ref("Patient", e.patient_id),
        period: period(
            Some(date_time(e.admitted_at)),
            e.discharged_at.map(date_time),
        ),
        hospitalization: e
            .discharge_disposition
            .as_deref()
            .map(|d| EncounterHospitalization {
                discharge_disposition: Some(Box::new(disposition(d))),
                ..Default::default()
            }),
        location: vec![EncounterLocation {
            location: Box::new(named(&e.facility)),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// FHIR's appointment status for ours (a rescheduled appointment is
/// `cancelled`, saying so in `cancelationReason`).
pub fn appointment_status(s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Scheduled => "booked",
        AppointmentStatus::Attended => "fulfilled",
        AppointmentStatus::Missed => "noshow",
        AppointmentStatus::Cancelled | AppointmentStatus::Rescheduled => "cancelled",
    }
}

/// An appointment: the patient and the provider (by name) as accepted
/// participants. Its length is not recorded, so `end` is its `start`
/// (R4 wants both or neither).
pub fn appointment(a: &Visit) -> Appointment {
    let participant = |actor: Reference| AppointmentParticipant {
        actor: Some(Box::new(actor)),
        status: "accepted".into(),
        ..Default::default()
    };
    Appointment {
        id: Some(a.id.to_string().into()),
        meta: meta(Some(a.version), a.updated_at),
        identifier: external(a.external_id.as_ref()),
        status: appointment_status(a.status).into(),
        cancelation_reason: (a.status == AppointmentStatus::Rescheduled)
            .then(|| Box::new(text("rescheduled"))),
        service_type: vec![own("appointment-kind", a.kind.as_ref())],
        start: Some(instant(a.scheduled_at)),
        end: Some(instant(a.scheduled_at)),
        created: Some(date_time(a.created_at)),
        comment: a.notes.clone().map(Into::into),
        participant: vec![
            participant(reference("Patient", a.patient_id)),
            participant(named(&a.provider_name)),
        ],
        ..Default::default()
    }
}

/// FHIR's task status for ours.
pub fn task_status(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Open => "ready",
        TaskStatus::InProgress => "in-progress",
        TaskStatus::Done => "completed",
        TaskStatus::Cancelled => "cancelled",
    }
}

/// The record a rule made the task about, where it is served here.
fn focus(source: TaskSource, id: Option<uuid::Uuid>) -> Option<Box<Reference>> {
    let ty = match source {
        TaskSource::Encounter => "Encounter",
        TaskSource::Appointment => "Appointment",
        TaskSource::Screening => "Observation",
        TaskSource::Referral => "ServiceRequest",
        TaskSource::Manual
        | TaskSource::Schedule
        | TaskSource::ChartReview
        | TaskSource::Huddle => {
            return None;
        }
    };
    id.and_then(|id| boxed_ref(ty, id))
}

/// A task: its kind, title, the patient, its due time (the end of
/// `restriction.period`), who it is assigned to (by user id), the record a
/// rule made it about, and what came of it.
pub fn task(w: &Work) -> Task {
    let priority = match w.priority {
        Priority::Low | Priority::Normal => "routine",
        Priority::High => "urgent",
        Priority::Urgent => "asap",
    };
    let note = |s: &Option<String>| {
        s.as_ref().map(|s| Annotation {
            text: s.clone().into(),
            ..Default::default()
        })
    };
    Task {
        id: Some(w.id.to_string().into()),
        meta: meta(Some(w.version), w.updated_at),
        status: task_status(w.status).into(),
        status_reason: w.cancel_reason.as_deref().map(|r| Box::new(text(r))),
        intent: "order".into(),
        priority: Some(priority.into()),
        code: Some(Box::new(own("task-kind", w.kind.as_ref()))),
        description: Some(w.title.clone().into()),
        focus: focus(w.source_type, w.source_id),
        r#for: boxed_ref("Patient", w.patient_id),
        authored_on: Some(date_time(w.created_at)),
        last_modified: Some(date_time(w.updated_at)),
        owner: w.assignee_id.map(|u| {
            Box::new(Reference {
                identifier: Some(Box::new(identifier(
                    &format!("{CAREMGR_SYSTEM}:user"),
                    &u.to_string(),
                ))),
                ..Default::default()
            })
        }),
        restriction: Some(TaskRestriction {
            period: period(None, Some(date_time(w.due_at))),
            ..Default::default()
        }),
        note: [note(&w.details), note(&w.outcome)]
            .into_iter()
            .flatten()
            .collect(),
        business_status: (w.status == TaskStatus::Done && w.outcome.is_some()).then(|| {
            Box::new(coded(
                &format!("{CAREMGR_SYSTEM}:task-outcome"),
                "recorded",
                None,
            ))
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_are_classed_ed_or_inpatient() {
        assert_eq!(class_of(EncounterKind::Ed).0, "EMER");
        assert_eq!(class_of(EncounterKind::InpatientPsych).0, "IMP");
        assert_eq!(class_of(EncounterKind::Detox).0, "IMP");
    }

    #[test]
    fn a_known_disposition_is_coded_and_any_other_kept_as_text() {
        let home = disposition("Home");
        assert_eq!(
            home.coding[0].code.as_ref().unwrap().value.as_deref(),
            Some("home")
        );
        let shelter = disposition("Shelter");
        assert!(shelter.coding.is_empty());
        assert_eq!(shelter.text.unwrap().value.as_deref(), Some("Shelter"));
    }

    #[test]
    fn statuses_map_to_fhir_codes() {
        assert_eq!(appointment_status(AppointmentStatus::Missed), "noshow");
        assert_eq!(appointment_status(AppointmentStatus::Attended), "fulfilled");
        assert_eq!(task_status(TaskStatus::Open), "ready");
        assert_eq!(task_status(TaskStatus::Done), "completed");
    }
}
