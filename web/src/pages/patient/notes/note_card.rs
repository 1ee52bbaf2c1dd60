//! One note on the notes tab: what it says, who wrote and signed it, its
//! addenda, and the buttons that open its row actions.

use leptos::prelude::*;
use shared::auth::Permission;
use shared::ids::UserId;
use shared::notes::Note;

use super::inputs::editable_by;
use super::row_actions::{AddendumForm, EditDraft, EditNoteForm, NotePanel, NoteWork, SignConfirm};
use crate::components::{Disclosure, ErrorBanner, FormErrors, Notice, Tag};
use crate::dom::focus_later;
use crate::format;
use crate::state::{Directory, use_auth};

/// One note: read, edit while a draft, sign, amend once signed.
#[component]
pub fn NoteCard(
    /// The note, kept current by the card itself.
    note: ArcRwSignal<Note>,
) -> impl IntoView {
    let auth = use_auth();
    let me = auth.me().map(|m| m.id);
    let can_write = auth.can(Permission::NotesWrite);
    let directory = expect_context::<Directory>();
    let current = RwSignal::from(note);
    let work = NoteWork {
        current,
        id: current.with_untracked(|n| n.id),
        panel: RwSignal::new(None),
        busy: RwSignal::new(false),
        errors: FormErrors::new(),
        notice: RwSignal::new(None),
    };
    let heading = format!("note-{}", work.id);
    let draft = EditDraft::new();
    let addendum = RwSignal::new(String::new());

    let signed = move || current.with(|n| n.signed_at.is_some());
    let mine_to_edit = move || can_write && current.with(|n| editable_by(n, me));
    let name_of = move |u: Option<UserId>| directory.care_manager_label(u);

    let open = move |p: NotePanel| {
        work.errors.clear();
        work.notice.set(None);
        if work.panel.get_untracked() == Some(p) {
            work.panel.set(None);
            return;
        }
        if p == NotePanel::Edit {
            current.with_untracked(|n| draft.fill(n));
        }
        work.panel.set(Some(p));
        focus_later(work.element_id(p.first_field()));
    };
    let button = move |p: NotePanel, label: &'static str, part: &str, class: &'static str| {
        view! {
            <Disclosure
                label=label
                expanded=Signal::derive(move || work.panel.get() == Some(p))
                on_toggle=Callback::new(move |()| open(p))
                id=work.element_id(part)
                class=class
            />
        }
    };

    view! {
        <li class="note-item" class:signed=signed>
            <article class="card note" aria-labelledby=heading.clone()>
                <div class="note-head">
                    <h3 id=heading.clone()>
                        {move || work.current.with(|n| n.note_type.label())}
                        <span class="muted note-when">
                            {move || work.current.with(|n| format!(" · {}", format::datetime(n.occurred_at)))}
                        </span>
                    </h3>
                    <p class="note-meta">
                        {move || {
                            work.current
                                .with(|n| {
                                    format!(
                                        "{} · {}",
                                        name_of(n.author_id),
                                        format::count(usize::try_from(n.minutes).unwrap_or(0), "minute", "minutes"),
                                    )
                                })
                        }}
                        " "
                        {move || {
                            if signed() {
                                let text = work.current
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
                <p class="note-body">{move || work.current.with(|n| n.body.clone())}</p>
                <Show when=signed>
                    <p class="muted small">"Signed notes are final: they cannot be edited. Corrections are added as addenda."</p>
                </Show>
                {move || {
                    let addenda = work.current.with(|n| n.addenda.clone());
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
                <Notice message=work.notice inline=true />
                <ErrorBanner error=work.errors.banner />
                <div class="action-bar">
                    <Show when=mine_to_edit>
                        {button(NotePanel::Edit, "Edit note", "edit-btn", "button small secondary")}
                        {button(NotePanel::Sign, "Sign note", "sign-btn", "button small primary")}
                    </Show>
                    <Show when=move || can_write && signed()>
                        {button(NotePanel::Addendum, "Add addendum", "addendum-btn", "button small secondary")}
                    </Show>
                </div>
                {move || match work.panel.get() {
                    None => ().into_any(),
                    Some(NotePanel::Edit) => view! { <EditNoteForm work=work draft=draft /> }.into_any(),
                    Some(NotePanel::Sign) => view! { <SignConfirm work=work /> }.into_any(),
                    Some(NotePanel::Addendum) => view! { <AddendumForm work=work text=addendum /> }.into_any(),
                }}
            </article>
        </li>
    }
}
