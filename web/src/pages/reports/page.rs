//! The reports page: choose a report, a period and a grouping (kept in the
//! address, so a report can be bookmarked and shared); each of the
//! report's charts is drawn with its table under it and a button that
//! downloads exactly its rows and columns as CSV; the whole report as the
//! server writes it in CSV is one more button away.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::auth::Permission;
use shared::reports::{AnyReport, GroupBy, Period, ReportName};
use strum::VariantArray;

use super::model::{
    ReportChart, charts, default_period, group_by_label, read_period, report_blurb, report_header,
    report_label,
};
use crate::client::{self, PeriodQuery};
use crate::components::chart::ChartView;
use crate::components::table::DataTable;
use crate::components::{Column, ErrorBanner, Loading, PageHeader, SelectField, TextField};
use crate::dom::{download_text, set_title};
use crate::format;
use crate::pages::not_found::NotAllowed;
use crate::state::use_auth;
use crate::transport::ApiError;

/// `key=value&…` for the address, values encoded.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The page's choices as the address holds them (a value that does not
/// read falls back to the default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    /// Which report.
    pub report: ReportName,
    /// The first day, as typed.
    pub from: String,
    /// The last day, as typed.
    pub to: String,
    /// How rows are grouped.
    pub group_by: GroupBy,
}

impl Choices {
    /// The choices in `get` (the address's query), defaults for the rest.
    pub fn read(get: impl Fn(&str) -> Option<String>, default: Period) -> Choices {
        Choices {
            report: get("report")
                .and_then(|s| s.parse().ok())
                .unwrap_or(ReportName::Caseload),
            from: get("from").unwrap_or_else(|| default.from.to_string()),
            to: get("to").unwrap_or_else(|| default.to.to_string()),
            group_by: get("group_by")
                .and_then(|s| s.parse().ok())
                .unwrap_or_default(),
        }
    }

    /// The address that holds these choices.
    pub fn href(&self) -> String {
        format!(
            "/reports?{}",
            query_string(&[
                ("report", self.report.to_string()),
                ("from", self.from.clone()),
                ("to", self.to.clone()),
                ("group_by", self.group_by.to_string()),
            ])
        )
    }
}

fn period_words(period: Period) -> String {
    if period.from == period.to {
        format::date(period.from)
    } else {
        format!(
            "{} to {}",
            format::date(period.from),
            format::date(period.to)
        )
    }
}

/// The reports page.
#[component]
pub fn ReportsPage() -> impl IntoView {
    set_title("Reports");
    let auth = use_auth();
    if !auth.can(Permission::ReportsRead) {
        return view! { <NotAllowed /> }.into_any();
    }
    let today = format::today();
    let query = use_query_map();
    let choices =
        Memo::new(move |_| query.with(|q| Choices::read(|k| q.get(k), default_period(today))));
    let navigate = use_navigate();
    let choose = move |change: &dyn Fn(&mut Choices)| {
        let mut next = choices.get_untracked();
        change(&mut next);
        navigate(
            &next.href(),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };
    let period = Memo::new(move |_| choices.with(|c| read_period(&c.from, &c.to, today)));
    let field_error = move |field: &'static str| {
        Signal::derive(move || {
            period.with(|p| match p {
                Err((f, message)) if f == field => Some(message.clone()),
                _ => None,
            })
        })
    };

    let report = RwSignal::new(None::<AnyReport>);
    let error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(true);
    let ticket = StoredValue::new(0_u32);
    Effect::new(move || {
        let (name, group_by) = choices.with(|c| (c.report, c.group_by));
        let Ok(period) = period.get() else {
            ticket.update_value(|t| *t += 1);
            loading.set(false);
            report.set(None);
            return;
        };
        ticket.update_value(|t| *t += 1);
        let mine = ticket.get_value();
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let q = PeriodQuery {
                from: period.from,
                to: period.to,
                group_by: Some(group_by),
                format: None,
            };
            let result = client::report(name, &q).await;
            if ticket.get_value() != mine {
                return;
            }
            loading.set(false);
            match result {
                Ok(r) => report.set(Some(r)),
                Err(e) => {
                    report.set(None);
                    error.set(Some(e));
                }
            }
        });
    });

    let whole = RwSignal::new(false);
    let whole_error = RwSignal::new(None::<ApiError>);
    let download_whole = move |_| {
        let Ok(period) = period.get_untracked() else {
            return;
        };
        let (name, group_by) = choices.with_untracked(|c| (c.report, c.group_by));
        whole.set(true);
        whole_error.set(None);
        spawn_local(async move {
            let q = PeriodQuery {
                from: period.from,
                to: period.to,
                group_by: Some(group_by),
                format: None,
            };
            let result = client::report_csv(name, &q).await;
            whole.set(false);
            match result {
                Ok(text) => {
                    let file = format!("{name}-{}-to-{}.csv", period.from, period.to);
                    if let Err(e) = download_text(&file, "text/csv;charset=utf-8", &text) {
                        whole_error.set(Some(ApiError::Unexpected(e)));
                    }
                }
                Err(e) => whole_error.set(Some(e)),
            }
        });
    };

    let report_choices = Signal::stored(
        ReportName::VARIANTS
            .iter()
            .map(|n| (n.to_string(), report_label(*n).to_string()))
            .collect::<Vec<_>>(),
    );
    let group_choices = Signal::stored(
        GroupBy::VARIANTS
            .iter()
            .map(|g| (g.to_string(), group_by_label(*g).to_string()))
            .collect::<Vec<_>>(),
    );
    let choose_report = choose.clone();
    let choose_from = choose.clone();
    let choose_to = choose.clone();
    let choose_group = choose;

    view! {
        <PageHeader
            title="Reports".to_string()
            subtitle="How the caseload, transitions, appointments, referrals, work and screenings went over a period, by care manager or program."
                .to_string()
        >
            <button
                type="button"
                class="button secondary"
                disabled=move || whole.get() || period.with(Result::is_err)
                on:click=download_whole
            >
                {move || if whole.get() { "Preparing the CSV…" } else { "Download full report (CSV)" }}
            </button>
        </PageHeader>
        <section class="toolbar" aria-label="Report options">
            <div class="filters">
                <SelectField
                    id="report-name"
                    label="Report"
                    value=Signal::derive(move || choices.with(|c| c.report.to_string()))
                    options=report_choices
                    on_change=Callback::new(move |v: String| {
                        if let Ok(name) = v.parse() {
                            choose_report(&|c| c.report = name);
                        }
                    })
                />
                <TextField
                    id="report-from"
                    label="From"
                    input_type="date"
                    value=Signal::derive(move || choices.with(|c| c.from.clone()))
                    on_input=Callback::new(move |v: String| choose_from(&|c| c.from.clone_from(&v)))
                    error=field_error("from")
                />
                <TextField
                    id="report-to"
                    label="To"
                    input_type="date"
                    value=Signal::derive(move || choices.with(|c| c.to.clone()))
                    on_input=Callback::new(move |v: String| choose_to(&|c| c.to.clone_from(&v)))
                    error=field_error("to")
                />
                <SelectField
                    id="report-group-by"
                    label="Group by"
                    value=Signal::derive(move || choices.with(|c| c.group_by.to_string()))
                    options=group_choices
                    on_change=Callback::new(move |v: String| {
                        if let Ok(g) = v.parse() {
                            choose_group(&|c| c.group_by = g);
                        }
                    })
                />
            </div>
        </section>
        <ErrorBanner error=whole_error />
        <ErrorBanner error=error />
        {move || {
            if loading.get() {
                return view! { <Loading what="the report" /> }.into_any();
            }
            report
                .get()
                .map_or_else(|| ().into_any(), |r| view! { <ReportView report=r /> }.into_any())
        }}
    }
    .into_any()
}

/// A report: its heading and what it counts, then its charts.
#[component]
fn ReportView(report: AnyReport) -> impl IntoView {
    let (name, period, group_by) = report_header(&report);
    let grouping = match group_by {
        GroupBy::CareManager => "By care manager (productivity: by the person who did the work).",
        GroupBy::Program => {
            "By program: a client in two programs counts in both rows; the organization's totals count each client once."
        }
    };
    let cards = charts(&report)
        .into_iter()
        .map(|chart| view! { <ChartCard chart=chart /> })
        .collect_view();
    view! {
        <section aria-labelledby="report-heading" data-report=name.to_string()>
            <div class="report-head">
                <h2 id="report-heading">{report_label(name)}</h2>
                <p class="muted">{report_blurb(name)}</p>
                <p class="small">
                    <strong>{period_words(period)}</strong>
                    " · "
                    {grouping}
                </p>
            </div>
            {cards}
        </section>
    }
}

/// One chart with its legend, its table, the organization's totals of the
/// same figures, and its CSV.
#[component]
fn ChartCard(chart: ReportChart) -> impl IntoView {
    let heading_id = format!("{}-heading", chart.chart.id);
    let title = chart.title;
    let problem = RwSignal::new(None::<String>);
    let csv = chart.csv.clone();
    let file = chart.file_name.clone();
    let download = move |_| match &csv {
        Ok(text) => problem.set(
            download_text(&file, "text/csv;charset=utf-8", text)
                .err()
                .map(|e| format!("The CSV could not be saved ({e}).")),
        ),
        Err(e) => problem.set(Some(format!("The CSV could not be written ({e})."))),
    };
    let empty = chart.rows.is_empty();
    let columns = chart.columns;
    let rows = chart
        .rows
        .iter()
        .map(|cells| {
            let cells = cells
                .iter()
                .zip(columns)
                .enumerate()
                .map(|(i, (cell, column))| match (i, column) {
                    (0, Column::Text(label) | Column::Count(label)) => {
                        view! { <th scope="row" data-label=*label>{cell.clone()}</th> }.into_any()
                    }
                    (_, Column::Count(label)) => {
                        view! { <td class="num" data-label=*label>{cell.clone()}</td> }.into_any()
                    }
                    (_, Column::Text(label)) => {
                        view! { <td class="wrap" data-label=*label>{cell.clone()}</td> }.into_any()
                    }
                    (_, Column::Actions) => view! { <td></td> }.into_any(),
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    let totals = (!chart.totals.is_empty()).then(|| {
        let facts = chart
            .totals
            .iter()
            .map(|(label, value)| {
                view! {
                    <div class="fact">
                        <dt>{label.clone()}</dt>
                        <dd>{value.clone()}</dd>
                    </div>
                }
            })
            .collect_view();
        view! {
            <div class="chart-totals">
                <h4>"Whole organization"</h4>
                <dl class="facts">{facts}</dl>
            </div>
        }
    });
    let drawn = chart.chart.clone();
    let labelled_by = heading_id.clone();
    let chart_id = chart.chart.id.clone();
    view! {
        <section class="card chart-card" aria-labelledby=labelled_by data-chart=chart_id>
            <div class="section-head">
                <h3 id=heading_id>{title}</h3>
                <button type="button" class="button secondary small" on:click=download>
                    "Download CSV"
                    <span class="visually-hidden">{format!(" of {title}")}</span>
                </button>
            </div>
            <p class="chart-problem" role="alert">
                {move || problem.get()}
            </p>
            {if empty {
                view! { <p class="muted">"Nothing to chart for this period."</p> }.into_any()
            } else {
                view! {
                    <ChartView chart=drawn />
                    <DataTable caption=title columns=columns class="compact figures">
                        {rows}
                    </DataTable>
                }
                .into_any()
            }}
            {totals}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_address_holds_the_choices_and_unreadable_ones_fall_back() {
        let default = Period {
            from: d("2026-11-02"),
            to: d("2026-12-01"),
        };
        let none = Choices::read(|_| None, default);
        assert_eq!(none.report, ReportName::Caseload);
        assert_eq!(none.from, "2026-11-02");
        assert_eq!(none.group_by, GroupBy::CareManager);
        assert_eq!(
            none.href(),
            "/reports?report=caseload&from=2026-11-02&to=2026-12-01&group_by=care_manager"
        );
        let chosen = Choices::read(
            |k| match k {
                "report" => Some("transitions".into()),
                "group_by" => Some("program".into()),
                "from" => Some("2026-10-01".into()),
                _ => Some("nonsense".into()),
            },
            default,
        );
        assert_eq!(chosen.report, ReportName::Transitions);
        assert_eq!(chosen.group_by, GroupBy::Program);
        // A day that does not read is kept as typed: the page says what is wrong with it.
        assert_eq!(chosen.to, "nonsense");
    }

    #[test]
    fn a_period_reads_as_one_day_or_a_range() {
        assert_eq!(
            period_words(Period {
                from: d("2026-10-01"),
                to: d("2026-10-31")
            }),
            "10/01/2026 to 10/31/2026"
        );
        assert_eq!(
            period_words(Period {
                from: d("2026-10-01"),
                to: d("2026-10-01")
            }),
            "10/01/2026"
        );
    }
}
