//! What the parts of a patient's record share: the loaded patient (in
//! context), the record's tabs and their addresses, and how a card explains
//! that someone else changed the patient first.

use leptos::prelude::*;
use shared::ids::PatientId;
use shared::patients::Patient;
use shared::problem::ProblemKind;

use crate::client;
use crate::components::forms::stale_with;
use crate::dom::set_title;
use crate::transport::ApiError;

/// The patient the tabs show, in context.
#[derive(Debug, Clone, Copy)]
pub struct PatientCtx {
    /// The patient, once loaded.
    pub patient: RwSignal<Option<Patient>>,
    /// A confirmation for the whole page.
    pub notice: RwSignal<Option<String>>,
}

impl PatientCtx {
    /// The record's context (the patient page provides it to its tabs).
    pub fn get() -> Self {
        expect_context::<PatientCtx>()
    }

    /// Opens a tab of the record: titles the document "`tab` · name" and
    /// gives the patient's id (none before the patient has loaded, when the
    /// tab shows nothing).
    pub fn open_tab(tab: &str) -> Option<PatientId> {
        let ctx = Self::get();
        let id = ctx.id()?;
        set_title(&format!("{tab} · {}", ctx.name()));
        Some(id)
    }

    /// The loaded patient's id (untracked).
    pub fn id(&self) -> Option<PatientId> {
        self.patient.with_untracked(|p| p.as_ref().map(|p| p.id))
    }

    /// The loaded patient's name (untracked).
    pub fn name(&self) -> String {
        self.patient
            .with_untracked(|p| p.as_ref().map(Patient::display_name))
            .unwrap_or_default()
    }
}

/// The tabs of a patient's record: the path under `/patients/:id` and the words.
pub const TABS: &[(&str, &str)] = &[
    ("", "Overview"),
    ("timeline", "Timeline"),
    ("encounters", "Encounters"),
    ("appointments", "Appointments"),
    ("notes", "Notes"),
    ("screenings", "Screenings"),
    ("care-plan", "Care plan"),
    ("education", "Education"),
    ("referrals", "Referrals"),
];

/// The address of a tab of a patient's record.
pub fn tab_href(patient: PatientId, tab: &str) -> String {
    if tab.is_empty() {
        format!("/patients/{patient}")
    } else {
        format!("/patients/{patient}/{tab}")
    }
}

/// The error for an address that names no patient.
pub fn not_found() -> ApiError {
    ApiError::of_kind(
        ProblemKind::NotFound,
        ProblemKind::NotFound.title(),
        "There is no patient at this address.",
    )
}

/// Reloads the patient after a stale-version answer and says why.
pub async fn reload_after_conflict(
    id: PatientId,
    patient: RwSignal<Option<Patient>>,
    error: RwSignal<Option<ApiError>>,
) {
    match client::get_patient(id).await {
        Ok(p) => {
            patient.set(Some(p));
            error.set(Some(stale_with(
                "This patient",
                "The latest version is now shown and nothing was changed. Please make your choice again.",
            )));
        }
        Err(e) => error.set(Some(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn each_tab_has_its_own_address_under_the_patient() {
        let id = PatientId::from(Uuid::from_u128(3));
        assert_eq!(tab_href(id, ""), format!("/patients/{id}"));
        assert_eq!(tab_href(id, "notes"), format!("/patients/{id}/notes"));
        let paths: Vec<_> = TABS.iter().map(|(t, _)| *t).collect();
        assert_eq!(
            paths,
            vec![
                "",
                "timeline",
                "encounters",
                "appointments",
                "notes",
                "screenings",
                "care-plan",
                "education",
                "referrals"
            ]
        );
    }

    #[test]
    fn an_unknown_patient_is_a_not_found_problem() {
        let e = not_found();
        assert!(e.is(ProblemKind::NotFound));
        assert_eq!(e.title(), "Not found");
        assert_eq!(e.message(), "There is no patient at this address.");
    }
}
