//! String formats and `pattern` handling.

/// Formats this crate checks and generates; any other `format` is treated
/// as a plain string.
pub(crate) const KNOWN_STRING_FORMATS: &[&str] = &["date-time", "date", "uuid"];

/// The range of an integer `format` (`int8` ... `int64`, `uint8` ...
/// `uint64`), as code generators map them to sized Rust integers.
pub(crate) fn integer_format_range(format: &str) -> Option<(i128, i128)> {
    Some(match format {
        "int8" => (i128::from(i8::MIN), i128::from(i8::MAX)),
        "int16" => (i128::from(i16::MIN), i128::from(i16::MAX)),
        "int32" => (i128::from(i32::MIN), i128::from(i32::MAX)),
        "int64" => (i128::from(i64::MIN), i128::from(i64::MAX)),
        "uint8" => (0, i128::from(u8::MAX)),
        "uint16" => (0, i128::from(u16::MAX)),
        "uint32" => (0, i128::from(u32::MAX)),
        "uint64" => (0, i128::from(u64::MAX)),
        _ => return None,
    })
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0')),
    )
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` (1-12) of `year`.
pub(crate) fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// RFC 3339 `full-date`: `YYYY-MM-DD`.
pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    match (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10])) {
        (Some(y), Some(m), Some(d)) => (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m),
        _ => false,
    }
}

/// RFC 3339 `date-time`, e.g. `2024-07-11T06:09:00.827Z` or
/// `2024-07-11T08:09:00+02:00`.
pub(crate) fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !s.is_ascii() || !is_date(&s[..10]) || !matches!(b[10], b'T' | b't') {
        return false;
    }
    if b[13] != b':' || b[16] != b':' {
        return false;
    }
    let (Some(h), Some(mi), Some(sec)) =
        (digits(&b[11..13]), digits(&b[14..16]), digits(&b[17..19]))
    else {
        return false;
    };
    if h > 23 || mi > 59 || sec > 60 {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', oh1, oh2, b':', om1, om2] => {
            matches!((digits(&[*oh1, *oh2]), digits(&[*om1, *om2])), (Some(oh), Some(om)) if oh <= 23 && om <= 59)
        }
        _ => false,
    }
}

/// A UUID in its hyphenated textual form (any version).
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Check a known format; `None` when the format is not checked.
pub(crate) fn check_format(format: &str, s: &str) -> Option<Result<(), String>> {
    let (ok, what) = match format {
        "date-time" => (is_date_time(s), "an RFC 3339 date-time"),
        "date" => (is_date(s), "an RFC 3339 full-date"),
        "uuid" => (is_uuid(s), "a UUID"),
        _ => return None,
    };
    Some(if ok {
        Ok(())
    } else {
        Err(format!("{s:?} is not {what} (format {format})"))
    })
}

/// Rewrite an ECMA-262 style `pattern` (as OpenAPI specifies) into the Rust
/// `regex` dialect: `\d` and `\w` are ASCII-only and `.` excludes the
/// ECMA line terminators, as in JavaScript.
pub(crate) fn translate_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('d') if in_class => out.push_str("0-9"),
                Some('d') => out.push_str("[0-9]"),
                Some('D') if !in_class => out.push_str("[^0-9]"),
                Some('w') if in_class => out.push_str("0-9A-Za-z_"),
                Some('w') => out.push_str("[0-9A-Za-z_]"),
                Some('W') if !in_class => out.push_str("[^0-9A-Za-z_]"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                if chars.peek() == Some(&']') {
                    chars.next();
                    out.push_str("\\]");
                }
            }
            '[' => out.push_str("\\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '.' if !in_class => out.push_str("[^\\n\\r\\u{2028}\\u{2029}]"),
            other => out.push(other),
        }
    }
    out
}

/// The pattern without a leading `^` and trailing `$`, which proptest's
/// regex generator cannot handle (a string matching the rest entirely also
/// matches the anchored pattern).
#[cfg(feature = "proptest")]
pub(crate) fn strip_anchors(pattern: &str) -> &str {
    let mut p = pattern;
    p = p.strip_prefix('^').unwrap_or(p);
    if let Some(rest) = p.strip_suffix('$') {
        let backslashes = rest.chars().rev().take_while(|c| *c == '\\').count();
        if backslashes % 2 == 0 {
            p = rest;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times() {
        for ok in [
            "2024-07-11T06:09:00.827Z",
            "2024-02-29T23:59:60Z",
            "2024-07-11t06:09:00z",
            "2024-07-11T06:09:00+02:00",
            "2024-07-11T06:09:00.123456789-05:30",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "",
            "2024-07-11",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-07-11T24:00:00Z",
            "2024-07-11T06:09:00",
            "2024-07-11T06:09:00.Z",
            "2024-07-11T06:09:00+2:00",
            "2024-07-11 06:09:00Z",
            "２０２４-07-11T06:09:00Z",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!is_uuid("123e4567e89b12d3a456426614174000"));
        assert!(!is_uuid("123e4567-e89b-12d3-a456-42661417400g"));
    }

    #[test]
    fn translation() {
        assert_eq!(translate_pattern(r"^\d+$"), "^[0-9]+$");
        assert_eq!(translate_pattern(r"[\d-]"), "[0-9-]");
        assert_eq!(translate_pattern(r"a.b\."), r"a[^\n\r\u{2028}\u{2029}]b\.");
        assert_eq!(translate_pattern(r"[.]"), "[.]");
    }

    #[cfg(feature = "proptest")]
    #[test]
    fn anchors_are_stripped() {
        assert_eq!(strip_anchors("^abc$"), "abc");
        assert_eq!(strip_anchors(r"abc\$"), r"abc\$");
        assert_eq!(strip_anchors(r"abc\\$"), r"abc\\");
    }
}
