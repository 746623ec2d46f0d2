//! The body as JavaScript's `JSON.stringify(JSON.parse(body))` writes it:
//! compact, keys in their original order, strings escaped as JSON.stringify
//! does, numbers as JavaScript prints doubles.
//!
//! Contentstack's Node sample verifies the signature over that form, so a
//! delivery whose body was re-serialised on the way (a proxy, a framework that
//! parsed and re-encoded it) can still verify. The bytes are streamed straight
//! from the parser to the output, so key order is kept without an ordered map.
//! Duplicate keys are all kept (JavaScript would keep the last): such a body
//! then simply fails this fallback.

use std::fmt::Write as _;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// The compact form of `body`, or `None` when it is not JSON.
pub(crate) fn js_compact(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut de = serde_json::Deserializer::from_slice(body);
    Transcode(&mut out).deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(out)
}

/// Writes one JSON value to the buffer as it is read.
struct Transcode<'a>(&'a mut Vec<u8>);

impl<'de> DeserializeSeed<'de> for Transcode<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Transcode<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.0.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        // JavaScript numbers are doubles: large integers print rounded.
        write_js_number(self.0, v as f64);
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        write_js_number(self.0, v as f64);
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        write_js_number(self.0, v);
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        write_string(self.0, v).map_err(E::custom)
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.push(b'[');
        let mut first = true;
        loop {
            let at = self.0.len();
            if !first {
                self.0.push(b',');
            }
            if seq.next_element_seed(Transcode(self.0))?.is_none() {
                self.0.truncate(at);
                break;
            }
            first = false;
        }
        self.0.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.push(b'{');
        let mut first = true;
        loop {
            let at = self.0.len();
            if !first {
                self.0.push(b',');
            }
            if map.next_key_seed(Key(self.0))?.is_none() {
                self.0.truncate(at);
                break;
            }
            self.0.push(b':');
            map.next_value_seed(Transcode(self.0))?;
            first = false;
        }
        self.0.push(b'}');
        Ok(())
    }
}

/// Writes an object key (always a string in JSON).
struct Key<'a>(&'a mut Vec<u8>);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        write_string(self.0, v).map_err(E::custom)
    }
}

/// JSON.stringify's escaping is serde_json's: `"`, `\`, the short escapes
/// `\b \f \n \r \t`, other control characters as lowercase `\u00xx`, and
/// nothing else (no `/`, no non-ASCII).
fn write_string(out: &mut Vec<u8>, s: &str) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, s)
}

/// ECMAScript `Number::toString` for a finite double.
fn write_js_number(out: &mut Vec<u8>, v: f64) {
    if v == 0.0 || !v.is_finite() {
        // -0 prints as 0; JSON has no NaN or infinity (stringify writes null).
        out.extend_from_slice(if v.is_finite() { b"0" } else { b"null" });
        return;
    }
    let mut text = String::new();
    if v < 0.0 {
        text.push('-');
    }
    // Rust's `{:e}` gives the shortest round-trip digits, like JavaScript.
    let sci = format!("{:e}", v.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i64;
    let n = exponent.parse::<i64>().unwrap_or(0) + 1;
    if k <= n && n <= 21 {
        text.push_str(&digits);
        text.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        let _ = write!(text, "{int}.{frac}");
    } else if -6 < n && n <= 0 {
        text.push_str("0.");
        text.extend(std::iter::repeat_n('0', (-n) as usize));
        text.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1);
        text.push_str(first);
        if !rest.is_empty() {
            text.push('.');
            text.push_str(rest);
        }
        let e = n - 1;
        let _ = write!(text, "e{}{}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    out.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(v: f64) -> String {
        let mut out = Vec::new();
        write_js_number(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_print_as_javascript_does() {
        // Expected values are what `String(x)` gives in Node.
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (-1.0, "-1"),
            (-0.0, "0"),
            (0.1, "0.1"),
            (1.5, "1.5"),
            (100.0, "100"),
            (123.456, "123.456"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.5e300, "1.5e+300"),
            (1e-6, "0.000001"),
            (1.5e-6, "0.0000015"),
            (1e-7, "1e-7"),
            (-1.25e-7, "-1.25e-7"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (9007199254740993.0, "9007199254740992"),
            (0.30000000000000004, "0.30000000000000004"),
        ];
        for (v, expected) in cases {
            assert_eq!(js(*v), *expected, "{v:e}");
        }
    }

    #[test]
    fn compacts_keeping_key_order() {
        let body = br#" { "z" : 1 , "a" : [ 1.0 , 2e2 , -0 , true , null , { } , [ ] ] ,
            "s" : "\u00e9\/\u2028\n\u001F\"" , "n": 12345678901234567890 } "#;
        let out = js_compact(body).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"z\":1,\"a\":[1,200,0,true,null,{},[]],\"s\":\"é/\u{2028}\\n\\u001f\\\"\",\"n\":12345678901234567000}"
        );
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
                prop::collection::btree_map(any::<String>(), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(2_000))]

        /// Pretty or compact in, the same compact form out, which parses to
        /// the same value (numbers may be spelled the JavaScript way).
        #[test]
        fn compact_form_is_stable(value in json_value()) {
            let compact = serde_json::to_vec(&value).unwrap();
            let pretty = serde_json::to_vec_pretty(&value).unwrap();
            let from_compact = js_compact(&compact).unwrap();
            proptest::prop_assert_eq!(&js_compact(&pretty).unwrap(), &from_compact);
            proptest::prop_assert_eq!(js_compact(&from_compact).unwrap(), from_compact.clone());
            let reparsed: serde_json::Value = serde_json::from_slice(&from_compact).unwrap();
            proptest::prop_assert!(same_up_to_js_numbers(&reparsed, &value));
        }
    }

    /// Equal, comparing numbers as doubles (JavaScript's only number type).
    fn same_up_to_js_numbers(a: &serde_json::Value, b: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_up_to_js_numbers(a, b))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((ka, a), (kb, b))| ka == kb && same_up_to_js_numbers(a, b))
            }
            _ => a == b,
        }
    }

    #[test]
    fn not_json_is_none() {
        for body in [&b""[..], b"{", b"{} x", b"nul", b"\xff", br#"{"a":1e400}"#] {
            assert_eq!(js_compact(body), None, "{body:?}");
        }
        assert_eq!(js_compact(b"3").unwrap(), b"3");
    }
}
