//! The latest screenings card: the latest result of each instrument given
//! (those entered in error left out), newest first, with a link to the
//! screenings tab.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::PatientId;
use shared::pagination::{MAX_LIMIT, PageQuery};
use shared::screening::{Screening, ScreeningListQuery};

use crate::client;
use crate::components::{ErrorBanner, Loading};
use crate::format;
use crate::pages::patient::context::tab_href;
use crate::pages::patient::screenings::{flag_words, summary};
use crate::transport::ApiError;

/// Pages followed at most (the list is oldest first, so the latest are on
/// the last page).
const MAX_PAGES: usize = 5;

/// The latest screening of each instrument (not entered in error), newest
/// first.
pub fn latest_per_instrument(all: &[Screening]) -> Vec<Screening> {
    let mut latest: Vec<Screening> = Vec::new();
    for s in all.iter().filter(|s| s.entered_in_error.is_none()) {
        match latest.iter_mut().find(|l| l.instrument == s.instrument) {
            Some(l) if l.administered_at <= s.administered_at => *l = s.clone(),
            Some(_) => {}
            None => latest.push(s.clone()),
        }
    }
    latest.sort_by_key(|s| std::cmp::Reverse(s.administered_at));
    latest
}

async fn load(patient: PatientId) -> Result<Vec<Screening>, ApiError> {
    let mut all = Vec::new();
    let mut at = PageQuery::first(MAX_LIMIT);
    for _ in 0..MAX_PAGES {
        let page = client::list_screenings(patient, &ScreeningListQuery::default(), &at).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(cursor) => at = PageQuery::after(Some(MAX_LIMIT), Some(cursor)),
            None => break,
        }
    }
    Ok(all)
}

/// The latest screenings card.
#[component]
pub fn LatestScreeningsCard(
    /// The patient.
    patient_id: PatientId,
) -> impl IntoView {
    let latest = RwSignal::new(None::<Vec<Screening>>);
    let error = RwSignal::new(None::<ApiError>);
    spawn_local(async move {
        match load(patient_id).await {
            Ok(all) => latest.set(Some(latest_per_instrument(&all))),
            Err(e) => error.set(Some(e)),
        }
    });
    view! {
        <section class="card" aria-labelledby="sec-latest-screenings">
            <h2 id="sec-latest-screenings">"Latest screenings"</h2>
            <ErrorBanner error=error />
            {move || match latest.get() {
                None if error.with(Option::is_none) => view! { <Loading what="screenings" /> }.into_any(),
                None => ().into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="muted">"No screenings yet."</p>
                }
                    .into_any(),
                Some(list) => view! {
                    <ul class="plain-list latest-screenings">
                        {list
                            .into_iter()
                            .map(|s| view! {
                                <li>
                                    <strong>{s.instrument.label()}</strong>
                                    " "
                                    {summary(s.instrument, &s.result)}
                                    {s.result.flags.iter().map(|f| view! {
                                        " "
                                        <span class="badge tag-danger">{flag_words(*f)}</span>
                                    }).collect_view()}
                                    <br />
                                    <span class="muted small">{format::datetime(s.administered_at)}</span>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any(),
            }}
            <p>
                <a href=tab_href(patient_id, "screenings")>"All screenings"</a>
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use shared::screening::{Answers, Instrument, ScoringContext, score};
    use uuid::Uuid;

    fn given(instrument: Instrument, each: i16, items: usize, day: u32) -> Screening {
        let answers: Answers = (1..=items).map(|n| (n.to_string(), each)).collect();
        let result = score(instrument, &answers, &ScoringContext::default()).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap();
        Screening {
            id: Uuid::from_u128(u128::from(day)),
            patient_id: PatientId::from(Uuid::from_u128(1)),
            instrument,
            administered_at: at,
            answers,
            result,
            recorded_by: None,
            entered_in_error: None,
            version: 1,
            created_at: at,
        }
    }

    #[test]
    fn only_the_latest_of_each_instrument_shows_newest_first() {
        let all = vec![
            given(Instrument::Phq9, 2, 9, 1),
            given(Instrument::Gad7, 1, 7, 3),
            given(Instrument::Phq9, 1, 9, 10),
        ];
        let latest = latest_per_instrument(&all);
        assert_eq!(latest.len(), 2);
        assert_eq!(latest[0].instrument, Instrument::Phq9);
        assert_eq!(latest[0].result.total, Some(9));
        assert_eq!(latest[1].instrument, Instrument::Gad7);
    }

    #[test]
    fn screenings_entered_in_error_are_left_out() {
        let mut wrong = given(Instrument::Phq9, 3, 9, 12);
        wrong.entered_in_error = Some(shared::screening::EnteredInError {
            at: wrong.created_at,
            by: None,
            reason: "wrong patient".into(),
        });
        let latest = latest_per_instrument(&[given(Instrument::Phq9, 1, 9, 2), wrong]);
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].result.total, Some(9));
    }
}
