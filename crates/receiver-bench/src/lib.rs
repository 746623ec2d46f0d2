//! Bench-only package: see `benches/verify.rs`.
