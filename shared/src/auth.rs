//! Who may do what: roles for people, scopes for API keys, and the one
//! permission vocabulary both map onto. The SPA uses the same mapping to show
//! only the navigation a role may use; the API enforces it.

use serde::{Deserialize, Serialize};
use strum::VariantArray;
use validator::Validate;

use crate::ids::{OrganizationId, UserId};
use crate::validation::{Context, Normalize};

code_enum! {
    /// A person's role inside their organization.
    pub enum Role {
        /// Manages users and API keys; full access.
        Admin,
        /// Leads a team of care managers; assigns caseloads and reads the audit trail.
        Supervisor,
        /// Works a caseload of patients.
        CareManager,
        /// Read-only access (reporting, quality review).
        Viewer,
    }
}

impl Role {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Supervisor => "Supervisor",
            Role::CareManager => "Care manager",
            Role::Viewer => "Viewer",
        }
    }

    /// Whether someone in this role can be a patient's primary care manager.
    pub fn can_carry_caseload(self) -> bool {
        matches!(self, Role::CareManager | Role::Supervisor)
    }
}

code_enum! {
    #[spelled_per_variant]
    /// What an API key may do. Keys carry only the scopes they were created with.
    #[derive(PartialOrd, Ord)]
    pub enum Scope {
        /// Read patients.
        #[serde(rename = "patients:read")]
        #[strum(serialize = "patients:read")]
        PatientsRead,
        /// Create and update patients, including their status and care manager.
        #[serde(rename = "patients:write")]
        #[strum(serialize = "patients:write")]
        PatientsWrite,
        /// Read hospital/ED/crisis encounters.
        #[serde(rename = "encounters:read")]
        #[strum(serialize = "encounters:read")]
        EncountersRead,
        /// Send admissions and discharges (creates transition follow-ups).
        #[serde(rename = "encounters:write")]
        #[strum(serialize = "encounters:write")]
        EncountersWrite,
        /// Read appointments.
        #[serde(rename = "appointments:read")]
        #[strum(serialize = "appointments:read")]
        AppointmentsRead,
        /// Send appointments and their outcomes (a miss creates a follow-up).
        #[serde(rename = "appointments:write")]
        #[strum(serialize = "appointments:write")]
        AppointmentsWrite,
        /// Read tasks.
        #[serde(rename = "tasks:read")]
        #[strum(serialize = "tasks:read")]
        TasksRead,
        /// Read the audit trail.
        #[serde(rename = "audit:read")]
        #[strum(serialize = "audit:read")]
        AuditRead,
        /// A receiving provider's key: list the referrals sent to the
        /// provider the key is bound to (`provider_id`), and accept,
        /// decline, schedule and complete them. Nothing else.
        #[serde(rename = "referrals:respond")]
        #[strum(serialize = "referrals:respond")]
        ReferralsRespond,
        /// Read the organization's reports and quality measures (CSV or
        /// JSON), for scripted reporting clients.
        #[serde(rename = "reports:read")]
        #[strum(serialize = "reports:read")]
        ReportsRead,
    }
}

/// One thing a caller may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, VariantArray)]
pub enum Permission {
    /// See patients and their records.
    PatientsRead,
    /// Create and change patients.
    PatientsWrite,
    /// Choose a patient's primary care manager.
    PatientsAssign,
    /// Create, change and deactivate users.
    UsersManage,
    /// See the organization's users (to pick a care manager, say).
    UsersRead,
    /// Create and revoke API keys.
    ApiKeysManage,
    /// Query the audit trail.
    AuditRead,
    /// See encounters.
    EncountersRead,
    /// Record admissions and discharges.
    EncountersWrite,
    /// See appointments.
    AppointmentsRead,
    /// Record appointments and what happened.
    AppointmentsWrite,
    /// See tasks, alerts and worklists.
    TasksRead,
    /// Create, start, finish and cancel tasks; log outreach; acknowledge alerts.
    TasksWrite,
    /// Give tasks to someone else.
    TasksAssign,
    /// Write, sign and amend case notes.
    NotesWrite,
    /// See other people's worklists, workload and productivity.
    TeamView,
    /// Change the organization's time zone and holidays, and the
    /// medical-necessity criteria.
    OrganizationManage,
    /// See the provider directory and the community programs.
    ProvidersRead,
    /// Add and change providers, log recruiting and credentials, add programs.
    ProvidersManage,
    /// Answer the referrals sent to one provider (a provider's key).
    ReferralsRespond,
    /// Read the reports and quality measures.
    ReportsRead,
    /// Manage webhooks and integration settings, and replay deliveries.
    IntegrationsManage,
}

impl Role {
    /// Everything this role may do.
    pub fn permits(self, permission: Permission) -> bool {
        use Permission::{
            ApiKeysManage, AppointmentsRead, AppointmentsWrite, EncountersRead, EncountersWrite,
            IntegrationsManage, NotesWrite, OrganizationManage, PatientsRead, PatientsWrite,
            ProvidersManage, ProvidersRead, ReferralsRespond, ReportsRead, TasksRead, TasksWrite,
            UsersManage, UsersRead,
        };
        match self {
            // People answer referrals as the referring team, never as a
            // provider: that is a provider key's alone.
            _ if permission == ReferralsRespond => false,
            Role::Admin => true,
            Role::Supervisor => !matches!(
                permission,
                UsersManage | ApiKeysManage | OrganizationManage | IntegrationsManage
            ),
            Role::CareManager => matches!(
                permission,
                PatientsRead
                    | PatientsWrite
                    | UsersRead
                    | EncountersRead
                    | EncountersWrite
                    | AppointmentsRead
                    | AppointmentsWrite
                    | TasksRead
                    | TasksWrite
                    | NotesWrite
                    | ProvidersRead
                    | ProvidersManage
                    | ReportsRead
            ),
            Role::Viewer => matches!(
                permission,
                PatientsRead
                    | UsersRead
                    | EncountersRead
                    | AppointmentsRead
                    | TasksRead
                    | ProvidersRead
                    | ReportsRead
            ),
        }
    }
}

impl Scope {
    /// What this scope allows.
    pub fn permits(self, permission: Permission) -> bool {
        use Permission::{
            AppointmentsRead, AppointmentsWrite, AuditRead, EncountersRead, EncountersWrite,
            PatientsAssign, PatientsRead, PatientsWrite, ReferralsRespond, ReportsRead, TasksRead,
        };
        match self {
            Scope::PatientsRead => permission == PatientsRead,
            Scope::PatientsWrite => matches!(permission, PatientsWrite | PatientsAssign),
            Scope::EncountersRead => permission == EncountersRead,
            Scope::EncountersWrite => permission == EncountersWrite,
            Scope::AppointmentsRead => permission == AppointmentsRead,
            Scope::AppointmentsWrite => permission == AppointmentsWrite,
            Scope::TasksRead => permission == TasksRead,
            Scope::AuditRead => permission == AuditRead,
            Scope::ReferralsRespond => permission == ReferralsRespond,
            Scope::ReportsRead => permission == ReportsRead,
        }
    }

    /// Words for people.
    pub fn description(self) -> &'static str {
        match self {
            Scope::PatientsRead => "Read patients",
            Scope::PatientsWrite => "Create and update patients",
            Scope::EncountersRead => "Read hospital, ED and crisis encounters",
            Scope::EncountersWrite => "Send admissions and discharges",
            Scope::AppointmentsRead => "Read appointments",
            Scope::AppointmentsWrite => "Send appointments and their outcomes",
            Scope::TasksRead => "Read tasks",
            Scope::AuditRead => "Read the audit trail",
            Scope::ReferralsRespond => "Answer the referrals sent to one provider",
            Scope::ReportsRead => "Read reports and quality measures",
        }
    }

    /// Whether a key with this scope must be bound to a provider (and a
    /// key bound to a provider may carry no other scope).
    pub fn binds_provider(self) -> bool {
        self == Scope::ReferralsRespond
    }
}

/// Whether any of `scopes` allows `permission`.
pub fn scopes_permit(scopes: &[Scope], permission: Permission) -> bool {
    scopes.iter().any(|s| s.permits(permission))
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"email": "cm1@riverside.example", "password": "demo-password-1"})))]
pub struct LoginRequest {
    /// The account's email address.
    #[validate(length(min = 1, max = 254, message = "is required"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 254))]
    pub email: String,
    /// The account's password.
    #[validate(length(min = 1, max = 1024, message = "is required"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: String,
}

impl Normalize for LoginRequest {}

impl Normalize for RefreshRequest {}

/// Tokens issued at login and on refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// Short-lived JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque, single-use token for `POST /api/v1/auth/refresh`; rotates on every use.
    pub refresh_token: String,
}

/// `POST /api/v1/auth/refresh` and `POST /api/v1/auth/logout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    /// The refresh token from login or the previous refresh.
    #[validate(length(min = 1, max = 512, message = "is required"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 512))]
    pub refresh_token: String,
}

/// The signed-in person (`GET /api/v1/auth/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// User id.
    pub id: UserId,
    /// Email address (the login).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role in the organization.
    pub role: Role,
    /// The organization the user belongs to.
    pub organization_id: OrganizationId,
    /// The organization's name.
    pub organization_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_may_do_everything_but_answer_as_a_provider() {
        for p in Permission::VARIANTS {
            assert_eq!(
                Role::Admin.permits(*p),
                *p != Permission::ReferralsRespond,
                "{p:?}"
            );
        }
    }

    #[test]
    fn only_a_provider_key_answers_referrals_and_it_does_nothing_else() {
        for role in Role::VARIANTS {
            assert!(!role.permits(Permission::ReferralsRespond), "{role}");
        }
        for p in Permission::VARIANTS {
            assert_eq!(
                Scope::ReferralsRespond.permits(*p),
                *p == Permission::ReferralsRespond,
                "{p:?}"
            );
        }
    }

    #[test]
    fn only_admins_manage_users_api_keys_and_integrations() {
        for role in [Role::Supervisor, Role::CareManager, Role::Viewer] {
            assert!(!role.permits(Permission::UsersManage), "{role}");
            assert!(!role.permits(Permission::ApiKeysManage), "{role}");
            assert!(!role.permits(Permission::IntegrationsManage), "{role}");
        }
    }

    #[test]
    fn supervisors_assign_care_managers_and_read_the_audit_trail_but_care_managers_do_not() {
        assert!(Role::Supervisor.permits(Permission::PatientsAssign));
        assert!(Role::Supervisor.permits(Permission::AuditRead));
        assert!(!Role::CareManager.permits(Permission::PatientsAssign));
        assert!(!Role::CareManager.permits(Permission::AuditRead));
    }

    #[test]
    fn viewers_only_read() {
        for p in Permission::VARIANTS {
            let is_read = matches!(
                p,
                Permission::PatientsRead
                    | Permission::UsersRead
                    | Permission::EncountersRead
                    | Permission::AppointmentsRead
                    | Permission::TasksRead
                    | Permission::ProvidersRead
                    | Permission::ReportsRead
            );
            assert_eq!(Role::Viewer.permits(*p), is_read, "{p:?}");
        }
    }

    #[test]
    fn care_managers_work_their_caseload_but_do_not_reassign_or_see_the_team() {
        for p in [
            Permission::TasksWrite,
            Permission::NotesWrite,
            Permission::EncountersWrite,
            Permission::AppointmentsWrite,
        ] {
            assert!(Role::CareManager.permits(p), "{p:?}");
        }
        for p in [
            Permission::TasksAssign,
            Permission::TeamView,
            Permission::OrganizationManage,
        ] {
            assert!(!Role::CareManager.permits(p), "{p:?}");
        }
    }

    #[test]
    fn supervisors_reassign_and_see_the_team_but_do_not_administer() {
        assert!(Role::Supervisor.permits(Permission::TasksAssign));
        assert!(Role::Supervisor.permits(Permission::TeamView));
        assert!(!Role::Supervisor.permits(Permission::OrganizationManage));
    }

    #[test]
    fn integration_scopes_map_one_to_one_onto_their_permissions() {
        assert!(scopes_permit(
            &[Scope::EncountersWrite],
            Permission::EncountersWrite
        ));
        assert!(!scopes_permit(
            &[Scope::EncountersWrite],
            Permission::EncountersRead
        ));
        assert!(!scopes_permit(
            &[Scope::EncountersWrite],
            Permission::PatientsRead
        ));
        assert!(scopes_permit(
            &[Scope::AppointmentsWrite],
            Permission::AppointmentsWrite
        ));
        assert!(!scopes_permit(&[Scope::TasksRead], Permission::TasksWrite));
        for s in Scope::VARIANTS {
            assert!(!s.permits(Permission::NotesWrite));
            assert!(!s.permits(Permission::TeamView));
        }
    }

    #[test]
    fn a_read_scope_does_not_allow_writing_and_a_write_scope_does_not_allow_reading_the_audit_trail()
     {
        assert!(scopes_permit(
            &[Scope::PatientsRead],
            Permission::PatientsRead
        ));
        assert!(!scopes_permit(
            &[Scope::PatientsRead],
            Permission::PatientsWrite
        ));
        assert!(!scopes_permit(
            &[Scope::PatientsWrite],
            Permission::AuditRead
        ));
        assert!(!scopes_permit(&[], Permission::PatientsRead));
    }

    #[test]
    fn no_scope_lets_a_key_manage_users_or_keys() {
        for s in Scope::VARIANTS {
            assert!(!s.permits(Permission::UsersManage));
            assert!(!s.permits(Permission::ApiKeysManage));
        }
    }

    #[test]
    fn scopes_round_trip_through_their_colon_names() {
        for s in Scope::VARIANTS {
            let json = serde_json::to_value(s).unwrap();
            assert_eq!(json, s.as_ref());
            assert_eq!(s.as_ref().parse::<Scope>().unwrap(), *s);
        }
        assert_eq!(Scope::PatientsRead.as_ref(), "patients:read");
    }

    #[test]
    fn only_care_managers_and_supervisors_carry_a_caseload() {
        assert!(Role::CareManager.can_carry_caseload());
        assert!(Role::Supervisor.can_carry_caseload());
        assert!(!Role::Admin.can_carry_caseload());
        assert!(!Role::Viewer.can_carry_caseload());
    }
}
