//! The emulator validates with `cs-webhooks-schema` at run time, without its
//! `proptest` feature: a test framework has no place in the binary.

use std::process::Command;

#[test]
fn the_emulator_does_not_depend_on_proptest() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none"])
        .args(["-p", env!("CARGO_PKG_NAME")])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tree.contains("cs-webhooks-schema"), "{tree}");
    assert!(!tree.contains("proptest"), "{tree}");
}
