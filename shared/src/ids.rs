//! Typed ids for the records that are passed around side by side: an
//! organization, a patient, a user and a task. A function that takes a
//! `PatientId` and a `UserId` cannot be called with the two swapped, which
//! bare `Uuid`s allowed. On the wire they are plain UUID strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $schema_doc:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID read from storage or from a URL.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The UUID, for storage and URLs.
            pub const fn get(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::from_str(s).map(Self)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .description(Some($schema_doc))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

typed_id!(
    /// An organization (the tenant every record belongs to).
    OrganizationId,
    "An organization's id."
);
typed_id!(
    /// A patient.
    PatientId,
    "A patient's id."
);
typed_id!(
    /// A user of an organization (care manager, supervisor, admin, viewer).
    UserId,
    "A user's id."
);
typed_id!(
    /// A task on someone's worklist.
    TaskId,
    "A task's id."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_travels_as_a_plain_uuid_string() {
        let raw = Uuid::from_u128(0x0193_9c2e_5d7a_7c4e_9f1b_2a3b_4c5d_6e7f);
        let id = PatientId::from(raw);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{raw}\""));
        assert_eq!(serde_json::from_str::<PatientId>(&json).unwrap(), id);
        assert_eq!(id.to_string(), raw.to_string());
        assert_eq!(raw.to_string().parse::<PatientId>().unwrap(), id);
    }

    #[test]
    fn a_malformed_id_does_not_parse() {
        assert!("not-a-uuid".parse::<UserId>().is_err());
    }
}
