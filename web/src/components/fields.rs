//! Form fields: a visible label tied to its input, an optional hint, and the
//! field's error right beside it (announced politely as it changes).

use leptos::prelude::*;

use crate::components::forms::Bound;

fn described_by(id: &str, has_hint: bool) -> String {
    if has_hint {
        format!("{id}-hint {id}-error")
    } else {
        format!("{id}-error")
    }
}

/// How a field is wired: its text, what typing or choosing does, and its
/// error. With `bind` all three come from the form field (the error
/// sentence naming it by `error_label`, else by its visible `label`);
/// without, from the field's own props.
fn wire(
    bind: Option<Bound>,
    label: &str,
    error_label: Option<&'static str>,
    own: (Signal<String>, Option<Callback<String>>, MaybeProp<String>),
) -> (
    Signal<String>,
    impl Fn(String) + Copy + 'static,
    MaybeProp<String>,
) {
    let (value, on_input, error) = match bind {
        Some(b) => (
            b.value(),
            Some(b.on_input()),
            b.error(error_label.unwrap_or(label)).into(),
        ),
        None => own,
    };
    let input = move |text: String| {
        if let Some(cb) = on_input {
            cb.run(text);
        }
    };
    (value, input, error)
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

/// What every labelled control shares around it: the label (with the
/// required mark), the hint, and the error line. `children` is the control,
/// which points back with `aria-describedby` (see [`described_by`]).
#[component]
fn FieldFrame(
    /// The control's id.
    id: String,
    /// The visible label.
    label: String,
    /// Whether to mark it required.
    required: bool,
    /// A hint under the label.
    hint: Option<String>,
    /// The error to show.
    error: MaybeProp<String>,
    /// Extra class on the wrapper (grid sizing, checkbox layout).
    class: &'static str,
    /// The control.
    children: Children,
) -> impl IntoView {
    let wrapper = if class.is_empty() {
        "field".to_string()
    } else {
        format!("field {class}")
    };
    let hint_id = format!("{id}-hint");
    view! {
        <div class=wrapper class:has-error=move || error.with(Option::is_some)>
            <FieldLabel for_id=id.clone() label=label required=required />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            {children()}
            <FieldError for_id=id error=error />
        </div>
    }
}

/// A labelled text input: one line, or several with `multiline` (notes,
/// outcomes, reasons).
#[component]
pub fn TextField(
    /// The input's id (the label points at it).
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// The form field it edits (instead of `value`, `on_input`, `error`).
    #[prop(optional)]
    bind: Option<Bound>,
    /// The field's name in error sentences, when not its label.
    #[prop(optional)]
    error_label: Option<&'static str>,
    /// The current text.
    #[prop(optional, into)]
    value: Signal<String>,
    /// Called with the new text as the person types.
    #[prop(optional)]
    on_input: Option<Callback<String>>,
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
    /// Several lines of text (a `<textarea>`).
    #[prop(optional)]
    multiline: bool,
) -> impl IntoView {
    let (value, input, error) = wire(bind, &label, error_label, (value, on_input, error));
    let described = described_by(&id, hint.is_some());
    let invalid = move || error.with(Option::is_some).then_some("true");
    if multiline {
        return view! {
            <FieldFrame id=id.clone() label=label required=required hint=hint error=error class=class>
                <textarea
                    id=id
                    rows="3"
                    prop:value=move || value.get()
                    on:input=move |ev| input(event_target_value(&ev))
                    aria-required=required.then_some("true")
                    aria-invalid=invalid
                    aria-describedby=described
                ></textarea>
            </FieldFrame>
        }
        .into_any();
    }
    view! {
        <FieldFrame id=id.clone() label=label required=required hint=hint error=error class=class>
            <input
                id=id
                type=input_type
                prop:value=move || value.get()
                on:input=move |ev| input(event_target_value(&ev))
                on:blur=move |_| {
                    if let Some(cb) = on_blur {
                        cb.run(());
                    }
                }
                autocomplete=autocomplete
                inputmode=inputmode
                list=list
                maxlength=maxlength
                max=max
                aria-required=required.then_some("true")
                aria-invalid=invalid
                aria-describedby=described
            />
        </FieldFrame>
    }
    .into_any()
}

/// One `<option>`: value and words.
pub type Choice = (String, String);

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

/// A labelled `<select>`.
#[component]
pub fn SelectField(
    /// The select's id.
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// The options.
    #[prop(into)]
    options: Signal<Vec<Choice>>,
    /// The form field it edits (instead of `value`, `on_change`, `error`).
    #[prop(optional)]
    bind: Option<Bound>,
    /// The field's name in error sentences, when not its label.
    #[prop(optional)]
    error_label: Option<&'static str>,
    /// The selected value.
    #[prop(optional, into)]
    value: Signal<String>,
    /// Called with the chosen value.
    #[prop(optional)]
    on_change: Option<Callback<String>>,
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
    let (value, change, error) = wire(bind, &label, error_label, (value, on_change, error));
    let described = described_by(&id, hint.is_some());
    let invalid = move || error.with(Option::is_some).then_some("true");
    view! {
        <FieldFrame id=id.clone() label=label required=required hint=hint error=error class=class>
            <select
                id=id
                on:change=move |ev| change(event_target_value(&ev))
                aria-required=required.then_some("true")
                aria-invalid=invalid
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
        </FieldFrame>
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

#[cfg(test)]
mod tests {
    use super::*;
    use shared::tasks::TaskStatus;

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
}

/// A required choice of one or more codes of an enum (an API key's scopes,
/// a webhook's events): one labelled checkbox per code, in the enum's
/// order, each showing its label and its code, and the field's error.
/// `checked` holds every code with whether it is ticked.
#[component]
pub fn CodeChecklist<T>(
    /// The legend (the field's name).
    legend: &'static str,
    /// Each checkbox's id is `{id_prefix}-{n}`; the error's is `{id_prefix}s-error`.
    id_prefix: &'static str,
    /// The words shown for a code before the code itself.
    label: fn(T) -> &'static str,
    /// Every code, with whether it is ticked.
    checked: RwSignal<Vec<(T, bool)>>,
    /// The field's error, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView
where
    T: strum::VariantArray + AsRef<str> + Copy + PartialEq + Send + Sync + 'static,
{
    let error_id = format!("{id_prefix}s-error");
    let described_by = error_id.clone();
    let tick = move |code: T, on: bool| {
        checked.update(|c| {
            for (t, v) in c.iter_mut() {
                if *t == code {
                    *v = on;
                }
            }
        });
    };
    view! {
        <fieldset class="scope-fieldset" aria-describedby=described_by>
            <legend>{legend} <span class="required-mark" aria-hidden="true">" *"</span></legend>
            {T::VARIANTS
                .iter()
                .enumerate()
                .map(|(i, code)| {
                    let code = *code;
                    let id = format!("{id_prefix}-{i}");
                    view! {
                        <div class="field checkbox-field">
                            <input
                                id=id.clone()
                                type="checkbox"
                                prop:checked=move || {
                                    checked.with(|c| c.iter().any(|(t, on)| *t == code && *on))
                                }
                                on:change=move |ev| tick(code, event_target_checked(&ev))
                            />
                            <label for=id>
                                {label(code)} " " <code class="scope">{code.as_ref().to_string()}</code>
                            </label>
                        </div>
                    }
                })
                .collect_view()}
            <p class="field-error" id=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </fieldset>
    }
}
