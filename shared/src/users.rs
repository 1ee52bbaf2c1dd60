//! Users: the people who sign in. Admins create them, change their role and
//! deactivate them; nobody is ever deleted (the audit trail refers to them).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::auth::Role;

/// Shortest password accepted (NIST SP 800-63B asks for at least 8; we ask for 12).
pub const MIN_PASSWORD_LEN: u64 = 12;

/// A user as the API returns it (never with a password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// User id.
    pub id: Uuid,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"email": "cm4@riverside.example", "name": "Jordan Reyes", "role": "care_manager", "password": "a-long-passphrase"})))]
pub struct NewUser {
    /// Email address (the login).
    #[validate(email(message = "is not a valid email address"))]
    pub email: String,
    /// Display name.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    pub name: String,
    /// Role in the organization.
    pub role: Role,
    /// Initial password (12–128 characters).
    #[validate(length(min = 12, max = 128, message = "must be between 12 and 128 characters"))]
    pub password: String,
}

impl NewUser {
    /// Trimmed name; email trimmed and lower-cased (logins are case-insensitive).
    pub fn normalized(self) -> NewUser {
        NewUser {
            email: self.email.trim().to_lowercase(),
            name: self.name.trim().to_string(),
            ..self
        }
    }
}

/// `PATCH /api/v1/users/{id}`: only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"role": "supervisor", "version": 1})))]
pub struct UserPatch {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 100, message = "must be at most 100 characters")
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
    /// Page size, 1–200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::field_errors;

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
        let errs = field_errors(&new_user("short-pass1").validate().unwrap_err());
        assert_eq!(errs[0].field, "password");
        assert!(new_user("twelve-chars").validate().is_ok());
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
