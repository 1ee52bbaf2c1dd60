//! Reusable pieces of the UI. The pages use them through the re-exports
//! below; inside this folder each module names the sibling it uses.

pub mod badges;
pub mod banner;
pub mod card;
pub mod chart;
pub mod clock;
pub mod dialog;
pub mod fields;
pub mod forms;
pub mod nav;
pub mod page;
pub mod paged_list;
pub mod patient_form_view;
pub mod table;
pub mod task_actions;

pub use badges::{NetworkBadge, ReferralStatusBadge, RiskBadge, StatusBadge, Tag};
pub use banner::{ErrorBanner, Loading, NotLoaded, Notice};
pub use card::{Card, ListCard, fact, fact_view};
pub use dialog::Modal;
pub use fields::{CheckboxField, Choice, CodeChecklist, SelectField, TextField, choices};
pub use forms::{
    ActionForm, AddForm, AddFormState, AddFormToggle, Button, Disclosure, FormActions, FormErrors,
    InputReader, SubmitButton, text_inputs,
};
pub use page::{Breadcrumb, ListPageHead, PageHeader, TabSection};
pub use paged_list::{PagedItems, PagedList, PagedTable, use_paged_list};
pub use table::Column;
