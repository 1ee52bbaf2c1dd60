//! The timeline tab: everything that happened to the patient, newest first.

use leptos::prelude::*;
use shared::timeline::TimelineKind;

use super::context::PatientCtx;
use crate::client;
use crate::components::{PagedItems, TabSection, use_paged_list};
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
        TimelineKind::Education => "Education",
    }
}

/// The timeline tab.
#[component]
pub fn PatientTimelineTab() -> impl IntoView {
    let directory = expect_context::<Directory>();
    let Some(patient_id) = PatientCtx::open_tab("Timeline") else {
        return ().into_any();
    };
    let list = use_paged_list(PAGE, move |page| async move {
        client::timeline(patient_id, &page).await
    });
    list.reload();

    view! {
        <TabSection title="Timeline" error=list.error>
            <PagedItems
                list=list
                what="the timeline"
                more="Show older entries"
                empty=|| view! { <p class="muted">"Nothing has happened yet."</p> }
            >
                <ol class="timeline">
                    <For
                        each=move || list.items.get()
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
            </PagedItems>
        </TabSection>
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
