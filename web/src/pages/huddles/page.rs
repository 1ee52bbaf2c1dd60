//! The huddle page: today's proposed agenda (safety flags, new discharges,
//! overdue work, high-risk patients — the team's for a supervisor, one's
//! own caseload otherwise), the form that records the huddle (date,
//! attendees, notes per patient discussed, action items), the tasks a
//! saved huddle created, and the huddles held before.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::huddles::{AgendaItem, AgendaQuery, Huddle};
use shared::ids::{PatientId, UserId};
use shared::problem::FieldError;

use super::model::{
    DraftDiscussion, DraftItem, action_item_line, field_words, huddle_counts, new_huddle,
    patient_href, reason_kinds, toggle_discussed, worklist_href,
};
use crate::client;
use crate::components::{
    ErrorBanner, Notice, PageHeader, PagedItems, RiskBadge, SelectField, TextField, use_paged_list,
};
use crate::dom::{focus_later, set_title};
use crate::format;
use crate::pages::not_found::NotAllowed;
use crate::state::{Directory, use_auth};
use crate::transport::ApiError;

/// Agenda items and past huddles per page.
const PAGE: i64 = 25;

/// The id of the confirmation focus moves to after a save.
const SAVED_ID: &str = "huddle-saved";

/// The huddle page.
#[component]
pub fn HuddlesPage() -> impl IntoView {
    set_title("Huddles");
    let auth = use_auth();
    if !auth.can(Permission::TasksRead) {
        return view! { <NotAllowed /> }.into_any();
    }
    let can_record = auth.can(Permission::TasksWrite);
    let me = auth.me().map(|m| m.id);
    let team = auth.can(Permission::TeamView);
    let discussed = RwSignal::new(Vec::<DraftDiscussion>::new());
    let agenda = use_paged_list(PAGE, |page| async move {
        client::huddle_agenda(&AgendaQuery::default(), &page).await
    });
    agenda.reload();
    let past = use_paged_list(
        PAGE,
        |page| async move { client::list_huddles(&page).await },
    );
    past.reload();
    let recorded = RwSignal::new(None::<Huddle>);
    let on_saved = Callback::new(move |h: Huddle| {
        recorded.set(Some(h));
        discussed.set(Vec::new());
        past.reload();
        agenda.reload();
        focus_later(SAVED_ID);
    });
    let whose = if team {
        "Everyone's patients"
    } else {
        "Your caseload"
    };
    view! {
        <PageHeader
            title="Huddles".to_string()
            subtitle="Today's proposed agenda from the worklists, the huddle's record, and the tasks its action items became."
                .to_string()
        />
        <section class="card" aria-labelledby="agenda-heading">
            <div class="section-head">
                <h2 id="agenda-heading">"Proposed agenda"</h2>
                <button
                    type="button"
                    class="button ghost"
                    disabled=move || agenda.loading.get()
                    on:click=move |_| agenda.reload()
                >
                    "Refresh"
                </button>
            </div>
            <p class="muted small">
                {format!(
                    "{whose}: safety flags first, then discharges in the last 72 hours, overdue work and high-risk patients.",
                )}
            </p>
            <ErrorBanner error=agenda.error />
            <PagedItems
                list=agenda
                what="the agenda"
                more="Load more of the agenda"
                empty=|| view! { <p class="muted">"Nothing on the agenda: no safety flags, new discharges, overdue work or high-risk patients."</p> }
            >
                <ol class="worklist" data-testid="agenda">
                    <For
                        each=move || agenda.items.get()
                        key=|i| i.patient.id
                        children=move |item| {
                            view! { <AgendaEntry item=item me=me can_record=can_record discussed=discussed /> }
                        }
                    />
                </ol>
            </PagedItems>
        </section>
        {can_record.then(|| view! { <HuddleForm discussed=discussed on_saved=on_saved /> })}
        <Show when=move || recorded.with(Option::is_some)>
            <section class="card" aria-labelledby="created-heading" data-testid="created-tasks">
                <h2 id="created-heading">"Tasks created"</h2>
                <Notice
                    id=SAVED_ID
                    inline=true
                    message=Signal::derive(move || {
                        recorded
                            .get()
                            .map(|h| {
                                format!(
                                    "Huddle of {} recorded: {}.",
                                    format::date(h.held_on),
                                    format::count(h.action_items.len(), "task created", "tasks created"),
                                )
                            })
                    })
                />
                <ul class="plain-list">
                    {move || {
                        recorded
                            .get()
                            .map(|h| {
                                h.action_items
                                    .into_iter()
                                    .map(|a| {
                                        let line = action_item_line(&a, &format::datetime(a.due_at));
                                        view! {
                                            <li>
                                                <a href=patient_href(a.patient_id)>{line}</a>
                                            </li>
                                        }
                                    })
                                    .collect_view()
                            })
                    }}
                </ul>
            </section>
        </Show>
        <section class="card" aria-labelledby="past-heading">
            <h2 id="past-heading">"Past huddles"</h2>
            <ErrorBanner error=past.error />
            <PagedItems
                list=past
                what="huddles"
                more="Load more huddles"
                empty=|| view! { <p class="muted">"No huddles recorded yet."</p> }
            >
                <ul class="plain-list" data-testid="past-huddles">
                    <For
                        each=move || past.items.get()
                        key=|h| (h.id, h.version)
                        children=|h| view! { <PastHuddle huddle=h /> }
                    />
                </ul>
            </PagedItems>
        </section>
    }
    .into_any()
}

/// One patient on the agenda: why, whose worklist, and (for those who
/// record huddles) a box to discuss them.
#[component]
fn AgendaEntry(
    item: AgendaItem,
    me: Option<UserId>,
    can_record: bool,
    discussed: RwSignal<Vec<DraftDiscussion>>,
) -> impl IntoView {
    let pid = item.patient.id;
    let name = item.patient.name.clone();
    let heading = format!("agenda-{pid}");
    let labelled_by = heading.clone();
    let box_id = format!("discuss-{pid}");
    let kinds = reason_kinds(&item);
    let worklist = worklist_href(item.care_manager_id, me);
    let checked = move || discussed.with(|d| d.iter().any(|x| x.patient_id == pid));
    let toggle_name = name.clone();
    view! {
        <li class="work-item" data-testid="agenda-item">
            <article aria-labelledby=labelled_by>
                <div class="work-item-head">
                    <div class="work-item-main">
                        <p class="work-kind">{kinds}</p>
                        <h3 id=heading class="work-patient">
                            <a href=patient_href(pid)>{name.clone()}</a>
                        </h3>
                    </div>
                    <div class="work-item-due">
                        <p class="work-tags">
                            <RiskBadge level=item.patient.risk_level long=true />
                        </p>
                    </div>
                </div>
                <ul class="reason-list">
                    {item
                        .reasons
                        .iter()
                        .map(|r| view! { <li class="reason">{r.text.clone()}</li> })
                        .collect_view()}
                </ul>
                <div class="work-actions">
                    {worklist
                        .map(|href| view! { <a href=href class="small">"Open the worklist"</a> })}
                    {can_record
                        .then(|| {
                            view! {
                                <div class="field checkbox-field">
                                    <input
                                        id=box_id.clone()
                                        type="checkbox"
                                        prop:checked=checked
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            discussed.update(|d| toggle_discussed(d, pid, &toggle_name, on));
                                        }
                                    />
                                    <label for=box_id.clone()>{format!("Discuss {name}")}</label>
                                </div>
                            }
                        })}
                </div>
            </article>
        </li>
    }
}

/// The form that records the huddle.
#[component]
fn HuddleForm(
    discussed: RwSignal<Vec<DraftDiscussion>>,
    on_saved: Callback<Huddle>,
) -> impl IntoView {
    let auth = use_auth();
    let me = auth.me().map(|m| m.id);
    let can_assign = auth.can(Permission::TasksAssign);
    let directory = expect_context::<Directory>();
    let held_on = RwSignal::new(format::today().to_string());
    let notes = RwSignal::new(String::new());
    let attendees = RwSignal::new(me.into_iter().collect::<Vec<UserId>>());
    let items = RwSignal::new(Vec::<DraftItem>::new());
    let next_key = StoredValue::new(0u32);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let problems = RwSignal::new(Vec::<FieldError>::new());

    let people = move || {
        directory
            .users
            .get()
            .into_iter()
            .filter(|u| u.active)
            .collect::<Vec<_>>()
    };
    let assignees = Signal::derive(move || {
        let mut out = vec![(String::new(), "Me".to_string())];
        if can_assign {
            out.extend(
                directory
                    .caseload_carriers()
                    .into_iter()
                    .filter(|u| Some(u.id) != me)
                    .map(|u| (u.id.to_string(), u.name)),
            );
        }
        out
    });
    let patient_choices = Signal::derive(move || {
        let mut out = vec![(String::new(), "Choose a patient…".to_string())];
        out.extend(
            discussed
                .get()
                .into_iter()
                .map(|d| (d.patient_id.to_string(), d.name)),
        );
        out
    });
    let add_item = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        let first = discussed.with_untracked(|d| d.first().map(|x| x.patient_id));
        let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
        items.update(|v| {
            v.push(DraftItem {
                key,
                patient_id: first,
                title: String::new(),
                assignee_id: None,
                due: format::datetime_local_value(tomorrow),
            });
        });
        focus_later(format!("item-{key}-title"));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        problems.set(Vec::new());
        let Ok(date) = held_on.get_untracked().parse() else {
            problems.set(vec![FieldError::new("held_on", "Give the huddle's date.")]);
            return;
        };
        let body = new_huddle(
            date,
            &notes.get_untracked(),
            &attendees.get_untracked(),
            &discussed.get_untracked(),
            &items.get_untracked(),
            format::parse_datetime_local,
        );
        let body = match body {
            Ok(b) => b,
            Err(found) => {
                problems.set(
                    found
                        .into_iter()
                        .map(|(f, m)| FieldError::new(f, m))
                        .collect(),
                );
                return;
            }
        };
        let found = crate::rules::errors(body.clone());
        if !found.is_empty() {
            problems.set(found);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = client::record_huddle(&body).await;
            busy.set(false);
            match result {
                Ok(h) => {
                    items.set(Vec::new());
                    notes.set(String::new());
                    on_saved.run(h);
                }
                Err(e) => {
                    problems.set(e.field_errors());
                    error.set(Some(e));
                }
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="record-heading">
            <h2 id="record-heading">"Record the huddle"</h2>
            <form class="form-sections" on:submit=submit novalidate=true>
                <TextField
                    id="huddle-date"
                    label="Date"
                    input_type="date"
                    required=true
                    max=format::today().to_string()
                    value=held_on
                    on_input=Callback::new(move |v| held_on.set(v))
                />
                <fieldset class="form-section">
                    <legend>"Attendees"</legend>
                    <For
                        each=people
                        key=|u| u.id
                        children=move |u| {
                            let id = format!("attendee-{}", u.id);
                            let uid = u.id;
                            view! {
                                <div class="field checkbox-field">
                                    <input
                                        id=id.clone()
                                        type="checkbox"
                                        prop:checked=move || attendees.with(|a| a.contains(&uid))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            attendees
                                                .update(|a| {
                                                    a.retain(|x| *x != uid);
                                                    if on {
                                                        a.push(uid);
                                                    }
                                                });
                                        }
                                    />
                                    <label for=id>{u.name.clone()}</label>
                                </div>
                            }
                        }
                    />
                </fieldset>
                <fieldset class="form-section">
                    <legend>"Patients discussed"</legend>
                    <Show
                        when=move || discussed.with(|d| !d.is_empty())
                        fallback=|| view! { <p class="muted">"Tick the patients you discuss on the agenda above."</p> }
                    >
                        <For
                            each=move || discussed.get()
                            key=|d| d.patient_id
                            children=move |d| view! { <DiscussionNotes draft=d discussed=discussed /> }
                        />
                    </Show>
                </fieldset>
                <fieldset class="form-section">
                    <legend>"Action items"</legend>
                    <p class="muted small">"Each becomes a task on the worklist of the person it is given to."</p>
                    <For
                        each=move || items.get()
                        key=|i| i.key
                        children=move |i| {
                            view! {
                                <ActionItemFields
                                    key=i.key
                                    items=items
                                    patients=patient_choices
                                    assignees=assignees
                                />
                            }
                        }
                    />
                    <button
                        type="button"
                        class="button secondary"
                        id="add-action-item"
                        disabled=move || discussed.with(Vec::is_empty)
                        on:click=add_item
                    >
                        "Add action item"
                    </button>
                </fieldset>
                <TextField
                    id="huddle-notes"
                    label="Notes on the huddle"
                    multiline=true
                    value=notes
                    on_input=Callback::new(move |v| notes.set(v))
                />
                <ErrorBanner error=error />
                <Show when=move || problems.with(|p| !p.is_empty())>
                    <ul class="field-error-list" role="alert" data-testid="huddle-problems">
                        {move || {
                            problems
                                .get()
                                .into_iter()
                                .map(|p| view! { <li>{field_words(&p.field, &p.message)}</li> })
                                .collect_view()
                        }}
                    </ul>
                </Show>
                <div class="form-actions">
                    <button type="submit" class="button primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else { "Save huddle" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// Notes on one patient discussed.
#[component]
fn DiscussionNotes(
    draft: DraftDiscussion,
    discussed: RwSignal<Vec<DraftDiscussion>>,
) -> impl IntoView {
    let pid: PatientId = draft.patient_id;
    let value = Signal::derive(move || {
        discussed.with(|d| {
            d.iter()
                .find(|x| x.patient_id == pid)
                .map(|x| x.notes.clone())
                .unwrap_or_default()
        })
    });
    view! {
        <div class="discussion" data-testid="discussion">
            <TextField
                id=format!("notes-{pid}")
                label=format!("Notes on {}", draft.name)
                multiline=true
                value=value
                on_input=Callback::new(move |v: String| {
                    discussed
                        .update(|d| {
                            if let Some(x) = d.iter_mut().find(|x| x.patient_id == pid) {
                                x.notes = v;
                            }
                        });
                })
            />
            <button
                type="button"
                class="button ghost small"
                on:click=move |_| discussed.update(|d| toggle_discussed(d, pid, "", false))
            >
                {format!("Remove {}", draft.name)}
            </button>
        </div>
    }
}

/// One action item's fields.
#[component]
fn ActionItemFields(
    key: u32,
    items: RwSignal<Vec<DraftItem>>,
    patients: Signal<Vec<(String, String)>>,
    assignees: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let read = move |f: fn(&DraftItem) -> String| {
        Signal::derive(move || {
            items.with(|v| v.iter().find(|i| i.key == key).map(f).unwrap_or_default())
        })
    };
    let edit = move |f: fn(&mut DraftItem, String)| {
        Callback::new(move |value: String| {
            items.update(|v| {
                if let Some(i) = v.iter_mut().find(|i| i.key == key) {
                    f(i, value);
                }
            });
        })
    };
    let number = move || items.with(|v| v.iter().position(|i| i.key == key).unwrap_or(0) + 1);
    view! {
        <div class="form-section action-item" data-testid="action-item">
            <p class="small">
                <strong>{move || format!("Action item {}", number())}</strong>
            </p>
            <div class="grid-2">
                <SelectField
                    id=format!("item-{key}-patient")
                    label="Patient"
                    required=true
                    options=patients
                    value=read(|i| i.patient_id.map(|p| p.to_string()).unwrap_or_default())
                    on_change=edit(|i, v| i.patient_id = v.parse().ok())
                />
                <TextField
                    id=format!("item-{key}-title")
                    label="What to do"
                    required=true
                    maxlength=200u32
                    value=read(|i| i.title.clone())
                    on_input=edit(|i, v| i.title = v)
                />
                <SelectField
                    id=format!("item-{key}-assignee")
                    label="Given to"
                    options=assignees
                    value=read(|i| i.assignee_id.map(|p| p.to_string()).unwrap_or_default())
                    on_change=edit(|i, v| i.assignee_id = v.parse().ok())
                />
                <TextField
                    id=format!("item-{key}-due")
                    label="Due"
                    input_type="datetime-local"
                    required=true
                    value=read(|i| i.due.clone())
                    on_input=edit(|i, v| i.due = v)
                />
            </div>
            <button
                type="button"
                class="button ghost small"
                on:click=move |_| items.update(|v| v.retain(|i| i.key != key))
            >
                {move || format!("Remove action item {}", number())}
            </button>
        </div>
    }
}

/// One past huddle.
#[component]
fn PastHuddle(huddle: Huddle) -> impl IntoView {
    let h = huddle;
    let heading = format!("huddle-{}", h.id);
    let labelled_by = heading.clone();
    let attendees = h
        .attendees
        .iter()
        .map(|a| a.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <li class="past-huddle" data-testid="past-huddle">
            <article aria-labelledby=labelled_by>
                <h3 id=heading>{format!("Huddle of {}", format::date(h.held_on))}</h3>
                <p class="muted small">{huddle_counts(&h)}</p>
                <p class="small">{format!("Attendees: {attendees}")}</p>
                {h.notes.clone().map(|n| view! { <p>{n}</p> })}
                <ul class="plain-list">
                    {h
                        .patients
                        .iter()
                        .map(|d| {
                            let notes = d.notes.clone().unwrap_or_else(|| "No notes.".to_string());
                            view! {
                                <li>
                                    <a href=patient_href(d.patient_id)>{d.patient_name.clone()}</a>
                                    {format!(": {notes}")}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <ul class="plain-list">
                    {h
                        .action_items
                        .iter()
                        .map(|a| view! { <li>{action_item_line(a, &format::datetime(a.due_at))}</li> })
                        .collect_view()}
                </ul>
            </article>
        </li>
    }
}
