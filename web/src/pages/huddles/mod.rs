//! Huddles: the proposed agenda, recording a huddle (attendees, notes per
//! patient discussed, action items that become tasks) and past huddles
//! (`page`), and the form's rules and words (`model`).

mod model;
mod page;

pub use page::HuddlesPage;
