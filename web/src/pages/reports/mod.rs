//! Reports: choosing a report, period and grouping, and each report's
//! charts with their tables and CSV downloads (`page`); what each chart
//! shows, its rows, table and CSV, worked out without the DOM (`model`).

pub(crate) mod model;
mod page;

pub use page::ReportsPage;
