//! `code_enum!`: a closed set of codes, spelled the same on the wire, in
//! the database and in URLs (`snake_case`). One place says what every such
//! enum derives: serde, strum (`as_ref()`, `Display`, `FromStr` and the
//! list of all variants) and, for the API, its `OpenAPI` schema.

/// Declares an enum of codes. Extra derives (`Default`, `PartialOrd` …)
/// and doc comments go on the enum inside the macro as usual.
///
/// Codes are `snake_case` variant names unless the enum starts with
/// `#[spelled_per_variant]`: then each variant names its own spelling with
/// `#[serde(rename = …)]` and `#[strum(serialize = …)]` (audit actions
/// are `patient.read`, scopes `patients:read`).
#[macro_export]
macro_rules! code_enum {
    (#[spelled_per_variant] $(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        $crate::code_enum!(@emit [$(#[$meta])*] [] $vis enum $name { $($body)* });
    };
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        $crate::code_enum!(@emit [$(#[$meta])*] [
            #[serde(rename_all = "snake_case")]
            #[strum(serialize_all = "snake_case")]
        ] $vis enum $name { $($body)* });
    };
    // Helper attributes (`serde`, `strum`) must follow the derives that
    // introduce them.
    (@emit [$(#[$meta:meta])*] [$(#[$helper:meta])*] $vis:vis enum $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[derive(::serde::Serialize, ::serde::Deserialize)]
        #[derive(::strum::AsRefStr, ::strum::Display, ::strum::EnumString, ::strum::VariantArray)]
        #[cfg_attr(feature = "openapi", derive(::utoipa::ToSchema))]
        $(#[$helper])*
        $vis enum $name { $($body)* }
    };
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    code_enum! {
        /// A test enum.
        #[derive(Default)]
        pub enum Mood {
            /// Calm.
            #[default]
            Calm,
            /// Very happy.
            VeryHappy,
        }
    }

    #[test]
    fn codes_are_snake_case_everywhere() {
        assert_eq!(Mood::VeryHappy.as_ref(), "very_happy");
        assert_eq!(Mood::VeryHappy.to_string(), "very_happy");
        assert_eq!("very_happy".parse::<Mood>().unwrap(), Mood::VeryHappy);
        assert_eq!(serde_json::to_value(Mood::VeryHappy).unwrap(), "very_happy");
        assert_eq!(Mood::VARIANTS.len(), 2);
        assert_eq!(Mood::default(), Mood::Calm);
    }

    code_enum! {
        #[spelled_per_variant]
        /// A test enum with its own spellings.
        pub enum Door {
            /// Opened.
            #[serde(rename = "door.open")]
            #[strum(serialize = "door.open")]
            Open,
        }
    }

    #[test]
    fn codes_spelled_per_variant_keep_their_spelling_everywhere() {
        assert_eq!(Door::Open.as_ref(), "door.open");
        assert_eq!("door.open".parse::<Door>().unwrap(), Door::Open);
        assert_eq!(serde_json::to_value(Door::Open).unwrap(), "door.open");
    }
}
