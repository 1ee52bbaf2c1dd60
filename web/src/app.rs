//! The app: session start-up, routes, and the signed-in shell (top bar,
//! navigation for the person's role, the page).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{Lazy, NavigateOptions, path};
use shared::ids::UserId;

use crate::client;
use crate::components::nav::TopBar;
use crate::lazy_routes::{
    ApiKeysRoute, AuditRoute, CriteriaRoute, HuddlesRoute, IdentifierSystemsRoute, MeasureRoute,
    MeasuresRoute, MemberWorklistRoute, NewPatientRoute, PatientAppointmentsRoute,
    PatientCarePlanRoute, PatientEducationRoute, PatientEncountersRoute, PatientNotesRoute,
    PatientOverviewRoute, PatientReferralsRoute, PatientRoute, PatientScreeningsRoute,
    PatientTimelineRoute, PatientsRoute, PipelineRoute, ProviderRoute, ProvidersRoute,
    ReferralBoardRoute, ReferralRoute, ReportsRoute, TeamRoute, UsersRoute, WebhooksRoute,
    WorklistRoute,
};
use crate::pages::{HomePage, LoginPage, NotFound};
use crate::session;
use crate::state::{Auth, AuthState, Directory, ListState, PatientFilters, use_auth};
use crate::transport::ApiError;

/// `/login?next=<where the person was>`.
pub fn login_path(here: &str) -> String {
    if here.is_empty() || here == "/" || here.starts_with("/login") {
        "/login".to_string()
    } else {
        match serde_urlencoded::to_string([("next", here)]) {
            Ok(q) => format!("/login?{q}"),
            Err(_) => "/login".to_string(),
        }
    }
}

/// Resumes a stored session, if there is one.
async fn resume(auth: Auth) {
    if !session::has_refresh_token() {
        auth.0.set(AuthState::SignedOut { notice: None });
        return;
    }
    let result = match session::renew().await {
        Ok(()) => client::me().await,
        Err(e) => Err(e),
    };
    match result {
        Ok(me) => auth.0.set(AuthState::SignedIn(me)),
        // The session module has already said so.
        Err(ApiError::SignedOut) => {}
        Err(e) => auth.0.set(AuthState::SignedOut {
            notice: Some(format!("Could not resume your session: {}", e.message())),
        }),
    }
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let auth = Auth::new();
    provide_context(auth);
    let directory = Directory::new();
    provide_context(directory);
    let list = ListState::new();
    provide_context(list);

    spawn_local(resume(auth));

    // A new person signing in gets fresh shared data.
    Effect::new(move |previous: Option<Option<UserId>>| {
        let who = auth.me().map(|m| m.id);
        if who.is_some() && previous.flatten() != who {
            directory.reload();
            if previous.is_some() {
                list.filters.set(PatientFilters::default());
            }
        }
        who
    });

    view! {
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/login") view=LoginPage />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=HomePage />
                    <Route path=path!("worklist") view={Lazy::<WorklistRoute>::new()} />
                    <Route path=path!("team") view={Lazy::<TeamRoute>::new()} />
                    <Route path=path!("team/:user_id") view={Lazy::<MemberWorklistRoute>::new()} />
                    <Route path=path!("huddles") view={Lazy::<HuddlesRoute>::new()} />
                    <Route path=path!("patients") view={Lazy::<PatientsRoute>::new()} />
                    <Route path=path!("patients/new") view={Lazy::<NewPatientRoute>::new()} />
                    <ParentRoute path=path!("patients/:id") view={Lazy::<PatientRoute>::new()}>
                        <Route path=path!("") view={Lazy::<PatientOverviewRoute>::new()} />
                        <Route path=path!("timeline") view={Lazy::<PatientTimelineRoute>::new()} />
                        <Route path=path!("encounters") view={Lazy::<PatientEncountersRoute>::new()} />
                        <Route path=path!("appointments") view={Lazy::<PatientAppointmentsRoute>::new()} />
                        <Route path=path!("notes") view={Lazy::<PatientNotesRoute>::new()} />
                        <Route path=path!("screenings") view={Lazy::<PatientScreeningsRoute>::new()} />
                        <Route path=path!("care-plan") view={Lazy::<PatientCarePlanRoute>::new()} />
                        <Route path=path!("education") view={Lazy::<PatientEducationRoute>::new()} />
                        <Route path=path!("referrals") view={Lazy::<PatientReferralsRoute>::new()} />
                    </ParentRoute>
                    <Route path=path!("providers") view={Lazy::<ProvidersRoute>::new()} />
                    <Route path=path!("providers/pipeline") view={Lazy::<PipelineRoute>::new()} />
                    <Route path=path!("providers/:id") view={Lazy::<ProviderRoute>::new()} />
                    <Route path=path!("referrals") view={Lazy::<ReferralBoardRoute>::new()} />
                    <Route path=path!("referrals/:id") view={Lazy::<ReferralRoute>::new()} />
                    <Route path=path!("reports") view={Lazy::<ReportsRoute>::new()} />
                    <Route path=path!("measures") view={Lazy::<MeasuresRoute>::new()} />
                    <Route path=path!("measures/:id") view={Lazy::<MeasureRoute>::new()} />
                    <Route path=path!("admin/users") view={Lazy::<UsersRoute>::new()} />
                    <Route path=path!("admin/api-keys") view={Lazy::<ApiKeysRoute>::new()} />
                    <Route path=path!("admin/webhooks") view={Lazy::<WebhooksRoute>::new()} />
                    <Route path=path!("admin/hl7-identifier-systems") view={Lazy::<IdentifierSystemsRoute>::new()} />
                    <Route path=path!("admin/criteria") view={Lazy::<CriteriaRoute>::new()} />
                    <Route path=path!("audit") view={Lazy::<AuditRoute>::new()} />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The signed-in frame; sends everyone else to the sign-in page,
/// remembering where they were.
#[component]
fn Shell() -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let location = use_location();
    Effect::new(move || {
        if let AuthState::SignedOut { .. } = auth.0.get() {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            navigate(
                &login_path(&here),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let signed_in = Memo::new(move |_| auth.0.with(|s| matches!(s, AuthState::SignedIn(_))));
    view! {
        <Show
            when=move || signed_in.get()
            fallback=|| {
                view! {
                    <div class="splash" role="status">
                        <span class="spinner" aria-hidden="true"></span>
                        "Loading Care Manager…"
                    </div>
                }
            }
        >
            <a class="skip-link" href="#main">
                "Skip to content"
            </a>
            <TopBar />
            <main id="main" class="page" tabindex="-1">
                <Outlet />
            </main>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_page_remembers_where_the_person_was() {
        assert_eq!(
            login_path("/patients/0191?x=1"),
            "/login?next=%2Fpatients%2F0191%3Fx%3D1"
        );
        assert_eq!(login_path("/"), "/login");
        assert_eq!(login_path(""), "/login");
        assert_eq!(login_path("/login?next=%2Fx"), "/login");
    }
}
