//! Lists are pages: never unbounded, always with a cursor to the next page.

use serde::{Deserialize, Serialize};

/// Page size when the client asks for none.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page a client may ask for.
pub const MAX_LIMIT: i64 = 200;

/// One page of a list, in a stable order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The paging parameters every list takes, beside its own filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageQuery {
    /// Page size, 1–200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The first page of `limit` items.
    pub fn first(limit: i64) -> PageQuery {
        PageQuery {
            limit: Some(limit),
            cursor: None,
        }
    }

    /// The page after the one that answered `next_cursor`.
    pub fn after(limit: Option<i64>, next_cursor: Option<String>) -> PageQuery {
        PageQuery {
            limit,
            cursor: next_cursor,
        }
    }
}

/// Checks a requested page size: `None` means the default.
pub fn checked_limit(requested: Option<i64>) -> Result<i64, String> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(format!("must be between 1 and {MAX_LIMIT}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_means_the_default_page_size() {
        assert_eq!(checked_limit(None), Ok(DEFAULT_LIMIT));
    }

    #[test]
    fn limits_from_one_to_the_maximum_are_accepted() {
        assert_eq!(checked_limit(Some(1)), Ok(1));
        assert_eq!(checked_limit(Some(MAX_LIMIT)), Ok(MAX_LIMIT));
    }

    #[test]
    fn zero_negative_and_oversized_limits_are_rejected() {
        assert!(checked_limit(Some(0)).is_err());
        assert!(checked_limit(Some(-5)).is_err());
        assert!(checked_limit(Some(MAX_LIMIT + 1)).is_err());
    }
}
