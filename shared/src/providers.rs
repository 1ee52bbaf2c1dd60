//! The provider network as the API shows it: providers (organizations and
//! practitioners) with their services, languages, coverage, location and
//! network status; the recruiting activities and credential documents of
//! the recruiting pipeline; and the quality figures computed from referral
//! outcomes. The directory's ranking lives in [`crate::directory`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::directory::NetworkStatus;
use crate::ids::UserId;
use crate::patch::Patch;
use crate::patients::Address;
use crate::validation::{Context, Normalize, invalid, trimmed};

code_enum! {
    /// A kind of service a provider gives and a referral asks for; the
    /// medical-necessity criteria are configured per service.
    pub enum ServiceType {
        /// Inpatient psychiatric care.
        InpatientPsychiatric,
        /// Partial hospitalization.
        PartialHospitalization,
        /// Intensive outpatient program.
        IntensiveOutpatient,
        /// Outpatient therapy.
        OutpatientTherapy,
        /// Psychiatry and medication management.
        Psychiatry,
        /// Substance-use treatment.
        SubstanceUseTreatment,
        /// Withdrawal management (detox).
        WithdrawalManagement,
        /// Mobile crisis and crisis stabilization.
        CrisisServices,
        /// Primary care.
        PrimaryCare,
        /// Peer support.
        PeerSupport,
        /// Housing support.
        HousingSupport,
        /// Anything else.
        Other,
    }
}

impl ServiceType {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ServiceType::InpatientPsychiatric => "Inpatient psychiatric",
            ServiceType::PartialHospitalization => "Partial hospitalization",
            ServiceType::IntensiveOutpatient => "Intensive outpatient",
            ServiceType::OutpatientTherapy => "Outpatient therapy",
            ServiceType::Psychiatry => "Psychiatry",
            ServiceType::SubstanceUseTreatment => "Substance-use treatment",
            ServiceType::WithdrawalManagement => "Withdrawal management",
            ServiceType::CrisisServices => "Crisis services",
            ServiceType::PrimaryCare => "Primary care",
            ServiceType::PeerSupport => "Peer support",
            ServiceType::HousingSupport => "Housing support",
            ServiceType::Other => "Other",
        }
    }
}

code_enum! {
    /// An organization or one practitioner.
    pub enum ProviderKind {
        /// An agency, clinic or program.
        Organization,
        /// One practitioner.
        Practitioner,
    }
}

impl NetworkStatus {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            NetworkStatus::Prospect => "Prospect",
            NetworkStatus::Recruiting => "Recruiting",
            NetworkStatus::Credentialing => "Credentialing",
            NetworkStatus::InNetwork => "In network",
            NetworkStatus::Inactive => "Inactive",
        }
    }
}

/// A point on the map (WGS 84 degrees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    /// Latitude, −90 to 90.
    #[validate(range(min = -90.0, max = 90.0, message = "must be between -90 and 90"))]
    #[cfg_attr(feature = "openapi", schema(minimum = -90.0, maximum = 90.0))]
    pub latitude: f64,
    /// Longitude, −180 to 180.
    #[validate(range(min = -180.0, max = 180.0, message = "must be between -180 and 180"))]
    #[cfg_attr(feature = "openapi", schema(minimum = -180.0, maximum = 180.0))]
    pub longitude: f64,
}

/// Referral outcomes at a provider, as figures (all referrals the
/// organization ever sent it).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderQuality {
    /// Referrals sent to it.
    pub referrals: i64,
    /// Of the referrals that ended (completed, closed, declined, no-show),
    /// the share that were completed, 0–1; `null` before any ended.
    pub completion_rate: Option<f64>,
    /// Median days from sending to the first appointment.
    pub median_days_to_appointment: Option<f64>,
    /// Of the referrals that were scheduled, the share that were no-shows, 0–1.
    pub no_show_rate: Option<f64>,
    /// Mean satisfaction rating, 1–5.
    pub satisfaction: Option<f64>,
    /// How many ratings the mean is over.
    pub ratings: i64,
}

impl ProviderQuality {
    /// The figures the ranking reads.
    pub fn for_ranking(&self) -> crate::directory::Quality {
        crate::directory::Quality {
            completion_rate: self.completion_rate,
            median_days_to_appointment: self.median_days_to_appointment,
            no_show_rate: self.no_show_rate,
            satisfaction: self.satisfaction,
        }
    }
}

/// A provider in the network (or being recruited into it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provider {
    /// Provider id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Organization or practitioner.
    pub kind: ProviderKind,
    /// Services given.
    pub services: Vec<ServiceType>,
    /// Specialties, free text ("trauma-focused CBT", "perinatal").
    pub specialties: Vec<String>,
    /// Languages spoken (BCP 47).
    pub languages: Vec<String>,
    /// Insurance payers accepted besides Medicaid.
    pub payers: Vec<String>,
    /// Whether it takes Medicaid.
    pub medicaid: bool,
    /// Whether it takes new clients now.
    pub accepting_new_clients: bool,
    /// Address.
    pub address: Option<Address>,
    /// Where it is (for distances); its ZIP code's centre when not given.
    pub location: Option<GeoPoint>,
    /// Phone.
    pub phone: Option<String>,
    /// Opening hours, as people write them.
    pub hours: Option<String>,
    /// Where it stands with the network.
    pub network_status: NetworkStatus,
    /// Notes.
    pub notes: Option<String>,
    /// Figures from referral outcomes.
    pub quality: ProviderQuality,
    /// Version for `If-Match`.
    pub version: i32,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One directory result: the provider, how far it is from the patient,
/// and why it ranks where it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryEntry {
    /// The provider.
    #[serde(flatten)]
    pub provider: Provider,
    /// Miles from the patient (`near_patient_id`), when both are located.
    pub distance_miles: Option<f64>,
    /// Why it is here, strongest first ("in network", "speaks Spanish",
    /// "takes Medicaid", "2.1 mi", "82% of referrals completed").
    pub reasons: Vec<String>,
}

fn list_valid(items: &[String], max_len: usize) -> Result<(), ValidationError> {
    if items.len() > 50 {
        return Err(invalid("too_many", "must have at most 50 entries"));
    }
    if items.iter().any(|s| s.trim().is_empty()) {
        return Err(invalid("blank", "must not have blank entries"));
    }
    if items.iter().any(|s| s.chars().count() > max_len) {
        return Err(invalid("too_long", "has an entry that is too long"));
    }
    Ok(())
}

/// The schema of a list of labels: at most 50, each 1–100 characters and
/// not blank.
#[cfg(feature = "openapi")]
fn label_list() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(100))
                .pattern(Some(r"\S")),
        )
        .max_items(Some(50))
        .build()
}

/// The schema of a list of languages: at most 50 BCP 47 tags of at most 35
/// characters.
#[cfg(feature = "openapi")]
fn language_list_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(35))
                .format(Some(SchemaFormat::Custom("language-tag".into()))),
        )
        .max_items(Some(50))
        .build()
}

/// `list`, or `null` (a patch's field left as it is).
#[cfg(feature = "openapi")]
fn or_null(mut list: utoipa::openapi::schema::Array) -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{SchemaType, Type};
    list.schema_type = SchemaType::from_iter([Type::Array, Type::Null]);
    list
}

/// [`label_list`] or `null`.
#[cfg(feature = "openapi")]
fn label_list_or_null() -> utoipa::openapi::schema::Array {
    or_null(label_list())
}

/// [`language_list_schema`] or `null`.
#[cfg(feature = "openapi")]
fn language_list_or_null() -> utoipa::openapi::schema::Array {
    or_null(language_list_schema())
}

fn text_list(items: &[String]) -> Result<(), ValidationError> {
    list_valid(items, 100)
}

fn language_list(items: &[String]) -> Result<(), ValidationError> {
    list_valid(items, 35)?;
    items
        .iter()
        .try_for_each(|l| crate::validation::language_tag(l))
}

fn services_valid(items: &[ServiceType]) -> Result<(), ValidationError> {
    let mut sorted = items.to_vec();
    sorted.sort_by_key(|s| s.as_ref().to_owned());
    sorted.dedup();
    if sorted.len() == items.len() {
        Ok(())
    } else {
        Err(invalid("duplicate", "names a service twice"))
    }
}

/// The entries trimmed, each once (case-insensitively). A list beyond the
/// limits of `list_valid` as sent (more than 50 entries, or an entry longer
/// than `max_len`) is left as it is, for its rule to refuse: the limits are
/// on the list the client sent, as the `OpenAPI` document states them
/// (`maxItems`, `maxLength`), not on what trimming and merging leave.
fn clean_list(items: Vec<String>, max_len: usize) -> Vec<String> {
    if items.len() > 50 || items.iter().any(|s| s.chars().count() > max_len) {
        return items;
    }
    let mut out: Vec<String> = Vec::new();
    for s in items.into_iter().map(|s| s.trim().to_owned()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&s)) {
            out.push(s);
        }
    }
    out
}

/// `POST /api/v1/providers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Clínica Esperanza", "kind": "organization",
    "services": ["outpatient_therapy", "psychiatry"], "specialties": ["trauma-focused CBT"],
    "languages": ["en", "es"], "payers": ["Aetna"], "medicaid": true,
    "accepting_new_clients": true,
    "address": {"line1": "410 Commercial St NE", "city": "Salem", "state": "OR", "postal_code": "97301"},
    "location": {"latitude": 44.9429, "longitude": -123.0351},
    "phone": "503-555-0142", "hours": "Mon–Fri 8–6", "network_status": "in_network"
})))]
pub struct NewProvider {
    /// Name.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: String,
    /// Organization or practitioner.
    pub kind: ProviderKind,
    /// Services given, each once.
    #[serde(default)]
    #[validate(custom(function = "services_valid"))]
    pub services: Vec<ServiceType>,
    /// Specialties (at most 50, each at most 100 characters).
    #[serde(default)]
    #[validate(custom(function = "text_list"))]
    #[cfg_attr(feature = "openapi", schema(schema_with = label_list))]
    pub specialties: Vec<String>,
    /// Languages spoken (BCP 47 tags).
    #[serde(default)]
    #[validate(custom(function = "language_list"))]
    #[cfg_attr(feature = "openapi", schema(schema_with = language_list_schema))]
    pub languages: Vec<String>,
    /// Payers accepted besides Medicaid.
    #[serde(default)]
    #[validate(custom(function = "text_list"))]
    #[cfg_attr(feature = "openapi", schema(schema_with = label_list))]
    pub payers: Vec<String>,
    /// Whether it takes Medicaid.
    #[serde(default)]
    pub medicaid: bool,
    /// Whether it takes new clients.
    #[serde(default)]
    pub accepting_new_clients: bool,
    /// Address.
    #[serde(default)]
    #[validate(nested)]
    pub address: Option<Address>,
    /// Where it is.
    #[serde(default)]
    #[validate(nested)]
    pub location: Option<GeoPoint>,
    /// Phone.
    #[serde(default)]
    #[validate(custom(function = "crate::validation::phone"))]
    #[cfg_attr(feature = "openapi", schema(format = "phone"))]
    pub phone: Option<String>,
    /// Opening hours.
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub hours: Option<String>,
    /// Where it stands with the network (`prospect` when left out).
    #[serde(default = "prospect")]
    pub network_status: NetworkStatus,
    /// Notes.
    #[serde(default)]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub notes: Option<String>,
}

fn prospect() -> NetworkStatus {
    NetworkStatus::Prospect
}

impl Normalize for NewProvider {
    fn normalized(self) -> NewProvider {
        NewProvider {
            name: self.name.trim().to_owned(),
            specialties: clean_list(self.specialties, 100),
            languages: clean_list(self.languages, 35),
            payers: clean_list(self.payers, 100),
            address: self.address.and_then(Address::normalized),
            phone: trimmed(self.phone),
            hours: trimmed(self.hours),
            notes: trimmed(self.notes),
            ..self
        }
    }
}

impl NewProvider {
    /// The provider this creates.
    pub fn into_provider(self, id: Uuid, now: DateTime<Utc>) -> Provider {
        Provider {
            id,
            name: self.name,
            kind: self.kind,
            services: self.services,
            specialties: self.specialties,
            languages: self.languages,
            payers: self.payers,
            medicaid: self.medicaid,
            accepting_new_clients: self.accepting_new_clients,
            address: self.address,
            location: self.location,
            phone: self.phone,
            hours: self.hours,
            network_status: self.network_status,
            notes: self.notes,
            quality: ProviderQuality::default(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// `PATCH /api/v1/providers/{id}`: a merge patch; lists are replaced
/// whole; `null` clears an optional field. A change of `network_status`
/// is logged as a recruiting activity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"network_status": "credentialing", "accepting_new_clients": false, "version": 3})))]
pub struct ProviderPatch {
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: Option<String>,
    /// Organization or practitioner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ProviderKind>,
    /// Services given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "services_valid"))]
    pub services: Option<Vec<ServiceType>>,
    /// Specialties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "text_list"))]
    #[cfg_attr(feature = "openapi", schema(schema_with = label_list_or_null))]
    pub specialties: Option<Vec<String>>,
    /// Languages spoken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "language_list"))]
    #[cfg_attr(feature = "openapi", schema(schema_with = language_list_or_null))]
    pub languages: Option<Vec<String>>,
    /// Payers accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "text_list"))]
    #[cfg_attr(feature = "openapi", schema(schema_with = label_list_or_null))]
    pub payers: Option<Vec<String>>,
    /// Whether it takes Medicaid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medicaid: Option<bool>,
    /// Whether it takes new clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepting_new_clients: Option<bool>,
    /// Address (replaced whole); `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Address>))]
    #[validate(nested)]
    pub address: Patch<Address>,
    /// Where it is; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<GeoPoint>))]
    #[validate(nested)]
    pub location: Patch<GeoPoint>,
    /// Phone; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[validate(custom(function = "crate::validation::patched::phone"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "phone"))]
    pub phone: Patch<String>,
    /// Opening hours; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 200))]
    pub hours: Patch<String>,
    /// Network status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_status: Option<NetworkStatus>,
    /// Notes; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 2000))]
    pub notes: Patch<String>,
    /// The version read (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

impl Normalize for ProviderPatch {
    fn normalized(self) -> ProviderPatch {
        ProviderPatch {
            name: self.name.map(|n| n.trim().to_owned()),
            specialties: self.specialties.map(|l| clean_list(l, 100)),
            languages: self.languages.map(|l| clean_list(l, 35)),
            payers: self.payers.map(|l| clean_list(l, 100)),
            address: self.address.and_then(Address::normalized),
            phone: crate::validation::trimmed_patch(self.phone),
            hours: crate::validation::trimmed_patch(self.hours),
            notes: crate::validation::trimmed_patch(self.notes),
            ..self
        }
    }
}

impl ProviderPatch {
    /// Applies the patch to `p`.
    pub fn apply_to(self, p: &mut Provider) {
        if let Some(v) = self.name {
            p.name = v;
        }
        if let Some(v) = self.kind {
            p.kind = v;
        }
        if let Some(v) = self.services {
            p.services = v;
        }
        if let Some(v) = self.specialties {
            p.specialties = v;
        }
        if let Some(v) = self.languages {
            p.languages = v;
        }
        if let Some(v) = self.payers {
            p.payers = v;
        }
        if let Some(v) = self.medicaid {
            p.medicaid = v;
        }
        if let Some(v) = self.accepting_new_clients {
            p.accepting_new_clients = v;
        }
        if let Some(v) = self.network_status {
            p.network_status = v;
        }
        p.address = self.address.apply(p.address.take());
        p.location = self.location.apply(p.location.take());
        p.phone = self.phone.apply(p.phone.take());
        p.hours = self.hours.apply(p.hours.take());
        p.notes = self.notes.apply(p.notes.take());
    }
}

code_enum! {
    /// A step in recruiting a provider.
    pub enum ActivityKind {
        /// A phone call.
        Call,
        /// An email or letter.
        Email,
        /// A meeting or site visit.
        Meeting,
        /// A contract sent, signed or renewed.
        Contract,
        /// The network status changed (logged by the system).
        StatusChange,
        /// Anything else.
        Other,
    }
}

/// A recruiting activity with a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderActivity {
    /// Activity id.
    pub id: Uuid,
    /// The provider.
    pub provider_id: Uuid,
    /// What was done.
    pub kind: ActivityKind,
    /// What happened.
    pub summary: String,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who (none for the system).
    pub recorded_by: Option<UserId>,
    /// Always 1: activities are facts.
    pub version: i32,
}

/// `POST /api/v1/providers/{id}/activities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"kind": "call", "summary": "Spoke with the clinic director; sending the contract."})))]
pub struct NewProviderActivity {
    /// What was done (`status_change` is the system's).
    #[validate(custom(function = "not_status_change"))]
    pub kind: ActivityKind,
    /// What happened.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 2000, message = "must be at most 2000 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 2000, pattern = r"\S")
    )]
    pub summary: String,
    /// When (now when left out; not in the future).
    #[serde(default)]
    #[validate(custom(function = "crate::validation::not_in_future", use_context))]
    pub occurred_at: Option<DateTime<Utc>>,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "validator hands a custom rule its field by reference"
)]
fn not_status_change(kind: &ActivityKind) -> Result<(), ValidationError> {
    if *kind == ActivityKind::StatusChange {
        Err(invalid(
            "system_only",
            "is logged by the system when the network status changes",
        ))
    } else {
        Ok(())
    }
}

impl Normalize for NewProviderActivity {
    fn normalized(self) -> NewProviderActivity {
        NewProviderActivity {
            summary: self.summary.trim().to_owned(),
            ..self
        }
    }
}

/// A credentialing document (license, liability insurance, accreditation)
/// and when it expires. A task opens 30 days before the expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credential {
    /// Document id.
    pub id: Uuid,
    /// The provider.
    pub provider_id: Uuid,
    /// What it is ("State license", "Liability insurance").
    pub name: String,
    /// Its number or reference.
    pub reference: Option<String>,
    /// When it expires.
    pub expires_on: NaiveDate,
    /// Who recorded it.
    pub recorded_by: Option<UserId>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// Always 1: a renewed document is a new record.
    pub version: i32,
}

/// `POST /api/v1/providers/{id}/credentials`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "State license", "reference": "LCSW-12345", "expires_on": "2027-06-30"})))]
pub struct NewCredential {
    /// What it is.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: String,
    /// Its number or reference.
    #[serde(default)]
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub reference: Option<String>,
    /// When it expires.
    pub expires_on: NaiveDate,
}

impl Normalize for NewCredential {
    fn normalized(self) -> NewCredential {
        NewCredential {
            name: self.name.trim().to_owned(),
            reference: trimmed(self.reference),
            ..self
        }
    }
}

/// The `GET /api/v1/providers` filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ProviderQuery {
    /// Name contains (case-insensitive).
    #[serde(default)]
    pub q: Option<String>,
    /// Gives this service.
    #[serde(default)]
    pub service: Option<ServiceType>,
    /// Has this specialty (case-insensitive, contains).
    #[serde(default)]
    pub specialty: Option<String>,
    /// Speaks this language (BCP 47; `es` matches `es-MX`).
    #[serde(default)]
    pub language: Option<String>,
    /// Takes this payer; `medicaid` means takes Medicaid.
    #[serde(default)]
    pub payer: Option<String>,
    /// Takes new clients (true) or not (false).
    #[serde(default)]
    pub accepting: Option<bool>,
    /// In this network status.
    #[serde(default)]
    pub network_status: Option<NetworkStatus>,
    /// Rank for this patient: their language and insurance count, and
    /// distances are from their ZIP code.
    #[serde(default)]
    pub near_patient_id: Option<Uuid>,
    /// Within this many miles of the patient (with `near_patient_id`):
    /// more than 0, at most 500.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(exclusive_minimum = 0.0, maximum = 500.0))]
    pub within_miles: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::{check, test_context};

    fn new_provider() -> NewProvider {
        serde_json::from_value(serde_json::json!({
            "name": "  Clínica Esperanza ", "kind": "organization",
            "languages": ["es", " en "], "payers": ["Aetna", "aetna"]
        }))
        .unwrap()
    }

    #[test]
    fn a_new_provider_is_a_prospect_with_trimmed_and_deduplicated_lists() {
        let p = Valid::new(new_provider(), &test_context())
            .unwrap()
            .into_inner();
        assert_eq!(p.name, "Clínica Esperanza");
        assert_eq!(p.network_status, NetworkStatus::Prospect);
        assert_eq!(p.languages, vec!["es", "en"]);
        assert_eq!(p.payers, vec!["Aetna"]);
    }

    use crate::validation::Valid;

    #[test]
    fn languages_must_be_language_tags_and_services_appear_once() {
        let mut p = new_provider();
        p.languages = vec!["spanish".into()];
        p.services = vec![ServiceType::Psychiatry, ServiceType::Psychiatry];
        let fields: Vec<String> = check(p, &test_context())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(fields.contains(&"languages".to_owned()), "{fields:?}");
        assert!(fields.contains(&"services".to_owned()), "{fields:?}");
    }

    #[test]
    fn a_patch_replaces_lists_and_clears_with_null() {
        let mut p = new_provider().into_provider(Uuid::nil(), Utc::now());
        p.phone = Some("503-555-0100".into());
        let patch: ProviderPatch = serde_json::from_value(serde_json::json!({
            "languages": ["vi"], "phone": null, "network_status": "in_network"
        }))
        .unwrap();
        patch.apply_to(&mut p);
        assert_eq!(p.languages, vec!["vi"]);
        assert_eq!(p.phone, None);
        assert_eq!(p.network_status, NetworkStatus::InNetwork);
    }

    #[test]
    fn a_location_off_the_globe_is_refused() {
        let mut p = new_provider();
        p.location = Some(GeoPoint {
            latitude: 95.0,
            longitude: 0.0,
        });
        let errors = check(p, &test_context());
        assert!(errors.iter().any(|e| e.field.starts_with("location")));
    }

    #[test]
    fn a_patch_checks_the_location_and_the_address_it_sets() {
        let patch: ProviderPatch = serde_json::from_value(serde_json::json!({
            "location": {"latitude": 0.0, "longitude": -181.0},
            "address": {"state": "XX"}
        }))
        .unwrap();
        let fields: Vec<String> = check(patch, &test_context())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(
            fields.iter().any(|f| f.starts_with("location")),
            "{fields:?}"
        );
        assert!(
            fields.iter().any(|f| f.starts_with("address")),
            "{fields:?}"
        );
    }

    #[test]
    fn list_limits_are_on_the_list_as_sent() {
        let fields = |p: NewProvider| -> Vec<String> {
            check(p, &test_context())
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        // 36 characters with the spaces trimming would remove.
        let mut p = new_provider();
        p.languages = vec![format!("es{}", " ".repeat(34))];
        assert_eq!(fields(p), ["languages"]);
        // 51 entries that would merge into one.
        let mut p = new_provider();
        p.payers = vec!["Aetna".into(); 51];
        assert_eq!(fields(p), ["payers"]);
        // Within the limits, the same entries are cleaned.
        let mut p = new_provider();
        p.payers = vec!["Aetna".into(); 50];
        assert!(fields(p).is_empty());
    }
}
