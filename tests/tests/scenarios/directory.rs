//! The provider directory ranked in the database, held to
//! `shared::directory`: the SQL score and distance agree with `assess` and
//! `miles_between` to the last bit, a directory walked page by page is in
//! `rank`'s order for any providers, patient and page size, and the
//! referral figures the ranking reads are kept by the referral triggers —
//! also when two transactions change one provider's referrals at once.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Double, Nullable, SmallInt, Text, Uuid as SqlUuid};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};
use shared::directory::{Candidate, NetworkStatus, Quality, Wants, assess, miles_between, rank};
use shared::pagination::Page;
use shared::patients::{Address, Insurance};
use shared::providers::{DirectoryEntry, GeoPoint, Provider};
use strum::VariantArray;
use tests::fixtures::new_patient;
use tests::{TestApp, http_proptest_config};
use uuid::Uuid;

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = Nullable<Double>)]
    value: Option<f64>,
}

#[test]
fn the_database_scores_a_provider_as_shared_assess_does_to_the_last_bit() {
    let app = TestApp::spawn();
    let miles = [
        None,
        Some(0.0),
        Some(0.3),
        Some(2.1),
        Some(9.99),
        Some(10.0),
        Some(37.25),
    ];
    let rates = [
        None,
        Some(0.0),
        Some(1.0 / 3.0),
        Some(2.0 / 3.0),
        Some(0.82),
        Some(1.0),
    ];
    let stars = [None, Some(1.0), Some(14.0 / 3.0), Some(5.0)];
    let mut cases = Vec::new();
    for flags in 0..16_u8 {
        for m in miles {
            for r in rates {
                for s in stars {
                    cases.push((flags, m, r, s));
                }
            }
        }
    }
    let flag = |bit: u8| -> Vec<bool> { cases.iter().map(|c| c.0 & (1 << bit) != 0).collect() };
    let scores: Vec<Number> = diesel::sql_query(
        "SELECT directory_score(a, b, c, d, m, r, s) AS value
           FROM unnest($1::bool[], $2::bool[], $3::bool[], $4::bool[],
                       $5::float8[], $6::float8[], $7::float8[])
                WITH ORDINALITY AS t (a, b, c, d, m, r, s, n)
          ORDER BY n",
    )
    .bind::<Array<Bool>, _>(flag(0))
    .bind::<Array<Bool>, _>(flag(1))
    .bind::<Array<Bool>, _>(flag(2))
    .bind::<Array<Bool>, _>(flag(3))
    .bind::<Array<Nullable<Double>>, _>(cases.iter().map(|c| c.1).collect::<Vec<_>>())
    .bind::<Array<Nullable<Double>>, _>(cases.iter().map(|c| c.2).collect::<Vec<_>>())
    .bind::<Array<Nullable<Double>>, _>(cases.iter().map(|c| c.3).collect::<Vec<_>>())
    .load(&mut app.conn())
    .expect("score in SQL");
    assert_eq!(scores.len(), cases.len());
    let wants = Wants {
        language: Some("es".into()),
        payer: None,
        medicaid: true,
    };
    for (case, got) in cases.iter().zip(scores) {
        let (flags, distance_miles, completion_rate, satisfaction) = *case;
        let candidate = Candidate {
            status: Some(if flags & 1 != 0 {
                NetworkStatus::InNetwork
            } else {
                NetworkStatus::Prospect
            }),
            accepting: flags & 2 != 0,
            languages: if flags & 4 != 0 {
                vec!["es".into()]
            } else {
                Vec::new()
            },
            medicaid: flags & 8 != 0,
            distance_miles,
            quality: Quality {
                completion_rate,
                satisfaction,
                ..Quality::default()
            },
            ..Candidate::default()
        };
        let want = assess(&candidate, &wants).score;
        assert_eq!(
            got.value.map(f64::to_bits),
            Some(want.to_bits()),
            "{case:?}: SQL {:?}, shared {want}",
            got.value
        );
    }
}

#[test]
fn the_database_measures_miles_between_two_points_as_shared_does_to_the_last_bit() {
    let app = TestApp::spawn();
    let latitudes = [-89.9, -33.8688, 0.0, 0.5, 44.9429, 45.5152, 45.5079, 89.9];
    let longitudes = [
        -179.9, -123.0351, -122.6905, -122.6784, 0.0, 151.2093, 179.9,
    ];
    let points: Vec<GeoPoint> = latitudes
        .iter()
        .flat_map(|&latitude| {
            longitudes.iter().map(move |&longitude| GeoPoint {
                latitude,
                longitude,
            })
        })
        .collect();
    let pairs: Vec<(GeoPoint, GeoPoint)> = points
        .iter()
        .flat_map(|&a| points.iter().map(move |&b| (a, b)))
        .collect();
    let column = |f: fn(&(GeoPoint, GeoPoint)) -> f64| pairs.iter().map(f).collect::<Vec<f64>>();
    let miles: Vec<Number> = diesel::sql_query(
        "SELECT directory_miles(a, b, c, d) AS value
           FROM unnest($1::float8[], $2::float8[], $3::float8[], $4::float8[])
                WITH ORDINALITY AS t (a, b, c, d, n)
          ORDER BY n",
    )
    .bind::<Array<Double>, _>(column(|p| p.0.latitude))
    .bind::<Array<Double>, _>(column(|p| p.0.longitude))
    .bind::<Array<Double>, _>(column(|p| p.1.latitude))
    .bind::<Array<Double>, _>(column(|p| p.1.longitude))
    .load(&mut app.conn())
    .expect("measure in SQL");
    assert_eq!(miles.len(), pairs.len());
    for ((a, b), got) in pairs.iter().zip(miles) {
        let want = miles_between(*a, *b);
        assert_eq!(
            got.value.map(f64::to_bits),
            Some(want.to_bits()),
            "{a:?} to {b:?}: SQL {:?}, shared {want}",
            got.value
        );
    }
}

#[test]
fn the_database_has_no_miles_to_or_from_a_point_not_located() {
    let app = TestApp::spawn();
    let located = [
        Some(44.9429),
        Some(-123.0351),
        Some(45.5079),
        Some(-122.6905),
    ];
    for missing in 0..located.len() {
        let mut point = located;
        point[missing] = None;
        let got: Number = diesel::sql_query("SELECT directory_miles($1, $2, $3, $4) AS value")
            .bind::<Nullable<Double>, _>(point[0])
            .bind::<Nullable<Double>, _>(point[1])
            .bind::<Nullable<Double>, _>(point[2])
            .bind::<Nullable<Double>, _>(point[3])
            .get_result(&mut app.conn())
            .expect("measure in SQL");
        assert_eq!(got.value, None, "coordinate {missing} missing");
    }
}

#[derive(QueryableByName)]
struct Plan {
    #[diesel(sql_type = Text)]
    plan: String,
}

/// A search scores many of the providers its filters match, so a function the
/// planner cannot inline is a call into the SQL-function executor per
/// provider (migration 000018: about four times the cost of the
/// arithmetic). The plan shows the bodies, not calls.
#[test]
fn the_planner_inlines_the_directory_score_and_distance_into_a_search() {
    let app = TestApp::spawn();
    let mut conn = app.conn();
    diesel::sql_query(
        "CREATE FUNCTION pg_temp.plan_of(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
         BEGIN RETURN QUERY EXECUTE 'EXPLAIN (VERBOSE) ' || query; END $$",
    )
    .execute(&mut conn)
    .expect("create the plan helper");
    let plan: Plan =
        diesel::sql_query("SELECT string_agg(line, E'\\n') AS plan FROM pg_temp.plan_of($1) line")
            .bind::<Text, _>(
                "SELECT directory_score(a > 0, b > 0, c > 0, d > 0,
                                    directory_miles(a, b, c, d), a / 100, b / 100)
               FROM unnest('{45.5}'::float8[], '{-122.7}'::float8[],
                           '{44.9}'::float8[], '{-123.0}'::float8[]) AS t (a, b, c, d)",
            )
            .get_result(&mut conn)
            .expect("explain");
    assert!(
        !plan.plan.contains("directory_miles(") && !plan.plan.contains("directory_score("),
        "a function is called, not inlined:\n{}",
        plan.plan
    );
    assert!(
        plan.plan.contains("asin("),
        "the distance's body is in the plan:\n{}",
        plan.plan
    );
}

#[derive(QueryableByName)]
struct Pages {
    #[diesel(sql_type = BigInt)]
    pages: i64,
}

/// With GIN's default `fastupdate`, a new provider's trigrams wait in an
/// unsorted pending list that every name search reads in full until a
/// vacuum merges it, and nothing vacuums where autovacuum is off
/// (migration 000022: 139 pages after the bench's load halved the
/// search's rate). `gin_clean_pending_list` answers how many pages it
/// merged: none, because a provider's trigrams went straight into the
/// index.
#[test]
fn a_new_providers_name_goes_straight_into_the_name_index_with_no_pending_list() {
    let app = TestApp::spawn();
    let team = app.team("Pending List Org");
    let admin = app.token(&team.admin);
    let cm = app.token(&team.care_manager);
    for name in [
        "Harbor Counseling",
        "Harborview Family Clinic",
        "Cascade Recovery",
    ] {
        app.post("/api/v1/providers")
            .token(&admin)
            .json(&json!({"name": name, "kind": "organization"}))
            .send()
            .expect(201);
    }
    let merged: Pages =
        diesel::sql_query("SELECT gin_clean_pending_list('providers_name_trgm_idx') AS pages")
            .get_result(&mut app.conn())
            .expect("the name index's pending list");
    assert_eq!(merged.pages, 0, "the new names waited in a pending list");
    let mut harbor = found(&app, &cm, "?q=harbor");
    harbor.sort();
    assert_eq!(harbor, ["Harbor Counseling", "Harborview Family Clinic"]);
}

/// The names of the providers a directory search finds, in its order.
fn found(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let page: Page<DirectoryEntry> = app
        .get(&format!("/api/v1/providers{query}"))
        .token(token)
        .send()
        .expect(200)
        .json();
    page.items.into_iter().map(|e| e.provider.name).collect()
}

#[derive(QueryableByName)]
struct SearchKeys {
    #[diesel(sql_type = Array<Text>)]
    language_codes: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    payer_keys: Vec<String>,
}

/// A search compares a provider's stored keys (migration
/// `provider_search_keys`: primary language subtags, payers in ASCII
/// lower case), not its tags; the database derives them again whenever the
/// tags change.
#[test]
fn a_providers_search_keys_follow_its_languages_and_payers_when_they_change() {
    let app = TestApp::spawn();
    let team = app.team("Search Keys Org");
    let admin = app.token(&team.admin);
    let cm = app.token(&team.care_manager);
    let made = app
        .post("/api/v1/providers")
        .token(&admin)
        .json(&json!({"name": "Centro Latino", "kind": "organization",
                       "languages": ["es-MX", "en"], "payers": ["Moda Health"]}))
        .send()
        .expect(201);
    let etag = made.header("etag").expect("an ETag");
    let id: Uuid = made.json::<Provider>().id;
    let keys = |app: &TestApp| -> SearchKeys {
        diesel::sql_query("SELECT language_codes, payer_keys FROM providers WHERE id = $1")
            .bind::<SqlUuid, _>(id)
            .get_result(&mut app.conn())
            .expect("the provider's keys")
    };
    let stored = keys(&app);
    assert_eq!(stored.language_codes, ["es", "en"]);
    assert_eq!(stored.payer_keys, ["moda health"]);
    assert_eq!(found(&app, &cm, "?language=ES-us"), ["Centro Latino"]);
    assert_eq!(found(&app, &cm, "?payer=MODA%20HEALTH"), ["Centro Latino"]);
    assert!(found(&app, &cm, "?language=vi").is_empty());

    app.patch(&format!("/api/v1/providers/{id}"))
        .token(&admin)
        .header("If-Match", &etag)
        .json(&json!({"languages": ["vi"], "payers": ["AETNA", "Providence"]}))
        .send()
        .expect(200);
    let stored = keys(&app);
    assert_eq!(stored.language_codes, ["vi"]);
    assert_eq!(stored.payer_keys, ["aetna", "providence"]);
    assert!(found(&app, &cm, "?language=es").is_empty());
    assert_eq!(found(&app, &cm, "?language=vi"), ["Centro Latino"]);
    assert!(found(&app, &cm, "?payer=moda%20health").is_empty());
    assert_eq!(found(&app, &cm, "?payer=aetna"), ["Centro Latino"]);
}

/// A specialty search finds the providers one of whose specialties holds
/// the words, in any case, and the stored text it compares
/// (`specialty_text`, migration `provider_specialty_search`) follows a
/// change of specialties. A `%` in the words is a percent sign, not "any".
#[test]
fn a_specialty_search_finds_any_specialty_holding_the_words_and_follows_a_change() {
    let app = TestApp::spawn();
    let team = app.team("Specialty Org");
    let admin = app.token(&team.admin);
    let cm = app.token(&team.care_manager);
    let mut etags = HashMap::new();
    for (name, specialties) in [
        ("Cascade Recovery", json!(["Trauma-focused CBT", "adults"])),
        ("Harbor Counseling", json!(["children"])),
        ("Unity Clinic", json!(["refugee TRAUMA", "100% telehealth"])),
    ] {
        let made = app
            .post("/api/v1/providers")
            .token(&admin)
            .json(&json!({"name": name, "kind": "organization", "specialties": specialties}))
            .send()
            .expect(201);
        let id: Uuid = made.json::<Provider>().id;
        etags.insert(name, (id, made.header("etag").expect("an ETag")));
    }
    let sorted = |query: &str| {
        let mut names = found(&app, &cm, query);
        names.sort();
        names
    };
    assert_eq!(
        sorted("?specialty=trauma"),
        ["Cascade Recovery", "Unity Clinic"]
    );
    assert_eq!(sorted("?specialty=CHILD"), ["Harbor Counseling"]);
    assert_eq!(sorted("?specialty=100%25"), ["Unity Clinic"]);
    assert!(
        sorted("?specialty=trauma%25cbt").is_empty(),
        "% is no wildcard"
    );
    assert_eq!(
        sorted("?specialty=r&q=u"),
        ["Harbor Counseling", "Unity Clinic"]
    );

    let (id, etag) = &etags["Harbor Counseling"];
    app.patch(&format!("/api/v1/providers/{id}"))
        .token(&admin)
        .header("If-Match", etag)
        .json(&json!({"specialties": ["complex trauma", "children"]}))
        .send()
        .expect(200);
    assert_eq!(
        sorted("?specialty=trauma"),
        ["Cascade Recovery", "Harbor Counseling", "Unity Clinic"]
    );
}

#[derive(QueryableByName)]
struct RankingInputs {
    #[diesel(sql_type = Nullable<Double>)]
    located_latitude: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    located_longitude: Option<f64>,
    #[diesel(sql_type = Bool)]
    figures_copied: bool,
}

fn ranking_inputs(conn: &mut PgConnection, org: Uuid, provider: Uuid) -> RankingInputs {
    diesel::sql_query(
        "SELECT p.located_latitude, p.located_longitude,
                (p.quality_completion_rate, p.quality_satisfaction)
                IS NOT DISTINCT FROM (q.completion_rate, q.satisfaction) AS figures_copied
           FROM providers p
           LEFT JOIN provider_quality q
             ON q.organization_id = p.organization_id AND q.provider_id = p.id
          WHERE p.organization_id = $1 AND p.id = $2",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(provider)
    .get_result(conn)
    .expect("the provider's ranking inputs")
}

/// The miles to the only provider of a search near `patient`.
fn miles_to_the_provider(app: &TestApp, token: &str, patient: Uuid) -> Option<f64> {
    let page: Page<DirectoryEntry> = app
        .get(&format!("/api/v1/providers?near_patient_id={patient}"))
        .token(token)
        .send()
        .expect(200)
        .json();
    assert_eq!(page.items.len(), 1);
    page.items[0].distance_miles
}

fn change_centres(conn: &mut PgConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .expect("change a ZIP code's centre");
}

/// The score reads a provider's located point and referral figures from
/// its own row (migration `provider_ranking_inputs`), so the triggers that
/// keep them must follow every change that moves them: a ZIP code's centre
/// added, moved or removed after the provider was written, its own
/// coordinates, and its referrals.
#[test]
fn a_providers_located_point_and_figures_follow_its_zip_codes_centre_its_coordinates_and_its_referrals()
 {
    let app = TestApp::spawn();
    let team = app.team("Ranking Inputs Org");
    let org = team.org.id.get();
    let admin = app.token(&team.admin);
    let cm = app.token(&team.care_manager);
    let mut conn = app.conn();
    // The patient is at Salem's centre; the provider's ZIP code will be
    // centred on Portland's.
    let (patient_at, zip_centre) = (point(SALEM), point(PORTLAND));
    change_centres(
        &mut conn,
        &format!(
            "INSERT INTO postal_code_centroids VALUES ('99102', {}, {})",
            patient_at.latitude, patient_at.longitude
        ),
    );
    let mut new = new_patient("Noor", "Haddad");
    new.address = Some(Address {
        postal_code: Some("99102".into()),
        ..Address::default()
    });
    let patient = app.create_patient(&cm, &new).id.get();
    let made = app
        .post("/api/v1/providers")
        .token(&admin)
        .json(
            &json!({"name": "Late Centre Clinic", "kind": "organization",
                       "address": {"postal_code": "99101-4410"}}),
        )
        .send()
        .expect(201);
    let etag = made.header("etag").expect("an ETag");
    let provider = made.json::<Provider>().id;

    // Its ZIP code's centre is not known yet: no point, no distance.
    let before = ranking_inputs(&mut conn, org, provider);
    assert_eq!(
        (before.located_latitude, before.located_longitude),
        (None, None)
    );
    assert_eq!(miles_to_the_provider(&app, &cm, patient), None);

    change_centres(
        &mut conn,
        &format!(
            "INSERT INTO postal_code_centroids VALUES ('99101', {}, {})",
            zip_centre.latitude, zip_centre.longitude
        ),
    );
    let added = ranking_inputs(&mut conn, org, provider);
    assert_eq!(
        (added.located_latitude, added.located_longitude),
        (Some(zip_centre.latitude), Some(zip_centre.longitude))
    );
    assert_eq!(
        miles_to_the_provider(&app, &cm, patient).map(f64::to_bits),
        Some(miles_between(patient_at, zip_centre).to_bits())
    );

    change_centres(
        &mut conn,
        "UPDATE postal_code_centroids SET latitude = 45.6 WHERE postal_code = '99101'",
    );
    assert_eq!(
        ranking_inputs(&mut conn, org, provider).located_latitude,
        Some(45.6)
    );

    // Its own coordinates win over the centre.
    app.patch(&format!("/api/v1/providers/{provider}"))
        .token(&admin)
        .header("If-Match", &etag)
        .json(&json!({"location": {"latitude": 45.52, "longitude": -122.68}}))
        .send()
        .expect(200);
    let own = ranking_inputs(&mut conn, org, provider);
    assert_eq!(
        (own.located_latitude, own.located_longitude),
        (Some(45.52), Some(-122.68))
    );
    change_centres(
        &mut conn,
        "DELETE FROM postal_code_centroids WHERE postal_code = '99101'",
    );
    assert_eq!(
        ranking_inputs(&mut conn, org, provider).located_latitude,
        Some(45.52)
    );

    // Its figures are copied as its referrals change them.
    assert!(
        ranking_inputs(&mut conn, org, provider).figures_copied,
        "no referrals yet"
    );
    for outcome in [
        Outcome::Completed(Some(4)),
        Outcome::Declined,
        Outcome::Sent,
    ] {
        store_referral(&mut conn, org, patient, provider, outcome);
        assert!(
            ranking_inputs(&mut conn, org, provider).figures_copied,
            "after {outcome:?}"
        );
    }
}

/// ZIP codes the property test's patients and providers use: two the
/// database knows the centre of, one it does not.
const SALEM: (&str, f64, f64) = ("97301", 44.9429, -123.0351);
const PORTLAND: (&str, f64, f64) = ("97201", 45.5079, -122.6905);
const UNKNOWN_ZIP: &str = "99999";

/// How a referral to a generated provider ended.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    Draft,
    Sent,
    Completed(Option<i16>),
    Declined,
    NoShow,
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Draft),
        Just(Outcome::Sent),
        proptest::option::of(1_i16..=5).prop_map(Outcome::Completed),
        Just(Outcome::Declined),
        Just(Outcome::NoShow),
    ]
}

/// Where a generated provider is: its own coordinates (a few miles to
/// tens of miles from Salem), only a ZIP code (known or not), or nowhere.
#[derive(Debug, Clone, Copy)]
enum Place {
    Own(f64, f64),
    Zip(&'static str),
    Nowhere,
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        (-0.5_f64..0.5, -0.5_f64..0.5)
            .prop_map(|(dlat, dlon)| Place::Own(SALEM.1 + dlat, SALEM.2 + dlon)),
        Just(Place::Zip(SALEM.0)),
        Just(Place::Zip(PORTLAND.0)),
        Just(Place::Zip(UNKNOWN_ZIP)),
        Just(Place::Nowhere),
    ]
}

#[derive(Debug, Clone)]
struct GeneratedProvider {
    /// Few names, two alike but for case, so scores tie and the name and
    /// then the id break the tie.
    name: &'static str,
    status: NetworkStatus,
    accepting: bool,
    languages: Vec<&'static str>,
    medicaid: bool,
    payers: Vec<&'static str>,
    specialties: Vec<&'static str>,
    place: Place,
    referrals: Vec<Outcome>,
}

prop_compose! {
    fn generated_provider()(
        name in proptest::sample::select(vec![
            "Alder Clinic",
            "alder clinic",
            "Birch House",
            "Cedar Care",
        ]),
        status in proptest::sample::select(NetworkStatus::VARIANTS),
        accepting in any::<bool>(),
        languages in proptest::sample::subsequence(vec!["en", "es-MX", "es", "vi"], 0..=2),
        medicaid in any::<bool>(),
        payers in
            proptest::sample::subsequence(vec!["Aetna", "Moda Health", "Providence"], 0..=2),
        specialties in proptest::sample::subsequence(
            vec!["Trauma-focused CBT", "children", "older adults"],
            0..=2,
        ),
        place in place(),
        referrals in proptest::collection::vec(outcome(), 0..4),
    ) -> GeneratedProvider {
        GeneratedProvider {
            name, status, accepting, languages, medicaid, payers, specialties, place, referrals,
        }
    }
}

/// The patient a search is for (or not): their language, coverage and
/// ZIP code, and a distance limit; and the name and specialty it looks
/// for, short or long, in any case (each a statement planned with its
/// pattern).
#[derive(Debug, Clone)]
struct GeneratedSearch {
    near_patient: bool,
    language: &'static str,
    insurance: Option<(Option<&'static str>, bool)>,
    zip: Option<&'static str>,
    within_miles: Option<f64>,
    name: Option<&'static str>,
    specialty: Option<&'static str>,
}

fn generated_search() -> impl Strategy<Value = GeneratedSearch> {
    (
        any::<bool>(),
        proptest::sample::select(vec!["en", "es", "es-US", "vi"]),
        proptest::option::of((
            proptest::option::of(proptest::sample::select(vec!["moda health", "Aetna"])),
            any::<bool>(),
        )),
        proptest::option::of(proptest::sample::select(vec![
            SALEM.0,
            PORTLAND.0,
            UNKNOWN_ZIP,
        ])),
        proptest::option::of(Just(25.0)),
        proptest::option::of(proptest::sample::select(vec!["alder", "E", "house"])),
        proptest::option::of(proptest::sample::select(vec!["trauma", "ADULT", "r"])),
    )
        .prop_map(
            |(near_patient, language, insurance, zip, within_miles, name, specialty)| {
                GeneratedSearch {
                    near_patient,
                    language,
                    insurance,
                    zip,
                    // A limit needs the patient.
                    within_miles: within_miles.filter(|_| near_patient),
                    name,
                    specialty,
                }
            },
        )
}

fn point((_, latitude, longitude): (&str, f64, f64)) -> GeoPoint {
    GeoPoint {
        latitude,
        longitude,
    }
}

fn centre(zip: &str) -> Option<GeoPoint> {
    [SALEM, PORTLAND]
        .iter()
        .find(|z| z.0 == zip)
        .map(|z| point(*z))
}

/// Records the centres of `zips` (reference data the seed would load).
fn add_centres(app: &TestApp, zips: &[(&str, f64, f64)]) {
    let mut conn = app.conn();
    for (zip, latitude, longitude) in zips {
        diesel::sql_query(
            "INSERT INTO postal_code_centroids VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind::<Text, _>(*zip)
        .bind::<Double, _>(*latitude)
        .bind::<Double, _>(*longitude)
        .execute(&mut conn)
        .expect("a ZIP code centre");
    }
}

/// Stores a referral of `patient` to `provider` straight in the database,
/// as sent, then moves it to `outcome` with a second statement, so both
/// the insert and the update triggers run.
fn store_referral(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    provider: Uuid,
    outcome: Outcome,
) -> Uuid {
    let id = Uuid::new_v4();
    let sent = !matches!(outcome, Outcome::Draft);
    diesel::sql_query(
        "INSERT INTO referrals (id, organization_id, patient_id, provider_id, service, priority, reason,
                                due_date, status, sent_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'outpatient_therapy', 'routine', 'Generated', current_date + 14,
                 CASE WHEN $5 THEN 'sent' ELSE 'draft' END,
                 CASE WHEN $5 THEN now() - interval '20 days' END, now(), now())",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(patient)
    .bind::<SqlUuid, _>(provider)
    .bind::<Bool, _>(sent)
    .execute(conn)
    .expect("insert a referral");
    let (status, rating) = match outcome {
        Outcome::Draft | Outcome::Sent => return id,
        Outcome::Completed(rating) => ("closed", rating),
        Outcome::Declined => ("declined", None),
        Outcome::NoShow => ("no_show", None),
    };
    diesel::sql_query(
        "UPDATE referrals
            SET status = $2,
                responded_at = sent_at + interval '1 day',
                scheduled_at = CASE WHEN $2 <> 'declined' THEN sent_at + interval '2 days' END,
                appointment_at = CASE WHEN $2 <> 'declined' THEN sent_at + interval '9 days' END,
                completed_at = CASE WHEN $2 = 'closed' THEN sent_at + interval '9 days' END,
                closed_at = CASE WHEN $2 = 'closed' THEN sent_at + interval '10 days' END,
                satisfaction_rating = $3
          WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(status)
    .bind::<Nullable<SmallInt>, _>(rating)
    .execute(conn)
    .expect("move a referral");
    id
}

/// The completion rate and mean rating `outcomes` come to.
fn expected_figures(outcomes: &[Outcome]) -> (Option<f64>, Option<f64>) {
    let completed = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Completed(_)))
        .count();
    let ended = outcomes
        .iter()
        .filter(|o| {
            matches!(
                o,
                Outcome::Completed(_) | Outcome::Declined | Outcome::NoShow
            )
        })
        .count();
    let ratings: Vec<f64> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Completed(Some(r)) => Some(f64::from(*r)),
            _ => None,
        })
        .collect();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a handful of referrals and ratings"
    )]
    (
        (ended > 0).then(|| completed as f64 / ended as f64),
        (!ratings.is_empty()).then(|| ratings.iter().sum::<f64>() / ratings.len() as f64),
    )
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        (a, b) => a == b,
    }
}

/// A directory entry read from its JSON in two steps: fhirbolt turns on
/// `serde_json`'s `arbitrary_precision` in this build, under which a
/// flattened struct's numbers (a provider's location and figures) fail to
/// deserialize as `f64` through `#[serde(flatten)]`.
fn entry(mut item: Value) -> DirectoryEntry {
    let fields = item.as_object_mut().expect("an entry is an object");
    let distance_miles = fields.remove("distance_miles").and_then(|m| m.as_f64());
    let reasons = serde_json::from_value(fields.remove("reasons").expect("reasons"))
        .expect("reasons are strings");
    DirectoryEntry {
        provider: serde_json::from_value(item).expect("a provider"),
        distance_miles,
        reasons,
    }
}

/// The directory walked in pages of `limit`.
fn walk(app: &TestApp, token: &str, query: &str, limit: usize) -> Vec<DirectoryEntry> {
    app.walk(
        token,
        &format!("/api/v1/providers?limit={limit}{query}"),
        |e: &Value| e["id"].clone(),
    )
    .into_iter()
    .map(entry)
    .collect()
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// One generated case stored: the organization, its care manager's token,
/// the patient, and each provider made with what it was generated from.
struct Stored<'a> {
    org: Uuid,
    token: String,
    patient: Uuid,
    providers: HashMap<Uuid, &'a GeneratedProvider>,
}

/// Stores `providers` (through the API) with their referrals (straight in
/// the database) and the patient `search` is for, in a new organization.
fn store_case<'a>(
    app: &TestApp,
    case: u32,
    providers: &'a [GeneratedProvider],
    search: &GeneratedSearch,
) -> Stored<'a> {
    let team = app.team(&format!("Directory Rank Org {case}"));
    let admin = app.token(&team.admin);
    let token = app.token(&team.care_manager);
    let mut new = new_patient("Rosa", "Lindqvist");
    new.preferred_language = Some(search.language.into());
    new.insurance = search.insurance.map(|(payer, medicaid)| Insurance {
        payer: payer.map(Into::into),
        member_id: None,
        medicaid,
    });
    new.address = search.zip.map(|zip| Address {
        postal_code: Some(zip.into()),
        ..Address::default()
    });
    let patient = app.create_patient(&token, &new).id.get();
    let org = team.org.id.get();
    let mut conn = app.conn();
    let mut made = HashMap::new();
    for p in providers {
        let (address, location) = match p.place {
            Place::Own(latitude, longitude) => (
                None,
                Some(json!({"latitude": latitude, "longitude": longitude})),
            ),
            Place::Zip(zip) => (Some(json!({"postal_code": zip})), None),
            Place::Nowhere => (None, None),
        };
        let provider: Value = app
            .post("/api/v1/providers")
            .token(&admin)
            .json(&json!({
                "name": p.name, "kind": "organization",
                "languages": p.languages, "payers": p.payers,
                "medicaid": p.medicaid, "accepting_new_clients": p.accepting,
                "specialties": p.specialties,
                "network_status": p.status, "address": address, "location": location,
            }))
            .send()
            .expect(201)
            .json();
        let id: Uuid = provider["id"].as_str().expect("id").parse().expect("uuid");
        for outcome in &p.referrals {
            store_referral(&mut conn, org, patient, id, *outcome);
        }
        made.insert(id, p);
    }
    Stored {
        org,
        token,
        patient,
        providers: made,
    }
}

impl GeneratedSearch {
    /// The directory's query string for this search of `patient`.
    fn query(&self, patient: Uuid) -> String {
        let mut query = match (self.near_patient, self.within_miles) {
            (false, _) => String::new(),
            (true, None) => format!("&near_patient_id={patient}"),
            (true, Some(m)) => format!("&near_patient_id={patient}&within_miles={m}"),
        };
        for (key, value) in [("q", self.name), ("specialty", self.specialty)] {
            if let Some(value) = value {
                query.extend(["&", key, "=", value]);
            }
        }
        query
    }

    /// Where distances are measured from: the centre of the patient's ZIP
    /// code, when the search is for them and it is known.
    fn origin(&self) -> Option<GeoPoint> {
        self.zip.filter(|_| self.near_patient).and_then(centre)
    }

    /// What the search wants, as the directory documents it: the patient's
    /// language and coverage when it is for them.
    fn wants(&self) -> Wants {
        if self.near_patient {
            Wants {
                language: Some(self.language.into()),
                payer: self.insurance.and_then(|i| i.0).map(Into::into),
                medicaid: self.insurance.is_some_and(|i| i.1),
            }
        } else {
            Wants::default()
        }
    }

    /// Miles from the patient to `p`, when both are located.
    fn miles_to(&self, p: &GeneratedProvider) -> Option<f64> {
        let at = match p.place {
            Place::Own(latitude, longitude) => Some(GeoPoint {
                latitude,
                longitude,
            }),
            Place::Zip(zip) => centre(zip),
            Place::Nowhere => None,
        };
        self.origin().zip(at).map(|(a, b)| miles_between(a, b))
    }

    /// Whether `p` is within the search's reach, and its name and one of
    /// its specialties hold what the search looks for, whatever the case.
    fn reaches(&self, p: &GeneratedProvider) -> bool {
        let holds = |text: &str, part: &str| text.to_lowercase().contains(&part.to_lowercase());
        self.within_miles
            .is_none_or(|limit| self.miles_to(p).is_some_and(|m| m <= limit))
            && self.name.is_none_or(|name| holds(p.name, name))
            && self
                .specialty
                .is_none_or(|s| p.specialties.iter().any(|have| holds(have, s)))
    }
}

fn candidate(e: &DirectoryEntry) -> Candidate {
    Candidate {
        name: e.provider.name.clone(),
        languages: e.provider.languages.clone(),
        medicaid: e.provider.medicaid,
        payers: e.provider.payers.clone(),
        accepting: e.provider.accepting_new_clients,
        status: Some(e.provider.network_status),
        distance_miles: e.distance_miles,
        quality: e.provider.quality.for_ranking(),
    }
}

/// A cursor carries its page's last score, and the next page starts after
/// it. Scores for closeness have every digit of a float, and a score
/// parsed back one unit in the last place higher put that provider after
/// the cursor again: walked in pages of one, the directory served it
/// forever. Twenty-four providers a few miles around the patient's ZIP code
/// centre, each served once.
#[test]
fn providers_at_any_distance_walked_one_per_page_are_each_served_once() {
    let app = TestApp::spawn();
    add_centres(&app, &[SALEM]);
    let team = app.team("Walk Org");
    let cm = app.token(&team.care_manager);
    let admin = app.token(&team.admin);
    for n in 1..=24_u32 {
        let step = f64::from(n) * 0.007_3;
        app.post("/api/v1/providers")
            .token(&admin)
            .json(&json!({"name": format!("Clinic {n:02}"), "kind": "organization",
                          "location": {"latitude": SALEM.1 + step, "longitude": SALEM.2 - step / 2.0}}))
            .send()
            .expect(201);
    }
    let mut new = new_patient("Noor", "Haddad");
    new.address = Some(Address {
        postal_code: Some(SALEM.0.into()),
        ..Address::default()
    });
    let patient = app.create_patient(&cm, &new).id;
    let walked = walk(&app, &cm, &format!("&near_patient_id={patient}"), 1);
    let names: Vec<String> = walked.into_iter().map(|e| e.provider.name).collect();
    let want: Vec<String> = (1..=24).map(|n| format!("Clinic {n:02}")).collect();
    assert_eq!(names, want, "nearest first, each once");
}

/// A search scores only the providers whose score without the search's own
/// terms (`base_score`: network, accepting, referral figures) could still
/// reach its page once those terms are added (`store/directory.rs`). A
/// provider far down on that score but speaking the patient's language and
/// taking their Medicaid still ranks second, behind the one in-network
/// provider that also does; with no patient it comes last, and the
/// providers tied on network page by name, none repeated or skipped.
/// (Twenty in network, so that a search for the patient must look past the
/// providers its first scan scores, four pages' worth; one of them meeting
/// the patient's needs, so that those scores differ.)
#[test]
fn a_provider_low_on_network_and_capacity_that_meets_every_need_still_ranks_near_the_top() {
    let app = TestApp::spawn();
    let team = app.team("Headroom Org");
    let cm = app.token(&team.care_manager);
    let admin = app.token(&team.admin);
    // Made last, the first has the highest id: among the twenty, the first
    // the search scores.
    for n in (1..=20).rev() {
        let languages = if n == 1 { vec!["en", "es"] } else { vec!["en"] };
        app.post("/api/v1/providers")
            .token(&admin)
            .json(
                &json!({"name": format!("Bay Clinic {n:02}"), "kind": "organization",
                          "languages": languages, "medicaid": n == 1,
                          "network_status": "in_network", "accepting_new_clients": false}),
            )
            .send()
            .expect(201);
    }
    app.post("/api/v1/providers")
        .token(&admin)
        .json(
            &json!({"name": "Casa Salud", "kind": "organization", "languages": ["es"],
                      "medicaid": true, "network_status": "prospect",
                      "accepting_new_clients": true}),
        )
        .send()
        .expect(201);
    let mut new = new_patient("Lucia", "Reyes");
    new.preferred_language = Some("es".into());
    new.insurance = Some(Insurance {
        medicaid: true,
        ..Default::default()
    });
    let patient = app.create_patient(&cm, &new).id;
    let bay: Vec<String> = (1..=20).map(|n| format!("Bay Clinic {n:02}")).collect();
    let names = |entries: Vec<DirectoryEntry>| -> Vec<String> {
        entries.into_iter().map(|e| e.provider.name).collect()
    };

    // In network: 40, and the first Spanish and Medicaid too: 80; Casa
    // Salud, accepting, Spanish, Medicaid: 20 + 25 + 15.
    for limit in [1, 2, 3, 21] {
        let walked = names(walk(
            &app,
            &cm,
            &format!("&near_patient_id={patient}"),
            limit,
        ));
        let mut want = bay.clone();
        want.insert(1, "Casa Salud".to_owned());
        assert_eq!(walked, want, "pages of {limit}");
    }
    // Without the patient, in network (40) beats accepting (20).
    for limit in [1, 2, 7, 21] {
        let walked = names(walk(&app, &cm, "", limit));
        let mut want = bay.clone();
        want.push("Casa Salud".to_owned());
        assert_eq!(walked, want, "pages of {limit}");
    }
}

#[test]
fn the_directory_walked_page_by_page_is_in_rank_order_for_any_providers_patient_and_page_size() {
    let app = TestApp::spawn();
    add_centres(&app, &[SALEM, PORTLAND]);
    let cases = std::sync::atomic::AtomicU32::new(0);
    let mut runner = TestRunner::new(http_proptest_config(24));
    runner
        .run(
            &(
                proptest::collection::vec(generated_provider(), 0..12),
                generated_search(),
                1_usize..6,
            ),
            |(providers, search, limit)| {
                let case = cases.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let stored = store_case(&app, case, &providers, &search);
                let walked = walk(&app, &stored.token, &search.query(stored.patient), limit);

                // Each provider in reach once, with its distance and the
                // figures its referrals come to.
                let mut got: Vec<Uuid> = walked.iter().map(|e| e.provider.id).collect();
                let mut want: Vec<Uuid> = stored
                    .providers
                    .iter()
                    .filter(|(_, p)| search.reaches(p))
                    .map(|(id, _)| *id)
                    .collect();
                got.sort();
                want.sort();
                prop_assert_eq!(&got, &want);
                for e in &walked {
                    let p = stored.providers[&e.provider.id];
                    let measured = search.miles_to(p);
                    prop_assert!(
                        close(e.distance_miles, measured),
                        "{:?} {:?}",
                        e.distance_miles,
                        measured
                    );
                    let (completion, satisfaction) = expected_figures(&p.referrals);
                    prop_assert!(
                        close(e.provider.quality.completion_rate, completion),
                        "{:?}",
                        e.provider.quality
                    );
                    prop_assert!(
                        close(e.provider.quality.satisfaction, satisfaction),
                        "{:?}",
                        e.provider.quality
                    );
                }

                // `rank` over the same providers, handed over in the
                // directory's name order (the database's collation), orders
                // them as the pages did and gives the same reasons.
                let by_name: Vec<Uuid> = diesel::sql_query(
                    "SELECT id FROM providers WHERE organization_id = $1 ORDER BY lower(name), id",
                )
                .bind::<SqlUuid, _>(stored.org)
                .load::<Id>(&mut app.conn())
                .expect("providers by name")
                .into_iter()
                .map(|r| r.id)
                .filter(|id| want.binary_search(id).is_ok())
                .collect();
                let entries: HashMap<Uuid, &DirectoryEntry> =
                    walked.iter().map(|e| (e.provider.id, e)).collect();
                let candidates: Vec<Candidate> =
                    by_name.iter().map(|id| candidate(entries[id])).collect();
                let wants = search.wants();
                let ranked = rank(&candidates, &wants);
                let ranked_ids: Vec<Uuid> = ranked.iter().map(|r| by_name[r.index]).collect();
                let walked_ids: Vec<Uuid> = walked.iter().map(|e| e.provider.id).collect();
                prop_assert_eq!(&ranked_ids, &walked_ids, "wants {:?}", wants);
                for (r, e) in ranked.iter().zip(&walked) {
                    prop_assert_eq!(&r.reasons, &e.reasons);
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn two_transactions_changing_one_providers_referrals_at_once_both_count_in_its_figures() {
    let app = TestApp::spawn();
    let team = app.team("Concurrent Quality Org");
    let admin = app.token(&team.admin);
    let cm = app.token(&team.care_manager);
    let patient = app.create_patient(&cm, &new_patient("Ines", "Moreau"));
    let provider: Provider = app
        .post("/api/v1/providers")
        .token(&admin)
        .json(&json!({"name": "Harbor Counseling", "kind": "organization"}))
        .send()
        .expect(201)
        .json();
    let org = team.org.id.get();
    let mut conn = app.conn();
    let first = store_referral(&mut conn, org, patient.id.get(), provider.id, Outcome::Sent);
    let second = store_referral(&mut conn, org, patient.id.get(), provider.id, Outcome::Sent);

    // The first declines and holds its transaction open while the second
    // completes in another; the second's figures must wait for the first's
    // change instead of being counted without it.
    let decline = "UPDATE referrals SET status = 'declined', responded_at = now() WHERE id = $1";
    let complete = "UPDATE referrals SET status = 'closed', responded_at = now(), \
                    completed_at = now(), closed_at = now() WHERE id = $1";
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        diesel::sql_query(decline)
            .bind::<SqlUuid, _>(first)
            .execute(conn)?;
        let other = std::thread::spawn({
            let mut conn = app.conn();
            move || {
                conn.transaction(|conn| {
                    diesel::sql_query(complete)
                        .bind::<SqlUuid, _>(second)
                        .execute(conn)
                })
                .expect("complete the second referral")
            }
        });
        // Long enough for the other transaction to reach the provider's
        // figures while this one is open; the assertion holds either way.
        std::thread::sleep(std::time::Duration::from_millis(300));
        Ok(other)
    })
    .expect("decline the first referral")
    .join()
    .expect("the other transaction");

    let p: Provider = app
        .get(&format!("/api/v1/providers/{}", provider.id))
        .token(&cm)
        .send()
        .expect(200)
        .json();
    assert_eq!(p.quality.referrals, 2);
    assert_eq!(
        p.quality.completion_rate,
        Some(0.5),
        "one completed of two ended"
    );
}
