//! The timeline tab: everything that happened to the patient, newest first.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::timeline::{TimelineEntry, TimelineKind, TimelineQuery};

use super::patient::PatientCtx;
use crate::api::{self, ApiError};
use crate::components::{ErrorBanner, LoadMore, Loading};
use crate::format;
use crate::state::Directory;

/// Timeline page size.
const PAGE: i64 = 50;

/// A kind of timeline entry, in words.
pub fn kind_label(kind: TimelineKind) -> &'static str {
    match kind {
        TimelineKind::Encounter => "Hospital / ED",
        TimelineKind::Appointment => "Appointment",
        TimelineKind::Task => "Task",
        TimelineKind::Outreach => "Outreach",
        TimelineKind::Note => "Note",
        TimelineKind::Alert => "Alert",
        TimelineKind::StatusChange => "Case status",
    }
}

/// The timeline tab.
#[component]
pub fn PatientTimelineTab() -> impl IntoView {
    let ctx = expect_context::<PatientCtx>();
    let directory = expect_context::<Directory>();
    let Some(patient_id) = ctx.id() else {
        return ().into_any();
    };
    super::set_title(&format!("Timeline · {}", ctx.name()));
    let entries = RwSignal::new(Vec::<TimelineEntry>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);

    let load = move |append: bool| {
        let query = TimelineQuery {
            limit: Some(PAGE),
            cursor: if append {
                next_cursor.get_untracked()
            } else {
                None
            },
        };
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::timeline(patient_id, &query).await;
            loading.set(false);
            match result {
                Ok(page) => {
                    if append {
                        entries.update(|e| e.extend(page.items));
                    } else {
                        entries.set(page.items);
                    }
                    next_cursor.set(page.next_cursor);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(false);

    view! {
        <section aria-labelledby="tab-heading">
            <h2 id="tab-heading">"Timeline"</h2>
            <ErrorBanner error=error />
            <Show when=move || loading.get() && entries.with(Vec::is_empty)>
                <Loading what="the timeline" />
            </Show>
            <Show when=move || !loading.get() && entries.with(Vec::is_empty) && error.with(Option::is_none)>
                <p class="muted">"Nothing has happened yet."</p>
            </Show>
            <ol class="timeline">
                <For
                    each=move || entries.get()
                    key=|e| (e.kind, e.id, e.at)
                    children=move |e| {
                        let actor = e.actor_id;
                        view! {
                            <li class=format!("timeline-entry kind-{}", e.kind.as_ref())>
                                <p class="timeline-when">
                                    <time datetime=e.at.to_rfc3339()>{format::datetime(e.at)}</time>
                                </p>
                                <div class="timeline-body">
                                    <p class="timeline-kind">{kind_label(e.kind)}</p>
                                    <p>{e.summary.clone()}</p>
                                    {actor
                                        .map(|a| {
                                            view! {
                                                <p class="muted small">
                                                    {move || format!("By {}", directory.care_manager_label(Some(a)))}
                                                </p>
                                            }
                                        })}
                                </div>
                            </li>
                        }
                    }
                />
            </ol>
            <LoadMore
                has_more=Signal::derive(move || next_cursor.with(Option::is_some))
                loading=loading
                on_load=Callback::new(move |_| load(true))
                label="Show older entries"
            />
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn every_kind_of_entry_has_words() {
        for k in TimelineKind::VARIANTS {
            assert!(!kind_label(*k).is_empty());
        }
        assert_eq!(kind_label(TimelineKind::StatusChange), "Case status");
    }
}
