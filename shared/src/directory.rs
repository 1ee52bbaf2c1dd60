//! The provider directory's filter and ranking: which providers fit a
//! search, in what order, and — for each — why it is there ("speaks
//! Spanish · takes Medicaid · 2.1 mi · 82% of referrals completed"). Pure,
//! so the ranking is specified and tested here. The API ranks in SQL
//! (`directory_score` and `directory_miles`, migration 000017) and builds
//! the reasons of a page's providers with [`assess`]; scenario tests hold
//! the SQL to these functions.

code_enum! {
    /// Where a provider stands with the network.
    pub enum NetworkStatus {
        /// Identified, not yet approached.
        Prospect,
        /// Being recruited.
        Recruiting,
        /// Credentials under review.
        Credentialing,
        /// In the network.
        InNetwork,
        /// No longer taking referrals through the network.
        Inactive,
    }
}

/// Referral outcomes at a provider, as figures.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Quality {
    /// Closed referrals it completed, 0–1 (`None` before any closed).
    pub completion_rate: Option<f64>,
    /// Median days from sending to the first appointment.
    pub median_days_to_appointment: Option<f64>,
    /// Share of scheduled referrals that were no-shows, 0–1.
    pub no_show_rate: Option<f64>,
    /// Mean satisfaction, 1–5.
    pub satisfaction: Option<f64>,
}

/// What ranking reads about one provider.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Candidate {
    /// Its name.
    pub name: String,
    /// Languages it serves in (BCP-47 tags, `es`).
    pub languages: Vec<String>,
    /// Whether it takes Medicaid.
    pub medicaid: bool,
    /// Payers it takes.
    pub payers: Vec<String>,
    /// Whether it accepts new clients.
    pub accepting: bool,
    /// Where it stands with the network.
    pub status: Option<NetworkStatus>,
    /// Miles from the patient, when both addresses have coordinates.
    pub distance_miles: Option<f64>,
    /// Its figures.
    pub quality: Quality,
}

/// What a search asks for beyond the SQL filter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Wants {
    /// A language the patient needs (`es`).
    pub language: Option<String>,
    /// The patient's payer, if any.
    pub payer: Option<String>,
    /// Whether the patient has Medicaid.
    pub medicaid: bool,
}

/// A ranked result: its score (higher first) and the reasons, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Index in the candidates given.
    pub index: usize,
    /// The score it was ranked by.
    pub score: f64,
    /// Why it is here.
    pub reasons: Vec<String>,
}

/// Language names for the reasons ("speaks Spanish").
fn language_name(tag: &str) -> String {
    match tag.split('-').next().unwrap_or(tag) {
        "en" => "English".into(),
        "es" => "Spanish".into(),
        "vi" => "Vietnamese".into(),
        "zh" => "Chinese".into(),
        "ru" => "Russian".into(),
        "so" => "Somali".into(),
        "ar" => "Arabic".into(),
        other => other.to_owned(),
    }
}

/// A language tag's primary subtag, lower-cased (`es-MX` → `es`): a
/// provider speaks a language when the primary subtags agree, so a search
/// for `es` finds `es-MX` and one for `es-MX` finds `es`.
pub fn primary_language(tag: &str) -> String {
    tag.split('-').next().unwrap_or(tag).to_ascii_lowercase()
}

fn speaks(c: &Candidate, tag: &str) -> bool {
    let wanted = primary_language(tag);
    c.languages.iter().any(|l| primary_language(l) == wanted)
}

/// How a provider measures up to what a search wants: its score (higher
/// ranks first) and the reasons for it, in the order they count.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The score.
    pub score: f64,
    /// Why it is where it is.
    pub reasons: Vec<String>,
}

/// Scores one candidate for `wants`: in network 40, accepting new clients
/// 20, the patient's language 25, their coverage (Medicaid, else their
/// payer) 15, up to 10 for closeness (one fewer per mile), 10 times the
/// completion rate, the mean satisfaction (1–5). The terms are added in
/// that order; the database's `directory_score` adds them in the same
/// order, so both sums agree to the last bit.
pub fn assess(c: &Candidate, wants: &Wants) -> Assessment {
    let mut score = 0.0;
    let mut reasons = Vec::new();
    if c.status == Some(NetworkStatus::InNetwork) {
        score += 40.0;
        reasons.push("in network".to_owned());
    }
    if c.accepting {
        score += 20.0;
        reasons.push("accepting new clients".to_owned());
    }
    if let Some(tag) = &wants.language
        && speaks(c, tag)
    {
        score += 25.0;
        reasons.push(format!("speaks {}", language_name(tag)));
    }
    if wants.medicaid && c.medicaid {
        score += 15.0;
        reasons.push("takes Medicaid".to_owned());
    } else if let Some(payer) = &wants.payer
        && c.payers.iter().any(|p| p.eq_ignore_ascii_case(payer))
    {
        score += 15.0;
        reasons.push(format!("takes {payer}"));
    }
    if let Some(miles) = c.distance_miles {
        // Up to 10 points, losing one per mile.
        score += (10.0 - miles).max(0.0);
        reasons.push(format!("{miles:.1} mi"));
    }
    if let Some(rate) = c.quality.completion_rate {
        score += 10.0 * rate;
        reasons.push(format!("{:.0}% of referrals completed", rate * 100.0));
    }
    if let Some(stars) = c.quality.satisfaction {
        score += stars;
        reasons.push(format!("rated {stars:.1}/5"));
    }
    Assessment { score, reasons }
}

/// Ranks `candidates` for `wants` by [`assess`]'s score, higher first:
/// in-network and accepting first, then the patient's language, then
/// coverage, then closeness, then the completion rate and satisfaction.
/// Ties keep the order given (the directory's is by name, then id). Each
/// result says why it is there. The API ranks in SQL; this is the order
/// it is held to.
pub fn rank(candidates: &[Candidate], wants: &Wants) -> Vec<Ranked> {
    let mut out: Vec<Ranked> = candidates
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let Assessment { score, reasons } = assess(c, wants);
            Ranked {
                index,
                score,
                reasons,
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    out
}

/// The reasons as one line ("speaks Spanish · takes Medicaid · 2.1 mi").
pub fn because(r: &Ranked) -> String {
    r.reasons.join(" · ")
}

/// Great-circle distance in miles between two points (haversine; good to
/// well under a percent at the distances a client travels).
pub fn miles_between(a: crate::providers::GeoPoint, b: crate::providers::GeoPoint) -> f64 {
    const EARTH_RADIUS_MILES: f64 = 3958.8;
    let (la1, la2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.longitude - a.longitude).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_MILES * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(name: &str) -> Candidate {
        Candidate {
            name: name.into(),
            status: Some(NetworkStatus::InNetwork),
            accepting: true,
            ..Default::default()
        }
    }

    #[test]
    fn salem_to_portland_is_about_45_miles_and_a_point_to_itself_is_zero() {
        use crate::providers::GeoPoint;
        let salem = GeoPoint {
            latitude: 44.9429,
            longitude: -123.0351,
        };
        let portland = GeoPoint {
            latitude: 45.5152,
            longitude: -122.6784,
        };
        let d = miles_between(salem, portland);
        assert!((d - 43.5).abs() < 1.5, "{d}");
        assert!(miles_between(salem, salem).abs() < 1e-9);
    }

    fn spanish_medicaid() -> Wants {
        Wants {
            language: Some("es".into()),
            payer: None,
            medicaid: true,
        }
    }

    fn names(c: &[Candidate], r: &[Ranked]) -> Vec<String> {
        r.iter().map(|x| c[x.index].name.clone()).collect()
    }

    #[test]
    fn a_spanish_speaking_in_network_medicaid_provider_nearby_comes_first_and_says_why() {
        let mut a = provider("Alder Counseling");
        a.languages = vec!["en".into()];
        a.medicaid = true;
        let mut b = provider("Bienestar Clinic");
        b.languages = vec!["es-MX".into(), "en".into()];
        b.medicaid = true;
        b.distance_miles = Some(2.1);
        b.quality.completion_rate = Some(0.82);
        let c = [a, b];
        let ranked = rank(&c, &spanish_medicaid());
        assert_eq!(
            names(&c, &ranked),
            vec!["Bienestar Clinic", "Alder Counseling"]
        );
        assert_eq!(
            because(&ranked[0]),
            "in network · accepting new clients · speaks Spanish · takes Medicaid · 2.1 mi · 82% of referrals completed"
        );
    }

    #[test]
    fn out_of_network_or_full_providers_rank_below_in_network_accepting_ones() {
        let mut full = provider("Full House");
        full.accepting = false;
        full.languages = vec!["es".into()];
        let mut prospect = provider("Prospect Place");
        prospect.status = Some(NetworkStatus::Prospect);
        let open = provider("Open Door");
        let c = [full, prospect, open];
        let ranked = rank(&c, &Wants::default());
        assert_eq!(names(&c, &ranked)[0], "Open Door");
    }

    #[test]
    fn closer_and_better_completing_providers_win_ties_and_equal_ones_keep_their_order() {
        let mut far = provider("Far");
        far.distance_miles = Some(9.0);
        let mut near = provider("Near");
        near.distance_miles = Some(1.0);
        let c = [far, near, provider("Same A"), provider("Same B")];
        let ranked = rank(&c, &Wants::default());
        assert_eq!(names(&c, &ranked), vec!["Near", "Far", "Same A", "Same B"]);
    }

    #[test]
    fn a_payer_match_counts_when_the_patient_has_no_medicaid() {
        let mut p = provider("Payer Match");
        p.payers = vec!["Moda Health".into()];
        let c = [provider("Other"), p];
        let wants = Wants {
            language: None,
            payer: Some("moda health".into()),
            medicaid: false,
        };
        let ranked = rank(&c, &wants);
        assert_eq!(names(&c, &ranked)[0], "Payer Match");
        assert!(because(&ranked[0]).contains("takes moda health"));
    }

    #[test]
    fn a_language_matches_on_its_primary_subtag_and_ascii_case_only() {
        assert_eq!(primary_language("es-MX"), "es");
        assert_eq!(primary_language("ES"), "es");
        assert_eq!(primary_language("zh-Hant-TW"), "zh");
        let mut p = provider("Bienestar");
        p.languages = vec!["ES-mx".into()];
        let spanish = Wants {
            language: Some("es-US".into()),
            ..Wants::default()
        };
        assert!(because(&rank(&[p], &spanish)[0]).contains("speaks Spanish"));
    }

    #[test]
    #[expect(clippy::float_cmp, reason = "whole and half points add exactly")]
    fn each_term_adds_its_points_and_an_unknown_figure_adds_none() {
        let mut p = provider("Alder");
        assert_eq!(assess(&p, &Wants::default()).score, 60.0);
        p.distance_miles = Some(12.5);
        p.quality.completion_rate = Some(0.5);
        p.quality.satisfaction = Some(4.0);
        let a = assess(&p, &Wants::default());
        assert_eq!(a.score, 60.0 + 0.0 + 5.0 + 4.0);
        assert_eq!(
            a.reasons,
            [
                "in network",
                "accepting new clients",
                "12.5 mi",
                "50% of referrals completed",
                "rated 4.0/5"
            ]
        );
    }
}
