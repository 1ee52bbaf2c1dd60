//! HTTP plumbing shared by every domain module: middleware, extractors that
//! turn bad input into precise problems, versioning and pagination helpers.

pub mod batch;
pub mod concurrency;
pub mod cursor;
pub mod fallback;
pub mod flow;
pub mod json;
pub mod methods;
pub mod paging;
pub mod query;
pub mod request_id;
pub mod security;

pub use concurrency::{ETagged, IfMatch};
pub use json::Json;
pub use paging::Paging;
pub use query::Query;
