//! The quality-measure pages: every measure with its rates for a period
//! (`/measures`), and one measure (`/measures/:id`) with its
//! specification, its rates and the patients behind them — windows open
//! now and closing within 30 days first (the work still to do), then the
//! numerator, the denominator and the excluded, each with the reason in
//! the API's words. The period is kept in the address (`?from=&to=`).

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::auth::Permission;
use shared::ids::PatientId;
use shared::measures::{MeasureId, MeasurePatient, MeasureResult, MeasureSpec};
use shared::reports::Period;
use uuid::Uuid;

use super::model::{
    Counts, RateLine, WindowLine, closing_within_30_days, counts, default_measure_period,
    denominator, event_label, excluded, met, numerator, open_now, rate_lines, rates_chart,
    window_label,
};
use crate::client::{self, PeriodQuery};
use crate::components::chart::{ChartView, Unit, format_optional};
use crate::components::table::DataTable;
use crate::components::{Column, ErrorBanner, Loading, PageHeader, TextField};
use crate::dom::set_title;
use crate::format;
use crate::pages::not_found::NotAllowed;
use crate::pages::reports::model::read_period;
use crate::routes::use_path_value;
use crate::state::use_auth;
use crate::transport::ApiError;

/// Rows a patient list shows at first, and more each time.
const LIST_PAGE: usize = 25;

/// `?from=…&to=…`.
fn period_query(from: &str, to: &str) -> String {
    serde_urlencoded::to_string([("from", from), ("to", to)]).unwrap_or_default()
}

/// The period fields of a measure page, kept in the address: the days as
/// typed, the period they make (or the field at fault), and the fields.
#[derive(Clone, Copy)]
struct PeriodChoice {
    from: Memo<String>,
    to: Memo<String>,
    period: Memo<Result<Period, (String, String)>>,
}

fn use_period_choice() -> PeriodChoice {
    let today = format::today();
    let default = default_measure_period(today);
    let query = use_query_map();
    let from = Memo::new(move |_| {
        query
            .with(|q| q.get("from"))
            .unwrap_or_else(|| default.from.to_string())
    });
    let to = Memo::new(move |_| {
        query
            .with(|q| q.get("to"))
            .unwrap_or_else(|| default.to.to_string())
    });
    let period = Memo::new(move |_| read_period(&from.get(), &to.get(), today));
    PeriodChoice { from, to, period }
}

/// The two date fields; a change goes into the address of `path`.
#[component]
fn PeriodFields(choice: PeriodChoice, path: Signal<String>) -> impl IntoView {
    let navigate = use_navigate();
    let go = move |from: String, to: String| {
        navigate(
            &format!("{}?{}", path.get_untracked(), period_query(&from, &to)),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };
    let go_to = go.clone();
    let error = move |field: &'static str| {
        Signal::derive(move || {
            choice.period.with(|p| match p {
                Err((f, message)) if f == field => Some(message.clone()),
                _ => None,
            })
        })
    };
    view! {
        <section class="toolbar" aria-label="Measurement period">
            <div class="filters">
                <TextField
                    id="measure-from"
                    label="From"
                    input_type="date"
                    value=choice.from
                    on_input=Callback::new(move |v: String| go(v, choice.to.get_untracked()))
                    error=error("from")
                />
                <TextField
                    id="measure-to"
                    label="To"
                    input_type="date"
                    value=choice.to
                    on_input=Callback::new(move |v: String| go_to(choice.from.get_untracked(), v))
                    error=error("to")
                />
            </div>
        </section>
    }
}

fn query_of(period: Period) -> PeriodQuery {
    PeriodQuery {
        from: period.from,
        to: period.to,
        group_by: None,
        format: None,
    }
}

/// A rate as the list shows it: `25% (1 of 4)`, or why there is none.
fn rate_words(line: &RateLine) -> String {
    match line.rate {
        Some(_) => format!(
            "{} ({} of {})",
            format_optional(line.rate, Unit::Share),
            line.met,
            line.counted
        ),
        None => "No one counted yet".to_string(),
    }
}

fn counts_words(c: Counts) -> String {
    format!(
        "{} · {} · {} · {}",
        format::count(c.denominator, "in the denominator", "in the denominator"),
        format::count(c.excluded, "excluded or pending", "excluded or pending"),
        format::count(c.open_now, "window open now", "windows open now"),
        format::count(
            c.closing,
            "closing within 30 days",
            "closing within 30 days"
        ),
    )
}

/// Every measure with its rates for the period.
#[component]
pub fn MeasuresPage() -> impl IntoView {
    set_title("Quality measures");
    let auth = use_auth();
    if !auth.can(Permission::ReportsRead) {
        return view! { <NotAllowed /> }.into_any();
    }
    let choice = use_period_choice();
    let specs = RwSignal::new(None::<Vec<MeasureSpec>>);
    let error = RwSignal::new(None::<ApiError>);
    spawn_local(async move {
        match client::list_measures().await {
            Ok(page) => specs.set(Some(page.items)),
            Err(e) => error.set(Some(e)),
        }
    });
    view! {
        <PageHeader
            title="Quality measures".to_string()
            subtitle="How the organization does on follow-up after hospital and ED stays, depression care and suicide-risk assessment, with the patients behind each rate."
                .to_string()
        />
        <PeriodFields choice=choice path=Signal::stored("/measures".to_string()) />
        <ErrorBanner error=error />
        {move || match specs.get() {
            None if error.with(Option::is_none) => {
                view! { <Loading what="the measures" /> }.into_any()
            }
            None => ().into_any(),
            Some(specs) => {
                view! {
                    <ul class="measure-list" data-testid="measures">
                        {specs
                            .into_iter()
                            .map(|spec| view! { <MeasureSummary spec=spec choice=choice /> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
    }
    .into_any()
}

/// Fetches `id` over the chosen period whenever the period changes (an
/// older answer arriving late is dropped).
fn use_measure(
    id: Signal<Option<MeasureId>>,
    choice: PeriodChoice,
) -> (
    RwSignal<Option<MeasureResult>>,
    RwSignal<Option<ApiError>>,
    RwSignal<bool>,
) {
    let result = RwSignal::new(None::<MeasureResult>);
    let error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(true);
    let ticket = StoredValue::new(0_u32);
    Effect::new(move || {
        let id = id.get();
        let period = choice.period.get();
        ticket.update_value(|t| *t += 1);
        let mine = ticket.get_value();
        let (Some(id), Ok(period)) = (id, period) else {
            loading.set(false);
            result.set(None);
            return;
        };
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = client::measure(id, &query_of(period)).await;
            if ticket.get_value() != mine {
                return;
            }
            loading.set(false);
            match answer {
                Ok(r) => result.set(Some(r)),
                Err(e) => {
                    result.set(None);
                    error.set(Some(e));
                }
            }
        });
    });
    (result, error, loading)
}

/// One measure on the list: its name (a link to it), its rates and the
/// sizes of its lists.
#[component]
fn MeasureSummary(spec: MeasureSpec, choice: PeriodChoice) -> impl IntoView {
    let id = spec.id;
    let (result, error, loading) = use_measure(Signal::stored(Some(id)), choice);
    let heading_id = format!("measure-{id}");
    let href = move || {
        format!(
            "/measures/{id}?{}",
            period_query(&choice.from.get(), &choice.to.get())
        )
    };
    let rates = spec.rates.clone();
    view! {
        <li class="card measure-card" data-measure=id.to_string()>
            <h2 id=heading_id>
                <a href=href>{spec.name.clone()}</a>
            </h2>
            <ErrorBanner error=error />
            {move || {
                if loading.get() {
                    return view! { <Loading what="the rates" /> }.into_any();
                }
                result
                    .get()
                    .map_or_else(|| ().into_any(), |r| {
                        let facts = rate_lines(&rates, &r)
                            .into_iter()
                            .map(|line| {
                                view! {
                                    <div class="fact">
                                        <dt>{line.label.clone()}</dt>
                                        <dd>{rate_words(&line)}</dd>
                                    </div>
                                }
                            })
                            .collect_view();
                        view! {
                            <dl class="facts">{facts}</dl>
                            <p class="muted small measure-counts">{counts_words(counts(&r))}</p>
                        }
                            .into_any()
                    })
            }}
        </li>
    }
}

/// Patients' names, fetched once each as lists show them.
#[derive(Clone, Copy)]
struct PatientNames(RwSignal<HashMap<Uuid, Option<String>>>);

impl PatientNames {
    /// The patient's name once it has arrived (fetching it the first time).
    fn name(self, id: Uuid) -> Memo<Option<String>> {
        let asked = self.0.with_untracked(|m| m.contains_key(&id));
        if !asked {
            self.0.update(|m| {
                m.insert(id, None);
            });
            spawn_local(async move {
                let name = match client::get_patient(PatientId::from(id)).await {
                    Ok(p) => p.display_name(),
                    Err(_) => format!("Patient {}", &id.to_string()[..8]),
                };
                self.0.update(|m| {
                    m.insert(id, Some(name));
                });
            });
        }
        let names = self.0;
        Memo::new(move |_| names.with(|m| m.get(&id).cloned().flatten()))
    }
}

/// A link to a patient's record, named once the name has arrived.
#[component]
fn PatientLink(id: Uuid) -> impl IntoView {
    let names = expect_context::<PatientNames>();
    let name = names.name(id);
    view! {
        <a href=format!("/patients/{id}") class="row-link">
            {move || name.get().unwrap_or_else(|| "Loading name…".to_string())}
        </a>
    }
}

/// One measure: its specification, rates and patient lists.
#[component]
pub fn MeasurePage() -> impl IntoView {
    set_title("Quality measure");
    let auth = use_auth();
    if !auth.can(Permission::ReportsRead) {
        return view! { <NotAllowed /> }.into_any();
    }
    provide_context(PatientNames(RwSignal::new(HashMap::new())));
    let id = use_path_value::<MeasureId>("id");
    let choice = use_period_choice();
    let spec = Memo::new(move |_| id.get().map(MeasureId::spec));
    Effect::new(move || {
        if let Some(s) = spec.get() {
            set_title(&s.name);
        }
    });
    let (result, error, loading) = use_measure(Signal::derive(move || id.get()), choice);
    let back = move || {
        format!(
            "/measures?{}",
            period_query(&choice.from.get(), &choice.to.get())
        )
    };
    let path = Signal::derive(move || {
        id.get()
            .map_or_else(|| "/measures".to_string(), |id| format!("/measures/{id}"))
    });
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href=back>"Quality measures"</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">
                {move || spec.get().map_or_else(|| "Unknown measure".to_string(), |s| s.name)}
            </span>
        </nav>
        {move || match spec.get() {
            None => {
                view! {
                    <h1>"No such measure"</h1>
                    <p>
                        <a href="/measures">"Back to the quality measures"</a>
                    </p>
                }
                    .into_any()
            }
            Some(spec) => {
                view! {
                    <PageHeader title=spec.name.clone() />
                    <PeriodFields choice=choice path=path />
                    <section class="card" aria-labelledby="spec-heading">
                        <h2 id="spec-heading">"How it is measured"</h2>
                        <p class="measure-spec">{spec.specification.clone()}</p>
                    </section>
                    <ErrorBanner error=error />
                    {move || {
                        if loading.get() {
                            return view! { <Loading what="the measure" /> }.into_any();
                        }
                        let spec = spec.clone();
                        result
                            .get()
                            .map_or_else(
                                || ().into_any(),
                                |r| view! { <MeasureDetail spec=spec result=r /> }.into_any(),
                            )
                    }}
                }
                    .into_any()
            }
        }}
    }
    .into_any()
}

const RATE_COLUMNS: &[Column] = &[
    Column::Text("Rate"),
    Column::Count("Value"),
    Column::Count("Met"),
    Column::Count("Counted"),
];

const WINDOW_COLUMNS: &[Column] = &[
    Column::Text("Patient"),
    Column::Text("Event day"),
    Column::Text("Window"),
    Column::Text("Closes"),
    Column::Text("Reason"),
];

const PATIENT_COLUMNS: &[Column] = &[
    Column::Text("Patient"),
    Column::Text("Event day"),
    Column::Text("Met"),
    Column::Text("Reason"),
];

/// The rates and the lists of one measure's result.
#[component]
fn MeasureDetail(spec: MeasureSpec, result: MeasureResult) -> impl IntoView {
    let lines = rate_lines(&spec.rates, &result);
    let chart = rates_chart(&lines);
    let event = event_label(spec.id);
    let rate_rows = lines
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <th scope="row" data-label="Rate">{l.label.clone()}</th>
                    <td class="num" data-label="Value">{format_optional(l.rate, Unit::Share)}</td>
                    <td class="num" data-label="Met">{l.met}</td>
                    <td class="num" data-label="Counted">{l.counted}</td>
                </tr>
            }
        })
        .collect_view();
    let windows_now = open_now(&result);
    let windows_soon = closing_within_30_days(&result);
    view! {
        <section class="card" aria-labelledby="rates-heading">
            <h2 id="rates-heading">"Rates"</h2>
            <p class="muted small">
                {format!(
                    "{} to {}. A rate is those meeting it over those counted for it; a time point still pending counts nobody.",
                    format::date(result.from),
                    format::date(result.to),
                )}
            </p>
            <ChartView chart=chart />
            <DataTable caption="Rates" columns=RATE_COLUMNS class="compact figures">
                {rate_rows}
            </DataTable>
        </section>
        <WindowList
            slug="open-now"
            title="Windows open now"
            empty="No measurement window is open today."
            lines=windows_now
            event=event
            open=true
        />
        <WindowList
            slug="closing"
            title="Windows closing within 30 days"
            empty="No window closes within the next 30 days."
            lines=windows_soon
            event=event
            open=true
        />
        <PatientList
            slug="numerator"
            title="Numerator: meeting a rate"
            empty="Nobody meets a rate in this period."
            patients=numerator(&result)
            event=event
        />
        <PatientList
            slug="denominator"
            title="Denominator"
            empty="Nobody is in the denominator for this period."
            patients=denominator(&result)
            event=event
        />
        <PatientList
            slug="excluded"
            title="Excluded or pending"
            empty="Nobody is excluded."
            patients=excluded(&result)
            event=event
        />
    }
}

/// A list's section: a heading whose button shows or hides the list, and
/// the list, `LIST_PAGE` rows at a time.
#[component]
fn ListSection(
    slug: &'static str,
    title: &'static str,
    count: usize,
    open: bool,
    children: ChildrenFn,
) -> impl IntoView {
    let expanded = RwSignal::new(open);
    let heading_id = format!("list-{slug}-heading");
    let body_id = format!("list-{slug}");
    let labelled_by = heading_id.clone();
    view! {
        <section class="card patient-list" aria-labelledby=labelled_by data-list=slug>
            <h2 id=heading_id>
                <button
                    type="button"
                    class="disclosure-heading"
                    aria-expanded=move || if expanded.get() { "true" } else { "false" }
                    aria-controls=body_id.clone()
                    on:click=move |_| expanded.update(|e| *e = !*e)
                >
                    <span class="disclosure-mark" aria-hidden="true">
                        {move || if expanded.get() { "▾" } else { "▸" }}
                    </span>
                    {format!("{title} ({count})")}
                </button>
            </h2>
            <div id=body_id hidden=move || !expanded.get()>
                {move || expanded.get().then(|| children())}
            </div>
        </section>
    }
}

/// "Show more" under a list that has more rows than it shows.
#[component]
fn ShowMore(shown: RwSignal<usize>, total: usize, what: &'static str) -> impl IntoView {
    view! {
        <Show when=move || { shown.get() < total }>
            <div class="load-more">
                <button
                    type="button"
                    class="button secondary"
                    on:click=move |_| shown.update(|n| *n += LIST_PAGE)
                >
                    {move || format!("Show more {what} ({} of {total} shown)", shown.get().min(total))}
                </button>
            </div>
        </Show>
    }
}

/// Patients with a measurement window (open now, or closing soon).
#[component]
fn WindowList(
    slug: &'static str,
    title: &'static str,
    empty: &'static str,
    lines: Vec<WindowLine>,
    event: &'static str,
    open: bool,
) -> impl IntoView {
    let total = lines.len();
    let lines = StoredValue::new(lines);
    let shown = RwSignal::new(LIST_PAGE);
    view! {
        <ListSection slug=slug title=title count=total open=open>
            {move || {
                if total == 0 {
                    return view! { <p class="muted">{empty}</p> }.into_any();
                }
                let rows = move || {
                    lines
                        .with_value(|ls| {
                            ls.iter()
                                .take(shown.get())
                                .map(|l| {
                                    view! {
                                        <tr>
                                            <th scope="row" data-label="Patient">
                                                <PatientLink id=l.patient.patient_id />
                                            </th>
                                            <td data-label=event>{format::date(l.patient.event_on)}</td>
                                            <td data-label="Window">
                                                {format!(
                                                    "{}: {} to {}",
                                                    window_label(&l.window.name),
                                                    format::date(l.window.opens_on),
                                                    format::date(l.window.closes_on),
                                                )}
                                            </td>
                                            <td data-label="Closes">{format::date(l.window.closes_on)}</td>
                                            <td data-label="Reason" class="wrap">{l.patient.reason.clone()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        })
                };
                view! {
                    <DataTable caption=title columns=WINDOW_COLUMNS>
                        {rows}
                    </DataTable>
                    <ShowMore shown=shown total=total what="patients" />
                }
                    .into_any()
            }}
        </ListSection>
    }
}

/// Patients of a measure's numerator, denominator or exclusions, with the
/// rates they meet and the reason.
#[component]
fn PatientList(
    slug: &'static str,
    title: &'static str,
    empty: &'static str,
    patients: Vec<MeasurePatient>,
    event: &'static str,
) -> impl IntoView {
    let total = patients.len();
    let patients = StoredValue::new(patients);
    let shown = RwSignal::new(LIST_PAGE);
    view! {
        <ListSection slug=slug title=title count=total open=false>
            {move || {
                if total == 0 {
                    return view! { <p class="muted">{empty}</p> }.into_any();
                }
                let rows = move || {
                    patients
                        .with_value(|ps| {
                            ps.iter()
                                .take(shown.get())
                                .map(|p| {
                                    view! {
                                        <tr>
                                            <th scope="row" data-label="Patient">
                                                <PatientLink id=p.patient_id />
                                            </th>
                                            <td data-label=event>{format::date(p.event_on)}</td>
                                            <td data-label="Met" class="wrap">
                                                {met(p).unwrap_or_else(|| "None".to_string())}
                                            </td>
                                            <td data-label="Reason" class="wrap">{p.reason.clone()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        })
                };
                view! {
                    <DataTable caption=title columns=PATIENT_COLUMNS>
                        {rows}
                    </DataTable>
                    <ShowMore shown=shown total=total what="patients" />
                }
                    .into_any()
            }}
        </ListSection>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_says_how_many_it_counted_or_that_it_counted_nobody() {
        let line = RateLine {
            name: "within_7_days".into(),
            label: "Followed up within 7 days".into(),
            rate: Some(0.25),
            met: 1,
            counted: 4,
        };
        assert_eq!(rate_words(&line), "25% (1 of 4)");
        let none = RateLine {
            rate: None,
            met: 0,
            counted: 0,
            ..line
        };
        assert_eq!(rate_words(&none), "No one counted yet");
    }

    #[test]
    fn the_period_goes_into_the_address() {
        assert_eq!(
            period_query("2026-01-01", "2026-12-31"),
            "from=2026-01-01&to=2026-12-31"
        );
    }

    #[test]
    fn the_list_sizes_read_as_one_line() {
        assert_eq!(
            counts_words(Counts {
                denominator: 4,
                excluded: 1,
                open_now: 1,
                closing: 0
            }),
            "4 in the denominator · 1 excluded or pending · 1 window open now · 0 closing within 30 days"
        );
    }
}
