//! Small labels for case status, risk level and the like. Each says its
//! meaning in words; colour only supports it.

use leptos::prelude::*;
use shared::case_status::CaseStatus;
use shared::risk::RiskLevel;

/// A case status.
#[component]
pub fn StatusBadge(
    /// The status.
    status: CaseStatus,
) -> impl IntoView {
    view! { <span class=format!("badge status-{}", status.as_ref())>{status.label()}</span> }
}

/// A risk level; `long` adds the word "risk".
#[component]
pub fn RiskBadge(
    /// The level.
    level: RiskLevel,
    /// Whether to say "… risk".
    #[prop(optional)]
    long: bool,
) -> impl IntoView {
    let text = if long {
        format!("{} risk", level.label())
    } else {
        level.label().to_string()
    };
    view! { <span class=format!("badge risk-{}", level.as_ref())>{text}</span> }
}

/// A neutral or coloured tag (`kind` is a CSS modifier: `ok`, `muted`, `warn`).
#[component]
pub fn Tag(
    /// The words.
    #[prop(into)]
    text: String,
    /// The modifier class.
    #[prop(optional)]
    kind: &'static str,
) -> impl IntoView {
    view! { <span class=format!("badge tag-{kind}")>{text}</span> }
}

/// Where a referral stands, in words.
#[component]
pub fn ReferralStatusBadge(
    /// The status.
    status: shared::referral::ReferralStatus,
) -> impl IntoView {
    use shared::referral::ReferralStatus as S;
    let kind = match status {
        S::Draft | S::Closed | S::Cancelled => "muted",
        S::Accepted | S::Scheduled | S::Completed => "ok",
        S::Declined | S::NoShow => "warn",
        S::Sent => "",
    };
    view! { <Tag text=status.label() kind=kind /> }
}

/// Where a provider stands with the network, in words.
#[component]
pub fn NetworkBadge(
    /// The status.
    status: shared::directory::NetworkStatus,
) -> impl IntoView {
    use shared::directory::NetworkStatus as N;
    let kind = match status {
        N::InNetwork => "ok",
        N::Credentialing => "warn",
        N::Prospect | N::Inactive => "muted",
        N::Recruiting => "",
    };
    view! { <Tag text=status.label() kind=kind /> }
}
