//! Business days and local time: an organization works Monday to Friday in
//! its own time zone, minus its holidays. Times are stored in UTC; "next
//! business day" is judged on the organization's wall clock. Generic over
//! the time zone so the rules run anywhere (the API passes a real tz).

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Utc,
    Weekday,
};

/// When a "due by end of business" deadline falls, local time.
pub const END_OF_BUSINESS: NaiveTime = match NaiveTime::from_hms_opt(17, 0, 0) {
    Some(t) => t,
    None => panic!("17:00 is a time"),
};

/// Whether people work on `date`.
pub fn is_business_day(date: NaiveDate, holidays: &[NaiveDate]) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&date)
}

/// The first business day strictly after `date`.
pub fn next_business_day(date: NaiveDate, holidays: &[NaiveDate]) -> NaiveDate {
    add_business_days(date, 1, holidays)
}

/// The business day `n` business days after `date` (`n = 0` is `date` itself).
pub fn add_business_days(date: NaiveDate, n: u32, holidays: &[NaiveDate]) -> NaiveDate {
    let mut day = date;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().unwrap_or(day);
        if is_business_day(day, holidays) {
            left -= 1;
        }
    }
    day
}

/// `at` on the organization's wall clock, as the worklist and the huddle
/// word it: "Mon 3/2 14:10".
pub fn wall_clock<Tz: TimeZone>(at: DateTime<Utc>, tz: &Tz) -> String {
    // Written out, not as `format("%a %-m/%-d %H:%M")`: chrono parses a
    // format string on every call, and the worklist words two times per
    // item (about 4 % of a 50-item page's instructions in the server).
    let local = at.with_timezone(tz).naive_local();
    format!(
        "{} {}/{} {:02}:{:02}",
        local.weekday(),
        local.month(),
        local.day(),
        local.hour(),
        local.minute()
    )
}

/// The calendar date at `at` on the organization's wall clock.
pub fn local_date<Tz: TimeZone>(at: DateTime<Utc>, tz: &Tz) -> NaiveDate {
    at.with_timezone(tz).date_naive()
}

/// The UTC instant of wall-clock `time` on `date` in `tz`. In a daylight
/// saving gap the clock jumps forward, so the first valid instant after it
/// is used; in an overlap, the earlier one.
pub fn local_to_utc<Tz: TimeZone>(date: NaiveDate, time: NaiveTime, tz: &Tz) -> DateTime<Utc> {
    let naive = date.and_time(time);
    for shift in 0..4 {
        match tz.from_local_datetime(&(naive + Duration::minutes(30 * shift))) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(early, _) => return early.with_timezone(&Utc),
            // In the daylight-saving gap: try half an hour later.
            LocalResult::None => {}
        }
    }
    naive.and_utc()
}

/// End of the next business day after the local date of `at`: when a
/// missed-appointment follow-up is due.
pub fn due_next_business_day<Tz: TimeZone>(
    at: DateTime<Utc>,
    tz: &Tz,
    holidays: &[NaiveDate],
) -> DateTime<Utc> {
    let day = next_business_day(local_date(at, tz), holidays);
    local_to_utc(day, END_OF_BUSINESS, tz)
}

/// The last second of the local day of `at`: when same-day work (a
/// safety follow-up) is due.
pub fn end_of_local_day<Tz: TimeZone>(at: DateTime<Utc>, tz: &Tz) -> DateTime<Utc> {
    end_of_date(local_date(at, tz), tz)
}

/// The last second of `date` in `tz`: when work due "on" a date (a
/// care-plan review, a screening) is due.
pub fn end_of_date<Tz: TimeZone>(date: NaiveDate, tz: &Tz) -> DateTime<Utc> {
    let last = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(END_OF_BUSINESS);
    local_to_utc(date, last, tz)
}

/// Whether `due` falls on the local date of `now` (for "due today" counts).
pub fn is_same_local_day<Tz: TimeZone>(due: DateTime<Utc>, now: DateTime<Utc>, tz: &Tz) -> bool {
    local_date(due, tz) == local_date(now, tz)
}

/// A span of time for people: "45 min", "5 h", "2 d 3 h".
pub fn humanize(span: Duration) -> String {
    let minutes = span.num_minutes().abs();
    if minutes < 60 {
        format!("{} min", minutes.max(1))
    } else if minutes < 24 * 60 {
        format!("{} h", minutes / 60)
    } else {
        let days = minutes / (24 * 60);
        let hours = (minutes % (24 * 60)) / 60;
        if hours == 0 {
            format!("{days} d")
        } else {
            format!("{days} d {hours} h")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{Los_Angeles, New_York};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_time_is_worded_on_the_organizations_wall_clock_with_its_weekday() {
        // 02:30 UTC on a Tuesday is still Monday evening in New York.
        assert_eq!(
            wall_clock(utc("2026-03-03T02:30:00Z"), &New_York),
            "Mon 3/2 21:30"
        );
    }

    #[test]
    fn the_wall_clock_wording_is_the_strftime_one_at_every_hour_of_a_year() {
        let start = utc("2026-01-01T00:07:00Z");
        for hours in 0..24 * 366 {
            let at = start + Duration::hours(hours) + Duration::minutes(hours % 53);
            assert_eq!(
                wall_clock(at, &New_York),
                at.with_timezone(&New_York)
                    .format("%a %-m/%-d %H:%M")
                    .to_string(),
                "{at}"
            );
        }
    }

    #[test]
    fn same_day_work_is_due_at_the_last_second_of_the_local_day_not_the_utc_one() {
        // 20:00 in Los Angeles is already the next day in UTC.
        let at = utc("2026-03-03T04:00:00Z");
        assert_eq!(
            end_of_local_day(at, &Los_Angeles),
            utc("2026-03-03T07:59:59Z")
        );
        assert_eq!(end_of_local_day(at, &New_York), utc("2026-03-03T04:59:59Z"));
    }

    #[test]
    fn weekdays_are_business_days_and_weekends_are_not() {
        assert!(is_business_day(d(2026, 11, 23), &[])); // Monday
        assert!(!is_business_day(d(2026, 11, 28), &[])); // Saturday
        assert!(!is_business_day(d(2026, 11, 29), &[])); // Sunday
    }

    #[test]
    fn the_business_day_after_friday_is_monday() {
        assert_eq!(next_business_day(d(2026, 11, 27), &[]), d(2026, 11, 30));
        assert_eq!(next_business_day(d(2026, 11, 28), &[]), d(2026, 11, 30));
        assert_eq!(next_business_day(d(2026, 11, 23), &[]), d(2026, 11, 24));
    }

    #[test]
    fn holidays_are_skipped_like_weekends() {
        let thanksgiving = [d(2026, 11, 26), d(2026, 11, 27)];
        assert_eq!(
            next_business_day(d(2026, 11, 25), &thanksgiving),
            d(2026, 11, 30)
        );
        let monday_holiday = [d(2026, 11, 30)];
        assert_eq!(
            next_business_day(d(2026, 11, 27), &monday_holiday),
            d(2026, 12, 1)
        );
    }

    #[test]
    fn business_days_add_up_across_weekends() {
        assert_eq!(add_business_days(d(2026, 11, 26), 2, &[]), d(2026, 11, 30));
        assert_eq!(add_business_days(d(2026, 11, 26), 0, &[]), d(2026, 11, 26));
    }

    #[test]
    fn a_friday_evening_in_los_angeles_is_already_saturday_in_utc_but_friday_locally() {
        // Friday 2026-11-27 20:30 PST = Saturday 04:30 UTC.
        let at = utc("2026-11-28T04:30:00Z");
        let due = due_next_business_day(at, &Los_Angeles, &[]);
        // Monday 17:00 PST = Tuesday 01:00 UTC.
        assert_eq!(due, utc("2026-12-01T01:00:00Z"));
    }

    #[test]
    fn the_same_instant_is_due_on_different_days_in_different_zones() {
        // Monday 06:00 UTC is Monday 01:00 in New York but still Sunday 22:00 in Los Angeles.
        let at = utc("2026-11-23T06:00:00Z");
        assert_eq!(
            due_next_business_day(at, &New_York, &[]),
            utc("2026-11-24T22:00:00Z")
        );
        assert_eq!(
            due_next_business_day(at, &Los_Angeles, &[]),
            utc("2026-11-24T01:00:00Z")
        );
    }

    #[test]
    fn deadlines_keep_to_five_pm_local_across_daylight_saving_changes() {
        // DST ends 2026-11-01 in the US: 17:00 is UTC-8 after, UTC-7 before.
        let before = due_next_business_day(utc("2026-10-29T18:00:00Z"), &Los_Angeles, &[]);
        let after = due_next_business_day(utc("2026-11-02T18:00:00Z"), &Los_Angeles, &[]);
        assert_eq!(before, utc("2026-10-31T00:00:00Z"));
        assert_eq!(after, utc("2026-11-04T01:00:00Z"));
    }

    #[test]
    fn a_wall_clock_time_inside_a_spring_forward_gap_moves_to_the_first_valid_instant() {
        // 2026-03-08 02:30 does not exist in Los Angeles; 03:00 PDT = 10:00 UTC.
        let t = local_to_utc(
            d(2026, 3, 8),
            NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            &Los_Angeles,
        );
        assert_eq!(t, utc("2026-03-08T10:00:00Z"));
    }

    #[test]
    fn due_today_is_judged_on_the_local_calendar() {
        let now = utc("2026-11-24T06:00:00Z"); // Monday 22:00 in Los Angeles
        assert!(is_same_local_day(
            utc("2026-11-24T07:30:00Z"),
            now,
            &Los_Angeles
        )); // Mon 23:30
        assert!(!is_same_local_day(
            utc("2026-11-24T08:30:00Z"),
            now,
            &Los_Angeles
        )); // Tue 00:30
    }

    #[test]
    fn spans_read_naturally() {
        assert_eq!(humanize(Duration::minutes(0)), "1 min");
        assert_eq!(humanize(Duration::minutes(45)), "45 min");
        assert_eq!(humanize(Duration::minutes(5 * 60 + 10)), "5 h");
        assert_eq!(humanize(Duration::hours(51)), "2 d 3 h");
        assert_eq!(humanize(Duration::hours(-48)), "2 d");
    }
}
