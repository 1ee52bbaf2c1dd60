//! App-wide state shared through context: who is signed in, the
//! organization's users (to name and pick care managers), and the patient
//! list's filters (kept while the person opens patients and comes back).
//!
//! The top of the SPA's one-way stack `transport → session → client →
//! state`: it loads through [`crate::client`] and hears from
//! [`crate::session`] when a session ends, by a listener it registers.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::{Me, Permission};
use shared::case_status::CaseStatus;
use shared::ids::UserId;
use shared::patients::PatientListQuery;
use shared::risk::RiskLevel;
use shared::users::User;
use shared::validation::blank_to_none;

use crate::{client, session};

/// Where the session stands.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthState {
    /// Resuming a stored session at start-up.
    Checking,
    /// Nobody is signed in; `notice` says why, when there is something to say.
    SignedOut {
        /// E.g. "Your session has ended".
        notice: Option<String>,
    },
    /// Signed in as this person.
    SignedIn(Me),
}

/// The session, in context.
#[derive(Debug, Clone, Copy)]
pub struct Auth(pub RwSignal<AuthState>);

impl Auth {
    /// Creates the state and has the session module tell it when the
    /// session ends without the person signing out (refresh token refused
    /// or gone).
    pub fn new() -> Self {
        let signal = RwSignal::new(AuthState::Checking);
        session::on_end(move |notice| signal.set(AuthState::SignedOut { notice }));
        Auth(signal)
    }

    /// The signed-in person (tracked).
    pub fn me(&self) -> Option<Me> {
        self.0.with(|s| match s {
            AuthState::SignedIn(me) => Some(me.clone()),
            _ => None,
        })
    }

    /// Whether the signed-in person may do `p` (tracked).
    pub fn can(&self, p: Permission) -> bool {
        self.0
            .with(|s| matches!(s, AuthState::SignedIn(me) if me.role.permits(p)))
    }
}

impl Default for Auth {
    fn default() -> Self {
        Self::new()
    }
}

/// The signed-in context: panics outside the app.
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// The organization's users.
#[derive(Debug, Clone, Copy)]
pub struct Directory {
    /// Everyone, active or not.
    pub users: RwSignal<Vec<User>>,
    /// Whether the list has arrived.
    pub loaded: RwSignal<bool>,
}

impl Directory {
    /// An empty directory.
    pub fn new() -> Self {
        Directory {
            users: RwSignal::new(vec![]),
            loaded: RwSignal::new(false),
        }
    }

    /// Loads (again) from the API.
    pub fn reload(&self) {
        let this = *self;
        spawn_local(async move {
            if let Ok(users) = client::all_users().await {
                this.users.set(users);
                this.loaded.set(true);
            }
        });
    }

    /// A user's name (tracked).
    pub fn name_of(&self, id: UserId) -> Option<String> {
        self.users
            .with(|u| u.iter().find(|u| u.id == id).map(|u| u.name.clone()))
    }

    /// A care manager's name for display, `Unassigned` for none.
    pub fn care_manager_label(&self, id: Option<UserId>) -> String {
        match id {
            None => "Unassigned".into(),
            Some(id) => self.name_of(id).unwrap_or_else(|| "Unknown user".into()),
        }
    }

    /// Active people who can carry a caseload, by name (tracked).
    pub fn caseload_carriers(&self) -> Vec<User> {
        self.users.with(|u| {
            u.iter()
                .filter(|u| u.active && u.role.can_carry_caseload())
                .cloned()
                .collect()
        })
    }
}

impl Directory {
    /// The caseload carriers plus `current` (even when inactive), so a
    /// select always shows who is assigned now (tracked).
    pub fn carriers_with(&self, current: Option<UserId>) -> Vec<User> {
        let mut people = self.caseload_carriers();
        let missing = current.filter(|id| !people.iter().any(|u| u.id == *id));
        if let Some(u) = missing.and_then(|id| {
            self.users
                .with(|us| us.iter().find(|u| u.id == id).cloned())
        }) {
            people.push(u);
        }
        people
    }
}

impl Default for Directory {
    fn default() -> Self {
        Self::new()
    }
}

/// The care-manager filter of the patient list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CareManagerFilter {
    /// Any care manager (or none).
    #[default]
    Anyone,
    /// The signed-in person's caseload.
    Mine,
    /// This person's caseload.
    Person(UserId),
}

impl CareManagerFilter {
    /// The value of the filter's `<select>` option.
    pub fn as_value(self) -> String {
        match self {
            CareManagerFilter::Anyone => String::new(),
            CareManagerFilter::Mine => "mine".into(),
            CareManagerFilter::Person(id) => id.to_string(),
        }
    }

    /// Reads a `<select>` value back.
    pub fn from_value(v: &str) -> Self {
        match v {
            "mine" => CareManagerFilter::Mine,
            _ => v
                .parse::<UserId>()
                .map(CareManagerFilter::Person)
                .unwrap_or_default(),
        }
    }
}

/// The patient list's filters, as chosen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatientFilters {
    /// Search text.
    pub q: String,
    /// Case status.
    pub status: Option<CaseStatus>,
    /// Risk level.
    pub risk_level: Option<RiskLevel>,
    /// Care manager.
    pub care_manager: CareManagerFilter,
}

/// Page size of the patient list.
pub const PATIENT_PAGE: i64 = 25;

impl PatientFilters {
    /// The API's filters for these choices (`me` is the signed-in user);
    /// the page goes beside them.
    pub fn to_query(&self, me: Option<UserId>) -> PatientListQuery {
        PatientListQuery {
            q: blank_to_none(&self.q),
            status: self.status,
            risk_level: self.risk_level,
            care_manager_id: match self.care_manager {
                CareManagerFilter::Anyone => None,
                CareManagerFilter::Mine => me,
                CareManagerFilter::Person(id) => Some(id),
            },
        }
    }

    /// Whether any filter narrows the list.
    pub fn is_filtered(&self) -> bool {
        *self != PatientFilters::default()
    }
}

/// The patient list's filters, kept for the session.
#[derive(Debug, Clone, Copy)]
pub struct ListState {
    /// The filters.
    pub filters: RwSignal<PatientFilters>,
}

impl ListState {
    /// Default filters.
    pub fn new() -> Self {
        ListState {
            filters: RwSignal::new(PatientFilters::default()),
        }
    }
}

impl Default for ListState {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn the_default_filters_ask_for_a_first_page_of_everyone() {
        let q = PatientFilters::default().to_query(None);
        assert_eq!(q, PatientListQuery::default());
        let first = shared::pagination::PageQuery::first(PATIENT_PAGE);
        assert_eq!(
            crate::transport::paged_path("/api/v1/patients", &q, &first),
            "/api/v1/patients?limit=25"
        );
        assert!(!PatientFilters::default().is_filtered());
    }

    #[test]
    fn my_patients_means_my_id_and_blank_search_is_no_search() {
        let me = UserId::from(Uuid::from_u128(5));
        let f = PatientFilters {
            q: "  ".into(),
            care_manager: CareManagerFilter::Mine,
            status: Some(CaseStatus::Active),
            ..Default::default()
        };
        let q = f.to_query(Some(me));
        assert_eq!(q.q, None);
        assert_eq!(q.care_manager_id, Some(me));
        assert_eq!(q.status, Some(CaseStatus::Active));
        assert!(f.is_filtered());
    }

    #[test]
    fn care_manager_choices_round_trip_through_select_values() {
        let id = UserId::from(Uuid::from_u128(77));
        for f in [
            CareManagerFilter::Anyone,
            CareManagerFilter::Mine,
            CareManagerFilter::Person(id),
        ] {
            assert_eq!(CareManagerFilter::from_value(&f.as_value()), f);
        }
        assert_eq!(
            CareManagerFilter::from_value("junk"),
            CareManagerFilter::Anyone
        );
    }
}
