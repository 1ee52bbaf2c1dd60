//! Receiving one ADT message: the log that makes a resend idempotent, the
//! patient PID-3 names, and the encounter use cases (`crate::encounters`)
//! the event calls for, in one transaction; the acknowledgment says how it
//! went.

use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection};
use serde_json::json;
use shared::audit::AuditAction;
use shared::encounters::{Encounter, NewEncounter};
use shared::hl7::{
    self, AckCode, AdtEvent, Condition, IdentifierSystem, IdentifierSystemWrite, Refusal,
};
use shared::ids::PatientId;
use shared::pagination::Page;
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::encounters::service as encounters;
use crate::error::{ApiError, ApiResult};
use crate::hl7v2::er7::{self, Adt, Header, Visit};
use crate::hl7v2::store::{self, Answer, Claim, Key};
use crate::http::Paging;
use crate::http::concurrency::Expected;

/// What applying a message did.
#[derive(Debug, Clone, Default)]
struct Applied {
    /// The patient PID-3 named.
    patient: Option<PatientId>,
    /// The encounter recorded or changed.
    encounter: Option<Uuid>,
    /// Whether an encounter use case wrote the request's audit event.
    audited: bool,
    /// Why nothing was recorded, when nothing was (MSA-3 of an AA).
    note: Option<String>,
}

/// Why a message was not applied: refused (the savepoint is rolled back,
/// the acknowledgment says why), or a failure of the server's own (the
/// request fails; the sender retries).
#[derive(Debug)]
enum Failed {
    Refused(Refusal, Option<PatientId>),
    Api(ApiError),
}

impl From<diesel::result::Error> for Failed {
    fn from(e: diesel::result::Error) -> Failed {
        Failed::Api(e.into())
    }
}

impl From<ApiError> for Failed {
    fn from(e: ApiError) -> Failed {
        Failed::Api(e)
    }
}

/// Answers the message `header` heads (`adt`: its facts, or why it is
/// refused), received at `now`: the acknowledgment to send back.
///
/// A message this sender sent before with the same control id and that
/// was accepted (AA) is answered with that first acknowledgment and
/// changes nothing. A refused one (AE, AR) changed nothing and is tried
/// again. Exactly one audit event is written: the encounter change's, or
/// else one for the message.
pub fn receive(
    conn: &mut PgConnection,
    auth: &Authorized,
    header: &Header,
    adt: Result<Adt, Refusal>,
    now: DateTime<Utc>,
) -> ApiResult<String> {
    let key = Key {
        sender: header.sender(),
        control_id: header.control_id.clone(),
        message_type: header.message_type(),
    };
    let id = match store::claim(conn, auth, &key, now)? {
        Claim::Seen(seen) if seen.ack_code == AckCode::Accept.code() => {
            let mut entry = Entry::new(AuditAction::Hl7Replay)
                .on(seen.id)
                .details(json!({"message_type": key.message_type, "control_id": key.control_id}));
            if let Some(p) = seen.patient_id {
                entry = entry.patient(PatientId::from(p));
            }
            audit::log(conn, auth, entry)?;
            return Ok(seen.ack);
        }
        Claim::Seen(seen) => seen.id,
        Claim::New(id) => id,
    };
    let outcome = match adt {
        Err(refusal) => Err((refusal, None)),
        Ok(adt) => match conn.transaction(|conn| apply(conn, auth, header, &adt, now)) {
            Ok(applied) => Ok(applied),
            Err(Failed::Refused(refusal, patient)) => Err((refusal, patient)),
            Err(Failed::Api(e)) => return Err(e),
        },
    };
    let (code, refusal, applied) = match &outcome {
        Ok(applied) => (AckCode::Accept, None, applied.clone()),
        Err((refusal, patient)) => (
            refusal.ack,
            Some(refusal),
            Applied {
                patient: *patient,
                ..Applied::default()
            },
        ),
    };
    let ack = er7::ack(header, code, refusal, applied.note.as_deref(), now);
    store::answer(
        conn,
        auth,
        id,
        &key.message_type,
        &Answer {
            code,
            error: refusal.map(|r| r.reason.as_str()),
            ack: &ack,
            patient_id: applied.patient,
            encounter_id: applied.encounter,
        },
        now,
    )?;
    if !applied.audited {
        let mut entry = Entry::new(AuditAction::Hl7Receive).on(id).details(json!({
            "message_type": key.message_type,
            "control_id": key.control_id,
            "ack_code": code.code(),
            "encounter_id": applied.encounter,
        }));
        if let Some(p) = applied.patient {
            entry = entry.patient(p);
        }
        audit::log(conn, auth, entry)?;
    }
    Ok(ack)
}

/// Applies a readable message to the record (inside a savepoint: a
/// refusal leaves nothing behind).
fn apply(
    conn: &mut PgConnection,
    auth: &Authorized,
    header: &Header,
    adt: &Adt,
    now: DateTime<Utc>,
) -> Result<Applied, Failed> {
    let patient = patient_of(conn, auth, adt)?;
    let refused = |e: ApiError| refusal_of(e, patient);
    let reason = |what: &str| {
        format!(
            "{what} by the sending system (HL7 {}, message {}).",
            adt.event.code(),
            header.control_id
        )
    };
    let visit = &adt.visit;
    let taken_back = |changed: Option<Encounter>, nothing: &str| Applied {
        patient: Some(patient),
        encounter: changed.as_ref().map(|e| e.id),
        audited: changed.is_some(),
        note: changed.is_none().then(|| nothing.to_string()),
    };
    match adt.event {
        AdtEvent::CancelAdmit => {
            match encounters::cancel_admission(
                conn,
                auth,
                patient,
                &visit.number,
                &reason("Admission cancelled"),
                now,
            ) {
                Ok(changed) => Ok(taken_back(changed, "The admission was already cancelled.")),
                Err(ApiError::NotFound(_)) => Ok(taken_back(
                    None,
                    "No encounter has this visit number; there is nothing to cancel.",
                )),
                Err(e) => Err(refused(e)),
            }
        }
        AdtEvent::CancelDischarge => {
            match encounters::cancel_discharge(
                conn,
                auth,
                patient,
                &visit.number,
                &reason("Discharge cancelled"),
                now,
            ) {
                Ok(changed) => Ok(taken_back(changed, "The stay has no discharge to cancel.")),
                Err(ApiError::NotFound(_)) => Ok(taken_back(
                    None,
                    "No encounter has this visit number; there is no discharge to cancel.",
                )),
                Err(e) => Err(refused(e)),
            }
        }
        AdtEvent::Admit | AdtEvent::Register | AdtEvent::Discharge | AdtEvent::Update => {
            record_visit(conn, auth, adt.event, patient, visit, now)
        }
    }
}

/// The one patient of the organization PID-3 names. Each identifier's
/// assigning authority is its system, unless the organization maps that
/// authority to another system.
fn patient_of(conn: &mut PgConnection, auth: &Authorized, adt: &Adt) -> Result<PatientId, Failed> {
    let authorities: Vec<String> = adt
        .identifiers
        .iter()
        .map(|i| i.authority.clone())
        .collect();
    let mapped = store::mapped_systems(conn, auth, &authorities)?;
    let wanted: Vec<(String, String)> = adt
        .identifiers
        .iter()
        .map(|i| {
            let system = mapped
                .iter()
                .find(|(authority, _)| *authority == i.authority)
                .map_or(&i.authority, |(_, system)| system);
            (system.clone(), i.value.clone())
        })
        .collect();
    match store::patients_with(conn, auth, &wanted)?.as_slice() {
        [one] => Ok(*one),
        [] => Err(Failed::Refused(
            Refusal::not_applied(
                Condition::UnknownKey,
                "PID-3",
                format!(
                    "No patient has any of the {} identifier(s) in PID-3 (systems: {}); no patient \
                     is created from a message.",
                    wanted.len(),
                    authorities.join(", ")
                ),
            ),
            None,
        )),
        _ => Err(Failed::Refused(
            Refusal::not_applied(
                Condition::DuplicateKey,
                "PID-3",
                "The identifiers in PID-3 belong to more than one patient.",
            ),
            None,
        )),
    }
}

/// A01, A03, A04 or A08: the visit recorded through the encounter use case
/// (`encounters::record`, whose rules open the discharge follow-up).
fn record_visit(
    conn: &mut PgConnection,
    auth: &Authorized,
    event: AdtEvent,
    patient: PatientId,
    visit: &Visit,
    now: DateTime<Utc>,
) -> Result<Applied, Failed> {
    let not_recorded = |note: String| Applied {
        patient: Some(patient),
        note: Some(note),
        ..Applied::default()
    };
    let Some(kind) = hl7::encounter_kind(&visit.class, &visit.service) else {
        return Ok(not_recorded(format!(
            "Patient class {:?} is not a stay the care team follows up (E or I); not recorded.",
            visit.class
        )));
    };
    let is_update = event == AdtEvent::Update;
    let existing = encounters::find_sent(conn, auth, &visit.number, !is_update, now)
        .map_err(|e| refusal_of(e, patient))?;
    if is_update {
        match &existing {
            None => {
                return Ok(not_recorded(
                    "No encounter has this visit number; an update (A08) does not create one."
                        .into(),
                ));
            }
            Some(e) if e.cancelled_at.is_some() => {
                return Ok(not_recorded(
                    "This admission was cancelled; an update (A08) does not reinstate it.".into(),
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(e) = &existing
        && e.patient_id != patient
    {
        return Err(Failed::Refused(
            Refusal::not_applied(
                Condition::DuplicateKey,
                "PV1-19",
                "This visit number belongs to an encounter of another patient.",
            ),
            Some(patient),
        ));
    }
    let missing = |field: &str, what: &str| {
        Failed::Refused(
            Refusal::rejected(
                Condition::RequiredFieldMissing,
                field,
                format!("{field} ({what}) is empty."),
            ),
            Some(patient),
        )
    };
    let admitted_at = visit
        .admitted_at
        .or(existing.as_ref().map(|e| e.admitted_at))
        .ok_or_else(|| missing("PV1-44", "admit date/time"))?;
    let discharged_at = match event {
        AdtEvent::Discharge => Some(
            visit
                .discharged_at
                .ok_or_else(|| missing("PV1-45", "discharge date/time"))?,
        ),
        // An update corrects a recorded discharge; it never discharges.
        AdtEvent::Update => existing
            .as_ref()
            .and_then(|e| e.discharged_at)
            .map(|recorded| visit.discharged_at.unwrap_or(recorded)),
        _ => visit.discharged_at,
    };
    let discharge_disposition = discharged_at.and(visit.disposition.clone().or_else(|| {
        existing
            .as_ref()
            .and_then(|e| e.discharge_disposition.clone())
    }));
    let facility = visit
        .facility
        .clone()
        .or_else(|| existing.as_ref().map(|e| e.facility.clone()))
        .ok_or_else(|| missing("PV1-3", "assigned location's facility"))?;
    let new = NewEncounter {
        patient_id: patient,
        kind,
        facility,
        admitted_at,
        discharged_at,
        discharge_disposition,
        external_id: Some(visit.number.clone()),
        version: None,
    };
    let valid = Valid::new(new, &auth.context(now))
        .map_err(|errors| refusal_of(ApiError::from(errors), patient))?;
    // The sending system is the record of its admissions and discharges:
    // its message applies over an edit made here since (audited either way).
    let seen = existing.as_ref().map(|e| Expected::Version(e.version));
    let saved =
        encounters::record(conn, auth, valid, seen, now).map_err(|e| refusal_of(e, patient))?;
    Ok(Applied {
        patient: Some(patient),
        encounter: Some(saved.record.id),
        audited: true,
        note: None,
    })
}

/// The PV1 field an encounter field comes from.
fn field_of(encounter_field: &str) -> &'static str {
    match encounter_field {
        "admitted_at" => "PV1-44",
        "discharged_at" => "PV1-45",
        "discharge_disposition" => "PV1-36",
        "external_id" => "PV1-19",
        "facility" => "PV1-3",
        "kind" => "PV1-2",
        _ => "",
    }
}

/// An encounter use case's refusal as the acknowledgment says it (AE); a
/// failure of the server's own stays an HTTP error.
fn refusal_of(e: ApiError, patient: PatientId) -> Failed {
    let refusal = match &e {
        ApiError::Validation(errors) => {
            let first = errors.first();
            let location = first.map_or("", |f| field_of(&f.field));
            let reason = errors
                .iter()
                .map(|f| format!("{} ({}) {}", field_of(&f.field), f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ");
            Refusal::not_applied(Condition::DataType, location, reason)
        }
        ApiError::NotFound(detail) => {
            Refusal::not_applied(Condition::UnknownKey, "PV1-19", detail.clone())
        }
        ApiError::Conflict(detail) => {
            Refusal::not_applied(Condition::ApplicationError, "PV1-19", detail.clone())
        }
        ApiError::BadRequest(detail) => Refusal::rejected(Condition::DataType, "", detail.clone()),
        _ => return Failed::Api(e),
    };
    Failed::Refused(refusal, Some(patient))
}

const SYSTEM_NOUN: &str = "identifier system mapping";

/// The organization's assigning-authority mappings, by authority.
pub fn list_systems(
    conn: &mut PgConnection,
    auth: &Authorized,
    (): (),
    paging: &Paging<String>,
) -> ApiResult<Page<IdentifierSystem>> {
    let rows = store::list_systems(conn, auth, paging)?;
    Ok(paging.page(rows, |m| m.assigning_authority.clone()))
}

/// One authority's mapping, or a 404.
pub fn get_system(
    conn: &mut PgConnection,
    auth: &Authorized,
    authority: String,
) -> ApiResult<IdentifierSystem> {
    if !hl7::authority_name_valid(&authority) {
        return Err(ApiError::not_found(SYSTEM_NOUN));
    }
    store::find_system(conn, auth, &authority, false)?
        .ok_or_else(|| ApiError::not_found(SYSTEM_NOUN))
}

/// Sets an authority's system; answers the mapping and whether it is new.
/// Changing a set one needs the version read (428 without, 412 stale).
pub fn put_system(
    conn: &mut PgConnection,
    auth: &Authorized,
    authority: String,
    seen: Option<Expected>,
    body: Valid<IdentifierSystemWrite>,
    now: DateTime<Utc>,
) -> ApiResult<(IdentifierSystem, bool)> {
    if !hl7::authority_name_valid(&authority) {
        return Err(ApiError::not_found(SYSTEM_NOUN));
    }
    let current = store::find_system(conn, auth, &authority, true)?;
    match (&current, seen) {
        (Some(_), None) => return Err(ApiError::PreconditionRequired),
        (Some(c), Some(e)) => e.check(c.version)?,
        (None, Some(_)) => return Err(ApiError::PreconditionFailed { current: 0 }),
        (None, None) => {}
    }
    let body = body.into_inner();
    store::put_system(conn, auth, &authority, &body.system, now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::Hl7IdentifierSystemPut)
            .on(&authority)
            .details(json!({"system": body.system})),
    )?;
    let saved = get_system(conn, auth, authority)?;
    Ok((saved, current.is_none()))
}
