//! API keys for integrations and reporting scripts: scoped, shown once,
//! hashed at rest, revocable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::auth::Scope;
use crate::ids::UserId;
use crate::validation::{Context, Normalize, invalid};

/// An API key as listed (the secret itself is never shown again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    /// Key id.
    pub id: Uuid,
    /// What the key is for ("Epic ADT feed").
    pub name: String,
    /// What the key may do.
    pub scopes: Vec<Scope>,
    /// The key's first characters, to recognise it (`cmk_3f9a…`).
    pub prefix: String,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used (updated at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked; revoked keys no longer work.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The provider a `referrals:respond` key answers for.
    #[serde(default)]
    pub provider_id: Option<Uuid>,
}

/// `POST /api/v1/api-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[validate(schema(function = "provider_binding", skip_on_field_errors = false))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "EHR patient sync", "scopes": ["patients:read", "patients:write"]})))]
pub struct NewApiKey {
    /// What the key is for.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
    /// What the key may do: at least one scope, each once.
    #[validate(custom(function = "scopes_valid"))]
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub scopes: Vec<Scope>,
    /// The provider (in this organization's directory) a
    /// `referrals:respond` key answers for: required with that scope, which
    /// then must be the key's only scope; refused with any other.
    #[serde(default)]
    pub provider_id: Option<Uuid>,
}

fn provider_binding(k: &NewApiKey) -> Result<(), ValidationError> {
    let binds = k.scopes.iter().any(|s| s.binds_provider());
    match (binds, k.provider_id) {
        (true, None) => Err(crate::validation::invalid_at(
            "provider_id",
            "required",
            "is required for a referrals:respond key",
        )),
        (true, Some(_)) if k.scopes.len() > 1 => Err(crate::validation::invalid_at(
            "scopes",
            "provider_only",
            "a referrals:respond key carries no other scope",
        )),
        (false, Some(_)) => Err(crate::validation::invalid_at(
            "provider_id",
            "not_allowed",
            "is only for a referrals:respond key",
        )),
        _ => Ok(()),
    }
}

impl Normalize for NewApiKey {
    fn normalized(self) -> NewApiKey {
        NewApiKey {
            name: self.name.trim().to_string(),
            ..self
        }
    }
}

fn scopes_valid(scopes: &[Scope]) -> Result<(), ValidationError> {
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    if scopes.is_empty() {
        Err(invalid("required", "must name at least one scope"))
    } else if sorted.len() != scopes.len() {
        Err(invalid("duplicate", "names a scope twice"))
    } else {
        Ok(())
    }
}

/// The answer to `POST /api/v1/api-keys`: the only time `key` is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiKey {
    /// Key id.
    pub id: Uuid,
    /// What the key is for.
    pub name: String,
    /// What the key may do.
    pub scopes: Vec<Scope>,
    /// The key's first characters.
    pub prefix: String,
    /// The secret: send as `Authorization: Bearer <key>`. Store it now; it is not shown again.
    pub key: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The provider a `referrals:respond` key answers for.
    #[serde(default)]
    pub provider_id: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_needs_at_least_one_scope_and_no_scope_twice() {
        let k = |scopes: Vec<Scope>| NewApiKey {
            name: "x".into(),
            scopes,
            provider_id: None,
        };
        let ctx = crate::validation::test_context();
        let check = |k: NewApiKey| crate::validation::check(k, &ctx);
        assert_eq!(check(k(vec![]))[0].field, "scopes");
        assert_eq!(
            check(k(vec![Scope::PatientsRead, Scope::PatientsRead]))[0].field,
            "scopes"
        );
        assert!(check(k(vec![Scope::PatientsRead, Scope::PatientsWrite])).is_empty());
    }

    #[test]
    fn a_provider_key_is_bound_to_one_provider_and_carries_only_its_scope() {
        let ctx = crate::validation::test_context();
        let k = |scopes: Vec<Scope>, provider_id: Option<Uuid>| NewApiKey {
            name: "Clínica Esperanza".into(),
            scopes,
            provider_id,
        };
        let fields = |k: NewApiKey| -> Vec<String> {
            crate::validation::check(k, &ctx)
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        let p = Some(Uuid::nil());
        assert!(fields(k(vec![Scope::ReferralsRespond], p)).is_empty());
        assert_eq!(
            fields(k(vec![Scope::ReferralsRespond], None)),
            ["provider_id"]
        );
        assert_eq!(
            fields(k(vec![Scope::ReferralsRespond, Scope::PatientsRead], p)),
            ["scopes"]
        );
        assert_eq!(fields(k(vec![Scope::PatientsRead], p)), ["provider_id"]);
    }
}
