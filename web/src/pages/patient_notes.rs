//! The notes tab: case notes and activities. A note is written as a draft,
//! edited by its author while unsigned, then signed — after which it never
//! changes and corrections are addenda.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::notes::{MAX_MINUTES, NewAddendum, NewNote, Note, NoteListQuery, NotePatch, NoteType};
use shared::problem::FieldError;
use strum::VariantArray;
use uuid::Uuid;
use validator::Validate;

use super::patient::PatientCtx;
use super::patient_encounters::read_moment;
use crate::api::{self, ApiError};
use crate::components::forms::{FormErrors, choices, focus_later, rule_errors, stale};
use crate::components::{ErrorBanner, LoadMore, Loading, SelectField, Tag, TextArea, TextField};
use crate::format;
use crate::state::{Directory, use_auth};

const NOTE_FIELDS: &[&str] = &["type", "body", "minutes", "occurred_at"];
const ADDENDUM_FIELDS: &[&str] = &["body"];

/// Reads the minutes field: a whole number from 0 to 720.
pub fn read_minutes(value: &str) -> Result<i32, FieldError> {
    match value.trim().parse::<i32>() {
        Ok(m) if (0..=MAX_MINUTES).contains(&m) => Ok(m),
        Ok(_) => Err(FieldError::new(
            "minutes",
            format!("must be between 0 and {MAX_MINUTES}"),
        )),
        Err(_) if value.trim().is_empty() => Err(FieldError::new("minutes", "is required")),
        Err(_) => Err(FieldError::new("minutes", "must be a whole number")),
    }
}

/// Whether the signed-in person may still change a note.
pub fn editable_by(note: &Note, me: Option<Uuid>) -> bool {
    note.signed_at.is_none() && me.is_some() && note.author_id == me
}

fn type_choices() -> Vec<crate::components::Choice> {
    choices(NoteType::VARIANTS, |t| t.label().to_string(), None)
}

/// The notes tab.
#[component]
pub fn PatientNotesTab() -> impl IntoView {
    let ctx = expect_context::<PatientCtx>();
    let Some(patient_id) = ctx.id() else {
        return ().into_any();
    };
    super::set_title(&format!("Notes · {}", ctx.name()));
    let can_write = use_auth().can(Permission::NotesWrite);
    let rows = RwSignal::new(Vec::<(Uuid, ArcRwSignal<Note>)>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);

    let load = move |append: bool| {
        let query = NoteListQuery {
            limit: Some(50),
            cursor: if append {
                next_cursor.get_untracked()
            } else {
                None
            },
        };
        loading.set(true);
        spawn_local(async move {
            let result = api::list_notes(patient_id, &query).await;
            loading.set(false);
            match result {
                Ok(page) => {
                    let fresh = page.items.into_iter().map(|n| (n.id, ArcRwSignal::new(n)));
                    if append {
                        rows.update(|r| r.extend(fresh));
                    } else {
                        rows.set(fresh.collect());
                    }
                    next_cursor.set(page.next_cursor);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(false);

    // Writing a note.
    let busy = RwSignal::new(false);
    let errors = FormErrors::new();
    let note_type = RwSignal::new(NoteType::CareCoordination.as_ref().to_string());
    let minutes = RwSignal::new(String::new());
    let occurred = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());

    let write = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut found = vec![];
        let kind = note_type.get_untracked().parse::<NoteType>().ok();
        if kind.is_none() {
            found.push(FieldError::new("type", "must be chosen"));
        }
        let mins = read_minutes(&minutes.get_untracked())
            .map_err(|e| found.push(e))
            .ok();
        let at = read_moment(
            &occurred.get_untracked(),
            "occurred_at",
            false,
            format::parse_datetime_local,
        )
        .map_err(|e| found.push(e))
        .ok()
        .flatten();
        let new = NewNote {
            note_type: kind.unwrap_or(NoteType::CareCoordination),
            body: body.get_untracked(),
            minutes: mins.unwrap_or_default(),
            occurred_at: at,
            task_id: None,
        };
        found.extend(
            rule_errors(new.validate())
                .into_iter()
                .filter(|e| e.field != "minutes" || mins.is_some()),
        );
        if errors.show_rules(found, NOTE_FIELDS) {
            return;
        }
        errors.clear();
        busy.set(true);
        spawn_local(async move {
            let result = api::create_note(patient_id, &new).await;
            busy.set(false);
            match result {
                Ok(n) => {
                    minutes.set(String::new());
                    occurred.set(String::new());
                    body.set(String::new());
                    rows.update(|r| r.insert(0, (n.id, ArcRwSignal::new(n))));
                    notice.set(Some(
                        "Note saved as a draft. Sign it when it is final.".into(),
                    ));
                    focus_later("notes-notice".into());
                }
                Err(e) => errors.show(e, NOTE_FIELDS),
            }
        });
    };

    view! {
        <section aria-labelledby="tab-heading">
            <h2 id="tab-heading">"Notes"</h2>
            <div id="notes-notice" class="banner-slot" role="status" tabindex="-1">
                {move || notice.get().map(|m| view! { <div class="banner banner-success">{m}</div> })}
            </div>
            <ErrorBanner error=error />
            {can_write
                .then(|| {
                    view! {
                        <form class="card stack" novalidate on:submit=write aria-labelledby="write-note-heading">
                            <h3 id="write-note-heading">"Write a note"</h3>
                            <ErrorBanner error=errors.banner />
                            <div class="grid grid-3">
                                <SelectField
                                    id="note-type"
                                    label="Activity"
                                    required=true
                                    value=note_type
                                    options=Signal::stored(type_choices())
                                    on_change=Callback::new(move |v| {
                                        note_type.set(v);
                                        errors.clear_field("type");
                                    })
                                    error=errors.field("type", "Activity")
                                />
                                <TextField
                                    id="note-minutes"
                                    label="Minutes spent"
                                    input_type="number"
                                    inputmode="numeric"
                                    required=true
                                    value=minutes
                                    on_input=Callback::new(move |v| {
                                        minutes.set(v);
                                        errors.clear_field("minutes");
                                    })
                                    error=errors.field("minutes", "Minutes")
                                />
                                <TextField
                                    id="note-occurred"
                                    label="When"
                                    input_type="datetime-local"
                                    hint="Now when left empty."
                                    value=occurred
                                    on_input=Callback::new(move |v| {
                                        occurred.set(v);
                                        errors.clear_field("occurred_at");
                                    })
                                    error=errors.field("occurred_at", "Time")
                                />
                            </div>
                            <TextArea
                                id="note-body"
                                label="Note"
                                required=true
                                value=body
                                on_input=Callback::new(move |v| {
                                    body.set(v);
                                    errors.clear_field("body");
                                })
                                error=errors.field("body", "Note")
                            />
                            <div class="form-actions">
                                <button type="submit" class="button primary" disabled=move || busy.get()>
                                    {move || if busy.get() { "Saving…" } else { "Save note" }}
                                </button>
                            </div>
                        </form>
                    }
                })}
            <Show when=move || loading.get() && rows.with(Vec::is_empty)>
                <Loading what="notes" />
            </Show>
            <Show when=move || !loading.get() && rows.with(Vec::is_empty) && error.with(Option::is_none)>
                <p class="muted">"No notes yet."</p>
            </Show>
            <ol class="plain-list note-list">
                <For
                    each=move || rows.get()
                    key=|(id, _)| *id
                    children=move |(_, note)| view! { <NoteCard note=note /> }
                />
            </ol>
            <LoadMore
                has_more=Signal::derive(move || next_cursor.with(Option::is_some))
                loading=loading
                on_load=Callback::new(move |_| load(true))
                label="Load older notes"
            />
        </section>
    }
    .into_any()
}

/// What is open on a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotePanel {
    Edit,
    Sign,
    Addendum,
}

/// One note: read, edit while a draft, sign, amend once signed.
#[component]
fn NoteCard(note: ArcRwSignal<Note>) -> impl IntoView {
    let auth = use_auth();
    let me = auth.me().map(|m| m.id);
    let can_write = auth.can(Permission::NotesWrite);
    let directory = expect_context::<Directory>();
    let current = RwSignal::from(note);
    let id = current.with_untracked(|n| n.id);
    let heading = format!("note-{id}");
    let panel = RwSignal::new(None::<NotePanel>);
    let busy = RwSignal::new(false);
    let errors = FormErrors::new();
    let inline_notice = RwSignal::new(None::<String>);
    let e_type = RwSignal::new(String::new());
    let e_minutes = RwSignal::new(String::new());
    let e_body = RwSignal::new(String::new());
    let addendum = RwSignal::new(String::new());

    let signed = move || current.with(|n| n.signed_at.is_some());
    let mine_to_edit = move || can_write && current.with(|n| editable_by(n, me));
    let name_of = move |u: Option<Uuid>| directory.care_manager_label(u);

    // Someone else changed or signed it first: show the latest.
    let reload = move |cause: ApiError| async move {
        match api::get_note(id).await {
            Ok(latest) => {
                current.set(latest);
                errors.banner.set(Some(if cause.is(412) {
                    stale("This note")
                } else {
                    cause
                }));
            }
            Err(e) => errors.banner.set(Some(e)),
        }
    };

    let open = move |p: NotePanel| {
        errors.clear();
        inline_notice.set(None);
        if panel.get_untracked() == Some(p) {
            panel.set(None);
            return;
        }
        if p == NotePanel::Edit {
            current.with_untracked(|n| {
                e_type.set(n.note_type.as_ref().to_string());
                e_minutes.set(n.minutes.to_string());
                e_body.set(n.body.clone());
            });
        }
        panel.set(Some(p));
        let first = match p {
            NotePanel::Edit => "type",
            NotePanel::Sign => "sign-now",
            NotePanel::Addendum => "addendum",
        };
        focus_later(format!("note-{id}-{first}"));
    };

    let save_edit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut found = vec![];
        let mins = read_minutes(&e_minutes.get_untracked())
            .map_err(|e| found.push(e))
            .ok();
        let version = current.with_untracked(|n| n.version);
        let patch = NotePatch {
            note_type: e_type.get_untracked().parse().ok(),
            body: Some(e_body.get_untracked()),
            minutes: mins,
            occurred_at: None,
            version: Some(version),
        };
        found.extend(rule_errors(patch.validate()));
        if errors.show_rules(found, NOTE_FIELDS) {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = api::update_note(id, &patch, version).await;
            busy.set(false);
            match result {
                Ok(n) => {
                    current.set(n);
                    panel.set(None);
                    inline_notice.set(Some("Changes saved. The note is still a draft.".into()));
                    focus_later(format!("note-{id}-edit-btn"));
                }
                Err(e) if e.is(412) || e.is(409) => {
                    panel.set(None);
                    reload(e).await;
                }
                Err(e) => errors.show(e, NOTE_FIELDS),
            }
        });
    };

    let sign = move |_| {
        if busy.get_untracked() {
            return;
        }
        let version = current.with_untracked(|n| n.version);
        busy.set(true);
        errors.clear();
        spawn_local(async move {
            let result = api::sign_note(id, version).await;
            busy.set(false);
            panel.set(None);
            match result {
                Ok(n) => {
                    current.set(n);
                    inline_notice.set(Some(
                        "Signed. The note is now final; add an addendum to correct it.".into(),
                    ));
                    focus_later(format!("note-{id}-addendum-btn"));
                }
                Err(e) if e.is(412) || e.is(409) => reload(e).await,
                Err(e) => errors.show(e, &[]),
            }
        });
    };

    let save_addendum = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let new = NewAddendum {
            body: addendum.get_untracked(),
        };
        if errors.show_rules(rule_errors(new.validate()), ADDENDUM_FIELDS) {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = api::add_addendum(id, &new).await;
            busy.set(false);
            match result {
                Ok(n) => {
                    current.set(n);
                    addendum.set(String::new());
                    panel.set(None);
                    inline_notice.set(Some("Addendum added.".into()));
                    focus_later(format!("note-{id}-addendum-btn"));
                }
                Err(e) => errors.show(e, ADDENDUM_FIELDS),
            }
        });
    };

    let expanded = move |p: NotePanel| {
        move || {
            if panel.get() == Some(p) {
                "true"
            } else {
                "false"
            }
        }
    };

    view! {
        <li class="note-item" class:signed=signed>
            <article class="card note" aria-labelledby=heading.clone()>
                <div class="note-head">
                    <h3 id=heading.clone()>
                        {move || current.with(|n| n.note_type.label())}
                        <span class="muted note-when">
                            {move || current.with(|n| format!(" · {}", format::datetime(n.occurred_at)))}
                        </span>
                    </h3>
                    <p class="note-meta">
                        {move || {
                            current
                                .with(|n| {
                                    format!(
                                        "{} · {}",
                                        name_of(n.author_id),
                                        format::count(n.minutes.max(0) as usize, "minute", "minutes"),
                                    )
                                })
                        }}
                        " "
                        {move || {
                            if signed() {
                                let text = current
                                    .with(|n| {
                                        format!(
                                            "Signed by {} {}",
                                            name_of(n.signed_by),
                                            n.signed_at.map(format::datetime).unwrap_or_default(),
                                        )
                                    });
                                view! { <Tag text=text kind="ok" /> }.into_any()
                            } else {
                                view! { <Tag text="Draft, not signed" kind="warn" /> }.into_any()
                            }
                        }}
                    </p>
                </div>
                <p class="note-body">{move || current.with(|n| n.body.clone())}</p>
                <Show when=signed>
                    <p class="muted small">"Signed notes are final: they cannot be edited. Corrections are added as addenda."</p>
                </Show>
                {move || {
                    let addenda = current.with(|n| n.addenda.clone());
                    (!addenda.is_empty())
                        .then(|| {
                            view! {
                                <div class="addenda">
                                    <h4>"Addenda"</h4>
                                    <ol class="plain-list">
                                        {addenda
                                            .into_iter()
                                            .map(|a| {
                                                view! {
                                                    <li class="addendum">
                                                        <p class="muted small">
                                                            {format!(
                                                                "{} · {}",
                                                                name_of(a.author_id),
                                                                format::datetime(a.created_at),
                                                            )}
                                                        </p>
                                                        <p class="note-body">{a.body}</p>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ol>
                                </div>
                            }
                        })
                }}
                <div class="banner-slot" role="status">
                    {move || inline_notice.get().map(|m| view! { <p class="inline-notice">{m}</p> })}
                </div>
                <ErrorBanner error=errors.banner />
                <div class="action-bar">
                    <Show when=mine_to_edit>
                        <button
                            type="button"
                            class="button small secondary"
                            id=format!("note-{id}-edit-btn")
                            aria-expanded=expanded(NotePanel::Edit)
                            on:click=move |_| open(NotePanel::Edit)
                        >
                            "Edit note"
                        </button>
                        <button
                            type="button"
                            class="button small primary"
                            id=format!("note-{id}-sign-btn")
                            aria-expanded=expanded(NotePanel::Sign)
                            on:click=move |_| open(NotePanel::Sign)
                        >
                            "Sign note"
                        </button>
                    </Show>
                    <Show when=move || can_write && signed()>
                        <button
                            type="button"
                            class="button small secondary"
                            id=format!("note-{id}-addendum-btn")
                            aria-expanded=expanded(NotePanel::Addendum)
                            on:click=move |_| open(NotePanel::Addendum)
                        >
                            "Add addendum"
                        </button>
                    </Show>
                </div>
                {move || match panel.get() {
                    None => ().into_any(),
                    Some(NotePanel::Edit) => {
                        view! {
                            <form class="task-form stack" novalidate on:submit=save_edit>
                                <h4>"Edit the draft"</h4>
                                <div class="grid grid-2">
                                    <SelectField
                                        id=format!("note-{id}-type")
                                        label="Activity"
                                        value=e_type
                                        options=Signal::stored(type_choices())
                                        on_change=Callback::new(move |v| e_type.set(v))
                                        error=errors.field("type", "Activity")
                                    />
                                    <TextField
                                        id=format!("note-{id}-minutes")
                                        label="Minutes spent"
                                        input_type="number"
                                        inputmode="numeric"
                                        required=true
                                        value=e_minutes
                                        on_input=Callback::new(move |v| {
                                            e_minutes.set(v);
                                            errors.clear_field("minutes");
                                        })
                                        error=errors.field("minutes", "Minutes")
                                    />
                                </div>
                                <TextArea
                                    id=format!("note-{id}-body")
                                    label="Note"
                                    required=true
                                    value=e_body
                                    on_input=Callback::new(move |v| {
                                        e_body.set(v);
                                        errors.clear_field("body");
                                    })
                                    error=errors.field("body", "Note")
                                />
                                <div class="form-actions">
                                    <button type="submit" class="button primary" disabled=move || busy.get()>
                                        {move || if busy.get() { "Saving…" } else { "Save changes" }}
                                    </button>
                                    <button type="button" class="button secondary" on:click=move |_| panel.set(None)>
                                        "Cancel"
                                    </button>
                                </div>
                            </form>
                        }
                            .into_any()
                    }
                    Some(NotePanel::Sign) => {
                        view! {
                            <div class="task-form stack" role="group" aria-labelledby=format!("note-{id}-sign-q")>
                                <p id=format!("note-{id}-sign-q")>
                                    <strong>"Sign this note?"</strong>
                                    " Signing makes it final: it can no longer be edited, only corrected with addenda."
                                </p>
                                <div class="form-actions">
                                    <button
                                        type="button"
                                        class="button primary"
                                        id=format!("note-{id}-sign-now")
                                        disabled=move || busy.get()
                                        on:click=sign
                                    >
                                        {move || if busy.get() { "Signing…" } else { "Sign now" }}
                                    </button>
                                    <button type="button" class="button secondary" on:click=move |_| panel.set(None)>
                                        "Not yet"
                                    </button>
                                </div>
                            </div>
                        }
                            .into_any()
                    }
                    Some(NotePanel::Addendum) => {
                        view! {
                            <form class="task-form stack" novalidate on:submit=save_addendum>
                                <TextArea
                                    id=format!("note-{id}-addendum")
                                    label="Addendum"
                                    required=true
                                    hint="Added below the signed note with your name and the time."
                                    value=addendum
                                    on_input=Callback::new(move |v| {
                                        addendum.set(v);
                                        errors.clear_field("body");
                                    })
                                    error=errors.field("body", "Addendum")
                                />
                                <div class="form-actions">
                                    <button type="submit" class="button primary" disabled=move || busy.get()>
                                        {move || if busy.get() { "Saving…" } else { "Save addendum" }}
                                    </button>
                                    <button type="button" class="button secondary" on:click=move |_| panel.set(None)>
                                        "Cancel"
                                    </button>
                                </div>
                            </form>
                        }
                            .into_any()
                    }
                }}
            </article>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn note(author: Option<Uuid>, signed: bool) -> Note {
        let t: DateTime<Utc> = "2026-03-02T17:00:00Z".parse().unwrap();
        Note {
            id: Uuid::nil(),
            patient_id: Uuid::nil(),
            author_id: author,
            note_type: NoteType::Outreach,
            body: "Called".into(),
            minutes: 10,
            occurred_at: t,
            task_id: None,
            signed_at: signed.then_some(t),
            signed_by: if signed { author } else { None },
            addenda: vec![],
            version: 1,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn only_the_author_edits_and_only_while_unsigned() {
        let me = Some(Uuid::from_u128(1));
        let other = Some(Uuid::from_u128(2));
        assert!(editable_by(&note(me, false), me));
        assert!(!editable_by(&note(me, true), me));
        assert!(!editable_by(&note(other, false), me));
        assert!(!editable_by(&note(None, false), None));
    }

    #[test]
    fn minutes_are_a_whole_number_within_a_day_s_work() {
        assert_eq!(read_minutes(" 25 "), Ok(25));
        assert_eq!(read_minutes("").unwrap_err().message, "is required");
        assert_eq!(
            read_minutes("2.5").unwrap_err().message,
            "must be a whole number"
        );
        assert_eq!(
            read_minutes("900").unwrap_err().message,
            "must be between 0 and 720"
        );
    }
}
