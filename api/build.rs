//! `embed_migrations!` reads `migrations/` at compile time, but cargo only
//! knows the files it included; a migration added since the last build
//! would be missing from the binary until something else changed. Watching
//! the folder is what diesel's documentation asks of every embedder.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
