//! How the `q` of the patient list reads: a name prefix in either order
//! ("lop", "maria lo", "lopez, ma") or an exact identifier value, and the
//! parts the list then reads one after another.
//!
//! Why parts: "family or given name starts with `smi`" is not one range of
//! any index, so a single ordered query either walks the whole name order
//! throwing rows away or sorts every match (at 1,000,000 patients, 100 ms to
//! seconds). Each part instead is one range of one index, read in that
//! index's order, and a page that runs out of one part goes on into the next
//! (the cursor names the part). So the list shows what is most likely meant
//! first: an exact identifier, then family names, then given names.

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

/// What the rows of one part match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// Every patient (the list without a search).
    All,
    /// An identifier whose value is exactly this.
    Identifier(String),
    /// A family name starting with this (lower-cased).
    Family(String),
    /// A given name starting with this (lower-cased).
    Given(String),
    /// Both names starting with these (lower-cased).
    Both {
        /// Family-name prefix.
        family: String,
        /// Given-name prefix.
        given: String,
    },
}

/// Which name leads a part's order (and so its cursor and its index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameOrder {
    /// Family, given, id: `patients_name_idx`.
    FamilyFirst,
    /// Given, family, id: `patients_given_idx`.
    GivenFirst,
}

/// One part of a search: the rows matching `matches` and no earlier part's
/// (so no patient shows twice), in `order`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// What the part's rows match.
    pub matches: Match,
    /// Their order.
    pub order: NameOrder,
}

impl Part {
    fn new(matches: Match, order: NameOrder) -> Part {
        Part { matches, order }
    }
}

/// The parts a search is read in, most specific first.
pub fn parts(search: Option<&NameSearch>) -> Vec<Part> {
    use NameOrder::{FamilyFirst, GivenFirst};
    match search {
        None => vec![Part::new(Match::All, FamilyFirst)],
        Some(NameSearch::Single { prefix, raw }) => vec![
            Part::new(Match::Identifier(raw.clone()), FamilyFirst),
            Part::new(Match::Family(prefix.clone()), FamilyFirst),
            Part::new(Match::Given(prefix.clone()), GivenFirst),
        ],
        // "maria lopez" is most often given then family; "lopez maria" is
        // read too, after.
        Some(NameSearch::EitherOrder { first, rest }) => vec![
            Part::new(
                Match::Both {
                    family: rest.clone(),
                    given: first.clone(),
                },
                FamilyFirst,
            ),
            Part::new(
                Match::Both {
                    family: first.clone(),
                    given: rest.clone(),
                },
                FamilyFirst,
            ),
        ],
        Some(NameSearch::FamilyThenGiven { family, given }) => vec![Part::new(
            Match::Both {
                family: family.clone(),
                given: given.clone(),
            },
            FamilyFirst,
        )],
    }
}

/// The range of strings that start with `prefix`, in code point order
/// (the order of the `COLLATE "C"` name keys): from `prefix` itself up to,
/// not including, the first string after every one that starts with it, or
/// no upper end when there is none (a prefix of nothing but `char::MAX`).
///
/// A range of two bound values lets Postgres plan the search once per
/// connection: `LIKE $1` becomes an index range only when the planner sees
/// the pattern, so every search was planned again.
pub fn prefix_range(prefix: &str) -> (String, Option<String>) {
    let mut end: Vec<char> = prefix.chars().collect();
    while let Some(last) = end.pop() {
        // The next scalar value: code points order as their UTF-8 bytes do.
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            end.push(next);
            return (prefix.to_owned(), Some(end.into_iter().collect()));
        }
    }
    (prefix.to_owned(), None)
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
    fn one_word_reads_identifiers_then_family_names_then_given_names() {
        let search = parse("Smi");
        let parts = parts(search.as_ref());
        assert_eq!(
            parts,
            vec![
                Part::new(Match::Identifier("Smi".into()), NameOrder::FamilyFirst),
                Part::new(Match::Family("smi".into()), NameOrder::FamilyFirst),
                Part::new(Match::Given("smi".into()), NameOrder::GivenFirst),
            ]
        );
    }

    #[test]
    fn two_words_read_given_then_family_before_the_other_way_round() {
        let search = parse("maria lo");
        assert_eq!(
            parts(search.as_ref())
                .into_iter()
                .map(|p| p.matches)
                .collect::<Vec<_>>(),
            vec![
                Match::Both {
                    family: "lo".into(),
                    given: "maria".into()
                },
                Match::Both {
                    family: "maria".into(),
                    given: "lo".into()
                },
            ]
        );
    }

    #[test]
    fn a_comma_or_no_search_is_one_part_in_name_order() {
        for q in ["lopez, ma", ""] {
            let search = parse(q);
            let parts = parts(search.as_ref());
            assert_eq!(parts.len(), 1, "{q:?}");
            assert_eq!(parts[0].order, NameOrder::FamilyFirst);
        }
    }

    fn starts_with(prefix: &str, s: &str) -> bool {
        match prefix_range(prefix) {
            (from, Some(to)) => s >= from.as_str() && s < to.as_str(),
            (from, None) => s >= from.as_str(),
        }
    }

    #[test]
    fn a_prefix_range_ends_just_after_the_last_string_starting_with_it() {
        assert_eq!(prefix_range("smi"), ("smi".into(), Some("smj".into())));
        assert_eq!(
            prefix_range("o'b_r%"),
            ("o'b_r%".into(), Some("o'b_r&".into()))
        );
        // The last character's successor skips the surrogate gap.
        assert_eq!(
            prefix_range("a\u{d7ff}"),
            ("a\u{d7ff}".into(), Some("a\u{e000}".into()))
        );
        // A trailing char::MAX has no successor: the one before it moves on.
        assert_eq!(
            prefix_range("a\u{10ffff}"),
            ("a\u{10ffff}".into(), Some("b".into()))
        );
        assert_eq!(prefix_range("\u{10ffff}"), ("\u{10ffff}".into(), None));
    }

    #[test]
    fn a_string_is_in_the_prefix_range_exactly_when_it_starts_with_the_prefix() {
        let words = [
            "",
            "s",
            "sm",
            "smi",
            "smit",
            "smith",
            "smj",
            "smh\u{10ffff}",
            "smi\u{10ffff}",
            "smí",
            "o'b_r%",
            "o'b_r%x",
            "o'b_r&",
            "ø",
            "øs",
            "\u{10ffff}",
            "\u{10ffff}a",
        ];
        for prefix in words.iter().filter(|p| !p.is_empty()) {
            for s in words {
                assert_eq!(
                    starts_with(prefix, s),
                    s.starts_with(prefix),
                    "{prefix:?} {s:?}"
                );
            }
        }
    }
}
