//! Generates the model types from the spec that travels inside this package
//! (`openapi/webhooks.yaml`, a link to the workspace's spec).

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let spec = manifest_dir.join("openapi").join("webhooks.yaml");
    println!("cargo:rerun-if-changed={}", spec.display());
    println!("cargo:rerun-if-changed=build.rs");
    let source = match cs_webhooks_codegen::generate_types_file(&spec) {
        Ok(source) => source,
        Err(error) => cs_webhooks_codegen::fail_build(&error),
    };
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(error) = std::fs::write(out_dir.join("types.rs"), source) {
        eprintln!(
            "error: cannot write {}/types.rs: {error}",
            out_dir.display()
        );
        std::process::exit(1);
    }
}
