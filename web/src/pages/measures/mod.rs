//! Quality measures: every measure's rates for a period, and one measure's
//! specification, rates and patient lists (`page`); the lists, counts and
//! words worked out without the DOM (`model`).

mod model;
mod page;

pub use page::{MeasurePage, MeasuresPage};
