//! Reusable pieces of the UI.

pub mod badges;
pub mod banner;
pub mod clock;
pub mod dialog;
pub mod fields;
pub mod forms;
pub mod nav;
pub mod pager;
pub mod patient_form;
pub mod task_actions;

pub use badges::{RiskBadge, StatusBadge, Tag};
pub use banner::{ErrorBanner, Loading, Notice};
pub use dialog::Modal;
pub use fields::{CheckboxField, Choice, SelectField, TextArea, TextField};
pub use pager::LoadMore;
