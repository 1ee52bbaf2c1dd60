//! What the small forms share: errors shown beside the fields they name
//! (from the shared rules before sending, from the API's problem documents
//! after), everything else in a banner, the words for an edit that lost a
//! race, the row of buttons under a form, and the buttons that open and
//! close a form in place.

use std::future::Future;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::problem::{FieldError, Problem, ProblemKind};

use crate::components::banner::ErrorBanner;
use crate::dom::focus_later;
use crate::format;
use crate::transport::{ApiError, made_up_problem};

/// The message for `field` among `errors`, as a sentence starting with the
/// field's `label`: `Outcome is required to finish a task.`
pub fn field_message(errors: &[FieldError], field: &str, label: &str) -> Option<String> {
    let msgs: Vec<String> = errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| format!("{label} {}.", e.message.trim_end_matches('.')))
        .collect();
    (!msgs.is_empty()).then(|| msgs.join(" "))
}

/// The errors that name none of the `shown` fields (they go in a banner).
pub fn unshown(errors: &[FieldError], shown: &[&str]) -> Vec<FieldError> {
    errors
        .iter()
        .filter(|e| !shown.contains(&e.field.as_str()))
        .cloned()
        .collect()
}

/// A problem listing field errors no field of the form shows.
fn listed_problem(errors: &[FieldError]) -> ApiError {
    let detail = errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ");
    let kind = ProblemKind::Validation;
    ApiError::from(Problem {
        errors: Some(errors.to_vec()),
        ..made_up_problem(kind, kind.title(), format!("{detail}."))
    })
}

/// The problem shown when a record changed under the person: nothing was
/// saved, the latest version is shown.
pub fn stale(what: &str) -> ApiError {
    stale_with(
        what,
        "Nothing was saved. The latest version is now shown; check it and try again.",
    )
}

/// [`stale`] with its own explanation of what happened next.
pub fn stale_with(what: &str, detail: &str) -> ApiError {
    ApiError::of_kind(
        ProblemKind::StaleVersion,
        format!("{what} was changed by someone else"),
        detail,
    )
}

/// A form's errors: per field, and a banner for the rest. A field that
/// shows its error ([`FormErrors::field`], [`FormErrors::bind`]) is known
/// from then on, so an error about a field the form does not show goes to
/// the banner instead of nowhere.
#[derive(Debug, Clone, Copy)]
pub struct FormErrors {
    /// Errors beside fields.
    pub fields: RwSignal<Vec<FieldError>>,
    /// Everything else.
    pub banner: RwSignal<Option<ApiError>>,
    /// The fields the form shows errors beside.
    shown: StoredValue<Vec<&'static str>>,
}

impl FormErrors {
    /// No errors.
    pub fn new() -> Self {
        FormErrors {
            fields: RwSignal::new(vec![]),
            banner: RwSignal::new(None),
            shown: StoredValue::new(vec![]),
        }
    }

    /// Clears every error.
    pub fn clear(&self) {
        self.fields.set(vec![]);
        self.banner.set(None);
    }

    /// The error beside `field`, as a sentence naming it `label` (tracked).
    pub fn field(&self, field: &'static str, label: impl Into<String>) -> Signal<Option<String>> {
        self.shown.update_value(|shown| {
            if !shown.contains(&field) {
                shown.push(field);
            }
        });
        let fields = self.fields;
        let label = label.into();
        Signal::derive(move || fields.with(|f| field_message(f, field, &label)))
    }

    /// An input of `field` that keeps its text in `value` (see [`Bound`]).
    pub fn bind(&self, field: &'static str, value: RwSignal<String>) -> Bound {
        Bound {
            errors: *self,
            field,
            value,
        }
    }

    /// Forgets the error of a field the person is changing.
    pub fn clear_field(&self, field: &'static str) {
        if self
            .fields
            .with_untracked(|f| f.iter().any(|e| e.field == field))
        {
            self.fields.update(|f| f.retain(|e| e.field != field));
        }
    }

    /// What an input of `field` does as the person types or chooses: keeps
    /// the value in `target` and forgets the field's error.
    pub fn edit(&self, field: &'static str, target: RwSignal<String>) -> Callback<String> {
        let this = *self;
        Callback::new(move |v| {
            target.set(v);
            this.clear_field(field);
        })
    }

    /// Shows errors found before sending; `true` when there were any.
    pub fn show_rules(&self, errors: Vec<FieldError>) -> bool {
        if errors.is_empty() {
            return false;
        }
        let rest = self.shown.with_value(|shown| unshown(&errors, shown));
        self.banner
            .set((!rest.is_empty()).then(|| listed_problem(&rest)));
        self.fields.set(errors);
        true
    }

    /// Shows an API error: a validation problem's fields beside the
    /// fields the form shows, the rest (and every other problem) in the
    /// banner.
    pub fn show(&self, error: ApiError) {
        let fields = error.field_errors();
        if fields.is_empty() {
            self.fields.set(vec![]);
            self.banner.set(Some(error));
        } else {
            self.show_rules(fields);
        }
    }
}

impl Default for FormErrors {
    fn default() -> Self {
        Self::new()
    }
}

/// An input wired to a field of a form: its text lives in `value`, typing
/// forgets the field's error, and the error shows beside it. The field
/// components take one as `bind`, so a form names each field once.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    errors: FormErrors,
    field: &'static str,
    value: RwSignal<String>,
}

impl Bound {
    /// The text (tracked).
    pub fn value(self) -> Signal<String> {
        self.value.into()
    }

    /// What typing or choosing does.
    pub fn on_input(self) -> Callback<String> {
        self.errors.edit(self.field, self.value)
    }

    /// The field's error, as a sentence naming it `label`.
    pub fn error(self, label: impl Into<String>) -> Signal<Option<String>> {
        self.errors.field(self.field, label)
    }
}

/// Reads a form's inputs into typed values, collecting a field error for
/// each one it cannot read, so a form reports every problem at once (the
/// shared rules then add theirs).
#[derive(Debug, Default)]
pub struct InputReader {
    errors: Vec<FieldError>,
}

impl InputReader {
    /// Nothing read yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The option chosen in the `<select>` of `field`; "must be chosen"
    /// when none is.
    pub fn chosen<T: FromStr>(
        &mut self,
        field: &'static str,
        value: RwSignal<String>,
    ) -> Option<T> {
        let chosen = value.with_untracked(|v| v.parse().ok());
        if chosen.is_none() {
            self.errors.push(FieldError::new(field, "must be chosen"));
        }
        chosen
    }

    /// A `datetime-local` input of `field`; "is required" when `required`
    /// and empty.
    pub fn moment(
        &mut self,
        field: &'static str,
        value: RwSignal<String>,
        required: bool,
    ) -> Option<DateTime<Utc>> {
        let text = value.get_untracked();
        self.read(format::read_local_moment(&text, field, required))
            .flatten()
    }

    /// What a reading gave, its error collected.
    pub fn read<T>(&mut self, reading: Result<T, FieldError>) -> Option<T> {
        reading.map_err(|e| self.errors.push(e)).ok()
    }

    /// The errors found so far, then `more` (the shared rules' errors).
    pub fn errors(self, more: Vec<FieldError>) -> Vec<FieldError> {
        let mut errors = self.errors;
        errors.extend(more);
        errors
    }
}

/// What a form's main button says and does: it submits its form (or runs
/// its own action), and while the action runs it is disabled and says so
/// ("Saving…").
#[derive(Clone)]
pub struct Button {
    label: &'static str,
    busy_label: Option<&'static str>,
    busy: Signal<bool>,
    look: &'static str,
    run: Option<Callback<()>>,
    id: Option<String>,
}

impl Button {
    /// A button that submits its form.
    pub fn submit(label: &'static str) -> Self {
        Button {
            label,
            busy_label: None,
            busy: Signal::default(),
            look: "primary",
            run: None,
            id: None,
        }
    }

    /// A plain button that runs `run` (a confirmation, not a form).
    pub fn run(label: &'static str, run: Callback<()>) -> Self {
        Button {
            run: Some(run),
            ..Self::submit(label)
        }
    }

    /// Disabled while `busy`, saying `busy_label` meanwhile.
    #[must_use]
    pub fn busy(self, busy: impl Into<Signal<bool>>, busy_label: &'static str) -> Self {
        Button {
            busy_label: Some(busy_label),
            ..self.disabled_while(busy)
        }
    }

    /// Disabled while `busy`, its words unchanged.
    #[must_use]
    pub fn disabled_while(self, busy: impl Into<Signal<bool>>) -> Self {
        Button {
            busy: busy.into(),
            ..self
        }
    }

    /// The button's look: `primary` (the default), `secondary`, `danger` …
    #[must_use]
    pub fn look(self, look: &'static str) -> Self {
        Button { look, ..self }
    }

    /// The button's id (focus moves to it).
    #[must_use]
    pub fn id(self, id: impl Into<String>) -> Self {
        Button {
            id: Some(id.into()),
            ..self
        }
    }

    fn view(self) -> impl IntoView {
        let Button {
            label,
            busy_label,
            busy,
            look,
            run,
            id,
        } = self;
        let words = move || match busy_label {
            Some(busy_words) if busy.get() => busy_words,
            _ => label,
        };
        view! {
            <button
                type=if run.is_some() { "button" } else { "submit" }
                class=format!("button {look}")
                id=id
                disabled=move || busy.get()
                on:click=move |_| {
                    if let Some(cb) = run {
                        cb.run(());
                    }
                }
            >
                {words}
            </button>
        }
    }
}

/// A form's main button, on its own (see [`Button`]).
#[component]
pub fn SubmitButton(
    /// What it says and does.
    button: Button,
) -> impl IntoView {
    button.view()
}

/// The row of buttons under a form: the main one ([`Button`]) and the way
/// out (a button, or a link with `back_href`) when there is one.
#[component]
pub fn FormActions(
    /// What the main button says and does.
    button: Button,
    /// The way out's words.
    #[prop(default = "Cancel")]
    back_label: &'static str,
    /// What the way out does.
    #[prop(optional)]
    on_back: Option<Callback<()>>,
    /// Where the way out leads, when it is a link.
    #[prop(optional)]
    back_href: Option<&'static str>,
    /// Another class for the row (`sticky-actions`).
    #[prop(optional)]
    class: Option<&'static str>,
) -> impl IntoView {
    let row_class = class.map_or_else(
        || "form-actions".to_string(),
        |c| format!("form-actions {c}"),
    );
    let back = match (on_back, back_href) {
        (Some(cb), _) => Some(
            view! {
                <button type="button" class="button secondary" on:click=move |_| cb.run(())>
                    {back_label}
                </button>
            }
            .into_any(),
        ),
        (None, Some(href)) => Some(
            view! {
                <a href=href class="button secondary">
                    {back_label}
                </a>
            }
            .into_any(),
        ),
        (None, None) => None,
    };
    view! {
        <div class=row_class>
            {button.view()}
            {back}
        </div>
    }
}

/// A button that shows and hides a part of the page in place (a form, a
/// panel): it says whether that part is open and, when given, which element
/// it controls.
#[component]
pub fn Disclosure(
    /// The button's words.
    label: &'static str,
    /// Whether the part is open.
    #[prop(into)]
    expanded: Signal<bool>,
    /// Opens or closes it.
    on_toggle: Callback<()>,
    /// The button's id (focus returns here when the part closes).
    #[prop(optional, into)]
    id: Option<String>,
    /// The id of the element it shows and hides.
    #[prop(optional, into)]
    controls: Option<String>,
    /// CSS classes.
    #[prop(default = "button secondary")]
    class: &'static str,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class=class
            id=id
            aria-expanded=move || if expanded.get() { "true" } else { "false" }
            aria-controls=controls
            on:click=move |_| on_toggle.run(())
        >
            {label}
        </button>
    }
}

/// A form that sends itself with `on_submit` instead of the browser
/// (`novalidate`: the shared rules speak, not the browser's bubbles), and
/// never twice: while `busy`, submitting does nothing.
#[component]
pub fn ActionForm(
    /// Sends the form.
    on_submit: Callback<()>,
    /// Whether the form's last submission is still on its way.
    #[prop(into)]
    busy: Signal<bool>,
    /// CSS classes.
    #[prop(default = "stack")]
    class: &'static str,
    /// The id of the heading that names the form, if one does.
    #[prop(optional_no_strip)]
    labelled_by: Option<&'static str>,
    /// The form's content.
    children: Children,
) -> impl IntoView {
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !busy.get_untracked() {
            on_submit.run(());
        }
    };
    view! {
        <form class=class novalidate aria-labelledby=labelled_by on:submit=submit>
            {children()}
        </form>
    }
}

/// `N` empty text inputs for a form (each the text one input holds).
pub fn text_inputs<const N: usize>() -> [RwSignal<String>; N] {
    std::array::from_fn(|_| RwSignal::new(String::new()))
}

/// A form that opens in place to add a record: whether it is open, whether
/// it is saving, and its errors. The button that opens it
/// ([`AddFormToggle`]) and the form ([`AddForm`]) share it.
#[derive(Debug, Clone, Copy)]
pub struct AddFormState {
    /// Whether the form is shown.
    pub open: RwSignal<bool>,
    /// Whether it is saving.
    pub busy: RwSignal<bool>,
    /// Its errors.
    pub errors: FormErrors,
}

impl AddFormState {
    /// Closed, idle, without errors.
    pub fn new() -> Self {
        AddFormState {
            open: RwSignal::new(false),
            busy: RwSignal::new(false),
            errors: FormErrors::new(),
        }
    }
}

impl AddFormState {
    /// Sends `request` (built from the form's inputs), busy meanwhile. Once
    /// saved, the form's text `inputs` are emptied, the form closes and
    /// `on_saved` gets the record; a refusal shows in the form.
    pub fn save<T: 'static>(
        self,
        request: impl Future<Output = Result<T, ApiError>> + 'static,
        inputs: impl IntoIterator<Item = RwSignal<String>>,
        on_saved: Callback<T>,
    ) {
        let inputs: Vec<_> = inputs.into_iter().collect();
        self.errors.clear();
        self.busy.set(true);
        spawn_local(async move {
            let result = request.await;
            self.busy.set(false);
            match result {
                Ok(saved) => {
                    for input in inputs {
                        input.set(String::new());
                    }
                    self.open.set(false);
                    on_saved.run(saved);
                }
                Err(e) => self.errors.show(e),
            }
        });
    }
}

impl Default for AddFormState {
    fn default() -> Self {
        Self::new()
    }
}

/// The button that opens and closes an add form, focusing the form's first
/// field when it opens (and forgetting the form's old errors either way).
#[component]
pub fn AddFormToggle(
    /// The button's words.
    label: &'static str,
    /// The id of the element holding the form.
    controls: &'static str,
    /// The id of the field to focus on opening.
    first_field: &'static str,
    /// The form.
    form: AddFormState,
    /// CSS classes.
    #[prop(default = "button secondary")]
    class: &'static str,
) -> impl IntoView {
    let toggle = Callback::new(move |()| {
        form.errors.clear();
        form.open.update(|o| *o = !*o);
        if form.open.get_untracked() {
            focus_later(first_field);
        }
    });
    view! {
        <Disclosure
            label=label
            expanded=form.open
            on_toggle=toggle
            controls=controls
            class=class
        />
    }
}

/// An add form, shown while it is open: its errors on top, the fields, and
/// the row with the save button and Cancel (which closes it). With a
/// `heading` the form stands on its own as a card (named by the heading);
/// without, it sits inside a card.
#[component]
pub fn AddForm(
    /// The id of the element holding the form (what the toggle controls).
    id: &'static str,
    /// The form.
    form: AddFormState,
    /// Sends the form.
    on_submit: Callback<()>,
    /// The save button's words.
    label: &'static str,
    /// Its words while saving.
    busy_label: &'static str,
    /// The heading's id and words.
    #[prop(optional)]
    heading: Option<(&'static str, &'static str)>,
    /// A line under the heading.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The fields.
    children: ChildrenFn,
) -> impl IntoView {
    let class = if heading.is_some() {
        "card stack"
    } else {
        "stack add-form"
    };
    view! {
        <div id=id>
            <Show when=move || form.open.get()>
                {
                    let fields = children.clone();
                    view! {
                        <ActionForm
                            on_submit=on_submit
                            busy=form.busy
                            class=class
                            labelled_by=heading.map(|(heading_id, _)| heading_id)
                        >
                            {heading.map(|(heading_id, words)| view! { <h3 id=heading_id>{words}</h3> })}
                            {hint.map(|words| view! { <p class="hint">{words}</p> })}
                            <ErrorBanner error=form.errors.banner />
                            {fields()}
                            <FormActions
                                button=Button::submit(label).busy(form.busy, busy_label)
                                on_back=Callback::new(move |()| form.open.set(false))
                            />
                        </ActionForm>
                    }
                }
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs() -> Vec<FieldError> {
        vec![
            FieldError::new("outcome", "is required to finish a task"),
            FieldError::new(
                "transition_outcome.followup_appointment_date",
                "is required when a follow-up appointment is scheduled",
            ),
            FieldError::new("priority", "is not a priority"),
        ]
    }

    #[test]
    fn field_errors_read_as_sentences_naming_the_field() {
        assert_eq!(
            field_message(&errs(), "outcome", "Outcome").as_deref(),
            Some("Outcome is required to finish a task.")
        );
        assert_eq!(field_message(&errs(), "title", "Title"), None);
    }

    #[test]
    fn errors_no_field_shows_are_kept_for_the_banner() {
        let rest = unshown(
            &errs(),
            &["outcome", "transition_outcome.followup_appointment_date"],
        );
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].field, "priority");
        let banner = listed_problem(&rest);
        assert!(banner.is(ProblemKind::Validation));
        assert_eq!(banner.message(), "priority is not a priority.");
    }

    #[test]
    fn stale_edits_say_nothing_was_saved() {
        let e = stale("This task");
        assert!(e.is(ProblemKind::StaleVersion));
        assert_eq!(e.problem().map(|p| p.status), Some(412));
        assert_eq!(e.title(), "This task was changed by someone else");
        assert!(e.message().starts_with("Nothing was saved."));
    }
}
