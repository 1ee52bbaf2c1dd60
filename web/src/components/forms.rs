//! What the small care-coordination forms share: errors shown beside the
//! fields they name (from the shared rules before sending, from the API's
//! problem documents after), everything else in a banner, and the words for
//! an edit that lost a race.

use leptos::prelude::*;
use shared::problem::{FieldError, Problem};
use validator::ValidationErrors;

use crate::api::ApiError;
use crate::components::Choice;

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
    ApiError::from(Problem {
        problem_type: "/problems/validation".into(),
        title: "The request has invalid fields".into(),
        status: 422,
        detail: Some(format!("{detail}.")),
        errors: Some(errors.to_vec()),
        request_id: None,
    })
}

/// The problem shown when a record changed under the person: nothing was
/// saved, the latest version is shown.
pub fn stale(what: &str) -> ApiError {
    ApiError::from(Problem {
        problem_type: "/problems/stale-version".into(),
        title: format!("{what} was changed by someone else"),
        status: 412,
        detail: Some(
            "Nothing was saved. The latest version is now shown; check it and try again.".into(),
        ),
        errors: None,
        request_id: None,
    })
}

/// The field errors of the shared rules, if any.
pub fn rule_errors(result: Result<(), ValidationErrors>) -> Vec<FieldError> {
    match result {
        Ok(()) => vec![],
        Err(e) => shared::validation::field_errors(&e),
    }
}

/// A form's errors: per field, and a banner for the rest.
#[derive(Debug, Clone, Copy)]
pub struct FormErrors {
    /// Errors beside fields.
    pub fields: RwSignal<Vec<FieldError>>,
    /// Everything else.
    pub banner: RwSignal<Option<ApiError>>,
}

impl FormErrors {
    /// No errors.
    pub fn new() -> Self {
        FormErrors {
            fields: RwSignal::new(vec![]),
            banner: RwSignal::new(None),
        }
    }

    /// Clears every error.
    pub fn clear(&self) {
        self.fields.set(vec![]);
        self.banner.set(None);
    }

    /// The error beside `field` (tracked).
    pub fn field(&self, field: &'static str, label: &'static str) -> Signal<Option<String>> {
        let fields = self.fields;
        Signal::derive(move || fields.with(|f| field_message(f, field, label)))
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

    /// Shows errors found before sending; `true` when there were any.
    pub fn show_rules(&self, errors: Vec<FieldError>, shown: &[&str]) -> bool {
        if errors.is_empty() {
            return false;
        }
        let rest = unshown(&errors, shown);
        self.banner
            .set((!rest.is_empty()).then(|| listed_problem(&rest)));
        self.fields.set(errors);
        true
    }

    /// Shows an API error: a validation problem's fields beside the
    /// fields in `shown`, the rest (and every other problem) in the banner.
    pub fn show(&self, error: ApiError, shown: &[&str]) {
        let fields = error.field_errors();
        if fields.is_empty() {
            self.fields.set(vec![]);
            self.banner.set(Some(error));
        } else {
            self.show_rules(fields, shown);
        }
    }
}

impl Default for FormErrors {
    fn default() -> Self {
        Self::new()
    }
}

/// Options for a `<select>` over enum values: the wire value and the words,
/// after an optional first "choose" option with an empty value.
pub fn choices<T: Copy + AsRef<str>>(
    items: &[T],
    label: impl Fn(T) -> String,
    placeholder: Option<&str>,
) -> Vec<Choice> {
    placeholder
        .map(|p| (String::new(), p.to_string()))
        .into_iter()
        .chain(items.iter().map(|i| (i.as_ref().to_string(), label(*i))))
        .collect()
}

/// The button that opens and closes an add form (a disclosure: it names the
/// form it controls and says whether it is open), focusing the form's first
/// field when it opens.
#[component]
pub fn AddFormToggle(
    /// The button's words.
    label: &'static str,
    /// The id of the element holding the form.
    controls: &'static str,
    /// The id of the field to focus on opening.
    first_field: &'static str,
    /// Whether the form is open.
    open: RwSignal<bool>,
    /// Runs before each toggle (typically clears the form's errors).
    on_toggle: Callback<()>,
    /// CSS classes.
    #[prop(default = "button secondary")]
    class: &'static str,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class=class
            aria-expanded=move || if open.get() { "true" } else { "false" }
            aria-controls=controls
            on:click=move |_| {
                on_toggle.run(());
                open.update(|o| *o = !*o);
                if open.get_untracked() {
                    focus_later(first_field.into());
                }
            }
        >
            {label}
        </button>
    }
}

/// Moves keyboard focus to the element with `id` once it is on the page.
pub fn focus_later(id: String) {
    leptos::task::spawn_local(async move {
        leptos::task::tick().await;
        crate::components::patient_form::focus_element(&id);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::tasks::TaskStatus;

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
    }

    #[test]
    fn select_options_carry_wire_values_and_words() {
        let c = choices(
            &[TaskStatus::Open, TaskStatus::InProgress],
            |s| s.label().to_string(),
            Some("Choose…"),
        );
        assert_eq!(
            c,
            vec![
                (String::new(), "Choose…".to_string()),
                ("open".to_string(), "Open".to_string()),
                ("in_progress".to_string(), "In progress".to_string()),
            ]
        );
    }

    #[test]
    fn stale_edits_say_nothing_was_saved() {
        let e = stale("This task");
        assert!(e.is(412));
        assert_eq!(e.title(), "This task was changed by someone else");
        assert!(e.message().starts_with("Nothing was saved."));
    }
}
