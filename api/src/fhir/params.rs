//! The resource types `/fhir/r4` serves, and the search parameters each
//! takes, read from the query string into a checked [`Search`]. Pure: the
//! organization's time zone comes in (a `_lastUpdated` date is a day there).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use shared::auth::Permission;
use shared::ids::PatientId;
use shared::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use uuid::Uuid;

/// A resource type this server serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FhirType {
    /// A patient (`patients` with their identifiers).
    Patient,
    /// A patient's contact (`contacts`).
    RelatedPerson,
    /// One care-team membership (`care_team_members`): a `CareTeam` per
    /// membership, whose single participant is the member.
    CareTeam,
    /// A hospital, ED or crisis stay (`encounters`).
    Encounter,
    /// An appointment (`appointments`).
    Appointment,
    /// A task (`tasks`).
    Task,
    /// A patient's care plan (`care_plans`).
    CarePlan,
    /// One goal of a care plan (`care_plans.content.goals`).
    Goal,
    /// A referral (`referrals`).
    ServiceRequest,
    /// A provider of the directory as an organization (`providers`).
    Organization,
    /// A provider's services (`providers`).
    HealthcareService,
    /// A screening's answers (`screenings` and `screening_answers`).
    QuestionnaireResponse,
    /// A screening's score (`screenings`), coded with LOINC.
    Observation,
}

impl FhirType {
    /// Every type served, in the order the capability statement lists them.
    pub const ALL: [FhirType; 13] = [
        FhirType::Patient,
        FhirType::RelatedPerson,
        FhirType::CareTeam,
        FhirType::Encounter,
        FhirType::Appointment,
        FhirType::Task,
        FhirType::CarePlan,
        FhirType::Goal,
        FhirType::ServiceRequest,
        FhirType::Organization,
        FhirType::HealthcareService,
        FhirType::QuestionnaireResponse,
        FhirType::Observation,
    ];

    /// The type's FHIR name (`Patient`).
    pub fn name(self) -> &'static str {
        match self {
            FhirType::Patient => "Patient",
            FhirType::RelatedPerson => "RelatedPerson",
            FhirType::CareTeam => "CareTeam",
            FhirType::Encounter => "Encounter",
            FhirType::Appointment => "Appointment",
            FhirType::Task => "Task",
            FhirType::CarePlan => "CarePlan",
            FhirType::Goal => "Goal",
            FhirType::ServiceRequest => "ServiceRequest",
            FhirType::Organization => "Organization",
            FhirType::HealthcareService => "HealthcareService",
            FhirType::QuestionnaireResponse => "QuestionnaireResponse",
            FhirType::Observation => "Observation",
        }
    }

    /// The type named `name` exactly (FHIR type names are case-sensitive).
    pub fn parse(name: &str) -> Option<FhirType> {
        FhirType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// What reading it takes: the permission its REST counterpart takes.
    pub fn permission(self) -> Permission {
        match self {
            FhirType::Encounter => Permission::EncountersRead,
            FhirType::Appointment => Permission::AppointmentsRead,
            FhirType::Task => Permission::TasksRead,
            FhirType::Organization | FhirType::HealthcareService => Permission::ProvidersRead,
            FhirType::Patient
            | FhirType::RelatedPerson
            | FhirType::CareTeam
            | FhirType::CarePlan
            | FhirType::Goal
            | FhirType::ServiceRequest
            | FhirType::QuestionnaireResponse
            | FhirType::Observation => Permission::PatientsRead,
        }
    }

    /// Whether it is patient data (read and searched with an audit event,
    /// searchable by `patient`); the provider directory is not.
    pub fn is_patient_data(self) -> bool {
        !matches!(self, FhirType::Organization | FhirType::HealthcareService)
    }

    /// The search parameters it takes besides the result parameters.
    pub fn search_params(self) -> &'static [&'static str] {
        if self.is_patient_data() {
            &["patient", "_lastUpdated"]
        } else {
            &["_lastUpdated"]
        }
    }
}

/// Records last updated at or after `from` and before `until`: every
/// `_lastUpdated` of a search, intersected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// Inclusive lower bound.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub until: Option<DateTime<Utc>>,
}

impl Window {
    fn at_least(&mut self, t: DateTime<Utc>) {
        self.from = Some(self.from.map_or(t, |f| f.max(t)));
    }

    fn before(&mut self, t: DateTime<Utc>) {
        self.until = Some(self.until.map_or(t, |u| u.min(t)));
    }

    /// Whether `t` is inside.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| t >= f) && self.until.is_none_or(|u| t < u)
    }
}

/// The sort key a page continues after: last updated, then id.
pub type After = (DateTime<Utc>, Uuid);

/// A checked search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// Only this patient's records.
    pub patient: Option<PatientId>,
    /// Only records last updated inside.
    pub window: Window,
    /// Entries on a page (`_count`; 0 answers the total alone).
    pub count: i64,
    /// Continue after this key (`_cursor`).
    pub after: Option<After>,
    /// The search's own parameters (not `_cursor`), to repeat in links.
    pub echo: Vec<(String, String)>,
}

impl Search {
    /// Rows a store fetches: one more than the page, to learn whether
    /// another follows.
    pub fn fetch(&self) -> i64 {
        self.count + 1
    }
}

/// Why a search was refused (a 400 with this diagnostic).
pub type Refusal = String;

/// Reads the query string of a search of `ty`; `decode` reads a cursor
/// back (`None` when it is not one this server issued).
pub fn parse_search(
    ty: FhirType,
    query: &str,
    tz: Tz,
    decode: impl Fn(&str) -> Option<After>,
) -> Result<Search, Refusal> {
    let mut search = Search {
        patient: None,
        window: Window::default(),
        count: DEFAULT_LIMIT,
        after: None,
        echo: Vec::new(),
    };
    let mut seen_patient = false;
    let mut seen_count = false;
    let mut seen_cursor = false;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let (name, value) = (name.into_owned(), value.into_owned());
        match name.as_str() {
            "patient" if ty.is_patient_data() => {
                if seen_patient {
                    return Err("`patient` may be given once".into());
                }
                seen_patient = true;
                search.patient = Some(patient_reference(&value)?);
            }
            "_lastUpdated" => last_updated(&mut search.window, &value, tz)?,
            "_count" => {
                if seen_count {
                    return Err("`_count` may be given once".into());
                }
                seen_count = true;
                search.count = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (0..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        format!("`_count` must be a whole number from 0 to {MAX_LIMIT}")
                    })?;
            }
            "_cursor" => {
                if seen_cursor {
                    return Err("`_cursor` may be given once".into());
                }
                seen_cursor = true;
                search.after =
                    Some(decode(&value).ok_or_else(|| {
                        "`_cursor` is not a cursor this server issued".to_string()
                    })?);
                continue;
            }
            "_format" => check_format(&value)?,
            other => {
                return Err(format!(
                    "`{other}` is not a search parameter of {} here; supported: {}, _count, _format",
                    ty.name(),
                    ty.search_params().join(", ")
                ));
            }
        }
        search.echo.push((name, value));
    }
    Ok(search)
}

/// `_format` (on reads and searches): JSON only.
pub fn check_format(value: &str) -> Result<(), Refusal> {
    match value {
        "json" | "application/json" | "application/fhir+json" => Ok(()),
        other => Err(format!(
            "`_format={other}` is not supported; this server speaks application/fhir+json (`_format=json`)"
        )),
    }
}

/// The pattern of a `patient` value (as the `OpenAPI` document states it).
pub const PATIENT_PATTERN: &str =
    "^(.*Patient/)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// A `patient` value: `<id>`, `Patient/<id>` or a URL ending so; the id
/// a hyphenated UUID.
fn patient_reference(value: &str) -> Result<PatientId, Refusal> {
    let (prefix, id) = value.rsplit_once("Patient/").unwrap_or(("", value));
    // What the pattern's `.` takes: anything but a line terminator.
    let prefix_ok = !prefix.contains(['\n', '\r', '\u{2028}', '\u{2029}']);
    let hyphenated = prefix_ok
        && id.len() == 36
        && id.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    hyphenated
        .then(|| Uuid::parse_str(id).ok())
        .flatten()
        .map(PatientId::from)
        .ok_or_else(|| {
            format!("`patient={value}` is not a patient reference (`Patient/<id>` or `<id>`)")
        })
}

/// Adds one `_lastUpdated` (`[prefix]<date or instant>`) to `window`.
fn last_updated(window: &mut Window, value: &str, tz: Tz) -> Result<(), Refusal> {
    let (prefix, rest) = match value.get(..2) {
        Some(p) if p.bytes().all(|b| b.is_ascii_lowercase()) => (p, &value[2..]),
        _ => ("eq", value),
    };
    let (lo, hi) = range_of(rest, tz).ok_or_else(|| {
        format!(
            "`_lastUpdated={value}` is not [prefix]YYYY, YYYY-MM, YYYY-MM-DD or an instant \
             with seconds and a zone (2026-03-02T14:10:00Z)"
        )
    })?;
    match prefix {
        "eq" => {
            window.at_least(lo);
            window.before(hi);
        }
        "ge" => window.at_least(lo),
        "gt" => window.at_least(hi),
        "le" => window.before(hi),
        "lt" => window.before(lo),
        other => {
            return Err(format!(
                "the `_lastUpdated` prefix `{other}` is not supported; use eq, ge, gt, le or lt"
            ));
        }
    }
    Ok(())
}

/// The pattern of a `_lastUpdated` value (as the `OpenAPI` document states
/// it); the server also refuses dates the calendar does not have.
pub const LAST_UPDATED_PATTERN: &str = "^(eq|ge|gt|le|lt)?[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])\
    (T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?)?)?$";

/// Whether an instant is written `YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|±hh:mm)`,
/// hours below 24 and minutes and seconds below 60 (no leap second, no
/// lowercase `t` or `z`, no space): what [`LAST_UPDATED_PATTERN`] says of
/// the part after the date.
fn instant_shape(value: &str) -> bool {
    let b = value.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let below = |r: std::ops::Range<usize>, max: u32| {
        digits(r.clone())
            && std::str::from_utf8(&b[r])
                .ok()
                .and_then(|s| s.parse::<u32>().ok())
                .is_some_and(|n| n < max)
    };
    if b.len() < 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return false;
    }
    if !(below(11..13, 24) && below(14..16, 60) && below(17..19, 60)) {
        return false;
    }
    let mut rest = &value[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if !(1..=9).contains(&n) {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest.as_bytes() {
        [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let h = [*h1, *h2];
            let m = [*m1, *m2];
            h.iter().chain(&m).all(u8::is_ascii_digit)
                && (h[0] - b'0') * 10 + (h[1] - b'0') < 24
                && (m[0] - b'0') * 10 + (m[1] - b'0') < 60
        }
        _ => false,
    }
}

/// The instants a search value stands for, `[lo, hi)`: a year, month or
/// day in `tz`, or an instant to the precision it was written with (a
/// whole second, or its fraction; the database keeps microseconds).
fn range_of(value: &str, tz: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if value.contains('T') {
        if !instant_shape(value) {
            return None;
        }
        let t = DateTime::parse_from_rfc3339(value)
            .ok()?
            .with_timezone(&Utc);
        let digits = value
            .split_once('.')
            .map_or(0, |(_, f)| f.bytes().take_while(u8::is_ascii_digit).count());
        let width = match digits {
            0 => Duration::seconds(1),
            1..=5 => Duration::microseconds(10_i64.pow(6 - u32::try_from(digits).ok()?)),
            _ => Duration::microseconds(1),
        };
        return Some((t, t + width));
    }
    let parts: Vec<&str> = value.split('-').collect();
    let number = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (start, end) = match parts.as_slice() {
        [y] => {
            let y = i32::try_from(number(y, 4)?).ok()?;
            (
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y + 1, 1, 1)?,
            )
        }
        [y, m] => {
            let (y, m) = (i32::try_from(number(y, 4)?).ok()?, number(m, 2)?);
            let start = NaiveDate::from_ymd_opt(y, m, 1)?;
            (start, start.checked_add_months(chrono::Months::new(1))?)
        }
        [y, m, d] => {
            let y = i32::try_from(number(y, 4)?).ok()?;
            let start = NaiveDate::from_ymd_opt(y, number(m, 2)?, number(d, 2)?)?;
            (start, start.succ_opt()?)
        }
        _ => return None,
    };
    Some((midnight(start, tz)?, midnight(end, tz)?))
}

/// The first instant of `day` in `tz`.
fn midnight(day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn search(ty: FhirType, q: &str) -> Result<Search, Refusal> {
        parse_search(ty, q, chrono_tz::America::New_York, |c| {
            (c == "good").then(|| (at("2026-01-01T00:00:00Z"), Uuid::nil()))
        })
    }

    #[test]
    fn every_type_is_found_by_its_exact_name_only() {
        for ty in FhirType::ALL {
            assert_eq!(FhirType::parse(ty.name()), Some(ty));
        }
        assert_eq!(FhirType::parse("patient"), None);
        assert_eq!(FhirType::parse("Practitioner"), None);
    }

    #[test]
    fn the_directory_is_not_patient_data_and_takes_no_patient() {
        assert!(!FhirType::Organization.is_patient_data());
        assert_eq!(
            FhirType::HealthcareService.permission(),
            Permission::ProvidersRead
        );
        assert!(search(FhirType::Organization, "patient=Patient/x").is_err());
        assert_eq!(FhirType::Encounter.permission(), Permission::EncountersRead);
        assert_eq!(FhirType::Goal.permission(), Permission::PatientsRead);
    }

    #[test]
    fn a_patient_is_named_by_id_reference_or_url() {
        let id = Uuid::new_v4();
        for q in [
            format!("patient={id}"),
            format!("patient=Patient/{id}"),
            format!("patient=https://example.org/fhir/r4/Patient/{id}"),
        ] {
            assert_eq!(
                search(FhirType::Task, &q).unwrap().patient,
                Some(PatientId::from(id))
            );
        }
        assert!(search(FhirType::Task, "patient=Patient/123").is_err());
        assert!(search(FhirType::Task, &format!("patient={id}&patient={id}")).is_err());
    }

    #[test]
    fn ge_keeps_the_exact_instant_and_gt_leaves_it_out() {
        let t = "2026-03-02T14:10:00.123456Z";
        let ge = search(FhirType::Task, &format!("_lastUpdated=ge{t}"))
            .unwrap()
            .window;
        let gt = search(FhirType::Task, &format!("_lastUpdated=gt{t}"))
            .unwrap()
            .window;
        assert!(ge.contains(at(t)));
        assert!(!gt.contains(at(t)));
        assert!(gt.contains(at("2026-03-02T14:10:00.123457Z")));
        let le = search(FhirType::Task, &format!("_lastUpdated=le{t}"))
            .unwrap()
            .window;
        let lt = search(FhirType::Task, &format!("_lastUpdated=lt{t}"))
            .unwrap()
            .window;
        assert!(le.contains(at(t)));
        assert!(!lt.contains(at(t)));
    }

    #[test]
    fn an_instant_without_fraction_stands_for_its_whole_second() {
        let w = search(FhirType::Task, "_lastUpdated=2026-03-02T14:10:00Z")
            .unwrap()
            .window;
        assert!(w.contains(at("2026-03-02T14:10:00.999999Z")));
        assert!(!w.contains(at("2026-03-02T14:10:01Z")));
        let gt = search(FhirType::Task, "_lastUpdated=gt2026-03-02T14:10:00%2B01:00")
            .unwrap()
            .window;
        assert_eq!(gt.from, Some(at("2026-03-02T13:10:01Z")));
    }

    #[test]
    fn a_date_is_a_day_in_the_organizations_time_zone_and_ranges_intersect() {
        let w = search(
            FhirType::Task,
            "_lastUpdated=ge2026-03-02&_lastUpdated=lt2026-03-04",
        )
        .unwrap()
        .window;
        assert_eq!(w.from, Some(at("2026-03-02T05:00:00Z")));
        assert_eq!(w.until, Some(at("2026-03-04T05:00:00Z")));
        let month = search(FhirType::Task, "_lastUpdated=2026-02")
            .unwrap()
            .window;
        assert_eq!(month.until, Some(at("2026-03-01T05:00:00Z")));
        let year = search(FhirType::Task, "_lastUpdated=le2026")
            .unwrap()
            .window;
        assert_eq!(year.until, Some(at("2027-01-01T05:00:00Z")));
    }

    #[test]
    fn bad_values_prefixes_and_parameters_are_refused() {
        for q in [
            "_lastUpdated=ne2026-03-02",
            "_lastUpdated=sa2026-03-02",
            "_lastUpdated=2026-3-2",
            "_lastUpdated=2026-03-02T14:10:00",
            "_lastUpdated=yesterday",
            "_lastUpdated=2026-03-02t14:10:00z",
            "_lastUpdated=2026-03-02 14:10:00Z",
            "_lastUpdated=2026-03-02T14:10:60Z",
            "_lastUpdated=2026-03-02T24:00:00Z",
            "_lastUpdated=2026-03-02T14:10:00.1234567890Z",
            "_lastUpdated=2026-03-02T14:10:00%2B24:00",
            "_lastUpdated=2026-02-30",
            "patient=0123456789abcdef0123456789abcdef",
            "patient=urn:uuid:67e55044-10b1-426f-9247-bb680e5fe0c8",
            "patient=Patient/67e55044-10b1-426f-9247-bb680e5fe0c8/",
            "patient=%0APatient/67e55044-10b1-426f-9247-bb680e5fe0c8",
            "_count=-1",
            "_count=201",
            "_count=ten",
            "_cursor=forged",
            "_format=xml",
            "name=Smith",
            "_sort=_lastUpdated",
        ] {
            assert!(search(FhirType::Task, q).is_err(), "{q}");
        }
    }

    #[test]
    fn paging_parameters_are_read_and_the_cursor_is_not_echoed() {
        let s = search(
            FhirType::Task,
            "_count=2&_cursor=good&_format=json&_lastUpdated=ge2026",
        )
        .unwrap();
        assert_eq!(s.count, 2);
        assert_eq!(s.fetch(), 3);
        assert!(s.after.is_some());
        assert_eq!(
            s.echo,
            vec![
                ("_count".to_string(), "2".to_string()),
                ("_format".to_string(), "json".to_string()),
                ("_lastUpdated".to_string(), "ge2026".to_string()),
            ]
        );
        assert_eq!(search(FhirType::Task, "").unwrap().count, DEFAULT_LIMIT);
    }
}
