//! Reading the signature headers, without any cryptography.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use http::HeaderMap;

use crate::error::{HeaderPart, VerifyError};

/// The RSA-PSS signature header: `v1=<base64>`.
pub const RSA_SIGNATURE_HEADER: &str = "x-contentstack-request-signature";
/// The HMAC signature header: `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`.
pub const HMAC_SIGNATURE_HEADER: &str = "x-contentstack-hmac-signature";
/// The legacy signature header (40 hex digits, algorithm undocumented): reported, never verified.
pub const LEGACY_SIGNATURE_HEADER: &str = "x-contentstack-signature";

/// Largest RSA signature accepted before any cryptography: an 8192-bit key's.
const MAX_RSA_SIGNATURE_BYTES: usize = 1024;
/// More `v1` values than any rotation needs; bounds the work per request.
pub(crate) const MAX_HMAC_SIGNATURES: usize = 8;

/// Standard alphabet; padding optional (both forms are seen in the wild).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The single value of `name`, as visible ASCII; `None` when absent.
fn single_value<'h>(
    headers: &'h HeaderMap,
    name: &'static str,
) -> Result<Option<&'h str>, VerifyError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(VerifyError::malformed(
            name,
            HeaderPart::Repeated,
            "the header appears more than once",
        ));
    }
    first.to_str().map(|s| Some(s.trim())).map_err(|_| {
        VerifyError::malformed(
            name,
            HeaderPart::Encoding,
            "the value has bytes outside visible ASCII",
        )
    })
}

/// Whether the header is present at all.
pub(crate) fn is_present(headers: &HeaderMap, name: &'static str) -> bool {
    headers.contains_key(name)
}

/// The decoded RSA signature from `v1=<base64>`; `Ok(None)` when the header is absent.
pub(crate) fn rsa_signature(headers: &HeaderMap) -> Result<Option<Vec<u8>>, VerifyError> {
    let name = RSA_SIGNATURE_HEADER;
    let Some(value) = single_value(headers, name)? else {
        return Ok(None);
    };
    let Some((version, encoded)) = value.split_once('=') else {
        return Err(VerifyError::malformed(
            name,
            HeaderPart::Version,
            "expected `v1=<base64>`; a value without a version (such as the legacy 40 hex digits) cannot be verified",
        ));
    };
    if version.trim() != "v1" {
        return Err(VerifyError::malformed(
            name,
            HeaderPart::Version,
            "expected the `v1=` scheme",
        ));
    }
    let encoded = encoded.trim();
    // Four base64 characters per three bytes, plus padding.
    if encoded.is_empty() || encoded.len() > MAX_RSA_SIGNATURE_BYTES.div_ceil(3) * 4 {
        return Err(VerifyError::malformed(
            name,
            HeaderPart::Length,
            format!(
                "the signature has {} base64 characters (a 2048-bit signature has 344)",
                encoded.len()
            ),
        ));
    }
    BASE64
        .decode(encoded)
        .map(Some)
        .map_err(|e| VerifyError::malformed(name, HeaderPart::Base64, base64_problem(&e)))
}

/// Describes a base64 error without echoing the input.
fn base64_problem(e: &base64::DecodeError) -> String {
    match e {
        base64::DecodeError::InvalidByte(offset, _) => {
            format!("invalid base64 character at offset {offset}")
        }
        base64::DecodeError::InvalidLength(len) => format!("invalid base64 length {len}"),
        base64::DecodeError::InvalidLastSymbol(offset, _) => {
            format!("invalid last base64 symbol at offset {offset}")
        }
        base64::DecodeError::InvalidPadding => "invalid base64 padding".to_owned(),
    }
}

/// A parsed HMAC header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HmacHeader<'h> {
    /// `t` exactly as sent: the signed string uses these digits.
    pub t_text: &'h str,
    /// `t` as unix seconds.
    pub t: i64,
    /// Every `v1` value, decoded.
    pub signatures: Vec<[u8; 32]>,
}

/// Parses `t=<unix>,v1=<hex>[,v1=<hex>...]`; unknown keys (other versions)
/// are skipped so a future scheme does not break today's receivers.
pub(crate) fn hmac_header(headers: &HeaderMap) -> Result<Option<HmacHeader<'_>>, VerifyError> {
    let name = HMAC_SIGNATURE_HEADER;
    let Some(value) = single_value(headers, name)? else {
        return Ok(None);
    };
    let mut t: Option<(&str, i64)> = None;
    let mut signatures = Vec::new();
    for element in value.split(',') {
        let element = element.trim();
        let Some((key, val)) = element.split_once('=') else {
            return Err(VerifyError::malformed(
                name,
                HeaderPart::Element,
                "every comma-separated element must be `key=value`",
            ));
        };
        match key.trim() {
            "t" => {
                if t.is_some() {
                    return Err(VerifyError::malformed(
                        name,
                        HeaderPart::Timestamp,
                        "`t=` appears more than once",
                    ));
                }
                let text = val.trim();
                t = Some((text, unix_seconds(text)?));
            }
            "v1" => {
                if signatures.len() == MAX_HMAC_SIGNATURES {
                    return Err(VerifyError::malformed(
                        name,
                        HeaderPart::TooMany,
                        format!("more than {MAX_HMAC_SIGNATURES} `v1=` values"),
                    ));
                }
                signatures.push(hex32(val.trim())?);
            }
            _ => {}
        }
    }
    let Some((t_text, t)) = t else {
        return Err(VerifyError::malformed(
            name,
            HeaderPart::Timestamp,
            "`t=<unix seconds>` is missing",
        ));
    };
    if signatures.is_empty() {
        return Err(VerifyError::malformed(
            name,
            HeaderPart::Signature,
            "no `v1=<hex>` signature",
        ));
    }
    Ok(Some(HmacHeader {
        t_text,
        t,
        signatures,
    }))
}

fn unix_seconds(text: &str) -> Result<i64, VerifyError> {
    let bad = || {
        VerifyError::malformed(
            HMAC_SIGNATURE_HEADER,
            HeaderPart::Timestamp,
            "`t=` must be unix seconds (decimal digits)",
        )
    };
    // Digits only: `i64::from_str` would also take a sign.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse().map_err(|_| bad())
}

/// 64 hex digits (either case) to 32 bytes. The length is checked before any
/// comparison, so an empty or short `v1=` never reaches the constant-time compare.
fn hex32(text: &str) -> Result<[u8; 32], VerifyError> {
    let bad =
        |detail: &str| VerifyError::malformed(HMAC_SIGNATURE_HEADER, HeaderPart::Signature, detail);
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return Err(bad(&format!(
            "a `v1=` value has {} characters; HMAC-SHA256 hex has 64",
            bytes.len()
        )));
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let (Some(hi), Some(lo)) = (hex_digit(pair[0]), hex_digit(pair[1])) else {
            return Err(bad("a `v1=` value has a non-hex character"));
        };
        *slot = hi << 4 | lo;
    }
    Ok(out)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(name: &'static str, values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(name, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    fn part(e: VerifyError) -> HeaderPart {
        match e {
            VerifyError::MalformedHeader { part, .. } => part,
            other => panic!("not malformed: {other:?}"),
        }
    }

    const HEX: &str = "1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940";

    #[test]
    fn hmac_shapes() {
        let h = headers(HMAC_SIGNATURE_HEADER, &[&format!("t=17,v1={HEX}")]);
        let parsed = hmac_header(&h).unwrap().unwrap();
        assert_eq!((parsed.t_text, parsed.t), ("17", 17));
        assert_eq!(parsed.signatures.len(), 1);
        assert_eq!(parsed.signatures[0][0], 0x16);

        let upper = HEX.to_uppercase();
        let h = headers(
            HMAC_SIGNATURE_HEADER,
            &[&format!(" v0=zz , t=0017 , v1={HEX}, v1={upper} ")],
        );
        let parsed = hmac_header(&h).unwrap().unwrap();
        assert_eq!((parsed.t_text, parsed.t), ("0017", 17));
        assert_eq!(parsed.signatures[0], parsed.signatures[1]);

        assert!(hmac_header(&HeaderMap::new()).unwrap().is_none());
        let cases: &[(&str, HeaderPart)] = &[
            ("", HeaderPart::Element),
            ("t=1", HeaderPart::Signature),
            (&format!("v1={HEX}"), HeaderPart::Timestamp),
            (&format!("t=,v1={HEX}"), HeaderPart::Timestamp),
            (&format!("t=-1,v1={HEX}"), HeaderPart::Timestamp),
            (&format!("t=+1,v1={HEX}"), HeaderPart::Timestamp),
            (&format!("t=1.5,v1={HEX}"), HeaderPart::Timestamp),
            (
                &format!("t=99999999999999999999,v1={HEX}"),
                HeaderPart::Timestamp,
            ),
            (&format!("t=1,t=1,v1={HEX}"), HeaderPart::Timestamp),
            ("t=1,v1=", HeaderPart::Signature),
            ("t=1,v1", HeaderPart::Element),
            (&format!("t=1,v1={}", &HEX[..62]), HeaderPart::Signature),
            (&format!("t=1,v1={HEX}0"), HeaderPart::Signature),
            (&format!("t=1,v1={}g", &HEX[..63]), HeaderPart::Signature),
            (&format!("t=1,,v1={HEX}"), HeaderPart::Element),
        ];
        for (value, expected) in cases {
            let h = headers(HMAC_SIGNATURE_HEADER, &[value]);
            assert_eq!(part(hmac_header(&h).unwrap_err()), *expected, "{value:?}");
        }
        let many = std::iter::repeat_n(format!("v1={HEX}"), MAX_HMAC_SIGNATURES + 1)
            .collect::<Vec<_>>()
            .join(",");
        let h = headers(HMAC_SIGNATURE_HEADER, &[&format!("t=1,{many}")]);
        assert_eq!(part(hmac_header(&h).unwrap_err()), HeaderPart::TooMany);
        let h = headers(HMAC_SIGNATURE_HEADER, &["t=1", &format!("v1={HEX}")]);
        assert_eq!(part(hmac_header(&h).unwrap_err()), HeaderPart::Repeated);
        let mut h = HeaderMap::new();
        h.insert(
            HMAC_SIGNATURE_HEADER,
            HeaderValue::from_bytes(b"t=1,v1=\xff").unwrap(),
        );
        assert_eq!(part(hmac_header(&h).unwrap_err()), HeaderPart::Encoding);
    }

    #[test]
    fn rsa_shapes() {
        let sig = base64::engine::general_purpose::STANDARD.encode([7u8; 256]);
        assert_eq!(sig.len(), 344);
        let unpadded = sig.trim_end_matches('=');
        for value in [
            format!("v1={sig}"),
            format!("v1={unpadded}"),
            format!(" v1 = {sig} "),
        ] {
            let h = headers(RSA_SIGNATURE_HEADER, &[&value]);
            assert_eq!(
                rsa_signature(&h).unwrap().unwrap(),
                vec![7u8; 256],
                "{value}"
            );
        }
        assert!(rsa_signature(&HeaderMap::new()).unwrap().is_none());
        let long = "A".repeat(2000);
        let cases: &[(&str, HeaderPart)] = &[
            (
                "75e9068f3ca4e2ef7cdbfbb2480822f5f6473ac5",
                HeaderPart::Version,
            ),
            ("v2=AAAA", HeaderPart::Version),
            ("v1=", HeaderPart::Length),
            (&format!("v1={long}"), HeaderPart::Length),
            ("v1=AA$A", HeaderPart::Base64),
            ("v1=A", HeaderPart::Base64),
            ("v1=AAA=A", HeaderPart::Base64),
            ("v1=-_-_", HeaderPart::Base64),
        ];
        for (value, expected) in cases {
            let h = headers(RSA_SIGNATURE_HEADER, &[value]);
            assert_eq!(part(rsa_signature(&h).unwrap_err()), *expected, "{value:?}");
        }
        let h = headers(RSA_SIGNATURE_HEADER, &["v1=AAAA", "v1=AAAA"]);
        assert_eq!(part(rsa_signature(&h).unwrap_err()), HeaderPart::Repeated);
    }

    #[test]
    fn errors_never_echo_the_value() {
        let secretish = "v1=SECRETSECRETSECRET$";
        let h = headers(RSA_SIGNATURE_HEADER, &[secretish]);
        let e = rsa_signature(&h).unwrap_err();
        assert!(!e.to_string().contains("SECRET"), "{e}");
        assert!(!format!("{e:?}").contains("SECRET"), "{e:?}");
    }
}
