//! Administering webhooks: the subscriptions, subscribing a URL (its
//! signing secret shown once), switching one off or on, deleting one, and
//! a subscription's deliveries with their status and a Replay button.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::pagination::PageQuery;
use shared::problem::FieldError;
use shared::webhooks::{
    CreatedWebhook, Delivery, DeliveryQuery, DeliveryStatus, EventType, NewWebhook, Webhook,
    WebhookPatch,
};
use strum::VariantArray;
use uuid::Uuid;

use super::not_found::NotAllowed;
use crate::client;
use crate::components::{
    ActionForm, Button, CheckboxField, CodeChecklist, Column, ErrorBanner, FormActions,
    ListPageHead, Modal, Notice, PagedTable, Tag, TextField, use_paged_list,
};
use crate::dom::{focus_element, set_title};
use crate::format;
use crate::rules;
use crate::state::use_auth;
use crate::transport::ApiError;

/// Rows per page.
const PAGE: i64 = 50;

const COLUMNS: &[Column] = &[
    Column::Text("URL"),
    Column::Text("Events"),
    Column::Text("Payload"),
    Column::Text("Status"),
    Column::Actions,
];

const DELIVERY_COLUMNS: &[Column] = &[
    Column::Text("Event"),
    Column::Text("Happened"),
    Column::Text("Status"),
    Column::Count("Attempts"),
    Column::Text("Last attempt"),
    Column::Actions,
];

/// The rules a new subscription must meet, as the API checks them (the
/// address rules need the network: the API checks those).
pub fn new_webhook_errors(new: &NewWebhook) -> Vec<FieldError> {
    rules::errors(new.clone())
}

/// The events in their fixed order, from checkbox states.
pub fn chosen_events(checked: &[(EventType, bool)]) -> Vec<EventType> {
    let mut out: Vec<EventType> = checked
        .iter()
        .filter(|(_, c)| *c)
        .map(|(e, _)| *e)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What the last attempt of a delivery came to, in words.
pub fn last_attempt(d: &Delivery) -> String {
    match (d.log.first(), d.last_status_code, &d.last_error) {
        (None, ..) => "Not tried yet".into(),
        (Some(a), Some(code), None) => format!("{code} in {} ms", a.duration_ms),
        (Some(_), _, Some(error)) => error.clone(),
        (Some(a), None, None) => format!("Done in {} ms", a.duration_ms),
    }
}

fn status_tag(status: DeliveryStatus) -> (&'static str, &'static str) {
    match status {
        DeliveryStatus::Pending => ("Pending", "warn"),
        DeliveryStatus::Delivered => ("Delivered", "ok"),
        DeliveryStatus::Dead => ("Dead letter", "danger"),
    }
}

/// The webhooks page (admins).
#[component]
pub fn WebhooksPage() -> impl IntoView {
    set_title("Webhooks");
    let auth = use_auth();
    if !auth.can(Permission::IntegrationsManage) {
        return view! { <NotAllowed /> }.into_any();
    }
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let list = use_paged_list(
        PAGE,
        |page| async move { client::list_webhooks(&page).await },
    );
    list.reload();
    let create_open = RwSignal::new(false);
    let delete_open = RwSignal::new(false);
    let target = RwSignal::new(None::<Webhook>);
    let deleting = RwSignal::new(false);
    let showing = RwSignal::new(None::<Webhook>);

    let switch = move |w: Webhook| {
        error.set(None);
        notice.set(None);
        spawn_local(async move {
            let patch = WebhookPatch {
                active: Some(!w.active),
                ..WebhookPatch::default()
            };
            match client::update_webhook(w.id, &patch, w.version).await {
                Ok(saved) => {
                    notice.set(Some(if saved.active {
                        format!("Events are sent to {} again.", saved.url)
                    } else {
                        format!(
                            "Nothing is sent to {} until it is turned on again.",
                            saved.url
                        )
                    }));
                    list.reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let delete = move |()| {
        let Some(w) = target.get_untracked() else {
            return;
        };
        deleting.set(true);
        spawn_local(async move {
            let result = client::delete_webhook(w.id).await;
            deleting.set(false);
            delete_open.set(false);
            match result {
                Ok(()) => {
                    notice.set(Some(format!("The webhook to {} was deleted.", w.url)));
                    if showing.with_untracked(|s| s.as_ref().is_some_and(|s| s.id == w.id)) {
                        showing.set(None);
                    }
                    list.reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <ListPageHead
            title="Webhooks"
            subtitle="Webhooks tell other systems, such as an EHR, when something happens here: each event is sent to the URL, signed with the webhook's secret."
            action="Add webhook"
            on_action=Callback::new(move |()| create_open.set(true))
            notice=notice
            error=list.error_or(error)
        />

        <PagedTable
            list=list
            what="webhooks"
            more="Load more webhooks"
            empty=|| {
                view! {
                    <div class="empty-state">
                        <h2>"No webhooks yet"</h2>
                        <p>"Add one for each system that should hear about discharges, overdue tasks, safety flags, referral steps or rising risk."</p>
                    </div>
                }
            }
            caption="Webhooks"
            columns=COLUMNS
        >
            <For
                each=move || list.items.get()
                key=|w| (w.id, w.version)
                children=move |w| {
                    let for_switch = w.clone();
                    let for_delete = w.clone();
                    let for_show = w.clone();
                    let url = w.url.clone();
                    view! {
                        <tr class:inactive=!w.active>
                            <th scope="row" data-label="URL">
                                <span class="mono wrap">{w.url.clone()}</span>
                                {w.description.clone().map(|d| view! { <span class="block small muted">{d}</span> })}
                            </th>
                            <td data-label="Events">
                                <span class="tag-list">
                                    {w
                                        .events
                                        .iter()
                                        .map(|e| view! { <code class="scope">{e.as_ref().to_string()}</code> })
                                        .collect_view()}
                                </span>
                            </td>
                            <td data-label="Payload">
                                {if w.include_clinical_detail { "Ids and clinical detail" } else { "Ids and event facts" }}
                            </td>
                            <td data-label="Status">
                                {if w.active {
                                    view! { <Tag text="Active" kind="ok" /> }.into_any()
                                } else {
                                    view! { <Tag text="Off" kind="muted" /> }.into_any()
                                }}
                            </td>
                            <td class="actions">
                                <button
                                    type="button"
                                    class="button ghost small"
                                    on:click=move |_| showing.set(Some(for_show.clone()))
                                >
                                    "Deliveries"
                                    <span class="visually-hidden">{format!(" to {url}")}</span>
                                </button>
                                <button
                                    type="button"
                                    class="button ghost small"
                                    on:click=move |_| switch(for_switch.clone())
                                >
                                    {if w.active { "Turn off" } else { "Turn on" }}
                                    <span class="visually-hidden">{format!(" {}", w.url)}</span>
                                </button>
                                <button
                                    type="button"
                                    class="button ghost small danger-text"
                                    on:click=move |_| {
                                        target.set(Some(for_delete.clone()));
                                        delete_open.set(true);
                                    }
                                >
                                    "Delete"
                                    <span class="visually-hidden">{format!(" {}", w.url)}</span>
                                </button>
                            </td>
                        </tr>
                    }
                }
            />
        </PagedTable>

        {move || showing.get().map(|w| view! { <Deliveries webhook=w /> })}

        <Modal open=create_open title="Add webhook".to_string() id="create-webhook-dialog">
            <CreateWebhook
                on_created=Callback::new(move |()| list.reload())
                on_done=Callback::new(move |()| create_open.set(false))
            />
        </Modal>

        <Modal
            open=delete_open
            title=Signal::derive(move || {
                target.with(|w| w.as_ref().map(|w| format!("Delete the webhook to {}?", w.url)).unwrap_or_default())
            })
            id="delete-webhook-dialog"
        >
            <p>"Nothing more is sent to it, and its pending deliveries are not tried again. This cannot be undone."</p>
            <FormActions
                button=Button::run("Delete webhook", Callback::new(delete)).busy(deleting, "Deleting…").look("danger")
                on_back=Callback::new(move |()| delete_open.set(false))
            />
        </Modal>
    }
    .into_any()
}

/// A subscription's deliveries, newest first, with a Replay button each.
#[component]
fn Deliveries(
    /// The subscription.
    webhook: Webhook,
) -> impl IntoView {
    let id: Uuid = webhook.id;
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let list = use_paged_list(PAGE, move |page: PageQuery| async move {
        client::list_deliveries(id, &DeliveryQuery::default(), &page).await
    });
    list.reload();
    let replay = move |d: Delivery| {
        notice.set(None);
        error.set(None);
        spawn_local(async move {
            match client::replay_delivery(d.id).await {
                Ok(_) => {
                    notice.set(Some(format!(
                        "The {} event is being sent again; refresh to see how it went.",
                        d.event_type.as_ref()
                    )));
                    list.reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="stack" aria-labelledby="deliveries-heading">
            <h2 id="deliveries-heading" class="wrap">{format!("Deliveries to {}", webhook.url)}</h2>
            <p>
                <button type="button" class="button secondary small" on:click=move |_| list.reload()>
                    "Refresh deliveries"
                </button>
            </p>
            <Notice message=notice />
            <ErrorBanner error=list.error_or(error) />
            <PagedTable
                list=list
                what="deliveries"
                more="Load more deliveries"
                empty=|| {
                    view! {
                        <div class="empty-state">
                            <p>"Nothing has been sent to this webhook yet."</p>
                        </div>
                    }
                }
                caption="Deliveries"
                columns=DELIVERY_COLUMNS
            >
                <For
                    each=move || list.items.get()
                    key=|d| (d.id, d.attempts, d.status)
                    children=move |d| {
                        let (label, kind) = status_tag(d.status);
                        let target = d.clone();
                        let what = d.event_type.as_ref().to_string();
                        view! {
                            <tr>
                                <th scope="row" data-label="Event">
                                    <code class="scope">{what.clone()}</code>
                                    <span class="block small muted mono">{d.event_id.to_string()}</span>
                                </th>
                                <td data-label="Happened">{format::datetime(d.occurred_at)}</td>
                                <td data-label="Status">
                                    <Tag text=label kind=kind />
                                    {d.next_attempt_at.map(|at| view! {
                                        <span class="block small muted">{format!("Next try {}", format::datetime(at))}</span>
                                    })}
                                </td>
                                <td data-label="Attempts" class="num">{d.attempts}</td>
                                <td data-label="Last attempt">{last_attempt(&d)}</td>
                                <td class="actions">
                                    <button
                                        type="button"
                                        class="button ghost small"
                                        on:click=move |_| replay(target.clone())
                                    >
                                        "Replay"
                                        <span class="visually-hidden">{format!(" {what} {}", d.event_id)}</span>
                                    </button>
                                </td>
                            </tr>
                        }
                    }
                />
            </PagedTable>
        </section>
    }
}

/// Subscribing a URL, then showing its secret once.
#[component]
fn CreateWebhook(
    /// Called once the subscription exists.
    on_created: Callback<()>,
    /// Called to close the dialog.
    on_done: Callback<()>,
) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let clinical = RwSignal::new(false);
    let checked = RwSignal::new(
        EventType::VARIANTS
            .iter()
            .map(|e| (*e, false))
            .collect::<Vec<_>>(),
    );
    let submitted = RwSignal::new(false);
    let banner = RwSignal::new(None::<ApiError>);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<CreatedWebhook>);

    let current = move || NewWebhook {
        url: url.get().trim().to_string(),
        events: chosen_events(&checked.get()),
        description: Some(description.get().trim().to_string()).filter(|d| !d.is_empty()),
        active: true,
        include_clinical_detail: clinical.get(),
    };
    let errors = Memo::new(move |_| new_webhook_errors(&current()));
    let error_for = move |field: &'static str, label: &'static str| {
        Signal::derive(move || {
            if !submitted.get() {
                return None;
            }
            errors
                .with(|errs| errs.iter().find(|e| e.field == field).cloned())
                .or_else(|| {
                    server_errors.with(|errs| errs.iter().find(|e| e.field == field).cloned())
                })
                .map(|e| format!("{label} {}.", e.message))
        })
    };
    let url_error = error_for("url", "The URL");
    let events_error = error_for("events", "Events");

    let on_submit = Callback::new(move |()| {
        submitted.set(true);
        banner.set(None);
        server_errors.set(Vec::new());
        let new = current();
        if let Some(first) = new_webhook_errors(&new).first() {
            focus_element(if first.field == "url" {
                "webhook-url"
            } else {
                "event-0"
            });
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = client::create_webhook(&new).await;
            busy.set(false);
            match result {
                Ok(w) => {
                    created.set(Some(w));
                    on_created.run(());
                    leptos::task::tick().await;
                    focus_element("new-webhook-secret");
                }
                Err(e) => {
                    let fields = e.field_errors();
                    if fields.is_empty() {
                        banner.set(Some(e));
                    } else {
                        server_errors.set(fields);
                        focus_element("webhook-url");
                    }
                }
            }
        });
    });

    view! {
        <Show
            when=move || created.with(Option::is_some)
            fallback=move || {
                view! {
                    <ErrorBanner error=banner />
                    <ActionForm on_submit=on_submit busy=busy>
                        <TextField
                            id="webhook-url"
                            label="URL"
                            required=true
                            value=url
                            on_input=Callback::new(move |v| url.set(v))
                            error=url_error
                            hint="Where events are sent, e.g. https://ehr.example.org/hooks. It must be a public address."
                            input_type="url"
                            autocomplete="off"
                            maxlength=2000u32
                        />
                        <TextField
                            id="webhook-description"
                            label="Description"
                            value=description
                            on_input=Callback::new(move |v| description.set(v))
                            hint="What receives them, e.g. \u{201c}EHR care-coordination inbox\u{201d}."
                            autocomplete="off"
                            maxlength=500u32
                        />
                        <CodeChecklist
                            legend="Events"
                            id_prefix="event"
                            label=EventType::label
                            checked=checked
                            error=events_error
                        />
                        <CheckboxField
                            id="webhook-clinical"
                            label="Include clinical detail"
                            checked=clinical
                            on_change=Callback::new(move |v| clinical.set(v))
                            hint="Off: payloads carry ids and event facts only. On: also facility, screening scores, risk levels and referral details — only for a receiver allowed to hold PHI."
                        />
                        <FormActions
                            button=Button::submit("Add webhook").busy(busy, "Adding…")
                            on_back=on_done
                        />
                    </ActionForm>
                }
            }
        >
            {move || created.get().map(|w| view! { <ShowSecretOnce webhook=w on_done=on_done /> })}
        </Show>
    }
}

/// The signing secret of a new subscription, and the warning that it is
/// not shown again.
#[component]
fn ShowSecretOnce(
    /// The created subscription.
    webhook: CreatedWebhook,
    /// Closes the dialog.
    on_done: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="stack">
            <div class="banner banner-warning" role="alert">
                <p class="banner-title">"Copy this signing secret now — you won't see it again"</p>
                <p>"The receiver checks each delivery's Webhook-Signature header with it. If it is lost, delete the webhook and add it again."</p>
            </div>
            <div class="field">
                <label for="new-webhook-secret">"Signing secret"</label>
                <input
                    id="new-webhook-secret"
                    class="mono"
                    type="text"
                    readonly
                    prop:value=webhook.secret.clone()
                    on:focus=move |ev| {
                        use wasm_bindgen::JsCast;
                        if let Some(input) = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                        {
                            input.select();
                        }
                    }
                />
            </div>
            <p class="muted small">
                "Sent to " <span class="mono wrap">{webhook.webhook.url.clone()}</span> "."
            </p>
            <div class="form-actions">
                <button type="button" class="button secondary" on:click=move |_| on_done.run(())>
                    "Done"
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_from_ticked_boxes_in_a_fixed_order() {
        let ticked = vec![
            (EventType::RiskIncreased, true),
            (EventType::EncounterDischarged, true),
            (EventType::TaskOverdue, false),
        ];
        assert_eq!(
            chosen_events(&ticked),
            vec![EventType::EncounterDischarged, EventType::RiskIncreased]
        );
    }

    #[test]
    fn a_webhook_needs_an_http_url_and_an_event() {
        let new = |url: &str, events: Vec<EventType>| NewWebhook {
            url: url.into(),
            events,
            description: None,
            active: true,
            include_clinical_detail: false,
        };
        let fields = |w: NewWebhook| -> Vec<String> {
            new_webhook_errors(&w)
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields(new("", vec![])), ["events", "url"]);
        assert!(
            fields(new(
                "https://ehr.example.org/h",
                vec![EventType::TaskOverdue]
            ))
            .is_empty()
        );
    }
}
