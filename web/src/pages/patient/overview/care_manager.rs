//! The care manager card: the patient's primary care manager and, for
//! supervisors and admins, reassignment.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::ids::UserId;
use shared::patch::Patch;
use shared::patients::{Patient, PatientPatch};
use shared::problem::ProblemKind;

use crate::client;
use crate::components::{ActionForm, Button, Card, Choice, ErrorBanner, SelectField, SubmitButton};
use crate::pages::patient::context::reload_after_conflict;
use crate::state::{Directory, use_auth};
use crate::transport::ApiError;

/// The primary care manager and, for supervisors and admins, reassignment.
#[component]
pub fn CareManagerCard(
    /// The patient; a change replaces it with the changed version.
    patient: RwSignal<Option<Patient>>,
    /// The page's confirmation.
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let can_assign = use_auth().can(Permission::PatientsAssign);
    let directory = expect_context::<Directory>();
    let current = move || patient.with(|p| p.as_ref().and_then(|p| p.primary_care_manager_id));
    let chosen = RwSignal::new(current().map(|u| u.to_string()).unwrap_or_default());
    // Follow the record when it changes underneath (a reload, a save).
    Effect::new(move || {
        let now = current();
        chosen.set(now.map(|u| u.to_string()).unwrap_or_default());
    });
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let options = Signal::derive(move || {
        let now = current();
        let people = directory.carriers_with(now);
        std::iter::once((String::new(), "Unassigned".to_string()))
            .chain(people.into_iter().map(|u| {
                let role = u.role.label();
                (u.id.to_string(), format!("{} ({role})", u.name))
            }))
            .collect::<Vec<Choice>>()
    });

    let on_submit = Callback::new(move |()| {
        error.set(None);
        let Some(p) = patient.get_untracked() else {
            return;
        };
        let to = chosen.get_untracked().parse::<UserId>().ok();
        if to == p.primary_care_manager_id {
            notice.set(Some("The care manager is unchanged.".into()));
            return;
        }
        let patch = PatientPatch {
            primary_care_manager_id: Patch::from(to),
            version: Some(p.version),
            ..Default::default()
        };
        busy.set(true);
        spawn_local(async move {
            let result = client::update_patient(p.id, &patch, p.version).await;
            busy.set(false);
            match result {
                Ok(updated) => {
                    let who = directory.care_manager_label(updated.primary_care_manager_id);
                    patient.set(Some(updated));
                    notice.set(Some(format!("Care manager set to {who}.")));
                }
                Err(e) if e.is(ProblemKind::StaleVersion) => {
                    reload_after_conflict(p.id, patient, error).await;
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });

    view! {
        <Card id="sec-care-manager" title="Care manager">
            <p class="big-fact">{move || directory.care_manager_label(current())}</p>
            <ErrorBanner error=error />
            {can_assign
                .then(|| {
                    view! {
                        <ActionForm on_submit=on_submit busy=busy>
                            <SelectField
                                id="assign-care-manager"
                                label="Assign to"
                                value=chosen
                                options=options
                                on_change=Callback::new(move |v| chosen.set(v))
                            />
                            <SubmitButton
                                button=Button::submit("Assign care manager").busy(busy, "Assigning…").look("secondary")
                            />
                        </ActionForm>
                    }
                })}
        </Card>
    }
}
