//! The steps the care team may take next (from `ReferralStatus::steps`),
//! each a button that opens a small form asking for what the step needs:
//! an override reason to send a referral whose medical necessity is not
//! met, a reason to decline or cancel, the appointment to schedule, the
//! outcome to complete, and the patient's satisfaction when closing.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::referral::{Needs, ReferralStatus, ReferralStatusChange, Satisfaction};
use shared::validation::blank_to_none;

use super::model::{
    care_team_steps, needs_override, rating_label, step_button, step_heading, step_needs,
    step_notice, step_submit,
};
use super::page::{NOTICE_ID, ReferralCtx};
use crate::client;
use crate::components::{
    ActionForm, Button, Choice, Disclosure, ErrorBanner, FormActions, FormErrors, InputReader,
    SelectField, TextField, text_inputs,
};
use crate::dom::{focus_element, focus_later};
use crate::rules;
use crate::state::use_auth;

/// The id of a step's button.
fn step_id(to: ReferralStatus) -> String {
    format!("step-{}", to.as_ref())
}

/// The card of next steps (nothing for those who may not change patients'
/// records, or once the loop is shut).
#[component]
pub fn StepsCard(ctx: ReferralCtx) -> impl IntoView {
    let can_write = use_auth().can(Permission::PatientsWrite);
    let open = RwSignal::new(None::<ReferralStatus>);
    let status = Memo::new(move |_| ctx.referral.with(|r| r.as_ref().map(|r| r.status)));
    // A new status brings new steps: a form left open belongs to the old one.
    Effect::new(move || {
        status.track();
        open.set(None);
    });
    let steps = move || status.get().map(care_team_steps).unwrap_or_default();
    let buttons = move || {
        steps()
            .into_iter()
            .map(|to| {
                let toggle = Callback::new(move |()| {
                    let opening = open.get_untracked() != Some(to);
                    open.set(opening.then_some(to));
                    if opening {
                        focus_later("step-form-heading");
                    }
                });
                view! {
                    <Disclosure
                        label=step_button(to)
                        expanded=Signal::derive(move || open.get() == Some(to))
                        on_toggle=toggle
                        id=step_id(to)
                        controls="step-form"
                        class=if to == ReferralStatus::Cancelled {
                            "button secondary danger-text"
                        } else {
                            "button secondary"
                        }
                    />
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || can_write && !steps().is_empty()>
            <section class="card" aria-labelledby="steps-heading">
                <h2 id="steps-heading">"Next steps"</h2>
                <div class="action-bar" role="group" aria-label="Next steps">
                    {buttons}
                </div>
                <div id="step-form">
                    {move || {
                        open.get()
                            .map(|to| {
                                view! {
                                    <StepForm
                                        to=to
                                        ctx=ctx
                                        on_close=Callback::new(move |()| {
                                            open.set(None);
                                            focus_element(&step_id(to));
                                        })
                                    />
                                }
                            })
                    }}
                </div>
            </section>
        </Show>
    }
}

/// The form of one step.
#[component]
fn StepForm(to: ReferralStatus, ctx: ReferralCtx, on_close: Callback<()>) -> impl IntoView {
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let [
        reason,
        appointment,
        outcome,
        override_reason,
        rating,
        comment,
    ] = text_inputs();
    // The server checks necessity again at sending: if it asks for an
    // override the referral did not seem to need, the field appears.
    let asked_override = RwSignal::new(false);
    // Known to the form from the start, so the server's error about it is
    // shown beside the field (which then appears) rather than in the banner.
    let _ = errors.field("override_reason", "Override reason");
    let needs = step_needs(to);
    let wants_override = move || {
        to == ReferralStatus::Sent
            && (asked_override.get()
                || ctx
                    .referral
                    .with(|r| r.as_ref().is_some_and(needs_override)))
    };

    let submit = Callback::new(move |()| {
        let Some(r) = ctx.referral.get_untracked() else {
            return;
        };
        let mut reader = InputReader::new();
        let appointment_at = if needs == Needs::AppointmentTime {
            reader.moment("appointment_at", appointment, true)
        } else {
            None
        };
        let satisfaction = if to == ReferralStatus::Closed {
            read_satisfaction(&mut reader, rating, comment)
        } else {
            None
        };
        let overriding = blank_to_none(override_reason.get_untracked());
        let mut missing = Vec::new();
        if wants_override() && overriding.is_none() {
            missing.push(shared::problem::FieldError::new(
                "override_reason",
                "is required to send a referral whose medical necessity is not met",
            ));
        }
        let change = ReferralStatusChange {
            status: to,
            reason: blank_to_none(reason.get_untracked()),
            appointment_at,
            outcome: blank_to_none(outcome.get_untracked()),
            override_reason: overriding.filter(|_| to == ReferralStatus::Sent),
            satisfaction,
            version: Some(r.version),
        };
        let mut found = reader.errors(missing);
        for e in rules::errors(change.clone()) {
            if !found.iter().any(|f| f.field == e.field) {
                found.push(e);
            }
        }
        if errors.show_rules(found) {
            return;
        }
        errors.clear();
        busy.set(true);
        ctx.error.set(None);
        spawn_local(async move {
            let result = client::change_referral_status(r.id, &change, r.version).await;
            busy.set(false);
            match result {
                Ok(updated) => {
                    ctx.notice.set(Some(step_notice(&updated)));
                    ctx.referral.set(Some(updated));
                    focus_later(NOTICE_ID);
                }
                Err(e)
                    if e.field_errors()
                        .iter()
                        .any(|f| f.field == "override_reason") =>
                {
                    asked_override.set(true);
                    errors.show(e);
                }
                Err(e) if e.field_errors().is_empty() => {
                    on_close.run(());
                    ctx.failed(r.id, &e);
                }
                Err(e) => errors.show(e),
            }
        });
    });

    view! {
        <ActionForm on_submit=submit busy=busy class="stack task-form" labelled_by=Some("step-form-heading")>
            <h3 id="step-form-heading" tabindex="-1">{step_heading(to)}</h3>
            <ErrorBanner error=errors.banner />
            <Show when=wants_override>
                <p class="suggestion">
                    "Medical necessity is not met for this service. Say why the referral goes anyway; the reason is kept in the audit trail."
                </p>
                <TextField
                    id="step-override"
                    label="Override reason"
                    required=true
                    multiline=true
                    bind=errors.bind("override_reason", override_reason)
                />
            </Show>
            {step_fields(to, errors, reason, appointment, outcome, rating, comment)}
            <FormActions
                button=Button::submit(step_submit(to)).busy(busy, "Saving…")
                back_label="Back"
                on_back=on_close
            />
        </ActionForm>
    }
}

/// The fields a step asks for besides the override reason.
fn step_fields(
    to: ReferralStatus,
    errors: FormErrors,
    reason: RwSignal<String>,
    appointment: RwSignal<String>,
    outcome: RwSignal<String>,
    rating: RwSignal<String>,
    comment: RwSignal<String>,
) -> AnyView {
    match step_needs(to) {
        Needs::Reason => view! {
            <TextField
                id="step-reason"
                label="Reason"
                required=true
                multiline=true
                bind=errors.bind("reason", reason)
            />
        }
        .into_any(),
        Needs::AppointmentTime => view! {
            <TextField
                id="step-appointment"
                label="Appointment"
                input_type="datetime-local"
                required=true
                hint="The date and time the provider booked."
                bind=errors.bind("appointment_at", appointment)
            />
        }
        .into_any(),
        Needs::Outcome => view! {
            <TextField
                id="step-outcome"
                label="Outcome"
                required=true
                multiline=true
                hint="What the service found or gave."
                bind=errors.bind("outcome", outcome)
            />
        }
        .into_any(),
        Needs::Nothing if to == ReferralStatus::Closed => {
            let scale: Vec<Choice> = std::iter::once((String::new(), "Not asked".to_string()))
                .chain((1..=5).map(|n: i16| (n.to_string(), rating_label(n).to_string())))
                .collect();
            view! {
                <fieldset class="form-section">
                    <legend>"The patient's satisfaction (optional)"</legend>
                    <SelectField
                        id="step-rating"
                        label="Rating"
                        options=Signal::stored(scale)
                        bind=errors.bind("satisfaction.rating", rating)
                    />
                    <TextField
                        id="step-comment"
                        label="Comment"
                        multiline=true
                        hint="In the patient's words."
                        bind=errors.bind("satisfaction.comment", comment)
                    />
                </fieldset>
            }
            .into_any()
        }
        Needs::Nothing => ().into_any(),
    }
}

/// The rating and comment, when a rating was chosen; a comment alone is an
/// error (the rating is what the figures count).
fn read_satisfaction(
    reader: &mut InputReader,
    rating: RwSignal<String>,
    comment: RwSignal<String>,
) -> Option<Satisfaction> {
    let comment = blank_to_none(comment.get_untracked());
    let chosen = rating.with_untracked(|r| r.parse::<i16>().ok());
    match chosen {
        Some(rating) => Some(Satisfaction { rating, comment }),
        None if comment.is_some() => {
            reader.read::<()>(Err(shared::problem::FieldError::new(
                "satisfaction.rating",
                "must be chosen to record a comment",
            )));
            None
        }
        None => None,
    }
}
