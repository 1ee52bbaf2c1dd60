//! The recruiting log of a provider: calls, emails, meetings, contracts
//! and the network status changes the system logs, newest first, and the
//! form that logs one.

use leptos::prelude::*;
use shared::auth::Permission;
use shared::providers::{ActivityKind, NewProviderActivity, ProviderActivity};
use strum::VariantArray;
use uuid::Uuid;

use crate::client;
use crate::components::{
    AddForm, AddFormState, AddFormToggle, InputReader, ListCard, PagedItems, SelectField,
    TextField, text_inputs, use_paged_list,
};
use crate::dom::focus_later;
use crate::format;
use crate::rules;
use crate::state::{Directory, use_auth};

/// Entries per page.
const PAGE: i64 = 20;

/// What an activity is, in words.
pub fn activity_label(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Call => "Call",
        ActivityKind::Email => "Email or letter",
        ActivityKind::Meeting => "Meeting or site visit",
        ActivityKind::Contract => "Contract",
        ActivityKind::StatusChange => "Network status change",
        ActivityKind::Other => "Other",
    }
}

/// The kinds a person logs (status changes are the system's).
pub fn loggable() -> Vec<ActivityKind> {
    ActivityKind::VARIANTS
        .iter()
        .copied()
        .filter(|k| *k != ActivityKind::StatusChange)
        .collect()
}

/// The recruiting log card.
#[component]
pub fn ActivitiesCard(
    /// The provider.
    provider_id: Uuid,
    /// Bumped when the log has a new entry (a status change).
    epoch: RwSignal<u32>,
) -> impl IntoView {
    let can_manage = use_auth().can(Permission::ProvidersManage);
    let directory = expect_context::<Directory>();
    let list = use_paged_list(PAGE, move |page| async move {
        client::list_provider_activities(provider_id, &page).await
    });
    Effect::new(move || {
        epoch.track();
        list.reload();
    });
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None);
    let form = AddFormState::new();
    let on_added = Callback::new(move |a: ProviderActivity| {
        notice.set(Some(format!("{} logged.", activity_label(a.kind))));
        focus_later("provider-activities");
        list.reload();
    });
    view! {
        <ListCard id="provider-activities" title="Recruiting log" notice=notice error=list.error_or(error)>
            {can_manage
                .then(|| {
                    view! {
                        <div class="section-head">
                            <AddFormToggle
                                label="Log activity"
                                controls="activity-form"
                                first_field="activity-kind"
                                form=form
                            />
                        </div>
                        <ActivityForm provider_id=provider_id form=form on_added=on_added />
                    }
                })}
            <PagedItems
                list=list
                what="the recruiting log"
                more="Load more activities"
                empty=|| view! { <p class="muted">"Nothing logged yet."</p> }
            >
                <ol class="timeline">
                    <For
                        each=move || list.items.get()
                        key=|a| a.id
                        children=move |a| {
                            let who = a.recorded_by;
                            let by = move || match who {
                                Some(u) => directory.name_of(u).unwrap_or_else(|| "Someone".into()),
                                None => "The system".into(),
                            };
                            view! {
                                <li class="timeline-entry">
                                    <p class="timeline-when">{format::datetime(a.occurred_at)}</p>
                                    <div>
                                        <p>
                                            <strong>{activity_label(a.kind)}</strong>
                                            <span class="muted small">{move || format!(" · {}", by())}</span>
                                        </p>
                                        <p class="wrap">{a.summary.clone()}</p>
                                    </div>
                                </li>
                            }
                        }
                    />
                </ol>
            </PagedItems>
        </ListCard>
    }
}

/// Logging an activity.
#[component]
fn ActivityForm(
    provider_id: Uuid,
    form: AddFormState,
    on_added: Callback<ProviderActivity>,
) -> impl IntoView {
    let errors = form.errors;
    let [kind, summary, at] = text_inputs();
    let submit = Callback::new(move |()| {
        let mut reader = InputReader::new();
        let chosen = reader.chosen::<ActivityKind>("kind", kind);
        let occurred_at = reader.moment("occurred_at", at, false);
        let found = reader.errors(vec![]);
        let Some(kind_chosen) = chosen.filter(|_| found.is_empty()) else {
            errors.show_rules(found);
            return;
        };
        let new = NewProviderActivity {
            kind: kind_chosen,
            summary: summary.get_untracked(),
            occurred_at,
        };
        if errors.show_rules(rules::errors(new.clone())) {
            return;
        }
        form.save(
            async move { client::log_provider_activity(provider_id, &new).await },
            [kind, summary, at],
            on_added,
        );
    });
    let kinds = loggable();
    view! {
        <AddForm
            id="activity-form"
            form=form
            on_submit=submit
            label="Save activity"
            busy_label="Saving…"
        >
            <div class="grid grid-2">
                <SelectField
                    id="activity-kind"
                    label="What was done"
                    required=true
                    options=Signal::stored(crate::components::choices(&kinds, |k| activity_label(k).to_string(), Some("Choose…")))
                    bind=errors.bind("kind", kind)
                    error_label="Kind"
                />
                <TextField
                    id="activity-at"
                    label="When"
                    input_type="datetime-local"
                    hint="Now when left empty."
                    bind=errors.bind("occurred_at", at)
                    error_label="Time"
                />
            </div>
            <TextField
                id="activity-summary"
                label="What happened"
                required=true
                multiline=true
                bind=errors.bind("summary", summary)
                error_label="Summary"
            />
        </AddForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_log_everything_but_status_changes() {
        let kinds = loggable();
        assert!(!kinds.contains(&ActivityKind::StatusChange));
        assert_eq!(kinds.len(), ActivityKind::VARIANTS.len() - 1);
    }
}
