//! Form fields: a visible label tied to its input, an optional hint, and the
//! field's error right beside it (announced politely as it changes).

use leptos::prelude::*;

fn described_by(id: &str, has_hint: bool) -> String {
    if has_hint {
        format!("{id}-hint {id}-error")
    } else {
        format!("{id}-error")
    }
}

/// A label with a required marker (the marker is hidden from screen readers;
/// the input carries `aria-required`).
#[component]
fn FieldLabel(
    /// The input's id.
    #[prop(into)]
    for_id: String,
    /// The words.
    #[prop(into)]
    label: String,
    /// Whether to mark it required.
    required: bool,
) -> impl IntoView {
    view! {
        <label for=for_id>
            {label}
            {required.then(|| view! { <span class="required-mark" aria-hidden="true">" *"</span> })}
        </label>
    }
}

/// The error line under a field (always present so it can announce changes).
#[component]
fn FieldError(
    /// The input's id.
    #[prop(into)]
    for_id: String,
    /// The message, when there is one.
    error: MaybeProp<String>,
) -> impl IntoView {
    view! {
        <p class="field-error" id=format!("{for_id}-error") aria-live="polite">
            {move || error.get()}
        </p>
    }
}

/// A labelled one-line text input.
#[component]
pub fn TextField(
    /// The input's id (the label points at it).
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// The current text.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the new text as the person types.
    on_input: Callback<String>,
    /// The error to show beside the field.
    #[prop(into, optional)]
    error: MaybeProp<String>,
    /// Called when focus leaves the input.
    #[prop(optional)]
    on_blur: Option<Callback<()>>,
    /// The input type (`text`, `email`, `tel`, `date`, `password` …).
    #[prop(default = "text")]
    input_type: &'static str,
    /// The `autocomplete` token.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// Whether the field is required.
    #[prop(optional)]
    required: bool,
    /// A hint under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The `inputmode` for on-screen keyboards.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// The id of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
    /// Longest input accepted.
    #[prop(optional)]
    maxlength: Option<u32>,
    /// The `max` attribute (dates).
    #[prop(optional, into)]
    max: Option<String>,
    /// Extra class on the wrapper (grid sizing).
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let described = described_by(&id, hint.is_some());
    let hint_id = format!("{id}-hint");
    let has_error = move || error.get().is_some();
    view! {
        <div class=format!("field {class}") class:has-error=has_error>
            <FieldLabel for_id=id.clone() label=label required=required />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <input
                id=id.clone()
                type=input_type
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
                on:blur=move |_| {
                    if let Some(cb) = on_blur {
                        cb.run(())
                    }
                }
                autocomplete=autocomplete
                inputmode=inputmode
                list=list
                maxlength=maxlength
                max=max
                aria-required=required.then_some("true")
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=described
            />
            <FieldError for_id=id error=error />
        </div>
    }
}

/// A labelled multi-line text input.
#[component]
pub fn TextArea(
    /// The textarea's id.
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// The current text.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the new text.
    on_input: Callback<String>,
    /// The error to show.
    #[prop(into, optional)]
    error: MaybeProp<String>,
    /// Whether the field is required.
    #[prop(optional)]
    required: bool,
    /// A hint under the label.
    #[prop(optional, into)]
    hint: Option<String>,
) -> impl IntoView {
    let described = described_by(&id, hint.is_some());
    let hint_id = format!("{id}-hint");
    let has_error = move || error.get().is_some();
    view! {
        <div class="field" class:has-error=has_error>
            <FieldLabel for_id=id.clone() label=label required=required />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <textarea
                id=id.clone()
                rows="3"
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
                aria-required=required.then_some("true")
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=described
            ></textarea>
            <FieldError for_id=id error=error />
        </div>
    }
}

/// One `<option>`: value and words.
pub type Choice = (String, String);

/// A labelled `<select>`.
#[component]
pub fn SelectField(
    /// The select's id.
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// The selected value.
    #[prop(into)]
    value: Signal<String>,
    /// The options.
    #[prop(into)]
    options: Signal<Vec<Choice>>,
    /// Called with the chosen value.
    on_change: Callback<String>,
    /// The error to show.
    #[prop(into, optional)]
    error: MaybeProp<String>,
    /// Whether a choice is required.
    #[prop(optional)]
    required: bool,
    /// A hint under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// Extra class on the wrapper.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let described = described_by(&id, hint.is_some());
    let hint_id = format!("{id}-hint");
    let has_error = move || error.get().is_some();
    view! {
        <div class=format!("field {class}") class:has-error=has_error>
            <FieldLabel for_id=id.clone() label=label required=required />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <select
                id=id.clone()
                on:change=move |ev| on_change.run(event_target_value(&ev))
                aria-required=required.then_some("true")
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=described
            >
                <For
                    each=move || options.get()
                    key=|(v, l)| (v.clone(), l.clone())
                    children=move |(v, l)| {
                        let v2 = v.clone();
                        view! {
                            <option value=v prop:selected=move || value.with(|cur| *cur == v2)>
                                {l}
                            </option>
                        }
                    }
                />
            </select>
            <FieldError for_id=id error=error />
        </div>
    }
}

/// A labelled checkbox.
#[component]
pub fn CheckboxField(
    /// The checkbox's id.
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// Whether it is checked.
    #[prop(into)]
    checked: Signal<bool>,
    /// Called with the new state.
    on_change: Callback<bool>,
    /// A hint after the label.
    #[prop(optional, into)]
    hint: Option<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described = hint.is_some().then(|| hint_id.clone());
    view! {
        <div class="field checkbox-field">
            <input
                id=id.clone()
                type="checkbox"
                prop:checked=move || checked.get()
                on:change=move |ev| on_change.run(event_target_checked(&ev))
                aria-describedby=described
            />
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
        </div>
    }
}
