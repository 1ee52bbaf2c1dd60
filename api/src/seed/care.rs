//! Demo care activity: care teams, contacts, hospital stays, appointments,
//! tasks and notes, created through the same workflow rules the API runs so
//! the demo worklists look exactly like production ones (recent discharges
//! with their 24-hour follow-ups, missed appointments, overdue work).

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use rand::Rng;
use rand::rngs::StdRng;
use shared::appointments::{AppointmentKind, AppointmentStatus, NewAppointment};
use shared::care_team::{CareTeamRole, NewCareTeamMember};
use shared::case_status::CaseStatus;
use shared::contacts::{Consent, ConsentScope, NewContact, Relationship};
use shared::encounters::{Encounter, EncounterKind, NewEncounter};
use shared::ids::{PatientId, UserId};
use shared::notes::{NewNote, NoteType, SignRequest};
use shared::screening::{Answers, Instrument, NewScreening};
use shared::tasks::{NewTask, Priority, TaskKind, TaskPatch, TaskStatus, TransitionOutcome};
use shared::validation::{Normalize, Valid};
use validator::ValidateArgs;

use super::pick;
use crate::appointments::service as appointments;
use crate::auth::Authorized;
use crate::care_team::service as care_team;
use crate::contacts::service as contacts;
use crate::encounters::service as encounters;
use crate::error::ApiResult;
use crate::http::concurrency::Expected;
use crate::notes::service as notes;
use crate::screenings::service as screenings;
use crate::tasks::service as tasks;

/// A seeded patient, as the care activity needs it.
#[derive(Debug, Clone, Copy)]
pub struct Seeded {
    /// Patient id.
    pub id: PatientId,
    /// Primary care manager.
    pub care_manager: Option<UserId>,
    /// Case status.
    pub status: CaseStatus,
}

const FACILITIES: &[(&str, EncounterKind)] = &[
    ("Riverside General Hospital", EncounterKind::Ed),
    (
        "Riverside General Hospital",
        EncounterKind::InpatientMedical,
    ),
    ("Cascade Behavioral Health", EncounterKind::InpatientPsych),
    ("Willamette Crisis Center", EncounterKind::Bhcc),
    ("Providence St. Vincent", EncounterKind::Ed),
    ("Hooper Detox Center", EncounterKind::Detox),
];
const DISPOSITIONS: &[&str] = &[
    "home",
    "home with services",
    "shelter",
    "residential treatment",
];
const PROVIDERS: &[(&str, AppointmentKind)] = &[
    ("Dr. Elena Vasquez", AppointmentKind::Psychiatry),
    ("Jordan Lee, LCSW", AppointmentKind::Therapy),
    ("Dr. Michael Chen", AppointmentKind::Medical),
    ("Riverside Family Medicine", AppointmentKind::Medical),
    ("Morgan Blake, LPC", AppointmentKind::Therapy),
    ("Housing navigator", AppointmentKind::Other),
];
const PCPS: &[(&str, &str)] = &[
    ("Dr. Michael Chen", "Riverside Family Medicine"),
    ("Dr. Aisha Bello", "Eastside Community Clinic"),
    ("Dr. Tom Nguyen", "Multnomah Health Center"),
];
const CONTACT_NAMES: &[(&str, Relationship)] = &[
    ("Ana Morales", Relationship::Parent),
    ("Chris Johnson", Relationship::Spouse),
    ("Dana Whitfield", Relationship::Sibling),
    ("Luis Ortega", Relationship::Friend),
    ("Grace Kim", Relationship::Child),
];
const MANUAL_TASKS: &[(TaskKind, &str)] = &[
    (
        TaskKind::ReferralFollowup,
        "Check whether the housing referral was accepted",
    ),
    (TaskKind::ScreeningDue, "PHQ-9 rescreen is due"),
    (TaskKind::CarePlanReview, "Quarterly care plan review"),
    (TaskKind::Outreach, "Check in after medication change"),
    (
        TaskKind::ChartReview,
        "Review recent labs and prescriptions",
    ),
];
const NOTE_BODIES: &[(NoteType, &str)] = &[
    (
        NoteType::CareCoordination,
        "Called the pharmacy to sync refills; next fill ready Friday.",
    ),
    (
        NoteType::Outreach,
        "Reached the patient by phone; agreed to a home visit next week.",
    ),
    (
        NoteType::Assessment,
        "Reviewed goals; patient wants help with transportation to therapy.",
    ),
    (
        NoteType::Huddle,
        "Discussed at team huddle; peer specialist will join the next visit.",
    ),
    (
        NoteType::Education,
        "Went over the crisis plan and the 988 line with the patient.",
    ),
];

fn hours(rng: &mut StdRng, from: i64, to: i64) -> Duration {
    Duration::minutes(rng.random_range(from * 60..to * 60))
}

/// A request body checked as the API checks it, as of `at`.
pub(super) fn valid<T>(auth: &Authorized, raw: T, at: DateTime<Utc>) -> ApiResult<Valid<T>>
where
    T: Normalize + for<'a> ValidateArgs<'a, Args = &'a shared::validation::Context>,
{
    Ok(Valid::new(raw, &auth.context(at))?)
}

/// The person a patient's work belongs to, or the system itself.
fn by(auth: &Authorized, p: &Seeded) -> Authorized {
    match p.care_manager {
        Some(cm) => auth.clone().on_behalf_of(cm),
        None => auth.clone(),
    }
}

/// Creates the care activity of one organization's patients, as of `now`.
pub fn seed(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    seeded: &[Seeded],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    // The first two of each care manager's clients answered PHQ-9 item 9
    // this morning, so every demo worklist opens on its safety band.
    let mut flagged: Vec<UserId> = Vec::new();
    for p in seeded {
        if matches!(p.status, CaseStatus::Closed | CaseStatus::Referred) {
            continue;
        }
        care_team_and_contacts(conn, rng, auth, p, now)?;
        let safety = p
            .care_manager
            .is_some_and(|cm| flagged.iter().filter(|&&f| f == cm).count() < 2);
        if safety {
            flagged.extend(p.care_manager);
        }
        if safety || rng.random_bool(0.7) {
            phq9_history(conn, rng, &by(auth, p), p.id, now, safety)?;
        }
        match rng.random_range(0..100) {
            0..=11 => recent_discharge(conn, rng, auth, p, now)?,
            12..=15 => current_admission(conn, rng, auth, p, now)?,
            16..=19 => {
                let first = now - hours(rng, 240, 480);
                missed_appointment(conn, rng, auth, p, first)?;
                let second = now - hours(rng, 24, 120);
                missed_appointment(conn, rng, auth, p, second)?;
            }
            20..=29 => {
                let at = now - hours(rng, 20, 140);
                missed_appointment(conn, rng, auth, p, at)?;
            }
            30..=37 => followed_up_discharge(conn, rng, auth, p, now)?,
            _ => {}
        }
        if rng.random_bool(0.35) {
            manual_task(conn, rng, auth, p, now)?;
        }
        if rng.random_bool(0.6) {
            upcoming_appointment(conn, rng, auth, p, now)?;
        }
        let with_note = rng.random_bool(0.3);
        if p.care_manager.is_some() && with_note {
            note(conn, rng, &by(auth, p), p.id, now)?;
        }
    }
    Ok(())
}

fn care_team_and_contacts(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let start_date = (now - Duration::days(rng.random_range(30..400))).date_naive();
    let mut members = Vec::new();
    if let Some(cm) = p.care_manager {
        members.push(NewCareTeamMember {
            user_id: Some(cm),
            name: None,
            organization: None,
            phone: None,
            role: CareTeamRole::CareManager,
            start_date: Some(start_date),
            end_date: None,
        });
    }
    if rng.random_bool(0.7) {
        let (name, organization) = *pick(rng, PCPS);
        members.push(NewCareTeamMember {
            user_id: None,
            name: Some(name.into()),
            organization: Some(organization.into()),
            phone: Some(format!("503-555-{:04}", rng.random_range(100..9999))),
            role: CareTeamRole::Pcp,
            start_date: Some(start_date),
            end_date: None,
        });
    }
    for m in members {
        care_team::add(conn, auth, p.id, valid(auth, m, now)?, now)?;
    }
    if rng.random_bool(0.5) {
        let (name, relationship) = *pick(rng, CONTACT_NAMES);
        let scope = *pick(
            rng,
            &[
                ConsentScope::Appointments,
                ConsentScope::HealthInformation,
                ConsentScope::BehavioralHealth,
            ],
        );
        let new = NewContact {
            name: name.into(),
            relationship,
            phone: Some(format!("971-555-{:04}", rng.random_range(100..9999))),
            email: None,
            emergency_contact: rng.random_bool(0.5),
            consent: rng.random_bool(0.7).then(|| Consent {
                scope,
                starts_on: start_date,
                expires_on: Some(start_date + Duration::days(365)),
            }),
            notes: None,
        };
        contacts::add(conn, auth, p.id, valid(auth, new, now)?, now)?;
    }
    Ok(())
}

/// A stay reported by the hospital's feed shortly after the event; the
/// rules run as of then, so due times and alerts carry realistic timestamps.
fn encounter(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    admitted_at: DateTime<Utc>,
    discharged_at: Option<DateTime<Utc>>,
) -> ApiResult<Encounter> {
    let (facility, kind) = *pick(rng, FACILITIES);
    let new = NewEncounter {
        patient_id: p.id,
        kind,
        facility: facility.into(),
        admitted_at,
        discharged_at,
        discharge_disposition: discharged_at.map(|_| (*pick(rng, DISPOSITIONS)).into()),
        external_id: Some(format!("ADT-{}", rng.random_range(100_000..999_999))),
        version: None,
    };
    let received =
        discharged_at.unwrap_or(admitted_at) + Duration::minutes(rng.random_range(5..90));
    let feed = auth.clone().as_feed();
    let new = valid(&feed, new, received)?;
    Ok(encounters::record(conn, &feed, new, None, received)?.record)
}

fn recent_discharge(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let discharged_at = now - hours(rng, 2, 40);
    let admitted_at = discharged_at - hours(rng, 10, 150);
    encounter(conn, rng, auth, p, admitted_at, Some(discharged_at))?;
    Ok(())
}

fn current_admission(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let admitted_at = now - hours(rng, 3, 70);
    encounter(conn, rng, auth, p, admitted_at, None)?;
    Ok(())
}

/// An older discharge whose follow-up was done (within 24 hours most of the
/// time), so the timely-follow-up share has history.
fn followed_up_discharge(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let discharged_at = now - Duration::days(rng.random_range(4..28)) - hours(rng, 0, 12);
    let admitted_at = discharged_at - hours(rng, 10, 150);
    let e = encounter(conn, rng, auth, p, admitted_at, Some(discharged_at))?;
    let Some(task_id) = e.followup_task_id else {
        return Ok(());
    };
    let completed_at = discharged_at + hours(rng, 3, 32);
    let outcome = TransitionOutcome {
        patient_reached: true,
        followup_appointment_scheduled: true,
        followup_appointment_date: Some(
            (completed_at + Duration::days(rng.random_range(2..10))).date_naive(),
        ),
        discharge_instructions_understood: rng.random_bool(0.8),
        medications_reviewed: true,
        needs_identified: rng
            .random_bool(0.4)
            .then(|| "Needs a ride to the follow-up appointment.".to_string()),
    };
    let done = TaskPatch {
        status: Some(TaskStatus::Done),
        outcome: Some("Reached by phone; follow-up booked.".into()),
        transition_outcome: Some(outcome),
        ..TaskPatch::default()
    };
    // The care manager it was assigned to did it.
    let worker = by(auth, p);
    let done = valid(&worker, done, completed_at)?;
    tasks::work(conn, &worker, task_id, Expected::Any, done, completed_at)?;
    Ok(())
}

fn missed_appointment(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    scheduled_at: DateTime<Utc>,
) -> ApiResult<()> {
    let (provider, kind) = *pick(rng, PROVIDERS);
    let new = NewAppointment {
        patient_id: p.id,
        provider_name: provider.into(),
        kind,
        scheduled_at,
        location: Some("Riverside clinic".into()),
        status: Some(AppointmentStatus::Missed),
        notes: None,
        external_id: None,
        version: None,
    };
    let marked = scheduled_at + hours(rng, 1, 6);
    appointments::record(conn, auth, valid(auth, new, marked)?, None, marked)?;
    Ok(())
}

fn upcoming_appointment(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let (provider, kind) = *pick(rng, PROVIDERS);
    let new = NewAppointment {
        patient_id: p.id,
        provider_name: provider.into(),
        kind,
        scheduled_at: now + hours(rng, 20, 21 * 24),
        location: Some("Riverside clinic".into()),
        status: None,
        notes: None,
        external_id: None,
        version: None,
    };
    appointments::record(conn, auth, valid(auth, new, now)?, None, now)?;
    Ok(())
}

/// A task the care manager made for themselves five days ago.
fn manual_task(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let (kind, title) = *pick(rng, MANUAL_TASKS);
    let new = NewTask {
        patient_id: p.id,
        assignee_id: p.care_manager,
        kind,
        title: title.into(),
        details: None,
        due_at: now + hours(rng, -72, 7 * 24),
        priority: Some(*pick(
            rng,
            &[
                Priority::Normal,
                Priority::Normal,
                Priority::High,
                Priority::Low,
            ],
        )),
    };
    let created = now - Duration::days(5);
    let author = by(auth, p);
    tasks::create(conn, &author, valid(&author, new, created)?, None, created)?;
    Ok(())
}

fn note(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    author: &Authorized,
    patient: PatientId,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let (note_type, body) = *pick(rng, NOTE_BODIES);
    let occurred_at = now - hours(rng, 4, 20 * 24);
    let new = NewNote {
        note_type,
        body: body.into(),
        minutes: rng.random_range(1..7) * 10,
        occurred_at: Some(occurred_at),
        task_id: None,
    };
    let n = notes::write(
        conn,
        author,
        patient,
        valid(author, new, occurred_at)?,
        occurred_at,
    )?;
    if rng.random_bool(0.7) {
        let signed_at = occurred_at + Duration::hours(1);
        let sign = valid(author, SignRequest::default(), signed_at)?;
        notes::sign(
            conn,
            author,
            n.id,
            Expected::Version(n.version),
            sign,
            signed_at,
        )?;
    }
    Ok(())
}

/// A year of PHQ-9s about every 90 days, some clients improving and some
/// not; with `safety`, the latest (two hours ago) answers item 9.
fn phq9_history(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    patient: PatientId,
    now: DateTime<Utc>,
    safety: bool,
) -> ApiResult<()> {
    let improving = rng.random_bool(0.6);
    let mut level: i64 = rng.random_range(12..22);
    let visits: i64 = 5;
    for visit in 0..visits {
        let at = if visit == visits - 1 {
            now - hours(rng, 2, 3)
        } else {
            now - Duration::days(90 * (visits - 1 - visit)) - hours(rng, 24, 240)
        };
        let mut answers = Answers::new();
        let mut left = level;
        for item in 1..=8 {
            let value = left.clamp(0, 3).min(rng.random_range(0..=3));
            left -= value;
            answers = answers.with(item.to_string(), value);
        }
        let item9 = i64::from(safety && visit == visits - 1);
        answers = answers.with("9", item9);
        let new = NewScreening {
            instrument: Instrument::Phq9,
            administered_at: at,
            answers,
        };
        screenings::record(conn, auth, patient, valid(auth, new, at)?, at)?;
        level = if improving {
            (level - rng.random_range(2..6)).max(2)
        } else {
            (level + rng.random_range(-2..3)).clamp(8, 24)
        };
    }
    Ok(())
}
