//! Build script: rebuild when the embedded sqlx migrations change.

fn main() {
    // Migrations are embedded by sqlx::migrate!: rebuild when they change.
    println!("cargo:rerun-if-changed=migrations");
}
