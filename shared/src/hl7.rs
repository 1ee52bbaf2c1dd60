//! HL7 v2 ADT in (`POST /api/v1/integrations/hl7v2`): the pure rules that
//! turn an admission, discharge, transfer message's facts into an
//! encounter, and choose the acknowledgment. Reading the ER7 text itself is
//! the API's job (a parser crate); what the facts mean is decided here.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::encounters::EncounterKind;
use crate::validation::{Context, Normalize};

/// An assigning authority whose identifiers the organization files under
/// another identifier system: PID-3 identifiers from `assigning_authority`
/// (CX-4, or the sending facility MSH-4 when CX-4 is empty) are looked up
/// as `{system, value}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentifierSystem {
    /// The assigning authority as messages name it (CX-4.1, else CX-4.2).
    pub assigning_authority: String,
    /// The identifier system its identifiers are filed under.
    pub system: String,
    /// Version (also the `ETag`).
    pub version: i32,
    /// When first set.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// `PUT /api/v1/integrations/hl7v2/identifier-systems/{assigning_authority}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"system": "urn:oid:2.16.840.1.113883.4.1"})))]
pub struct IdentifierSystemWrite {
    /// The identifier system (as patients' identifiers name it).
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub system: String,
    /// The version read (none to create; or send `If-Match`).
    #[serde(default)]
    pub version: Option<i32>,
}

impl Normalize for IdentifierSystemWrite {
    fn normalized(self) -> IdentifierSystemWrite {
        IdentifierSystemWrite {
            system: self.system.trim().to_string(),
            ..self
        }
    }
}

/// The HL7 versions accepted (MSH-12): ADT's PID and PV1 fields read here
/// are where they are in every version from 2.3 to 2.8.
pub const VERSIONS: [&str; 9] = [
    "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8",
];

/// Whether MSH-12 names a version this interface reads.
pub fn version_supported(version: &str) -> bool {
    VERSIONS.contains(&version.trim())
}

/// The ADT trigger events the interface acts on (MSH-9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdtEvent {
    /// A01: admit (inpatient) — the encounter starts.
    Admit,
    /// A03: discharge — the encounter ends; the transition follow-up opens.
    Discharge,
    /// A04: register an ED or outpatient visit.
    Register,
    /// A08: update patient or visit information — the visit's fields.
    Update,
    /// A11: cancel admit/visit — the encounter is cancelled.
    CancelAdmit,
    /// A13: cancel discharge — the discharge is taken back.
    CancelDischarge,
}

impl AdtEvent {
    /// The event of trigger `code` (`A01` …); `None` for the others.
    pub fn of_trigger(code: &str) -> Option<AdtEvent> {
        match code.trim().to_ascii_uppercase().as_str() {
            "A01" => Some(AdtEvent::Admit),
            "A03" => Some(AdtEvent::Discharge),
            "A04" => Some(AdtEvent::Register),
            "A08" => Some(AdtEvent::Update),
            "A11" => Some(AdtEvent::CancelAdmit),
            "A13" => Some(AdtEvent::CancelDischarge),
            _ => None,
        }
    }

    /// The trigger code.
    pub fn code(self) -> &'static str {
        match self {
            AdtEvent::Admit => "A01",
            AdtEvent::Discharge => "A03",
            AdtEvent::Register => "A04",
            AdtEvent::Update => "A08",
            AdtEvent::CancelAdmit => "A11",
            AdtEvent::CancelDischarge => "A13",
        }
    }
}

/// Hospital service codes (PV1-10; HL7 table 0069 is site-defined) read as
/// psychiatric: any code starting `PSY` (`PSY`, `PSYCH`, `PSYCHIATRY`, …)
/// and these common unit codes.
pub const PSYCHIATRIC_SERVICES: [&str; 6] = ["BH", "BHU", "MH", "MHU", "GPU", "IPU-BH"];

/// Hospital service codes read as withdrawal management (detox).
pub const DETOX_SERVICES: [&str; 4] = ["DETOX", "DTX", "WM", "CD"];

/// Whether PV1-10 `service` names a psychiatric service (case and
/// surrounding spaces ignored).
pub fn is_psychiatric_service(service: &str) -> bool {
    let code = service.trim().to_ascii_uppercase();
    code.starts_with("PSY") || PSYCHIATRIC_SERVICES.contains(&code.as_str())
}

/// Whether PV1-10 `service` names withdrawal management.
pub fn is_detox_service(service: &str) -> bool {
    let code = service.trim().to_ascii_uppercase();
    DETOX_SERVICES.contains(&code.as_str())
}

/// The kind of stay of a visit of patient class PV1-2 `class` on hospital
/// service PV1-10 `service`: `E` is an ED visit; `I` is an inpatient
/// psychiatric stay on a psychiatric service, detox on a withdrawal
/// management service, else an inpatient medical stay. Other classes
/// (outpatient, pre-admit, recurring, obstetrics …) are not stays the care
/// team follows up: `None`.
pub fn encounter_kind(class: &str, service: &str) -> Option<EncounterKind> {
    match class.trim().to_ascii_uppercase().as_str() {
        "E" => Some(EncounterKind::Ed),
        "I" if is_psychiatric_service(service) => Some(EncounterKind::InpatientPsych),
        "I" if is_detox_service(service) => Some(EncounterKind::Detox),
        "I" => Some(EncounterKind::InpatientMedical),
        _ => None,
    }
}

/// Why an HL7 time stamp could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TsError {
    /// Not `YYYYMMDDHHMM[SS[.S[S[S[S]]]]][+/-ZZZZ]`.
    Malformed,
    /// A date or time that does not exist (month 13, 25:00, offset +2400).
    OutOfRange,
}

impl std::fmt::Display for TsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TsError::Malformed => {
                "is not an HL7 time stamp YYYYMMDDHHMM[SS[.SSSS]][+/-ZZZZ] (minutes at least)"
            }
            TsError::OutOfRange => "names a date, time or offset that does not exist",
        })
    }
}

/// Reads an HL7 time stamp (DTM, the first component of TS) as an instant.
/// With an offset (`+ZZZZ` / `-ZZZZ`) it is exact; without one it is the
/// wall clock of `tz`, the organization's zone (in a daylight-saving gap
/// the clock had jumped forward, so the time is read as after the jump; in
/// the repeated hour, the first of the two). Minutes are the least
/// precision accepted: an admission "on 3 March" cannot start a follow-up
/// clock.
pub fn read_ts<Tz: TimeZone>(raw: &str, tz: &Tz) -> Result<DateTime<Utc>, TsError> {
    let raw = raw.trim();
    let (clock, offset) = match raw.find(['+', '-']) {
        Some(at) => (&raw[..at], Some(&raw[at..])),
        None => (raw, None),
    };
    let (whole, fraction) = match clock.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (clock, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let format = match whole.len() {
        12 if fraction.is_none() => "%Y%m%d%H%M",
        14 => "%Y%m%d%H%M%S",
        _ => return Err(TsError::Malformed),
    };
    if !digits(whole) {
        return Err(TsError::Malformed);
    }
    let mut naive =
        NaiveDateTime::parse_from_str(whole, format).map_err(|_| TsError::OutOfRange)?;
    if let Some(fraction) = fraction {
        if fraction.is_empty() || fraction.len() > 4 || !digits(fraction) {
            return Err(TsError::Malformed);
        }
        let tenths_of_ms: i64 = format!("{fraction:0<4}")
            .parse()
            .map_err(|_| TsError::Malformed)?;
        naive += Duration::microseconds(tenths_of_ms * 100);
    }
    let Some(offset) = offset else {
        return Ok(crate::calendar::local_to_utc(
            naive.date(),
            naive.time(),
            tz,
        ));
    };
    let (sign, hhmm) = offset.split_at(1);
    if hhmm.len() != 4 || !digits(hhmm) {
        return Err(TsError::Malformed);
    }
    let hours: i32 = hhmm[..2].parse().map_err(|_| TsError::Malformed)?;
    let minutes: i32 = hhmm[2..].parse().map_err(|_| TsError::Malformed)?;
    if hours > 23 || minutes > 59 {
        return Err(TsError::OutOfRange);
    }
    let seconds = (hours * 3600 + minutes * 60) * if sign == "-" { -1 } else { 1 };
    let zone = FixedOffset::east_opt(seconds).ok_or(TsError::OutOfRange)?;
    zone.from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or(TsError::OutOfRange)
}

/// The identifier system an assigning authority (CX-4, or the sending
/// facility MSH-4 when CX-4 is empty) names: its namespace id (HD-1), else
/// its universal id (HD-2). `None` when both are blank.
pub fn authority_name(namespace_id: &str, universal_id: &str) -> Option<String> {
    [namespace_id, universal_id]
        .into_iter()
        .map(str::trim)
        .find(|s| !s.is_empty())
        .map(str::to_string)
}

/// Whether `name` can name an assigning authority (a mapping's key): not
/// blank, at most 200 characters, no control characters.
pub fn authority_name_valid(name: &str) -> bool {
    !name.trim().is_empty() && name.chars().count() <= 200 && !name.chars().any(char::is_control)
}

/// HL7 acknowledgment codes (MSA-1, original mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckCode {
    /// AA: accepted — applied, or deliberately not recorded (MSA-3 says why).
    Accept,
    /// AE: a well-formed message that could not be applied (no such patient
    /// or visit, times that contradict the record); nothing was changed.
    Error,
    /// AR: a message this interface cannot read or does not take
    /// (malformed, a missing required field, an unsupported type or
    /// version); nothing was changed.
    Reject,
}

impl AckCode {
    /// `AA`, `AE` or `AR`.
    pub fn code(self) -> &'static str {
        match self {
            AckCode::Accept => "AA",
            AckCode::Error => "AE",
            AckCode::Reject => "AR",
        }
    }

    /// The code `code` names (`None` for anything else).
    pub fn of_code(code: &str) -> Option<AckCode> {
        match code {
            "AA" => Some(AckCode::Accept),
            "AE" => Some(AckCode::Error),
            "AR" => Some(AckCode::Reject),
            _ => None,
        }
    }
}

/// HL7 error conditions (table 0357), for ERR-3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// 100: a required segment is missing or out of place.
    SegmentSequence,
    /// 101: a required field is empty.
    RequiredFieldMissing,
    /// 102: a field's value cannot be read as its type, or breaks a rule.
    DataType,
    /// 200: not an ADT message.
    UnsupportedMessageType,
    /// 201: an ADT event this interface does not take.
    UnsupportedEvent,
    /// 202: not a production message (MSH-11).
    UnsupportedProcessingId,
    /// 203: an HL7 version this interface does not read.
    UnsupportedVersion,
    /// 204: no record has this identifier (patient, visit).
    UnknownKey,
    /// 205: the identifier names more than one record, or another one.
    DuplicateKey,
    /// 207: the record's state does not allow this.
    ApplicationError,
}

impl Condition {
    /// The table 0357 code.
    pub fn code(self) -> u16 {
        match self {
            Condition::SegmentSequence => 100,
            Condition::RequiredFieldMissing => 101,
            Condition::DataType => 102,
            Condition::UnsupportedMessageType => 200,
            Condition::UnsupportedEvent => 201,
            Condition::UnsupportedProcessingId => 202,
            Condition::UnsupportedVersion => 203,
            Condition::UnknownKey => 204,
            Condition::DuplicateKey => 205,
            Condition::ApplicationError => 207,
        }
    }

    /// The table 0357 text.
    pub fn text(self) -> &'static str {
        match self {
            Condition::SegmentSequence => "Segment sequence error",
            Condition::RequiredFieldMissing => "Required field missing",
            Condition::DataType => "Data type error",
            Condition::UnsupportedMessageType => "Unsupported message type",
            Condition::UnsupportedEvent => "Unsupported event code",
            Condition::UnsupportedProcessingId => "Unsupported processing id",
            Condition::UnsupportedVersion => "Unsupported version id",
            Condition::UnknownKey => "Unknown key identifier",
            Condition::DuplicateKey => "Duplicate key identifier",
            Condition::ApplicationError => "Application internal error",
        }
    }
}

/// Why a message was not applied: AR or AE, the error condition, the field
/// at fault (`PID-3`, `PV1-19`, as HL7 names them; empty for the whole
/// message) and what is wrong, for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// AR (cannot be read or is not taken) or AE (cannot be applied).
    pub ack: AckCode,
    /// The error condition.
    pub condition: Condition,
    /// The segment and field, e.g. `PID-3`.
    pub location: String,
    /// What is wrong, for a person (never patient data).
    pub reason: String,
}

impl Refusal {
    /// A message that cannot be read or is not taken (AR).
    pub fn rejected(condition: Condition, location: &str, reason: impl Into<String>) -> Refusal {
        Refusal {
            ack: AckCode::Reject,
            condition,
            location: location.into(),
            reason: reason.into(),
        }
    }

    /// A readable message that cannot be applied to the record (AE).
    pub fn not_applied(condition: Condition, location: &str, reason: impl Into<String>) -> Refusal {
        Refusal {
            ack: AckCode::Error,
            condition,
            location: location.into(),
            reason: reason.into(),
        }
    }

    /// The segment and field of the location (`("PID", 3)`), when it names
    /// one.
    pub fn segment_field(&self) -> Option<(&str, u16)> {
        let (segment, field) = self.location.split_once('-')?;
        Some((segment, field.parse().ok()?))
    }
}

/// Words for a discharge disposition code (PV1-36, HL7 table 0112 as the
/// UB-04 patient status codes fill it), with the code; an unknown code is
/// kept as sent.
pub fn disposition_label(code: &str) -> String {
    let code = code.trim();
    let words = match code {
        "01" => "home or self care",
        "02" => "short-term general hospital",
        "03" => "skilled nursing facility",
        "04" => "intermediate care facility",
        "05" => "another type of institution",
        "06" => "home with home health services",
        "07" => "left against medical advice",
        "20" => "expired",
        "21" => "court or law enforcement",
        "43" => "federal health care facility",
        "50" => "hospice (home)",
        "51" => "hospice (medical facility)",
        "61" => "swing bed",
        "62" => "inpatient rehabilitation facility",
        "63" => "long-term care hospital",
        "64" => "nursing facility (Medicaid certified)",
        "65" => "psychiatric hospital or unit",
        "66" => "critical access hospital",
        "70" => "another type of health care institution",
        _ => return code.to_string(),
    };
    format!("{words} ({code})")
}

/// The acknowledgment code of a message's outcome: AA when it was applied
/// (or deliberately not recorded), AR when it could not be read or is not
/// taken, AE when it was read but could not be applied.
pub fn ack_code<T>(outcome: &Result<T, Refusal>) -> AckCode {
    match outcome {
        Ok(_) => AckCode::Accept,
        Err(refusal) => refusal.ack,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{Chicago, Los_Angeles};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_patient_class_and_service_choose_the_kind_of_stay() {
        assert_eq!(encounter_kind("E", ""), Some(EncounterKind::Ed));
        assert_eq!(encounter_kind("e", "MED"), Some(EncounterKind::Ed));
        assert_eq!(
            encounter_kind("I", "PSY"),
            Some(EncounterKind::InpatientPsych)
        );
        assert_eq!(
            encounter_kind("I", " psychiatry "),
            Some(EncounterKind::InpatientPsych)
        );
        assert_eq!(
            encounter_kind("I", "BHU"),
            Some(EncounterKind::InpatientPsych)
        );
        assert_eq!(encounter_kind("I", "DTX"), Some(EncounterKind::Detox));
        assert_eq!(
            encounter_kind("I", "MED"),
            Some(EncounterKind::InpatientMedical)
        );
        assert_eq!(
            encounter_kind("I", ""),
            Some(EncounterKind::InpatientMedical)
        );
        for untracked in ["O", "P", "R", "B", "N", "U", ""] {
            assert_eq!(encounter_kind(untracked, "PSY"), None, "{untracked}");
        }
    }

    #[test]
    fn psychiatric_services_are_named_by_prefix_or_unit_code() {
        for code in ["PSY", "PSYCH", "Psychiatry", "BH", "mhu", "GPU"] {
            assert!(is_psychiatric_service(code), "{code}");
        }
        for code in ["MED", "SUR", "CAR", "", "EPSY"] {
            assert!(!is_psychiatric_service(code), "{code}");
        }
    }

    #[test]
    fn a_time_with_its_offset_is_exact_whatever_the_organizations_zone() {
        assert_eq!(
            read_ts("202603011430-0500", &Los_Angeles),
            Ok(at("2026-03-01T19:30:00Z"))
        );
        assert_eq!(
            read_ts("20260301143015+0130", &Chicago),
            Ok(at("2026-03-01T13:00:15Z"))
        );
        assert_eq!(
            read_ts("20260301143015.25-0000", &Chicago),
            Ok(at("2026-03-01T14:30:15.250Z"))
        );
    }

    #[test]
    fn a_time_without_offset_is_on_the_organizations_wall_clock() {
        // Winter: Los Angeles is UTC-8; summer: UTC-7.
        assert_eq!(
            read_ts("202601151430", &Los_Angeles),
            Ok(at("2026-01-15T22:30:00Z"))
        );
        assert_eq!(
            read_ts("20260715143000", &Los_Angeles),
            Ok(at("2026-07-15T21:30:00Z"))
        );
        assert_eq!(
            read_ts("20260715143000", &Chicago),
            Ok(at("2026-07-15T19:30:00Z"))
        );
    }

    #[test]
    fn daylight_saving_gaps_and_repeats_read_as_the_clock_on_the_wall_did() {
        // 2026-03-08 02:30 does not exist in Los Angeles: the clock jumped
        // from 02:00 PST to 03:00 PDT.
        assert_eq!(
            read_ts("202603080230", &Los_Angeles),
            Ok(at("2026-03-08T10:00:00Z"))
        );
        // 2026-11-01 01:30 happened twice; the first (PDT) is taken.
        assert_eq!(
            read_ts("202611010130", &Los_Angeles),
            Ok(at("2026-11-01T08:30:00Z"))
        );
    }

    #[test]
    fn time_stamps_below_minute_precision_or_malformed_are_refused() {
        for bad in [
            "",
            "20260301",
            "2026030114",
            "2026030114301",
            "202603011430.5",
            "20260301143000.12345",
            "20260301143000.",
            "2026-03-01T14:30",
            "202603011430+05",
            "202603011430+05:00",
            "20260301143x",
            "２０２６０３０１１４３０",
        ] {
            assert_eq!(read_ts(bad, &Chicago), Err(TsError::Malformed), "{bad:?}");
        }
        for impossible in [
            "202613011430",
            "202602301430",
            "202603012530",
            "202603011430+2400",
        ] {
            assert_eq!(
                read_ts(impossible, &Chicago),
                Err(TsError::OutOfRange),
                "{impossible:?}"
            );
        }
    }

    #[test]
    fn the_assigning_authority_is_its_namespace_else_its_universal_id() {
        assert_eq!(authority_name("MRN", "1.2.3"), Some("MRN".into()));
        assert_eq!(authority_name(" ", "1.2.3"), Some("1.2.3".into()));
        assert_eq!(authority_name("", ""), None);
    }

    #[test]
    fn an_authority_name_is_short_visible_text() {
        assert!(authority_name_valid("MERCY"));
        assert!(authority_name_valid("2.16.840.1.113883.4.1"));
        assert!(!authority_name_valid(" "));
        assert!(!authority_name_valid("A\u{0}B"));
        assert!(!authority_name_valid(&"A".repeat(201)));
    }

    #[test]
    fn the_ack_code_says_applied_unreadable_or_not_applicable() {
        assert_eq!(ack_code::<()>(&Ok(())), AckCode::Accept);
        let unsupported = Refusal::rejected(Condition::UnsupportedEvent, "MSH-9", "A02");
        assert_eq!(ack_code::<()>(&Err(unsupported)), AckCode::Reject);
        let unknown = Refusal::not_applied(Condition::UnknownKey, "PID-3", "no such patient");
        assert_eq!(unknown.segment_field(), Some(("PID", 3)));
        assert_eq!(unknown.condition.code(), 204);
        assert_eq!(ack_code::<()>(&Err(unknown)), AckCode::Error);
        assert_eq!(AckCode::Error.code(), "AE");
        assert_eq!(AckCode::of_code("AR"), Some(AckCode::Reject));
        assert_eq!(AckCode::of_code("CA"), None);
    }

    #[test]
    fn known_discharge_dispositions_read_as_words_and_others_as_sent() {
        assert_eq!(disposition_label("01"), "home or self care (01)");
        assert_eq!(
            disposition_label(" 65 "),
            "psychiatric hospital or unit (65)"
        );
        assert_eq!(disposition_label("HOME"), "HOME");
    }

    #[test]
    fn only_the_six_adt_triggers_are_acted_on() {
        for code in ["A01", "A03", "A04", "A08", "A11", "a13"] {
            let event = AdtEvent::of_trigger(code).expect(code);
            assert_eq!(event.code(), code.to_ascii_uppercase());
        }
        for other in ["A02", "A05", "A28", "A40", "O01", ""] {
            assert_eq!(AdtEvent::of_trigger(other), None, "{other}");
        }
    }

    #[test]
    fn versions_two_three_to_two_eight_are_read() {
        assert!(version_supported("2.5.1"));
        assert!(version_supported("2.3"));
        assert!(!version_supported("2.2"));
        assert!(!version_supported("3.0"));
    }
}
