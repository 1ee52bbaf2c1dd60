//! The versions panel: every version of the plan, newest first; choosing
//! one shows what it held, read-only, what changed in it (from the version
//! before) and, for an older one, what changed since (to the current
//! version).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::care_plan::{CarePlanVersion, PlanChange};
use uuid::Uuid;

use super::model::{change_label, section_label};
use super::view::PlanContentView;
use crate::client;
use crate::components::{ErrorBanner, Loading};
use crate::format;
use crate::state::Directory;
use crate::transport::ApiError;

/// The versions to offer, newest first.
pub fn version_numbers(current: i32) -> Vec<i32> {
    (1..=current.max(1)).rev().collect()
}

/// What a chosen version shows.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    version: CarePlanVersion,
    /// What changed from it to the current version (an older one only).
    since: Option<(i32, Vec<PlanChange>)>,
}

/// A list of changes, or what to say when there are none.
fn change_list(changes: Vec<PlanChange>, none: &'static str) -> AnyView {
    if changes.is_empty() {
        return view! { <p class="muted">{none}</p> }.into_any();
    }
    view! {
        <ul class="plan-changes">
            {changes
                .into_iter()
                .map(|c| view! {
                    <li>
                        <span class=format!("badge change-{}", c.change.as_ref())>{change_label(c.change)}</span>
                        " "
                        <span class="muted small">{section_label(c.section)}</span>
                        " "
                        {c.summary}
                    </li>
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The versions panel.
#[component]
pub fn VersionsPanel(
    /// The plan.
    plan_id: Uuid,
    /// Its current version (tracked: a save adds one).
    #[prop(into)]
    current: Signal<i32>,
) -> impl IntoView {
    let directory = expect_context::<Directory>();
    let chosen = RwSignal::new(None::<i32>);
    let shown = RwSignal::new(None::<Shown>);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let open = move |n: i32| {
        chosen.set(Some(n));
        shown.set(None);
        error.set(None);
        loading.set(true);
        let now = current.get_untracked();
        spawn_local(async move {
            let this = client::get_care_plan_version(plan_id, n, None).await;
            let since = if n < now {
                Some(
                    client::get_care_plan_version(plan_id, now, Some(n))
                        .await
                        .map(|v| (now, v.changes)),
                )
            } else {
                None
            };
            if chosen.get_untracked() != Some(n) {
                return;
            }
            loading.set(false);
            match (this, since.transpose()) {
                (Ok(version), Ok(since)) => shown.set(Some(Shown { version, since })),
                (Err(e), _) | (_, Err(e)) => error.set(Some(e)),
            }
        });
    };

    view! {
        <section class="card plan-versions no-print" aria-labelledby="plan-versions-heading">
            <h3 id="plan-versions-heading">"Versions"</h3>
            <p class="hint">"Every change keeps the version before it readable."</p>
            <ul class="version-list" aria-label="Versions of the care plan">
                {move || {
                    version_numbers(current.get())
                        .into_iter()
                        .map(|n| {
                            let label = if n == current.get_untracked() {
                                format!("Version {n} (current)")
                            } else {
                                format!("Version {n}")
                            };
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class="button small toggle"
                                        aria-pressed=move || if chosen.get() == Some(n) { "true" } else { "false" }
                                        on:click=move |_| open(n)
                                    >
                                        {label}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <ErrorBanner error=error />
            <Show when=move || loading.get()>
                <Loading what="the version" />
            </Show>
            {move || shown.get().map(|s| {
                let v = s.version;
                let heading = format!("Version {}", v.version);
                let saved = format!(
                    "Saved {} by {}",
                    format::datetime(v.changed_at),
                    directory.care_manager_label(v.changed_by),
                );
                let in_it = match v.compared_to {
                    Some(before) => format!("Changes from version {before}"),
                    None => "Changes in this version".to_string(),
                };
                view! {
                    <article class="plan-version" aria-labelledby="plan-version-heading" data-testid="plan-version">
                        <h4 id="plan-version-heading">{heading}</h4>
                        <p class="muted small">{saved}</p>
                        <h4>{in_it}</h4>
                        {change_list(
                            v.changes,
                            if v.compared_to.is_some() { "Nothing changed." } else { "The plan was created." },
                        )}
                        {s.since.map(|(now, changes)| view! {
                            <h4>{format!("Changes since, to version {now} (current)")}</h4>
                            <div data-testid="plan-changes-since">
                                {change_list(changes, "Nothing changed since.")}
                            </div>
                        })}
                        <h4>"What it held"</h4>
                        <div data-testid="plan-version-content">
                            <PlanContentView content=v.content nested=true />
                        </div>
                    </article>
                }
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_offered_newest_first_down_to_the_first() {
        assert_eq!(version_numbers(3), vec![3, 2, 1]);
        assert_eq!(version_numbers(1), vec![1]);
        assert_eq!(version_numbers(0), vec![1]);
    }
}
