//! Lists that page. A list that can grow (batches, over 30 years and a network of sites)
//! answers at most one page: `limit` rows (50 unless asked, at most 500) after an opaque
//! `cursor`, with the cursor of the next page and the count of every row the filter matches.
//! A cursor is the key of the last row shown, so a row added or gone between two pages moves
//! nothing else: no row is shown twice or skipped, as offsets would.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// What a cursor says before its key: the format, so that a later one can be told apart.
const CURSOR_FORMAT: &str = "k1:";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PageError {
    #[error("`limit` must be a whole number from 1 to {MAX_LIMIT}, not {0:?}")]
    Limit(String),
    #[error("`cursor` {0:?} is not one this list gave; start again without it")]
    Cursor(String),
    #[error("`{field}` must be a date written YYYY-MM-DD, not {given:?}")]
    Date { field: &'static str, given: String },
    #[error("`from` ({from}) is after `to` ({to})")]
    Reversed { from: NaiveDate, to: NaiveDate },
}

/// A page asked for wrongly is the caller's mistake, answered `400` with the sentence.
impl From<PageError> for crate::error::AppError {
    fn from(e: PageError) -> Self {
        crate::error::AppError::BadRequest(e.to_string())
    }
}

/// Which page: at most `limit` rows whose key comes after `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSpec {
    pub limit: i64,
    pub after: Option<String>,
}

impl Default for PageSpec {
    fn default() -> Self {
        PageSpec {
            limit: DEFAULT_LIMIT,
            after: None,
        }
    }
}

impl PageSpec {
    /// From a request's `limit` and `cursor`, as typed.
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<PageSpec, PageError> {
        let limit = match limit.map(str::trim).filter(|l| !l.is_empty()) {
            None => DEFAULT_LIMIT,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| PageError::Limit(raw.to_owned()))?,
        };
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(raw) => Some(key_of(raw).ok_or_else(|| PageError::Cursor(raw.to_owned()))?),
        };
        Ok(PageSpec { limit, after })
    }

    /// How many rows to ask the database for: one more than a page, to know whether another
    /// follows.
    pub fn fetch(&self) -> i64 {
        self.limit.saturating_add(1)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// The cursor of the next page; `None` on the last.
    pub next: Option<String>,
    /// Every row the filter matches, on all pages.
    pub total: i64,
}

impl<T> Page<T> {
    /// The page out of `fetched` (up to `spec.fetch()` rows in key order).
    pub fn of(
        mut fetched: Vec<T>,
        spec: &PageSpec,
        total: i64,
        key: impl Fn(&T) -> String,
    ) -> Page<T> {
        let limit = usize::try_from(spec.limit).unwrap_or(usize::MAX);
        let next = if fetched.len() > limit {
            fetched.truncate(limit);
            fetched.last().map(|last| cursor_after(&key(last)))
        } else {
            None
        };
        Page {
            rows: fetched,
            next,
            total,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            rows: self.rows.into_iter().map(f).collect(),
            next: self.next,
            total: self.total,
        }
    }
}

/// The key of a row in a list ordered by batch and then by a number within it
/// (`B-2026-00001/3`); batch numbers hold no `/`.
pub fn batch_and_number(batch_number: &str, number: i32) -> String {
    format!("{batch_number}/{number}")
}

/// The batch number and number of a key made by [`batch_and_number`].
pub fn split_batch_and_number(key: &str) -> Option<(String, i32)> {
    let (batch, number) = key.rsplit_once('/')?;
    Some((batch.to_owned(), number.parse().ok()?))
}

/// The cursor of the page after the row with this key.
pub fn cursor_after(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_FORMAT}{key}"))
}

fn key_of(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix(CURSOR_FORMAT).map(str::to_owned)
}

/// A range of days, both ends included, as bounds on RFC 3339 UTC timestamps: at or after
/// `from` 00:00, before the day after `to`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DayRange {
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<DayRange, PageError> {
        let day = |field: &'static str, given: Option<&str>| {
            given
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(|g| {
                    NaiveDate::parse_from_str(g, "%Y-%m-%d").map_err(|_| PageError::Date {
                        field,
                        given: g.to_owned(),
                    })
                })
                .transpose()
        };
        let range = DayRange {
            from: day("from", from)?,
            to: day("to", to)?,
        };
        match (range.from, range.to) {
            (Some(from), Some(to)) if from > to => Err(PageError::Reversed { from, to }),
            _ => Ok(range),
        }
    }

    /// The first timestamp inside the range, if it has a start.
    pub fn at_or_after(&self) -> Option<String> {
        self.from.map(|d| d.format("%Y-%m-%d").to_string())
    }

    /// The first timestamp after the range, if it has an end. RFC 3339 timestamps in UTC
    /// compare as text in time order, and a day written alone sorts before its own times.
    pub fn before(&self) -> Option<String> {
        self.to
            .and_then(|d| d.succ_opt())
            .map(|d| d.format("%Y-%m-%d").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_gives_back_the_key_it_was_made_of() {
        let spec = PageSpec::parse(Some("20"), Some(&cursor_after("B-2026-0042"))).unwrap();
        assert_eq!(spec.limit, 20);
        assert_eq!(spec.after.as_deref(), Some("B-2026-0042"));
    }

    #[test]
    fn a_limit_outside_one_to_five_hundred_or_a_cursor_never_given_is_refused() {
        for bad in ["0", "501", "-1", "ten", "2.5"] {
            assert_eq!(
                PageSpec::parse(Some(bad), None),
                Err(PageError::Limit(bad.to_owned()))
            );
        }
        assert_eq!(PageSpec::parse(Some("500"), None).unwrap().limit, 500);
        assert_eq!(PageSpec::parse(None, None).unwrap(), PageSpec::default());
        let made_up = URL_SAFE_NO_PAD.encode("B-1");
        for bad in ["%%%", made_up.as_str()] {
            assert!(matches!(
                PageSpec::parse(None, Some(bad)),
                Err(PageError::Cursor(_))
            ));
        }
    }

    #[test]
    fn a_page_holds_at_most_its_limit_and_names_the_next_only_when_one_follows() {
        let spec = PageSpec {
            limit: 2,
            after: None,
        };
        let rows = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let page = Page::of(rows.clone(), &spec, 3, String::clone);
        assert_eq!(page.rows, ["a", "b"]);
        assert_eq!(page.next, Some(cursor_after("b")));
        let last = Page::of(rows[2..].to_vec(), &spec, 3, String::clone);
        assert_eq!((last.rows.len(), last.next), (1, None));
    }

    #[test]
    fn a_batch_and_number_key_splits_back_into_both() {
        let key = batch_and_number("B-2026-00012", 3);
        assert_eq!(
            split_batch_and_number(&key),
            Some(("B-2026-00012".to_owned(), 3))
        );
        assert_eq!(split_batch_and_number("B-2026-00012"), None);
        assert_eq!(split_batch_and_number("B-2026-00012/x"), None);
    }

    #[test]
    fn a_day_range_includes_both_days_whole() {
        let range = DayRange::parse(Some("2026-12-01"), Some("2026-12-31")).unwrap();
        assert_eq!(range.at_or_after().as_deref(), Some("2026-12-01"));
        assert_eq!(range.before().as_deref(), Some("2027-01-01"));
        let late = "2026-12-31T23:59:59.999999Z";
        assert!(late < range.before().unwrap().as_str());
        assert!("2026-12-01T00:00:00.000000Z" >= range.at_or_after().unwrap().as_str());
        assert!(matches!(
            DayRange::parse(Some("2026-12-02"), Some("2026-12-01")),
            Err(PageError::Reversed { .. })
        ));
        assert!(matches!(
            DayRange::parse(Some("1.12.2026"), None),
            Err(PageError::Date { field: "from", .. })
        ));
    }
}
