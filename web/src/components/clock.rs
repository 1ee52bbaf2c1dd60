//! The time, moving on by itself, for countdowns ("due in 3 h").

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// How often countdowns move on.
const TICK_SECONDS: u64 = 30;

/// The current time, updated every half minute while the calling component
/// lives.
pub fn use_clock() -> RwSignal<DateTime<Utc>> {
    let now = RwSignal::new(Utc::now());
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(Utc::now()),
        std::time::Duration::from_secs(TICK_SECONDS),
    ) {
        on_cleanup(move || handle.clear());
    }
    now
}
