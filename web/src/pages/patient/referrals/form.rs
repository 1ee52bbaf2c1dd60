//! Drafting a referral: the service, a provider from the directory ranked
//! for this patient (their language, insurance and distance count), the
//! priority, the reason and an optional due date — with the medical-
//! necessity check shown live as the service changes. The check is
//! `shared::necessity::evaluate`, the server's own function, run here on
//! the service's criteria and the patient's facts; the server checks again
//! when the draft is saved and when it is sent.

use chrono::{NaiveDate, Utc};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::PatientId;
use shared::necessity::{Criteria, Evaluation, Facts, evaluate};
use shared::pagination::PageQuery;
use shared::problem::{FieldError, ProblemKind};
use shared::providers::{DirectoryEntry, ProviderQuery, ServiceType};
use shared::referral::{NewReferral, Referral, ReferralPriority};
use shared::validation::blank_to_none;
use strum::VariantArray;
use uuid::Uuid;

use crate::client;
use crate::components::{
    AddForm, AddFormState, Choice, InputReader, SelectField, TextField, choices, text_inputs,
};
use crate::pages::referrals::necessity::NecessityResult;
use crate::rules;
use crate::transport::ApiError;

/// Providers offered in the picker.
const PROVIDERS: i64 = 50;

/// How long typing must pause before the provider search runs.
const DEBOUNCE_MS: u32 = 300;

/// Where the live check stands.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveCheck {
    /// No service chosen yet.
    ChooseService,
    /// The criteria or the patient's facts are on their way.
    Loading,
    /// The service has no criteria: nothing to check.
    NoCriteria,
    /// The result.
    Evaluated(Evaluation),
    /// The criteria or the facts could not be read.
    Failed(String),
}

/// A service's criteria as read: `None` when it has none, or why they could
/// not be read.
pub type CriteriaRead = (ServiceType, Result<Option<Criteria>, String>);

/// The live check for `service`, from the criteria read so far and the
/// patient's facts.
pub fn live_check(
    service: Option<ServiceType>,
    criteria: &[CriteriaRead],
    facts: Option<&Result<Facts, String>>,
    now: chrono::DateTime<Utc>,
) -> LiveCheck {
    let Some(service) = service else {
        return LiveCheck::ChooseService;
    };
    match criteria.iter().find(|(s, _)| *s == service) {
        None => LiveCheck::Loading,
        Some((_, Err(e))) => LiveCheck::Failed(e.clone()),
        Some((_, Ok(None))) => LiveCheck::NoCriteria,
        Some((_, Ok(Some(c)))) => match facts {
            None => LiveCheck::Loading,
            Some(Err(e)) => LiveCheck::Failed(e.clone()),
            Some(Ok(f)) => LiveCheck::Evaluated(evaluate(c, f, now)),
        },
    }
}

/// A provider as the picker offers it: "Name — in network · speaks Spanish".
pub fn provider_choice(e: &DirectoryEntry) -> Choice {
    let label = if e.reasons.is_empty() {
        e.provider.name.clone()
    } else {
        format!("{} — {}", e.provider.name, e.reasons.join(" · "))
    };
    (e.provider.id.to_string(), label)
}

/// The draft form (shown while open).
#[component]
pub fn ReferralForm(
    /// The patient.
    patient_id: PatientId,
    /// The form's state.
    form: AddFormState,
    /// Called with the draft once saved.
    on_added: Callback<Referral>,
) -> impl IntoView {
    let errors = form.errors;
    let [service, provider, priority, reason, due, search] = text_inputs();
    priority.set(ReferralPriority::Routine.as_ref().to_string());
    let chosen_service = Memo::new(move |_| service.with(|s| s.parse::<ServiceType>().ok()));
    let criteria = RwSignal::new(Vec::<CriteriaRead>::new());
    let facts = RwSignal::new(None::<Result<Facts, String>>);
    let providers = RwSignal::new(Vec::<DirectoryEntry>::new());
    let query_text = RwSignal::new(String::new());
    load_necessity(form, patient_id, chosen_service, criteria, facts);
    load_providers(
        form,
        patient_id,
        chosen_service,
        query_text,
        providers,
        provider,
    );

    let debounce = StoredValue::new(0u32);
    let on_search = Callback::new(move |text: String| {
        search.set(text.clone());
        debounce.update_value(|d| *d += 1);
        let mine = debounce.get_value();
        spawn_local(async move {
            TimeoutFuture::new(DEBOUNCE_MS).await;
            if debounce.try_get_value() == Some(mine) {
                query_text.set(text);
            }
        });
    });
    let check = Memo::new(move |_| {
        criteria
            .with(|c| facts.with(|f| live_check(chosen_service.get(), c, f.as_ref(), Utc::now())))
    });

    let submit = Callback::new(move |()| {
        let mut reader = InputReader::new();
        let s = reader.chosen::<ServiceType>("service", service);
        let p = reader.chosen::<Uuid>("provider_id", provider);
        let pr = reader.chosen::<ReferralPriority>("priority", priority);
        let due_date = match blank_to_none(due.get_untracked()) {
            None => None,
            Some(text) => reader.read(
                text.parse::<NaiveDate>()
                    .map_err(|_| FieldError::new("due_date", "is not a date")),
            ),
        };
        let found = reader.errors(vec![]);
        let (Some(s), Some(p), Some(pr)) = (s, p, pr) else {
            let mut all = found;
            if blank_to_none(reason.get_untracked()).is_none() {
                all.push(FieldError::new("reason", "is required"));
            }
            errors.show_rules(all);
            return;
        };
        let new = NewReferral {
            patient_id,
            provider_id: p,
            service: s,
            priority: pr,
            reason: reason.get_untracked(),
            need_id: None,
            intervention_id: None,
            due_date,
        };
        let mut all = found;
        all.extend(rules::errors(new.clone()));
        if errors.show_rules(all) {
            return;
        }
        form.save(
            async move { client::create_referral(&new).await },
            [service, provider, reason, due, search],
            Callback::new(move |r: Referral| {
                priority.set(ReferralPriority::Routine.as_ref().to_string());
                query_text.set(String::new());
                on_added.run(r);
            }),
        );
    });

    let provider_choices = Signal::derive(move || {
        std::iter::once((String::new(), "Choose a provider…".to_string()))
            .chain(providers.with(|ps| ps.iter().map(provider_choice).collect::<Vec<_>>()))
            .collect::<Vec<Choice>>()
    });
    view! {
        <AddForm
            id="referral-form"
            form=form
            on_submit=submit
            label="Save draft"
            busy_label="Saving…"
            heading=("referral-form-heading", "New referral")
            hint="A referral is saved as a draft; send it from its page."
        >
            <div class="grid grid-2">
                <SelectField
                    id="referral-service"
                    label="Service"
                    required=true
                    options=Signal::stored(choices(ServiceType::VARIANTS, |s| s.label().to_string(), Some("Choose a service…")))
                    bind=errors.bind("service", service)
                />
                <SelectField
                    id="referral-priority"
                    label="Priority"
                    required=true
                    options=Signal::stored(choices(ReferralPriority::VARIANTS, |p| p.label().to_string(), None))
                    bind=errors.bind("priority", priority)
                    hint="Routine is due in 14 days, urgent in 3, emergent today."
                />
            </div>
            <LiveNecessity check=check />
            <div class="grid grid-2">
                <TextField
                    id="referral-provider-search"
                    label="Find a provider by name"
                    input_type="search"
                    autocomplete="off"
                    value=search
                    on_input=on_search
                />
                <SelectField
                    id="referral-provider"
                    label="Provider"
                    required=true
                    options=provider_choices
                    bind=errors.bind("provider_id", provider)
                    hint="Ranked for this patient; each says why it fits."
                />
            </div>
            <TextField
                id="referral-reason"
                label="Reason for referral"
                required=true
                multiline=true
                bind=errors.bind("reason", reason)
                error_label="Reason"
            />
            <TextField
                id="referral-due"
                label="Due by"
                input_type="date"
                hint="From the priority when left empty."
                bind=errors.bind("due_date", due)
                error_label="Due date"
            />
        </AddForm>
    }
}

/// The live check, announced politely as it changes.
#[component]
fn LiveNecessity(check: Memo<LiveCheck>) -> impl IntoView {
    view! {
        <div aria-live="polite" data-testid="live-necessity">
            {move || match check.get() {
                LiveCheck::ChooseService => {
                    view! { <p class="muted">"Choose a service to check medical necessity."</p> }.into_any()
                }
                LiveCheck::Loading => {
                    view! { <p class="loading">"Checking medical necessity…"</p> }.into_any()
                }
                LiveCheck::NoCriteria => {
                    view! { <p class="live-score">"No criteria configured for this service."</p> }.into_any()
                }
                LiveCheck::Failed(why) => {
                    view! { <p class="field-error">{format!("Medical necessity could not be checked: {why}")}</p> }
                        .into_any()
                }
                LiveCheck::Evaluated(e) => {
                    view! { <NecessityResult evaluation=e heading_id="live-necessity-heading" level=4 /> }.into_any()
                }
            }}
        </div>
    }
}

/// Reads the patient's facts once the form opens, and each service's
/// criteria the first time it is chosen (a service without criteria is a
/// not-found answer).
fn load_necessity(
    form: AddFormState,
    patient_id: PatientId,
    service: Memo<Option<ServiceType>>,
    criteria: RwSignal<Vec<CriteriaRead>>,
    facts: RwSignal<Option<Result<Facts, String>>>,
) {
    Effect::new(move |asked: Option<bool>| {
        if asked == Some(true) || !form.open.get() {
            return asked.unwrap_or(false);
        }
        spawn_local(async move {
            let result = client::necessity_facts(patient_id).await;
            facts.set(Some(result.map_err(|e| e.message())));
        });
        true
    });
    Effect::new(move || {
        let Some(s) = service.get() else {
            return;
        };
        if criteria.with_untracked(|c| c.iter().any(|(x, _)| *x == s)) {
            return;
        }
        spawn_local(async move {
            let found = match client::get_service_criteria(s).await {
                Ok(sc) => Ok(Some(sc.criteria)),
                Err(e) if e.is(ProblemKind::NotFound) => Ok(None),
                Err(e) => Err(e.message()),
            };
            criteria.update(|c| {
                if !c.iter().any(|(x, _)| *x == s) {
                    c.push((s, found));
                }
            });
        });
    });
}

/// Keeps the provider picker to the directory ranked for the patient for
/// the chosen service (and name search), dropping a choice that left it.
fn load_providers(
    form: AddFormState,
    patient_id: PatientId,
    service: Memo<Option<ServiceType>>,
    name: RwSignal<String>,
    providers: RwSignal<Vec<DirectoryEntry>>,
    chosen: RwSignal<String>,
) {
    let ticket = StoredValue::new(0u32);
    Effect::new(move || {
        if !form.open.get() {
            return;
        }
        let query = ProviderQuery {
            q: name.with(|n| blank_to_none(n)),
            service: service.get(),
            near_patient_id: Some(patient_id.into()),
            ..Default::default()
        };
        ticket.update_value(|t| *t += 1);
        let mine = ticket.get_value();
        spawn_local(async move {
            let result: Result<_, ApiError> =
                client::list_providers(&query, &PageQuery::first(PROVIDERS)).await;
            if ticket.try_get_value() != Some(mine) {
                return;
            }
            if let Ok(page) = result {
                let still = chosen
                    .with_untracked(|c| page.items.iter().any(|e| e.provider.id.to_string() == *c));
                if !still {
                    chosen.set(String::new());
                }
                providers.set(page.items);
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::necessity::{Condition, LatestScreen};
    use shared::screening::Instrument;

    fn inpatient() -> Criteria {
        Criteria {
            all_of: vec![],
            any_of: vec![Condition::ScoreAtLeast {
                instrument: Instrument::Phq9,
                total: 20,
            }],
            alternatives: vec!["Intensive outpatient program".into()],
        }
    }

    #[test]
    fn the_live_check_waits_for_a_service_its_criteria_and_the_facts() {
        let now = Utc::now();
        assert_eq!(live_check(None, &[], None, now), LiveCheck::ChooseService);
        let s = Some(ServiceType::InpatientPsychiatric);
        assert_eq!(live_check(s, &[], None, now), LiveCheck::Loading);
        let known = vec![(ServiceType::InpatientPsychiatric, Ok(Some(inpatient())))];
        assert_eq!(live_check(s, &known, None, now), LiveCheck::Loading);
        let none = vec![(ServiceType::OutpatientTherapy, Ok(None))];
        assert_eq!(
            live_check(Some(ServiceType::OutpatientTherapy), &none, None, now),
            LiveCheck::NoCriteria
        );
    }

    #[test]
    fn the_live_check_is_the_servers_evaluation() {
        let now = Utc::now();
        let facts = Facts {
            screens: vec![LatestScreen {
                instrument: Instrument::Phq9,
                total: Some(14),
                positive: true,
                at: now,
            }],
            ..Default::default()
        };
        let known = vec![(ServiceType::InpatientPsychiatric, Ok(Some(inpatient())))];
        let LiveCheck::Evaluated(e) = live_check(
            Some(ServiceType::InpatientPsychiatric),
            &known,
            Some(&Ok(facts.clone())),
            now,
        ) else {
            panic!("expected a result");
        };
        assert_eq!(e, evaluate(&inpatient(), &facts, now));
        assert!(!e.met);
        assert_eq!(e.alternatives, vec!["Intensive outpatient program"]);
    }
}
