//! The shared rules, run in the browser for instant feedback. The API runs
//! the very same rules and stays authoritative; here they are judged now,
//! on the browser's today (the stand-in for the organization's calendar,
//! which the SPA does not know).

use chrono::Utc;
use shared::problem::FieldError;
use shared::validation::{Context, Normalize, check};
use validator::ValidateArgs;

/// What the rules are judged against: now, on the browser's today.
pub fn context() -> Context {
    Context {
        now: Utc::now(),
        today: crate::format::today(),
    }
}

/// Every field of `raw` that breaks a rule, as the API would name it.
pub fn errors<T>(raw: T) -> Vec<FieldError>
where
    T: Normalize + for<'a> ValidateArgs<'a, Args = &'a Context>,
{
    check(raw, &context())
}
