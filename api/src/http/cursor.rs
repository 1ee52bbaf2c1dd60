//! Opaque keyset-pagination cursors: the sort key of the last row served,
//! as base64url JSON. Clients pass them back untouched.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Encodes a sort key as a cursor.
pub fn encode<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Decodes a cursor; a tampered or foreign cursor is a 422 on `cursor`.
pub fn decode<K: DeserializeOwned>(cursor: &str) -> Result<K, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::field("cursor", "is not a cursor this list issued"))
}

/// Decodes an optional cursor.
pub fn decode_opt<K: DeserializeOwned>(cursor: Option<&str>) -> Result<Option<K>, ApiError> {
    cursor.map(decode).transpose()
}

/// Splits one extra fetched row off `rows` (fetch `limit + 1` to learn whether
/// a next page exists) and makes the cursor from the last row kept.
pub fn page<T, K: Serialize>(
    mut rows: Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> K,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(|r| encode(&key(r)));
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips() {
        let c = encode(&("smith", 42));
        assert_eq!(
            decode::<(String, i32)>(&c).unwrap(),
            ("smith".to_string(), 42)
        );
    }

    /// A cursor's float (the directory's score) must come back to the
    /// bit: one a unit in the last place higher puts the page's last
    /// provider after the cursor again, and a walk in pages of one never
    /// ends.
    #[test]
    fn every_float_comes_back_from_a_cursor_to_the_bit() {
        // Scores run from 0 to 120; walk their bit patterns with a stride
        // that touches every digit of the mantissa.
        let low = 1.0e-3_f64.to_bits();
        let high = 120.0_f64.to_bits();
        let stride = ((high - low) / 400_000) | 1;
        let mut bits = low;
        while bits < high {
            let score = f64::from_bits(bits);
            let back: (f64, String) = decode(&encode(&(score, "x"))).unwrap();
            assert_eq!(
                back.0.to_bits(),
                bits,
                "{score:e} came back as {:e}",
                back.0
            );
            bits += stride;
        }
    }

    #[test]
    fn a_tampered_cursor_is_a_422_on_cursor() {
        match decode::<(String, i32)>("not-a-cursor!") {
            Err(ApiError::Validation(e)) => assert_eq!(e[0].field, "cursor"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_page_has_a_next_cursor_only_when_more_rows_exist() {
        let (rows, next) = page(vec![1, 2, 3], 2, |r| *r);
        assert_eq!(rows, vec![1, 2]);
        assert_eq!(decode::<i32>(&next.unwrap()).unwrap(), 2);
        let (rows, next) = page(vec![1, 2], 2, |r| *r);
        assert_eq!(rows, vec![1, 2]);
        assert!(next.is_none());
    }
}
