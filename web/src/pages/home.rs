//! The home address (`/`): people who carry a caseload start on their
//! worklist, everyone else on the patient list.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Redirect;
use shared::auth::Role;

use crate::state::use_auth;

/// Where a role starts.
pub fn home_for(role: Role) -> &'static str {
    if role.can_carry_caseload() {
        "/worklist"
    } else {
        "/patients"
    }
}

/// Sends the person to their starting page.
#[component]
pub fn HomePage() -> impl IntoView {
    let to = use_auth().me().map_or("/patients", |m| home_for(m.role));
    let options = NavigateOptions {
        replace: true,
        ..Default::default()
    };
    view! { <Redirect path=to options=options /> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn care_managers_and_supervisors_start_on_their_worklist() {
        assert_eq!(home_for(Role::CareManager), "/worklist");
        assert_eq!(home_for(Role::Supervisor), "/worklist");
    }

    #[test]
    fn admins_and_viewers_keep_the_patient_list_as_home() {
        assert_eq!(home_for(Role::Admin), "/patients");
        assert_eq!(home_for(Role::Viewer), "/patients");
    }
}
