//! Turns the README's ```rust blocks into modules the `readme` test runs:
//! each block becomes `mod example_N { <block> }` exactly as printed, except
//! that a string literal beginning with the emulator address the README shows
//! (`"http://127.0.0.1:4010...`) becomes a call returning the same URL on the
//! test's emulator.

use std::fmt::Write as _;
use std::path::Path;

/// The emulator address the README's examples use.
const README_ADDRESS: &str = "http://127.0.0.1:4010";

fn main() {
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    println!("cargo::rerun-if-changed={}", readme_path.display());
    let readme = match std::fs::read_to_string(&readme_path) {
        Ok(text) => text,
        Err(e) => panic!("cannot read {}: {e}", readme_path.display()),
    };
    let mut out = String::new();
    let mut runners = String::new();
    for (n, block) in rust_blocks(&readme).iter().enumerate() {
        let _ = writeln!(
            out,
            "#[allow(clippy::all)]\npub mod example_{n} {{\n{}\n/// Runs the example.\npub fn run() -> Result<(), String> {{\n    crate::Outcome::into_result(main())\n}}\n}}\n",
            substitute_address(block)
        );
        let _ = writeln!(runners, "    (\"example_{n}\", example_{n}::run),");
    }
    let _ = writeln!(
        out,
        "/// Runs one example's `main`.\npub type Run = fn() -> Result<(), String>;\n\n/// Each example's runner, by module name.\npub const MAINS: &[(&str, Run)] = &[\n{runners}];"
    );
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| panic!("OUT_DIR is not set"));
    let path = Path::new(&out_dir).join("readme_examples.rs");
    if let Err(e) = std::fs::write(&path, out) {
        panic!("cannot write {}: {e}", path.display());
    }
}

/// The contents of every fenced block whose info string is `rust` (or starts with `rust,`).
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            None => {
                if let Some(info) = line.strip_prefix("```")
                    && (info == "rust" || info.starts_with("rust,"))
                {
                    current = Some(String::new());
                }
            }
            Some(block) if line == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

/// `"http://127.0.0.1:4010<rest>"` becomes `crate::emulator_url("<rest>")`.
fn substitute_address(code: &str) -> String {
    let needle = format!("\"{README_ADDRESS}");
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(&needle) {
        out.push_str(&rest[..at]);
        let after = &rest[at + needle.len()..];
        let end = after.find('"').unwrap_or(after.len());
        let _ = write!(out, "crate::emulator_url(\"{}\")", &after[..end]);
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}
