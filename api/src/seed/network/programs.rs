//! Demo community programs and entitlements (housing, transportation,
//! interpretation, benefits, self-management, peer support), and forty
//! enrollments across every status, each step dated in the past; a few
//! benefits come up for renewal within 30 days, so the scheduler's pass
//! opens their tasks.

use chrono::{DateTime, Duration, Months, Utc};
use diesel::PgConnection;
use rand::Rng;
use rand::rngs::StdRng;
use shared::case_status::CaseStatus;
use shared::programs::{
    EnrollmentPatch, EnrollmentStatus, NewEnrollment, NewProgram, Program, ProgramKind,
};

use super::super::care::{Seeded, valid};
use super::super::pick;
use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::http::concurrency::Expected;
use crate::programs::service as programs;

/// A demo program: name, kind, what it is, who qualifies, how to reach
/// it, and its renewal interval in months.
type DemoProgram = (
    &'static str,
    ProgramKind,
    &'static str,
    &'static str,
    &'static str,
    Option<i32>,
);

/// The demo programs.
const PROGRAMS: &[DemoProgram] = &[
    (
        "Home Forward housing choice voucher",
        ProgramKind::Housing,
        "Section 8 housing choice vouchers for Multnomah County: the waitlist opens by lottery, and a voucher is recertified every year.",
        "Household income at or below 50% of area median income; lottery entry when the waitlist opens.",
        "Home Forward, 503-555-0180",
        Some(12),
    ),
    (
        "Coordinated Access rapid rehousing",
        ProgramKind::Housing,
        "Short-term rent assistance and a housing navigator for people leaving homelessness.",
        "Currently homeless or fleeing domestic violence; assessed through Coordinated Access.",
        "211info, dial 2-1-1",
        None,
    ),
    (
        "Ride to Care (OHP NEMT)",
        ProgramKind::Transportation,
        "Free rides to covered health care visits for Oregon Health Plan members.",
        "OHP members with Health Share or CareOregon; book two business days ahead.",
        "Ride to Care, 503-555-0181",
        None,
    ),
    (
        "TriMet Honored Citizen reduced fare",
        ProgramKind::Transportation,
        "Reduced bus and MAX fares.",
        "65 or older, on Medicare, receiving disability benefits, or on OHP with low income.",
        "TriMet Ticket Office, 503-555-0182",
        Some(24),
    ),
    (
        "OHP certified interpreter services",
        ProgramKind::Interpretation,
        "Certified or qualified health care interpreters for OHP-covered visits, in person or by phone.",
        "Any OHP member; ask the clinic to book one when scheduling.",
        "OHA Health Care Interpreter Program",
        None,
    ),
    (
        "SNAP (food benefits)",
        ProgramKind::Benefits,
        "Monthly food benefits on an Oregon Trail card.",
        "Household income at or below 185% of the federal poverty level; recertify every 12 months.",
        "Oregon ODHS, 1-800-555-0183",
        Some(12),
    ),
    (
        "Oregon Health Plan (Medicaid)",
        ProgramKind::Benefits,
        "Oregon Health Plan coverage: applying, and the yearly renewal packet.",
        "Adults with income up to 138% of the federal poverty level; renew yearly.",
        "ONE Customer Service Center, 1-800-555-0184",
        Some(12),
    ),
    (
        "SSI (Supplemental Security Income)",
        ProgramKind::Benefits,
        "Monthly income for people with disabilities; SOAR-trained staff help with the application.",
        "Adults with a disabling condition and limited income and assets; periodic disability reviews.",
        "SOAR coordinator, 503-555-0185",
        Some(36),
    ),
    (
        "Oregon Energy Assistance (LIHEAP)",
        ProgramKind::Benefits,
        "Help paying heating bills in winter.",
        "Household income at or below 60% of state median income; apply each season.",
        "Community action agency, 503-555-0186",
        Some(12),
    ),
    (
        "WRAP (Wellness Recovery Action Plan) group",
        ProgramKind::SelfManagement,
        "An eight-week peer-led group for writing a personal wellness and crisis plan.",
        "Adults with a mental health condition who want to build a recovery plan.",
        "Riverside peer services, 503-555-0187",
        None,
    ),
    (
        "Living Well with Chronic Conditions",
        ProgramKind::SelfManagement,
        "A six-week self-management workshop (Stanford model) for chronic conditions.",
        "Adults living with a chronic condition, and their caregivers.",
        "Area Agency on Aging, 503-555-0188",
        None,
    ),
    (
        "Peer support specialist program",
        ProgramKind::PeerSupport,
        "One-to-one support from a certified peer support specialist with lived experience.",
        "Adults in behavioral health care; OHP covers it.",
        "Riverside peer services, 503-555-0187",
        None,
    ),
];

/// How the enrollments end up: the steps after referral, and how many.
const PATHS: &[(&[EnrollmentStatus], usize)] = &[
    (&[], 6),
    (&[EnrollmentStatus::Applied], 7),
    (&[EnrollmentStatus::Applied, EnrollmentStatus::Enrolled], 16),
    (&[EnrollmentStatus::Applied, EnrollmentStatus::Denied], 4),
    (
        &[
            EnrollmentStatus::Applied,
            EnrollmentStatus::Enrolled,
            EnrollmentStatus::Exited,
        ],
        5,
    ),
    (&[EnrollmentStatus::Exited], 2),
];

/// Of the enrollments that stay enrolled in a program with renewals, how
/// many come due within 30 days.
const RENEWING_SOON: usize = 4;

/// Adds the programs and the enrollments of one organization's clients.
pub(super) fn seed(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    seeded: &[Seeded],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let added = now - Duration::days(400);
    let mut list = Vec::with_capacity(PROGRAMS.len());
    for &(name, kind, description, eligibility, contact, renewal_months) in PROGRAMS {
        let new = NewProgram {
            name: name.into(),
            kind,
            description: Some(description.into()),
            eligibility_notes: Some(eligibility.into()),
            contact: Some(contact.into()),
            renewal_months,
        };
        list.push(programs::create_program(
            conn,
            auth,
            (),
            valid(auth, new, added)?,
            added,
        )?);
    }
    let clients: Vec<Seeded> = seeded
        .iter()
        .filter(|p| matches!(p.status, CaseStatus::Active | CaseStatus::OnHold))
        .filter(|p| p.care_manager.is_some())
        .copied()
        .collect();
    if clients.is_empty() {
        return Ok(());
    }
    let renewing: Vec<&Program> = list.iter().filter(|p| p.renewal_months.is_some()).collect();
    let mut soon = 0;
    for &(steps, count) in PATHS {
        for _ in 0..count {
            let p = *pick(rng, &clients);
            let cm = p
                .care_manager
                .map_or_else(|| auth.clone(), |cm| auth.clone().on_behalf_of(cm));
            let stays_enrolled = steps.last() == Some(&EnrollmentStatus::Enrolled);
            if stays_enrolled && soon < RENEWING_SOON && !renewing.is_empty() {
                soon += 1;
                let program = *pick(rng, &renewing);
                enroll_due_soon(conn, rng, &cm, &p, program, now)?;
            } else {
                let program = pick(rng, &list);
                enroll(conn, rng, &cm, &p, program, steps, now)?;
            }
        }
    }
    Ok(())
}

/// A time `days` before `now`, give or take a few hours.
fn days_ago(rng: &mut StdRng, now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    now - Duration::days(days) - Duration::minutes(rng.random_range(0..240))
}

/// Refers `p` to `program` and takes `steps`, each some days after the
/// one before, all in the past.
fn enroll(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    program: &Program,
    steps: &[EnrollmentStatus],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    // Far enough back for every step to fit.
    let mut ago = rng.random_range(3..40) + 25 * i64::try_from(steps.len()).unwrap_or(0);
    let at = days_ago(rng, now, ago);
    let new = NewEnrollment {
        program_id: program.id,
        referred_on: None,
        notes: Some(format!("Referred by the care manager to {}.", program.name)),
    };
    let mut e = programs::create(conn, auth, p.id, valid(auth, new, at)?, at)?;
    for &to in steps {
        ago -= rng.random_range(3..25).min(ago - 1);
        let at = days_ago(rng, now, ago);
        let notes = match to {
            EnrollmentStatus::Denied => shared::patch::Patch::Value(
                "Denied: income over the limit; appeal possible within 60 days.".to_owned(),
            ),
            EnrollmentStatus::Exited => shared::patch::Patch::Value(
                "Exited: no longer needed, or the client chose to stop.".to_owned(),
            ),
            _ => shared::patch::Patch::Absent,
        };
        let patch = EnrollmentPatch {
            status: Some(to),
            on: Some(auth.today(at)),
            notes,
            ..EnrollmentPatch::default()
        };
        e = programs::change(
            conn,
            auth,
            e.id,
            Expected::Version(e.version),
            valid(auth, patch, at)?,
            at,
        )?;
    }
    Ok(())
}

/// An enrollment that has to be renewed in the next 5–28 days: enrolled
/// one renewal interval before that.
fn enroll_due_soon(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    program: &Program,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let months = program
        .renewal_months
        .and_then(|m| u32::try_from(m).ok())
        .unwrap_or(12);
    let renew_by = auth.today(now) + Duration::days(rng.random_range(5..29));
    let enrolled_on = renew_by
        .checked_sub_months(Months::new(months))
        .unwrap_or(renew_by);
    let enrolled_ago = (auth.today(now) - enrolled_on).num_days();
    let applied_ago = enrolled_ago + rng.random_range(7..30);
    let referred_ago = applied_ago + rng.random_range(3..14);
    let at = days_ago(rng, now, referred_ago);
    let new = NewEnrollment {
        program_id: program.id,
        referred_on: None,
        notes: Some(format!("Referred by the care manager to {}.", program.name)),
    };
    let mut e = programs::create(conn, auth, p.id, valid(auth, new, at)?, at)?;
    for (to, ago) in [
        (EnrollmentStatus::Applied, applied_ago),
        (EnrollmentStatus::Enrolled, enrolled_ago),
    ] {
        let at = days_ago(rng, now, ago);
        let patch = EnrollmentPatch {
            status: Some(to),
            on: Some(auth.today(at)),
            renewal_due_on: if to == EnrollmentStatus::Enrolled {
                shared::patch::Patch::Value(renew_by)
            } else {
                shared::patch::Patch::Absent
            },
            ..EnrollmentPatch::default()
        };
        e = programs::change(
            conn,
            auth,
            e.id,
            Expected::Version(e.version),
            valid(auth, patch, at)?,
            at,
        )?;
    }
    Ok(())
}
