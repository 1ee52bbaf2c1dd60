//! The screens the router loads on first visit, in six groups.
//!
//! `make web-release` cuts each group's code (its views, its API calls, the
//! rules only it uses) out of the main wasm into its own file (wasm-split,
//! between cargo and wasm-bindgen), fetched the first time one of its routes
//! matches; code two groups share goes to a chunk both load. The main wasm
//! keeps the runtime, the shell and the screens someone sees before choosing
//! where to go: sign-in, the home redirect and "not found".
//!
//! Screens are grouped by what one person uses together, not one file per
//! screen: wasm-split puts the code each distinct set of splits shares into
//! its own chunk, and thirty splits made over a thousand files, a visit
//! fetching hundreds. Six groups make fifty-five shared chunks, about thirty
//! files per group's first visit, fetched at once (not one after another).
//!
//! A screen whose file cannot be fetched (a phone between two cell towers)
//! says so instead of stopping the app, and the next visit to it tries
//! again: only successful loads are remembered.
//!
//! A route's data half (`LazyRoute::data`) is empty: the screens fetch their
//! own data once they render, as they did before they were split.

use leptos::prelude::*;
use leptos::wasm_split::{SplitLoaderError, wasm_split};
use leptos_router::LazyRoute;

use crate::pages::{
    ApiKeysPage, AuditPage, CriteriaPage, HuddlesPage, IdentifierSystemsPage, MeasurePage,
    MeasuresPage, MemberWorklistPage, NewPatientPage, PatientAppointmentsTab, PatientCarePlanTab,
    PatientEducationTab, PatientEncountersTab, PatientNotesTab, PatientOverviewTab, PatientPage,
    PatientReferralsTab, PatientScreeningsTab, PatientTimelineTab, PatientsPage, PipelinePage,
    ProviderPage, ProvidersPage, ReferralBoardPage, ReferralPage, ReportsPage, TeamPage, UsersPage,
    WebhooksPage, WorklistPage,
};

/// What a screen shows when its code could not be fetched.
fn unavailable(_: SplitLoaderError) -> AnyView {
    view! {
        <div class="banner banner-error" role="alert">
            <p class="banner-title">"This screen could not be loaded"</p>
            <p>"Check the connection, then open the screen again or reload the page."</p>
        </div>
    }
    .into_any()
}

/// A screen as the router shows it: made when the view is built, not when
/// its code arrives.
///
/// The router awaits the code in a future of its own and builds the view
/// it returns later, under the route's owner. A screen made in that future
/// keeps its signals in an owner the router may have let go by the time it
/// builds the view (the person signed out while the code was on its way):
/// the first reactive read then finds its value disposed and the app
/// panics. Made at build time, the screen's signals and the effects that
/// read them belong to the same live owner, and go together.
fn page_view(page: fn() -> AnyView) -> AnyView {
    (move || untrack(page)).into_any()
}

/// For each screen of a group: a function in the group's split module that
/// renders it, and the route type whose view awaits that function.
macro_rules! lazy_screens {
    ($group:ident { $($route:ident => $page:ident via $screen:ident),* $(,)? }) => {$(
        #[wasm_split($group, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $screen() -> Result<fn() -> AnyView, SplitLoaderError> {
            Ok(|| view! { <$page /> }.into_any())
        }

        #[doc = concat!(
            "The route to [`", stringify!($page), "`], loaded with the `",
            stringify!($group), "` screens on first visit."
        )]
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_route: Self) -> AnyView {
                $screen().await.map_or_else(unavailable, page_view)
            }
        }
    )*};
}

lazy_screens!(worklists {
    WorklistRoute => WorklistPage via worklist_screen,
    MemberWorklistRoute => MemberWorklistPage via member_worklist_screen,
    TeamRoute => TeamPage via team_screen,
    HuddlesRoute => HuddlesPage via huddles_screen,
});

lazy_screens!(patients {
    PatientsRoute => PatientsPage via patients_screen,
    NewPatientRoute => NewPatientPage via new_patient_screen,
    PatientRoute => PatientPage via patient_screen,
    PatientOverviewRoute => PatientOverviewTab via patient_overview_screen,
});

// The record's other tabs: a care manager opening a patient lands on the
// overview, and most visits stop there.
lazy_screens!(record {
    PatientTimelineRoute => PatientTimelineTab via patient_timeline_screen,
    PatientEncountersRoute => PatientEncountersTab via patient_encounters_screen,
    PatientAppointmentsRoute => PatientAppointmentsTab via patient_appointments_screen,
    PatientNotesRoute => PatientNotesTab via patient_notes_screen,
    PatientScreeningsRoute => PatientScreeningsTab via patient_screenings_screen,
    PatientCarePlanRoute => PatientCarePlanTab via patient_care_plan_screen,
    PatientEducationRoute => PatientEducationTab via patient_education_screen,
    PatientReferralsRoute => PatientReferralsTab via patient_referrals_screen,
});

lazy_screens!(network {
    ProvidersRoute => ProvidersPage via providers_screen,
    PipelineRoute => PipelinePage via pipeline_screen,
    ProviderRoute => ProviderPage via provider_screen,
    ReferralBoardRoute => ReferralBoardPage via referral_board_screen,
    ReferralRoute => ReferralPage via referral_screen,
});

lazy_screens!(reports {
    ReportsRoute => ReportsPage via reports_screen,
    MeasuresRoute => MeasuresPage via measures_screen,
    MeasureRoute => MeasurePage via measure_screen,
});

lazy_screens!(admin {
    UsersRoute => UsersPage via users_screen,
    ApiKeysRoute => ApiKeysPage via api_keys_screen,
    WebhooksRoute => WebhooksPage via webhooks_screen,
    IdentifierSystemsRoute => IdentifierSystemsPage via identifier_systems_screen,
    CriteriaRoute => CriteriaPage via criteria_screen,
    AuditRoute => AuditPage via audit_screen,
});
