//! Working one note from its card: editing the draft, signing it, adding
//! an addendum once it is signed. When someone else changed or signed the
//! note first, the latest version is shown and the person is told.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::notes::{NewAddendum, Note, NotePatch};
use shared::problem::ProblemKind;
use uuid::Uuid;

use super::inputs::{read_minutes, type_choices};
use crate::client;
use crate::components::forms::stale;
use crate::components::{
    ActionForm, Button, FormActions, FormErrors, SelectField, TextField, text_inputs,
};
use crate::dom::focus_later;
use crate::rules;
use crate::transport::ApiError;

/// What is open under a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotePanel {
    /// Editing the draft.
    Edit,
    /// Confirming the signature.
    Sign,
    /// Writing an addendum.
    Addendum,
}

impl NotePanel {
    /// The last part of the id of the element focused when it opens.
    pub fn first_field(self) -> &'static str {
        match self {
            NotePanel::Edit => "type",
            NotePanel::Sign => "sign-now",
            NotePanel::Addendum => "addendum",
        }
    }
}

/// One note being worked, shared by its card's buttons and forms.
#[derive(Debug, Clone, Copy)]
pub struct NoteWork {
    /// The note as it is now.
    pub current: RwSignal<Note>,
    /// Its id.
    pub id: Uuid,
    /// The open panel.
    pub panel: RwSignal<Option<NotePanel>>,
    /// Whether a change is on its way.
    pub busy: RwSignal<bool>,
    /// The open form's errors (and why a change failed).
    pub errors: FormErrors,
    /// What the last change did.
    pub notice: RwSignal<Option<String>>,
}

impl NoteWork {
    /// The id of one of the note's elements: `note-<id>-<part>`.
    pub fn element_id(self, part: &str) -> String {
        format!("note-{}-{part}", self.id)
    }

    /// Closes the open panel.
    fn close(self) {
        self.panel.set(None);
    }

    /// Takes a saved version: closes the panel, says what happened and
    /// puts focus on the button to use next.
    fn saved(self, note: Note, said: &str, next_button: &str) {
        self.current.set(note);
        self.close();
        self.notice.set(Some(said.to_string()));
        focus_later(self.element_id(next_button));
    }

    /// Someone else changed or signed the note first: shows the latest.
    async fn reload(self, cause: ApiError) {
        match client::get_note(self.id).await {
            Ok(latest) => {
                self.current.set(latest);
                self.errors
                    .banner
                    .set(Some(if cause.is(ProblemKind::StaleVersion) {
                        stale("This note")
                    } else {
                        cause
                    }));
            }
            Err(e) => self.errors.banner.set(Some(e)),
        }
    }
}

/// What the edit form holds, filled from the note as the form opens.
#[derive(Debug, Clone, Copy)]
pub struct EditDraft {
    note_type: RwSignal<String>,
    minutes: RwSignal<String>,
    body: RwSignal<String>,
}

impl EditDraft {
    /// Empty fields.
    pub fn new() -> Self {
        let [note_type, minutes, body] = text_inputs();
        EditDraft {
            note_type,
            minutes,
            body,
        }
    }

    /// The fields as `note` has them.
    pub fn fill(self, note: &Note) {
        self.note_type.set(note.note_type.as_ref().to_string());
        self.minutes.set(note.minutes.to_string());
        self.body.set(note.body.clone());
    }
}

/// Editing a draft note.
#[component]
pub fn EditNoteForm(work: NoteWork, draft: EditDraft) -> impl IntoView {
    let EditDraft {
        note_type,
        minutes,
        body,
    } = draft;
    let errors = work.errors;
    let save = Callback::new(move |()| {
        let mut found = vec![];
        let mins = read_minutes(&minutes.get_untracked())
            .map_err(|e| found.push(e))
            .ok();
        let version = work.current.with_untracked(|n| n.version);
        let patch = NotePatch {
            note_type: note_type.get_untracked().parse().ok(),
            body: Some(body.get_untracked()),
            minutes: mins,
            occurred_at: None,
            version: Some(version),
        };
        found.extend(rules::errors(patch.clone()));
        if errors.show_rules(found) {
            return;
        }
        work.busy.set(true);
        spawn_local(async move {
            let result = client::update_note(work.id, &patch, version).await;
            work.busy.set(false);
            match result {
                Ok(n) => work.saved(n, "Changes saved. The note is still a draft.", "edit-btn"),
                Err(e) if e.is_lost_race() => {
                    work.close();
                    work.reload(e).await;
                }
                Err(e) => errors.show(e),
            }
        });
    });
    view! {
        <ActionForm on_submit=save busy=work.busy class="task-form stack">
            <h4>"Edit the draft"</h4>
            <div class="grid grid-2">
                <SelectField
                    id=work.element_id("type")
                    label="Activity"
                    value=note_type
                    options=Signal::stored(type_choices())
                    on_change=Callback::new(move |v| note_type.set(v))
                    error=errors.field("type", "Activity")
                />
                <TextField
                    id=work.element_id("minutes")
                    label="Minutes spent"
                    input_type="number"
                    inputmode="numeric"
                    required=true
                    bind=errors.bind("minutes", minutes)
                    error_label="Minutes"
                />
            </div>
            <TextField
                multiline=true
                id=work.element_id("body")
                label="Note"
                required=true
                bind=errors.bind("body", body)
            />
            <FormActions
                button=Button::submit("Save changes").busy(work.busy, "Saving…")
                on_back=Callback::new(move |()| work.close())
            />
        </ActionForm>
    }
}

/// Confirming the signature: signing makes the note final.
#[component]
pub fn SignConfirm(work: NoteWork) -> impl IntoView {
    let sign = Callback::new(move |()| {
        if work.busy.get_untracked() {
            return;
        }
        let version = work.current.with_untracked(|n| n.version);
        work.busy.set(true);
        work.errors.clear();
        spawn_local(async move {
            let result = client::sign_note(work.id, version).await;
            work.busy.set(false);
            work.close();
            match result {
                Ok(n) => work.saved(
                    n,
                    "Signed. The note is now final; add an addendum to correct it.",
                    "addendum-btn",
                ),
                Err(e) if e.is_lost_race() => work.reload(e).await,
                Err(e) => work.errors.show(e),
            }
        });
    });
    let question = work.element_id("sign-q");
    let labelled_by = question.clone();
    view! {
        <div class="task-form stack" role="group" aria-labelledby=labelled_by>
            <p id=question>
                <strong>"Sign this note?"</strong>
                " Signing makes it final: it can no longer be edited, only corrected with addenda."
            </p>
            <FormActions
                button=Button::run("Sign now", sign).busy(work.busy, "Signing…").id(work.element_id("sign-now"))
                back_label="Not yet"
                on_back=Callback::new(move |()| work.close())
            />
        </div>
    }
}

/// Adding an addendum to a signed note; `text` outlives the form.
#[component]
pub fn AddendumForm(work: NoteWork, text: RwSignal<String>) -> impl IntoView {
    let errors = work.errors;
    let save = Callback::new(move |()| {
        let new = NewAddendum {
            body: text.get_untracked(),
        };
        if errors.show_rules(rules::errors(new.clone())) {
            return;
        }
        work.busy.set(true);
        spawn_local(async move {
            let result = client::add_addendum(work.id, &new).await;
            work.busy.set(false);
            match result {
                Ok(n) => {
                    text.set(String::new());
                    work.saved(n, "Addendum added.", "addendum-btn");
                }
                Err(e) => errors.show(e),
            }
        });
    });
    view! {
        <ActionForm on_submit=save busy=work.busy class="task-form stack">
            <TextField
                multiline=true
                id=work.element_id("addendum")
                label="Addendum"
                required=true
                hint="Added below the signed note with your name and the time."
                bind=errors.bind("body", text)
            />
            <FormActions
                button=Button::submit("Save addendum").busy(work.busy, "Saving…")
                on_back=Callback::new(move |()| work.close())
            />
        </ActionForm>
    }
}
