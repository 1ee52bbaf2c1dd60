//! The gaps-in-care card: what the record is missing now (each with the
//! task that would close it), and recording a chart review — service use,
//! engagement, plan adherence, minutes — that turns the gaps chosen into
//! tasks.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::chart_review::{ChartReview, Engagement, NewChartReview, PlanAdherence};
use shared::gaps::Gap;
use shared::ids::PatientId;
use shared::problem::FieldError;
use shared::validation::blank_to_none;
use strum::VariantArray;

use crate::client;
use crate::components::{
    AddForm, AddFormState, AddFormToggle, ListCard, Loading, SelectField, TextField, choices,
    text_inputs,
};
use crate::dom::focus_later;
use crate::format;
use crate::rules;
use crate::state::use_auth;
use crate::transport::ApiError;

/// Engagement in words.
pub fn engagement_label(e: Engagement) -> &'static str {
    match e {
        Engagement::Engaged => "Engaged",
        Engagement::PartiallyEngaged => "Partially engaged",
        Engagement::Disengaged => "Disengaged",
    }
}

/// Plan adherence in words.
pub fn adherence_label(a: PlanAdherence) -> &'static str {
    match a {
        PlanAdherence::Adherent => "Follows the plan",
        PlanAdherence::Partial => "Follows it in part",
        PlanAdherence::NonAdherent => "Does not follow it",
        PlanAdherence::NoPlan => "No plan to follow",
    }
}

/// What to say once a review is recorded: how many tasks it created.
pub fn recorded_notice(review: &ChartReview) -> String {
    let created = review
        .findings
        .iter()
        .filter(|f| f.task_id.is_some())
        .count();
    format!(
        "Chart review recorded: {} created.",
        format::count(created, "task", "tasks")
    )
}

/// The inputs of the chart-review form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewInput {
    /// Service use seen.
    pub service_use: String,
    /// The engagement chosen (a wire value).
    pub engagement: String,
    /// The plan adherence chosen (a wire value).
    pub plan_adherence: String,
    /// Conclusions.
    pub summary: String,
    /// Minutes spent, as typed.
    pub minutes: String,
    /// The keys of the gaps chosen.
    pub gaps: Vec<String>,
}

impl ReviewInput {
    /// The request these inputs make, or the fields that cannot be read.
    pub fn read(&self) -> Result<NewChartReview, Vec<FieldError>> {
        let mut errors = Vec::new();
        let engagement = self.engagement.parse::<Engagement>().ok();
        if engagement.is_none() {
            errors.push(FieldError::new("engagement", "must be chosen"));
        }
        let plan_adherence = self.plan_adherence.parse::<PlanAdherence>().ok();
        if plan_adherence.is_none() {
            errors.push(FieldError::new("plan_adherence", "must be chosen"));
        }
        let minutes = match self.minutes.trim() {
            "" => {
                errors.push(FieldError::new("minutes", "is required"));
                None
            }
            m => {
                let n = m.parse::<i32>().ok();
                if n.is_none() {
                    errors.push(FieldError::new("minutes", "must be a whole number"));
                }
                n
            }
        };
        match (engagement, plan_adherence, minutes) {
            (Some(engagement), Some(plan_adherence), Some(minutes)) => Ok(NewChartReview {
                service_use: self.service_use.clone(),
                engagement,
                plan_adherence,
                summary: blank_to_none(&self.summary),
                minutes,
                gaps: self.gaps.clone(),
            }),
            _ => Err(errors),
        }
    }
}

/// The chart-review form (shown while open).
#[component]
fn ChartReviewForm(
    /// The patient.
    patient_id: PatientId,
    /// The form's state.
    form: AddFormState,
    /// The current gaps (one checkbox each).
    gaps: RwSignal<Vec<Gap>>,
    /// Called with the review once recorded.
    on_recorded: Callback<ChartReview>,
) -> impl IntoView {
    let errors = form.errors;
    let [service_use, engagement, adherence, summary, minutes] = text_inputs();
    let chosen = RwSignal::new(Vec::<String>::new());
    let engagement_choices = Signal::stored(choices(
        Engagement::VARIANTS,
        |e| engagement_label(e).to_string(),
        Some("Choose…"),
    ));
    let adherence_choices = Signal::stored(choices(
        PlanAdherence::VARIANTS,
        |a| adherence_label(a).to_string(),
        Some("Choose…"),
    ));
    let gaps_error = errors.field("gaps", "Gaps");
    let submit = Callback::new(move |()| {
        let input = ReviewInput {
            service_use: service_use.get_untracked(),
            engagement: engagement.get_untracked(),
            plan_adherence: adherence.get_untracked(),
            summary: summary.get_untracked(),
            minutes: minutes.get_untracked(),
            gaps: chosen.get_untracked(),
        };
        let mut problems = match input.read() {
            Ok(review) => rules::errors(review),
            Err(found) => found,
        };
        if input.service_use.trim().is_empty() && !problems.iter().any(|e| e.field == "service_use")
        {
            problems.push(FieldError::new("service_use", "is required"));
        }
        if errors.show_rules(problems) {
            return;
        }
        let Ok(review) = input.read() else {
            return;
        };
        let on_saved = Callback::new(move |r: ChartReview| {
            chosen.set(Vec::new());
            on_recorded.run(r);
        });
        form.save(
            async move { client::record_chart_review(patient_id, &review).await },
            [service_use, engagement, adherence, summary, minutes],
            on_saved,
        );
    });

    view! {
        <AddForm
            id="chart-review-form"
            form=form
            on_submit=submit
            label="Record chart review"
            busy_label="Recording…"
            heading=("chart-review-heading", "Record a chart review")
            hint="The gaps you tick become tasks on the worklist."
        >
            <TextField
                id="cr-service-use"
                label="Service use"
                multiline=true
                required=true
                hint="Visits, stays and services seen in the record."
                bind=errors.bind("service_use", service_use)
            />
            <div class="grid grid-2">
                <SelectField
                    id="cr-engagement"
                    label="Engagement"
                    required=true
                    options=engagement_choices
                    bind=errors.bind("engagement", engagement)
                />
                <SelectField
                    id="cr-adherence"
                    label="Plan adherence"
                    required=true
                    options=adherence_choices
                    bind=errors.bind("plan_adherence", adherence)
                />
            </div>
            <TextField
                id="cr-summary"
                label="Summary"
                multiline=true
                bind=errors.bind("summary", summary)
            />
            <TextField
                id="cr-minutes"
                label="Minutes spent"
                input_type="number"
                inputmode="numeric"
                required=true
                class="narrow-field"
                bind=errors.bind("minutes", minutes)
                error_label="Minutes"
            />
            <fieldset class="form-section gap-choices">
                <legend>"Turn gaps into tasks"</legend>
                {move || {
                    gaps.with(|all| {
                        if all.is_empty() {
                            return view! { <p class="muted">"No gaps in care to turn into tasks."</p> }
                                .into_any();
                        }
                        all.iter()
                            .enumerate()
                            .map(|(i, g)| {
                                let key = g.key.clone();
                                let mine = key.clone();
                                let id = format!("cr-gap-{i}");
                                let hint_id = format!("{id}-hint");
                                view! {
                                    <div class="field checkbox-field">
                                        <input
                                            id=id.clone()
                                            type="checkbox"
                                            value=key.clone()
                                            prop:checked=move || chosen.with(|c| c.contains(&mine))
                                            aria-describedby=hint_id.clone()
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                chosen.update(|c| {
                                                    c.retain(|k| *k != key);
                                                    if on {
                                                        c.push(key.clone());
                                                    }
                                                });
                                                errors.clear_field("gaps");
                                            }
                                        />
                                        <label for=id>{g.description.clone()}</label>
                                        <p class="hint" id=hint_id>
                                            {format!("Task: {}", g.suggested_task.title)}
                                        </p>
                                    </div>
                                }
                            })
                            .collect_view()
                            .into_any()
                    })
                }}
                <p class="field-error" aria-live="polite">
                    {move || gaps_error.get()}
                </p>
            </fieldset>
        </AddForm>
    }
}

/// The gaps-in-care card.
#[component]
pub fn GapsCard(
    /// The patient.
    patient_id: PatientId,
    /// Called once a chart review created tasks (the tasks card reloads).
    on_tasks_created: Callback<()>,
) -> impl IntoView {
    let auth = use_auth();
    let can_review = auth.can(Permission::NotesWrite);
    let gaps = RwSignal::new(Vec::<Gap>::new());
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let form = AddFormState::new();

    let reload = move || {
        loading.set(true);
        spawn_local(async move {
            let result = client::list_gaps(patient_id).await;
            loading.set(false);
            match result {
                Ok(page) => {
                    error.set(None);
                    gaps.set(page.items);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    reload();

    let on_recorded = Callback::new(move |r: ChartReview| {
        notice.set(Some(recorded_notice(&r)));
        focus_later("sec-gaps");
        reload();
        on_tasks_created.run(());
    });

    view! {
        <ListCard
            id="sec-gaps"
            title="Gaps in care"
            count=Signal::derive(move || gaps.with(Vec::len))
            notice=notice
            error=error
        >
            <Show when=move || loading.get() && gaps.with(Vec::is_empty)>
                <Loading what="gaps in care" />
            </Show>
            <Show when=move || !loading.get() && gaps.with(Vec::is_empty) && error.with(Option::is_none)>
                <p class="muted">"No gaps in care found."</p>
            </Show>
            <ul class="plain-list gap-list">
                <For
                    each=move || gaps.get()
                    key=|g| g.key.clone()
                    children=move |g| {
                        view! {
                            <li>
                                <strong>{g.description.clone()}</strong>
                                <br />
                                <span class="muted small">
                                    {format!("Suggested task: {}", g.suggested_task.title)}
                                </span>
                            </li>
                        }
                    }
                />
            </ul>
            {can_review.then(|| view! {
                <AddFormToggle
                    label="Record chart review"
                    controls="chart-review-form"
                    first_field="cr-service-use"
                    form=form
                    class="button small secondary"
                />
                <ChartReviewForm patient_id=patient_id form=form gaps=gaps on_recorded=on_recorded />
            })}
        </ListCard>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use shared::chart_review::Finding;
    use shared::gaps::GapCode;
    use uuid::Uuid;

    fn input() -> ReviewInput {
        ReviewInput {
            service_use: "ED visit 11/20".into(),
            engagement: "partially_engaged".into(),
            plan_adherence: "no_plan".into(),
            summary: "  ".into(),
            minutes: "25".into(),
            gaps: vec!["no_care_plan".into(), "no_primary_care".into()],
        }
    }

    #[test]
    fn the_form_reads_into_a_chart_review_with_the_gaps_chosen() {
        let r = input().read().unwrap();
        assert_eq!(r.engagement, Engagement::PartiallyEngaged);
        assert_eq!(r.plan_adherence, PlanAdherence::NoPlan);
        assert_eq!(r.minutes, 25);
        assert_eq!(r.summary, None);
        assert_eq!(r.gaps, vec!["no_care_plan", "no_primary_care"]);
        assert!(rules::errors(r).is_empty());
    }

    #[test]
    fn missing_choices_and_unreadable_minutes_are_named() {
        let bad = ReviewInput {
            engagement: String::new(),
            minutes: "half an hour".into(),
            ..input()
        };
        let fields: Vec<String> = bad
            .read()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["engagement", "minutes"]);
        let none = ReviewInput {
            minutes: " ".into(),
            ..input()
        };
        assert_eq!(none.read().unwrap_err()[0].message, "is required");
    }

    #[test]
    fn the_notice_counts_the_tasks_created() {
        let finding = |task: bool| Finding {
            code: GapCode::NoCarePlan,
            description: "No care plan on record".into(),
            task_id: task.then(|| shared::ids::TaskId::from(Uuid::from_u128(7))),
        };
        let review = ChartReview {
            id: Uuid::nil(),
            patient_id: PatientId::from(Uuid::nil()),
            reviewed_by: None,
            service_use: "x".into(),
            engagement: Engagement::Engaged,
            plan_adherence: PlanAdherence::Adherent,
            summary: None,
            minutes: 5,
            note_id: Uuid::nil(),
            findings: vec![finding(true), finding(true)],
            reviewed_at: Utc::now(),
            version: 1,
        };
        assert_eq!(
            recorded_notice(&review),
            "Chart review recorded: 2 tasks created."
        );
        let one = ChartReview {
            findings: vec![finding(true), finding(false)],
            ..review
        };
        assert_eq!(
            recorded_notice(&one),
            "Chart review recorded: 1 task created."
        );
    }

    #[test]
    fn every_choice_has_words() {
        for e in Engagement::VARIANTS {
            assert!(!engagement_label(*e).is_empty());
        }
        for a in PlanAdherence::VARIANTS {
            assert!(!adherence_label(*a).is_empty());
        }
    }
}
