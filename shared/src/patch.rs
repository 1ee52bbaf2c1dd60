//! `Patch<T>`: one field of a JSON merge patch (RFC 7396), which has three
//! states, not two: left out (keep the value), `null` (clear it) or a value
//! (set it). `Option<T>` cannot tell the first two apart.
//!
//! A patch field reads
//!
//! ```ignore
//! /// Phone; `null` clears.
//! #[serde(default, skip_serializing_if = "Patch::is_absent")]
//! #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
//! #[validate(custom(function = "crate::validation::patched::phone"))]
//! pub phone: Patch<String>,
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use validator::{Validate, ValidateLength, ValidationErrors};

/// One field of a merge patch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Left out of the body: the field keeps its value.
    #[default]
    Absent,
    /// `null`: the field is cleared.
    Null,
    /// A new value.
    Value(T),
}

impl<T> Patch<T> {
    /// Whether the body left the field out (also `skip_serializing_if`).
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// Whether the body names the field (with `null` or a value).
    pub fn is_present(&self) -> bool {
        !self.is_absent()
    }

    /// The new value, if the body sets one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Patch::Value(v) => Some(v),
            Patch::Absent | Patch::Null => None,
        }
    }

    /// The field after the patch, given its current value.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Absent => current,
            Patch::Null => None,
            Patch::Value(v) => Some(v),
        }
    }

    /// Replaces `target` as the patch says.
    pub fn apply_to(self, target: &mut Option<T>) {
        if self.is_present() {
            *target = self.into_change().flatten();
        }
    }

    /// `None` when absent, `Some(None)` for `null`, `Some(Some(v))` for a
    /// value: the shape a diesel changeset takes for a nullable column.
    pub fn into_change(self) -> Option<Option<T>> {
        match self {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(v) => Some(Some(v)),
        }
    }

    /// A patch of references to the value.
    pub fn as_ref(&self) -> Patch<&T> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Value(v) => Patch::Value(v),
        }
    }

    /// Maps the value, keeping absent and `null` as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Value(v) => Patch::Value(f(v)),
        }
    }

    /// Maps the value to an optional one: `None` turns the patch into `null`
    /// (how a blank string clears a field).
    pub fn and_then<U>(self, f: impl FnOnce(T) -> Option<U>) -> Patch<U> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Value(v) => f(v).map_or(Patch::Null, Patch::Value),
        }
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// A form field: a value sets it, nothing clears it.
    fn from(value: Option<T>) -> Self {
        value.map_or(Patch::Null, Patch::Value)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// Only called when the field is in the body (use `#[serde(default)]`
    /// for the absent case), so `null` means "clear".
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Patch::from)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Value(v) => v.serialize(serializer),
            Patch::Absent | Patch::Null => serializer.serialize_none(),
        }
    }
}

// The `validator` derive checks a field's value only when there is one.

impl<T: ValidateLength<u64>> ValidateLength<u64> for Patch<T> {
    fn length(&self) -> Option<u64> {
        self.value().and_then(ValidateLength::length)
    }
}

impl<T: Validate> Validate for Patch<T> {
    fn validate(&self) -> Result<(), ValidationErrors> {
        self.value().map_or(Ok(()), Validate::validate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
    struct Body {
        #[serde(default, skip_serializing_if = "Patch::is_absent")]
        phone: Patch<String>,
    }

    #[test]
    fn a_left_out_field_a_null_and_a_value_are_three_different_things() {
        let absent: Body = serde_json::from_str("{}").unwrap();
        let null: Body = serde_json::from_str(r#"{"phone": null}"#).unwrap();
        let value: Body = serde_json::from_str(r#"{"phone": "503"}"#).unwrap();
        assert_eq!(absent.phone, Patch::Absent);
        assert_eq!(null.phone, Patch::Null);
        assert_eq!(value.phone, Patch::Value("503".to_string()));
    }

    #[test]
    fn a_patch_serializes_back_to_the_body_it_came_from() {
        for body in ["{}", r#"{"phone":null}"#, r#"{"phone":"503"}"#] {
            let parsed: Body = serde_json::from_str(body).unwrap();
            assert_eq!(serde_json::to_string(&parsed).unwrap(), body);
        }
    }

    #[test]
    fn applying_keeps_clears_or_sets() {
        let current = Some("old");
        assert_eq!(Patch::Absent.apply(current), Some("old"));
        assert_eq!(Patch::Null.apply(current), None);
        assert_eq!(Patch::Value("new").apply(current), Some("new"));
        let mut field = Some(1);
        Patch::Absent.apply_to(&mut field);
        assert_eq!(field, Some(1));
        Patch::Null.apply_to(&mut field);
        assert_eq!(field, None);
    }

    #[test]
    fn a_blank_value_can_become_a_clear() {
        let blank = Patch::Value("  ".to_string()).and_then(|s| {
            let t = s.trim().to_string();
            (!t.is_empty()).then_some(t)
        });
        assert_eq!(blank, Patch::Null);
        assert_eq!(Patch::<String>::Absent.and_then(Some), Patch::Absent);
    }

    #[test]
    fn only_a_value_is_checked_by_field_rules() {
        assert!(Patch::<String>::Null.validate_length(Some(1), None, None));
        assert!(!Patch::Value(String::new()).validate_length(Some(1), None, None));
        assert!(crate::validation::patched::email(&Patch::Absent).is_ok());
        assert!(crate::validation::patched::email(&Patch::Null).is_ok());
        assert!(crate::validation::patched::email(&Patch::Value("nope".to_string())).is_err());
    }
}
