//! Keyset pagination, the one way every list pages: the `limit` and
//! `cursor` query parameters ([`PageQuery`]) become a [`Paging`] holding the
//! checked page size and the decoded sort key to continue after; the store
//! fetches one row more than the page, and [`Paging::page`] turns that into
//! the page and its `next_cursor`.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::pagination::{Page, PageQuery, checked_limit};

use crate::error::{ApiError, ApiResult};
use crate::http::{cursor, query};

/// A checked page request over a list sorted by the key `K`.
#[derive(Debug, Clone)]
pub struct Paging<K> {
    /// Items on a page.
    pub limit: i64,
    /// The sort key of the last item of the previous page.
    pub after: Option<K>,
}

impl<K: DeserializeOwned> Paging<K> {
    /// Checks the page size and decodes the cursor (422s naming `limit` or
    /// `cursor`).
    pub fn new(q: PageQuery) -> ApiResult<Paging<K>> {
        Ok(Paging {
            limit: checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?,
            after: cursor::decode_opt(q.cursor.as_deref())?,
        })
    }
}

impl<K> Paging<K> {
    /// The first page of `limit` items.
    pub fn first(limit: i64) -> Paging<K> {
        Paging { limit, after: None }
    }

    /// How many rows a store fetches: one more than the page, to learn
    /// whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The page of `rows` (fetched with [`Paging::fetch`]) and the cursor
    /// to the next one, made from the sort key `key` of its last item.
    pub fn page<T, C: Serialize>(&self, rows: Vec<T>, key: impl Fn(&T) -> C) -> Page<T> {
        let (items, next_cursor) = cursor::page(rows, self.limit, key);
        Page { items, next_cursor }
    }
}

impl<K: DeserializeOwned> FromRequest for Paging<K> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(query::parse::<PageQuery>(req.query_string()).and_then(Paging::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_parameters_mean_the_first_page_of_the_default_size() {
        let p = Paging::<i64>::new(PageQuery::default()).unwrap();
        assert_eq!(
            (p.limit, p.after),
            (shared::pagination::DEFAULT_LIMIT, None)
        );
        assert_eq!(p.fetch(), p.limit + 1);
    }

    #[test]
    fn a_page_continues_after_the_last_key_it_showed() {
        let p = Paging::<i64>::first(2);
        let page = p.page(vec![10, 20, 30], |n| *n);
        assert_eq!(page.items, vec![10, 20]);
        let next = Paging::<i64>::new(PageQuery::after(Some(2), page.next_cursor)).unwrap();
        assert_eq!(next.after, Some(20));
    }

    #[test]
    fn a_bad_limit_or_cursor_names_the_parameter() {
        for (q, field) in [
            (PageQuery::first(0), "limit"),
            (PageQuery::after(None, Some("junk!".into())), "cursor"),
        ] {
            match Paging::<i64>::new(q) {
                Err(ApiError::Validation(e)) => assert_eq!(e[0].field, field),
                other => panic!("{other:?}"),
            }
        }
    }
}
