//! The caller's organization: its time zone and holidays, which decide
//! business days and "due today".

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use crate::ids::{OrganizationId, UserId};
use crate::validation::{Normalize, invalid};

/// A day off.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    Validate
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holiday {
    /// The date.
    pub date: NaiveDate,
    /// Its name.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 100, message = "must be at most 100 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: String,
}

/// The organization as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    /// Organization id.
    pub id: OrganizationId,
    /// Name.
    pub name: String,
    /// IANA time zone, e.g. `America/Los_Angeles`.
    pub time_zone: String,
    /// Holidays, by date.
    pub holidays: Vec<Holiday>,
    /// Version (also the `ETag`).
    pub version: i32,
    /// When created.
    pub created_at: DateTime<Utc>,
}

/// `PATCH /api/v1/organization` (admins).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Zones)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "time_zone": "America/Los_Angeles",
    "holidays": [{"date": "2026-11-26", "name": "Thanksgiving"}, {"date": "2026-12-25", "name": "Christmas Day"}],
    "version": 1
})))]
pub struct OrganizationPatch {
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: Option<String>,
    /// IANA time zone (checked by the server against its tz database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "known_zone", use_context))]
    pub time_zone: Option<String>,
    /// The complete list of holidays (replaces the current one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        nested,
        length(max = 100, message = "must list at most 100 holidays"),
        custom(function = "dates_once")
    )]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub holidays: Option<Vec<Holiday>>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// What checking an organization's settings needs: whether a time zone
/// name exists (the tz database lives on the server, not in the SPA).
#[derive(Debug, Clone)]
pub struct Zones {
    /// Whether `name` is an IANA time zone.
    pub known: fn(&str) -> bool,
}

fn known_zone(zone: &str, zones: &Zones) -> Result<(), ValidationError> {
    if (zones.known)(zone) {
        Ok(())
    } else {
        Err(invalid(
            "unknown",
            "is not an IANA time zone (e.g. America/Chicago)",
        ))
    }
}

fn dates_once(days: &[Holiday]) -> Result<(), ValidationError> {
    let mut dates: Vec<_> = days.iter().map(|h| h.date).collect();
    dates.sort();
    if dates.windows(2).any(|w| w[0] == w[1]) {
        Err(invalid("duplicate", "lists the same date twice"))
    } else {
        Ok(())
    }
}

impl Normalize for OrganizationPatch {
    fn normalized(self) -> OrganizationPatch {
        OrganizationPatch {
            name: self.name.map(|n| n.trim().to_string()),
            time_zone: self.time_zone.map(|z| z.trim().to_string()),
            holidays: self.holidays.map(|days| {
                days.into_iter()
                    .map(|h| Holiday {
                        name: h.name.trim().to_string(),
                        ..h
                    })
                    .collect()
            }),
            ..self
        }
    }
}

/// One care manager's load (`GET /api/v1/team/workload`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workload {
    /// The user.
    pub user_id: UserId,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: crate::auth::Role,
    /// Active patients they are primary care manager of.
    pub active_patients: i64,
    /// Open or in-progress tasks.
    pub open_tasks: i64,
    /// Of those, past due.
    pub overdue_tasks: i64,
    /// Of those, due today (organization's calendar).
    pub due_today: i64,
    /// Transition follow-ups finished in the last 30 days.
    pub transition_followups_done: i64,
    /// Of those, finished within 24 hours of discharge.
    pub transition_followups_on_time: i64,
    /// The on-time share, 0–100 (`null` with none finished).
    pub transition_on_time_percent: Option<u8>,
}

/// The on-time share of transition follow-ups, as a whole percentage.
pub fn on_time_percent(done: i64, on_time: i64) -> Option<u8> {
    percent(on_time, done)
}

/// `part` of `whole` as a whole percentage, rounded down and at most 100
/// (`None` when there is no whole to speak of).
pub fn percent(part: i64, whole: i64) -> Option<u8> {
    (whole > 0).then(|| {
        let share = part.clamp(0, whole) * 100 / whole;
        u8::try_from(share).unwrap_or(100)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_zone_and_a_date_listed_twice_are_rejected() {
        let day: NaiveDate = "2026-11-26".parse().unwrap();
        let patch = OrganizationPatch {
            time_zone: Some("Mars/Olympus".into()),
            holidays: Some(vec![
                Holiday {
                    date: day,
                    name: "Thanksgiving".into(),
                },
                Holiday {
                    date: day,
                    name: "Again".into(),
                },
            ]),
            ..Default::default()
        };
        let zones = Zones {
            known: |z| z == "America/Chicago",
        };
        let fields: Vec<_> = crate::validation::check(patch, &zones)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["holidays", "time_zone"]);
    }

    #[test]
    fn the_on_time_share_is_a_whole_percentage() {
        assert_eq!(on_time_percent(0, 0), None);
        assert_eq!(on_time_percent(3, 2), Some(66));
        assert_eq!(on_time_percent(4, 4), Some(100));
    }
}
