//! Editing (or creating) a care plan: needs, goals (with an optional
//! measure), interventions, participants and their agreement, the review
//! due date and completing a review, saved as one new version. An edit
//! based on an old version is refused (412): nothing typed is lost — the
//! latest version loads under the person's changes, and what the other
//! person changed is listed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::care_plan::{
    CarePlan, CarePlanContent, Comparator, GoalStatus, InterventionStatus, NeedDomain, NeedStatus,
    PartyKind, diff,
};
use shared::ids::PatientId;
use shared::problem::{FieldError, ProblemKind};
use strum::VariantArray;

use super::model::{
    GoalInput, InterventionInput, NeedInput, ParticipantInput, PlanDraft, comparator_label,
    field_words, goal_status_label, intervention_status_label, measurable_instruments,
    need_status_label, party_label, rebase,
};
use crate::client;
use crate::components::forms::field_message;
use crate::components::{
    ActionForm, Button, CheckboxField, Choice, ErrorBanner, FormActions, SelectField, TextField,
    choices,
};
use crate::dom::{focus_element, focus_later};
use crate::format;
use crate::rules;
use crate::transport::ApiError;

/// One item of a list in the form: a key of its own (stable while the
/// person adds and removes items) and its inputs.
struct Row<T: Send + Sync + 'static> {
    key: u64,
    value: RwSignal<T>,
}

impl<T: Send + Sync + 'static> Clone for Row<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Row<T> {}

/// The form's inputs, list by list, and the errors found.
#[derive(Clone, Copy)]
struct DraftState {
    needs: RwSignal<Vec<Row<NeedInput>>>,
    goals: RwSignal<Vec<Row<GoalInput>>>,
    interventions: RwSignal<Vec<Row<InterventionInput>>>,
    participants: RwSignal<Vec<Row<ParticipantInput>>>,
    review_due_on: RwSignal<String>,
    complete_review: RwSignal<bool>,
    review_outcome: RwSignal<String>,
    next_due_on: RwSignal<String>,
    next_key: StoredValue<u64>,
    errors: RwSignal<Vec<FieldError>>,
}

impl DraftState {
    fn new(d: &PlanDraft) -> Self {
        let s = DraftState {
            needs: RwSignal::new(vec![]),
            goals: RwSignal::new(vec![]),
            interventions: RwSignal::new(vec![]),
            participants: RwSignal::new(vec![]),
            review_due_on: RwSignal::new(String::new()),
            complete_review: RwSignal::new(false),
            review_outcome: RwSignal::new(String::new()),
            next_due_on: RwSignal::new(String::new()),
            next_key: StoredValue::new(0),
            errors: RwSignal::new(vec![]),
        };
        s.load(d);
        s
    }

    fn row<T: Send + Sync + 'static>(&self, value: T) -> Row<T> {
        self.next_key.update_value(|k| *k += 1);
        Row {
            key: self.next_key.get_value(),
            value: RwSignal::new(value),
        }
    }

    fn rows<T: Clone + Send + Sync + 'static>(&self, items: &[T]) -> Vec<Row<T>> {
        items.iter().map(|i| self.row(i.clone())).collect()
    }

    /// Puts `d` in the form.
    fn load(&self, d: &PlanDraft) {
        self.needs.set(self.rows(&d.needs));
        self.goals.set(self.rows(&d.goals));
        self.interventions.set(self.rows(&d.interventions));
        self.participants.set(self.rows(&d.participants));
        self.review_due_on.set(d.review_due_on.clone());
        self.complete_review.set(d.complete_review);
        self.review_outcome.set(d.review_outcome.clone());
        self.next_due_on.set(d.next_due_on.clone());
        self.errors.set(vec![]);
    }

    /// What the form holds now (untracked).
    fn snapshot(&self) -> PlanDraft {
        fn values<T: Clone + Send + Sync + 'static>(rows: RwSignal<Vec<Row<T>>>) -> Vec<T> {
            rows.with_untracked(|r| r.iter().map(|x| x.value.get_untracked()).collect())
        }
        PlanDraft {
            needs: values(self.needs),
            goals: values(self.goals),
            interventions: values(self.interventions),
            participants: values(self.participants),
            review_due_on: self.review_due_on.get_untracked(),
            complete_review: self.complete_review.get_untracked(),
            review_outcome: self.review_outcome.get_untracked(),
            next_due_on: self.next_due_on.get_untracked(),
        }
    }
}

/// One item's inputs, wired to its list and to the form's errors (each
/// named as the API names it: `goals[1].text`).
struct Item<T: Send + Sync + 'static> {
    list: RwSignal<Vec<Row<T>>>,
    row: Row<T>,
    prefix: &'static str,
    errors: RwSignal<Vec<FieldError>>,
}

impl<T: Send + Sync + 'static> Clone for Item<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Item<T> {}

impl<T: Clone + Send + Sync + 'static> Item<T> {
    /// Where the item is in its list (tracked).
    fn index(self) -> Option<usize> {
        let key = self.row.key;
        self.list.with(|l| l.iter().position(|r| r.key == key))
    }

    /// The API's name of one of its fields, at its place now (untracked).
    fn name(self, field: &str) -> Option<String> {
        let key = self.row.key;
        self.list
            .with_untracked(|l| l.iter().position(|r| r.key == key))
            .map(|i| format!("{}[{i}].{field}", self.prefix))
    }

    /// The input's id.
    fn id(self, field: &str) -> String {
        format!("{}-{}-{field}", self.prefix, self.row.key)
    }

    /// The error beside a field, as a sentence naming it `label`.
    fn error(self, field: &'static str, label: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            let i = self.index()?;
            let name = format!("{}[{i}].{field}", self.prefix);
            self.errors.with(|e| field_message(e, &name, label))
        })
    }

    /// A text input of the item.
    fn text(self, get: fn(&T) -> &String) -> Signal<String> {
        let value = self.row.value;
        Signal::derive(move || value.with(|v| get(v).clone()))
    }

    /// What typing in it does: keeps the text, forgets its error.
    fn on_text(self, field: &'static str, set: fn(&mut T) -> &mut String) -> Callback<String> {
        let value = self.row.value;
        Callback::new(move |text: String| {
            value.update(|v| *set(v) = text);
            if let Some(name) = self.name(field)
                && self
                    .errors
                    .with_untracked(|e| e.iter().any(|x| x.field == name))
            {
                self.errors.update(|e| e.retain(|x| x.field != name));
            }
        })
    }

    /// Removes the item (the errors, named by place, no longer fit).
    fn remove(self) {
        let key = self.row.key;
        self.list.update(|l| l.retain(|r| r.key != key));
        self.errors.set(vec![]);
    }
}

/// The options of a `<select>` over codes.
fn options<T: Copy + AsRef<str> + 'static>(
    items: &[T],
    label: fn(T) -> String,
    placeholder: Option<&str>,
) -> Signal<Vec<Choice>> {
    Signal::stored(choices(items, label, placeholder))
}

/// The heading of an item ("Goal 2").
fn item_legend<T: Clone + Send + Sync + 'static>(
    item: Item<T>,
    noun: &'static str,
) -> impl IntoView {
    view! { <legend>{move || format!("{noun} {}", item.index().map_or(0, |i| i + 1))}</legend> }
}

/// The button that removes an item ("Remove goal 2").
fn item_remove<T: Clone + Send + Sync + 'static>(
    item: Item<T>,
    noun: &'static str,
) -> impl IntoView {
    let noun = noun.to_lowercase();
    view! {
        <div class="item-actions">
            <button
                type="button"
                class="button small danger-text"
                aria-label=move || format!("Remove {noun} {}", item.index().map_or(0, |i| i + 1))
                on:click=move |_| item.remove()
            >
                "Remove"
            </button>
        </div>
    }
}

#[component]
fn NeedFields(item: Item<NeedInput>) -> impl IntoView {
    view! {
        <fieldset class="plan-item">
            {item_legend(item, "Need")}
            <div class="grid grid-2">
                <SelectField
                    id=item.id("domain")
                    label="Domain"
                    required=true
                    options=options(NeedDomain::VARIANTS, |d| d.label().to_string(), Some("Choose a domain…"))
                    value=item.text(|n| &n.domain)
                    on_change=item.on_text("domain", |n| &mut n.domain)
                    error=item.error("domain", "Domain")
                />
                <SelectField
                    id=item.id("status")
                    label="Status"
                    options=options(NeedStatus::VARIANTS, |s| need_status_label(s).to_string(), None)
                    value=item.text(|n| &n.status)
                    on_change=item.on_text("status", |n| &mut n.status)
                    error=item.error("status", "Status")
                />
            </div>
            <TextField
                id=item.id("description")
                label="Description"
                required=true
                value=item.text(|n| &n.description)
                on_input=item.on_text("description", |n| &mut n.description)
                error=item.error("description", "Description")
            />
            {item_remove(item, "Need")}
        </fieldset>
    }
}

#[component]
fn GoalFields(item: Item<GoalInput>) -> impl IntoView {
    let instruments = measurable_instruments();
    view! {
        <fieldset class="plan-item">
            {item_legend(item, "Goal")}
            <TextField
                id=item.id("text")
                label="Goal"
                required=true
                multiline=true
                hint="Specific, measurable, achievable, relevant, time-bound."
                value=item.text(|g| &g.text)
                on_input=item.on_text("text", |g| &mut g.text)
                error=item.error("text", "Goal")
            />
            <div class="grid grid-2">
                <TextField
                    id=item.id("target")
                    label="Target date"
                    input_type="date"
                    required=true
                    value=item.text(|g| &g.target_date)
                    on_input=item.on_text("target_date", |g| &mut g.target_date)
                    error=item.error("target_date", "Target date")
                />
                <SelectField
                    id=item.id("status")
                    label="Status"
                    options=options(GoalStatus::VARIANTS, |s| goal_status_label(s).to_string(), None)
                    value=item.text(|g| &g.status)
                    on_change=item.on_text("status", |g| &mut g.status)
                    error=item.error("status", "Status")
                />
            </div>
            <div class="grid grid-3">
                <SelectField
                    id=item.id("instrument")
                    label="Measure"
                    hint="Optional: the latest score to reach."
                    options=Signal::stored(choices(&instruments, |i| i.label().to_string(), Some("No measure")))
                    value=item.text(|g| &g.instrument)
                    on_change=item.on_text("measure.instrument", |g| &mut g.instrument)
                    error=item.error("measure.instrument", "Measure")
                />
                <SelectField
                    id=item.id("comparator")
                    label="Score"
                    options=options(Comparator::VARIANTS, comparator_label, None)
                    value=item.text(|g| &g.comparator)
                    on_change=item.on_text("measure.comparator", |g| &mut g.comparator)
                    error=item.error("measure.comparator", "Score")
                />
                <TextField
                    id=item.id("value")
                    label="Value"
                    input_type="number"
                    inputmode="numeric"
                    value=item.text(|g| &g.value)
                    on_input=item.on_text("measure.value", |g| &mut g.value)
                    error=item.error("measure.value", "Value")
                />
            </div>
            {item_remove(item, "Goal")}
        </fieldset>
    }
}

#[component]
fn InterventionFields(item: Item<InterventionInput>) -> impl IntoView {
    view! {
        <fieldset class="plan-item">
            {item_legend(item, "Intervention")}
            <TextField
                id=item.id("description")
                label="What will be done"
                required=true
                value=item.text(|i| &i.description)
                on_input=item.on_text("description", |i| &mut i.description)
                error=item.error("description", "What will be done")
            />
            <div class="grid grid-2">
                <SelectField
                    id=item.id("kind")
                    label="Responsible"
                    options=options(PartyKind::VARIANTS, |k| party_label(k).to_string(), None)
                    value=item.text(|i| &i.kind)
                    on_change=item.on_text("responsible.kind", |i| &mut i.kind)
                    error=item.error("responsible.kind", "Responsible")
                />
                <TextField
                    id=item.id("name")
                    label="Name of who is responsible"
                    value=item.text(|i| &i.name)
                    on_input=item.on_text("responsible.name", |i| &mut i.name)
                    error=item.error("responsible.name", "Name")
                />
                <TextField
                    id=item.id("frequency")
                    label="How often"
                    value=item.text(|i| &i.frequency)
                    on_input=item.on_text("frequency", |i| &mut i.frequency)
                    error=item.error("frequency", "How often")
                />
                <TextField
                    id=item.id("due")
                    label="Due"
                    input_type="date"
                    value=item.text(|i| &i.due_on)
                    on_input=item.on_text("due_on", |i| &mut i.due_on)
                    error=item.error("due_on", "Due date")
                />
                <SelectField
                    id=item.id("status")
                    label="Status"
                    options=options(InterventionStatus::VARIANTS, |s| intervention_status_label(s).to_string(), None)
                    value=item.text(|i| &i.status)
                    on_change=item.on_text("status", |i| &mut i.status)
                    error=item.error("status", "Status")
                />
            </div>
            {item_remove(item, "Intervention")}
        </fieldset>
    }
}

#[component]
fn ParticipantFields(item: Item<ParticipantInput>) -> impl IntoView {
    let value = item.row.value;
    let agreed = Signal::derive(move || value.with(|p| p.agreed));
    let kinds = [
        PartyKind::Patient,
        PartyKind::Contact,
        PartyKind::CareTeamMember,
    ];
    view! {
        <fieldset class="plan-item">
            {item_legend(item, "Participant")}
            <div class="grid grid-2">
                <TextField
                    id=item.id("name")
                    label="Name"
                    required=true
                    value=item.text(|p| &p.name)
                    on_input=item.on_text("name", |p| &mut p.name)
                    error=item.error("name", "Name")
                />
                <SelectField
                    id=item.id("kind")
                    label="Who"
                    options=Signal::stored(choices(&kinds, |k| party_label(k).to_string(), None))
                    value=item.text(|p| &p.kind)
                    on_change=item.on_text("kind", |p| &mut p.kind)
                    error=item.error("kind", "Who")
                />
            </div>
            <CheckboxField
                id=item.id("agreed")
                label="Agreed to the plan"
                checked=agreed
                on_change=Callback::new(move |on: bool| {
                    value.update(|p| {
                        p.agreed = on;
                        if on && p.agreed_on.is_empty() {
                            p.agreed_on = format::today().format("%Y-%m-%d").to_string();
                        }
                    });
                })
            />
            <Show when=move || agreed.get()>
                <TextField
                    id=item.id("agreed-on")
                    label="Agreed on"
                    input_type="date"
                    required=true
                    value=item.text(|p| &p.agreed_on)
                    on_input=item.on_text("agreed_on", |p| &mut p.agreed_on)
                    error=item.error("agreed_on", "Agreement date")
                />
            </Show>
            {item_remove(item, "Participant")}
        </fieldset>
    }
}

/// One list of the plan in the form: its items and the button that adds one.
#[component]
fn ItemList<T, V>(
    /// The section's words ("Goals").
    title: &'static str,
    /// The button's words ("Add goal").
    add_label: &'static str,
    /// The list.
    list: RwSignal<Vec<Row<T>>>,
    /// The API's name of the list (`goals`).
    prefix: &'static str,
    /// The form.
    state: DraftState,
    /// A new item.
    blank: fn() -> T,
    /// The id suffix of a new item's first input.
    first: &'static str,
    /// The fields of an item.
    fields: fn(Item<T>) -> V,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let errors = state.errors;
    let add = move |_| {
        let row = state.row(blank());
        list.update(|l| l.push(row));
        focus_later(format!("{prefix}-{}-{first}", row.key));
    };
    let section_error = Signal::derive(move || errors.with(|e| field_message(e, prefix, title)));
    view! {
        <fieldset class="form-section plan-section">
            <legend>{title}</legend>
            <p class="field-error" aria-live="polite">{move || section_error.get()}</p>
            <For
                each=move || list.get()
                key=|r| r.key
                children=move |row| {
                    fields(Item { list, row, prefix, errors })
                }
            />
            <button type="button" class="button small secondary" on:click=add>
                {add_label}
            </button>
        </fieldset>
    }
}

/// Where an edit stands after a save was refused as stale.
#[derive(Debug, Clone, PartialEq)]
enum Conflict {
    None,
    Detected,
    /// The latest version is loaded under the person's changes; what the
    /// other person changed.
    Loaded(Vec<String>),
}

/// The care-plan form.
#[component]
pub fn PlanEditor(
    /// The patient.
    patient_id: PatientId,
    /// The plan as read (none: creating it).
    plan: Option<CarePlan>,
    /// Called with the saved plan.
    on_saved: Callback<CarePlan>,
    /// Called with the latest version after a conflict (it is shown).
    on_latest: Callback<CarePlan>,
    /// Closes the form without saving.
    on_cancel: Callback<()>,
) -> impl IntoView {
    let creating = plan.is_none();
    let start = plan.as_ref().map_or_else(
        || PlanDraft::new_plan(format::today()),
        |p| PlanDraft::of(&p.content),
    );
    let state = DraftState::new(&start);
    let base = StoredValue::new(plan);
    let base_draft = StoredValue::new(start);
    let banner = RwSignal::new(None::<ApiError>);
    let conflict = RwSignal::new(Conflict::None);
    let busy = RwSignal::new(false);
    let loading_latest = RwSignal::new(false);

    let show_errors = move |errors: Vec<FieldError>| {
        state.errors.set(errors);
        focus_later("plan-form-errors");
    };
    let save = Callback::new(move |()| {
        banner.set(None);
        let draft = state.snapshot();
        let (version, current_due) = base.with_value(|b| {
            (
                b.as_ref().map(|p| p.version),
                b.as_ref().map(|p| p.content.review_due_on),
            )
        });
        let write = match draft.write(version, current_due) {
            Ok(w) => w,
            Err(found) => return show_errors(found),
        };
        let found = rules::errors(write.clone());
        if !found.is_empty() {
            return show_errors(found);
        }
        state.errors.set(vec![]);
        busy.set(true);
        spawn_local(async move {
            let result = client::save_care_plan(patient_id, &write, version).await;
            busy.set(false);
            match result {
                Ok(saved) => on_saved.run(saved),
                Err(e) if e.is(ProblemKind::StaleVersion) || e.is(ProblemKind::VersionRequired) => {
                    conflict.set(Conflict::Detected);
                    focus_element("plan-conflict");
                }
                Err(e) if !e.field_errors().is_empty() => show_errors(e.field_errors()),
                Err(e) => {
                    banner.set(Some(e));
                    focus_element("plan-conflict");
                }
            }
        });
    });

    let load_latest = Callback::new(move |()| {
        if loading_latest.get_untracked() {
            return;
        }
        loading_latest.set(true);
        spawn_local(async move {
            match client::get_care_plan(patient_id).await {
                Ok(latest) => {
                    let old = base.with_value(|b| {
                        b.as_ref().map_or_else(
                            || CarePlanContent::empty(format::today()),
                            |p| p.content.clone(),
                        )
                    });
                    let theirs = diff(&old, &latest.content)
                        .into_iter()
                        .map(|c| c.summary)
                        .collect();
                    let latest_draft = PlanDraft::of(&latest.content);
                    let merged =
                        base_draft.with_value(|b| rebase(b, &state.snapshot(), &latest_draft));
                    state.load(&merged);
                    base_draft.set_value(latest_draft);
                    base.set_value(Some(latest.clone()));
                    on_latest.run(latest);
                    conflict.set(Conflict::Loaded(theirs));
                    focus_element("plan-conflict");
                }
                Err(e) => banner.set(Some(e)),
            }
            loading_latest.set(false);
        });
    });

    let summary = move || {
        state.errors.with(|e| {
            (!e.is_empty()).then(|| {
                view! {
                    <div class="banner banner-error" role="alert">
                        <p class="banner-title">"Please correct the highlighted fields"</p>
                        <ul>
                            {e
                                .iter()
                                .map(|f| view! {
                                    <li>{format!("{} {}.", field_words(&f.field), f.message.trim_end_matches('.'))}</li>
                                })
                                .collect_view()}
                        </ul>
                    </div>
                }
            })
        })
    };
    let (heading, button, busy_words) = if creating {
        ("Create the care plan", "Create care plan", "Creating…")
    } else {
        ("Edit the care plan", "Save care plan", "Saving…")
    };

    view! {
        <section class="plan-editor no-print" aria-labelledby="plan-editor-heading">
            <h3 id="plan-editor-heading" tabindex="-1">{heading}</h3>
            <div id="plan-conflict" tabindex="-1">
                {move || match conflict.get() {
                    Conflict::None => ().into_any(),
                    Conflict::Detected => view! {
                        <div class="banner banner-warning" role="alert">
                            <p class="banner-title">
                                "Someone else saved changes to this care plan while you were editing"
                            </p>
                            <p>
                                "Your changes have not been saved yet, and nothing you typed is lost: it is still in the form below."
                            </p>
                            <p>
                                "Load the latest version to see what the other person changed. Your edits stay in the form on top of it, so you can check them and save again without retyping."
                            </p>
                            <button
                                type="button"
                                class="button primary"
                                disabled=move || loading_latest.get()
                                on:click=move |_| load_latest.run(())
                            >
                                {move || if loading_latest.get() { "Loading…" } else { "Load latest version" }}
                            </button>
                        </div>
                    }
                        .into_any(),
                    Conflict::Loaded(theirs) => view! {
                        <div class="banner banner-info" role="status">
                            <p class="banner-title">"The latest version is loaded"</p>
                            {if theirs.is_empty() {
                                view! { <p>"The other change did not touch the plan's content."</p> }.into_any()
                            } else {
                                view! {
                                    <p>"Someone else changed:"</p>
                                    <ul class="change-list">
                                        {theirs.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }}
                            <p>"Your edits are still in the form. Check them, then save again."</p>
                        </div>
                    }
                        .into_any(),
                }}
                <ErrorBanner error=banner />
            </div>
            <div id="plan-form-errors" tabindex="-1">{summary}</div>
            <ActionForm on_submit=save busy=busy class="stack plan-form" labelled_by=Some("plan-editor-heading")>
                <ItemList
                    title="Needs"
                    add_label="Add need"
                    list=state.needs
                    prefix="needs"
                    state=state
                    blank=NeedInput::blank
                    first="domain"
                    fields=|item| view! { <NeedFields item=item /> }
                />
                <ItemList
                    title="Goals"
                    add_label="Add goal"
                    list=state.goals
                    prefix="goals"
                    state=state
                    blank=GoalInput::blank
                    first="text"
                    fields=|item| view! { <GoalFields item=item /> }
                />
                <ItemList
                    title="Interventions"
                    add_label="Add intervention"
                    list=state.interventions
                    prefix="interventions"
                    state=state
                    blank=InterventionInput::blank
                    first="description"
                    fields=|item| view! { <InterventionFields item=item /> }
                />
                <ItemList
                    title="Participants"
                    add_label="Add participant"
                    list=state.participants
                    prefix="participants"
                    state=state
                    blank=ParticipantInput::blank
                    first="name"
                    fields=|item| view! { <ParticipantFields item=item /> }
                />
                <ReviewFields state=state creating=creating />
                <FormActions
                    button=Button::submit(button).busy(busy, busy_words)
                    on_back=on_cancel
                    class="sticky-actions"
                />
            </ActionForm>
        </section>
    }
}

/// The review: its due date, and completing the one that is due.
#[component]
fn ReviewFields(state: DraftState, creating: bool) -> impl IntoView {
    let errors = state.errors;
    let error = move |field: &'static str, label: &'static str| {
        Signal::derive(move || errors.with(|e| field_message(e, field, label)))
    };
    let clearing = move |field: &'static str, target: RwSignal<String>| {
        Callback::new(move |text: String| {
            target.set(text);
            errors.update(|e| e.retain(|x| x.field != field));
        })
    };
    view! {
        <fieldset class="form-section plan-section">
            <legend>"Review"</legend>
            <TextField
                id="plan-review-due"
                label="Next review due"
                input_type="date"
                hint="Every 90 days unless you choose another date."
                value=state.review_due_on
                on_input=clearing("review_due_on", state.review_due_on)
                error=error("review_due_on", "Next review date")
            />
            {(!creating).then(|| view! {
                <CheckboxField
                    id="plan-review-complete"
                    label="Complete the review now"
                    checked=state.complete_review
                    on_change=Callback::new(move |on| state.complete_review.set(on))
                    hint="Records the outcome and sets the next review date."
                />
                <Show when=move || state.complete_review.get()>
                    <TextField
                        id="plan-review-outcome"
                        label="Review outcome"
                        multiline=true
                        required=true
                        value=state.review_outcome
                        on_input=clearing("review.outcome", state.review_outcome)
                        error=error("review.outcome", "Review outcome")
                    />
                    <TextField
                        id="plan-review-next"
                        label="Next review after this one"
                        input_type="date"
                        hint="90 days from today when left empty."
                        value=state.next_due_on
                        on_input=clearing("review.next_due_on", state.next_due_on)
                        error=error("review.next_due_on", "Next review date")
                    />
                </Show>
            })}
        </fieldset>
    }
}
