//! The encounters tab: hospital, ED, crisis-center and detox stays, and
//! recording an admission or a discharge by hand (a discharge puts a
//! transition follow-up on the care manager's worklist).

use leptos::prelude::*;
use shared::auth::Permission;
use shared::encounters::{Encounter, EncounterListQuery, followup_due};

use super::add_form::RecordStayForm;
use super::list::EncounterTable;
use super::row_actions::{Discharge, DischargeForm};
use crate::client;
use crate::components::forms::stale;
use crate::components::{AddFormState, AddFormToggle, TabSection, use_paged_list};
use crate::dom::focus_later;
use crate::format;
use crate::pages::patient::context::PatientCtx;
use crate::state::use_auth;
use crate::transport::ApiError;

/// Stays per page.
const PAGE: i64 = 50;

/// What to say once a stay is recorded: a discharge puts a follow-up on
/// the worklist, an admission alerts the care team.
pub fn recorded_notice(e: &Encounter) -> String {
    match e.discharged_at {
        Some(at) => format!(
            "Discharge from {} recorded ({}). A transition follow-up is now on the care manager's worklist, due {}.",
            e.facility,
            format::datetime(at),
            format::datetime(followup_due(at))
        ),
        None => format!(
            "Admission to {} recorded; the care team was alerted.",
            e.facility
        ),
    }
}

/// The encounters tab.
#[component]
pub fn PatientEncountersTab() -> impl IntoView {
    let Some(patient_id) = PatientCtx::open_tab("Encounters") else {
        return ().into_any();
    };
    let can_write = use_auth().can(Permission::EncountersWrite);
    let list = use_paged_list(PAGE, move |page| async move {
        let filters = EncounterListQuery {
            patient_id: Some(patient_id),
        };
        client::list_encounters(&filters, &page).await
    });
    list.reload();
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let adding = AddFormState::new();
    let discharge = Discharge::new();

    let on_saved = Callback::new(move |e: Encounter| {
        notice.set(Some(recorded_notice(&e)));
        focus_later("encounters-notice");
        list.reload();
    });
    let on_stale = Callback::new(move |()| {
        error.set(Some(stale("This stay")));
        list.reload();
    });

    view! {
        <TabSection
            title="Encounters"
            action=move || {
                can_write
                    .then(|| {
                        view! {
                            <AddFormToggle
                                label="Record admission or discharge"
                                controls="encounter-form"
                                first_field="enc-kind"
                                form=adding
                            />
                        }
                    })
            }
            notice=(notice, "encounters-notice")
            error=list.error_or(error)
        >
            <RecordStayForm patient_id=patient_id form=adding on_saved=on_saved />
            <EncounterTable list=list can_write=can_write discharge=discharge />
            <DischargeForm discharge=discharge on_saved=on_saved on_stale=on_stale />
        </TabSection>
    }
    .into_any()
}
