//! One provider: its details and quality figures, editing them (with the
//! version read; a stale edit reloads), moving it along the network
//! pipeline, its recruiting log, its credentials and the referrals sent to
//! it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::directory::NetworkStatus;
use shared::problem::ProblemKind;
use shared::providers::{Provider, ProviderPatch};
use strum::VariantArray;
use uuid::Uuid;

use super::activities::ActivitiesCard;
use super::credentials::CredentialsCard;
use super::form::{ProviderFields, ProviderFieldset};
use super::model::{
    ProviderInput, address_text, insurance_text, languages_text, quality_facts, services_text,
};
use super::referrals::ProviderReferralsCard;
use crate::client;
use crate::components::forms::stale;
use crate::components::{
    ActionForm, Breadcrumb, Button, Card, Choice, ErrorBanner, FormActions, FormErrors,
    NetworkBadge, NotLoaded, Notice, PageHeader, SelectField, SubmitButton, fact, fact_view,
};
use crate::dom::{focus_later, set_title};
use crate::format;
use crate::routes::use_path_value;
use crate::rules;
use crate::state::use_auth;
use crate::transport::ApiError;

/// The id of the page's notice.
const NOTICE_ID: &str = "provider-notice";

/// The loaded provider and what the page's cards share.
#[derive(Debug, Clone, Copy)]
pub struct ProviderCtx {
    /// The provider, once loaded.
    pub provider: RwSignal<Option<Provider>>,
    /// What the last change did.
    pub notice: RwSignal<Option<String>>,
    /// What went wrong with the last change.
    pub error: RwSignal<Option<ApiError>>,
    /// Bumped when the recruiting log has a new entry to show.
    pub log_epoch: RwSignal<u32>,
}

impl ProviderCtx {
    /// Sends `patch`; a stale version reloads the provider and says so.
    fn save(
        self,
        id: Uuid,
        patch: ProviderPatch,
        version: i32,
        said: String,
        done: Callback<bool>,
    ) {
        self.error.set(None);
        spawn_local(async move {
            match client::update_provider(id, &patch, version).await {
                Ok(p) => {
                    self.provider.set(Some(p));
                    self.notice.set(Some(said));
                    self.log_epoch.update(|n| *n += 1);
                    focus_later(NOTICE_ID);
                    done.run(true);
                }
                Err(e) if e.is(ProblemKind::StaleVersion) => {
                    if let Ok(p) = client::get_provider(id).await {
                        self.provider.set(Some(p));
                    }
                    self.error.set(Some(stale("This provider")));
                    done.run(false);
                }
                Err(e) => {
                    self.error.set(Some(e));
                    done.run(false);
                }
            }
        });
    }
}

/// The provider page.
#[component]
pub fn ProviderPage() -> impl IntoView {
    set_title("Provider");
    let can_manage = use_auth().can(Permission::ProvidersManage);
    let id = use_path_value::<Uuid>("id");
    let ctx = ProviderCtx {
        provider: RwSignal::new(None),
        notice: RwSignal::new(None),
        error: RwSignal::new(None),
        log_epoch: RwSignal::new(0),
    };
    let load_error = RwSignal::new(None::<ApiError>);
    let editing = RwSignal::new(false);
    Effect::new(move || {
        let wanted = id.get();
        ctx.provider.set(None);
        load_error.set(None);
        editing.set(false);
        let Some(pid) = wanted else {
            load_error.set(Some(ApiError::of_kind(
                ProblemKind::NotFound,
                ProblemKind::NotFound.title(),
                "There is no provider at this address.",
            )));
            return;
        };
        spawn_local(async move {
            let result = client::get_provider(pid).await;
            if id.try_get_untracked() != Some(Some(pid)) {
                return;
            }
            match result {
                Ok(p) => {
                    set_title(&p.name);
                    ctx.provider.set(Some(p));
                }
                Err(e) => load_error.set(Some(e)),
            }
        });
    });
    let shown_id = Memo::new(move |_| ctx.provider.with(|p| p.as_ref().map(|p| p.id)));
    let name = move || {
        ctx.provider
            .with(|p| p.as_ref().map(|p| p.name.clone()).unwrap_or_default())
    };

    view! {
        <Breadcrumb href="/providers" label="Providers" current=Signal::derive(name) />
        <Show
            when=move || shown_id.get().is_some()
            fallback=move || {
                view! {
                    <NotLoaded
                        what="the provider" heading="Provider"
                        back_href="/providers"
                        back_label="Back to providers"
                        error=load_error
                    />
                }
            }
        >
            <PageHeader
                title=Signal::derive(name)
                subtitle=Signal::derive(move || {
                    ctx.provider
                        .with(|p| p.as_ref().map(|p| format::words(p.kind.as_ref())))
                })
            >
                {can_manage
                    .then(|| {
                        view! {
                            <Show when=move || !editing.get()>
                                <button
                                    type="button"
                                    class="button primary"
                                    on:click=move |_| {
                                        ctx.notice.set(None);
                                        editing.set(true);
                                        focus_later("edit-provider-heading");
                                    }
                                >
                                    "Edit provider"
                                </button>
                            </Show>
                        }
                    })}
            </PageHeader>
            <Notice message=ctx.notice id=NOTICE_ID />
            <ErrorBanner error=ctx.error />
            <Show
                when=move || editing.get()
                fallback=move || {
                    view! {
                        <div class="detail-layout">
                            <div class="detail-main">
                                <DetailsCard ctx=ctx />
                                {move || shown_id.get().map(|pid| view! { <ProviderReferralsCard provider_id=pid /> })}
                                {move || shown_id.get().map(|pid| view! { <CredentialsCard provider_id=pid /> })}
                                {move || shown_id.get().map(|pid| view! { <ActivitiesCard provider_id=pid epoch=ctx.log_epoch /> })}
                            </div>
                            <div class="detail-side">
                                <QualityCard ctx=ctx />
                                {can_manage.then(|| view! { <NetworkCard ctx=ctx /> })}
                            </div>
                        </div>
                    }
                }
            >
                <EditProvider ctx=ctx editing=editing />
            </Show>
        </Show>
    }
}

/// The provider's details.
#[component]
fn DetailsCard(ctx: ProviderCtx) -> impl IntoView {
    view! {
        <Card id="provider-details" title="Details">
            {move || {
                ctx.provider
                    .get()
                    .map(|p| {
                        let network = view! { <NetworkBadge status=p.network_status /> }.into_any();
                        view! {
                            <dl class="facts">
                                {fact_view("Network status", network)}
                                {fact("New clients", Some(if p.accepting_new_clients { "Accepting new clients".into() } else { "Not accepting new clients".into() }), "")}
                                {fact("Services", Some(services_text(&p.services)), "None listed")}
                                {fact("Specialties", Some(p.specialties.join(", ")), "None listed")}
                                {fact("Languages", Some(languages_text(&p.languages)), "None listed")}
                                {fact("Insurance accepted", Some(insurance_text(&p)), "None listed")}
                                {fact("Address", p.address.as_ref().map(address_text), "Not recorded")}
                                {fact("Phone", p.phone.clone(), "Not recorded")}
                                {fact("Hours", p.hours.clone(), "Not recorded")}
                                {fact("Notes", p.notes.clone(), "None")}
                            </dl>
                        }
                    })
            }}
        </Card>
    }
}

/// The quality figures from referral outcomes.
#[component]
fn QualityCard(ctx: ProviderCtx) -> impl IntoView {
    view! {
        <Card id="provider-quality" title="Quality">
            <p class="muted small">"From the outcomes of every referral sent to this provider."</p>
            {move || {
                ctx.provider
                    .get()
                    .map(|p| {
                        view! {
                            <dl class="facts single" data-testid="quality">
                                {quality_facts(&p.quality)
                                    .into_iter()
                                    .map(|(label, value)| fact(label, Some(value), ""))
                                    .collect_view()}
                            </dl>
                        }
                    })
            }}
        </Card>
    }
}

/// Moving the provider along the pipeline.
#[component]
fn NetworkCard(ctx: ProviderCtx) -> impl IntoView {
    let target = RwSignal::new(String::new());
    let target_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let current = move || ctx.provider.with(|p| p.as_ref().map(|p| p.network_status));
    let options = Signal::derive(move || {
        std::iter::once((String::new(), "Choose a status…".to_string()))
            .chain(
                NetworkStatus::VARIANTS
                    .iter()
                    .filter(|s| Some(**s) != current())
                    .map(|s| (s.as_ref().to_string(), s.label().to_string())),
            )
            .collect::<Vec<Choice>>()
    });
    let submit = Callback::new(move |()| {
        let Some(p) = ctx.provider.get_untracked() else {
            return;
        };
        let Ok(to) = target.get_untracked().parse::<NetworkStatus>() else {
            target_error.set(Some("Choose the new network status.".into()));
            focus_later("network-target");
            return;
        };
        let patch = ProviderPatch {
            network_status: Some(to),
            version: Some(p.version),
            ..Default::default()
        };
        busy.set(true);
        ctx.save(
            p.id,
            patch,
            p.version,
            format!("Network status changed to {}.", to.label()),
            Callback::new(move |_| {
                busy.set(false);
                target.set(String::new());
            }),
        );
    });
    view! {
        <Card id="provider-network" title="Network status">
            <ActionForm on_submit=submit busy=busy>
                <SelectField
                    id="network-target"
                    label="Move to"
                    value=target
                    options=options
                    on_change=Callback::new(move |v| {
                        target.set(v);
                        target_error.set(None);
                    })
                    error=target_error
                    hint="The change is logged in the recruiting log."
                />
                <SubmitButton button=Button::submit("Change network status").busy(busy, "Changing…").look("secondary") />
            </ActionForm>
        </Card>
    }
}

/// Editing the provider's details.
#[component]
fn EditProvider(ctx: ProviderCtx, editing: RwSignal<bool>) -> impl IntoView {
    let start = ctx
        .provider
        .with_untracked(|p| p.as_ref().map(ProviderInput::of))
        .unwrap_or_default();
    let fields = ProviderFields::new(&start);
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let submit = Callback::new(move |()| {
        let Some(p) = ctx.provider.get_untracked() else {
            return;
        };
        let patch = match fields.input().patch_of(&p) {
            Ok(Some(patch)) => patch,
            Ok(None) => {
                editing.set(false);
                ctx.notice.set(Some("Nothing changed.".into()));
                return;
            }
            Err(found) => {
                errors.show_rules(found);
                return;
            }
        };
        if errors.show_rules(rules::errors(patch.clone())) {
            return;
        }
        errors.clear();
        busy.set(true);
        ctx.error.set(None);
        spawn_local(async move {
            match client::update_provider(p.id, &patch, p.version).await {
                Ok(updated) => {
                    ctx.provider.set(Some(updated));
                    ctx.notice.set(Some("Provider saved.".into()));
                    ctx.log_epoch.update(|n| *n += 1);
                    editing.set(false);
                    focus_later(NOTICE_ID);
                }
                Err(e) if e.is(ProblemKind::StaleVersion) => {
                    if let Ok(latest) = client::get_provider(p.id).await {
                        fields.fill(&ProviderInput::of(&latest));
                        ctx.provider.set(Some(latest));
                    }
                    errors.banner.set(Some(stale("This provider")));
                    focus_later("edit-provider-heading");
                }
                Err(e) => errors.show(e),
            }
            busy.set(false);
        });
    });
    view! {
        <section class="card" aria-labelledby="edit-provider-heading">
            <h2 id="edit-provider-heading" tabindex="-1">
                "Edit provider"
            </h2>
            <ActionForm on_submit=submit busy=busy>
                <ErrorBanner error=errors.banner />
                <ProviderFieldset fields=fields errors=errors prefix="edit-provider" />
                <FormActions
                    button=Button::submit("Save provider").busy(busy, "Saving…")
                    on_back=Callback::new(move |()| editing.set(false))
                />
            </ActionForm>
        </section>
    }
}
