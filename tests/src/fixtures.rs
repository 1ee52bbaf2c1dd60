//! Builders for the records scenarios start from. Organizations and users
//! are written straight to the database (signing in is tested on its own);
//! everything else goes through the API like a client would.

use std::sync::OnceLock;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::Value;
use shared::auth::{Role, Scope, TokenResponse};
use shared::ids::{OrganizationId, UserId};
use shared::patients::{NewPatient, Patient, Sex};
use uuid::Uuid;

use crate::{JWT_SECRET, TestApp};

/// The password every fixture user has.
pub const PASSWORD: &str = "correct-horse-battery-staple";

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| api::auth::passwords::hash(PASSWORD).expect("hash"))
}

/// An organization.
#[derive(Debug, Clone)]
pub struct Org {
    /// Id.
    pub id: OrganizationId,
    /// Name.
    pub name: String,
}

/// A user with a known password.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// Id.
    pub id: UserId,
    /// Organization.
    pub org: OrganizationId,
    /// Login.
    pub email: String,
    /// Role.
    pub role: Role,
}

/// An organization with one user of each role, and their access tokens.
#[derive(Debug, Clone)]
pub struct Team {
    /// The organization.
    pub org: Org,
    /// An admin.
    pub admin: TestUser,
    /// A supervisor.
    pub supervisor: TestUser,
    /// A care manager.
    pub care_manager: TestUser,
    /// A viewer.
    pub viewer: TestUser,
}

/// Today in the fixtures' organizations, which keep Los Angeles time:
/// for eight hours of every UTC day it is still yesterday there, and dates
/// the server checks ("not in the future", "due in 90 days") are theirs.
pub fn org_today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::America::Los_Angeles)
        .date_naive()
}

/// A valid patient to register.
pub fn new_patient(given: &str, family: &str) -> NewPatient {
    NewPatient {
        given_name: given.into(),
        family_name: family.into(),
        birth_date: NaiveDate::from_ymd_opt(1980, 5, 17).expect("date"),
        sex: Sex::Female,
        phone: Some("503-555-0100".into()),
        ..Default::default()
    }
}

/// One audit row, as stored.
#[derive(Debug, Clone, Queryable)]
pub struct AuditRow {
    /// Action.
    pub action: String,
    /// Actor type.
    pub actor_type: String,
    /// Actor id.
    pub actor_id: Option<Uuid>,
    /// Actor label (an email, a key's name).
    pub actor_label: Option<String>,
    /// Patient.
    pub patient_id: Option<Uuid>,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
    /// Client address.
    pub client_addr: Option<String>,
    /// Details.
    pub details: Value,
}

impl TestApp {
    /// Creates an organization.
    pub fn org(&self, name: &str) -> Org {
        let id = api::organizations::store::insert(
            &mut self.conn(),
            name,
            chrono_tz::America::Los_Angeles,
        )
        .expect("create organization");
        Org {
            id,
            name: name.into(),
        }
    }

    /// Creates a user of `role` in `org`.
    pub fn user(&self, org: &Org, role: Role) -> TestUser {
        let email = format!(
            "{}-{}@{}.test",
            role,
            &Uuid::new_v4().simple().to_string()[..8],
            org.name.to_lowercase().replace(' ', "-")
        );
        let fixture =
            api::auth::Authorized::system(org.id, chrono_tz::America::Los_Angeles, "test fixture");
        let user = api::users::store::insert(
            &mut self.conn(),
            &fixture,
            &email,
            &format!("{} {}", role.label(), &email[..6]),
            role,
            password_hash(),
        )
        .expect("create user");
        TestUser {
            id: user.id,
            org: org.id,
            email,
            role,
        }
    }

    /// An organization with one user per role.
    pub fn team(&self, name: &str) -> Team {
        let org = self.org(name);
        Team {
            admin: self.user(&org, Role::Admin),
            supervisor: self.user(&org, Role::Supervisor),
            care_manager: self.user(&org, Role::CareManager),
            viewer: self.user(&org, Role::Viewer),
            org,
        }
    }

    /// A valid access token for `user`, minted the way login does: a new
    /// sign-in, and a token naming it.
    pub fn token(&self, user: &TestUser) -> String {
        let mut conn = self.conn();
        let found = api::auth::store::find_user(&mut conn, user.id)
            .expect("read user")
            .expect("user exists");
        let policy = api::auth::sessions::SessionPolicy::default();
        let (sid, _) = api::auth::store::start_sign_in(&mut conn, &found, Utc::now(), &policy)
            .expect("start a sign-in");
        let bearer = api::auth::tokens::Bearer {
            user: user.id.get(),
            org: user.org.get(),
            sep: found.session_epoch,
            sid,
        };
        api::auth::tokens::TokenKeys::new(JWT_SECRET.as_bytes(), 900, 3600)
            .issue(bearer, Utc::now())
            .expect("token")
    }

    /// Signs `user` in through the API.
    pub fn login(&self, user: &TestUser) -> TokenResponse {
        self.post("/api/v1/auth/login")
            .json(&serde_json::json!({"email": user.email, "password": PASSWORD}))
            .send()
            .expect(200)
            .json()
    }

    /// Creates an API key with `scopes` as `admin` and returns the secret.
    pub fn api_key(&self, admin: &TestUser, scopes: &[Scope]) -> String {
        let created: Value = self
            .post("/api/v1/api-keys")
            .token(&self.token(admin))
            .json(&serde_json::json!({"name": "test key", "scopes": scopes}))
            .send()
            .expect(201)
            .json();
        created["key"].as_str().expect("key").to_string()
    }

    /// Registers a patient through the API.
    pub fn create_patient(&self, token: &str, patient: &NewPatient) -> Patient {
        self.post("/api/v1/patients")
            .token(token)
            .json(patient)
            .send()
            .expect(201)
            .json()
    }

    /// Every audit row, oldest first.
    pub fn audit(&self) -> Vec<AuditRow> {
        use api::schema::audit_events::dsl::{
            action, actor_id, actor_label, actor_type, audit_events, client_addr, details, id,
            patient_id, request_id, resource_id,
        };
        audit_events
            .order(id.asc())
            .select((
                action,
                actor_type,
                actor_id,
                actor_label,
                patient_id,
                resource_id,
                request_id,
                client_addr,
                details,
            ))
            .load(&mut self.conn())
            .expect("read audit events")
    }

    /// Audit rows with `wanted` action.
    pub fn audit_of(&self, wanted: &str) -> Vec<AuditRow> {
        self.audit()
            .into_iter()
            .filter(|r| r.action == wanted)
            .collect()
    }
}
