//! Demo data for local use: two organizations, their users and realistic
//! patients. Deterministic, so screenshots and walkthroughs stay stable.
//! Every demo password is `demo-password-1` — local demo credentials only.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use diesel::Connection;
use diesel::PgConnection;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shared::auth::Role;
use shared::case_status::{CaseStatus, StatusChangeRequest};
use shared::ids::UserId;
use shared::patients::{Address, Identifier, Insurance, NewPatient, Sex};
use shared::risk::RiskLevel;
use shared::users::NewUser;
use shared::validation::Valid;

use crate::auth::{Authorized, passwords};
use crate::error::{ApiError, ApiResult};
use crate::http::concurrency::Expected;
use crate::organizations::store as orgs;
use crate::patients::service as patients;
use crate::users::service as users;

mod care;
mod clinical;
mod network;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password-1";

/// What `seed-demo` did.
#[derive(Debug)]
pub enum Seeded {
    /// Data was loaded.
    Loaded {
        /// Users created.
        users: usize,
        /// Patients created.
        patients: usize,
    },
    /// The database already had organizations; nothing was touched.
    AlreadyHasData,
}

const GIVEN_FEMALE: &[&str] = &[
    "Maria",
    "Aaliyah",
    "Jennifer",
    "Linh",
    "Fatima",
    "Ashley",
    "Guadalupe",
    "Keisha",
    "Mei",
    "Olga",
    "Hodan",
    "Brittany",
    "Rosa",
    "Tamika",
    "Sarah",
    "Yesenia",
    "Ngoc",
    "Amber",
    "Leticia",
    "Dakota",
    "Crystal",
    "Shanice",
    "Elena",
    "Patricia",
    "Samira",
    "Destiny",
    "Ana",
    "Kimberly",
    "Thuy",
    "Margaret",
];
const GIVEN_MALE: &[&str] = &[
    "Jose",
    "DeShawn",
    "Michael",
    "Minh",
    "Ahmed",
    "Tyler",
    "Luis",
    "Marcus",
    "Wei",
    "Dmitri",
    "Abdi",
    "Cody",
    "Juan",
    "Terrell",
    "David",
    "Jesus",
    "Quang",
    "Brandon",
    "Miguel",
    "Tahoma",
    "Jamal",
    "Robert",
    "Andre",
    "Carlos",
    "Omar",
    "Kevin",
    "Francisco",
    "James",
    "Hung",
    "William",
];
const FAMILY: &[&str] = &[
    "Garcia",
    "Johnson",
    "Nguyen",
    "Smith",
    "Hernandez",
    "Williams",
    "Tran",
    "Brown",
    "Martinez",
    "Jones",
    "Lopez",
    "Davis",
    "Le",
    "Miller",
    "Gonzalez",
    "Wilson",
    "Pham",
    "Anderson",
    "Rodriguez",
    "Thomas",
    "Ali",
    "Jackson",
    "Perez",
    "White",
    "Hassan",
    "Harris",
    "Sanchez",
    "Martin",
    "Ivanov",
    "Thompson",
    "Ramirez",
    "Moore",
    "Chen",
    "Clark",
    "Torres",
    "Lewis",
    "Flores",
    "Walker",
    "Yellowhorse",
    "Robinson",
    "Rivera",
    "Young",
    "Mohamed",
    "King",
    "Cruz",
    "Wright",
    "Vo",
    "Scott",
    "Morales",
    "Green",
];
const STREETS: &[&str] = &[
    "SE Division St",
    "NE Alberta St",
    "N Lombard St",
    "SE Powell Blvd",
    "NE Sandy Blvd",
    "SW Barbur Blvd",
    "N Williams Ave",
    "SE 82nd Ave",
    "NE Killingsworth St",
    "SE Foster Rd",
    "Commercial St SE",
    "Lancaster Dr NE",
];
const CITIES: &[(&str, &str)] = &[
    ("Portland", "972"),
    ("Portland", "972"),
    ("Portland", "972"),
    ("Gresham", "970"),
    ("Beaverton", "970"),
    ("Salem", "973"),
];
const PAYERS: &[(&str, bool)] = &[
    ("Oregon Health Plan (CareOregon)", true),
    ("Oregon Health Plan (Trillium)", true),
    ("Oregon Health Plan (Health Share)", true),
    ("Medicare", false),
    ("Providence Health Plan", false),
    ("Kaiser Permanente", false),
];
const CLOSURE_REASONS: &[&str] = &[
    "Goals met; transitioned to primary care",
    "Moved out of the service area",
    "Declined further services",
    "Unable to reach after repeated outreach",
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Weighted choice: `weights` pairs each value with its relative weight.
fn weighted<T: Copy>(rng: &mut StdRng, weights: &[(T, u32)]) -> T {
    let total: u32 = weights.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (value, w) in weights {
        if roll < *w {
            return *value;
        }
        roll -= w;
    }
    weights[weights.len() - 1].0
}

fn language(rng: &mut StdRng) -> (&'static str, bool) {
    let lang = weighted(
        rng,
        &[
            ("en", 70),
            ("es", 16),
            ("vi", 5),
            ("ru", 3),
            ("so", 3),
            ("zh", 3),
        ],
    );
    let interpreter = lang != "en" && rng.random_bool(0.7);
    (lang, interpreter)
}

/// A home address, or the clinic's care-of line for someone unhoused.
fn demo_address(rng: &mut StdRng, housed: bool, city: &str, zip3: &str) -> Address {
    if housed {
        Address {
            line1: Some(format!(
                "{} {}",
                rng.random_range(100..9999),
                pick(rng, STREETS)
            )),
            line2: rng
                .random_bool(0.3)
                .then(|| format!("Apt {}", rng.random_range(1..40))),
            city: Some(city.into()),
            state: Some("OR".into()),
            postal_code: Some(format!("{zip3}{:02}", rng.random_range(1..40))),
        }
    } else {
        Address {
            line1: None,
            line2: Some("No fixed address; mail c/o Riverside clinic".into()),
            city: Some(city.into()),
            state: Some("OR".into()),
            postal_code: None,
        }
    }
}

fn demo_patient(rng: &mut StdRng, mrn_system: &str, n: usize, today: NaiveDate) -> NewPatient {
    let sex = weighted(
        rng,
        &[
            (Sex::Female, 52),
            (Sex::Male, 45),
            (Sex::Other, 2),
            (Sex::Unknown, 1),
        ],
    );
    let given = match sex {
        Sex::Male => *pick(rng, GIVEN_MALE),
        Sex::Female => *pick(rng, GIVEN_FEMALE),
        _ => {
            let names = if rng.random_bool(0.5) {
                GIVEN_FEMALE
            } else {
                GIVEN_MALE
            };
            *pick(rng, names)
        }
    };
    let family = *pick(rng, FAMILY);
    let age_days = rng.random_range(18 * 365..82 * 365);
    let (lang, interpreter) = language(rng);
    let (city, zip3) = *pick(rng, CITIES);
    let housed = rng.random_bool(0.9);
    let (payer, medicaid) = *pick(rng, PAYERS);
    let insured = rng.random_bool(0.93);
    let mut identifiers = vec![Identifier {
        system: mrn_system.into(),
        value: format!("MRN-{:06}", 100_000 + n * 37),
    }];
    if insured && medicaid {
        identifiers.push(Identifier {
            system: "urn:oid:2.16.840.1.113883.4.3.41".into(),
            value: format!("OR{:08}", 20_000_000 + n * 7919),
        });
    }
    NewPatient {
        given_name: given.into(),
        family_name: family.into(),
        preferred_name: (given == "Robert" || given == "William")
            .then(|| if given == "Robert" { "Bobby" } else { "Will" }.to_string()),
        birth_date: today - TimeDelta::days(age_days),
        sex,
        phone: rng
            .random_bool(0.92)
            .then(|| format!("503-555-01{:02}", rng.random_range(0..100))),
        email: rng.random_bool(0.4).then(|| {
            format!(
                "{}.{}{}@example.com",
                given.to_lowercase(),
                family.to_lowercase(),
                n
            )
        }),
        address: Some(demo_address(rng, housed, city, zip3)),
        preferred_language: Some(lang.into()),
        interpreter_needed: interpreter,
        insurance: insured.then(|| Insurance {
            payer: Some(payer.into()),
            member_id: Some(format!(
                "{}{:07}",
                &payer[..3].to_uppercase(),
                1_000_000 + n * 613
            )),
            medicaid,
        }),
        identifiers,
        status: None,
        primary_care_manager_id: None,
        risk_level: Some(weighted(
            rng,
            &[
                (RiskLevel::Low, 35),
                (RiskLevel::Moderate, 35),
                (RiskLevel::High, 20),
                (RiskLevel::VeryHigh, 10),
            ],
        )),
    }
}

/// A demo user, created through the same use case as `POST /users`.
fn create_user(
    conn: &mut PgConnection,
    auth: &Authorized,
    hash: &str,
    email: &str,
    name: &str,
    role: Role,
) -> ApiResult<UserId> {
    let new = NewUser {
        email: email.into(),
        name: name.into(),
        role,
        password: DEMO_PASSWORD.into(),
    };
    let new = Valid::new(new, &auth.context(Utc::now()))?;
    Ok(users::create(conn, auth, new, hash)?.id)
}

fn create_patients(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    count: usize,
    mrn_system: &str,
    care_managers: &[UserId],
    now: DateTime<Utc>,
) -> ApiResult<Vec<care::Seeded>> {
    let today = auth.today(now);
    let mut seeded = Vec::with_capacity(count);
    for n in 0..count {
        let mut new = demo_patient(rng, mrn_system, n, today);
        let status = weighted(
            rng,
            &[
                (CaseStatus::Active, 60),
                (CaseStatus::Intake, 10),
                (CaseStatus::Referred, 10),
                (CaseStatus::OnHold, 10),
                (CaseStatus::Closed, 10),
            ],
        );
        let initial = if status == CaseStatus::Closed {
            CaseStatus::Active
        } else {
            status
        };
        new.status = Some(initial);
        let care_manager = match (status, care_managers.is_empty()) {
            (_, true) | (CaseStatus::Referred, _) => None,
            _ => Some(*pick(rng, care_managers)),
        };
        new.primary_care_manager_id = care_manager;
        let p = patients::register(conn, auth, Valid::new(new, &auth.context(now))?, now)?;
        seeded.push(care::Seeded {
            id: p.id,
            care_manager,
            status,
        });
        if status == CaseStatus::Closed {
            let close = StatusChangeRequest {
                status,
                reason: Some((*pick(rng, CLOSURE_REASONS)).into()),
                version: None,
            };
            let close = Valid::new(close, &auth.context(now))?;
            patients::change_status(conn, auth, p.id, Expected::Version(p.version), close, now)?;
        }
    }
    Ok(seeded)
}

/// Loads the demo data into an empty database (one transaction), through
/// the same use cases the API runs, acting as the system.
pub fn seed_demo(conn: &mut PgConnection) -> ApiResult<Seeded> {
    // Hashing is deliberately slow: once for every demo account.
    let hash = passwords::hash(DEMO_PASSWORD).map_err(ApiError::internal)?;
    conn.transaction(|conn| {
        if orgs::any(conn)? {
            return Ok(Seeded::AlreadyHasData);
        }
        let now = Utc::now();
        let mut rng = StdRng::seed_from_u64(20_261_123);
        let riverside = organization(
            conn,
            "Riverside Community Health",
            chrono_tz::America::Los_Angeles,
        )?;
        let user = |conn: &mut PgConnection, email: &str, name: &str, role: Role| {
            create_user(conn, &riverside, &hash, email, name, role)
        };
        let admin = user(conn, "admin@riverside.example", "Avery Admin", Role::Admin)?;
        let supervisor = user(
            conn,
            "supervisor@riverside.example",
            "Sam Okafor",
            Role::Supervisor,
        )?;
        let cms = [
            user(
                conn,
                "cm1@riverside.example",
                "Carmen Ruiz",
                Role::CareManager,
            )?,
            user(
                conn,
                "cm2@riverside.example",
                "Devon Park",
                Role::CareManager,
            )?,
            user(
                conn,
                "cm3@riverside.example",
                "Priya Shah",
                Role::CareManager,
            )?,
        ];
        user(
            conn,
            "viewer@riverside.example",
            "Quinn Reporter",
            Role::Viewer,
        )?;
        let lakeside = organization(conn, "Lakeside Health Home", chrono_tz::America::Chicago)?;
        create_user(
            conn,
            &lakeside,
            &hash,
            "admin@lakeside.example",
            "Lee Admin",
            Role::Admin,
        )?;

        // Care managers carry most of the caseload; the supervisor a few.
        let mut caseload = cms.repeat(6);
        caseload.push(supervisor);
        let seeded_riverside = create_patients(
            conn,
            &mut rng,
            &riverside,
            150,
            "urn:riverside:ehr:mrn",
            &caseload,
            now,
        )?;
        care::seed(conn, &mut rng, &riverside, &seeded_riverside, now)?;
        clinical::seed(conn, &mut rng, &riverside, &seeded_riverside, now)?;
        let staff = network::Staff { admin, supervisor };
        network::seed(conn, &mut rng, &riverside, &seeded_riverside, staff, now)?;
        let seeded_lakeside = create_patients(
            conn,
            &mut rng,
            &lakeside,
            10,
            "urn:lakeside:ehr:mrn",
            &[],
            now,
        )?;
        // Time-based duties due today (PHQ-9s, reviews) open as they would
        // on the first scheduler pass.
        crate::scheduler::run_once(conn, now, "seed-demo")?;
        Ok(Seeded::Loaded {
            users: 8,
            patients: seeded_riverside.len() + seeded_lakeside.len(),
        })
    })
}

/// A new organization, and the system acting in it as `seed-demo`.
fn organization(conn: &mut PgConnection, name: &str, tz: Tz) -> ApiResult<Authorized> {
    let org = orgs::insert(conn, name, tz)?;
    Ok(Authorized::system(org, tz, "seed-demo"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_patient_passes_the_same_validation_as_the_api() {
        let mut rng = StdRng::seed_from_u64(1);
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let ctx = shared::validation::Context {
            now: today.and_hms_opt(12, 0, 0).unwrap().and_utc(),
            today,
        };
        for n in 0..500 {
            let p = demo_patient(&mut rng, "urn:test", n, today);
            let errors = shared::validation::check(p.clone(), &ctx);
            assert!(errors.is_empty(), "{p:?}: {errors:?}");
        }
    }

    #[test]
    fn weighted_choices_only_return_listed_values() {
        let mut rng = StdRng::seed_from_u64(2);
        for _ in 0..100 {
            assert!(matches!(weighted(&mut rng, &[(1, 1), (2, 3)]), 1 | 2));
        }
    }
}
