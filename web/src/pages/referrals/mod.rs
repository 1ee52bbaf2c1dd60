//! Closed-loop referrals: the care team's board (`board`), one referral's
//! page (`page`, with its necessity check, history, barriers and next
//! steps in their own modules), and the words and rules the screens share
//! (`model`). The patient's Referrals tab reuses `necessity` and `model`.

mod actions;
mod barriers;
mod board;
mod history;
pub mod model;
pub mod necessity;
mod page;

pub use board::ReferralBoardPage;
pub use page::ReferralPage;
