//! Patients [FHIR Patient]: demographics, contact, insurance, identifiers,
//! case status and the primary care manager.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use crate::case_status::CaseStatus;
use crate::ids::{PatientId, UserId};
use crate::patch::Patch;
use crate::risk::RiskLevel;
use crate::validation::{Context, Normalize, invalid, trimmed, trimmed_patch};

code_enum! {
    /// Administrative sex, as FHIR codes it.
    #[derive(Default)]
    pub enum Sex {
        /// Female.
        Female,
        /// Male.
        Male,
        /// Other.
        Other,
        /// Not known or not recorded.
        #[default]
        Unknown,
    }
}

impl Sex {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Sex::Female => "Female",
            Sex::Male => "Male",
            Sex::Other => "Other",
            Sex::Unknown => "Unknown",
        }
    }
}

/// A postal address; every part is optional because real records are partial
/// (people without a fixed address are part of every caseload).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    /// Street address.
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub line1: Option<String>,
    /// Apartment, suite, unit.
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub line2: Option<String>,
    /// City.
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub city: Option<String>,
    /// USPS state code, e.g. `OR`.
    #[validate(custom(function = "crate::validation::us_state"))]
    #[cfg_attr(feature = "openapi", schema(format = "us-state"))]
    pub state: Option<String>,
    /// ZIP code.
    #[validate(custom(function = "crate::validation::postal_code"))]
    #[cfg_attr(feature = "openapi", schema(format = "postal-code"))]
    pub postal_code: Option<String>,
}

impl Address {
    /// Trimmed, the state upper-cased; `None` when nothing is left.
    pub fn normalized(self) -> Option<Address> {
        let a = Address {
            line1: trimmed(self.line1),
            line2: trimmed(self.line2),
            city: trimmed(self.city),
            state: trimmed(self.state).map(|s| s.to_ascii_uppercase()),
            postal_code: trimmed(self.postal_code),
        };
        (a != Address::default()).then_some(a)
    }

    /// One line for people: "12 Oak St, Apt 4, Salem, OR 97301".
    pub fn one_line(&self) -> String {
        let state_zip = [self.state.as_deref(), self.postal_code.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        [
            self.line1.as_deref(),
            self.line2.as_deref(),
            self.city.as_deref(),
            (!state_zip.is_empty()).then_some(state_zip.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Health coverage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Insurance {
    /// Payer or plan name.
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub payer: Option<String>,
    /// Member id on the card.
    #[validate(length(max = 64, message = "must be at most 64 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub member_id: Option<String>,
    /// Whether the coverage is Medicaid.
    #[serde(default)]
    pub medicaid: bool,
}

impl Insurance {
    fn normalized(self) -> Option<Insurance> {
        let i = Insurance {
            payer: trimmed(self.payer),
            member_id: trimmed(self.member_id),
            medicaid: self.medicaid,
        };
        (i != Insurance::default()).then_some(i)
    }
}

/// An identifier another system gave the patient (an EHR's MRN, a Medicaid id …).
/// A `(system, value)` pair is unique within an organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"system": "urn:oid:2.16.840.1.113883.3.1234", "value": "MRN-004211"})))]
pub struct Identifier {
    /// The namespace: a URI or OID naming the issuing system.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub system: String,
    /// The identifier within that system.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub value: String,
}

/// Most identifiers a patient may carry.
pub const MAX_IDENTIFIERS: usize = 20;
/// Earliest birth date accepted.
pub const EARLIEST_BIRTH_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();

/// A patient as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Patient {
    /// Patient id.
    pub id: PatientId,
    /// Given (first) name.
    pub given_name: String,
    /// Family (last) name.
    pub family_name: String,
    /// The name the person goes by.
    pub preferred_name: Option<String>,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Administrative sex.
    pub sex: Sex,
    /// Phone number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<Address>,
    /// BCP 47 tag of the preferred language.
    pub preferred_language: String,
    /// Whether an interpreter is needed.
    pub interpreter_needed: bool,
    /// Health coverage.
    pub insurance: Option<Insurance>,
    /// Identifiers from other systems.
    pub identifiers: Vec<Identifier>,
    /// Case status.
    pub status: CaseStatus,
    /// Why the case got its current status (closure reason, say).
    pub status_reason: Option<String>,
    /// The care manager responsible for this patient.
    pub primary_care_manager_id: Option<UserId>,
    /// The risk level in force: computed from the risk factors (`GET
    /// /api/v1/patients/{id}/risk` says which), or a manual override while
    /// it lasts.
    pub risk_level: RiskLevel,
    /// Version for optimistic concurrency (also the `ETag`).
    pub version: i32,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl Patient {
    /// "Family, Given" with the preferred name in quotes when there is one.
    pub fn display_name(&self) -> String {
        display_name(
            &self.given_name,
            &self.family_name,
            self.preferred_name.as_deref(),
        )
    }
}

/// "Family, Given" with the preferred name in quotes when there is one.
pub fn display_name(given: &str, family: &str, preferred: Option<&str>) -> String {
    match preferred {
        Some(p) if !p.is_empty() && p != given => format!("{family}, {given} \u{201c}{p}\u{201d}"),
        _ => format!("{family}, {given}"),
    }
}

/// Age in whole years on `today`.
pub fn age_on(birth_date: NaiveDate, today: NaiveDate) -> u32 {
    let mut age = today.year() - birth_date.year();
    if (today.month(), today.day()) < (birth_date.month(), birth_date.day()) {
        age -= 1;
    }
    u32::try_from(age).unwrap_or(0)
}

/// `POST /api/v1/patients`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "given_name": "Maria", "family_name": "Lopez", "birth_date": "1984-03-12", "sex": "female",
    "phone": "503-555-0142", "preferred_language": "es", "interpreter_needed": true,
    "address": {"line1": "12 Oak St", "city": "Salem", "state": "OR", "postal_code": "97301"},
    "insurance": {"payer": "Oregon Health Plan", "member_id": "OHP123456", "medicaid": true},
    "identifiers": [{"system": "urn:ehr:riverside:mrn", "value": "MRN-004211"}]
})))]
pub struct NewPatient {
    /// Given (first) name.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub given_name: String,
    /// Family (last) name.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub family_name: String,
    /// The name the person goes by.
    #[serde(default)]
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub preferred_name: Option<String>,
    /// Date of birth (not in the future, not before 1900).
    #[validate(custom(function = "birth_date_rule", use_context))]
    pub birth_date: NaiveDate,
    /// Administrative sex.
    #[serde(default)]
    pub sex: Sex,
    /// Phone number.
    #[serde(default)]
    #[validate(custom(function = "crate::validation::phone"))]
    #[cfg_attr(feature = "openapi", schema(format = "phone"))]
    pub phone: Option<String>,
    /// Email address.
    #[serde(default)]
    #[validate(custom(function = "crate::validation::email"))]
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub email: Option<String>,
    /// Postal address.
    #[serde(default)]
    #[validate(nested)]
    pub address: Option<Address>,
    /// BCP 47 tag of the preferred language; `en` when omitted.
    #[serde(default)]
    #[validate(custom(function = "crate::validation::language_tag"))]
    #[cfg_attr(feature = "openapi", schema(format = "language-tag"))]
    pub preferred_language: Option<String>,
    /// Whether an interpreter is needed.
    #[serde(default)]
    pub interpreter_needed: bool,
    /// Health coverage.
    #[serde(default)]
    #[validate(nested)]
    pub insurance: Option<Insurance>,
    /// Identifiers from other systems.
    #[serde(default)]
    #[validate(
        nested,
        length(max = 20, message = "must list at most 20 identifiers"),
        custom(function = "identifiers_unique")
    )]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub identifiers: Vec<Identifier>,
    /// Initial case status; `referred` when omitted. A case cannot start closed.
    #[serde(default)]
    #[validate(custom(function = "initial_status"))]
    pub status: Option<CaseStatus>,
    /// The responsible care manager (supervisors and admins choose; a care
    /// manager who creates a patient becomes its care manager).
    #[serde(default)]
    pub primary_care_manager_id: Option<UserId>,
    /// The level a clinician or the EHR assessed; `low` when omitted. It
    /// is one risk factor (its level's floor): the level read back is
    /// computed from all of them.
    #[serde(default)]
    pub risk_level: Option<RiskLevel>,
}

impl NewPatient {
    /// The record registering this (valid) patient creates: the initial
    /// status `referred` and risk `low` unless given, English unless
    /// another language is, and the care manager the caller's role allows.
    pub fn into_patient(
        self,
        id: PatientId,
        care_manager: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Patient {
        Patient {
            id,
            given_name: self.given_name,
            family_name: self.family_name,
            preferred_name: self.preferred_name,
            birth_date: self.birth_date,
            sex: self.sex,
            phone: self.phone,
            email: self.email,
            address: self.address,
            preferred_language: self.preferred_language.unwrap_or_else(|| "en".into()),
            interpreter_needed: self.interpreter_needed,
            insurance: self.insurance,
            identifiers: self.identifiers,
            status: self.status.unwrap_or_default(),
            status_reason: None,
            primary_care_manager_id: care_manager,
            risk_level: self.risk_level.unwrap_or_default(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

impl Normalize for NewPatient {
    /// Whitespace trimmed, empty strings dropped, codes upper-cased.
    fn normalized(self) -> NewPatient {
        NewPatient {
            given_name: self.given_name.trim().to_string(),
            family_name: self.family_name.trim().to_string(),
            preferred_name: trimmed(self.preferred_name),
            phone: trimmed(self.phone),
            email: trimmed(self.email),
            address: self.address.and_then(Address::normalized),
            preferred_language: trimmed(self.preferred_language),
            insurance: self.insurance.and_then(Insurance::normalized),
            identifiers: normalized_identifiers(self.identifiers),
            ..self
        }
    }
}

/// `PATCH /api/v1/patients/{id}`: a JSON merge patch. Omitted fields stay as
/// they are; `null` clears an optional field. `identifiers`, when present,
/// replaces the whole list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"phone": "503-555-0199", "preferred_name": null, "version": 3})))]
pub struct PatientPatch {
    /// Given (first) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub given_name: Option<String>,
    /// Family (last) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub family_name: Option<String>,
    /// The name the person goes by; `null` clears it.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 100))]
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    pub preferred_name: Patch<String>,
    /// Date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "birth_date_rule", use_context))]
    pub birth_date: Option<NaiveDate>,
    /// Administrative sex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Phone number; `null` clears it.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "phone"))]
    #[validate(custom(function = "crate::validation::patched::phone"))]
    pub phone: Patch<String>,
    /// Email address; `null` clears it.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "email"))]
    #[validate(custom(function = "crate::validation::patched::email"))]
    pub email: Patch<String>,
    /// Postal address (replaced as a whole); `null` clears it.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Address>))]
    #[validate(nested)]
    pub address: Patch<Address>,
    /// BCP 47 tag of the preferred language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "crate::validation::language_tag"))]
    #[cfg_attr(feature = "openapi", schema(format = "language-tag"))]
    pub preferred_language: Option<String>,
    /// Whether an interpreter is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter_needed: Option<bool>,
    /// Health coverage (replaced as a whole); `null` clears it.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Insurance>))]
    #[validate(nested)]
    pub insurance: Patch<Insurance>,
    /// Identifiers from other systems (replaces the whole list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        nested,
        length(max = 20, message = "must list at most 20 identifiers"),
        custom(function = "identifiers_unique")
    )]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub identifiers: Option<Vec<Identifier>>,
    /// The responsible care manager (supervisors and admins only); `null` unassigns.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub primary_care_manager_id: Patch<UserId>,
    /// The level a clinician or the EHR assessed: one risk factor (its
    /// level's floor); the level read back is computed from all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_level: Option<RiskLevel>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

impl Normalize for PatientPatch {
    /// Whitespace trimmed; a blank optional string clears the field.
    fn normalized(self) -> PatientPatch {
        PatientPatch {
            given_name: self.given_name.map(|s| s.trim().to_string()),
            family_name: self.family_name.map(|s| s.trim().to_string()),
            preferred_name: trimmed_patch(self.preferred_name),
            phone: trimmed_patch(self.phone),
            email: trimmed_patch(self.email),
            address: self.address.and_then(Address::normalized),
            preferred_language: trimmed(self.preferred_language),
            insurance: self.insurance.and_then(Insurance::normalized),
            identifiers: self.identifiers.map(normalized_identifiers),
            ..self
        }
    }
}

impl PatientPatch {
    /// The names of the fields the patch changes (for the audit trail).
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("given_name", self.given_name.is_some()),
            ("family_name", self.family_name.is_some()),
            ("preferred_name", self.preferred_name.is_present()),
            ("birth_date", self.birth_date.is_some()),
            ("sex", self.sex.is_some()),
            ("phone", self.phone.is_present()),
            ("email", self.email.is_present()),
            ("address", self.address.is_present()),
            ("preferred_language", self.preferred_language.is_some()),
            ("interpreter_needed", self.interpreter_needed.is_some()),
            ("insurance", self.insurance.is_present()),
            ("identifiers", self.identifiers.is_some()),
            (
                "primary_care_manager_id",
                self.primary_care_manager_id.is_present(),
            ),
            ("risk_level", self.risk_level.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
    }

    /// Whether the patch changes nothing but (maybe) names a version.
    pub fn is_empty(&self) -> bool {
        self.changed_fields().is_empty()
    }

    /// `patient` as the patch leaves it: omitted fields stay, `null` clears.
    pub fn apply_to(self, patient: &mut Patient) {
        fn set<T>(field: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *field = v;
            }
        }
        set(&mut patient.given_name, self.given_name);
        set(&mut patient.family_name, self.family_name);
        self.preferred_name.apply_to(&mut patient.preferred_name);
        set(&mut patient.birth_date, self.birth_date);
        set(&mut patient.sex, self.sex);
        self.phone.apply_to(&mut patient.phone);
        self.email.apply_to(&mut patient.email);
        self.address.apply_to(&mut patient.address);
        set(&mut patient.preferred_language, self.preferred_language);
        set(&mut patient.interpreter_needed, self.interpreter_needed);
        self.insurance.apply_to(&mut patient.insurance);
        set(&mut patient.identifiers, self.identifiers);
        self.primary_care_manager_id
            .apply_to(&mut patient.primary_care_manager_id);
        set(&mut patient.risk_level, self.risk_level);
    }
}

/// Filters for `GET /api/v1/patients`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PatientListQuery {
    /// Name prefix ("smi", "maria lo" = given then family) or an exact identifier value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Only patients with this case status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CaseStatus>,
    /// Only patients of this primary care manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_manager_id: Option<UserId>,
    /// Only patients at this risk level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_level: Option<RiskLevel>,
}

fn normalized_identifiers(ids: Vec<Identifier>) -> Vec<Identifier> {
    ids.into_iter()
        .map(|i| Identifier {
            system: i.system.trim().to_string(),
            value: i.value.trim().to_string(),
        })
        .collect()
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "validator hands a custom rule its field by reference"
)]
fn birth_date_rule(birth_date: &NaiveDate, ctx: &Context) -> Result<(), ValidationError> {
    crate::validation::not_after_today(birth_date, ctx)?;
    if *birth_date < EARLIEST_BIRTH_DATE {
        return Err(invalid("too_early", "must be in 1900 or later"));
    }
    Ok(())
}

fn identifiers_unique(ids: &[Identifier]) -> Result<(), ValidationError> {
    let mut seen = std::collections::HashSet::new();
    if ids
        .iter()
        .all(|i| seen.insert((i.system.as_str(), i.value.as_str())))
    {
        Ok(())
    } else {
        Err(invalid(
            "duplicate",
            "lists the same system and value twice",
        ))
    }
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "validator hands a custom rule its field by reference"
)]
fn initial_status(status: &CaseStatus) -> Result<(), ValidationError> {
    if status.valid_initial() {
        Ok(())
    } else {
        Err(invalid("initial_status", "a new case cannot start closed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::check;
    use uuid::Uuid;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn ctx_on(today: NaiveDate) -> Context {
        Context {
            now: today.and_hms_opt(12, 0, 0).unwrap().and_utc(),
            today,
        }
    }

    fn valid() -> NewPatient {
        NewPatient {
            given_name: "Maria".into(),
            family_name: "Lopez".into(),
            birth_date: NaiveDate::from_ymd_opt(1984, 3, 12).unwrap(),
            sex: Sex::Female,
            ..Default::default()
        }
    }

    /// The fields that fail when the body is checked on `today()`.
    fn fields<T>(raw: T) -> Vec<String>
    where
        T: Normalize + for<'a> validator::ValidateArgs<'a, Args = &'a Context>,
    {
        check(raw, &ctx_on(today()))
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_patient_with_names_and_a_birth_date_is_valid() {
        assert!(fields(valid()).is_empty());
    }

    #[test]
    fn blank_names_are_rejected_with_their_field_names() {
        let p = NewPatient {
            given_name: " ".into(),
            family_name: String::new(),
            ..valid()
        };
        assert_eq!(fields(p), vec!["family_name", "given_name"]);
    }

    #[test]
    fn a_birth_date_after_today_is_rejected_but_today_is_fine() {
        let born_tomorrow = NewPatient {
            birth_date: today().succ_opt().unwrap(),
            ..valid()
        };
        assert_eq!(fields(born_tomorrow), vec!["birth_date"]);
        let born_today = NewPatient {
            birth_date: today(),
            ..valid()
        };
        assert!(fields(born_today).is_empty());
    }

    #[test]
    fn a_birth_date_before_1900_is_rejected() {
        let p = NewPatient {
            birth_date: NaiveDate::from_ymd_opt(1899, 12, 31).unwrap(),
            ..valid()
        };
        assert_eq!(fields(p), vec!["birth_date"]);
    }

    #[test]
    fn nested_address_and_identifier_errors_name_their_paths() {
        let p = NewPatient {
            address: Some(Address {
                state: Some("ZZ".into()),
                postal_code: Some("123".into()),
                ..Default::default()
            }),
            identifiers: vec![
                Identifier {
                    system: "urn:mrn".into(),
                    value: "1".into(),
                },
                Identifier {
                    system: "urn:mrn".into(),
                    value: " ".into(),
                },
            ],
            email: Some("not-an-email".into()),
            phone: Some("abc".into()),
            ..valid()
        };
        assert_eq!(
            fields(p),
            vec![
                "address.postal_code",
                "address.state",
                "email",
                "identifiers[1].value",
                "phone"
            ]
        );
    }

    #[test]
    fn the_same_identifier_twice_is_rejected() {
        let id = Identifier {
            system: "urn:mrn".into(),
            value: "42".into(),
        };
        let p = NewPatient {
            identifiers: vec![id.clone(), id],
            ..valid()
        };
        assert_eq!(fields(p), vec!["identifiers"]);
    }

    #[test]
    fn a_new_case_cannot_start_closed() {
        let p = NewPatient {
            status: Some(CaseStatus::Closed),
            ..valid()
        };
        assert_eq!(fields(p), vec!["status"]);
    }

    #[test]
    fn normalizing_trims_drops_empty_parts_and_upper_cases_the_state() {
        let p = NewPatient {
            given_name: "  Maria ".into(),
            preferred_name: Some("   ".into()),
            address: Some(Address {
                state: Some(" or ".into()),
                ..Default::default()
            }),
            insurance: Some(Insurance::default()),
            identifiers: vec![Identifier {
                system: " urn:mrn ".into(),
                value: " 7 ".into(),
            }],
            ..valid()
        }
        .normalized();
        assert_eq!(p.given_name, "Maria");
        assert_eq!(p.preferred_name, None);
        assert_eq!(p.address.unwrap().state.as_deref(), Some("OR"));
        assert_eq!(p.insurance, None);
        assert_eq!(p.identifiers[0].value, "7");
    }

    #[test]
    fn a_patch_tells_absent_fields_from_fields_set_to_null() {
        let patch: PatientPatch =
            serde_json::from_str(r#"{"phone": null, "given_name": "Ana", "version": 2}"#).unwrap();
        assert_eq!(patch.phone, Patch::Null);
        assert_eq!(patch.email, Patch::Absent);
        assert_eq!(patch.given_name.as_deref(), Some("Ana"));
        assert!(!patch.is_empty());
        let empty: PatientPatch = serde_json::from_str(r#"{"version": 2}"#).unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn a_patch_validates_only_what_it_changes() {
        let patch = PatientPatch {
            phone: Patch::Null,
            ..Default::default()
        };
        assert!(fields(patch).is_empty());
        let bad = PatientPatch {
            given_name: Some(String::new()),
            birth_date: Some(today().succ_opt().unwrap()),
            phone: Patch::Value("x".into()),
            ..Default::default()
        };
        assert_eq!(fields(bad), vec!["birth_date", "given_name", "phone"]);
    }

    #[test]
    fn applying_a_patch_sets_and_clears_fields() {
        let mut patient = Patient {
            id: PatientId::from(Uuid::nil()),
            given_name: "Maria".into(),
            family_name: "Lopez".into(),
            preferred_name: Some("Mari".into()),
            birth_date: NaiveDate::from_ymd_opt(1984, 3, 12).unwrap(),
            sex: Sex::Female,
            phone: Some("503-555-0100".into()),
            email: None,
            address: None,
            preferred_language: "es".into(),
            interpreter_needed: true,
            insurance: None,
            identifiers: vec![],
            status: CaseStatus::Active,
            status_reason: None,
            primary_care_manager_id: None,
            risk_level: RiskLevel::Low,
            version: 1,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        };
        PatientPatch {
            preferred_name: Patch::Null,
            phone: Patch::Value("503-555-0199".into()),
            risk_level: Some(RiskLevel::High),
            ..Default::default()
        }
        .apply_to(&mut patient);
        assert_eq!(patient.preferred_name, None);
        assert_eq!(patient.phone.as_deref(), Some("503-555-0199"));
        assert_eq!(patient.risk_level, RiskLevel::High);
        assert_eq!(patient.given_name, "Maria");
    }

    #[test]
    fn display_names_put_the_family_name_first_and_quote_a_different_preferred_name() {
        assert_eq!(
            display_name("Robert", "Nguyen", Some("Bobby")),
            "Nguyen, Robert \u{201c}Bobby\u{201d}"
        );
        assert_eq!(display_name("Ana", "Ruiz", Some("Ana")), "Ruiz, Ana");
        assert_eq!(display_name("Ana", "Ruiz", None), "Ruiz, Ana");
    }

    #[test]
    fn age_counts_completed_years() {
        let born = NaiveDate::from_ymd_opt(1984, 11, 24).unwrap();
        assert_eq!(age_on(born, today()), 41);
        assert_eq!(age_on(born, today().succ_opt().unwrap()), 42);
    }

    #[test]
    fn an_address_reads_as_one_line() {
        let a = Address {
            line1: Some("12 Oak St".into()),
            line2: None,
            city: Some("Salem".into()),
            state: Some("OR".into()),
            postal_code: Some("97301".into()),
        };
        assert_eq!(a.one_line(), "12 Oak St, Salem, OR 97301");
    }
}
