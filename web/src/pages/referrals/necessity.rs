//! A medical-necessity result as people read it: met or not met (in
//! words, not colour), each criterion's outcome, and — when not met — the
//! alternatives configured for the service. The referral page shows the
//! check the referral carries; the draft form shows the same view of
//! `shared::necessity::evaluate` run in the browser.

use leptos::prelude::*;
use shared::necessity::{CriterionOutcome, Evaluation};

use crate::components::Tag;

/// The headline of a result.
pub fn verdict(e: &Evaluation) -> &'static str {
    if e.met {
        "Medical necessity: met"
    } else {
        "Medical necessity: not met"
    }
}

/// How a criterion counts: each required one must hold, one of the others.
pub fn criterion_role(c: &CriterionOutcome) -> &'static str {
    if c.required { "Required" } else { "One of" }
}

/// A medical-necessity result.
#[component]
pub fn NecessityResult(
    /// The result.
    evaluation: Evaluation,
    /// The id of its heading (unique on the page).
    heading_id: &'static str,
    /// The heading's level: `3` inside a card, `4` inside a form.
    #[prop(default = 3)]
    level: u8,
) -> impl IntoView {
    let headline = verdict(&evaluation);
    let heading = match level {
        4 => view! { <h4 id=heading_id>{headline}</h4> }.into_any(),
        _ => view! { <h3 id=heading_id>{headline}</h3> }.into_any(),
    };
    let criteria = evaluation
        .criteria
        .iter()
        .map(|c| {
            let (text, kind) = if c.met {
                ("Met", "ok")
            } else {
                ("Not met", "warn")
            };
            view! {
                <li data-met=if c.met { "true" } else { "false" }>
                    <Tag text=text kind=kind />
                    " "
                    <span class="muted small">{format!("{}: ", criterion_role(c))}</span>
                    <span class="wrap">{c.description.clone()}</span>
                </li>
            }
        })
        .collect_view();
    let alternatives = (!evaluation.alternatives.is_empty()).then(|| {
        let items = evaluation
            .alternatives
            .iter()
            .map(|a| view! { <li>{a.clone()}</li> })
            .collect_view();
        view! {
            <div class="suggestion" data-testid="necessity-alternatives">
                <p>
                    <strong>"Alternatives to offer:"</strong>
                </p>
                <ul class="plan-list">{items}</ul>
            </div>
        }
    });
    view! {
        <div
            class="live-score"
            aria-labelledby=heading_id
            role="group"
            data-met=if evaluation.met { "true" } else { "false" }
            data-testid="necessity-result"
        >
            {heading}
            <ul class="plain-list latest-screenings">{criteria}</ul>
            {alternatives}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_says_met_or_not_in_words() {
        let e = Evaluation {
            met: false,
            criteria: vec![CriterionOutcome {
                code: "score_at_least".into(),
                met: false,
                description: "PHQ-9 of 20 or more: latest PHQ-9 is 14 (2026-11-02)".into(),
                required: false,
            }],
            alternatives: vec!["Intensive outpatient program".into()],
        };
        assert_eq!(verdict(&e), "Medical necessity: not met");
        assert_eq!(criterion_role(&e.criteria[0]), "One of");
        let met = Evaluation { met: true, ..e };
        assert_eq!(verdict(&met), "Medical necessity: met");
    }
}
