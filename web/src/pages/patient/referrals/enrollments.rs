//! A patient's community programs and entitlements: each enrollment with
//! its dated steps (`referred → applied → enrolled | denied → exited`,
//! buttons only for the steps `EnrollmentStatus::next_statuses` allows),
//! its renewal date, and the form that refers the patient to a program.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::ids::PatientId;
use shared::pagination::{MAX_LIMIT, PageQuery};
use shared::patch::Patch;
use shared::problem::{FieldError, ProblemKind};
use shared::programs::{Enrollment, EnrollmentPatch, EnrollmentStatus, NewEnrollment, Program};
use shared::validation::blank_to_none;
use uuid::Uuid;

use crate::client;
use crate::components::forms::stale;
use crate::components::{
    AddForm, AddFormState, AddFormToggle, Choice, Column, ErrorBanner, InputReader, Notice,
    PagedList, PagedTable, SelectField, Tag, TextField, text_inputs, use_paged_list,
};
use crate::dom::focus_later;
use crate::format;
use crate::rules;
use crate::state::use_auth;
use crate::transport::ApiError;

/// Enrollments per page.
const PAGE: i64 = 50;

/// The id of the section's notice.
const NOTICE_ID: &str = "enrollments-notice";

const COLUMNS: &[Column] = &[
    Column::Text("Program"),
    Column::Text("Status"),
    Column::Text("Dates"),
    Column::Text("Renewal due"),
    Column::Actions,
];

/// The words of the button that takes an enrollment to `to`.
pub fn enrollment_action(to: EnrollmentStatus) -> &'static str {
    match to {
        EnrollmentStatus::Referred => "Mark referred",
        EnrollmentStatus::Applied => "Mark applied",
        EnrollmentStatus::Enrolled => "Mark enrolled",
        EnrollmentStatus::Denied => "Mark denied",
        EnrollmentStatus::Exited => "Mark exited",
    }
}

/// An enrollment's dated steps: `Referred 11/02/2026 · Applied 11/09/2026`.
pub fn dates_text(e: &Enrollment) -> String {
    [
        ("Referred", Some(e.referred_on)),
        ("Applied", e.applied_on),
        ("Enrolled", e.enrolled_on),
        ("Denied", e.denied_on),
        ("Exited", e.exited_on),
    ]
    .into_iter()
    .filter_map(|(label, d)| d.map(|d| format!("{label} {}", format::date(d))))
    .collect::<Vec<_>>()
    .join(" · ")
}

/// The look of a status tag.
fn status_look(s: EnrollmentStatus) -> &'static str {
    match s {
        EnrollmentStatus::Enrolled => "ok",
        EnrollmentStatus::Denied => "warn",
        EnrollmentStatus::Exited => "muted",
        EnrollmentStatus::Referred | EnrollmentStatus::Applied => "",
    }
}

/// Changes to the rows, one at a time.
#[derive(Clone, Copy)]
struct RowChanges {
    list: PagedList<Enrollment>,
    changing: RwSignal<Option<Uuid>>,
    error: RwSignal<Option<ApiError>>,
    notice: RwSignal<Option<String>>,
}

impl RowChanges {
    fn send(self, e: &Enrollment, patch: EnrollmentPatch, said: String) {
        if self.changing.get_untracked().is_some() {
            return;
        }
        self.changing.set(Some(e.id));
        self.error.set(None);
        self.notice.set(None);
        let (id, version) = (e.id, e.version);
        spawn_local(async move {
            let result = client::update_enrollment(id, &patch, version).await;
            self.changing.set(None);
            match result {
                Ok(updated) => {
                    self.list.items.update(|all| {
                        if let Some(slot) = all.iter_mut().find(|x| x.id == updated.id) {
                            *slot = updated;
                        }
                    });
                    self.notice.set(Some(said));
                    focus_later(NOTICE_ID);
                }
                Err(e) if e.is(ProblemKind::StaleVersion) => {
                    self.error.set(Some(stale("This enrollment")));
                    self.list.reload();
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }
}

/// The program enrollments section of the Referrals tab.
#[component]
pub fn EnrollmentsSection(
    /// The patient.
    patient_id: PatientId,
) -> impl IntoView {
    let can_write = use_auth().can(Permission::PatientsWrite);
    let list = use_paged_list(PAGE, move |page| async move {
        client::list_enrollments(patient_id, &page).await
    });
    list.reload();
    let changes = RowChanges {
        list,
        changing: RwSignal::new(None),
        error: RwSignal::new(None),
        notice: RwSignal::new(None),
    };
    let form = AddFormState::new();
    let on_added = Callback::new(move |e: Enrollment| {
        changes
            .notice
            .set(Some(format!("Referred to {}.", e.program_name)));
        focus_later(NOTICE_ID);
        list.reload();
    });
    view! {
        <section aria-labelledby="enrollments-heading" class="card">
            <div class="section-head">
                <h2 id="enrollments-heading">"Program enrollments"</h2>
                {can_write
                    .then(|| {
                        view! {
                            <AddFormToggle
                                label="Add enrollment"
                                controls="enrollment-form"
                                first_field="enrollment-program"
                                form=form
                            />
                        }
                    })}
            </div>
            <Notice message=changes.notice id=NOTICE_ID />
            <ErrorBanner error=list.error_or(changes.error) />
            {can_write.then(|| view! { <EnrollmentForm patient_id=patient_id form=form on_added=on_added /> })}
            <PagedTable
                list=list
                what="enrollments"
                more="Load more enrollments"
                empty=|| view! { <p class="muted">"No program enrollments yet."</p> }
                caption="Program enrollments"
                columns=COLUMNS
            >
                <For
                    each=move || list.items.get()
                    key=|e| (e.id, e.version)
                    children=move |e| view! { <EnrollmentRow enrollment=e changes=changes can_write=can_write /> }
                />
            </PagedTable>
        </section>
    }
}

/// One enrollment.
#[component]
fn EnrollmentRow(enrollment: Enrollment, changes: RowChanges, can_write: bool) -> impl IntoView {
    let e = enrollment;
    let id = e.id;
    let name = e.program_name.clone();
    let steps = e
        .status
        .next_statuses()
        .iter()
        .map(|to| {
            let to = *to;
            let row = e.clone();
            let said = format!("{}: {}.", name, to.label().to_lowercase());
            view! {
                <button
                    type="button"
                    class="button small secondary"
                    aria-label=format!("{}: {name}", enrollment_action(to))
                    disabled=move || changes.changing.get() == Some(id)
                    on:click=move |_| {
                        let patch = EnrollmentPatch {
                            status: Some(to),
                            version: Some(row.version),
                            ..Default::default()
                        };
                        changes.send(&row, patch, said.clone());
                    }
                >
                    {enrollment_action(to)}
                </button>
            }
        })
        .collect_view();
    let renewal = e.renewal_due_on.map(format::date);
    view! {
        <tr>
            <th scope="row" data-label="Program">
                {e.program_name.clone()}
                <span class="block muted small">{e.program_kind.label()}</span>
            </th>
            <td data-label="Status">
                <Tag text=e.status.label() kind=status_look(e.status) />
            </td>
            <td data-label="Dates">{dates_text(&e)}</td>
            <td data-label="Renewal due">{renewal.unwrap_or_else(|| "None".into())}</td>
            <td class="actions stacked-actions">
                {can_write.then(|| view! { {steps} <RenewalControl enrollment=e.clone() changes=changes /> })}
            </td>
        </tr>
    }
}

/// Setting an active enrollment's renewal date (a task opens 30 days
/// ahead).
#[component]
fn RenewalControl(enrollment: Enrollment, changes: RowChanges) -> impl IntoView {
    if enrollment.status != EnrollmentStatus::Enrolled {
        return ().into_any();
    }
    let open = RwSignal::new(false);
    let date = RwSignal::new(
        enrollment
            .renewal_due_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    let field_id = format!("renewal-{}", enrollment.id);
    let name = enrollment.program_name.clone();
    let save = move |_| {
        let patch_value = match blank_to_none(date.get_untracked()) {
            None => Patch::Null,
            Some(text) => {
                let Ok(d) = text.parse() else {
                    error.set(Some("Renewal date is not a date.".into()));
                    return;
                };
                Patch::Value(d)
            }
        };
        let patch = EnrollmentPatch {
            renewal_due_on: patch_value,
            version: Some(enrollment.version),
            ..Default::default()
        };
        changes.send(
            &enrollment,
            patch,
            format!("Renewal date of {} saved.", enrollment.program_name),
        );
    };
    view! {
        <Show
            when=move || open.get()
            fallback=move || {
                let name = name.clone();
                view! {
                    <button
                        type="button"
                        class="button small secondary"
                        aria-label=format!("Set the renewal date of {name}")
                        on:click=move |_| open.set(true)
                    >
                        "Renewal date"
                    </button>
                }
            }
        >
            <TextField
                id=field_id.clone()
                label="Renew by"
                input_type="date"
                value=date
                on_input=Callback::new(move |v| {
                    date.set(v);
                    error.set(None);
                })
                error=error
            />
            <button type="button" class="button small primary" on:click=save.clone()>
                "Save renewal date"
            </button>
        </Show>
    }
    .into_any()
}

/// Referring the patient to a program.
#[component]
fn EnrollmentForm(
    patient_id: PatientId,
    form: AddFormState,
    on_added: Callback<Enrollment>,
) -> impl IntoView {
    let errors = form.errors;
    let [program, referred, notes] = text_inputs();
    let programs = RwSignal::new(Vec::<Program>::new());
    Effect::new(move |asked: Option<bool>| {
        if asked == Some(true) || !form.open.get() {
            return asked.unwrap_or(false);
        }
        spawn_local(async move {
            match client::list_programs(&PageQuery::first(MAX_LIMIT)).await {
                Ok(page) => programs.set(page.items),
                Err(e) => form.errors.show(e),
            }
        });
        true
    });
    let submit = Callback::new(move |()| {
        let mut reader = InputReader::new();
        let program_id = reader.chosen::<Uuid>("program_id", program);
        let referred_on = match blank_to_none(referred.get_untracked()) {
            None => None,
            Some(text) => reader.read(
                text.parse()
                    .map_err(|_| FieldError::new("referred_on", "is not a date")),
            ),
        };
        let found = reader.errors(vec![]);
        let Some(program_id) = program_id.filter(|_| found.is_empty()) else {
            errors.show_rules(found);
            return;
        };
        let new = NewEnrollment {
            program_id,
            referred_on,
            notes: blank_to_none(notes.get_untracked()),
        };
        if errors.show_rules(rules::errors(new.clone())) {
            return;
        }
        form.save(
            async move { client::enroll(patient_id, &new).await },
            [program, referred, notes],
            on_added,
        );
    });
    let program_choices = Signal::derive(move || {
        std::iter::once((String::new(), "Choose a program…".to_string()))
            .chain(programs.with(|ps| {
                ps.iter()
                    .map(|p| (p.id.to_string(), format!("{} ({})", p.name, p.kind.label())))
                    .collect::<Vec<Choice>>()
            }))
            .collect::<Vec<Choice>>()
    });
    let eligibility = move || {
        let chosen = program.get();
        programs.with(|ps| {
            ps.iter()
                .find(|p| p.id.to_string() == chosen)
                .and_then(|p| p.eligibility_notes.clone())
        })
    };
    view! {
        <AddForm
            id="enrollment-form"
            form=form
            on_submit=submit
            label="Save enrollment"
            busy_label="Saving…"
            heading=("enrollment-form-heading", "Refer to a program")
        >
            <div class="grid grid-2">
                <SelectField
                    id="enrollment-program"
                    label="Program"
                    required=true
                    options=program_choices
                    bind=errors.bind("program_id", program)
                />
                <TextField
                    id="enrollment-referred"
                    label="Referred on"
                    input_type="date"
                    max=format::today().to_string()
                    hint="Today when left empty."
                    bind=errors.bind("referred_on", referred)
                    error_label="Referral date"
                />
            </div>
            {move || eligibility().map(|n| view! { <p class="hint">{format!("Eligibility: {n}")}</p> })}
            <TextField id="enrollment-notes" label="Notes" multiline=true bind=errors.bind("notes", notes) />
        </AddForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Utc};
    use shared::programs::ProgramKind;

    #[test]
    fn the_dates_read_in_lifecycle_order() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        let e = Enrollment {
            id: Uuid::nil(),
            patient_id: PatientId::default(),
            program_id: Uuid::nil(),
            program_name: "SNAP".into(),
            program_kind: ProgramKind::Benefits,
            status: EnrollmentStatus::Enrolled,
            referred_on: d(2),
            applied_on: Some(d(9)),
            enrolled_on: Some(d(20)),
            denied_on: None,
            exited_on: None,
            renewal_due_on: None,
            notes: None,
            version: 3,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert_eq!(
            dates_text(&e),
            "Referred 11/02/2026 · Applied 11/09/2026 · Enrolled 11/20/2026"
        );
        for to in EnrollmentStatus::Referred.next_statuses() {
            assert!(enrollment_action(*to).starts_with("Mark "));
        }
    }
}
