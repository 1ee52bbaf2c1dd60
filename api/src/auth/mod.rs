//! Authentication: password login, short-lived JWT access tokens, rotating
//! refresh tokens with reuse detection, API keys, and the `Caller` every
//! protected handler receives.

pub mod guard;
pub mod lockout;
pub mod passwords;
pub mod principal;
pub mod routes;
pub mod service;
pub mod sessions;
pub mod store;
pub mod tokens;

pub use principal::{
    Access, Authorized, Caller, Confirm, Principal, Reading, RequestMeta, SessionKey,
};
