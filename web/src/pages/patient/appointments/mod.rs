//! The appointments tab: the list (`list`), adding one (`add_form`), and
//! recording what happened from its row (`row_actions`), put together by
//! `tab`.

mod add_form;
mod list;
mod row_actions;
mod tab;

pub use tab::PatientAppointmentsTab;
