//! A small xorshift generator: retry jitter and multipart boundaries need
//! numbers that differ between calls and threads, not cryptographic ones,
//! and this avoids a dependency.

use std::cell::Cell;
use std::time::SystemTime;

/// The next pseudo-random 64 bits of this thread's generator.
pub(crate) fn next_u64() -> u64 {
    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            let nanos = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0x9E37_79B9_7F4A_7C15);
            nanos | 1
        });
    }
    STATE.with(|state| {
        let mut x = state.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state.set(x);
        x
    })
}

/// A sample in `[0, 1)`.
pub(crate) fn unit_sample() -> f64 {
    (next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_in_the_unit_interval_and_vary() {
        let samples: Vec<f64> = (0..1000).map(|_| unit_sample()).collect();
        assert!(samples.iter().all(|s| (0.0..1.0).contains(s)));
        assert!(samples.windows(2).any(|w| w[0] != w[1]));
    }
}
