//! The appointments tab: the list, adding one, and recording what happened
//! (attended, missed, cancelled, rescheduled). A missed appointment puts a
//! follow-up on the care manager's worklist.

use leptos::prelude::*;
use shared::appointments::{Appointment, AppointmentListQuery};
use shared::auth::Permission;

use super::add_form::AddAppointmentForm;
use super::list::AppointmentTable;
use super::row_actions::{NOTICE_ID, StatusChanges};
use crate::client;
use crate::components::{AddFormState, AddFormToggle, TabSection, use_paged_list};
use crate::dom::focus_later;
use crate::format;
use crate::pages::patient::context::PatientCtx;
use crate::state::use_auth;

/// Appointments per page.
const PAGE: i64 = 50;

/// The appointments tab.
#[component]
pub fn PatientAppointmentsTab() -> impl IntoView {
    let Some(patient_id) = PatientCtx::open_tab("Appointments") else {
        return ().into_any();
    };
    let can_write = use_auth().can(Permission::AppointmentsWrite);
    let list = use_paged_list(PAGE, move |page| async move {
        let filters = AppointmentListQuery {
            patient_id: Some(patient_id),
            ..Default::default()
        };
        client::list_appointments(&filters, &page).await
    });
    list.reload();
    let changes = StatusChanges {
        list,
        changing: RwSignal::new(None),
        error: RwSignal::new(None),
        notice: RwSignal::new(None),
    };
    let adding = AddFormState::new();
    let on_added = Callback::new(move |a: Appointment| {
        changes.notice.set(Some(format!(
            "Appointment with {} on {} added.",
            a.provider_name,
            format::datetime(a.scheduled_at)
        )));
        focus_later(NOTICE_ID);
        list.reload();
    });

    view! {
        <TabSection
            title="Appointments"
            action=move || {
                can_write
                    .then(|| {
                        view! {
                            <AddFormToggle
                                label="Add appointment"
                                controls="appointment-form"
                                first_field="appt-provider"
                                form=adding
                            />
                        }
                    })
            }
            notice=(changes.notice, NOTICE_ID)
            error=list.error_or(changes.error)
        >
            <AddAppointmentForm patient_id=patient_id form=adding on_added=on_added />
            <AppointmentTable list=list can_write=can_write changes=changes />
        </TabSection>
    }
    .into_any()
}
