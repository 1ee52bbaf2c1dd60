//! Demo referrals: about seventy, in every state of the lifecycle, each
//! walked step by step through the use case as the patient's care manager
//! would, at realistic past times — so the history, follow-up tasks,
//! overdue alerts, re-referrals after no-shows and the providers' quality
//! figures all come from the rules.

use chrono::{DateTime, Duration, DurationRound, NaiveDate, Timelike, Utc};
use diesel::PgConnection;
use rand::Rng;
use rand::rngs::StdRng;
use shared::case_status::CaseStatus;
use shared::directory::NetworkStatus;
use shared::patch::Patch;
use shared::providers::{Provider, ServiceType};
use shared::referral::{
    BarrierKind, BarrierPatch, NewBarrier, NewReferral, Referral, ReferralPriority,
    ReferralStatus::{
        self, Accepted, Cancelled, Closed, Completed, Declined, NoShow, Scheduled, Sent,
    },
    ReferralStatusChange, Satisfaction,
};

use super::super::care::{Seeded, valid};
use super::super::{pick, weighted};
use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::http::concurrency::Expected;
use crate::necessity::service as necessity;
use crate::referrals::service as referrals;

/// One way through the lifecycle, and how many demo referrals take it.
struct Path {
    /// The steps after drafting.
    steps: &'static [ReferralStatus],
    /// How many referrals take it.
    count: usize,
    /// How long ago it was sent (drafted, when it never was), in hours.
    hours_ago: (i64, i64),
    /// Days from sending to the appointment, when it gets one.
    appointment_days: (i64, i64),
    /// Left unanswered past the two business days, on purpose.
    late: bool,
}

/// The paths, with their counts. Each time range keeps every step in the
/// past (and an open referral's appointment, when it has one, ahead).
const PATHS: &[Path] = &[
    path(&[], 6, (2, 96), (0, 0)),
    // Sent today or yesterday, and sent last week without an answer.
    path(&[Sent], 4, (2, 22), (0, 0)),
    Path {
        late: true,
        ..path(&[Sent], 4, (5 * 24, 9 * 24), (0, 0))
    },
    path(&[Sent, Accepted], 6, (40, 120), (0, 0)),
    path(&[Sent, Accepted, Scheduled], 8, (72, 12 * 24), (5, 24)),
    path(
        &[Sent, Accepted, Scheduled, Completed],
        5,
        (8 * 24, 20 * 24),
        (3, 6),
    ),
    path(
        &[Sent, Accepted, Scheduled, Completed, Closed],
        18,
        (25 * 24, 90 * 24),
        (3, 21),
    ),
    path(&[Sent, Declined, Closed], 2, (10 * 24, 40 * 24), (0, 0)),
    path(
        &[Sent, Accepted, Scheduled, NoShow, Closed],
        2,
        (25 * 24, 60 * 24),
        (3, 14),
    ),
    path(&[Sent, Declined], 4, (36, 120), (0, 0)),
    path(
        &[Sent, Accepted, Scheduled, NoShow],
        4,
        (8 * 24, 16 * 24),
        (3, 6),
    ),
    path(&[Cancelled], 1, (3 * 24, 20 * 24), (0, 0)),
    path(&[Sent, Cancelled], 2, (4 * 24, 20 * 24), (0, 0)),
    path(&[Sent, Accepted, Cancelled], 1, (6 * 24, 20 * 24), (0, 0)),
];

/// A path that is not left late on purpose.
const fn path(
    steps: &'static [ReferralStatus],
    count: usize,
    hours_ago: (i64, i64),
    appointment_days: (i64, i64),
) -> Path {
    Path {
        steps,
        count,
        hours_ago,
        appointment_days,
        late: false,
    }
}

/// The services referred to, weighted.
const SERVICES: &[(ServiceType, u32)] = &[
    (ServiceType::OutpatientTherapy, 16),
    (ServiceType::Psychiatry, 10),
    (ServiceType::SubstanceUseTreatment, 8),
    (ServiceType::PeerSupport, 8),
    (ServiceType::HousingSupport, 8),
    (ServiceType::PrimaryCare, 6),
    (ServiceType::IntensiveOutpatient, 6),
    (ServiceType::CrisisServices, 3),
    (ServiceType::WithdrawalManagement, 3),
    (ServiceType::InpatientPsychiatric, 2),
    (ServiceType::PartialHospitalization, 2),
    (ServiceType::Other, 2),
];

/// Why a patient is referred for a service, and what the visit gave.
fn reason_and_outcome(service: ServiceType) -> (&'static str, &'static str) {
    match service {
        ServiceType::OutpatientTherapy => (
            "PHQ-9 still moderate after three months; wants weekly therapy",
            "Intake done; weekly trauma-focused CBT started",
        ),
        ServiceType::Psychiatry => (
            "Medication review: side effects and a partial response to sertraline",
            "Medication evaluation done; dose adjusted, follow-up in four weeks",
        ),
        ServiceType::SubstanceUseTreatment => (
            "Asked for help cutting down drinking after an ED visit",
            "Assessment done; started outpatient SUD group twice a week",
        ),
        ServiceType::PeerSupport => (
            "Isolated since the move; interested in a peer mentor",
            "Matched with a peer support specialist; meeting weekly",
        ),
        ServiceType::HousingSupport => (
            "Eviction notice; needs help with rent assistance and a housing plan",
            "Housing assessment done; on the coordinated access list with a navigator",
        ),
        ServiceType::PrimaryCare => (
            "No primary care provider; overdue A1c and blood pressure checks",
            "New-patient visit done; labs drawn and a PCP assigned",
        ),
        ServiceType::IntensiveOutpatient => (
            "PHQ-9 rising after a discharge; needs more than weekly therapy",
            "Admitted to IOP three days a week for six weeks",
        ),
        ServiceType::CrisisServices => (
            "Repeated crisis calls this month; needs a crisis stabilization plan",
            "Crisis assessment done; safety plan written with the client",
        ),
        ServiceType::WithdrawalManagement => (
            "Daily heavy drinking; wants medically monitored withdrawal",
            "Completed five days of withdrawal management; linked to outpatient SUD care",
        ),
        ServiceType::InpatientPsychiatric => (
            "Worsening depression with suicidal thoughts; needs a higher level of care",
            "Admitted for stabilization; discharged with an outpatient plan",
        ),
        ServiceType::PartialHospitalization => (
            "Step-down after an inpatient stay; not yet safe with weekly care alone",
            "Completed the partial hospitalization program; stepped down to IOP",
        ),
        ServiceType::Other => (
            "Needs help with benefits paperwork and a case manager who speaks their language",
            "Met with the community health worker; benefits applications filed",
        ),
    }
}

/// Why a referral is sent although the criteria are not met.
const OVERRIDE_REASONS: &[&str] = &[
    "Psychiatrist's recommendation after today's visit; not yet reflected in screenings",
    "Family reports rapid decline over the weekend; safety concerns",
    "Client requested this level of care; discussed with the supervisor",
];
/// Why a provider declines.
const DECLINE_REASONS: &[&str] = &[
    "Not accepting new OHP clients until next month",
    "Needs a higher level of care than we provide",
    "Waitlist is over eight weeks",
    "Outside our service area",
];
/// Why the care team cancels.
const CANCEL_REASONS: &[&str] = &[
    "Client chose a provider closer to home",
    "Client moved out of the area",
    "Needs are met by the current therapist",
    "Client declined the service",
];
/// Barriers: kind, description, and how it is usually resolved.
const BARRIERS: &[(BarrierKind, &str, &str)] = &[
    (
        BarrierKind::Transportation,
        "No bus line reaches the clinic; three miles from the nearest MAX stop",
        "Ride to Care (OHP NEMT) booked for the intake and follow-ups",
    ),
    (
        BarrierKind::Insurance,
        "OHP coverage lapsed at renewal",
        "OHP renewal submitted with the client; coverage reinstated",
    ),
    (
        BarrierKind::Documentation,
        "Needs a photo ID for intake",
        "ID fee voucher obtained; Oregon ID card issued",
    ),
    (
        BarrierKind::Language,
        "No clinician there speaks the client's language",
        "Certified interpreter booked for every visit",
    ),
    (
        BarrierKind::Childcare,
        "No childcare during afternoon appointments",
        "Moved to a morning slot while the children are at school",
    ),
    (
        BarrierKind::Cost,
        "The copay is more than the client can pay",
        "The clinic approved its sliding-scale fee",
    ),
    (
        BarrierKind::Other,
        "Works night shifts; cannot come during the day",
        "Evening telehealth appointments arranged",
    ),
];
/// What patients say when they rate the service.
const COMMENTS: &[(i16, &str)] = &[
    (5, "They listened and called me back the same day."),
    (5, "The interpreter made all the difference."),
    (4, "Good care, but the waiting room was packed."),
    (4, "Helpful staff; parking was hard."),
    (3, "It took three calls to get the appointment."),
    (2, "Felt rushed at the visit."),
    (1, "Nobody explained what happens next."),
];

/// The active clients a care manager can refer.
fn referable(seeded: &[Seeded]) -> Vec<Seeded> {
    seeded
        .iter()
        .filter(|p| p.status == CaseStatus::Active && p.care_manager.is_some())
        .copied()
        .collect()
}

/// Drafts and moves the demo referrals of one organization's clients.
pub(super) fn seed(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    seeded: &[Seeded],
    network: &[Provider],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let clients = referable(seeded);
    if clients.is_empty() {
        return Ok(());
    }
    for path in PATHS {
        for _ in 0..path.count {
            let p = *pick(rng, &clients);
            let service = weighted(rng, SERVICES);
            let in_network: Vec<&Provider> = network
                .iter()
                .filter(|v| v.network_status == NetworkStatus::InNetwork)
                .filter(|v| v.services.contains(&service))
                .collect();
            if in_network.is_empty() {
                continue;
            }
            let provider = *pick(rng, &in_network);
            let cm = p
                .care_manager
                .map_or_else(|| auth.clone(), |cm| auth.clone().on_behalf_of(cm));
            let walk = Walk {
                patient: p,
                provider,
                service,
                path,
            };
            walk.run(conn, rng, &cm, now)?;
        }
    }
    Ok(())
}

/// One referral on its way along a path.
struct Walk<'a> {
    patient: Seeded,
    provider: &'a Provider,
    service: ServiceType,
    path: &'a Path,
}

/// The times of a referral's life: drafted, sent, and the appointment.
struct Times {
    drafted: DateTime<Utc>,
    sent: DateTime<Utc>,
    appointment: Option<DateTime<Utc>>,
}

impl Walk<'_> {
    /// When each thing happens, all before `now` except an open
    /// referral's coming appointment.
    fn times(&self, rng: &mut StdRng, now: DateTime<Utc>) -> Times {
        let (lo, hi) = self.path.hours_ago;
        let anchor = now - Duration::hours(rng.random_range(lo..=hi));
        // Back to a working hour in Oregon (16:00–24:00 UTC is 8 or 9 am
        // to 4 or 5 pm there).
        let hour = i64::from(anchor.hour());
        let anchor = anchor - Duration::hours((hour - rng.random_range(16..24_i64)).rem_euclid(24));
        let sends = self.path.steps.first() == Some(&Sent);
        let drafted = if sends {
            anchor - Duration::minutes(rng.random_range(30..48 * 60))
        } else {
            anchor
        };
        let appointment = self.path.steps.contains(&Scheduled).then(|| {
            let (lo, hi) = self.path.appointment_days;
            let mut day = anchor + Duration::days(rng.random_range(lo..=hi));
            let ahead = self.path.steps.last() == Some(&Scheduled);
            if ahead {
                day = day.max(now + Duration::hours(rng.random_range(20..72)));
            }
            // On the hour, in working hours: 16:00–22:00 UTC is 8 or 9 am to
            // 2 or 3 pm in Oregon. A coming one moves later; a past one to
            // the nearest such hour.
            let at = day.duration_trunc(Duration::hours(1)).unwrap_or(day);
            let mut shift = (16 + rng.random_range(0..7_i64) - i64::from(at.hour())).rem_euclid(24);
            if !ahead && shift > 12 {
                shift -= 24;
            }
            at + Duration::hours(shift)
        });
        Times {
            drafted,
            sent: anchor,
            appointment,
        }
    }

    /// The due date: the priority's, moved past the appointment, and for a
    /// referral left open, past today (an unanswered one is late anyway).
    fn due_date(
        &self,
        rng: &mut StdRng,
        auth: &Authorized,
        priority: ReferralPriority,
        t: &Times,
        now: DateTime<Utc>,
    ) -> NaiveDate {
        let mut due = priority.default_due(auth.today(t.drafted));
        if let Some(at) = t.appointment {
            due = due.max(auth.today(at) + Duration::days(2));
        }
        let open = self
            .path
            .steps
            .last()
            .copied()
            .is_none_or(ReferralStatus::is_open);
        if open && !self.path.late {
            due = due.max(auth.today(now) + Duration::days(rng.random_range(2..12)));
        }
        due
    }

    /// Drafts the referral and takes its steps (a no-show drafts its
    /// re-referral).
    fn run(
        &self,
        conn: &mut PgConnection,
        rng: &mut StdRng,
        auth: &Authorized,
        now: DateTime<Utc>,
    ) -> ApiResult<()> {
        let t = self.times(rng, now);
        let priority = weighted(
            rng,
            &[
                (ReferralPriority::Routine, 70),
                (ReferralPriority::Urgent, 22),
                (ReferralPriority::Emergent, 8),
            ],
        );
        let (reason, _) = reason_and_outcome(self.service);
        let new = NewReferral {
            patient_id: self.patient.id,
            provider_id: self.provider.id,
            service: self.service,
            priority,
            reason: reason.into(),
            need_id: None,
            intervention_id: None,
            due_date: Some(self.due_date(rng, auth, priority, &t, now)),
        };
        let mut r = referrals::create(conn, auth, (), valid(auth, new, t.drafted)?, t.drafted)?;
        let mut at = t.drafted;
        let mut barrier = None;
        for &to in self.path.steps {
            at = when(rng, to, at, &t).min(now);
            // Most are resolved by the time the visit is booked; all by closing.
            if barrier.is_some() && (to == Closed || (to == Scheduled && rng.random_bool(0.8))) {
                let resolved = at - Duration::minutes(rng.random_range(10..90));
                resolve(conn, auth, barrier.take(), resolved.max(t.sent))?;
            }
            r = step(conn, rng, auth, &r, to, &t, at)?;
            if to == Sent && rng.random_bool(0.35) {
                let noted = (at + Duration::minutes(rng.random_range(20..180))).min(now);
                barrier = Some(add_barrier(conn, rng, auth, &r, noted)?);
            }
        }
        Ok(())
    }
}

/// When step `to` happens, after the step before it at `prev`.
fn when(rng: &mut StdRng, to: ReferralStatus, prev: DateTime<Utc>, t: &Times) -> DateTime<Utc> {
    let hours =
        |rng: &mut StdRng, lo: i64, hi: i64| Duration::minutes(rng.random_range(lo * 60..hi * 60));
    match to {
        Sent => t.sent,
        Accepted | Declined => prev + hours(rng, 4, 30),
        Scheduled => prev + hours(rng, 1, 24),
        Completed | NoShow => t.appointment.unwrap_or(prev) + hours(rng, 2, 20),
        Closed => prev + hours(rng, 12, 72),
        Cancelled => prev + hours(rng, 6, 48),
        ReferralStatus::Draft => prev,
    }
}

/// Takes step `to` of `r` at `at`.
fn step(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    r: &Referral,
    to: ReferralStatus,
    t: &Times,
    at: DateTime<Utc>,
) -> ApiResult<Referral> {
    let mut change = ReferralStatusChange {
        status: to,
        reason: None,
        appointment_at: None,
        outcome: None,
        override_reason: None,
        satisfaction: None,
        version: None,
    };
    match to {
        Sent => {
            let check = necessity::check(conn, auth, r.patient_id, r.service, at)?;
            if check.is_some_and(|e| !e.met) {
                change.override_reason = Some((*pick(rng, OVERRIDE_REASONS)).into());
            }
        }
        Declined => change.reason = Some((*pick(rng, DECLINE_REASONS)).into()),
        Cancelled => change.reason = Some((*pick(rng, CANCEL_REASONS)).into()),
        Scheduled => change.appointment_at = t.appointment,
        Completed => change.outcome = Some(reason_and_outcome(r.service).1.into()),
        Closed if r.status == Completed => change.satisfaction = Some(satisfaction(rng)),
        _ => {}
    }
    referrals::move_to(
        conn,
        auth,
        r.id,
        Expected::Version(r.version),
        valid(auth, change, at)?,
        at,
    )
}

/// A patient's rating at closing: mostly 4s and 5s.
fn satisfaction(rng: &mut StdRng) -> Satisfaction {
    let rating = weighted(rng, &[(5_i16, 45), (4, 35), (3, 12), (2, 5), (1, 3)]);
    let comments: Vec<&str> = COMMENTS
        .iter()
        .filter(|(r, _)| *r == rating)
        .map(|(_, c)| *c)
        .collect();
    Satisfaction {
        rating,
        comment: (rng.random_bool(0.6) && !comments.is_empty())
            .then(|| (*pick(rng, &comments)).to_owned()),
    }
}

/// A barrier recorded and not yet resolved.
#[derive(Debug, Clone, Copy)]
struct Open {
    id: uuid::Uuid,
    version: i32,
    kind: BarrierKind,
}

/// Records a barrier on `r` at `at`.
fn add_barrier(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    r: &Referral,
    at: DateTime<Utc>,
) -> ApiResult<Open> {
    let (kind, description, _) = *pick(rng, BARRIERS);
    let new = NewBarrier {
        kind,
        description: Some(description.into()),
    };
    let b = referrals::add_barrier(conn, auth, r.id, valid(auth, new, at)?, at)?;
    Ok(Open {
        id: b.id,
        version: b.version,
        kind: b.kind,
    })
}

/// Resolves `barrier` (if any) at `at`, as its kind usually is.
fn resolve(
    conn: &mut PgConnection,
    auth: &Authorized,
    barrier: Option<Open>,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(b) = barrier else {
        return Ok(());
    };
    let resolution = BARRIERS
        .iter()
        .find(|(k, _, _)| *k == b.kind)
        .map_or("Resolved with the client", |(_, _, r)| *r);
    let patch = BarrierPatch {
        resolution: Patch::Value(resolution.into()),
        ..BarrierPatch::default()
    };
    referrals::change_barrier(
        conn,
        auth,
        b.id,
        Expected::Version(b.version),
        valid(auth, patch, at)?,
        at,
    )?;
    Ok(())
}
