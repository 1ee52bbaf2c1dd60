//! The screenings tab: giving an instrument (`form`, scored live by the
//! same `shared::screening::score` the server uses — `model` holds the
//! pure parts), the history with "entered in error" (`history`), and the
//! PHQ-9 and GAD-7 trends drawn over their severity bands (`trend`), put
//! together by `tab`.

mod form;
mod history;
mod model;
mod tab;
mod trend;

pub use model::{flag_words, summary};
pub use tab::PatientScreeningsTab;
