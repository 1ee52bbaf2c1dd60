//! Giving a screening: pick the instrument, answer its questions (one
//! labelled group of controls each), and watch the score, band and flags
//! — computed by `shared::screening::score`, as the server does — change
//! as you go; a safety flag shows at once in an alert.

use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::PatientId;
use shared::problem::FieldError;
use shared::screening::{
    AnswerType, AnswerValue, Answers, Instrument, ItemDef, NewScreening, ScoringContext, Screening,
};
use strum::VariantArray;

use super::model::{Live, asked_items, capitalized, flag_words, live, pruned, summary};
use crate::client;
use crate::components::{ActionForm, Button, ErrorBanner, FormActions, FormErrors, TextField};
use crate::format;

/// The safety alert shown while the answers raise a suicide-risk flag.
#[component]
pub fn SafetyAlert(
    /// The reason, while there is one.
    #[prop(into)]
    reason: Signal<Option<String>>,
) -> impl IntoView {
    // The live region is always in the page, so adding the message to it
    // is announced.
    view! {
        <div role="alert" aria-live="assertive" class="safety-slot">
            {move || reason.get().map(|why| view! {
                <div class="safety-banner" data-testid="safety-alert">
                    <strong>"Safety risk: follow the safety protocol now."</strong>
                    <span>{format!(" {why}.")}</span>
                    <span>" Saving this screening alerts the care team and adds a same-day safety follow-up to the worklist."</span>
                </div>
            })}
        </div>
    }
}

/// The live result box.
#[component]
fn LiveResult(instrument: Instrument, #[prop(into)] now: Signal<Live>) -> impl IntoView {
    view! {
        <div class="live-score card" aria-live="polite" data-testid="live-score">
            {move || match now.get() {
                Live::Partial { answered, asked, .. } => view! {
                    <p>
                        <strong>{format!("Answered {answered} of {asked}.")}</strong>
                        " Answer all items to see the score."
                    </p>
                }
                .into_any(),
                Live::Scored(result) => {
                    let flags = result.flags.clone();
                    view! {
                        <p class="live-summary" data-testid="live-summary">
                            <strong>{summary(instrument, &result)}</strong>
                        </p>
                        {(!flags.is_empty()).then(|| view! {
                            <ul class="plain-list">
                                {flags.iter().map(|f| view! {
                                    <li>
                                        <span class="badge tag-danger">{flag_words(*f)}</span>
                                        " "
                                        {result.reason(*f).unwrap_or_default().to_string()}
                                    </li>
                                }).collect_view()}
                            </ul>
                        })}
                        {(!result.social_needs.is_empty()).then(|| view! {
                            <ul class="plain-list">
                                {result.social_needs.iter().map(|n| view! {
                                    <li><strong>{n.domain.label()}</strong>{format!(": {}", n.reason)}</li>
                                }).collect_view()}
                            </ul>
                        })}
                    }
                    .into_any()
                }
            }}
        </div>
    }
}

/// The error beside an item, from the answers' field errors.
fn item_error(errors: &[FieldError], key: &str) -> Option<String> {
    let field = format!("answers.{key}");
    let msgs: Vec<String> = errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| capitalized(e.message.trim_end_matches('.')) + ".")
        .collect();
    (!msgs.is_empty()).then(|| msgs.join(" "))
}

/// One question: a group of radio buttons (a scale, yes/no) or checkboxes
/// (check all that apply), named by the question.
#[component]
fn ItemControl(
    item: &'static ItemDef,
    answers: RwSignal<Answers>,
    item_errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let key = item.key;
    let legend_number = if item.is_follow_up() {
        format!("{}, follow-up.", item.number)
    } else {
        format!("{}.", item.number)
    };
    let group = format!("item-{key}");
    let error_id = format!("item-{key}-error");
    let error = move || item_errors.with(|e| item_error(e, key));
    let set = move |value: AnswerValue| {
        answers.update(|a| {
            a.insert(key, value);
        });
        item_errors.update(|e| e.retain(|f| f.field != format!("answers.{key}")));
    };
    let choices: Vec<(String, AnswerValue)> = match item.answer {
        AnswerType::Scale { choices } => choices
            .iter()
            .map(|c| (capitalized(c.label), AnswerValue::Code(i64::from(c.value))))
            .collect(),
        AnswerType::YesNo => vec![
            ("Yes".to_string(), AnswerValue::YesNo(true)),
            ("No".to_string(), AnswerValue::YesNo(false)),
        ],
        AnswerType::Checklist { .. } => Vec::new(),
    };
    let controls = match item.answer {
        AnswerType::Checklist { boxes, none } => {
            let boxes_view = boxes
                .iter()
                .map(|b| {
                    let code = i64::from(b.value);
                    let checked = move || {
                        answers.with(|a| matches!(a.get(key), Some(AnswerValue::Codes(c)) if c.contains(&code)))
                    };
                    view! {
                        <label class="choice">
                            <input
                                type="checkbox"
                                prop:checked=checked
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let mut codes = answers.with_untracked(|a| match a.get(key) {
                                        Some(AnswerValue::Codes(c)) => c.clone(),
                                        _ => Vec::new(),
                                    });
                                    codes.retain(|c| *c != code);
                                    if on {
                                        codes.push(code);
                                        codes.sort_unstable();
                                    }
                                    set(AnswerValue::Codes(codes));
                                }
                            />
                            {capitalized(b.label)}
                        </label>
                    }
                })
                .collect_view();
            let none_checked = move || {
                answers.with(|a| matches!(a.get(key), Some(AnswerValue::Codes(c)) if c.is_empty()))
            };
            view! {
                {boxes_view}
                <label class="choice">
                    <input
                        type="checkbox"
                        prop:checked=none_checked
                        on:change=move |ev| {
                            if event_target_checked(&ev) {
                                set(AnswerValue::Codes(Vec::new()));
                            } else {
                                answers.update(|a| {
                                    a.remove(key);
                                });
                            }
                        }
                    />
                    {capitalized(none)}
                </label>
            }
            .into_any()
        }
        _ => choices
            .into_iter()
            .map(|(label, value)| {
                let mine = value.clone();
                let checked = move || answers.with(|a| a.get(key) == Some(&mine));
                view! {
                    <label class="choice">
                        <input
                            type="radio"
                            name=group.clone()
                            prop:checked=checked
                            on:change=move |_| set(value.clone())
                        />
                        {label}
                    </label>
                }
            })
            .collect_view()
            .into_any(),
    };
    let described = error_id.clone();
    view! {
        <fieldset
            class="screening-item"
            class:has-error=move || error().is_some()
            data-key=key
            aria-describedby=move || error().map(|_| described.clone())
        >
            <legend>
                <span class="item-number">{legend_number}</span>
                " "
                {item.text}
            </legend>
            <div class="choices">{controls}</div>
            {move || error().map(|msg| view! { <p class="field-error" id=error_id.clone()>{msg}</p> })}
        </fieldset>
    }
}

/// The screening form.
#[component]
pub fn ScreeningForm(
    /// The patient.
    patient_id: PatientId,
    /// What scoring needs to know about the patient.
    context: ScoringContext,
    /// Called with the screening once the server has recorded and scored it.
    on_saved: Callback<Screening>,
) -> impl IntoView {
    let instrument = RwSignal::new(Instrument::Phq9);
    let answers = RwSignal::new(Answers::new());
    let item_errors = RwSignal::new(Vec::<FieldError>::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let at = RwSignal::new(format::datetime_local_value(Utc::now()));

    let now = Memo::new(move |_| {
        let i = instrument.get();
        answers.with(|a| live(i, a, context))
    });
    let safety = Signal::derive(move || now.with(Live::safety));
    let items = Memo::new(move |_| {
        let i = instrument.get();
        answers.with(|a| asked_items(i, a))
    });

    let reset = move || {
        answers.set(Answers::new());
        item_errors.set(Vec::new());
        errors.clear();
        at.set(format::datetime_local_value(Utc::now()));
    };

    let save = Callback::new(move |()| {
        let i = instrument.get_untracked();
        let given = answers.with_untracked(|a| pruned(i, a));
        let administered_at =
            match format::read_local_moment(&at.get_untracked(), "administered_at", true) {
                Ok(Some(t)) => Some(t),
                Ok(None) => None,
                Err(e) => {
                    errors.show_rules(vec![e]);
                    None
                }
            };
        if let Err(found) = shared::screening::score(i, &given, &context) {
            item_errors.set(found.into_iter().map(FieldError::from).collect());
            errors.banner.set(None);
            crate::dom::focus_later("screening-form-errors");
            return;
        }
        let Some(administered_at) = administered_at else {
            return;
        };
        let new = NewScreening {
            instrument: i,
            administered_at,
            answers: given,
        };
        errors.clear();
        item_errors.set(Vec::new());
        busy.set(true);
        spawn_local(async move {
            let result = client::create_screening(patient_id, &new).await;
            busy.set(false);
            match result {
                Ok(s) => {
                    reset();
                    on_saved.run(s);
                }
                Err(e) => {
                    let (about_items, others): (Vec<_>, Vec<_>) = e
                        .field_errors()
                        .into_iter()
                        .partition(|f| f.field.starts_with("answers."));
                    if about_items.is_empty() {
                        errors.show(e);
                    } else {
                        item_errors.set(about_items);
                        if !errors.show_rules(others) {
                            errors.banner.set(Some(e));
                        }
                    }
                }
            }
        });
    });

    let missing = move || {
        item_errors.with(|e| {
            (!e.is_empty()).then(|| {
                format!(
                    "{} need an answer or a different one; each is marked below.",
                    format::count(e.len(), "item", "items")
                )
            })
        })
    };

    view! {
        <ActionForm on_submit=save busy=busy class="card stack screening-form" labelled_by=Some("screening-form-heading")>
            <h3 id="screening-form-heading">"Give a screening"</h3>
            <div class="field">
                <label for="screening-instrument">"Instrument"</label>
                <select
                    id="screening-instrument"
                    on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<Instrument>() {
                            instrument.set(i);
                            reset();
                        }
                    }
                >
                    {Instrument::VARIANTS.iter().map(|i| view! {
                        <option value=i.as_ref() selected=*i == Instrument::Phq9>{i.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <ErrorBanner error=errors.banner />
            <div id="screening-form-errors" tabindex="-1">
                {move || missing().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <div class="screening-layout">
                <div class="stack screening-items">
                    <For
                        each=move || items.get()
                        key=|item| (item.key, item.text)
                        children=move |item| view! { <ItemControl item=item answers=answers item_errors=item_errors /> }
                    />
                </div>
                <aside class="screening-side" aria-label="Live score">
                    <SafetyAlert reason=safety />
                    {move || view! { <LiveResult instrument=instrument.get() now=now /> }}
                </aside>
            </div>
            <TextField
                id="screening-administered-at"
                label="Administered at"
                input_type="datetime-local"
                required=true
                bind=errors.bind("administered_at", at)
                error_label="Administration time"
            />
            <FormActions
                button=Button::submit("Save screening").busy(busy, "Saving…")
                back_label="Clear answers"
                on_back=Callback::new(move |()| reset())
            />
        </ActionForm>
    }
}
