//! A referral's history: every step, oldest first — from where to where,
//! which side took it and who, when, and the reason given.

use leptos::prelude::*;
use shared::referral::{ReferralParty, StatusEvent};

use super::page::ReferralCtx;
use crate::components::Card;
use crate::format;

/// "Draft → Sent", or "Created as a draft".
pub fn step_text(e: &StatusEvent) -> String {
    match e.from {
        Some(from) => format!("{} → {}", from.label(), e.to.label()),
        None => format!("Created as {}", e.to.label().to_lowercase()),
    }
}

/// "by carmen@… (care team)".
pub fn by_text(e: &StatusEvent) -> String {
    let side = match e.party {
        ReferralParty::Referrer => "care team",
        ReferralParty::Provider => "provider",
    };
    format!("by {} ({side})", e.by)
}

/// The history card.
#[component]
pub fn HistoryCard(ctx: ReferralCtx) -> impl IntoView {
    let events = move || {
        ctx.referral
            .with(|r| r.as_ref().map(|r| r.history.clone()).unwrap_or_default())
    };
    view! {
        <Card id="referral-history" title="History">
            <ol class="timeline" data-testid="referral-history">
                {move || {
                    events()
                        .into_iter()
                        .map(|e| {
                            view! {
                                <li class="timeline-entry">
                                    <p class="timeline-when">{format::datetime(e.at)}</p>
                                    <div>
                                        <p>
                                            <strong>{step_text(&e)}</strong>
                                        </p>
                                        <p class="muted small wrap">{by_text(&e)}</p>
                                        {e.reason.clone().map(|r| view! { <p class="wrap">{format!("Reason: {r}")}</p> })}
                                    </div>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </Card>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::referral::ReferralStatus;

    #[test]
    fn each_step_reads_from_where_to_where_and_by_whom() {
        let mut e = StatusEvent {
            from: None,
            to: ReferralStatus::Draft,
            reason: None,
            at: chrono::Utc::now(),
            party: ReferralParty::Referrer,
            by: "cm1@riverside.example".into(),
        };
        assert_eq!(step_text(&e), "Created as draft");
        e.from = Some(ReferralStatus::Sent);
        e.to = ReferralStatus::Declined;
        e.party = ReferralParty::Provider;
        e.by = "Clínica Esperanza key".into();
        assert_eq!(step_text(&e), "Sent → Declined");
        assert_eq!(by_text(&e), "by Clínica Esperanza key (provider)");
    }
}
