//! `embed_migrations!` reads the migration directories at compile time; without this a new
//! migration directory would not be noticed and the binary would embed the old set.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
