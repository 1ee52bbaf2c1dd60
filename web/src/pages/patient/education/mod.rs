//! The education tab: what was taught, to whom, how, in which language and
//! whether it was understood — the list, newest first, and recording one
//! (`form`, with its pure reading of the inputs), put together by `tab`.

mod form;
mod tab;

pub use tab::PatientEducationTab;
