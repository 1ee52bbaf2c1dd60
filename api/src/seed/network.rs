//! The demo provider network and what hangs off it: ZIP-code centres for
//! the demo addresses, 47 providers across services, languages, payers and
//! every network status (with the recruiting log and credentials of the
//! pipeline), medical-necessity criteria for the higher levels of care,
//! closed-loop referrals in every state ([`referrals`]) and community
//! programs with enrollments ([`programs`]) — all through the same use
//! cases as the API, so tasks, alerts and quality figures follow from the
//! rules.

use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use rand::Rng;
use rand::rngs::StdRng;
use shared::care_plan::NeedDomain;
use shared::directory::NetworkStatus;
use shared::encounters::EncounterKind;
use shared::ids::UserId;
use shared::necessity::{Condition, Criteria, CriteriaWrite};
use shared::patients::Address;
use shared::providers::{
    ActivityKind, GeoPoint, NewCredential, NewProvider, NewProviderActivity, Provider,
    ProviderKind, ProviderPatch, ServiceType,
};
use shared::risk::RiskLevel;
use shared::screening::Instrument;

use super::care::{Seeded, valid};
use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::http::concurrency::Expected;
use crate::necessity::service as necessity;
use crate::providers::service as providers;
use crate::providers::store::add_postal_code_centres;

mod directory;
mod programs;
mod referrals;

use directory::PROVIDERS;

/// The people the network's work is done by.
#[derive(Debug, Clone, Copy)]
pub struct Staff {
    /// Sets the medical-necessity criteria.
    pub admin: UserId,
    /// Recruits and credentials providers.
    pub supervisor: UserId,
}

/// Creates one organization's provider network, criteria, referrals and
/// programs, as of `now`.
pub fn seed(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    seeded: &[Seeded],
    staff: Staff,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    add_postal_code_centres(
        conn,
        &zip_centres()
            .iter()
            .map(|(code, at)| (code.as_str(), *at))
            .collect::<Vec<_>>(),
    )?;
    let recruiter = auth.clone().on_behalf_of(staff.supervisor);
    let mut network = Vec::with_capacity(PROVIDERS.len());
    for (index, demo) in PROVIDERS.iter().enumerate() {
        network.push(add_provider(conn, rng, &recruiter, demo, index, now)?);
    }
    criteria(conn, &auth.clone().on_behalf_of(staff.admin), now)?;
    referrals::seed(conn, rng, auth, seeded, &network, now)?;
    programs::seed(conn, rng, auth, seeded, now)
}

/// A demo city.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Town {
    /// Portland, `972NN`.
    Portland,
    /// Gresham, `97020`–`97039`.
    Gresham,
    /// Beaverton, `97001`–`97019`.
    Beaverton,
    /// Salem, `973NN`.
    Salem,
}

impl Town {
    /// Its name.
    fn name(self) -> &'static str {
        match self {
            Town::Portland => "Portland",
            Town::Gresham => "Gresham",
            Town::Beaverton => "Beaverton",
            Town::Salem => "Salem",
        }
    }

    /// Its demo ZIP codes: the first three digits and the last two's range.
    /// The patients' `970NN` codes are shared: 01–19 Beaverton, 20–39
    /// Gresham.
    fn zips(self) -> (&'static str, RangeInclusive<u32>) {
        match self {
            Town::Portland => ("972", 1..=39),
            Town::Beaverton => ("970", 1..=19),
            Town::Gresham => ("970", 20..=39),
            Town::Salem => ("973", 1..=39),
        }
    }

    /// Roughly the middle of town (latitude, longitude).
    fn centre(self) -> (f64, f64) {
        match self {
            Town::Portland => (45.52, -122.68),
            Town::Gresham => (45.50, -122.43),
            Town::Beaverton => (45.49, -122.80),
            Town::Salem => (44.94, -123.04),
        }
    }

    /// The area code its phone numbers use.
    fn area_code(self) -> &'static str {
        match self {
            Town::Portland | Town::Salem => "503",
            Town::Gresham | Town::Beaverton => "971",
        }
    }
}

/// Every demo city.
const TOWNS: [Town; 4] = [Town::Portland, Town::Gresham, Town::Beaverton, Town::Salem];

/// The centre of demo ZIP code `prefix` + `nn`: its town's centre moved a
/// little, differently for each code (up to about 3 miles), so distances
/// between demo addresses vary. Deterministic, without the random stream.
fn zip_centre(town: Town, nn: u32) -> GeoPoint {
    let (lat, lon) = town.centre();
    let n = f64::from(nn);
    // The golden angle spreads consecutive codes around the centre.
    let angle = n * 2.399_963;
    let radius = 0.008 + 0.0025 * f64::from(nn % 13);
    GeoPoint {
        latitude: lat + radius * angle.sin(),
        // A degree of longitude is shorter than one of latitude up here.
        longitude: lon + radius * angle.cos() / lat.to_radians().cos(),
    }
}

/// The centre of every demo ZIP code (97201–97239 Portland, 97001–97019
/// Beaverton, 97020–97039 Gresham, 97301–97339 Salem).
///
/// These are **demo approximations**, points scattered near each city's
/// centre so that directory distances look plausible; they are not where
/// the ZIP codes are. A deployment loads the real centres from the Census
/// Bureau's ZCTA gazetteer file into `postal_code_centroids` instead.
fn zip_centres() -> Vec<(String, GeoPoint)> {
    TOWNS
        .iter()
        .flat_map(|&town| {
            let (prefix, range) = town.zips();
            range.map(move |nn| (format!("{prefix}{nn:02}"), zip_centre(town, nn)))
        })
        .collect()
}

/// One demo provider, as written below.
#[derive(Debug)]
struct DemoProvider {
    name: &'static str,
    kind: ProviderKind,
    town: Town,
    street: &'static str,
    services: &'static [ServiceType],
    specialties: &'static [&'static str],
    languages: &'static [&'static str],
    /// Bits over the patients' payers (`super::PAYERS`, in order): 1
    /// `CareOregon`, 2 Trillium, 4 Health Share (the OHP CCOs), 8
    /// Medicare, 16 Providence, 32 Kaiser.
    payers: u8,
    medicaid: bool,
    accepting: bool,
    status: NetworkStatus,
    hours: &'static str,
}

/// The three OHP coordinated care organizations the demo patients have.
const OHP: u8 = 1 | 2 | 4;
/// Medicare.
const MEDICARE: u8 = 8;
/// The commercial plans.
const COMMERCIAL: u8 = 16 | 32;

/// The payer names `bits` stand for.
fn payers(bits: u8) -> Vec<String> {
    super::PAYERS
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, (name, _))| (*name).to_owned())
        .collect()
}

/// The request body that adds `demo` (network status as given).
fn new_provider(
    rng: &mut StdRng,
    demo: &DemoProvider,
    index: usize,
    status: NetworkStatus,
) -> NewProvider {
    let (prefix, range) = demo.town.zips();
    let nn = rng.random_range(range);
    let centre = zip_centre(demo.town, nn);
    // Most give their own point; the rest fall back to their ZIP's centre.
    let location = rng.random_bool(0.85).then(|| GeoPoint {
        latitude: centre.latitude + rng.random_range(-0.004..0.004),
        longitude: centre.longitude + rng.random_range(-0.006..0.006),
    });
    let suite = rng.random_bool(0.35);
    NewProvider {
        name: demo.name.into(),
        kind: demo.kind,
        services: demo.services.to_vec(),
        specialties: demo.specialties.iter().map(|&s| s.to_owned()).collect(),
        languages: demo.languages.iter().map(|&s| s.to_owned()).collect(),
        payers: payers(demo.payers),
        medicaid: demo.medicaid,
        accepting_new_clients: demo.accepting,
        address: Some(Address {
            line1: Some(format!("{} {}", rng.random_range(100..9000), demo.street)),
            line2: suite.then(|| format!("Suite {}", rng.random_range(100..400))),
            city: Some(demo.town.name().into()),
            state: Some("OR".into()),
            postal_code: Some(format!("{prefix}{nn:02}")),
        }),
        location,
        phone: Some(format!(
            "{}-555-01{:02}",
            demo.town.area_code(),
            index % 100
        )),
        hours: Some(demo.hours.into()),
        network_status: status,
        notes: None,
    }
}

/// Adds one provider: an in-network one as it stands; one in the pipeline
/// as a prospect first, then through the recruiting steps (each change of
/// status logged by the use case) with calls, meetings and documents; an
/// inactive one in network long ago, then let go.
fn add_provider(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    demo: &DemoProvider,
    index: usize,
    now: DateTime<Utc>,
) -> ApiResult<Provider> {
    let days = |rng: &mut StdRng, from: i64, to: i64| Duration::days(rng.random_range(from..to));
    match demo.status {
        NetworkStatus::InNetwork => {
            let at = now - days(rng, 200, 900);
            let body = new_provider(rng, demo, index, NetworkStatus::InNetwork);
            let p = providers::create(conn, auth, valid(auth, body, at)?, at)?;
            if index.is_multiple_of(3) {
                // Every ninth one's license runs out within the month.
                let expires = if index.is_multiple_of(9) {
                    (5, 28)
                } else {
                    (60, 500)
                };
                credential(conn, rng, auth, &p, 0, expires, now)?;
            }
            Ok(p)
        }
        NetworkStatus::Inactive => {
            let at = now - days(rng, 700, 1000);
            let body = new_provider(rng, demo, index, NetworkStatus::InNetwork);
            let p = providers::create(conn, auth, valid(auth, body, at)?, at)?;
            let ended = now - days(rng, 20, 150);
            let why = "Contract ended: the program stopped taking outside referrals.";
            activity(conn, auth, &p, ActivityKind::Contract, why, ended)?;
            let patch = ProviderPatch {
                network_status: Some(NetworkStatus::Inactive),
                accepting_new_clients: Some(false),
                notes: shared::patch::Patch::Value(why.into()),
                ..ProviderPatch::default()
            };
            let at = ended + Duration::minutes(5);
            providers::change(
                conn,
                auth,
                p.id,
                Expected::Version(p.version),
                valid(auth, patch, at)?,
                at,
            )
        }
        status => pipeline(conn, rng, auth, demo, index, status, now),
    }
}

/// A provider being recruited: a prospect, then each status up to
/// `status`, with the recruiting log and, once credentialing, its
/// documents (one license expiring within 30 days on every other one).
fn pipeline(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    demo: &DemoProvider,
    index: usize,
    status: NetworkStatus,
    now: DateTime<Utc>,
) -> ApiResult<Provider> {
    let mut at = now - Duration::days(rng.random_range(45..90));
    let body = new_provider(rng, demo, index, NetworkStatus::Prospect);
    let mut p = providers::create(conn, auth, valid(auth, body, at)?, at)?;
    let later = |rng: &mut StdRng, at: &mut DateTime<Utc>| {
        *at += Duration::days(rng.random_range(3..9)) + Duration::hours(rng.random_range(0..8));
        *at
    };
    let intro = format!(
        "Sent an introduction letter about the network to {}.",
        demo.name
    );
    activity(
        conn,
        auth,
        &p,
        ActivityKind::Email,
        &intro,
        later(rng, &mut at),
    )?;
    if status == NetworkStatus::Prospect {
        return Ok(p);
    }
    let call =
        "Spoke with the intake coordinator; interested in OHP referrals from our care managers.";
    activity(
        conn,
        auth,
        &p,
        ActivityKind::Call,
        call,
        later(rng, &mut at),
    )?;
    p = move_to(
        conn,
        auth,
        &p,
        NetworkStatus::Recruiting,
        later(rng, &mut at),
    )?;
    let visit =
        "Site visit: toured the clinic, walked through the referral and closed-loop process.";
    activity(
        conn,
        auth,
        &p,
        ActivityKind::Meeting,
        visit,
        later(rng, &mut at),
    )?;
    if status == NetworkStatus::Recruiting {
        return Ok(p);
    }
    let contract = "Network participation agreement signed; credentialing packet requested.";
    activity(
        conn,
        auth,
        &p,
        ActivityKind::Contract,
        contract,
        later(rng, &mut at),
    )?;
    p = move_to(
        conn,
        auth,
        &p,
        NetworkStatus::Credentialing,
        later(rng, &mut at),
    )?;
    let license = if index.is_multiple_of(2) {
        (5, 28)
    } else {
        (90, 700)
    };
    credential(conn, rng, auth, &p, 0, license, now)?;
    credential(conn, rng, auth, &p, 1, (150, 400), now)?;
    credential(conn, rng, auth, &p, 2, (300, 700), now)?;
    Ok(p)
}

/// Changes `p`'s network status at `at`.
fn move_to(
    conn: &mut PgConnection,
    auth: &Authorized,
    p: &Provider,
    status: NetworkStatus,
    at: DateTime<Utc>,
) -> ApiResult<Provider> {
    let patch = ProviderPatch {
        network_status: Some(status),
        ..ProviderPatch::default()
    };
    providers::change(
        conn,
        auth,
        p.id,
        Expected::Version(p.version),
        valid(auth, patch, at)?,
        at,
    )
}

/// Logs a recruiting activity at `at`.
fn activity(
    conn: &mut PgConnection,
    auth: &Authorized,
    p: &Provider,
    kind: ActivityKind,
    summary: &str,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let new = NewProviderActivity {
        kind,
        summary: summary.into(),
        occurred_at: None,
    };
    providers::log_activity(conn, auth, p.id, valid(auth, new, at)?, at)?;
    Ok(())
}

/// The credential documents a provider keeps on file.
const DOCUMENTS: &[(&str, &str)] = &[
    ("State license", "LIC"),
    ("Professional liability insurance", "PLI"),
    ("Oregon Medicaid (DMAP) provider enrollment", "DMAP"),
];

/// Records document `which` of [`DOCUMENTS`], expiring `days` (a range)
/// from today.
fn credential(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Provider,
    which: usize,
    days: (i64, i64),
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let (name, prefix) = DOCUMENTS[which];
    let new = NewCredential {
        name: name.into(),
        reference: Some(format!("{prefix}-{}", rng.random_range(10_000..99_999))),
        expires_on: auth.today(now) + Duration::days(rng.random_range(days.0..days.1)),
    };
    providers::add_credential(conn, auth, p.id, valid(auth, new, now)?, now)?;
    Ok(())
}

/// Medical-necessity criteria for the higher levels of care, set by an
/// admin. Peer support and outpatient services have none (nothing to
/// meet).
fn criteria(conn: &mut PgConnection, admin: &Authorized, now: DateTime<Utc>) -> ApiResult<()> {
    for (service, criteria) in hospital_criteria().into_iter().chain(program_criteria()) {
        let body = CriteriaWrite {
            criteria,
            version: None,
        };
        necessity::put(conn, admin, service, None, valid(admin, body, now)?, now)?;
    }
    Ok(())
}

/// PHQ-9 of `total` or more.
fn phq9(total: i32) -> Condition {
    Condition::ScoreAtLeast {
        instrument: Instrument::Phq9,
        total,
    }
}

/// Inpatient psychiatric care (as DESIGN's example has it) and partial
/// hospitalization.
fn hospital_criteria() -> [(ServiceType, Criteria); 2] {
    use Condition::{DischargedWithin, PositiveScreen, RiskAtLeast};
    [
        (
            ServiceType::InpatientPsychiatric,
            Criteria {
                all_of: vec![],
                any_of: vec![
                    phq9(20),
                    PositiveScreen {
                        instrument: Instrument::Cssrs,
                    },
                    DischargedWithin {
                        kinds: vec![EncounterKind::Bhcc],
                        days: 30,
                    },
                ],
                alternatives: vec![
                    "Intensive outpatient program".into(),
                    "Peer-support program".into(),
                    "Crisis plan".into(),
                ],
            },
        ),
        (
            ServiceType::PartialHospitalization,
            Criteria {
                all_of: vec![RiskAtLeast {
                    level: RiskLevel::High,
                }],
                any_of: vec![
                    phq9(15),
                    DischargedWithin {
                        kinds: vec![EncounterKind::InpatientPsych, EncounterKind::Bhcc],
                        days: 30,
                    },
                ],
                alternatives: vec![
                    "Intensive outpatient program".into(),
                    "Outpatient therapy twice a week".into(),
                    "Peer-support program".into(),
                ],
            },
        ),
    ]
}

/// Intensive outpatient and withdrawal management.
fn program_criteria() -> [(ServiceType, Criteria); 2] {
    use Condition::{ActiveNeed, DischargedWithin, PositiveScreen, RiskAtLeast, ScoreAtLeast};
    [
        (
            ServiceType::IntensiveOutpatient,
            Criteria {
                all_of: vec![],
                any_of: vec![
                    phq9(15),
                    ScoreAtLeast {
                        instrument: Instrument::Gad7,
                        total: 15,
                    },
                    RiskAtLeast {
                        level: RiskLevel::High,
                    },
                    DischargedWithin {
                        kinds: vec![
                            EncounterKind::InpatientPsych,
                            EncounterKind::Bhcc,
                            EncounterKind::Ed,
                        ],
                        days: 60,
                    },
                ],
                alternatives: vec![
                    "Weekly outpatient therapy".into(),
                    "Peer-support program".into(),
                    "WRAP self-management group".into(),
                ],
            },
        ),
        (
            ServiceType::WithdrawalManagement,
            Criteria {
                all_of: vec![],
                any_of: vec![
                    PositiveScreen {
                        instrument: Instrument::AuditC,
                    },
                    ScoreAtLeast {
                        instrument: Instrument::Dast10,
                        total: 6,
                    },
                    DischargedWithin {
                        kinds: vec![EncounterKind::Detox],
                        days: 90,
                    },
                    ActiveNeed {
                        domain: NeedDomain::SubstanceUse,
                    },
                ],
                alternatives: vec![
                    "Outpatient substance-use treatment".into(),
                    "Recovery peer mentor".into(),
                    "Medication for opioid use disorder (MOUD) clinic".into(),
                ],
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use strum::VariantArray;

    #[test]
    fn every_demo_zip_code_has_a_centre_near_its_town() {
        let centres = zip_centres();
        assert_eq!(centres.len(), 39 * 3);
        for (code, at) in &centres {
            assert_eq!(code.len(), 5, "{code}");
            assert!((44.8..45.7).contains(&at.latitude), "{code}: {at:?}");
            assert!((-123.2..-122.3).contains(&at.longitude), "{code}: {at:?}");
        }
        for zip in ["97201", "97239", "97001", "97039", "97301", "97339"] {
            assert!(centres.iter().any(|(c, _)| c == zip), "{zip}");
        }
    }

    #[test]
    fn every_demo_provider_passes_the_same_validation_as_the_api() {
        let mut rng = StdRng::seed_from_u64(3);
        let ctx = shared::validation::Context {
            now: Utc::now(),
            today: Utc::now().date_naive(),
        };
        for (i, demo) in PROVIDERS.iter().enumerate() {
            let body = new_provider(&mut rng, demo, i, demo.status);
            let errors = shared::validation::check(body, &ctx);
            assert!(errors.is_empty(), "{}: {errors:?}", demo.name);
        }
    }

    #[test]
    fn the_demo_criteria_pass_the_same_validation_as_the_api() {
        let ctx = shared::validation::Context {
            now: Utc::now(),
            today: Utc::now().date_naive(),
        };
        for (service, criteria) in hospital_criteria().into_iter().chain(program_criteria()) {
            let body = CriteriaWrite {
                criteria,
                version: None,
            };
            let errors = shared::validation::check(body, &ctx);
            assert!(errors.is_empty(), "{service}: {errors:?}");
        }
    }

    #[test]
    fn the_network_covers_every_service_and_status() {
        assert!(PROVIDERS.len() >= 40);
        for &service in ServiceType::VARIANTS {
            let in_network = PROVIDERS
                .iter()
                .filter(|p| p.status == NetworkStatus::InNetwork && p.services.contains(&service))
                .count();
            assert!(in_network >= 3, "{service}: {in_network} in network");
        }
        for &status in NetworkStatus::VARIANTS {
            assert!(PROVIDERS.iter().any(|p| p.status == status), "{status}");
        }
        for (i, a) in PROVIDERS.iter().enumerate() {
            assert!(
                PROVIDERS[i + 1..].iter().all(|b| b.name != a.name),
                "{} twice",
                a.name
            );
        }
    }
}
