//! The patient form's model, as plain data (the view that shows it is
//! `components::patient_form_view`): what the inputs hold, how that becomes
//! a `NewPatient` or a `PatientPatch` (checked with the shared rules), which
//! fields differ between two versions of a patient, and how unsaved input is
//! carried over onto a newer version after an edit conflict.

use chrono::NaiveDate;
use shared::case_status::CaseStatus;
use shared::ids::UserId;
use shared::patch::Patch;
use shared::patients::{
    Address, EARLIEST_BIRTH_DATE, Identifier, Insurance, NewPatient, Patient, PatientPatch, Sex,
};
use shared::problem::FieldError;
use shared::risk::RiskLevel;
use shared::validation::{Context, Valid, blank_to_none, field_errors};

/// One identifier row; `row` is a stable key for the UI (not sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierRow {
    /// Stable key of the row while the form lives.
    pub row: u32,
    /// Issuing system.
    pub system: String,
    /// The identifier within that system.
    pub value: String,
}

/// Everything the patient form's inputs hold, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientFormModel {
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Preferred name.
    pub preferred_name: String,
    /// Date of birth as `YYYY-MM-DD` (what a date input gives).
    pub birth_date: String,
    /// Administrative sex.
    pub sex: Sex,
    /// Phone.
    pub phone: String,
    /// Email.
    pub email: String,
    /// Street address.
    pub line1: String,
    /// Apartment, suite, unit.
    pub line2: String,
    /// City.
    pub city: String,
    /// State code.
    pub state: String,
    /// ZIP code.
    pub postal_code: String,
    /// BCP 47 language tag.
    pub preferred_language: String,
    /// Whether an interpreter is needed.
    pub interpreter_needed: bool,
    /// Payer.
    pub payer: String,
    /// Member id.
    pub member_id: String,
    /// Medicaid coverage.
    pub medicaid: bool,
    /// Identifiers from other systems.
    pub identifiers: Vec<IdentifierRow>,
    /// Initial case status (new patients only).
    pub status: CaseStatus,
    /// Risk level.
    pub risk_level: RiskLevel,
    /// Primary care manager.
    pub care_manager: Option<UserId>,
    /// The key the next added identifier row gets.
    pub next_row: u32,
}

impl Default for PatientFormModel {
    fn default() -> Self {
        PatientFormModel {
            given_name: String::new(),
            family_name: String::new(),
            preferred_name: String::new(),
            birth_date: String::new(),
            sex: Sex::Unknown,
            phone: String::new(),
            email: String::new(),
            line1: String::new(),
            line2: String::new(),
            city: String::new(),
            state: String::new(),
            postal_code: String::new(),
            preferred_language: "en".into(),
            interpreter_needed: false,
            payer: String::new(),
            member_id: String::new(),
            medicaid: false,
            identifiers: Vec::new(),
            status: CaseStatus::Referred,
            risk_level: RiskLevel::Low,
            care_manager: None,
            next_row: 0,
        }
    }
}

/// A field that differs between two versions of a patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// Field key as the API names it (`phone`, `address` …).
    pub key: &'static str,
    /// Words for people.
    pub label: &'static str,
    /// The value before, as shown to people.
    pub before: String,
    /// The value after.
    pub after: String,
}

/// An optional text as an input holds it (empty for none).
fn text(o: Option<&String>) -> String {
    o.cloned().unwrap_or_default()
}

impl PatientFormModel {
    /// The form filled in from a patient.
    pub fn from_patient(p: &Patient) -> Self {
        let address = p.address.clone().unwrap_or_default();
        let insurance = p.insurance.clone().unwrap_or_default();
        let mut form = PatientFormModel {
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            preferred_name: text(p.preferred_name.as_ref()),
            birth_date: p.birth_date.format("%Y-%m-%d").to_string(),
            sex: p.sex,
            phone: text(p.phone.as_ref()),
            email: text(p.email.as_ref()),
            line1: text(address.line1.as_ref()),
            line2: text(address.line2.as_ref()),
            city: text(address.city.as_ref()),
            state: text(address.state.as_ref()),
            postal_code: text(address.postal_code.as_ref()),
            preferred_language: p.preferred_language.clone(),
            interpreter_needed: p.interpreter_needed,
            payer: text(insurance.payer.as_ref()),
            member_id: text(insurance.member_id.as_ref()),
            medicaid: insurance.medicaid,
            identifiers: Vec::new(),
            status: p.status,
            risk_level: p.risk_level,
            care_manager: p.primary_care_manager_id,
            next_row: 0,
        };
        form.set_identifiers(&p.identifiers);
        form
    }

    fn set_identifiers(&mut self, ids: &[Identifier]) {
        self.identifiers = ids
            .iter()
            .map(|i| {
                let row = self.next_row;
                self.next_row += 1;
                IdentifierRow {
                    row,
                    system: i.system.clone(),
                    value: i.value.clone(),
                }
            })
            .collect();
    }

    /// Adds an empty identifier row; returns its key.
    pub fn add_identifier(&mut self) -> u32 {
        let row = self.next_row;
        self.next_row += 1;
        self.identifiers.push(IdentifierRow {
            row,
            system: String::new(),
            value: String::new(),
        });
        row
    }

    /// Removes the identifier row with key `row`.
    pub fn remove_identifier(&mut self, row: u32) {
        self.identifiers.retain(|r| r.row != row);
    }

    /// The address as the API takes it; nothing when every part is empty.
    pub fn address(&self) -> Option<Address> {
        let a = Address {
            line1: blank_to_none(&self.line1),
            line2: blank_to_none(&self.line2),
            city: blank_to_none(&self.city),
            state: blank_to_none(&self.state).map(|s| s.to_ascii_uppercase()),
            postal_code: blank_to_none(&self.postal_code),
        };
        (a != Address::default()).then_some(a)
    }

    /// The insurance as the API takes it; nothing when it is all empty.
    pub fn insurance(&self) -> Option<Insurance> {
        let i = Insurance {
            payer: blank_to_none(&self.payer),
            member_id: blank_to_none(&self.member_id),
            medicaid: self.medicaid,
        };
        (i != Insurance::default()).then_some(i)
    }

    /// The identifiers, trimmed (empty rows stay, so errors keep their index).
    pub fn identifier_list(&self) -> Vec<Identifier> {
        self.identifiers
            .iter()
            .map(|r| Identifier {
                system: r.system.trim().to_string(),
                value: r.value.trim().to_string(),
            })
            .collect()
    }

    fn parsed_birth_date(&self) -> Result<NaiveDate, FieldError> {
        let s = self.birth_date.trim();
        if s.is_empty() {
            return Err(FieldError::new("birth_date", "is required"));
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| FieldError::new("birth_date", "is not a valid date"))
    }

    /// The `NewPatient` to send (normalized as the API will store it), or
    /// every field error by the shared rules judged on `ctx`. `assign` says
    /// whether to send the chosen care manager.
    pub fn new_patient(&self, ctx: &Context, assign: bool) -> Result<NewPatient, Vec<FieldError>> {
        let birth = self.parsed_birth_date();
        let raw = NewPatient {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            preferred_name: blank_to_none(&self.preferred_name),
            birth_date: *birth.as_ref().unwrap_or(&EARLIEST_BIRTH_DATE),
            sex: self.sex,
            phone: blank_to_none(&self.phone),
            email: blank_to_none(&self.email),
            address: self.address(),
            preferred_language: blank_to_none(&self.preferred_language),
            interpreter_needed: self.interpreter_needed,
            insurance: self.insurance(),
            identifiers: self.identifier_list(),
            status: Some(self.status),
            primary_care_manager_id: if assign { self.care_manager } else { None },
            risk_level: Some(self.risk_level),
        };
        let checked = Valid::new(raw, ctx);
        let mut errors = checked.as_ref().err().map(field_errors).unwrap_or_default();
        if let Err(e) = birth {
            // The placeholder date stood in for an unreadable one: only
            // the reading error is about what the person typed.
            errors.retain(|f| f.field != "birth_date");
            errors.push(e);
        }
        finish(checked.map(Valid::into_inner), errors)
    }

    /// The merge patch that turns `base` into what the form says (only the
    /// fields that differ), or every field error by the shared rules.
    pub fn patch_against(
        &self,
        base: &Patient,
        ctx: &Context,
        assign: bool,
    ) -> Result<PatientPatch, Vec<FieldError>> {
        let mut errors = vec![];
        let mut p = PatientPatch {
            version: Some(base.version),
            ..Default::default()
        };
        let given = self.given_name.trim();
        if given != base.given_name {
            p.given_name = Some(given.to_string());
        }
        let family = self.family_name.trim();
        if family != base.family_name {
            p.family_name = Some(family.to_string());
        }
        macro_rules! clearable {
            ($field:ident) => {
                let v = blank_to_none(&self.$field);
                if v != base.$field {
                    p.$field = Patch::from(v);
                }
            };
        }
        clearable!(preferred_name);
        clearable!(phone);
        clearable!(email);
        match self.parsed_birth_date() {
            Ok(d) if d != base.birth_date => p.birth_date = Some(d),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
        if self.sex != base.sex {
            p.sex = Some(self.sex);
        }
        let address = self.address();
        if address != base.address {
            p.address = Patch::from(address);
        }
        match blank_to_none(&self.preferred_language) {
            Some(l) if l != base.preferred_language => p.preferred_language = Some(l),
            Some(_) => {}
            None => errors.push(FieldError::new("preferred_language", "is required")),
        }
        if self.interpreter_needed != base.interpreter_needed {
            p.interpreter_needed = Some(self.interpreter_needed);
        }
        let insurance = self.insurance();
        if insurance != base.insurance {
            p.insurance = Patch::from(insurance);
        }
        let ids = self.identifier_list();
        if ids != base.identifiers {
            p.identifiers = Some(ids);
        }
        if self.risk_level != base.risk_level {
            p.risk_level = Some(self.risk_level);
        }
        if assign && self.care_manager != base.primary_care_manager_id {
            p.primary_care_manager_id = Patch::from(self.care_manager);
        }
        let checked = Valid::new(p, ctx);
        if let Err(e) = &checked {
            errors.extend(field_errors(e));
        }
        finish(checked.map(Valid::into_inner), errors)
    }

    /// The form with every text trimmed and the state upper-cased, for comparing.
    fn canonical(&self) -> Self {
        let t = |s: &String| s.trim().to_string();
        PatientFormModel {
            given_name: t(&self.given_name),
            family_name: t(&self.family_name),
            preferred_name: t(&self.preferred_name),
            birth_date: t(&self.birth_date),
            phone: t(&self.phone),
            email: t(&self.email),
            line1: t(&self.line1),
            line2: t(&self.line2),
            city: t(&self.city),
            state: self.state.trim().to_ascii_uppercase(),
            postal_code: t(&self.postal_code),
            preferred_language: t(&self.preferred_language),
            payer: t(&self.payer),
            member_id: t(&self.member_id),
            ..self.clone()
        }
    }

    /// Keys (as [`FIELD_KEYS`] names them) of the fields the person changed
    /// relative to `base`.
    pub fn changed_keys(&self, base: &Patient) -> Vec<&'static str> {
        let mine = self.canonical();
        let theirs = PatientFormModel::from_patient(base);
        let mut keys = vec![];
        macro_rules! check {
            ($key:literal: $($field:ident),+) => {
                if $(mine.$field != theirs.$field)||+ {
                    keys.push($key);
                }
            };
        }
        check!("given_name": given_name);
        check!("family_name": family_name);
        check!("preferred_name": preferred_name);
        check!("birth_date": birth_date);
        check!("sex": sex);
        check!("phone": phone);
        check!("email": email);
        check!("address": line1, line2, city, state, postal_code);
        check!("preferred_language": preferred_language);
        check!("interpreter_needed": interpreter_needed);
        check!("insurance": payer, member_id, medicaid);
        if self.identifier_list() != base.identifiers {
            keys.push("identifiers");
        }
        check!("risk_level": risk_level);
        check!("primary_care_manager_id": care_manager);
        keys
    }

    /// Carries this (unsaved) input over onto `latest`: every input the
    /// person changed relative to `old_base` keeps their value; everything
    /// else takes the newer version's value, so saving again does not undo
    /// what someone else saved meanwhile.
    pub fn rebase(&self, old_base: &Patient, latest: &Patient) -> PatientFormModel {
        let mine = self.canonical();
        let old = PatientFormModel::from_patient(old_base);
        let mut out = PatientFormModel::from_patient(latest);
        macro_rules! keep_mine {
            ($($field:ident),+) => {$(
                if mine.$field != old.$field {
                    out.$field = self.$field.clone();
                }
            )+};
        }
        keep_mine!(
            given_name,
            family_name,
            preferred_name,
            birth_date,
            sex,
            phone,
            email,
            line1,
            line2,
            city,
            state,
            postal_code,
            preferred_language,
            interpreter_needed,
            payer,
            member_id,
            medicaid,
            risk_level,
            care_manager
        );
        // Keys must stay unique against rows already on screen.
        out.next_row = self.next_row;
        if self.identifier_list() == old_base.identifiers {
            out.set_identifiers(&latest.identifiers);
        } else {
            out.identifiers.clone_from(&self.identifiers);
        }
        out.status = latest.status;
        out
    }
}

/// The checked value when nothing at all is wrong, else every error, by path.
fn finish<T, E>(checked: Result<T, E>, mut errors: Vec<FieldError>) -> Result<T, Vec<FieldError>> {
    match checked {
        Ok(value) if errors.is_empty() => Ok(value),
        _ => {
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            Err(errors)
        }
    }
}

/// The patient fields people edit, with their labels, in form order.
pub const FIELD_KEYS: &[(&str, &str)] = &[
    ("given_name", "Given name"),
    ("family_name", "Family name"),
    ("preferred_name", "Preferred name"),
    ("birth_date", "Date of birth"),
    ("sex", "Sex"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("address", "Address"),
    ("preferred_language", "Preferred language"),
    ("interpreter_needed", "Interpreter needed"),
    ("insurance", "Insurance"),
    ("identifiers", "Identifiers"),
    ("risk_level", "Risk level"),
    ("primary_care_manager_id", "Care manager"),
    ("status", "Case status"),
];

fn describe(key: &str, p: &Patient, care_manager: &dyn Fn(Option<UserId>) -> String) -> String {
    let or_none = |o: &Option<String>| o.clone().unwrap_or_else(|| "(none)".into());
    match key {
        "given_name" => p.given_name.clone(),
        "family_name" => p.family_name.clone(),
        "preferred_name" => or_none(&p.preferred_name),
        "birth_date" => crate::format::date(p.birth_date),
        "sex" => p.sex.label().into(),
        "phone" => or_none(&p.phone),
        "email" => or_none(&p.email),
        "address" => p
            .address
            .as_ref()
            .map_or_else(|| "(none)".into(), Address::one_line),
        "preferred_language" => p.preferred_language.clone(),
        "interpreter_needed" => crate::format::yes_no(p.interpreter_needed).into(),
        "insurance" => match &p.insurance {
            Some(i) => {
                let mut parts: Vec<String> = [i.payer.clone(), i.member_id.clone()]
                    .into_iter()
                    .flatten()
                    .collect();
                if i.medicaid {
                    parts.push("Medicaid".into());
                }
                parts.join(", ")
            }
            None => "(none)".into(),
        },
        "identifiers" => {
            if p.identifiers.is_empty() {
                "(none)".into()
            } else {
                p.identifiers
                    .iter()
                    .map(|i| i.value.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }
        "risk_level" => p.risk_level.label().into(),
        "primary_care_manager_id" => care_manager(p.primary_care_manager_id),
        "status" => p.status.label().into(),
        _ => String::new(),
    }
}

/// The fields that differ between two versions of a patient, in form order,
/// with both values in words (`care_manager` names a care manager id).
pub fn patient_changes(
    before: &Patient,
    after: &Patient,
    care_manager: &dyn Fn(Option<UserId>) -> String,
) -> Vec<FieldChange> {
    FIELD_KEYS
        .iter()
        .filter_map(|(key, label)| {
            let differs = match *key {
                "given_name" => before.given_name != after.given_name,
                "family_name" => before.family_name != after.family_name,
                "preferred_name" => before.preferred_name != after.preferred_name,
                "birth_date" => before.birth_date != after.birth_date,
                "sex" => before.sex != after.sex,
                "phone" => before.phone != after.phone,
                "email" => before.email != after.email,
                "address" => before.address != after.address,
                "preferred_language" => before.preferred_language != after.preferred_language,
                "interpreter_needed" => before.interpreter_needed != after.interpreter_needed,
                "insurance" => before.insurance != after.insurance,
                "identifiers" => before.identifiers != after.identifiers,
                "risk_level" => before.risk_level != after.risk_level,
                "primary_care_manager_id" => {
                    before.primary_care_manager_id != after.primary_care_manager_id
                }
                "status" => {
                    before.status != after.status || before.status_reason != after.status_reason
                }
                _ => false,
            };
            differs.then(|| FieldChange {
                key,
                label,
                before: describe(key, before, care_manager),
                after: describe(key, after, care_manager),
            })
        })
        .collect()
}

/// Words for a field path of a validation error: `address.postal_code` →
/// `ZIP code`, `identifiers[1].value` → `Identifier 2 value`.
pub fn field_label(path: &str) -> String {
    let fixed = match path {
        "given_name" => "Given name",
        "family_name" => "Family name",
        "preferred_name" => "Preferred name",
        "birth_date" => "Date of birth",
        "sex" => "Sex",
        "phone" => "Phone",
        "email" => "Email",
        "address" => "Address",
        "address.line1" => "Street address",
        "address.line2" => "Apartment, suite, unit",
        "address.city" => "City",
        "address.state" => "State",
        "address.postal_code" => "ZIP code",
        "preferred_language" => "Preferred language",
        "interpreter_needed" => "Interpreter needed",
        "insurance" => "Insurance",
        "insurance.payer" => "Payer",
        "insurance.member_id" => "Member ID",
        "insurance.medicaid" => "Medicaid",
        "identifiers" => "Identifiers",
        "status" => "Case status",
        "risk_level" => "Risk level",
        "primary_care_manager_id" => "Care manager",
        "version" => "Version",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    if let Some((index, part)) = identifier_path(path) {
        return format!("Identifier {} {}", index + 1, part);
    }
    path.to_string()
}

/// `identifiers[3].value` → `(3, "value")`.
pub fn identifier_path(path: &str) -> Option<(usize, &str)> {
    let rest = path.strip_prefix("identifiers[")?;
    let (index, part) = rest.split_once("].")?;
    Some((index.parse().ok()?, part))
}

/// The fields top to bottom as the form shows them.
const FORM_ORDER: &[&str] = &[
    "given_name",
    "family_name",
    "preferred_name",
    "birth_date",
    "sex",
    "preferred_language",
    "interpreter_needed",
    "phone",
    "email",
    "address",
    "address.line1",
    "address.line2",
    "address.city",
    "address.state",
    "address.postal_code",
    "insurance",
    "insurance.payer",
    "insurance.member_id",
    "insurance.medicaid",
    "identifiers",
    "risk_level",
    "status",
    "primary_care_manager_id",
];

/// Where a field path sits in the form (identifier rows by index, system
/// before value); unknown paths go last.
fn form_position(path: &str) -> (usize, usize, usize) {
    let rank = |p: &str| {
        FORM_ORDER
            .iter()
            .position(|f| *f == p)
            .unwrap_or(FORM_ORDER.len())
    };
    match identifier_path(path) {
        Some((index, part)) => (
            rank("identifiers"),
            index + 1,
            usize::from(part != "system"),
        ),
        None => (rank(path), 0, 0),
    }
}

/// Puts errors in the order people meet the fields (the shared rules list
/// them alphabetically), so the first error is the first one in the form.
pub fn in_form_order(mut errors: Vec<FieldError>) -> Vec<FieldError> {
    errors.sort_by_key(|e| form_position(&e.field));
    errors
}

/// The sentence shown for an error: `ZIP code is not a ZIP code …`.
pub fn error_sentence(e: &FieldError) -> String {
    format!(
        "{} {}.",
        field_label(&e.field),
        e.message.trim_end_matches('.')
    )
}

/// The id of the input a field path belongs to (for labels and focus).
pub fn element_id(path: &str, rows: &[IdentifierRow]) -> String {
    if let Some((index, part)) = identifier_path(path) {
        return match rows.get(index) {
            Some(r) => format!("pf-identifier-{}-{part}", r.row),
            None => "pf-add-identifier".into(),
        };
    }
    match path {
        "identifiers" => "pf-add-identifier".into(),
        "address" => "pf-address-line1".into(),
        "insurance" => "pf-insurance-payer".into(),
        _ => format!("pf-{}", path.replace('.', "-")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use shared::ids::PatientId;
    use uuid::Uuid;

    fn ctx() -> Context {
        Context {
            now: "2026-11-23T18:00:00Z".parse().unwrap(),
            today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        }
    }

    fn user(n: u128) -> UserId {
        UserId::from(Uuid::from_u128(n))
    }

    #[test]
    fn errors_are_listed_in_the_order_of_the_form() {
        let errors = [
            "birth_date",
            "identifiers[1].value",
            "family_name",
            "address.city",
            "identifiers[0].value",
            "identifiers[1].system",
            "given_name",
            "address.line1",
            "zzz",
        ]
        .iter()
        .map(|f| FieldError::new(*f, "is wrong"))
        .collect();
        let fields: Vec<String> = in_form_order(errors).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "given_name",
                "family_name",
                "birth_date",
                "address.line1",
                "address.city",
                "identifiers[0].value",
                "identifiers[1].system",
                "identifiers[1].value",
                "zzz",
            ]
        );
    }

    fn patient() -> Patient {
        Patient {
            id: PatientId::from(Uuid::from_u128(7)),
            given_name: "Maria".into(),
            family_name: "Lopez".into(),
            preferred_name: None,
            birth_date: NaiveDate::from_ymd_opt(1984, 3, 12).unwrap(),
            sex: Sex::Female,
            phone: Some("503-555-0100".into()),
            email: None,
            address: Some(Address {
                line1: Some("12 Oak St".into()),
                line2: None,
                city: Some("Salem".into()),
                state: Some("OR".into()),
                postal_code: Some("97301".into()),
            }),
            preferred_language: "es".into(),
            interpreter_needed: true,
            insurance: Some(Insurance {
                payer: Some("OHP".into()),
                member_id: Some("M1".into()),
                medicaid: true,
            }),
            identifiers: vec![Identifier {
                system: "urn:mrn".into(),
                value: "MRN-1".into(),
            }],
            status: CaseStatus::Active,
            status_reason: None,
            primary_care_manager_id: Some(user(1)),
            risk_level: RiskLevel::Moderate,
            version: 3,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_empty_form_names_every_required_field() {
        let errs = PatientFormModel::default()
            .new_patient(&ctx(), false)
            .unwrap_err();
        assert_eq!(
            fields(errs),
            vec!["birth_date", "family_name", "given_name"]
        );
    }

    #[test]
    fn a_filled_form_becomes_a_trimmed_new_patient() {
        let mut f = PatientFormModel {
            given_name: " Maria ".into(),
            family_name: "Lopez".into(),
            birth_date: "1984-03-12".into(),
            sex: Sex::Female,
            state: "or".into(),
            city: "Salem".into(),
            care_manager: Some(user(9)),
            ..Default::default()
        };
        let row = f.add_identifier();
        f.identifiers[0].system = " urn:mrn ".into();
        f.identifiers[0].value = "MRN-9".into();
        let new = f.new_patient(&ctx(), false).unwrap();
        assert_eq!(new.given_name, "Maria");
        assert_eq!(
            new.birth_date,
            NaiveDate::from_ymd_opt(1984, 3, 12).unwrap()
        );
        assert_eq!(new.address.unwrap().state.as_deref(), Some("OR"));
        assert_eq!(new.insurance, None);
        assert_eq!(new.identifiers[0].system, "urn:mrn");
        assert_eq!(new.preferred_language.as_deref(), Some("en"));
        assert_eq!(new.primary_care_manager_id, None, "only assigners send it");
        assert_eq!(
            f.new_patient(&ctx(), true).unwrap().primary_care_manager_id,
            Some(user(9))
        );
        f.remove_identifier(row);
        assert!(f.identifiers.is_empty());
    }

    #[test]
    fn nested_and_listed_errors_use_the_api_paths() {
        let mut f = PatientFormModel {
            given_name: "A".into(),
            family_name: "B".into(),
            birth_date: "2999-01-01".into(),
            postal_code: "123".into(),
            phone: "call me".into(),
            ..Default::default()
        };
        f.add_identifier();
        f.add_identifier();
        f.identifiers[0].system = "s".into();
        f.identifiers[0].value = "v".into();
        f.identifiers[1].system = "s".into();
        let errs = f.new_patient(&ctx(), false).unwrap_err();
        assert_eq!(
            fields(errs),
            vec![
                "address.postal_code",
                "birth_date",
                "identifiers[1].value",
                "phone"
            ]
        );
    }

    #[test]
    fn an_unreadable_birth_date_is_reported_once() {
        let f = PatientFormModel {
            given_name: "A".into(),
            family_name: "B".into(),
            birth_date: "12/03/1984".into(),
            ..Default::default()
        };
        let errs = f.new_patient(&ctx(), false).unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError::new("birth_date", "is not a valid date")]
        );
    }

    #[test]
    fn an_unchanged_form_patches_nothing_but_names_the_version() {
        let p = patient();
        let patch = PatientFormModel::from_patient(&p)
            .patch_against(&p, &ctx(), true)
            .unwrap();
        assert!(patch.is_empty());
        assert_eq!(patch.version, Some(3));
    }

    #[test]
    fn a_patch_carries_only_what_changed_and_null_for_what_was_cleared() {
        let p = patient();
        let mut f = PatientFormModel::from_patient(&p);
        f.phone = " 503-555-0199 ".into();
        f.line1.clear();
        f.line2.clear();
        f.city.clear();
        f.state.clear();
        f.postal_code.clear();
        f.care_manager = None;
        let patch = f.patch_against(&p, &ctx(), false).unwrap();
        assert_eq!(patch.phone, Patch::Value("503-555-0199".into()));
        assert_eq!(patch.address, Patch::Null);
        assert_eq!(
            patch.primary_care_manager_id,
            Patch::Absent,
            "not an assigner"
        );
        assert_eq!(patch.given_name, None);
        let json = serde_json::to_value(&patch).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"phone": "503-555-0199", "address": null, "version": 3})
        );
        let assigned = f.patch_against(&p, &ctx(), true).unwrap();
        assert_eq!(assigned.primary_care_manager_id, Patch::Null);
    }

    #[test]
    fn a_patch_is_checked_with_the_shared_rules() {
        let p = patient();
        let mut f = PatientFormModel::from_patient(&p);
        f.phone = "x".into();
        f.preferred_language = " ".into();
        let errs = f.patch_against(&p, &ctx(), false).unwrap_err();
        assert_eq!(fields(errs), vec!["phone", "preferred_language"]);
    }

    #[test]
    fn changes_between_versions_are_listed_in_form_order_in_words() {
        let before = patient();
        let mut after = patient();
        after.phone = Some("503-555-0111".into());
        after.primary_care_manager_id = None;
        after.version = 4;
        let name = |id: Option<UserId>| match id {
            Some(_) => "Carmen Ruiz".to_string(),
            None => "Unassigned".to_string(),
        };
        let changes = patient_changes(&before, &after, &name);
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    key: "phone",
                    label: "Phone",
                    before: "503-555-0100".into(),
                    after: "503-555-0111".into()
                },
                FieldChange {
                    key: "primary_care_manager_id",
                    label: "Care manager",
                    before: "Carmen Ruiz".into(),
                    after: "Unassigned".into()
                },
            ]
        );
        assert!(patient_changes(&before, &before, &name).is_empty());
    }

    #[test]
    fn the_fields_a_person_changed_are_known() {
        let p = patient();
        let mut f = PatientFormModel::from_patient(&p);
        assert!(f.changed_keys(&p).is_empty());
        f.phone = "503-555-0123 ".into();
        f.city = "Portland".into();
        f.identifiers[0].value = "MRN-2".into();
        assert_eq!(f.changed_keys(&p), vec!["phone", "address", "identifiers"]);
        let mut g = PatientFormModel::from_patient(&p);
        g.given_name = " Maria".into();
        assert!(g.changed_keys(&p).is_empty(), "whitespace is no change");
    }

    #[test]
    fn after_a_conflict_my_edits_stay_and_their_other_edits_are_taken() {
        let old = patient();
        let mut latest = patient();
        latest.phone = Some("503-555-0111".into());
        latest.email = Some("maria@example.com".into());
        latest.identifiers.push(Identifier {
            system: "urn:medicaid".into(),
            value: "OR9".into(),
        });
        latest.version = 4;
        let mut mine = PatientFormModel::from_patient(&old);
        mine.phone = "503-555-0199".into();
        mine.family_name = "Lopez-Garcia".into();
        let rebased = mine.rebase(&old, &latest);
        assert_eq!(rebased.phone, "503-555-0199", "both changed: mine is kept");
        assert_eq!(rebased.family_name, "Lopez-Garcia");
        assert_eq!(rebased.email, "maria@example.com", "theirs is taken");
        assert_eq!(rebased.identifiers.len(), 2);
        assert!(rebased.identifiers.iter().all(|r| r.row >= mine.next_row));
        let patch = rebased.patch_against(&latest, &ctx(), true).unwrap();
        assert_eq!(patch.version, Some(4));
        assert_eq!(patch.phone, Patch::Value("503-555-0199".into()));
        assert_eq!(patch.family_name.as_deref(), Some("Lopez-Garcia"));
        assert_eq!(patch.email, Patch::Absent, "their email is not undone");
        assert_eq!(patch.identifiers, None);
    }

    #[test]
    fn error_paths_read_as_words_and_point_at_their_inputs() {
        assert_eq!(field_label("address.postal_code"), "ZIP code");
        assert_eq!(field_label("identifiers[1].value"), "Identifier 2 value");
        assert_eq!(field_label("something_else"), "something_else");
        assert_eq!(
            error_sentence(&FieldError::new("given_name", "is required")),
            "Given name is required."
        );
        let rows = vec![
            IdentifierRow {
                row: 4,
                system: String::new(),
                value: String::new(),
            },
            IdentifierRow {
                row: 9,
                system: String::new(),
                value: String::new(),
            },
        ];
        assert_eq!(element_id("given_name", &rows), "pf-given_name");
        assert_eq!(
            element_id("address.postal_code", &rows),
            "pf-address-postal_code"
        );
        assert_eq!(
            element_id("identifiers[1].value", &rows),
            "pf-identifier-9-value"
        );
        assert_eq!(
            element_id("identifiers[5].value", &rows),
            "pf-add-identifier"
        );
        assert_eq!(element_id("identifiers", &rows), "pf-add-identifier");
    }
}
