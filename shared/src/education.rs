//! Patient education: what was taught, to whom, how, in which language,
//! and whether it was understood. A record is a fact of the past: it is
//! never edited (there is no update), so its version is always 1.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::ids::{PatientId, UserId};
use crate::validation::{Context, Normalize, invalid_at, trimmed};

code_enum! {
    /// What the education was about.
    pub enum EducationTopic {
        /// A condition: what it is, what to expect.
        Condition,
        /// A medication: dose, effects, side effects.
        Medication,
        /// Self-management skills.
        SelfManagement,
        /// The crisis and safety plan.
        CrisisSafetyPlan,
        /// Benefits and entitlements (SNAP, Medicaid …).
        Benefits,
        /// Nutrition.
        Nutrition,
        /// Substance use.
        SubstanceUse,
        /// Anything else (the title says what).
        Other,
    }
}

impl EducationTopic {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            EducationTopic::Condition => "Condition",
            EducationTopic::Medication => "Medication",
            EducationTopic::SelfManagement => "Self-management",
            EducationTopic::CrisisSafetyPlan => "Crisis and safety plan",
            EducationTopic::Benefits => "Benefits",
            EducationTopic::Nutrition => "Nutrition",
            EducationTopic::SubstanceUse => "Substance use",
            EducationTopic::Other => "Other",
        }
    }
}

code_enum! {
    /// Who was taught.
    pub enum EducationAudience {
        /// The patient.
        Patient,
        /// One of the patient's contacts (family, friend, caregiver).
        Contact,
    }
}

impl EducationAudience {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            EducationAudience::Patient => "Patient",
            EducationAudience::Contact => "Contact",
        }
    }
}

code_enum! {
    /// How it was taught.
    pub enum EducationMethod {
        /// Spoken.
        Verbal,
        /// Written material.
        Written,
        /// A video.
        Video,
        /// Teach-back: the learner explains it back.
        TeachBack,
        /// Shown by doing.
        Demonstration,
    }
}

impl EducationMethod {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            EducationMethod::Verbal => "Verbal",
            EducationMethod::Written => "Written",
            EducationMethod::Video => "Video",
            EducationMethod::TeachBack => "Teach-back",
            EducationMethod::Demonstration => "Demonstration",
        }
    }
}

code_enum! {
    /// How well it was understood.
    pub enum Understanding {
        /// The learner explained it back correctly.
        ConfirmedTeachBack,
        /// It needs to be taught again.
        NeedsReinforcement,
        /// Not checked.
        NotAssessed,
    }
}

impl Understanding {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Understanding::ConfirmedTeachBack => "Confirmed by teach-back",
            Understanding::NeedsReinforcement => "Needs reinforcement",
            Understanding::NotAssessed => "Not assessed",
        }
    }
}

/// An education record as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EducationRecord {
    /// Record id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// What it was about.
    pub topic: EducationTopic,
    /// A short title ("Taking sertraline").
    pub title: String,
    /// Who was taught.
    pub audience: EducationAudience,
    /// The contact taught, when the audience is a contact.
    pub contact_id: Option<Uuid>,
    /// How.
    pub method: EducationMethod,
    /// Materials given or used.
    pub materials: Option<String>,
    /// How well it was understood.
    pub understanding: Understanding,
    /// BCP 47 tag of the language it was given in.
    pub language: String,
    /// Whether an interpreter was used.
    pub interpreter_used: bool,
    /// When it was given.
    pub provided_at: DateTime<Utc>,
    /// Who gave it (none for an API key).
    pub provided_by: Option<UserId>,
    /// When recorded.
    pub created_at: DateTime<Utc>,
    /// Records are never edited; always 1 (the `ETag`).
    pub version: i32,
}

/// `POST /api/v1/patients/{id}/education`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[validate(schema(function = "contact_matches_audience", skip_on_field_errors = false))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "topic": "medication", "title": "Taking sertraline", "audience": "patient",
    "method": "teach_back", "materials": "Sertraline handout (Spanish)",
    "understanding": "confirmed_teach_back", "language": "es", "interpreter_used": false,
    "provided_at": "2026-03-02T15:00:00Z"
})))]
pub struct NewEducation {
    /// What it was about.
    pub topic: EducationTopic,
    /// A short title ("Taking sertraline").
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub title: String,
    /// Who was taught: `patient`, or `contact` (then give `contact_id`).
    pub audience: EducationAudience,
    /// The contact taught: required when the audience is `contact` (one of
    /// this patient's contacts), and only then.
    #[serde(default)]
    pub contact_id: Option<Uuid>,
    /// How.
    pub method: EducationMethod,
    /// Materials given or used.
    #[serde(default)]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub materials: Option<String>,
    /// How well it was understood.
    pub understanding: Understanding,
    /// BCP 47 tag of the language it was given in; the patient's preferred
    /// language when omitted.
    #[serde(default)]
    #[validate(custom(function = "crate::validation::language_tag"))]
    #[cfg_attr(feature = "openapi", schema(format = "language-tag"))]
    pub language: Option<String>,
    /// Whether an interpreter was used (no when omitted).
    #[serde(default)]
    pub interpreter_used: bool,
    /// When it was given: not in the future (now when omitted).
    #[serde(default)]
    #[validate(custom(function = "crate::validation::not_in_future", use_context))]
    pub provided_at: Option<DateTime<Utc>>,
}

fn contact_matches_audience(e: &NewEducation) -> Result<(), ValidationError> {
    match (e.audience, e.contact_id) {
        (EducationAudience::Contact, None) => Err(invalid_at(
            "contact_id",
            "required",
            "is required when the audience is a contact",
        )),
        (EducationAudience::Patient, Some(_)) => Err(invalid_at(
            "contact_id",
            "not_a_contact_audience",
            "applies only when the audience is a contact",
        )),
        _ => Ok(()),
    }
}

impl Normalize for NewEducation {
    fn normalized(self) -> NewEducation {
        NewEducation {
            title: self.title.trim().to_string(),
            materials: trimmed(self.materials),
            language: trimmed(self.language),
            ..self
        }
    }
}

impl NewEducation {
    /// Record `id`, made of this request for `patient`: given in
    /// `language` (the request's, or else the patient's preferred one), at
    /// `provided_at` (or `now`), by `by`.
    pub fn into_record(
        self,
        id: Uuid,
        patient: PatientId,
        preferred_language: &str,
        by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> EducationRecord {
        EducationRecord {
            id,
            patient_id: patient,
            topic: self.topic,
            title: self.title,
            audience: self.audience,
            contact_id: self.contact_id,
            method: self.method,
            materials: self.materials,
            understanding: self.understanding,
            language: self
                .language
                .unwrap_or_else(|| preferred_language.to_string()),
            interpreter_used: self.interpreter_used,
            provided_at: self.provided_at.unwrap_or(now),
            provided_by: by,
            created_at: now,
            version: 1,
        }
    }
}

/// One line for people about an education record (the timeline's words):
/// "Education: Taking sertraline (teach-back, understanding confirmed by
/// teach-back)".
pub fn summary(title: &str, method: EducationMethod, understanding: Understanding) -> String {
    format!(
        "Education: {title} ({}, understanding {})",
        method.label().to_lowercase(),
        understanding.label().to_lowercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::{Valid, field_errors, test_context};
    use serde_json::json;

    fn body(extra: serde_json::Value) -> NewEducation {
        let mut v = json!({
            "topic": "medication", "title": "  Taking sertraline ", "audience": "patient",
            "method": "teach_back", "understanding": "confirmed_teach_back",
            "provided_at": "2026-03-02T11:00:00Z"
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        serde_json::from_value(v).unwrap()
    }

    fn failing(raw: NewEducation) -> Vec<(String, String)> {
        let errors = Valid::new(raw, &test_context()).unwrap_err();
        field_errors(&errors)
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn education_for_the_patient_is_valid_with_its_title_trimmed() {
        let valid = Valid::new(body(json!({})), &test_context()).unwrap();
        assert_eq!(valid.title, "Taking sertraline");
        assert_eq!(valid.language, None);
        assert!(!valid.interpreter_used);
    }

    #[test]
    fn education_of_a_contact_names_the_contact_and_only_then() {
        let contact = json!("01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e80");
        assert!(
            Valid::new(
                body(json!({"audience": "contact", "contact_id": contact})),
                &test_context()
            )
            .is_ok()
        );
        assert_eq!(
            failing(body(json!({"audience": "contact"}))),
            vec![(
                "contact_id".to_string(),
                "is required when the audience is a contact".to_string()
            )]
        );
        assert_eq!(
            failing(body(json!({"contact_id": contact}))),
            vec![(
                "contact_id".to_string(),
                "applies only when the audience is a contact".to_string()
            )]
        );
    }

    #[test]
    fn education_given_in_the_future_is_refused_but_a_little_clock_drift_is_not() {
        assert_eq!(
            failing(body(json!({"provided_at": "2026-03-02T13:00:00Z"}))),
            vec![(
                "provided_at".to_string(),
                "must not be in the future".to_string()
            )]
        );
        assert!(
            Valid::new(
                body(json!({"provided_at": "2026-03-02T12:03:00Z"})),
                &test_context()
            )
            .is_ok()
        );
    }

    #[test]
    fn a_blank_or_long_title_long_materials_and_a_made_up_language_are_each_refused() {
        let fields: Vec<String> = failing(body(json!({
            "title": "   ", "materials": "x".repeat(1001), "language": "english"
        })))
        .into_iter()
        .map(|(f, _)| f)
        .collect();
        assert_eq!(fields, vec!["language", "materials", "title"]);
        let long: Vec<String> = failing(body(json!({"title": "t".repeat(201)})))
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(long, vec!["title"]);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let v = json!({
            "topic": "other", "title": "x", "audience": "patient", "method": "verbal",
            "understanding": "not_assessed", "score": 3
        });
        assert!(serde_json::from_value::<NewEducation>(v).is_err());
    }

    #[test]
    fn the_record_takes_the_patients_language_when_none_is_given_and_is_version_1() {
        let now: DateTime<Utc> = "2026-03-02T12:00:00Z".parse().unwrap();
        let patient = PatientId::from(Uuid::nil());
        let r =
            body(json!({"provided_at": null})).into_record(Uuid::nil(), patient, "vi", None, now);
        assert_eq!(r.language, "vi");
        assert_eq!(r.provided_at, now);
        assert_eq!(r.version, 1);
        let r =
            body(json!({"language": "es-MX"})).into_record(Uuid::nil(), patient, "vi", None, now);
        assert_eq!(r.language, "es-MX");
    }

    #[test]
    fn the_summary_says_what_how_and_how_well_it_was_understood() {
        assert_eq!(
            summary(
                "Taking sertraline",
                EducationMethod::TeachBack,
                Understanding::ConfirmedTeachBack
            ),
            "Education: Taking sertraline (teach-back, understanding confirmed by teach-back)"
        );
    }

    #[test]
    fn every_code_has_words() {
        use strum::VariantArray;
        let labels = EducationTopic::VARIANTS
            .iter()
            .map(|t| t.label())
            .chain(EducationAudience::VARIANTS.iter().map(|a| a.label()))
            .chain(EducationMethod::VARIANTS.iter().map(|m| m.label()))
            .chain(Understanding::VARIANTS.iter().map(|u| u.label()));
        for label in labels {
            assert!(!label.is_empty());
        }
        assert_eq!(
            EducationTopic::CrisisSafetyPlan.as_ref(),
            "crisis_safety_plan"
        );
        assert_eq!(
            Understanding::ConfirmedTeachBack.as_ref(),
            "confirmed_teach_back"
        );
    }
}
