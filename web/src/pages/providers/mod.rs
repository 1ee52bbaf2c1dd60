//! The provider network: the directory with its filters and ranking
//! (`directory`), one provider's page (`page`, with its recruiting log,
//! credentials and referrals in their own modules), the recruiting
//! pipeline (`pipeline`), the provider form (`form`) and what they decide
//! without a browser (`model`).

mod activities;
mod credentials;
mod directory;
mod form;
pub mod model;
mod page;
mod pipeline;
mod referrals;

pub use directory::ProvidersPage;
pub use page::ProviderPage;
pub use pipeline::PipelinePage;
