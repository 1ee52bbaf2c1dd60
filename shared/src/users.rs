//! Users: the people who sign in. Admins create them, change their role and
//! deactivate them; nobody is ever deleted (the audit trail refers to them).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::auth::Role;
use crate::ids::UserId;
use crate::validation::{Context, Normalize};

/// Shortest password accepted (NIST SP 800-63B asks for at least 8; we ask for 12).
pub const MIN_PASSWORD_LEN: u64 = 12;

/// A user as the API returns it (never with a password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// User id.
    pub id: UserId,
    /// Email address (the login, unique across the system).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role in the organization.
    pub role: Role,
    /// Inactive users cannot sign in and their tokens stop working.
    pub active: bool,
    /// Last successful sign-in.
    pub last_login_at: Option<DateTime<Utc>>,
    /// Version for optimistic concurrency (also the `ETag`).
    pub version: i32,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// When the user last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"email": "cm4@riverside.example", "name": "Jordan Reyes", "role": "care_manager", "password": "a-long-passphrase"})))]
pub struct NewUser {
    /// Email address (the login).
    #[validate(custom(function = "crate::validation::email"))]
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub email: String,
    /// Display name.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    /// Role in the organization.
    pub role: Role,
    /// Initial password (12–128 characters).
    #[validate(length(min = 12, max = 128, message = "must be between 12 and 128 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 128))]
    pub password: String,
}

impl Normalize for NewUser {
    /// Trimmed name; email trimmed and lower-cased (logins are case-insensitive).
    fn normalized(self) -> NewUser {
        NewUser {
            email: self.email.trim().to_lowercase(),
            name: self.name.trim().to_string(),
            ..self
        }
    }
}

/// `PATCH /api/v1/users/{id}`: only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"role": "supervisor", "version": 1})))]
pub struct UserPatch {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: Option<String>,
    /// Role in the organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// `false` deactivates the user and ends every session they have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// A new password (12–128 characters); ends every session they have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(min = 12, max = 128, message = "must be between 12 and 128 characters"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 128))]
    pub password: Option<String>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// Filters for `GET /api/v1/users`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct UserListQuery {
    /// Only users with this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Only active (`true`) or inactive (`false`) users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

impl Normalize for UserPatch {
    fn normalized(self) -> UserPatch {
        UserPatch {
            name: self.name.map(|n| n.trim().to_string()),
            ..self
        }
    }
}

impl UserPatch {
    /// The names of the fields the patch changes (for the audit trail; a
    /// password is named, never shown).
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("role", self.role.is_some()),
            ("active", self.active.is_some()),
            ("password", self.password.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
    }

    /// Whether the change ends every session the user has (deactivation or
    /// a new password).
    pub fn ends_sessions(&self) -> bool {
        self.active == Some(false) || self.password.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_user(password: &str) -> NewUser {
        NewUser {
            email: "a@b.example".into(),
            name: "A".into(),
            role: Role::Viewer,
            password: password.into(),
        }
    }

    #[test]
    fn passwords_shorter_than_twelve_characters_are_rejected() {
        let ctx = Context {
            now: chrono::DateTime::UNIX_EPOCH,
            today: chrono::NaiveDate::MIN,
        };
        let errs = crate::validation::check(new_user("short-pass1"), &ctx);
        assert_eq!(errs[0].field, "password");
        assert!(crate::validation::check(new_user("twelve-chars"), &ctx).is_empty());
    }

    #[test]
    fn logins_are_normalized_to_lower_case() {
        let u = NewUser {
            email: "  CM1@Riverside.Example ".into(),
            ..new_user("long-enough-password")
        }
        .normalized();
        assert_eq!(u.email, "cm1@riverside.example");
    }
}
