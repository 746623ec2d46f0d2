//! The demo is the product's smoke test: the real binary, the whole story.

use std::process::Command;

#[test]
fn the_demo_passes_every_step() {
    let output = Command::new(env!("CARGO_BIN_EXE_cs-webhooks"))
        .arg("demo")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "status {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    for line in [
        "[1/7] start the emulator",
        "[7/7] export a webhook and import it into a second stack",
        "verified=rsa,hmac",
        "the breaker tripped: disabled=true unhealthy=true",
        "All 7 steps passed",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
}
