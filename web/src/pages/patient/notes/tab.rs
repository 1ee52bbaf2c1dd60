//! The notes tab: writing a note and the patient's notes, newest first.

use leptos::prelude::*;
use shared::auth::Permission;
use shared::notes::Note;
use uuid::Uuid;

use super::add_form::WriteNoteForm;
use super::note_card::NoteCard;
use crate::client;
use crate::components::paged_list::map_page;
use crate::components::{PagedItems, TabSection, use_paged_list};
use crate::dom::focus_later;
use crate::pages::patient::context::PatientCtx;
use crate::state::use_auth;

/// Notes per page.
const PAGE: i64 = 50;

/// A listed note, with a signal of its own so its card changes it in place.
type NoteRow = (Uuid, ArcRwSignal<Note>);

fn row(note: Note) -> NoteRow {
    (note.id, ArcRwSignal::new(note))
}

/// The notes tab.
#[component]
pub fn PatientNotesTab() -> impl IntoView {
    let Some(patient_id) = PatientCtx::open_tab("Notes") else {
        return ().into_any();
    };
    let can_write = use_auth().can(Permission::NotesWrite);
    let list = use_paged_list(PAGE, move |page| async move {
        client::list_notes(patient_id, &page)
            .await
            .map(|p| map_page(p, row))
    });
    list.reload();
    let notice = RwSignal::new(None::<String>);
    let on_written = Callback::new(move |n: Note| {
        list.items.update(|all| all.insert(0, row(n)));
        notice.set(Some(
            "Note saved as a draft. Sign it when it is final.".into(),
        ));
        focus_later("notes-notice");
    });

    view! {
        <TabSection title="Notes" notice=(notice, "notes-notice") error=list.error>
            {can_write.then(|| view! { <WriteNoteForm patient_id=patient_id on_written=on_written /> })}
            <PagedItems
                list=list
                what="notes"
                more="Load older notes"
                empty=|| view! { <p class="muted">"No notes yet."</p> }
            >
                <ol class="plain-list note-list">
                    <For
                        each=move || list.items.get()
                        key=|(id, _)| *id
                        children=move |(_, note)| view! { <NoteCard note=note /> }
                    />
                </ol>
            </PagedItems>
        </TabSection>
    }
    .into_any()
}
