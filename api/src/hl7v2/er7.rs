//! ER7, HL7 v2's pipe-and-hat encoding: reading a message (with the
//! `hl7kit` parser) into the facts the ADT rules need, and writing the
//! acknowledgment back in the sender's delimiters. Pure: no database.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hl7kit::builder::{Builder, Value};
use hl7kit::{Encoding, Message, ParseError, Warning};
use shared::hl7::{self, AckCode, AdtEvent, Condition, Refusal};

/// What the message header (MSH) says.
#[derive(Debug, Clone)]
pub struct Header {
    /// The delimiters the message declared (MSH-1, MSH-2).
    pub encoding: Encoding,
    /// MSH-3, decoded, by component.
    pub sending_application: Vec<String>,
    /// MSH-4, decoded, by component.
    pub sending_facility: Vec<String>,
    /// MSH-5, decoded, by component.
    pub receiving_application: Vec<String>,
    /// MSH-6, decoded, by component.
    pub receiving_facility: Vec<String>,
    /// MSH-10 (empty when missing).
    pub control_id: String,
    /// MSH-9.1, e.g. `ADT`.
    pub message_code: String,
    /// MSH-9.2, e.g. `A01`.
    pub trigger: String,
    /// MSH-11.1, e.g. `P`.
    pub processing_id: String,
    /// MSH-12.1, e.g. `2.5.1`.
    pub version: String,
}

impl Header {
    /// Who sent it: sending application and facility, as a resend repeats
    /// them (control ids are unique per sender).
    pub fn sender(&self) -> String {
        format!(
            "{}|{}",
            self.sending_application.join("^"),
            self.sending_facility.join("^")
        )
    }

    /// MSH-9 as `ADT^A01`.
    pub fn message_type(&self) -> String {
        if self.message_code.is_empty() && self.trigger.is_empty() {
            return String::new();
        }
        format!("{}^{}", self.message_code, self.trigger)
    }

    /// The sending facility's name (MSH-4: namespace id, else universal
    /// id): the identifier system when PID-3 names no assigning authority.
    pub fn facility_name(&self) -> Option<String> {
        let part = |n: usize| self.sending_facility.get(n).map_or("", String::as_str);
        hl7::authority_name(part(0), part(1))
    }
}

/// One PID-3 identifier: the system its assigning authority names (CX-4,
/// else the sending facility) and its value (CX-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    /// The assigning authority's name.
    pub authority: String,
    /// The identifier.
    pub value: String,
}

/// What PV1 says of the visit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Visit {
    /// PV1-2 patient class (`E`, `I`, `O` …).
    pub class: String,
    /// PV1-10 hospital service.
    pub service: String,
    /// PV1-19.1 visit number.
    pub number: String,
    /// The facility: PV1-3.4 (the location's facility), else PV1-39
    /// (servicing facility), else the sending facility (MSH-4).
    pub facility: Option<String>,
    /// PV1-44 admit time.
    pub admitted_at: Option<DateTime<Utc>>,
    /// PV1-45 discharge time.
    pub discharged_at: Option<DateTime<Utc>>,
    /// PV1-36 discharge disposition, in words when the code is known.
    pub disposition: Option<String>,
}

/// An ADT message's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adt {
    /// The trigger event.
    pub event: AdtEvent,
    /// PID-3, every repetition with a value.
    pub identifiers: Vec<Identifier>,
    /// PV1.
    pub visit: Visit,
}

impl Header {
    /// The header of a body in which no MSH segment can be read: the
    /// standard delimiters, nothing else known.
    fn unreadable() -> Header {
        Header {
            encoding: Encoding::STANDARD,
            sending_application: Vec::new(),
            sending_facility: Vec::new(),
            receiving_application: Vec::new(),
            receiving_facility: Vec::new(),
            control_id: String::new(),
            message_code: String::new(),
            trigger: String::new(),
            processing_id: String::new(),
            version: String::new(),
        }
    }
}

/// Reads `body`: its header, with the ADT facts or the reason it is
/// refused. A body in which not even an MSH segment can be read is refused
/// too, under the standard delimiters. Times without an offset are read on
/// `tz`'s wall clock.
pub fn read(body: &[u8], tz: Tz) -> (Header, Result<Adt, Refusal>) {
    let refused = |header: Header, condition, reason: String| {
        (header, Err(Refusal::rejected(condition, "", reason)))
    };
    let Ok(text) = std::str::from_utf8(body) else {
        // Answer in the sender's delimiters if its MSH can be read at all.
        let lossy = String::from_utf8_lossy(body);
        return refused(
            header_only(&lossy),
            Condition::DataType,
            "The message is not UTF-8 text (send UTF-8; ASCII is UTF-8).".into(),
        );
    };
    match Message::parse(text) {
        Ok(message) => {
            let header = header_of(&message);
            let adt = adt_of(&message, &header, tz);
            (header, adt)
        }
        Err(ParseError::MalformedSegment { line, .. }) => refused(
            header_only(text),
            Condition::SegmentSequence,
            format!("Segment {line} does not start with a three-character segment name."),
        ),
        Err(e) => refused(
            Header::unreadable(),
            Condition::SegmentSequence,
            format!("This is not an HL7 v2 message: {e}."),
        ),
    }
}

/// The header of a message whose later segments cannot be parsed: its
/// first line alone.
fn header_only(text: &str) -> Header {
    let first = text.split(['\r', '\n']).find(|l| !l.trim().is_empty());
    Message::parse(first.unwrap_or_default())
        .map_or_else(|_| Header::unreadable(), |m| header_of(&m))
}

fn header_of(m: &Message) -> Header {
    let components = |n: usize| -> Vec<String> {
        m.segment("MSH")
            .and_then(|s| s.field(n))
            .and_then(|f| f.repetition(1))
            .map(|r| r.components().map(|c| text(m, c.value())).collect())
            .unwrap_or_default()
    };
    let first = |n: usize| components(n).into_iter().next().unwrap_or_default();
    let nth = |n: usize, c: usize| components(n).into_iter().nth(c).unwrap_or_default();
    Header {
        encoding: m.encoding(),
        sending_application: components(3),
        sending_facility: components(4),
        receiving_application: components(5),
        receiving_facility: components(6),
        control_id: m.control_id().map(|v| text(m, v)).unwrap_or_default(),
        message_code: first(9),
        trigger: nth(9, 1),
        processing_id: first(11),
        version: first(12),
    }
}

/// `raw` with its escape sequences decoded, trimmed. `hl7kit` 0.2 slices
/// a `\X…\` hex escape by bytes and would panic on a non-ASCII character
/// inside one; [`adt_of`] refuses such a message before anything is
/// decoded, and the header fields read before that check (MSH) keep such a
/// value as sent.
fn text(m: &Message, raw: &str) -> String {
    if has_unsafe_hex_escape(raw, m.encoding()) {
        return raw.trim().to_string();
    }
    m.decode(raw).trim().to_string()
}

/// Whether `raw` holds a hex escape (`\X…\`) that is not plain ASCII.
fn has_unsafe_hex_escape(raw: &str, enc: Encoding) -> bool {
    let esc = char::from(enc.escape);
    !raw.is_ascii() && raw.split(esc).skip(1).any(|seq| seq.starts_with('X'))
}

fn adt_of(m: &Message, header: &Header, tz: Tz) -> Result<Adt, Refusal> {
    if m.warnings()
        .iter()
        .any(|w| matches!(w, Warning::EncodingFallback { .. }))
    {
        return Err(Refusal::rejected(
            Condition::DataType,
            "MSH-2",
            "MSH-2 does not declare four distinct encoding characters (as ^~\\&).",
        ));
    }
    if has_unsafe_hex_escape(m.raw(), m.encoding()) {
        return Err(Refusal::rejected(
            Condition::DataType,
            "",
            "A hex escape sequence (\\X..\\) holds non-ASCII characters.",
        ));
    }
    if header.control_id.is_empty() {
        return Err(Refusal::rejected(
            Condition::RequiredFieldMissing,
            "MSH-10",
            "MSH-10 (message control id) is empty.",
        ));
    }
    if !hl7::version_supported(&header.version) {
        return Err(Refusal::rejected(
            Condition::UnsupportedVersion,
            "MSH-12",
            format!(
                "HL7 version {:?} is not read here; send 2.3 to 2.8.",
                header.version
            ),
        ));
    }
    if header.processing_id != "P" {
        return Err(Refusal::rejected(
            Condition::UnsupportedProcessingId,
            "MSH-11",
            "Only production messages (MSH-11 = P) are taken.",
        ));
    }
    if !header.message_code.eq_ignore_ascii_case("ADT") {
        return Err(Refusal::rejected(
            Condition::UnsupportedMessageType,
            "MSH-9",
            format!(
                "Message type {:?} is not taken; send ADT.",
                header.message_code
            ),
        ));
    }
    let Some(event) = AdtEvent::of_trigger(&header.trigger) else {
        return Err(Refusal::rejected(
            Condition::UnsupportedEvent,
            "MSH-9",
            format!(
                "ADT event {:?} is not taken; send A01, A03, A04, A08, A11 or A13.",
                header.trigger
            ),
        ));
    };
    let identifiers = identifiers(m, header)?;
    let visit = visit(m, header, event, tz)?;
    Ok(Adt {
        event,
        identifiers,
        visit,
    })
}

fn identifiers(m: &Message, header: &Header) -> Result<Vec<Identifier>, Refusal> {
    let Some(pid) = m.segment("PID") else {
        return Err(Refusal::rejected(
            Condition::SegmentSequence,
            "PID",
            "The message has no PID segment.",
        ));
    };
    let mut found = Vec::new();
    if let Some(field) = pid.field(3) {
        for rep in field.repetitions() {
            let value = rep
                .component(1)
                .map(|c| text(m, c.value()))
                .unwrap_or_default();
            if value.is_empty() {
                continue;
            }
            // CX-4 is a hierarchic designator: its parts are subcomponents.
            let part = |s: usize| {
                rep.component(4)
                    .and_then(|c| c.subcomponent(s))
                    .map(|sc| text(m, sc.value()))
                    .unwrap_or_default()
            };
            let authority = hl7::authority_name(&part(1), &part(2))
                .or_else(|| header.facility_name())
                .ok_or_else(|| {
                    Refusal::rejected(
                        Condition::RequiredFieldMissing,
                        "PID-3",
                        "A PID-3 identifier names no assigning authority (CX-4) and MSH-4 \
                         names no sending facility.",
                    )
                })?;
            found.push(Identifier { authority, value });
        }
    }
    if found.is_empty() {
        return Err(Refusal::rejected(
            Condition::RequiredFieldMissing,
            "PID-3",
            "PID-3 (patient identifier list) has no identifier.",
        ));
    }
    Ok(found)
}

fn visit(m: &Message, header: &Header, event: AdtEvent, tz: Tz) -> Result<Visit, Refusal> {
    let Some(pv1) = m.segment("PV1") else {
        return Err(Refusal::rejected(
            Condition::SegmentSequence,
            "PV1",
            "The message has no PV1 segment.",
        ));
    };
    let component = |field: usize, c: usize| {
        pv1.field(field)
            .and_then(|f| f.repetition(1))
            .and_then(|r| r.component(c))
            .map(|c| text(m, c.value()))
            .unwrap_or_default()
    };
    let subcomponent = |field: usize, c: usize, s: usize| {
        pv1.field(field)
            .and_then(|f| f.repetition(1))
            .and_then(|r| r.component(c))
            .and_then(|c| c.subcomponent(s))
            .map(|s| text(m, s.value()))
            .unwrap_or_default()
    };
    let time = |field: usize| -> Result<Option<DateTime<Utc>>, Refusal> {
        let raw = component(field, 1);
        if raw.is_empty() {
            return Ok(None);
        }
        hl7::read_ts(&raw, &tz).map(Some).map_err(|e| {
            Refusal::rejected(
                Condition::DataType,
                &format!("PV1-{field}"),
                format!("PV1-{field} {e}."),
            )
        })
    };
    let number = component(19, 1);
    if number.is_empty() {
        return Err(Refusal::rejected(
            Condition::RequiredFieldMissing,
            "PV1-19",
            "PV1-19 (visit number) is empty.",
        ));
    }
    let class = component(2, 1);
    let takes_back = matches!(event, AdtEvent::CancelAdmit | AdtEvent::CancelDischarge);
    if class.is_empty() && !takes_back {
        return Err(Refusal::rejected(
            Condition::RequiredFieldMissing,
            "PV1-2",
            "PV1-2 (patient class) is empty.",
        ));
    }
    let nonempty = |s: String| (!s.is_empty()).then_some(s);
    let facility = hl7::authority_name(&subcomponent(3, 4, 1), &subcomponent(3, 4, 2))
        .or_else(|| nonempty(component(39, 1)))
        .or_else(|| header.facility_name());
    Ok(Visit {
        class,
        service: component(10, 1),
        number,
        facility,
        admitted_at: time(44)?,
        discharged_at: time(45)?,
        disposition: nonempty(component(36, 1)).map(|d| hl7::disposition_label(&d)),
    })
}

/// The acknowledgment (original mode) of `header`'s message: MSH addressed
/// back to the sender, MSA with `code`, the original control id and
/// `note` or the refusal's reason, and for a refusal an ERR naming the
/// field and condition (ERR-1 for versions before 2.5, ERR-2..8 after).
pub fn ack(
    header: &Header,
    code: AckCode,
    refusal: Option<&Refusal>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> String {
    let mut b = Builder::with_encoding(header.encoding);
    let control = uuid::Uuid::now_v7().simple().to_string();
    b.segment("MSH")
        .set(3, Value::components(header.receiving_application.clone()))
        .set(4, Value::components(header.receiving_facility.clone()))
        .set(5, Value::components(header.sending_application.clone()))
        .set(6, Value::components(header.sending_facility.clone()))
        .set(7, now.format("%Y%m%d%H%M%S+0000").to_string())
        .set(
            9,
            Value::components(["ACK", header.trigger.as_str(), "ACK"]),
        )
        .set(10, control[control.len() - 20..].to_string())
        .set(
            11,
            if header.processing_id.is_empty() {
                "P"
            } else {
                header.processing_id.as_str()
            },
        )
        .set(
            12,
            if hl7::version_supported(&header.version) {
                header.version.as_str()
            } else {
                "2.5.1"
            },
        );
    let text = refusal.map(|r| r.reason.as_str()).or(note).unwrap_or("");
    b.segment("MSA")
        .set(1, code.code())
        .set(2, header.control_id.as_str())
        .set(3, text);
    if let Some(r) = refusal {
        let (segment, field) = r
            .segment_field()
            .map_or((r.location.clone(), String::new()), |(s, f)| {
                (s.to_string(), f.to_string())
            });
        let sequence = if segment.is_empty() { "" } else { "1" };
        let condition = r.condition.code().to_string();
        let err = b.segment("ERR");
        err.set_component(1, 1, segment.as_str())
            .set_component(1, 2, sequence)
            .set_component(1, 3, field.as_str())
            .set_subcomponent(1, 4, 1, condition.as_str())
            .set_subcomponent(1, 4, 2, r.condition.text())
            .set_subcomponent(1, 4, 3, "HL70357")
            .set(
                2,
                Value::components([segment.as_str(), sequence, field.as_str()]),
            )
            .set(
                3,
                Value::components([condition.as_str(), r.condition.text(), "HL70357"]),
            )
            .set(4, "E")
            .set(8, r.reason.as_str());
    }
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::Los_Angeles;

    const A01: &str = "MSH|^~\\&|EPIC|MERCY^1.2.3^ISO|CAREMGR|RIVERSIDE|202603011430||ADT^A01^ADT_A01|MSG001|P|2.5.1\r\
        EVN|A01|202603011430\r\
        PID|1||12345^^^MERCY^MR~999-88-7777^^^SSA^SS||O'Brien\\T\\Smith^Ana^^^^^L||19800517|F\r\
        PV1|1|I|4W^401^A^Mercy \\T\\ Sons Hospital|||||||PSY|||||||||V-100|||||||||||||||||01||||||||202603011430-0500|202603051000\r";

    fn read_ok(body: &str) -> (Header, Result<Adt, Refusal>) {
        read(body.as_bytes(), Los_Angeles)
    }

    #[test]
    fn an_admission_reads_its_identifiers_visit_and_times() {
        let (header, adt) = read_ok(A01);
        assert_eq!(header.sender(), "EPIC|MERCY^1.2.3^ISO");
        assert_eq!(header.message_type(), "ADT^A01");
        assert_eq!(header.control_id, "MSG001");
        let adt = adt.expect("accepted");
        assert_eq!(adt.event, AdtEvent::Admit);
        assert_eq!(
            adt.identifiers,
            vec![
                Identifier {
                    authority: "MERCY".into(),
                    value: "12345".into()
                },
                Identifier {
                    authority: "SSA".into(),
                    value: "999-88-7777".into()
                },
            ]
        );
        assert_eq!(adt.visit.class, "I");
        assert_eq!(adt.visit.service, "PSY");
        assert_eq!(adt.visit.number, "V-100");
        assert_eq!(adt.visit.facility.as_deref(), Some("Mercy & Sons Hospital"));
        assert_eq!(
            adt.visit.admitted_at,
            Some("2026-03-01T19:30:00Z".parse().unwrap())
        );
        // No offset: the organization's wall clock (PST, UTC-8).
        assert_eq!(
            adt.visit.discharged_at,
            Some("2026-03-05T18:00:00Z".parse().unwrap())
        );
        assert_eq!(
            adt.visit.disposition.as_deref(),
            Some("home or self care (01)")
        );
    }

    #[test]
    fn line_feeds_and_crlf_end_segments_too() {
        for ending in ["\n", "\r\n"] {
            let (_, adt) = read_ok(&A01.replace('\r', ending));
            assert_eq!(adt.expect("accepted").visit.number, "V-100");
        }
    }

    #[test]
    fn without_an_assigning_authority_the_sending_facility_names_the_system() {
        let body = A01.replace("12345^^^MERCY^MR~999-88-7777^^^SSA^SS", "12345");
        let adt = read_ok(&body).1.expect("accepted");
        assert_eq!(adt.identifiers[0].authority, "MERCY");
    }

    #[test]
    fn other_delimiters_are_read_and_answered_in_kind() {
        let body = A01
            .replace('|', "#")
            .replace("#^~\\&#", "#!*?%#")
            .replace('^', "!")
            .replace('~', "*")
            .replace("\\T\\", "?T?");
        let (header, adt) = read_ok(&body);
        let adt = adt.expect("accepted");
        assert_eq!(adt.identifiers.len(), 2);
        // `?T?` is this message's subcomponent separator, `%`.
        assert_eq!(adt.visit.facility.as_deref(), Some("Mercy % Sons Hospital"));
        let ack = ack(&header, AckCode::Accept, None, None, Utc::now());
        assert!(
            ack.starts_with("MSH#!*?%#CAREMGR#RIVERSIDE#EPIC#MERCY!1.2.3!ISO#"),
            "{ack}"
        );
        assert!(ack.contains("\rMSA#AA#MSG001#"), "{ack}");
    }

    #[test]
    fn what_cannot_be_read_is_refused_with_the_field_at_fault() {
        let cases = [
            (A01.replace("ADT^A01^ADT_A01", "ADT^A02"), "MSH-9", 201),
            (A01.replace("ADT^A01^ADT_A01", "ORU^R01"), "MSH-9", 200),
            (A01.replace("|MSG001|", "||"), "MSH-10", 101),
            (A01.replace("|2.5.1", "|2.1"), "MSH-12", 203),
            (A01.replace("|MSG001|P|", "|MSG001|T|"), "MSH-11", 202),
            (A01.replace("V-100", ""), "PV1-19", 101),
            (A01.replace("|1|I|", "|1||"), "PV1-2", 101),
            (
                A01.replace("202603011430-0500", "2026-03-01"),
                "PV1-44",
                102,
            ),
            (
                A01.replace("12345^^^MERCY^MR~999-88-7777^^^SSA^SS", ""),
                "PID-3",
                101,
            ),
        ];
        for (body, location, condition) in cases {
            let refusal = read_ok(&body).1.expect_err(location);
            assert_eq!(refusal.ack, AckCode::Reject, "{location}");
            assert_eq!(refusal.location, location);
            assert_eq!(refusal.condition.code(), condition, "{location}");
        }
        let no_pv1: String = A01
            .split('\r')
            .filter(|s| !s.starts_with("PV1"))
            .collect::<Vec<_>>()
            .join("\r");
        assert_eq!(read_ok(&no_pv1).1.unwrap_err().location, "PV1");
    }

    #[test]
    fn a_body_without_an_msh_is_refused_under_the_standard_delimiters() {
        for body in [
            "",
            "   ",
            "hello",
            "PID|1||123",
            "{\"a\":1}",
            "MSH",
            "\u{0}",
        ] {
            let (header, adt) = read_ok(body);
            assert_eq!(adt.unwrap_err().ack, AckCode::Reject, "{body:?}");
            let text = ack(&header, AckCode::Reject, None, None, Utc::now());
            assert!(text.starts_with("MSH|^~\\&|"), "{text:?}");
            assert!(text.contains("\rMSA|AR||"), "{text:?}");
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_or_hex_escapes_around_non_ascii_are_refused_not_a_panic() {
        let mut latin1 = A01.as_bytes().to_vec();
        latin1.extend_from_slice(b"NTE|1||Jos\xe9\r");
        let (header, adt) = read(&latin1, Los_Angeles);
        assert_eq!(
            header.control_id, "MSG001",
            "answered in the sender's terms"
        );
        assert_eq!(adt.unwrap_err().ack, AckCode::Reject);
        let hex = A01.replace("Ana", "\\XaÉb\\");
        assert_eq!(read_ok(&hex).1.unwrap_err().ack, AckCode::Reject);
        let garbled_segment = format!("{A01}X|1\r");
        assert_eq!(
            read_ok(&garbled_segment).1.unwrap_err().condition,
            Condition::SegmentSequence
        );
    }

    #[test]
    fn an_error_ack_names_the_field_and_condition_and_escapes_the_text() {
        let (header, _) = read_ok(A01);
        let refusal =
            Refusal::not_applied(Condition::UnknownKey, "PID-3", "No patient matches | or ^.");
        let text = ack(&header, AckCode::Error, Some(&refusal), None, Utc::now());
        let parsed = Message::parse(text.as_str()).expect("the ACK parses");
        assert_eq!(parsed.get("MSA-1"), Some("AE"));
        assert_eq!(parsed.get("MSA-2"), Some("MSG001"));
        assert_eq!(
            parsed.get_decoded("MSA-3").as_deref(),
            Some("No patient matches | or ^.")
        );
        assert_eq!(parsed.get("ERR-2"), Some("PID^1^3"));
        assert_eq!(parsed.get("ERR-3.1"), Some("204"));
        assert_eq!(parsed.get("ERR-1.4.1"), Some("204"));
        assert_eq!(parsed.get("MSH-9"), Some("ACK^A01^ACK"));
        assert_eq!(parsed.get("MSH-5"), Some("EPIC"));
    }
}
