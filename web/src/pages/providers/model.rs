//! What the provider screens decide without a browser: the quality figures
//! in words ("—" when there is nothing to count yet), the provider form's
//! inputs read into a new provider or into a patch of only what changed,
//! and when a credential needs renewing.

use chrono::NaiveDate;
use shared::directory::NetworkStatus;
use shared::patch::Patch;
use shared::patients::Address;
use shared::problem::FieldError;
use shared::providers::{
    NewProvider, Provider, ProviderKind, ProviderPatch, ProviderQuality, ServiceType,
};
use shared::validation::blank_to_none;

/// What a figure shows when there is nothing to count yet.
pub const NONE: &str = "—";

/// A share, 0–1, as a whole percentage: `82%`.
pub fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| NONE.to_string(), |s| format!("{:.0}%", s * 100.0))
}

/// Days, to one decimal when not whole: `1 day`, `4.5 days`.
pub fn days(d: Option<f64>) -> String {
    match d {
        None => NONE.to_string(),
        Some(d) if (d - 1.0).abs() < f64::EPSILON => "1 day".to_string(),
        Some(d) if (d - d.round()).abs() < 0.05 => format!("{d:.0} days"),
        Some(d) => format!("{d:.1} days"),
    }
}

/// The mean rating over its count: `4.5/5 (2 ratings)`.
pub fn satisfaction(q: &ProviderQuality) -> String {
    match q.satisfaction {
        None => NONE.to_string(),
        Some(s) => format!(
            "{s:.1}/5 ({})",
            crate::format::count(usize::try_from(q.ratings).unwrap_or(0), "rating", "ratings")
        ),
    }
}

/// The quality figures as (label, value) pairs, in the order shown.
pub fn quality_facts(q: &ProviderQuality) -> Vec<(&'static str, String)> {
    vec![
        ("Referrals received", q.referrals.to_string()),
        ("Completion rate", percent(q.completion_rate)),
        (
            "Median days to first appointment",
            days(q.median_days_to_appointment),
        ),
        ("No-show rate", percent(q.no_show_rate)),
        ("Average satisfaction", satisfaction(q)),
    ]
}

/// Where a credential stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Past its date.
    Expired,
    /// Expires within 30 days: time to renew (a task is open).
    Soon,
    /// Good for more than 30 days.
    Current,
}

/// Days ahead a credential counts as expiring soon (its task opens then).
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Where a credential expiring on `expires_on` stands on `today`.
pub fn expiry(expires_on: NaiveDate, today: NaiveDate) -> Expiry {
    if expires_on < today {
        Expiry::Expired
    } else if (expires_on - today).num_days() <= EXPIRY_WARNING_DAYS {
        Expiry::Soon
    } else {
        Expiry::Current
    }
}

/// A comma-separated list as typed: trimmed, blanks dropped.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A list for a comma-separated input.
pub fn join_list(items: &[String]) -> String {
    items.join(", ")
}

/// Languages in words: `Spanish (es), English (en)`.
pub fn languages_text(tags: &[String]) -> String {
    tags.iter()
        .map(|t| crate::format::language_name(t))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Services in words.
pub fn services_text(services: &[ServiceType]) -> String {
    services
        .iter()
        .map(|s| s.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Insurance in words: `Medicaid, Aetna`.
pub fn insurance_text(p: &Provider) -> String {
    let mut all: Vec<&str> = Vec::new();
    if p.medicaid {
        all.push("Medicaid");
    }
    all.extend(p.payers.iter().map(String::as_str));
    all.join(", ")
}

/// An address on one line.
pub fn address_text(a: &Address) -> String {
    let mut parts: Vec<String> = [&a.line1, &a.line2, &a.city]
        .into_iter()
        .filter_map(Clone::clone)
        .collect();
    let state_zip = [&a.state, &a.postal_code]
        .into_iter()
        .filter_map(Clone::clone)
        .collect::<Vec<_>>()
        .join(" ");
    if !state_zip.is_empty() {
        parts.push(state_zip);
    }
    parts.join(", ")
}

/// The provider form's inputs, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProviderInput {
    /// Name.
    pub name: String,
    /// Organization or practitioner (a wire value).
    pub kind: String,
    /// Services ticked.
    pub services: Vec<ServiceType>,
    /// Specialties, comma-separated.
    pub specialties: String,
    /// Language tags, comma-separated.
    pub languages: String,
    /// Payers besides Medicaid, comma-separated.
    pub payers: String,
    /// Takes Medicaid.
    pub medicaid: bool,
    /// Takes new clients.
    pub accepting: bool,
    /// Street address.
    pub line1: String,
    /// City.
    pub city: String,
    /// State code.
    pub state: String,
    /// ZIP code.
    pub postal_code: String,
    /// Phone.
    pub phone: String,
    /// Opening hours.
    pub hours: String,
    /// Network status (a wire value).
    pub network_status: String,
    /// Notes.
    pub notes: String,
}

impl ProviderInput {
    /// Empty inputs for a new provider: an organization, a prospect.
    pub fn blank() -> Self {
        ProviderInput {
            kind: ProviderKind::Organization.as_ref().to_string(),
            network_status: NetworkStatus::Prospect.as_ref().to_string(),
            ..Default::default()
        }
    }

    /// The inputs showing `p`.
    pub fn of(p: &Provider) -> Self {
        let a = p.address.clone().unwrap_or_default();
        ProviderInput {
            name: p.name.clone(),
            kind: p.kind.as_ref().to_string(),
            services: p.services.clone(),
            specialties: join_list(&p.specialties),
            languages: join_list(&p.languages),
            payers: join_list(&p.payers),
            medicaid: p.medicaid,
            accepting: p.accepting_new_clients,
            line1: a.line1.unwrap_or_default(),
            city: a.city.unwrap_or_default(),
            state: a.state.unwrap_or_default(),
            postal_code: a.postal_code.unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            hours: p.hours.clone().unwrap_or_default(),
            network_status: p.network_status.as_ref().to_string(),
            notes: p.notes.clone().unwrap_or_default(),
        }
    }

    fn address(&self) -> Option<Address> {
        Address {
            line1: blank_to_none(&self.line1),
            line2: None,
            city: blank_to_none(&self.city),
            state: blank_to_none(self.state.to_uppercase()),
            postal_code: blank_to_none(&self.postal_code),
        }
        .normalized()
    }

    /// The new provider these inputs make, or the choices missing.
    pub fn read(&self) -> Result<NewProvider, Vec<FieldError>> {
        let kind = self.kind.parse::<ProviderKind>().ok();
        let status = self.network_status.parse::<NetworkStatus>().ok();
        let mut errors = Vec::new();
        if kind.is_none() {
            errors.push(FieldError::new("kind", "must be chosen"));
        }
        if status.is_none() {
            errors.push(FieldError::new("network_status", "must be chosen"));
        }
        let (Some(kind), Some(network_status)) = (kind, status) else {
            return Err(errors);
        };
        Ok(NewProvider {
            name: self.name.clone(),
            kind,
            services: self.services.clone(),
            specialties: split_list(&self.specialties),
            languages: split_list(&self.languages),
            payers: split_list(&self.payers),
            medicaid: self.medicaid,
            accepting_new_clients: self.accepting,
            address: self.address(),
            location: None,
            phone: blank_to_none(&self.phone),
            hours: blank_to_none(&self.hours),
            network_status,
            notes: blank_to_none(&self.notes),
        })
    }

    /// A patch of only what these inputs change in `p` (none when nothing
    /// does), or the choices missing.
    pub fn patch_of(&self, p: &Provider) -> Result<Option<ProviderPatch>, Vec<FieldError>> {
        let n = self.read()?;
        let changed = |a: &Option<String>, b: &Option<String>| {
            if a == b {
                Patch::Absent
            } else {
                Patch::from(b.clone())
            }
        };
        let some_if = |differs: bool| differs.then_some(());
        let patch = ProviderPatch {
            name: some_if(n.name.trim() != p.name).map(|()| n.name.clone()),
            kind: some_if(n.kind != p.kind).map(|()| n.kind),
            services: some_if(n.services != p.services).map(|()| n.services.clone()),
            specialties: some_if(n.specialties != p.specialties).map(|()| n.specialties.clone()),
            languages: some_if(n.languages != p.languages).map(|()| n.languages.clone()),
            payers: some_if(n.payers != p.payers).map(|()| n.payers.clone()),
            medicaid: some_if(n.medicaid != p.medicaid).map(|()| n.medicaid),
            accepting_new_clients: some_if(n.accepting_new_clients != p.accepting_new_clients)
                .map(|()| n.accepting_new_clients),
            address: if n.address == p.address {
                Patch::Absent
            } else {
                Patch::from(n.address.clone())
            },
            location: Patch::Absent,
            phone: changed(&p.phone, &n.phone),
            hours: changed(&p.hours, &n.hours),
            network_status: some_if(n.network_status != p.network_status)
                .map(|()| n.network_status),
            notes: changed(&p.notes, &n.notes),
            version: Some(p.version),
        };
        let nothing = ProviderPatch {
            version: Some(p.version),
            ..Default::default()
        };
        Ok((patch != nothing).then_some(patch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use uuid::Uuid;

    fn provider() -> Provider {
        let input = ProviderInput {
            name: "Clínica Esperanza".into(),
            kind: "organization".into(),
            services: vec![ServiceType::OutpatientTherapy],
            languages: "es, en".into(),
            payers: "Aetna".into(),
            medicaid: true,
            accepting: true,
            postal_code: "97301".into(),
            network_status: "in_network".into(),
            ..Default::default()
        };
        input.read().unwrap().into_provider(Uuid::nil(), Utc::now())
    }

    #[test]
    fn quality_reads_as_percentages_days_and_stars_or_a_dash() {
        let q = ProviderQuality {
            referrals: 11,
            completion_rate: Some(0.818),
            median_days_to_appointment: Some(4.5),
            no_show_rate: Some(0.1),
            satisfaction: Some(4.5),
            ratings: 2,
        };
        let facts = quality_facts(&q);
        assert_eq!(facts[1], ("Completion rate", "82%".to_string()));
        assert_eq!(facts[2].1, "4.5 days");
        assert_eq!(facts[3].1, "10%");
        assert_eq!(facts[4].1, "4.5/5 (2 ratings)");
        let none = quality_facts(&ProviderQuality::default());
        assert!(none[1..].iter().all(|(_, v)| v == NONE));
        assert_eq!(days(Some(1.0)), "1 day");
        assert_eq!(days(Some(3.0)), "3 days");
    }

    #[test]
    fn credentials_expire_soon_within_30_days() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let d = |n: i64| today + chrono::Duration::days(n);
        assert_eq!(expiry(d(-1), today), Expiry::Expired);
        assert_eq!(expiry(d(0), today), Expiry::Soon);
        assert_eq!(expiry(d(30), today), Expiry::Soon);
        assert_eq!(expiry(d(31), today), Expiry::Current);
    }

    #[test]
    fn the_form_reads_lists_and_a_blank_address_as_none() {
        let p = provider();
        assert_eq!(p.languages, vec!["es", "en"]);
        assert_eq!(p.payers, vec!["Aetna"]);
        assert_eq!(
            p.address
                .as_ref()
                .and_then(|a| a.postal_code.clone())
                .as_deref(),
            Some("97301")
        );
        assert_eq!(insurance_text(&p), "Medicaid, Aetna");
        let blank = ProviderInput {
            kind: "practitioner".into(),
            network_status: "prospect".into(),
            ..Default::default()
        };
        assert_eq!(blank.read().unwrap().address, None);
        let fields: Vec<String> = ProviderInput::default()
            .read()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["kind", "network_status"]);
    }

    #[test]
    fn an_edit_patches_only_what_changed() {
        let p = provider();
        let mut input = ProviderInput::of(&p);
        assert_eq!(input.patch_of(&p).unwrap(), None);
        input.accepting = false;
        input.phone = "503-555-0142".into();
        let patch = input.patch_of(&p).unwrap().unwrap();
        assert_eq!(patch.accepting_new_clients, Some(false));
        assert_eq!(patch.phone, Patch::Value("503-555-0142".into()));
        assert_eq!(patch.name, None);
        assert_eq!(patch.network_status, None);
        assert!(patch.address.is_absent());
        assert_eq!(patch.version, Some(p.version));
    }

    #[test]
    fn addresses_read_on_one_line() {
        let a = Address {
            line1: Some("410 Commercial St NE".into()),
            line2: None,
            city: Some("Salem".into()),
            state: Some("OR".into()),
            postal_code: Some("97301".into()),
        };
        assert_eq!(address_text(&a), "410 Commercial St NE, Salem, OR 97301");
    }
}
