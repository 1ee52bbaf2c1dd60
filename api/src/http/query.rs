//! A query-string extractor whose failures are 422s naming the parameter.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};
use serde::de::DeserializeOwned;
use shared::problem::FieldError;

use crate::error::ApiError;
use crate::http::json::field_error;

/// Deserialized query parameters.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Parses a query string, naming the failing parameter on error.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let refused: Vec<FieldError> = form_urlencoded::parse(query.as_bytes())
        .filter_map(|(name, value)| {
            let refusal = shared::wire::check(&name)
                .and_then(|()| shared::wire::check(&value))
                .err()?;
            Some(FieldError::new(name, refusal.message()))
        })
        .collect();
    if !refused.is_empty() {
        return Err(ApiError::Validation(refused));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let mut fe = field_error(&path, err.inner());
        if fe.field == "body" {
            fe.field = "query".into();
        }
        ApiError::Validation(vec![fe])
    })
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::pagination::PageQuery;
    use shared::patients::PatientListQuery;

    #[test]
    fn known_parameters_parse() {
        let q: PatientListQuery = parse("q=smi&status=active&limit=10").unwrap();
        assert_eq!(q.q.as_deref(), Some("smi"));
        let page: PageQuery = parse("q=smi&status=active&limit=10").unwrap();
        assert_eq!(page.limit, Some(10));
    }

    #[test]
    fn a_control_character_or_an_absurd_date_is_a_422_naming_the_parameter() {
        for query in ["q=%00", "q=a%07b", "to=%2B262142-12-31", "from=-4800-01-01"] {
            match parse::<PatientListQuery>(query) {
                Err(ApiError::Validation(errs)) => {
                    assert_eq!(errs[0].field, query.split('=').next().unwrap(), "{query}");
                }
                other => panic!("{query}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_bad_parameter_value_is_a_422_naming_it() {
        match parse::<PatientListQuery>("status=sleeping") {
            Err(ApiError::Validation(errs)) => {
                assert_eq!(errs[0].field, "status");
                assert!(
                    errs[0].message.contains("unknown variant"),
                    "{}",
                    errs[0].message
                );
            }
            other => panic!("{other:?}"),
        }
        match parse::<PageQuery>("limit=lots") {
            Err(ApiError::Validation(errs)) => assert_eq!(errs[0].field, "limit"),
            other => panic!("{other:?}"),
        }
    }
}
