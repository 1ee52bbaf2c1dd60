//! The risk card: the level in force, and when an override is in force the
//! computed level and its points beside it; the factors that add up to the
//! computed level, heaviest first; the override (who set it, why, until
//! when) and the latest changes. "Override risk" sets the level by hand,
//! for a reason, until a date.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::ids::PatientId;
use shared::problem::FieldError;
use shared::risk::{Risk, RiskChange, RiskFactor, RiskLevel, RiskOverrideRequest};
use strum::VariantArray;

use crate::client;
use crate::components::{
    ActionForm, Button, ErrorBanner, FormActions, FormErrors, Loading, Modal, Notice, RiskBadge,
    SelectField, TextField, choices,
};
use crate::dom::focus_later;
use crate::format;
use crate::pages::patient::context::PatientCtx;
use crate::rules;
use crate::state::{Directory, use_auth};
use crate::transport::ApiError;

/// How many of the latest changes the card lists.
pub const HISTORY_SHOWN: usize = 5;

/// The factors, heaviest first (equal weights keep the server's order).
pub fn heaviest_first(factors: &[RiskFactor]) -> Vec<RiskFactor> {
    let mut sorted = factors.to_vec();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.points));
    sorted
}

/// `1 point`, `4 points`.
pub fn points(n: i32) -> String {
    if n == 1 {
        "1 point".into()
    } else {
        format!("{n} points")
    }
}

/// What the computed level says beside an override:
/// `Computed: Moderate (4 points)`.
pub fn computed_words(risk: &Risk) -> String {
    format!(
        "Computed: {} ({})",
        risk.computed_level.label(),
        points(risk.points)
    )
}

/// The latest changes, newest first, at most `n`.
pub fn recent_changes(history: &[RiskChange], n: usize) -> Vec<RiskChange> {
    let mut latest = history.to_vec();
    latest.sort_by_key(|c| std::cmp::Reverse(c.at));
    latest.truncate(n);
    latest
}

/// Reads the override form: the level chosen, the reason and the last day,
/// each missing or unreadable one a field error in the API's words.
pub fn read_override(
    level: &str,
    reason: &str,
    until: &str,
) -> Result<RiskOverrideRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let level = level.parse::<RiskLevel>().ok();
    if level.is_none() {
        errors.push(FieldError::new("level", "must be chosen"));
    }
    let until = match until.trim() {
        "" => {
            errors.push(FieldError::new("until", "is required"));
            None
        }
        text => {
            let day = text.parse::<NaiveDate>().ok();
            if day.is_none() {
                errors.push(FieldError::new("until", "is not a date"));
            }
            day
        }
    };
    match (level, until) {
        (Some(level), Some(until)) if errors.is_empty() => Ok(RiskOverrideRequest {
            level,
            reason: reason.to_string(),
            until,
        }),
        _ => {
            if reason.trim().is_empty() {
                errors.push(FieldError::new("reason", "is required"));
            }
            Err(errors)
        }
    }
}

/// The override form, in a dialog.
#[component]
fn OverrideDialog(
    /// The patient.
    patient_id: PatientId,
    /// Whether the dialog is open.
    open: RwSignal<bool>,
    /// The level in force (the form starts there).
    current: RiskLevel,
    /// Called with the risk once the override is saved.
    on_saved: Callback<Risk>,
) -> impl IntoView {
    let level = RwSignal::new(current.as_ref().to_string());
    let reason = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let level_choices = Signal::stored(choices(
        RiskLevel::VARIANTS,
        |l| l.label().to_string(),
        None,
    ));
    let save = Callback::new(move |()| {
        let read = read_override(
            &level.get_untracked(),
            &reason.get_untracked(),
            &until.get_untracked(),
        );
        let request = match read {
            Ok(r) => r,
            Err(found) => {
                errors.show_rules(found);
                return;
            }
        };
        if errors.show_rules(rules::errors(request.clone())) {
            return;
        }
        errors.clear();
        busy.set(true);
        spawn_local(async move {
            let result = client::override_risk(patient_id, &request).await;
            busy.set(false);
            match result {
                Ok(risk) => {
                    open.set(false);
                    on_saved.run(risk);
                }
                Err(e) => errors.show(e),
            }
        });
    });
    let max = (format::today() + chrono::Duration::days(shared::risk::OVERRIDE_MAX_DAYS))
        .format("%Y-%m-%d")
        .to_string();
    view! {
        <ActionForm on_submit=save busy=busy class="stack">
            <p>
                "The level you set applies instead of the computed one through the last day you give; then the computed level applies again. The care team sees the reason."
            </p>
            <ErrorBanner error=errors.banner />
            <SelectField
                id="risk-override-level"
                label="Risk level"
                required=true
                options=level_choices
                bind=errors.bind("level", level)
            />
            <TextField
                id="risk-override-reason"
                label="Reason"
                multiline=true
                required=true
                bind=errors.bind("reason", reason)
            />
            <TextField
                id="risk-override-until"
                label="Until"
                input_type="date"
                required=true
                hint="The last day the override applies."
                max=max
                bind=errors.bind("until", until)
                error_label="The last day"
            />
            <FormActions
                button=Button::submit("Save override").busy(busy, "Saving…")
                on_back=Callback::new(move |()| open.set(false))
            />
        </ActionForm>
    }
}

/// The risk card.
#[component]
pub fn RiskCard(
    /// The patient.
    patient_id: PatientId,
    /// Called once an override is saved (a rise alerts the care team).
    on_changed: Callback<()>,
) -> impl IntoView {
    let can_write = use_auth().can(Permission::PatientsWrite);
    let directory = expect_context::<Directory>();
    let ctx = PatientCtx::get();
    let risk = RwSignal::new(None::<Risk>);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let open = RwSignal::new(false);

    spawn_local(async move {
        match client::get_risk(patient_id).await {
            Ok(r) => risk.set(Some(r)),
            Err(e) => error.set(Some(e)),
        }
    });

    let on_saved = Callback::new(move |r: Risk| {
        notice.set(Some(format!(
            "Risk level set to {} by override.",
            r.level.label()
        )));
        risk.set(Some(r));
        focus_later("sec-risk");
        on_changed.run(());
        // The header shows the level in force: read the patient again.
        spawn_local(async move {
            if let Ok(p) = client::get_patient(patient_id).await {
                ctx.patient.set(Some(p));
            }
        });
    });
    let who = move |by| directory.care_manager_label(by);

    view! {
        <section class="card risk-card" aria-labelledby="sec-risk">
            <h2 id="sec-risk" tabindex="-1">
                "Risk"
            </h2>
            <Notice message=notice inline=true />
            <ErrorBanner error=error />
            {move || match risk.get() {
                None if error.with(Option::is_none) => view! { <Loading what="the risk" /> }.into_any(),
                None => ().into_any(),
                Some(r) => {
                    let factors = heaviest_first(&r.factors);
                    let changes = recent_changes(&r.history, HISTORY_SHOWN);
                    view! {
                        <p class="risk-level" data-testid="risk-level">
                            <span class="muted small">"In force: "</span>
                            <RiskBadge level=r.level long=true />
                            {match &r.override_ {
                                Some(_) => view! {
                                    " "
                                    <span class="badge tag-warn">"Overridden"</span>
                                    " "
                                    <span class="risk-computed" data-testid="risk-computed">
                                        {computed_words(&r)}
                                    </span>
                                }
                                    .into_any(),
                                None => view! {
                                    " "
                                    <span class="muted small">{points(r.points)}</span>
                                }
                                    .into_any(),
                            }}
                        </p>
                        {r.override_.clone().map(|o| view! {
                            <div class="risk-override" data-testid="risk-override">
                                <h3>"Override"</h3>
                                <p>
                                    <RiskBadge level=o.level />
                                    {format!(" until {}", format::date(o.until))}
                                    <span class="muted small">
                                        {format!(
                                            " · set by {} on {}",
                                            who(o.by),
                                            format::datetime(o.at),
                                        )}
                                    </span>
                                </p>
                                <p class="risk-reason">"Reason: " {o.reason.clone()}</p>
                            </div>
                        })}
                        <h3>"Factors"</h3>
                        {if factors.is_empty() {
                            view! { <p class="muted">"No risk factors on record."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="plain-list risk-factors">
                                    {factors
                                        .into_iter()
                                        .map(|f| view! {
                                            <li>
                                                <span>{f.description}</span>
                                                <span class="badge tag-muted">{format!("+{}", points(f.points))}</span>
                                            </li>
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }}
                        <p class="muted small">
                            {format!("Computed {}", format::datetime(r.computed_at))}
                        </p>
                        {(!changes.is_empty()).then(|| view! {
                            <details class="risk-history">
                                <summary>"Recent changes"</summary>
                                <ul class="plain-list">
                                    {changes
                                        .into_iter()
                                        .map(|c| view! {
                                            <li>
                                                <span class="muted small">{format::datetime(c.at)}</span>
                                                " "
                                                <RiskBadge level=c.level />
                                                " "
                                                {c.cause}
                                            </li>
                                        })
                                        .collect_view()}
                                </ul>
                            </details>
                        })}
                    }
                        .into_any()
                }
            }}
            {can_write.then(|| view! {
                <button
                    type="button"
                    class="button small secondary"
                    aria-haspopup="dialog"
                    disabled=move || risk.with(Option::is_none)
                    on:click=move |_| open.set(true)
                >
                    "Override risk"
                </button>
                <Modal open=open title="Override risk level" id="risk-override">
                    {move || view! {
                        <OverrideDialog
                            patient_id=patient_id
                            open=open
                            current=risk.with_untracked(|r| r.as_ref().map(|r| r.level).unwrap_or_default())
                            on_saved=on_saved
                        />
                    }}
                </Modal>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use shared::risk::RiskFactorCode;

    fn factor(code: RiskFactorCode, points: i32) -> RiskFactor {
        RiskFactor {
            code,
            points,
            description: format!("{code} {points}"),
        }
    }

    fn change(day: u32, level: RiskLevel) -> RiskChange {
        RiskChange {
            level,
            computed_level: level,
            points: 0,
            factors: vec![],
            cause: format!("day {day}"),
            at: Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap(),
        }
    }

    #[test]
    fn factors_come_heaviest_first_and_ties_keep_their_order() {
        let sorted = heaviest_first(&[
            factor(RiskFactorCode::MissedAppointments, 1),
            factor(RiskFactorCode::SuicideRisk, 6),
            factor(RiskFactorCode::SocialNeeds, 1),
            factor(RiskFactorCode::Depression, 3),
        ]);
        let codes: Vec<_> = sorted.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            vec![
                RiskFactorCode::SuicideRisk,
                RiskFactorCode::Depression,
                RiskFactorCode::MissedAppointments,
                RiskFactorCode::SocialNeeds,
            ]
        );
    }

    #[test]
    fn the_computed_level_reads_with_its_points() {
        let risk = Risk {
            level: RiskLevel::High,
            computed_level: RiskLevel::Moderate,
            points: 4,
            factors: vec![],
            override_: None,
            computed_at: Utc::now(),
            history: vec![],
        };
        assert_eq!(computed_words(&risk), "Computed: Moderate (4 points)");
        assert_eq!(points(1), "1 point");
        assert_eq!(points(0), "0 points");
    }

    #[test]
    fn the_latest_changes_are_listed_newest_first_and_cut_short() {
        let history: Vec<_> = (1..=8).map(|d| change(d, RiskLevel::Low)).collect();
        let shown = recent_changes(&history, 5);
        assert_eq!(shown.len(), 5);
        assert_eq!(shown[0].cause, "day 8");
        assert_eq!(shown[4].cause, "day 4");
    }

    #[test]
    fn an_override_needs_a_level_a_reason_and_a_last_day() {
        let r = read_override("high", "Lost housing", "2026-12-31").unwrap();
        assert_eq!(r.level, RiskLevel::High);
        assert_eq!(r.until, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        let fields: Vec<String> = read_override("", "  ", "")
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["level", "until", "reason"]);
        let bad = read_override("low", "x", "someday").unwrap_err();
        assert_eq!(bad[0].field, "until");
        assert_eq!(bad[0].message, "is not a date");
    }
}
