//! Recording what happened to an appointment from its row: attended,
//! missed (which puts a follow-up on the worklist), cancelled, rescheduled.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appointments::{Appointment, AppointmentPatch, AppointmentStatus};
use shared::problem::ProblemKind;
use uuid::Uuid;

use crate::client;
use crate::components::PagedList;
use crate::components::forms::stale;
use crate::dom::focus_later;
use crate::format;
use crate::transport::ApiError;

/// The id of the tab's notice, where focus goes after a change.
pub const NOTICE_ID: &str = "appointments-notice";

/// The words of the button that records `to`.
pub fn status_action(to: AppointmentStatus) -> &'static str {
    match to {
        AppointmentStatus::Scheduled => "Mark scheduled",
        AppointmentStatus::Attended => "Mark attended",
        AppointmentStatus::Missed => "Mark missed",
        AppointmentStatus::Cancelled => "Mark cancelled",
        AppointmentStatus::Rescheduled => "Mark rescheduled",
    }
}

/// What to say after an appointment's status changed.
pub fn status_notice(a: &Appointment, when: &str) -> String {
    let what = format!(
        "{} appointment with {} {when}",
        format::words(a.kind.label()),
        a.provider_name
    );
    match a.status {
        AppointmentStatus::Missed => format!(
            "Marked missed: {what}. A missed-appointment follow-up is now on the care manager's worklist."
        ),
        other => format!("Marked {}: {what}.", other.label().to_lowercase()),
    }
}

/// Status changes from the rows of one list, one at a time.
#[derive(Clone, Copy)]
pub struct StatusChanges {
    /// The list the rows are in (a changed row is replaced in place).
    pub list: PagedList<Appointment>,
    /// The appointment whose change is on its way.
    pub changing: RwSignal<Option<Uuid>>,
    /// Why the last change failed.
    pub error: RwSignal<Option<ApiError>>,
    /// What the last change did.
    pub notice: RwSignal<Option<String>>,
}

impl StatusChanges {
    /// Records that `a` is now `to`.
    fn set(self, a: &Appointment, to: AppointmentStatus) {
        if self.changing.get_untracked().is_some() {
            return;
        }
        self.changing.set(Some(a.id));
        self.error.set(None);
        self.notice.set(None);
        let patch = AppointmentPatch {
            status: Some(to),
            version: Some(a.version),
            ..Default::default()
        };
        let (id, version) = (a.id, a.version);
        spawn_local(async move {
            let result = client::update_appointment(id, &patch, version).await;
            self.changing.set(None);
            match result {
                Ok(updated) => {
                    self.notice.set(Some(status_notice(
                        &updated,
                        &format::datetime(updated.scheduled_at),
                    )));
                    self.list.items.update(|all| {
                        if let Some(slot) = all.iter_mut().find(|x| x.id == updated.id) {
                            *slot = updated;
                        }
                    });
                    focus_later(NOTICE_ID);
                }
                Err(e) if e.is(ProblemKind::StaleVersion) => {
                    self.error.set(Some(stale("This appointment")));
                    self.list.reload();
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }
}

/// A row's buttons: one a next status of `appointment`, each naming it
/// (`what`: "Therapy with Jordan Lee, Mar 2 …") for screen readers.
pub fn status_buttons(
    appointment: &Appointment,
    changes: StatusChanges,
    what: &str,
) -> impl IntoView + use<> {
    let id = appointment.id;
    appointment
        .status
        .next_statuses()
        .iter()
        .map(|to| {
            let to = *to;
            let a = appointment.clone();
            view! {
                <button
                    type="button"
                    class="button small secondary"
                    aria-label=format!("{}: {what}", status_action(to))
                    disabled=move || changes.changing.get() == Some(id)
                    on:click=move |_| changes.set(&a, to)
                >
                    {status_action(to)}
                </button>
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::appointments::AppointmentKind;
    use shared::encounters::Source;
    use shared::ids::PatientId;

    fn appointment(status: AppointmentStatus) -> Appointment {
        let t = "2026-03-02T17:00:00Z".parse().unwrap();
        Appointment {
            id: Uuid::nil(),
            patient_id: PatientId::default(),
            provider_name: "Dr. Alvarez".into(),
            kind: AppointmentKind::Psychiatry,
            scheduled_at: t,
            location: None,
            status,
            status_changed_at: None,
            notes: None,
            source: Source::Manual,
            external_id: None,
            followup_task_id: None,
            version: 2,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn a_missed_appointment_says_a_follow_up_is_on_the_worklist() {
        let text = status_notice(&appointment(AppointmentStatus::Missed), "Mar 2");
        assert_eq!(
            text,
            "Marked missed: Psychiatry appointment with Dr. Alvarez Mar 2. A missed-appointment follow-up is now on the care manager's worklist."
        );
        assert_eq!(
            status_notice(&appointment(AppointmentStatus::Attended), "Mar 2"),
            "Marked attended: Psychiatry appointment with Dr. Alvarez Mar 2."
        );
    }

    #[test]
    fn each_next_status_has_a_button() {
        for to in AppointmentStatus::Scheduled.next_statuses() {
            assert!(status_action(*to).starts_with("Mark "));
        }
    }
}
