//! [`YearMonth`]: the `YYYY-MM` month of cost tasks, and parsing of the instants CloudForet
//! sends (`last_synchronized_at`).

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime};

/// A calendar month, written `YYYY-MM` on the wire (`task_options.month`, `changed.start`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: Month,
}

impl YearMonth {
    /// The month of `year` and `month`.
    pub const fn new(year: i32, month: Month) -> Self {
        Self { year, month }
    }

    /// The month containing `date`.
    pub fn of(date: Date) -> Self {
        Self::new(date.year(), date.month())
    }

    /// Parses `YYYY-MM` (a `YYYY-MM-DD` date is accepted and truncated to its month, as
    /// CloudForet's `DataSource.sync(start)` is sometimes given a day).
    ///
    /// Returns a reason phrased to follow the key name when the text is not a month.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let day = format_description!("[year]-[month]-[day]");
        // `YYYY-MM` alone (checked by length, so `2025-07-1` is not read as a month)...
        if t.len() == 7 {
            if let Ok(d) = Date::parse(&format!("{t}-01"), day) {
                return Ok(Self::of(d));
            }
        } else if let Ok(d) = Date::parse(t, day) {
            // ...or a whole date.
            return Ok(Self::of(d));
        }
        Err(format!("must be a month written YYYY-MM, got {t:?}"))
    }

    /// Year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Month of the year.
    pub fn month(self) -> Month {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> Option<Date> {
        Date::from_calendar_date(self.year, self.month, 1).ok()
    }

    /// The following month.
    #[must_use]
    pub fn next(self) -> Self {
        if self.month == Month::December {
            Self::new(self.year + 1, Month::January)
        } else {
            Self::new(self.year, self.month.next())
        }
    }

    /// The month `n` months earlier.
    #[must_use]
    pub fn minus_months(self, n: u32) -> Self {
        let index = i64::from(self.year) * 12 + i64::from(u8::from(self.month)) - 1 - i64::from(n);
        let year = i32::try_from(index.div_euclid(12)).unwrap_or(i32::MIN);
        let month = u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1);
        Self::new(year, Month::try_from(month).unwrap_or(Month::January))
    }

    /// Every month from `self` to `last`, both included (empty when `last` is earlier).
    pub fn through(self, last: Self) -> impl Iterator<Item = Self> {
        std::iter::successors(Some(self), move |m| Some(m.next()).filter(|n| *n <= last))
            .take_while(move |m| *m <= last)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, u8::from(self.month))
    }
}

/// Parses an instant as CloudForet sends it in `last_synchronized_at`: RFC 3339
/// (`2025-07-03T16:00:12.345Z`), a naive ISO 8601 date-time taken as UTC
/// (`2025-07-03T16:00:12` or with a space), or a bare date (`2025-07-03`, midnight UTC).
pub fn parse_instant(text: &str) -> Result<OffsetDateTime, String> {
    let t = text.trim();
    if let Ok(v) = OffsetDateTime::parse(t, &Rfc3339) {
        return Ok(v);
    }
    let naive = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    ];
    for f in naive {
        if let Ok(v) = PrimitiveDateTime::parse(t, f) {
            return Ok(v.assume_utc());
        }
    }
    if let Ok(d) = Date::parse(t, format_description!("[year]-[month]-[day]")) {
        return Ok(d.midnight().assume_utc());
    }
    Err(format!(
        "must be an ISO 8601 date-time such as 2025-07-03T16:00:00Z, got {t:?}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn parses_and_prints_months() {
        assert_eq!(
            YearMonth::parse("2025-07").unwrap(),
            YearMonth::new(2025, Month::July)
        );
        assert_eq!(
            YearMonth::parse(" 2025-07-19 ").unwrap().to_string(),
            "2025-07"
        );
        for bad in ["", "2025", "2025-13", "2025/07", "July", "2025-7x"] {
            let err = YearMonth::parse(bad).unwrap_err();
            assert!(err.contains("YYYY-MM"), "{bad}: {err}");
        }
        assert_eq!(YearMonth::new(987, Month::March).to_string(), "0987-03");
    }

    #[test]
    fn month_arithmetic() {
        let jan = YearMonth::new(2025, Month::January);
        assert_eq!(jan.minus_months(1), YearMonth::new(2024, Month::December));
        assert_eq!(jan.minus_months(13), YearMonth::new(2023, Month::December));
        assert_eq!(jan.minus_months(0), jan);
        assert_eq!(
            YearMonth::new(2024, Month::December).next(),
            YearMonth::new(2025, Month::January)
        );
        let months: Vec<String> = YearMonth::new(2024, Month::November)
            .through(YearMonth::new(2025, Month::February))
            .map(|m| m.to_string())
            .collect();
        assert_eq!(months, ["2024-11", "2024-12", "2025-01", "2025-02"]);
        assert_eq!(jan.through(jan.minus_months(1)).count(), 0);
        assert_eq!(jan.through(jan).count(), 1);
        assert_eq!(jan.first_day(), Some(date!(2025 - 01 - 01)));
    }

    #[test]
    fn parses_instants() {
        let want = datetime!(2025-07-03 16:00:12 UTC);
        for text in [
            "2025-07-03T16:00:12Z",
            "2025-07-03T18:00:12+02:00",
            "2025-07-03T16:00:12",
            "2025-07-03 16:00:12",
        ] {
            assert_eq!(parse_instant(text).unwrap(), want, "{text}");
        }
        assert_eq!(
            parse_instant("2025-07-03T16:00:12.5Z").unwrap(),
            datetime!(2025-07-03 16:00:12.5 UTC)
        );
        assert_eq!(
            parse_instant("2025-07-03").unwrap(),
            datetime!(2025-07-03 00:00 UTC)
        );
        assert!(parse_instant("yesterday").unwrap_err().contains("ISO 8601"));
    }
}
