//! One referral: who it is for and to whom, where it stands, its
//! medical-necessity check, its history, its barriers and the steps the
//! care team may take next.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::problem::ProblemKind;
use shared::referral::Referral;
use uuid::Uuid;

use super::actions::StepsCard;
use super::barriers::BarriersCard;
use super::history::HistoryCard;
use super::model::referral_href;
use super::necessity::NecessityResult;
use crate::client;
use crate::components::forms::stale;
use crate::components::{
    Breadcrumb, Card, ErrorBanner, NotLoaded, Notice, PageHeader, ReferralStatusBadge, fact,
    fact_view,
};
use crate::dom::set_title;
use crate::format;
use crate::routes::use_path_value;
use crate::transport::ApiError;

/// The id of the page's notice, where focus goes after a change.
pub const NOTICE_ID: &str = "referral-notice";

/// The loaded referral and what the page's cards share.
#[derive(Debug, Clone, Copy)]
pub struct ReferralCtx {
    /// The referral, once loaded; a change replaces it.
    pub referral: RwSignal<Option<Referral>>,
    /// What the last change did.
    pub notice: RwSignal<Option<String>>,
    /// What went wrong with the last change.
    pub error: RwSignal<Option<ApiError>>,
}

impl ReferralCtx {
    /// Reads the referral again (after someone else changed it, or after a
    /// barrier changed), saying so when `stale`.
    pub fn reload(self, id: Uuid, stale_answer: bool) {
        spawn_local(async move {
            match client::get_referral(id).await {
                Ok(r) => {
                    self.referral.set(Some(r));
                    if stale_answer {
                        self.error.set(Some(stale("This referral")));
                    }
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }

    /// Shows a failed change: a stale version reloads the referral and
    /// says so; a step the referral has moved past (409) reloads it under
    /// the server's explanation.
    pub fn failed(self, id: Uuid, e: &ApiError) {
        if e.is(ProblemKind::StaleVersion) {
            self.reload(id, true);
        } else {
            self.error.set(Some(e.clone()));
            if e.is(ProblemKind::Conflict) {
                self.reload(id, false);
            }
        }
    }
}

/// The page's heading: "Outpatient therapy referral".
pub fn title_of(r: &Referral) -> String {
    format!("{} referral", r.service.label())
}

/// The referral page.
#[component]
pub fn ReferralPage() -> impl IntoView {
    set_title("Referral");
    let id = use_path_value::<Uuid>("id");
    let ctx = ReferralCtx {
        referral: RwSignal::new(None),
        notice: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    let load_error = RwSignal::new(None::<ApiError>);
    Effect::new(move || {
        let wanted = id.get();
        ctx.referral.set(None);
        load_error.set(None);
        ctx.notice.set(None);
        ctx.error.set(None);
        let Some(rid) = wanted else {
            load_error.set(Some(ApiError::of_kind(
                ProblemKind::NotFound,
                ProblemKind::NotFound.title(),
                "There is no referral at this address.",
            )));
            return;
        };
        spawn_local(async move {
            let result = client::get_referral(rid).await;
            if id.try_get_untracked() != Some(Some(rid)) {
                return;
            }
            match result {
                Ok(r) => {
                    set_title(&format!("{} · {}", title_of(&r), r.patient.name));
                    ctx.referral.set(Some(r));
                }
                Err(e) => load_error.set(Some(e)),
            }
        });
    });
    let current = move || {
        ctx.referral
            .with(|r| {
                r.as_ref()
                    .map(|r| format!("{} for {}", title_of(r), r.patient.name))
            })
            .unwrap_or_default()
    };
    let shown_id = Memo::new(move |_| ctx.referral.with(|r| r.as_ref().map(|r| r.id)));

    view! {
        <Breadcrumb href="/referrals" label="Referrals" current=Signal::derive(current) />
        <Show
            when=move || shown_id.get().is_some()
            fallback=move || {
                view! {
                    <NotLoaded
                        what="the referral" heading="Referral"
                        back_href="/referrals"
                        back_label="Back to referrals"
                        error=load_error
                    />
                }
            }
        >
            <PageHeader
                title=Signal::derive(move || ctx.referral.with(|r| r.as_ref().map(title_of).unwrap_or_default()))
                subtitle=Signal::derive(move || {
                    ctx.referral
                        .with(|r| r.as_ref().map(|r| format!("For {} · to {}", r.patient.name, r.provider_name)))
                })
            />
            <Notice message=ctx.notice id=NOTICE_ID />
            <ErrorBanner error=ctx.error />
            <div class="detail-layout">
                <div class="detail-main">
                    <DetailsCard ctx=ctx />
                    <StepsCard ctx=ctx />
                    <BarriersCard ctx=ctx />
                    <HistoryCard ctx=ctx />
                </div>
                <div class="detail-side">
                    <NecessityCard ctx=ctx />
                </div>
            </div>
        </Show>
    }
}

/// The referral's facts.
#[component]
fn DetailsCard(ctx: ReferralCtx) -> impl IntoView {
    view! {
        <Card id="referral-details" title="Referral">
            {move || ctx.referral.get().map(|r| details(&r))}
        </Card>
    }
}

fn details(r: &Referral) -> impl IntoView + use<> {
    let patient =
        view! { <a href=format!("/patients/{}", r.patient_id)>{r.patient.name.clone()}</a> }
            .into_any();
    let provider =
        view! { <a href=format!("/providers/{}", r.provider_id)>{r.provider_name.clone()}</a> }
            .into_any();
    let status = view! {
        <ReferralStatusBadge status=r.status />
        {r.overdue.clone().map(|why| view! {
            " "
            <span class="badge tag-overdue">"Overdue"</span>
            <span class="block small">{format!("Overdue: {why}")}</span>
        })}
    }
    .into_any();
    let links = re_referral_links(r);
    let satisfaction = r.satisfaction.as_ref().map(|s| match &s.comment {
        Some(c) => format!("{}/5: \u{201c}{c}\u{201d}", s.rating),
        None => format!("{}/5", s.rating),
    });
    view! {
        <dl class="facts">
            {fact_view("Status", status)}
            {fact_view("Patient", patient)}
            {fact_view("Provider", provider)}
            {fact("Service", Some(r.service.label().to_string()), "")}
            {fact("Priority", Some(r.priority.label().to_string()), "")}
            {fact("Due by", Some(format::date(r.due_date)), "")}
            {fact("Sent", r.sent_at.map(format::datetime), "Not yet")}
            {fact("Appointment", r.appointment_at.map(format::datetime), "None yet")}
            {fact("Outcome", r.outcome.clone(), "None yet")}
            {fact("Satisfaction", satisfaction, "Not recorded")}
            {r.status_reason.clone().map(|why| fact("Why declined or cancelled", Some(why), ""))}
        </dl>
        <p class="reason wrap">
            <strong>"Reason for referral: "</strong>
            {r.reason.clone()}
        </p>
        {links}
    }
}

/// Links to the referral this one re-refers, and to its re-referral.
fn re_referral_links(r: &Referral) -> impl IntoView + use<> {
    let before = r.re_referral_of.map(|id| {
        view! {
            <p>
                <a href=referral_href(id)>"The referral this one re-refers (after a no-show)"</a>
            </p>
        }
    });
    let after = r.re_referred_as.map(|id| {
        view! {
            <p>
                <a href=referral_href(id)>"Open the re-referral"</a>
            </p>
        }
    });
    view! { {before} {after} }
}

/// The medical-necessity check the referral carries.
#[component]
fn NecessityCard(ctx: ReferralCtx) -> impl IntoView {
    view! {
        <Card id="referral-necessity" title="Medical necessity">
            {move || {
                ctx.referral
                    .get()
                    .map(|r| {
                        let result = match r.medical_necessity.clone() {
                            Some(e) => view! { <NecessityResult evaluation=e heading_id="necessity-heading" /> }
                                .into_any(),
                            None => view! {
                                <p class="muted">"No criteria are configured for this service, so no check was needed."</p>
                            }
                                .into_any(),
                        };
                        let overridden = r
                            .necessity_override_reason
                            .clone()
                            .map(|why| {
                                view! {
                                    <p class="reason wrap" data-testid="override-reason">
                                        <strong>"Sent although not met, because: "</strong>
                                        {why}
                                    </p>
                                }
                            });
                        view! { {result} {overridden} }
                    })
            }}
        </Card>
    }
}
