//! The app: session start-up, routes, and the signed-in shell (top bar,
//! navigation for the person's role, the page).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{NavigateOptions, path};
use shared::ids::UserId;

use crate::client;
use crate::components::nav::TopBar;
use crate::pages::{
    ApiKeysPage, AuditPage, CriteriaPage, HomePage, HuddlesPage, IdentifierSystemsPage, LoginPage,
    MemberWorklistPage, NewPatientPage, NotFound, PatientAppointmentsTab, PatientCarePlanTab,
    PatientEducationTab, PatientEncountersTab, PatientNotesTab, PatientOverviewTab, PatientPage,
    PatientReferralsTab, PatientScreeningsTab, PatientTimelineTab, PatientsPage, PipelinePage,
    ProviderPage, ProvidersPage, ReferralBoardPage, ReferralPage, TeamPage, UsersPage,
    WebhooksPage, WorklistPage,
};
use crate::pages::{MeasurePage, MeasuresPage, ReportsPage};
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
                    <Route path=path!("worklist") view=WorklistPage />
                    <Route path=path!("team") view=TeamPage />
                    <Route path=path!("team/:user_id") view=MemberWorklistPage />
                    <Route path=path!("huddles") view=HuddlesPage />
                    <Route path=path!("patients") view=PatientsPage />
                    <Route path=path!("patients/new") view=NewPatientPage />
                    <ParentRoute path=path!("patients/:id") view=PatientPage>
                        <Route path=path!("") view=PatientOverviewTab />
                        <Route path=path!("timeline") view=PatientTimelineTab />
                        <Route path=path!("encounters") view=PatientEncountersTab />
                        <Route path=path!("appointments") view=PatientAppointmentsTab />
                        <Route path=path!("notes") view=PatientNotesTab />
                        <Route path=path!("screenings") view=PatientScreeningsTab />
                        <Route path=path!("care-plan") view=PatientCarePlanTab />
                        <Route path=path!("education") view=PatientEducationTab />
                        <Route path=path!("referrals") view=PatientReferralsTab />
                    </ParentRoute>
                    <Route path=path!("providers") view=ProvidersPage />
                    <Route path=path!("providers/pipeline") view=PipelinePage />
                    <Route path=path!("providers/:id") view=ProviderPage />
                    <Route path=path!("referrals") view=ReferralBoardPage />
                    <Route path=path!("referrals/:id") view=ReferralPage />
                    <Route path=path!("reports") view=ReportsPage />
                    <Route path=path!("measures") view=MeasuresPage />
                    <Route path=path!("measures/:id") view=MeasurePage />
                    <Route path=path!("admin/users") view=UsersPage />
                    <Route path=path!("admin/api-keys") view=ApiKeysPage />
                    <Route path=path!("admin/webhooks") view=WebhooksPage />
                    <Route path=path!("admin/hl7-identifier-systems") view=IdentifierSystemsPage />
                    <Route path=path!("admin/criteria") view=CriteriaPage />
                    <Route path=path!("audit") view=AuditPage />
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
