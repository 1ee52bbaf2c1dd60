//! A referral's barriers (transportation, insurance, documentation,
//! language, childcare, cost, other): open ones first, each resolved with
//! what was done (by whom and when) or reopened, and the form that records
//! a new one. An open barrier counts toward the patient's risk.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::patch::Patch;
use shared::referral::{Barrier, BarrierKind, BarrierPatch, NewBarrier};
use shared::validation::blank_to_none;
use strum::VariantArray;
use uuid::Uuid;

use super::page::ReferralCtx;
use crate::client;
use crate::components::{
    ActionForm, AddForm, AddFormState, AddFormToggle, Button, FormActions, FormErrors, InputReader,
    SelectField, Tag, TextField, choices, text_inputs,
};
use crate::dom::focus_later;
use crate::format;
use crate::rules;
use crate::state::{Directory, use_auth};

/// The id of the card's heading (focus goes there after a change).
const HEADING_ID: &str = "barriers-heading";

/// "Resolved Nov 30, 2026, 9:41 AM by Carmen Ruiz: ride booked".
pub fn resolution_text(b: &Barrier, who: Option<String>) -> Option<String> {
    let resolution = b.resolution.as_ref()?;
    let when = b
        .resolved_at
        .map(|t| format!(" {}", format::datetime(t)))
        .unwrap_or_default();
    let by = who.map(|w| format!(" by {w}")).unwrap_or_default();
    Some(format!("Resolved{when}{by}: {resolution}"))
}

/// The barriers card.
#[component]
pub fn BarriersCard(ctx: ReferralCtx) -> impl IntoView {
    let can_write = use_auth().can(Permission::PatientsWrite);
    let form = AddFormState::new();
    let notice = RwSignal::new(None::<String>);
    let is_open = move || {
        ctx.referral
            .with(|r| r.as_ref().is_some_and(|r| r.status.is_open()))
    };
    let barriers = move || {
        ctx.referral
            .with(|r| r.as_ref().map(|r| r.barriers.clone()).unwrap_or_default())
    };
    let changed = Callback::new(move |said: String| {
        notice.set(Some(said));
        if let Some(id) = ctx.referral.with_untracked(|r| r.as_ref().map(|r| r.id)) {
            ctx.reload(id, false);
        }
        focus_later(HEADING_ID);
    });
    view! {
        <section class="card" aria-labelledby=HEADING_ID>
            <div class="section-head">
                <h2 id=HEADING_ID tabindex="-1">
                    "Barriers"
                </h2>
                <Show when=move || can_write && is_open()>
                    <AddFormToggle
                        label="Add barrier"
                        controls="barrier-form"
                        first_field="barrier-kind"
                        form=form
                    />
                </Show>
            </div>
            <crate::components::Notice message=notice inline=true />
            {can_write.then(|| view! { <BarrierForm ctx=ctx form=form on_added=changed /> })}
            <Show
                when=move || !barriers().is_empty()
                fallback=|| view! { <p class="muted">"No barriers recorded."</p> }
            >
                <ul class="plain-list member-list" data-testid="barriers">
                    <For
                        each=barriers
                        key=|b| (b.id, b.version)
                        children=move |b| {
                            view! { <BarrierItem barrier=b ctx=ctx can_write=can_write on_changed=changed /> }
                        }
                    />
                </ul>
            </Show>
        </section>
    }
}

/// The form that records a barrier.
#[component]
fn BarrierForm(ctx: ReferralCtx, form: AddFormState, on_added: Callback<String>) -> impl IntoView {
    let errors = form.errors;
    let [kind, description] = text_inputs();
    let submit = Callback::new(move |()| {
        let Some(id) = ctx.referral.with_untracked(|r| r.as_ref().map(|r| r.id)) else {
            return;
        };
        let mut reader = InputReader::new();
        let chosen = reader.chosen::<BarrierKind>("kind", kind);
        let found = reader.errors(vec![]);
        let Some(kind_chosen) = chosen.filter(|_| found.is_empty()) else {
            errors.show_rules(found);
            return;
        };
        let new = NewBarrier {
            kind: kind_chosen,
            description: blank_to_none(description.get_untracked()),
        };
        if errors.show_rules(rules::errors(new.clone())) {
            return;
        }
        let said = format!("{} barrier recorded.", kind_chosen.label());
        form.save(
            async move { client::add_barrier(id, &new).await },
            [kind, description],
            Callback::new(move |_: Barrier| on_added.run(said.clone())),
        );
    });
    view! {
        <AddForm
            id="barrier-form"
            form=form
            on_submit=submit
            label="Save barrier"
            busy_label="Saving…"
            heading=("barrier-form-heading", "Record a barrier")
        >
            <SelectField
                id="barrier-kind"
                label="Kind of barrier"
                required=true
                options=Signal::stored(choices(BarrierKind::VARIANTS, |k| k.label().to_string(), Some("Choose a kind…")))
                bind=errors.bind("kind", kind)
                error_label="Kind"
            />
            <TextField
                id="barrier-description"
                label="Description"
                multiline=true
                hint="What stands in the way, e.g. no bus line reaches the clinic."
                bind=errors.bind("description", description)
            />
        </AddForm>
    }
}

/// One barrier, with its Resolve or Reopen control.
#[component]
fn BarrierItem(
    barrier: Barrier,
    ctx: ReferralCtx,
    can_write: bool,
    on_changed: Callback<String>,
) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let b = barrier;
    let open = b.is_open();
    let resolved_by = b.resolved_by;
    let b_for_text = b.clone();
    let resolution =
        move || resolution_text(&b_for_text, resolved_by.and_then(|u| directory.name_of(u)));
    let resolving = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let label = b.kind.label();
    let (id, version) = (b.id, b.version);
    let reopen = Callback::new(move |()| {
        let patch = BarrierPatch {
            resolution: Patch::Null,
            version: Some(version),
            ..Default::default()
        };
        send(
            ctx,
            id,
            patch,
            version,
            busy,
            format!("{label} barrier reopened."),
            on_changed,
            None,
        );
    });
    view! {
        <li data-testid="barrier" data-open=if open { "true" } else { "false" }>
            <p>
                <strong>{label}</strong>
                " "
                {if open {
                    view! { <Tag text="Open" kind="warn" /> }.into_any()
                } else {
                    view! { <Tag text="Resolved" kind="ok" /> }.into_any()
                }}
            </p>
            {b.description.clone().map(|d| view! { <p class="wrap">{d}</p> })}
            <p class="muted small">{format!("Recorded {}", format::datetime(b.created_at))}</p>
            {move || resolution().map(|r| view! { <p class="wrap">{r}</p> })}
            {(can_write && open)
                .then(|| {
                    view! {
                        <Show
                            when=move || resolving.get()
                            fallback=move || {
                                view! {
                                    <button
                                        type="button"
                                        class="button small secondary"
                                        id=format!("resolve-{id}")
                                        aria-label=format!("Resolve the {} barrier", label.to_lowercase())
                                        on:click=move |_| {
                                            resolving.set(true);
                                            focus_later(format!("resolution-{id}"));
                                        }
                                    >
                                        "Resolve"
                                    </button>
                                }
                            }
                        >
                            <ResolveForm ctx=ctx id=id version=version label=label resolving=resolving on_changed=on_changed />
                        </Show>
                    }
                })}
            {(can_write && !open)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="button small secondary"
                            aria-label=format!("Reopen the {} barrier", label.to_lowercase())
                            disabled=move || busy.get()
                            on:click=move |_| reopen.run(())
                        >
                            "Reopen"
                        </button>
                    }
                })}
        </li>
    }
}

/// The form that resolves a barrier.
#[component]
fn ResolveForm(
    ctx: ReferralCtx,
    id: Uuid,
    version: i32,
    label: &'static str,
    resolving: RwSignal<bool>,
    on_changed: Callback<String>,
) -> impl IntoView {
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let resolution = RwSignal::new(String::new());
    let field_id = format!("resolution-{id}");
    let submit = Callback::new(move |()| {
        let Some(text) = blank_to_none(resolution.get_untracked()) else {
            errors.show_rules(vec![shared::problem::FieldError::new(
                "resolution",
                "is required",
            )]);
            return;
        };
        let patch = BarrierPatch {
            resolution: Patch::Value(text),
            version: Some(version),
            ..Default::default()
        };
        if errors.show_rules(rules::errors(patch.clone())) {
            return;
        }
        send(
            ctx,
            id,
            patch,
            version,
            busy,
            format!("{label} barrier resolved."),
            on_changed,
            Some(errors),
        );
    });
    view! {
        <ActionForm on_submit=submit busy=busy class="stack task-form">
            <crate::components::ErrorBanner error=errors.banner />
            <TextField
                id=field_id
                label=format!("How the {} barrier was resolved", label.to_lowercase())
                required=true
                multiline=true
                bind=errors.bind("resolution", resolution)
                error_label="Resolution"
            />
            <FormActions
                button=Button::submit("Save resolution").busy(busy, "Saving…")
                back_label="Back"
                on_back=Callback::new(move |()| resolving.set(false))
            />
        </ActionForm>
    }
}

/// Sends a barrier change; a refusal shows in `errors` (a form's) or on
/// the page, and a stale version reloads the referral.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site per control; a struct would only rename the arguments"
)]
fn send(
    ctx: ReferralCtx,
    id: Uuid,
    patch: BarrierPatch,
    version: i32,
    busy: RwSignal<bool>,
    said: String,
    on_changed: Callback<String>,
    errors: Option<FormErrors>,
) {
    busy.set(true);
    ctx.error.set(None);
    spawn_local(async move {
        let result = client::update_barrier(id, &patch, version).await;
        busy.set(false);
        match result {
            Ok(_) => on_changed.run(said),
            Err(e) if !e.field_errors().is_empty() && errors.is_some() => {
                if let Some(errors) = errors {
                    errors.show(e);
                }
            }
            Err(e) => {
                if let Some(rid) = ctx.referral.with_untracked(|r| r.as_ref().map(|r| r.id)) {
                    ctx.failed(rid, &e);
                }
            }
        }
    });
}
