//! The encounters tab: the list of stays (`list`), recording an admission
//! or a discharge by hand (`add_form`), and adding the discharge to a stay
//! still open (`row_actions`), put together by `tab`.

mod add_form;
mod list;
mod row_actions;
mod tab;

pub use tab::PatientEncountersTab;
