//! `QuestionnaireResponse` (a screening's answers) and Observation (its
//! score), both under the screening's id, coded with LOINC.
//!
//! LOINC codes (<https://loinc.org>), as `shared::screening::Instrument`
//! keeps them: panels PHQ-9 44249-1, PHQ-2 55757-9, GAD-7 69737-5,
//! AUDIT-C 72109-2, C-SSRS screener 93373-9, AHC HRSN 96777-8; totals
//! PHQ-9 44261-6, PHQ-2 55758-7, GAD-7 70274-6, AUDIT-C 75626-2, DAST-10
//! 82667-7; and PHQ-9 item 9 ("Thoughts that you would be better off dead,
//! or of hurting yourself in some way") 44260-8.

use chrono::{DateTime, Utc};
use fhirbolt::model::r4::resources::{
    Observation, ObservationComponent, ObservationComponentValue, ObservationEffective,
    ObservationValue, QuestionnaireResponse, QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer, QuestionnaireResponseItemAnswerValue,
};
use fhirbolt::model::r4::types::CodeableConcept;
use shared::screening::{AnswerValue, Instrument, Screening};

use super::model::{CAREMGR_SYSTEM, LOINC, coded, date_time, instant, meta, own, reference};

/// PHQ-9 item 9, the suicidal-thoughts question (LOINC 44260-8).
pub const PHQ9_ITEM_9: &str = "44260-8";

/// FHIR's observation categories.
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

/// The questionnaire a screening answers: LOINC's form for its panel, or
/// the care manager's own for DAST-10 (which has no LOINC panel).
pub fn questionnaire_of(instrument: Instrument) -> String {
    match instrument.loinc_panel() {
        Some(panel) => format!("http://loinc.org/q/{panel}"),
        None => format!("{CAREMGR_SYSTEM}:questionnaire:{}", instrument.as_ref()),
    }
}

fn status(s: &Screening) -> &'static str {
    if s.entered_in_error.is_some() {
        "entered-in-error"
    } else {
        "final"
    }
}

/// Items in question order (`"2"` before `"10"`, `"6"` before `"6_recent"`).
fn item_order(key: &str) -> (u32, String) {
    let digits: String = key.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u32::MAX), key.to_string())
}

/// The answers as given, one item per question: a scaled answer as an
/// integer, a yes/no as a boolean, a "check all that apply" as one integer
/// answer per box checked.
pub fn questionnaire_response(s: &Screening, updated: DateTime<Utc>) -> QuestionnaireResponse {
    let int = |n: i64| QuestionnaireResponseItemAnswer {
        value: Some(QuestionnaireResponseItemAnswerValue::Integer(
            i32::try_from(n).unwrap_or(i32::MAX).into(),
        )),
        ..Default::default()
    };
    let mut items: Vec<(&str, &AnswerValue)> = s.answers.iter().collect();
    items.sort_by_key(|(k, _)| item_order(k));
    QuestionnaireResponse {
        id: Some(s.id.to_string().into()),
        meta: meta(Some(s.version), updated),
        questionnaire: Some(questionnaire_of(s.instrument).into()),
        status: if s.entered_in_error.is_some() {
            "entered-in-error"
        } else {
            "completed"
        }
        .into(),
        subject: Some(Box::new(reference("Patient", s.patient_id))),
        authored: Some(date_time(s.administered_at)),
        item: items
            .into_iter()
            .map(|(key, value)| QuestionnaireResponseItem {
                link_id: key.into(),
                answer: match value {
                    AnswerValue::Code(n) => vec![int(*n)],
                    AnswerValue::YesNo(b) => vec![QuestionnaireResponseItemAnswer {
                        value: Some(QuestionnaireResponseItemAnswerValue::Boolean((*b).into())),
                        ..Default::default()
                    }],
                    AnswerValue::Codes(ns) => ns.iter().map(|n| int(*n)).collect(),
                },
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// The LOINC concept a screening's observation is coded with: the total
/// score where the instrument has one, else its panel.
pub fn observation_code(instrument: Instrument) -> CodeableConcept {
    let label = instrument.label();
    match (instrument.loinc_total(), instrument.loinc_panel()) {
        (Some(total), _) => coded(LOINC, total, Some(&format!("{label} total score"))),
        (None, Some(panel)) => coded(LOINC, panel, Some(label)),
        (None, None) => own("instrument", instrument.as_ref()),
    }
}

/// The score: the total as an integer (or, for the C-SSRS and the AHC
/// HRSN, which have none, the result as a code), interpreted by severity
/// and flags; for a PHQ-9 the item 9 answer as a component; derived from
/// the screening's `QuestionnaireResponse`.
pub fn observation(s: &Screening, updated: DateTime<Utc>) -> Observation {
    let severity = own("severity", s.result.severity.as_ref());
    let value = match s.result.total {
        Some(total) if s.instrument.loinc_total().is_some() => {
            Some(ObservationValue::Integer(total.into()))
        }
        _ => Some(ObservationValue::CodeableConcept(Box::new(
            severity.clone(),
        ))),
    };
    let item_9 = match (s.instrument, s.answers.get("9")) {
        (Instrument::Phq9, Some(AnswerValue::Code(n))) => Some(ObservationComponent {
            code: Box::new(coded(
                LOINC,
                PHQ9_ITEM_9,
                Some(
                    "Thoughts that you would be better off dead, or of hurting yourself in some way",
                ),
            )),
            value: Some(ObservationComponentValue::Integer(
                i32::try_from(*n).unwrap_or(i32::MAX).into(),
            )),
            ..Default::default()
        }),
        _ => None,
    };
    Observation {
        id: Some(s.id.to_string().into()),
        meta: meta(Some(s.version), updated),
        status: status(s).into(),
        category: vec![coded(OBSERVATION_CATEGORY, "survey", Some("Survey"))],
        code: Box::new(observation_code(s.instrument)),
        subject: Some(Box::new(reference("Patient", s.patient_id))),
        effective: Some(ObservationEffective::DateTime(date_time(s.administered_at))),
        issued: Some(instant(s.created_at)),
        value,
        interpretation: std::iter::once(severity)
            .chain(s.result.flags.iter().map(|f| own("flag", f.as_ref())))
            .collect(),
        derived_from: vec![reference("QuestionnaireResponse", s.id)],
        component: item_9.into_iter().collect(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(c: &CodeableConcept) -> Option<String> {
        c.coding[0].code.as_ref().and_then(|c| c.value.clone())
    }

    #[test]
    fn observations_are_coded_with_the_loinc_total_or_else_the_panel() {
        assert_eq!(
            code_of(&observation_code(Instrument::Phq9)).as_deref(),
            Some("44261-6")
        );
        assert_eq!(
            code_of(&observation_code(Instrument::Gad7)).as_deref(),
            Some("70274-6")
        );
        assert_eq!(
            code_of(&observation_code(Instrument::Dast10)).as_deref(),
            Some("82667-7")
        );
        assert_eq!(
            code_of(&observation_code(Instrument::Cssrs)).as_deref(),
            Some("93373-9")
        );
    }

    #[test]
    fn questionnaires_are_loinc_forms_where_loinc_has_one() {
        assert_eq!(
            questionnaire_of(Instrument::Phq9),
            "http://loinc.org/q/44249-1"
        );
        assert_eq!(
            questionnaire_of(Instrument::Gad7),
            "http://loinc.org/q/69737-5"
        );
        assert_eq!(
            questionnaire_of(Instrument::Dast10),
            "urn:caremgr:code:questionnaire:dast10"
        );
    }

    #[test]
    fn items_keep_question_order() {
        let mut keys = vec!["10", "2", "6_recent", "6", "1"];
        keys.sort_by_key(|k| item_order(k));
        assert_eq!(keys, ["1", "2", "6", "6_recent", "10"]);
    }
}
