//! The screenings tab: the form (scored live), the PHQ-9 and GAD-7 trends
//! and the history.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::Permission;
use shared::ids::PatientId;
use shared::pagination::{MAX_LIMIT, PageQuery};
use shared::screening::{Flag, Instrument, ScoringContext, Screening, ScreeningListQuery};

use super::form::ScreeningForm;
use super::history::ScreeningHistory;
use super::model::summary;
use super::trend::TrendChart;
use crate::client;
use crate::components::forms::stale;
use crate::components::{Loading, TabSection};
use crate::dom::focus_later;
use crate::pages::patient::context::PatientCtx;
use crate::state::use_auth;
use crate::transport::ApiError;

/// Pages fetched at most (a history longer than this many pages is cut).
const MAX_PAGES: usize = 20;

/// Every screening of the patient, oldest first.
async fn load_all(patient: PatientId) -> Result<Vec<Screening>, ApiError> {
    let mut all = Vec::new();
    let mut at = PageQuery::first(MAX_LIMIT);
    for _ in 0..MAX_PAGES {
        let page = client::list_screenings(patient, &ScreeningListQuery::default(), &at).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(cursor) => {
                at = PageQuery {
                    limit: Some(MAX_LIMIT),
                    cursor: Some(cursor),
                };
            }
            None => break,
        }
    }
    Ok(all)
}

/// What to say once a screening is recorded: the server's result, and
/// what its flags set off.
pub fn recorded_notice(s: &Screening) -> String {
    let mut text = format!(
        "{} recorded: {}.",
        s.instrument.label(),
        summary(s.instrument, &s.result)
    );
    if s.result.flags.contains(&Flag::SuicideRisk) {
        text.push_str(
            " Safety alert sent to the care team; a same-day safety follow-up is on the worklist.",
        );
    }
    if s.result.flags.contains(&Flag::AdministerPhq9) {
        text.push_str(" A PHQ-9 is now due.");
    }
    text
}

/// The screenings tab.
#[component]
pub fn PatientScreeningsTab() -> impl IntoView {
    let Some(patient_id) = PatientCtx::open_tab("Screenings") else {
        return ().into_any();
    };
    let ctx = PatientCtx::get();
    let context = ScoringContext {
        sex: ctx.patient.with_untracked(|p| p.as_ref().map(|p| p.sex)),
    };
    let can_write = use_auth().can(Permission::PatientsWrite);
    let history = RwSignal::new(Vec::<Screening>::new());
    let loading = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let recorded = RwSignal::new(None::<Screening>);

    let reload = move || {
        loading.set(true);
        spawn_local(async move {
            let result = load_all(patient_id).await;
            loading.set(false);
            match result {
                Ok(all) => history.set(all),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    reload();

    let on_saved = Callback::new(move |s: Screening| {
        notice.set(Some(recorded_notice(&s)));
        focus_later("screenings-notice");
        // What the server stored, read back.
        spawn_local(async move {
            match client::get_screening(s.id).await {
                Ok(stored) => recorded.set(Some(stored)),
                Err(e) => error.set(Some(e)),
            }
        });
        reload();
    });
    let on_marked = Callback::new(move |s: Screening| {
        notice.set(Some(format!(
            "The {} was marked entered in error; it no longer counts.",
            s.instrument.label()
        )));
        focus_later("screenings-notice");
        reload();
    });
    let on_stale = Callback::new(move |()| {
        error.set(Some(stale("This screening")));
        reload();
    });

    view! {
        <TabSection title="Screenings" notice=(notice, "screenings-notice") error=error>
            {move || recorded.get().map(|s| view! {
                <p class="recorded-result" data-testid="recorded-result">
                    {format!("Server result: {}", summary(s.instrument, &s.result))}
                </p>
            })}
            {can_write.then(|| view! { <ScreeningForm patient_id=patient_id context=context on_saved=on_saved /> })}
            <h3>"Trends"</h3>
            <div class="grid grid-2 trends">
                <TrendChart instrument=Instrument::Phq9 history=history />
                <TrendChart instrument=Instrument::Gad7 history=history />
            </div>
            <h3>"History"</h3>
            <Show when=move || !loading.get() || history.with(|h| !h.is_empty()) fallback=|| view! { <Loading what="screenings" /> }>
                <ScreeningHistory history=history can_write=can_write on_marked=on_marked on_stale=on_stale />
            </Show>
        </TabSection>
    }
    .into_any()
}
