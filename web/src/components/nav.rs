//! The top bar: the product, the organization, the navigation the person's
//! role may use (from `Role::permits`), who is signed in, and signing out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::auth::{Permission, Role};

use crate::session;
use crate::state::use_auth;

/// A navigation entry: where it goes, its words, and what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    /// The path.
    pub href: &'static str,
    /// The words.
    pub label: &'static str,
    /// The permission it needs.
    pub needs: Permission,
    /// Whether only people who carry a caseload see it.
    pub caseload: bool,
}

/// Every navigation entry, in order.
pub const NAV_ITEMS: &[NavItem] = &[
    NavItem {
        href: "/worklist",
        label: "My worklist",
        needs: Permission::TasksWrite,
        caseload: true,
    },
    NavItem {
        href: "/huddles",
        label: "Huddles",
        needs: Permission::TasksRead,
        caseload: false,
    },
    NavItem {
        href: "/patients",
        label: "Patients",
        needs: Permission::PatientsRead,
        caseload: false,
    },
    NavItem {
        href: "/referrals",
        label: "Referrals",
        needs: Permission::PatientsRead,
        caseload: false,
    },
    NavItem {
        href: "/providers",
        label: "Providers",
        needs: Permission::ProvidersRead,
        caseload: false,
    },
    NavItem {
        href: "/team",
        label: "Team",
        needs: Permission::TeamView,
        caseload: false,
    },
    NavItem {
        href: "/reports",
        label: "Reports",
        needs: Permission::ReportsRead,
        caseload: false,
    },
    NavItem {
        href: "/measures",
        label: "Quality measures",
        needs: Permission::ReportsRead,
        caseload: false,
    },
    NavItem {
        href: "/admin/users",
        label: "Users",
        needs: Permission::UsersManage,
        caseload: false,
    },
    NavItem {
        href: "/admin/api-keys",
        label: "API keys",
        needs: Permission::ApiKeysManage,
        caseload: false,
    },
    NavItem {
        href: "/admin/webhooks",
        label: "Webhooks",
        needs: Permission::IntegrationsManage,
        caseload: false,
    },
    NavItem {
        href: "/admin/hl7-identifier-systems",
        label: "HL7 identifiers",
        needs: Permission::IntegrationsManage,
        caseload: false,
    },
    NavItem {
        href: "/audit",
        label: "Audit trail",
        needs: Permission::AuditRead,
        caseload: false,
    },
];

/// The entries a role sees.
pub fn nav_for(role: Role) -> Vec<NavItem> {
    NAV_ITEMS
        .iter()
        .copied()
        .filter(|i| role.permits(i.needs) && (!i.caseload || role.can_carry_caseload()))
        .collect()
}

/// Signs out and reloads on the sign-in page, so nothing of this session
/// stays in memory.
pub fn sign_out() {
    spawn_local(async {
        session::sign_out().await;
        if let Some(w) = web_sys::window() {
            let _ = w.location().assign("/login");
        }
    });
}

/// The top bar.
#[component]
pub fn TopBar() -> impl IntoView {
    let auth = use_auth();
    let me = move || auth.me();
    let busy = RwSignal::new(false);
    view! {
        <header class="topbar">
            <div class="topbar-inner">
                <div class="brand">
                    <A href="/" exact=true attr:class="brand-name">
                        <span class="brand-mark" aria-hidden="true"></span>
                        "Care Manager"
                    </A>
                    <span class="brand-org">{move || me().map(|m| m.organization_name)}</span>
                </div>
                <nav class="mainnav" aria-label="Main">
                    <ul>
                        {move || {
                            me()
                                .map(|m| {
                                    nav_for(m.role)
                                        .into_iter()
                                        .map(|item| {
                                            view! {
                                                <li>
                                                    <A href=item.href attr:class="nav-link">
                                                        {item.label}
                                                    </A>
                                                </li>
                                            }
                                        })
                                        .collect_view()
                                })
                        }}
                    </ul>
                </nav>
                <div class="whoami">
                    <div class="whoami-text">
                        <span class="whoami-name">{move || me().map(|m| m.name)}</span>
                        <span class="whoami-role">{move || me().map(|m| m.role.label())}</span>
                    </div>
                    <button
                        type="button"
                        class="button ghost"
                        disabled=move || busy.get()
                        on:click=move |_| {
                            busy.set(true);
                            sign_out();
                        }
                    >
                        "Sign out"
                    </button>
                </div>
            </div>
        </header>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(role: Role) -> Vec<&'static str> {
        nav_for(role).into_iter().map(|i| i.label).collect()
    }

    #[test]
    fn admins_see_everything_but_a_worklist_of_their_own() {
        assert_eq!(
            labels(Role::Admin),
            vec![
                "Huddles",
                "Patients",
                "Referrals",
                "Providers",
                "Team",
                "Reports",
                "Quality measures",
                "Users",
                "API keys",
                "Webhooks",
                "HL7 identifiers",
                "Audit trail"
            ]
        );
    }

    #[test]
    fn supervisors_see_their_worklist_the_team_reports_and_the_audit_trail() {
        assert_eq!(
            labels(Role::Supervisor),
            vec![
                "My worklist",
                "Huddles",
                "Patients",
                "Referrals",
                "Providers",
                "Team",
                "Reports",
                "Quality measures",
                "Audit trail"
            ]
        );
    }

    #[test]
    fn care_managers_see_their_worklist_huddles_patients_referrals_providers_and_reports() {
        assert_eq!(
            labels(Role::CareManager),
            vec![
                "My worklist",
                "Huddles",
                "Patients",
                "Referrals",
                "Providers",
                "Reports",
                "Quality measures"
            ]
        );
    }

    #[test]
    fn viewers_see_huddles_patients_referrals_providers_and_reports() {
        assert_eq!(
            labels(Role::Viewer),
            vec![
                "Huddles",
                "Patients",
                "Referrals",
                "Providers",
                "Reports",
                "Quality measures"
            ]
        );
    }
}
