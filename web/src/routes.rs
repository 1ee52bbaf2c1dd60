//! Typed values read from the address: a path parameter (`/patients/:id`)
//! or a query parameter (`?patient_id=`), parsed once and followed as the
//! address changes. An address whose value does not parse reads as none.

use std::str::FromStr;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The path parameter `name`, parsed (tracked as the address changes).
pub fn use_path_value<T>(name: &'static str) -> Memo<Option<T>>
where
    T: FromStr + PartialEq + Send + Sync + 'static,
{
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get(name)).and_then(|s| s.parse().ok()))
}

/// The query parameter `name`, parsed (tracked as the address changes).
pub fn use_query_value<T>(name: &'static str) -> Memo<Option<T>>
where
    T: FromStr + PartialEq + Send + Sync + 'static,
{
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(name)).and_then(|s| s.parse().ok()))
}
