//! A JSON body extractor whose failures name the offending field: malformed
//! JSON is a 400, a well-formed body with a wrong or missing field a 422 with
//! the field's path, a body that is not JSON a 415 and an oversized one a 413.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use shared::problem::FieldError;

use crate::error::ApiError;

/// The largest JSON body accepted, in bytes.
pub const MAX_JSON_BYTES: usize = 256 * 1024;

/// A deserialized JSON request body.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = match req.mime_type() {
            Ok(Some(mime)) => mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON),
            _ => false,
        };
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType(
                    "Send the body as application/json.".into(),
                ));
            }
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code() == 413 {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest("The request body could not be read.".into())
                }
            })?;
            parse(&bytes).map(Json)
        })
    }
}

/// Deserializes `bytes`, naming the failing field on error. The syntax is
/// checked first (a 400 whatever the shape), then the shape (a 422 naming
/// the field).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("The body is not valid JSON: {e}.")))?;
    if !value.is_object() {
        return Err(ApiError::field("body", "must be a JSON object"));
    }
    // Members in name order, whatever order the client sent (and whether
    // serde_json keeps insertion order): field errors are listed so.
    sort_keys(&mut value);
    let mut refused = Vec::new();
    check_strings(&value, "", &mut refused);
    if !refused.is_empty() {
        return Err(ApiError::Validation(refused));
    }
    whole_numbers_as_integers(&mut value);
    let mut unknown = Vec::new();
    let mut on_unknown =
        |path: serde_ignored::Path<'_>| unknown.push(FieldError::new(field_path(&path), UNKNOWN));
    let parsed: T = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(
        Objects(value),
        &mut on_unknown,
    ))
    .map_err(|err| {
        let path = err.path().to_string();
        ApiError::Validation(vec![field_error(&path, err.inner())])
    })?;
    if unknown.is_empty() {
        Ok(parsed)
    } else {
        Err(ApiError::Validation(unknown))
    }
}

/// `a.b` / `a[2].b`, as every other 422 names a field.
fn field_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", field_path(parent)),
        Path::Map { parent, key } => match field_path(parent) {
            p if p.is_empty() => key.clone(),
            p => format!("{p}.{key}"),
        },
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => field_path(parent),
    }
}

/// What a 422 says of a field the body's type does not have: a misspelt
/// field silently dropped would look like a saved change that never was.
const UNKNOWN: &str = "is not a field of this request";

/// Applies the [`shared::wire`] rules to every string (keys included) in
/// `value`, naming each refused one by its path (`a.b`, `a[2].b`).
fn check_strings(value: &serde_json::Value, path: &str, out: &mut Vec<FieldError>) {
    use serde_json::Value;
    let field = |path: &str| {
        if path.is_empty() {
            "body".to_string()
        } else {
            path.to_string()
        }
    };
    match value {
        Value::String(s) => {
            if let Err(refusal) = shared::wire::check(s) {
                out.push(FieldError::new(field(path), refusal.message()));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_strings(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(members) => {
            for (key, item) in members {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if let Err(refusal) = shared::wire::check(key) {
                    out.push(FieldError::new(
                        field(path),
                        format!("has a field name that {}", refusal.message()),
                    ));
                    continue;
                }
                check_strings(item, &inner, out);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// JSON has one number type, and JSON Schema reads `3.0` as the integer 3:
/// so does the API (serde would refuse `3.0` for an integer field).
/// Numbers with a fraction, and whole ones beyond 64 bits, stay as they are.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(i) = n.as_f64().and_then(whole) {
                *n = i.into();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(members) => members.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// Puts every object's members of `value` in name order (`serde_json` keeps
/// insertion order when a dependency asks for `preserve_order`, as the FHIR
/// model does).
pub fn sort_keys(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Array(items) => items.iter_mut().for_each(sort_keys),
        Value::Object(members) => {
            let mut sorted: Vec<(String, Value)> = std::mem::take(members).into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            for (key, mut member) in sorted {
                sort_keys(&mut member);
                members.insert(key, member);
            }
        }
        _ => {}
    }
}

/// A JSON value that reads a record only from a JSON object. serde would
/// also read one from an array of its fields in order
/// (`"insurance": [null, null]`), which no client means and the document
/// does not allow; everything else reads as `serde_json::Value` reads.
struct Objects(serde_json::Value);

impl<'de> serde::Deserializer<'de> for Objects {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        use serde::de::value::{MapDeserializer, SeqDeserializer};
        use serde_json::Value;
        match self.0 {
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter().map(Objects));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Object(members) => {
                let mut map =
                    MapDeserializer::new(members.into_iter().map(|(k, v)| (k, Objects(v))));
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
            // `arbitrary_precision` (the FHIR model turns it on) hands a
            // number whose text is not its float's shortest form (`1e-05`,
            // `2.50`) to a visitor as a one-entry map, which a field of type
            // f64 refuses; it is read as the number it is instead.
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else if let Some(f) = n.as_f64() {
                    visitor.visit_f64(f)
                } else {
                    Value::Number(n).deserialize_any(visitor)
                }
            }
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            serde_json::Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            serde_json::Value::Array(_) => Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::Seq,
                &visitor,
            )),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

impl serde::de::IntoDeserializer<'_, serde_json::Error> for Objects {
    type Deserializer = Objects;

    fn into_deserializer(self) -> Objects {
        self
    }
}

/// `f` as an `i64` when it is a whole number within its range.
#[expect(
    clippy::float_cmp,
    clippy::cast_possible_truncation,
    reason = "a whole number within i64's range converts exactly"
)]
fn whole(f: f64) -> Option<i64> {
    let bound = 2f64.powi(63);
    (f.trunc() == f && (-bound..bound).contains(&f)).then_some(f as i64)
}

/// Turns a serde data error at `path` into a field error people can read.
pub fn field_error(path: &str, err: &dyn std::fmt::Display) -> FieldError {
    let text = err.to_string();
    let message = text.split(" at line ").next().unwrap_or(&text).to_string();
    let join = |field: &str| match path {
        "." | "" => field.to_string(),
        p => format!("{p}.{field}"),
    };
    if let Some(missing) = message
        .strip_prefix("missing field `")
        .and_then(|s| s.split('`').next())
    {
        return FieldError::new(join(missing), "is required");
    }
    let field = match path {
        "." | "" => "body".to_string(),
        p => p.to_string(),
    };
    FieldError::new(field, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn a_number_in_any_spelling_reads_as_a_float() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Point {
            latitude: f64,
            longitude: f64,
        }
        for (body, want) in [
            (
                r#"{"latitude": -1e-05, "longitude": 2.50}"#,
                (-0.00001, 2.5),
            ),
            (
                r#"{"latitude": 44.9429, "longitude": -123}"#,
                (44.9429, -123.0),
            ),
            (r#"{"latitude": 1E2, "longitude": 0.0}"#, (100.0, 0.0)),
        ] {
            let p: Point = parse(body.as_bytes()).unwrap_or_else(|e| panic!("{body}: {e:?}"));
            assert_eq!((p.latitude, p.longitude), want, "{body}");
        }
    }

    #[derive(Debug, Deserialize)]
    #[expect(dead_code, reason = "only deserialized, to see which field fails")]
    struct Body {
        name: String,
        inner: Inner,
        #[serde(default)]
        list: Option<Vec<Inner>>,
    }

    #[derive(Debug, Deserialize)]
    #[expect(dead_code, reason = "only deserialized, to see which field fails")]
    struct Inner {
        count: u8,
    }

    fn fields(e: ApiError) -> Vec<(String, String)> {
        match e {
            ApiError::Validation(errs) => errs.into_iter().map(|e| (e.field, e.message)).collect(),
            other => panic!("expected validation, got {other:?}"),
        }
    }

    #[test]
    fn a_whole_number_written_with_a_fraction_is_an_integer() {
        #[derive(Debug, Deserialize)]
        struct Versioned {
            version: i32,
            minutes: Option<i32>,
        }
        let v = parse::<Versioned>(br#"{"version": 3.0, "minutes": -0.0}"#).unwrap();
        assert_eq!((v.version, v.minutes), (3, Some(0)));
        assert!(parse::<Versioned>(br#"{"version": 3.5}"#).is_err());
        assert!(parse::<Versioned>(br#"{"version": 1e300}"#).is_err());
    }

    #[test]
    fn a_record_is_read_only_from_an_object() {
        let err = parse::<Body>(br#"{"name": "a", "inner": [3]}"#).unwrap_err();
        assert_eq!(fields(err)[0].0, "inner");
        let err = parse::<Body>(br#"{"name": "a", "inner": {"count": 1}, "list": [[2]]}"#);
        assert_eq!(fields(err.unwrap_err())[0].0, "list[0]");
        let ok = parse::<Body>(br#"{"name": "a", "inner": {"count": 1}, "list": [{"count": 2}]}"#);
        assert!(ok.is_ok());
    }

    #[test]
    fn a_missing_field_is_named_with_its_path() {
        let err = parse::<Body>(br#"{"name": "a", "inner": {}}"#).unwrap_err();
        assert_eq!(
            fields(err),
            vec![("inner.count".into(), "is required".into())]
        );
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named_and_explained() {
        let err = parse::<Body>(br#"{"name": 5, "inner": {"count": 1}}"#).unwrap_err();
        let f = fields(err);
        assert_eq!(f[0].0, "name");
        assert!(f[0].1.contains("invalid type"), "{}", f[0].1);
        assert!(!f[0].1.contains("line"), "{}", f[0].1);
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            parse::<Body>(b"{\"name\": "),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse::<Body>(b"{} trailing"),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn a_body_of_the_wrong_shape_names_the_body() {
        let f = fields(parse::<Body>(b"[1, 2]").unwrap_err());
        assert_eq!(f[0].0, "body");
    }

    #[test]
    fn control_characters_and_absurd_dates_anywhere_are_422s_naming_each_path() {
        let err = parse::<serde_json::Value>(
            br#"{"name": "a\u0000b", "list": [{"at": "-4800-01-01T00:00:00Z"}], "ok": "fine\nline"}"#,
        )
        .unwrap_err();
        assert_eq!(
            fields(err).into_iter().map(|(f, _)| f).collect::<Vec<_>>(),
            ["list[0].at", "name"]
        );
    }

    #[test]
    fn a_field_the_type_does_not_have_is_a_422_naming_it_with_its_path() {
        let err =
            parse::<Body>(br#"{"name": "a", "nmae": "b", "inner": {"count": 1, "cuont": 2}, "list": [{"count": 1, "x": 0}]}"#)
                .unwrap_err();
        assert_eq!(
            fields(err),
            [
                ("inner.cuont".to_string(), UNKNOWN.to_string()),
                ("list[0].x".to_string(), UNKNOWN.to_string()),
                ("nmae".to_string(), UNKNOWN.to_string())
            ]
        );
    }
}
