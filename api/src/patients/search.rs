//! How the `q` of the patient list reads: a name prefix in either order
//! ("lop", "maria lo", "lopez, ma") or an exact identifier value.

/// A parsed search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameSearch {
    /// One word: a prefix of the given or the family name, or an identifier.
    Single {
        /// Lower-cased prefix.
        prefix: String,
        /// The text as typed, for the identifier match.
        raw: String,
    },
    /// Two parts in either order ("given family" or "family given").
    EitherOrder {
        /// Lower-cased first part.
        first: String,
        /// Lower-cased rest.
        rest: String,
    },
    /// "family, given": the comma says which is which.
    FamilyThenGiven {
        /// Lower-cased family-name prefix.
        family: String,
        /// Lower-cased given-name prefix.
        given: String,
    },
}

/// Parses `q`; blank means no search.
pub fn parse(q: &str) -> Option<NameSearch> {
    let raw = q.trim();
    if raw.is_empty() {
        return None;
    }
    let lower = raw.to_lowercase();
    if let Some((family, given)) = lower.split_once(',') {
        let (family, given) = (family.trim(), given.trim());
        return Some(match (family.is_empty(), given.is_empty()) {
            (false, false) => NameSearch::FamilyThenGiven {
                family: family.into(),
                given: given.into(),
            },
            (false, true) => NameSearch::Single {
                prefix: family.into(),
                raw: raw.trim_end_matches(',').trim().into(),
            },
            _ => NameSearch::Single {
                prefix: given.into(),
                raw: given.into(),
            },
        });
    }
    match lower.split_once(char::is_whitespace) {
        Some((first, rest)) => Some(NameSearch::EitherOrder {
            first: first.into(),
            rest: rest.trim().into(),
        }),
        None => Some(NameSearch::Single {
            prefix: lower,
            raw: raw.into(),
        }),
    }
}

/// A `LIKE` pattern matching strings that start with `prefix`, with the
/// pattern characters in `prefix` taken literally.
pub fn prefix_pattern(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_searches_are_no_search() {
        assert_eq!(parse("   "), None);
    }

    #[test]
    fn one_word_is_a_name_prefix_or_identifier_keeping_the_typed_case_for_identifiers() {
        assert_eq!(
            parse(" MRN-0042 "),
            Some(NameSearch::Single {
                prefix: "mrn-0042".into(),
                raw: "MRN-0042".into()
            })
        );
    }

    #[test]
    fn two_words_match_in_either_order() {
        assert_eq!(
            parse("Maria  De la Cruz"),
            Some(NameSearch::EitherOrder {
                first: "maria".into(),
                rest: "de la cruz".into()
            })
        );
    }

    #[test]
    fn a_comma_puts_the_family_name_first() {
        assert_eq!(
            parse("Lopez, Ma"),
            Some(NameSearch::FamilyThenGiven {
                family: "lopez".into(),
                given: "ma".into()
            })
        );
        assert!(matches!(parse("Lopez,"), Some(NameSearch::Single { .. })));
    }

    #[test]
    fn like_wildcards_in_the_search_are_taken_literally() {
        assert_eq!(prefix_pattern("o'b_r%"), "o'b\\_r\\%%");
        assert_eq!(prefix_pattern("a\\b"), "a\\\\b%");
    }
}
