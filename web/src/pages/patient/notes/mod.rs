//! The notes tab: case notes and activities. A note is written as a draft
//! (`add_form`), edited by its author while unsigned, then signed — after
//! which it never changes and corrections are addenda (`note_card` shows a
//! note, `row_actions` works it). `tab` puts them together.

mod add_form;
mod inputs;
mod note_card;
mod row_actions;
mod tab;

pub use tab::PatientNotesTab;
