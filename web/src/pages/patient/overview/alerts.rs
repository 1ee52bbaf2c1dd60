//! The patient's open alerts, each acknowledged by a person.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::alerts::AlertListQuery;
use shared::auth::Permission;
use shared::ids::PatientId;
use uuid::Uuid;

use crate::client;
use crate::components::{ListCard, PagedItems, use_paged_list};
use crate::dom::focus_later;
use crate::format;
use crate::state::use_auth;

/// Alerts per page.
const PAGE: i64 = 100;

/// The open alerts card.
#[component]
pub fn PatientAlerts(
    /// The patient.
    patient_id: PatientId,
) -> impl IntoView {
    let auth = use_auth();
    if !auth.can(Permission::TasksRead) {
        return ().into_any();
    }
    let can_ack = auth.can(Permission::TasksWrite);
    let list = use_paged_list(PAGE, move |page| async move {
        let open = AlertListQuery {
            patient_id: Some(patient_id),
            acknowledged: Some(false),
        };
        client::list_alerts(&open, &page).await
    });
    list.reload();
    let error = RwSignal::new(None);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<Uuid>);

    let acknowledge = move |id: Uuid| {
        if busy.get_untracked().is_some() {
            return;
        }
        busy.set(Some(id));
        error.set(None);
        notice.set(None);
        spawn_local(async move {
            let result = client::acknowledge_alert(id).await;
            busy.set(None);
            match result {
                Ok(a) => {
                    list.items.update(|all| all.retain(|x| x.id != id));
                    notice.set(Some(format!("Acknowledged: {}", a.message)));
                    focus_later("sec-alerts");
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <ListCard
            id="sec-alerts"
            title="Open alerts"
            count=Signal::derive(move || list.len())
            notice=notice
            error=list.error_or(error)
        >
            <PagedItems
                list=list
                what="alerts"
                more="Load more alerts"
                empty=|| view! { <p class="muted">"No open alerts."</p> }
            >
                <ul class="plain-list alert-list">
                    <For
                        each=move || list.items.get()
                        key=|a| a.id
                        children=move |a| {
                            let id = a.id;
                            view! {
                                <li class=format!("alert-item severity-{}", a.severity.as_ref())>
                                    <div>
                                        <p class="alert-head">
                                            <span class=format!("badge sev-{}", a.severity.as_ref())>
                                                {format::words(a.severity.as_ref())}
                                            </span>
                                            " "
                                            <strong>{a.kind.label()}</strong>
                                            <span class="muted small">
                                                {format!(" · {}", format::datetime(a.created_at))}
                                            </span>
                                        </p>
                                        <p>{a.message.clone()}</p>
                                    </div>
                                    {can_ack
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="button small secondary"
                                                    disabled=move || busy.get() == Some(id)
                                                    on:click=move |_| acknowledge(id)
                                                >
                                                    "Acknowledge"
                                                </button>
                                            }
                                        })}
                                </li>
                            }
                        }
                    />
                </ul>
            </PagedItems>
        </ListCard>
    }
    .into_any()
}
