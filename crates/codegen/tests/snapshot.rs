//! The generated code is snapshot-tested: any change to the spec or to the
//! generator shows up here as a diff that must be accepted on purpose.

use std::path::PathBuf;

fn spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi/webhooks.yaml")
}

/// Compares with insta; on a difference, fails with the command that fixes it.
fn assert_fresh(name: &str, generated: &str) {
    let outcome = std::panic::catch_unwind(|| {
        insta::assert_snapshot!(name, generated);
    });
    if outcome.is_err() {
        panic!(
            "\n\nThe generated `{name}` code differs from its snapshot (the spec or the generator \
             changed).\nReview the diff above; if it is intended, run:\n\n    cargo xtask codegen\n\n\
             and commit the updated snapshot.\n"
        );
    }
}

#[test]
fn generated_types_match_the_snapshot() {
    let generated = match cs_webhooks_codegen::generate_types_file(&spec_path()) {
        Ok(source) => source,
        Err(error) => panic!("the spec does not generate: {error}"),
    };
    assert_fresh("types", &generated);
}

#[test]
fn generated_operations_match_the_snapshot() {
    let generated = match cs_webhooks_codegen::generate_operations_file(&spec_path()) {
        Ok(source) => source,
        Err(error) => panic!("the spec does not generate: {error}"),
    };
    assert_fresh("operations", &generated);
}
