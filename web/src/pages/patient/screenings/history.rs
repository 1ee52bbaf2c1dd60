//! A patient's screenings, newest first: each with its score and flags,
//! those entered in error marked, and "Mark entered in error" (asking why).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::problem::ProblemKind;
use shared::screening::Screening;

use super::model::{flag_words, summary};
use crate::client;
use crate::components::table::DataTable;
use crate::components::{
    ActionForm, Button, Column, ErrorBanner, FormActions, FormErrors, Modal, Tag, TextField,
};
use crate::format;

const COLUMNS: &[Column] = &[
    Column::Text("Given"),
    Column::Text("Instrument"),
    Column::Text("Result"),
    Column::Text("Flags"),
    Column::Text("Status"),
    Column::Actions,
];

/// The history table.
#[component]
pub fn ScreeningHistory(
    /// Every screening of the patient, oldest first.
    history: RwSignal<Vec<Screening>>,
    /// Whether the person may mark screenings entered in error.
    can_write: bool,
    /// Called with a screening once marked.
    on_marked: Callback<Screening>,
    /// Called when someone else changed it first.
    on_stale: Callback<()>,
) -> impl IntoView {
    let marking = RwSignal::new(None::<Screening>);
    let open = RwSignal::new(false);
    Effect::new(move || {
        if !open.get() {
            marking.set(None);
        }
    });
    let reason = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let save = Callback::new(move |()| {
        let Some(s) = marking.get_untracked() else {
            return;
        };
        let why = reason.get_untracked().trim().to_string();
        if why.is_empty() {
            errors.show_rules(vec![shared::problem::FieldError::new(
                "reason",
                "is required",
            )]);
            return;
        }
        errors.clear();
        busy.set(true);
        spawn_local(async move {
            let result = client::mark_screening_entered_in_error(s.id, &why, s.version).await;
            busy.set(false);
            match result {
                Ok(marked) => {
                    open.set(false);
                    reason.set(String::new());
                    on_marked.run(marked);
                }
                Err(e) if e.is(ProblemKind::StaleVersion) => {
                    open.set(false);
                    on_stale.run(());
                }
                Err(e) => errors.show(e),
            }
        });
    });
    let title = Signal::derive(move || {
        marking.with(|m| {
            m.as_ref().map_or_else(String::new, |s| {
                format!(
                    "Mark the {} of {} entered in error",
                    s.instrument.label(),
                    format::datetime(s.administered_at)
                )
            })
        })
    });

    view! {
        <Show
            when=move || history.with(|h| !h.is_empty())
            fallback=|| view! { <p class="muted">"No screenings yet."</p> }
        >
            <DataTable caption="Screenings, newest first" columns=COLUMNS class="screening-history">
                <For
                    each=move || history.get().into_iter().rev()
                    key=|s| (s.id, s.version)
                    children=move |s| {
                        let wrong = s.entered_in_error.clone();
                        let row_class = if wrong.is_some() { "entered-in-error" } else { "" };
                        let label = format!(
                            "Mark entered in error: the {} of {}",
                            s.instrument.label(),
                            format::datetime(s.administered_at)
                        );
                        let target = s.clone();
                        view! {
                            <tr class=row_class>
                                <th scope="row" data-label="Given">{format::datetime(s.administered_at)}</th>
                                <td data-label="Instrument">{s.instrument.label()}</td>
                                <td data-label="Result">{summary(s.instrument, &s.result)}</td>
                                <td data-label="Flags">
                                    {s.result.flags.iter().map(|f| view! {
                                        <span class="badge tag-danger">{flag_words(*f)}</span>
                                    }).collect_view()}
                                </td>
                                <td data-label="Status">
                                    {match wrong {
                                        Some(w) => view! {
                                            <Tag text="Entered in error" kind="muted" />
                                            <span class="small muted">{format!(" {}", w.reason)}</span>
                                        }.into_any(),
                                        None => view! { <span>"Recorded"</span> }.into_any(),
                                    }}
                                </td>
                                <td class="actions">
                                    {(can_write && s.entered_in_error.is_none()).then(|| view! {
                                        <button
                                            type="button"
                                            class="button small secondary"
                                            aria-label=label
                                            on:click=move |_| {
                                                errors.clear();
                                                reason.set(String::new());
                                                marking.set(Some(target.clone()));
                                                open.set(true);
                                            }
                                        >
                                            "Mark entered in error"
                                        </button>
                                    })}
                                </td>
                            </tr>
                        }
                    }
                />
            </DataTable>
        </Show>
        <Modal open=open title=title id="entered-in-error">
            <ActionForm on_submit=save busy=busy class="stack">
                <p>"The screening stays in the record but no longer counts for trends, measures or rules."</p>
                <ErrorBanner error=errors.banner />
                <TextField
                    id="eie-reason"
                    label="Reason"
                    required=true
                    bind=errors.bind("reason", reason)
                    error_label="Reason"
                />
                <FormActions
                    button=Button::submit("Mark entered in error").busy(busy, "Saving…").look("danger")
                    on_back=Callback::new(move |()| open.set(false))
                />
            </ActionForm>
        </Modal>
    }
}
