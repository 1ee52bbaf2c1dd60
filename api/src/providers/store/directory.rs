//! The directory's page statement: the providers a search's filters
//! match, in `shared::directory::rank`'s order, one page at a time,
//! scoring only the providers that can still reach the page.
//!
//! A score is a provider's `base_score` (the terms no search changes:
//! network, accepting, completion, satisfaction; migration
//! `provider_base_score`, indexed) plus the search's own terms (speaks the
//! patient's language, covers their payer, closeness), which add at most
//! the search's headroom. The statement runs in two scans over
//! `providers_base_score_idx`:
//!
//! 1. *probe*: the first matching providers by `base_score`, highest
//!    first, each scored in full (`fetch` of them, or four times as many
//!    when the search's own terms vary: [`Search::probe_size`]). Some `fetch`
//!    providers score at least the probe's `fetch`-th best score, so the
//!    page's last provider does too.
//! 2. *rest*: the providers after the probe's last in that order whose
//!    `base_score` plus the headroom still reaches that score. Any other
//!    provider scores less than `fetch` providers and cannot be on the
//!    page. A probe that found fewer providers than it looked for met
//!    every match, and the rest is empty.
//!
//! The page is the best `fetch` of both. A search that favors nothing (no
//! patient, no language or payer asked for) scores `base_score` alone: no
//! headroom, so its rest holds only ties. A search for a patient reads the
//! providers within 50 points of the page.
//!
//! The text holds only the filters a search has, its values are bound and
//! its page size is written in: each shape of search is one statement,
//! prepared once per connection ([`Assembled`]). A search by name or
//! specialty is planned each time with its pattern: how many providers
//! the pattern matches decides whether the trigram index (a rare name) or
//! the walk down `providers_base_score_idx` (a short or common one) finds
//! the page soonest, and a plan made once for every pattern took the index
//! for all of them (bench/RESULTS.md: `q=h` 10 ms, planned with its
//! pattern 1.6 ms).

use shared::directory::NetworkStatus;
use shared::providers::{GeoPoint, ServiceType};
use uuid::Uuid;

use super::DirectoryKey;
use crate::store::Assembled;

/// A directory search, its filters ready to compare: patterns for `ILIKE`,
/// primary language subtags, the payer apart from Medicaid.
pub(super) struct Search<'a> {
    pub org: Uuid,
    /// `ILIKE` pattern for the name.
    pub name: Option<String>,
    pub service: Option<ServiceType>,
    /// `ILIKE` pattern for the specialties, stored joined by `|`
    /// (`specialty_text`, migration `provider_specialty_search`).
    pub specialty: Option<String>,
    /// A primary language subtag the provider must speak.
    pub language: Option<String>,
    /// Only providers taking Medicaid.
    pub medicaid_only: bool,
    /// A payer, other than Medicaid, the provider must take.
    pub payer: Option<&'a str>,
    pub accepting: Option<bool>,
    pub network_status: Option<NetworkStatus>,
    pub within_miles: Option<f64>,
    /// The patient's located point: distances are measured from it.
    pub origin: Option<GeoPoint>,
    /// What the ranking favors: the patient's language (primary subtag),
    /// Medicaid, another payer.
    pub wants_language: Option<String>,
    pub wants_medicaid: bool,
    pub wants_payer: Option<&'a str>,
    /// Where the previous page ended.
    pub after: Option<&'a DirectoryKey>,
    /// Rows to read: the page and one more.
    pub fetch: i64,
}

/// A code of this program's own (an enum's wire name) as an SQL literal.
/// Bound, a service would be unknown to a plan made once for every
/// execution, which then guesses how many providers offer it: the probe
/// must know whether walking the index by `base_score` finds a page soon.
/// Codes are constants, never input.
fn code(code: &str) -> String {
    debug_assert!(
        code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "a code is written into SQL as it is"
    );
    format!("'{code}'")
}

impl Search<'_> {
    fn covers_terms(&self) -> bool {
        self.wants_medicaid || self.wants_payer.is_some()
    }

    /// Whether some term the search ranks by can be met by one matching
    /// provider and not another. A term every match meets (the language or
    /// Medicaid the search also filters by) adds the same to every score:
    /// it stays in the headroom, but moves no provider past another.
    fn has_varying_terms(&self) -> bool {
        let language = self.wants_language.is_some() && self.wants_language != self.language;
        let covers = self.wants_payer.is_some() || (self.wants_medicaid && !self.medicaid_only);
        language || covers || self.origin.is_some()
    }

    /// How many providers the probe scores. When no term varies, the
    /// probe's `fetch` are the page. Otherwise the rest reads every
    /// provider within the headroom of the `fetch`-th best score the probe
    /// found, so a probe of four pages' worth, which finds nearly the
    /// page's own last score, costs fewer providers than it saves
    /// (bench/RESULTS.md: a search for a patient over 1,678 providers read
    /// 1,216 after a probe of 51).
    fn probe_size(&self) -> i64 {
        if self.has_varying_terms() {
            4 * self.fetch
        } else {
            self.fetch
        }
    }
}

/// The page statement for `s` (see the module's documentation).
pub(super) fn page(s: &Search) -> Assembled {
    let mut st = Assembled::default();
    if s.name.is_some() || s.specialty.is_some() {
        st.planned_with_values();
    }
    let fetch = s.fetch.to_string();
    let probe = s.probe_size().to_string();
    st.sql("WITH probe AS MATERIALIZED (\n");
    scan(&mut st, s, "providers p");
    st.sql("\n ORDER BY p.base_score DESC, p.id DESC\n LIMIT ")
        .sql(probe.clone());
    st.sql(
        "\n), bound AS (\n\
         SELECT b.base_score AS last_base, b.id AS last_id,\n\
         \x20      (SELECT score FROM probe ORDER BY score DESC LIMIT 1 OFFSET ",
    )
    .sql((s.fetch - 1).to_string())
    .sql(") - ");
    headroom(&mut st, s);
    // The score and `base_score` add the same terms in different orders,
    // so they may round apart in the last bit.
    st.sql(
        " - 1e-9 AS floor\n\
         \x20 FROM probe b\n\
         \x20WHERE (SELECT count(*) FROM probe) = ",
    )
    .sql(probe)
    .sql("\n ORDER BY b.base_score, b.id\n LIMIT 1\n), rest AS (\n");
    scan(
        &mut st,
        s,
        "bound JOIN providers p ON p.base_score >= bound.floor \
         AND (p.base_score, p.id) < (bound.last_base, bound.last_id)",
    );
    st.sql(
        "\n)\n\
         SELECT p.*, page.miles, page.score, page.sort_name,\n\
         \x20      coalesce(q.referrals, 0) AS referrals,\n\
         \x20      q.completion_rate, q.median_days, q.no_show_rate, q.satisfaction,\n\
         \x20      coalesce(q.ratings, 0) AS ratings\n\
         \x20 FROM (SELECT id, miles, score, sort_name FROM probe\n\
         \x20       UNION ALL\n\
         \x20       SELECT id, miles, score, sort_name FROM rest\n\
         \x20       ORDER BY score DESC, sort_name, id\n\
         \x20       LIMIT ",
    )
    .sql(fetch)
    .sql(") page\n  JOIN providers p ON p.organization_id = ")
    .bind(s.org)
    .sql(
        " AND p.id = page.id\n\
         \x20 LEFT JOIN provider_quality q\n\
         \x20   ON q.organization_id = p.organization_id AND q.provider_id = p.id\n\
         \x20ORDER BY page.score DESC, page.sort_name, page.id",
    );
    st
}

/// The most a search's own terms add to a provider's `base_score`: each
/// term it ranks by, met, and the closest distance.
fn headroom(st: &mut Assembled, s: &Search) {
    st.sql("directory_score(false, false, ")
        .sql(if s.wants_language.is_some() {
            "true"
        } else {
            "false"
        })
        .sql(", ")
        .sql(if s.covers_terms() { "true" } else { "false" })
        .sql(", ")
        .sql(if s.origin.is_some() { "0" } else { "NULL" })
        .sql(", NULL, NULL)");
}

/// The matching providers of `from` (which names the table `p`), each with
/// its miles, score and lower-cased name: the order's key and nothing
/// wider, as every provider read is sorted.
///
/// A language or payer is compared as `shared::directory::assess` compares
/// it: primary subtags, ASCII case ignored (`COLLATE "C"` makes `lower`
/// touch ASCII letters only, as Rust's `eq_ignore_ascii_case`), against
/// keys each provider stores (`language_codes`, `payer_keys`, migration
/// `provider_search_keys`). The payer filter keeps its own rule (`lower` in
/// the database's collation). The located point and referral figures are
/// on the row too (migration `provider_ranking_inputs`).
fn scan(st: &mut Assembled, s: &Search, from: &'static str) {
    st.sql("SELECT p.id, p.base_score, m.miles, s.score, lower(p.name) AS sort_name\n  FROM ")
        .sql(from)
        .sql("\n CROSS JOIN LATERAL (SELECT ");
    match s.origin {
        Some(o) => {
            st.sql("directory_miles(")
                .bind(o.latitude)
                .sql(", ")
                .bind(o.longitude)
                .sql(", p.located_latitude, p.located_longitude)");
        }
        None => {
            st.sql("NULL::float8");
        }
    }
    st.sql(
        " AS miles) m\n CROSS JOIN LATERAL (SELECT directory_score(\n\
         \x20      p.network_status = 'in_network', p.accepting_new_clients, ",
    );
    match &s.wants_language {
        Some(language) => st.bind(language.clone()).sql(" = ANY(p.language_codes)"),
        None => st.sql("false"),
    };
    st.sql(", ");
    match (s.wants_medicaid, s.wants_payer) {
        (false, None) => st.sql("false"),
        (true, None) => st.sql("p.medicaid"),
        (medicaid, Some(payer)) => st
            .sql(if medicaid { "(p.medicaid OR " } else { "(" })
            .sql("lower(")
            .bind(payer)
            .sql(" COLLATE \"C\") = ANY(p.payer_keys))"),
    };
    st.sql(
        ",\n       m.miles, p.quality_completion_rate, p.quality_satisfaction) AS score) s\n \
         WHERE p.organization_id = ",
    )
    .bind(s.org);
    if let Some(name) = &s.name {
        st.sql("\n   AND p.name ILIKE ").bind(name.clone());
    }
    if let Some(service) = s.service {
        st.sql("\n   AND p.services @> ARRAY[")
            .sql(code(service.as_ref()))
            .sql("]");
    }
    if let Some(specialty) = &s.specialty {
        st.sql("\n   AND p.specialty_text ILIKE ")
            .bind(specialty.clone());
    }
    if let Some(language) = &s.language {
        st.sql("\n   AND ")
            .bind(language.clone())
            .sql(" = ANY(p.language_codes)");
    }
    if s.medicaid_only {
        st.sql("\n   AND p.medicaid");
    }
    if let Some(payer) = s.payer {
        st.sql("\n   AND EXISTS (SELECT 1 FROM unnest(p.payers) y WHERE lower(y) = lower(")
            .bind(payer)
            .sql("))");
    }
    if let Some(accepting) = s.accepting {
        st.sql("\n   AND p.accepting_new_clients = ")
            .bind(accepting);
    }
    if let Some(status) = s.network_status {
        st.sql("\n   AND p.network_status = ")
            .sql(code(status.as_ref()));
    }
    if let Some(miles) = s.within_miles {
        st.sql("\n   AND m.miles <= ").bind(miles);
    }
    if let Some((score, name, id)) = s.after {
        // A provider whose base alone beats the last score came earlier.
        st.sql("\n   AND p.base_score <= ")
            .bind(*score)
            .sql(" + 1e-9\n   AND (-s.score, lower(p.name), p.id) > (-")
            .bind(*score)
            .sql("::float8, ")
            .bind(name.clone())
            .sql("::text, ")
            .bind(*id)
            .sql("::uuid)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search() -> Search<'static> {
        Search {
            org: Uuid::nil(),
            name: None,
            service: None,
            specialty: None,
            language: None,
            medicaid_only: false,
            payer: None,
            accepting: None,
            network_status: None,
            within_miles: None,
            origin: None,
            wants_language: None,
            wants_medicaid: false,
            wants_payer: None,
            after: None,
            fetch: 51,
        }
    }

    fn sql(s: &Search) -> String {
        diesel::debug_query::<diesel::pg::Pg, _>(&page(s)).to_string()
    }

    #[test]
    fn a_search_that_favors_nothing_probes_one_page_and_has_no_headroom() {
        let s = search();
        assert_eq!(s.probe_size(), 51);
        assert!(sql(&s).contains("directory_score(false, false, false, false, NULL, NULL, NULL)"));
    }

    #[test]
    fn a_search_for_a_located_patient_probes_four_pages_within_all_three_terms() {
        let s = Search {
            origin: Some(GeoPoint {
                latitude: 45.5,
                longitude: -122.7,
            }),
            wants_language: Some("es".into()),
            wants_medicaid: true,
            ..search()
        };
        assert_eq!(s.probe_size(), 204);
        assert!(sql(&s).contains("directory_score(false, false, true, true, 0, NULL, NULL)"));
    }

    #[test]
    fn a_language_and_medicaid_the_search_also_filters_by_vary_no_score() {
        let s = Search {
            language: Some("es".into()),
            medicaid_only: true,
            wants_language: Some("es".into()),
            wants_medicaid: true,
            ..search()
        };
        assert_eq!(s.probe_size(), 51, "every match meets both");
        let other = Search {
            language: Some("vi".into()),
            ..s
        };
        assert_eq!(other.probe_size(), 204, "a match may not speak Spanish");
    }

    #[test]
    fn only_the_filters_a_search_has_are_written_and_codes_are_literals_values_bound() {
        let s = Search {
            service: Some(ServiceType::Psychiatry),
            name: Some("%harbor%".into()),
            ..search()
        };
        let all = sql(&s);
        let (text, binds) = all.split_once("-- binds:").expect("debug_query's binds");
        assert!(text.contains("p.services @> ARRAY['psychiatry']"), "{text}");
        assert!(text.contains("p.name ILIKE $"), "{text}");
        assert!(
            !text.contains("harbor") && binds.contains("harbor"),
            "{all}"
        );
        for absent in [
            "specialty_text",
            "AND p.network_status",
            "AND p.accepting_new_clients",
            "m.miles <=",
        ] {
            assert!(!text.contains(absent), "{absent} in {text}");
        }
    }

    #[test]
    fn a_search_by_name_or_specialty_is_planned_with_its_pattern_and_others_once() {
        let by_name = Search {
            name: Some("%h%".into()),
            ..search()
        };
        let by_specialty = Search {
            specialty: Some("%trauma%".into()),
            ..search()
        };
        let by_service = Search {
            service: Some(ServiceType::Psychiatry),
            ..search()
        };
        assert!(page(&by_name).is_planned_with_values());
        assert!(page(&by_specialty).is_planned_with_values());
        assert!(sql(&by_specialty).contains("p.specialty_text ILIKE $"));
        assert!(!page(&by_service).is_planned_with_values());
        assert!(!page(&search()).is_planned_with_values());
    }
}
