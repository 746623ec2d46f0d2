//! The RSA public key deliveries are verified with.

use std::fmt;

use ring::signature::{RSA_PSS_2048_8192_SHA256, RsaPublicKeyComponents};

use crate::error::KeyError;

/// Smallest modulus ring verifies with the PSS-2048..8192 parameters.
const MIN_BITS: usize = 2048;
const MAX_BITS: usize = 8192;

/// An RSA public key (2048 to 8192 bits) for RSA-PSS-SHA256 signatures with
/// MGF1-SHA256 and a 32-byte salt: Contentstack's default webhook signing.
///
/// Read from the PKCS#1 PEM Contentstack publishes
/// (`-----BEGIN RSA PUBLIC KEY-----`). `Debug` shows only the size and a
/// fingerprint.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    /// Big-endian modulus without leading zeros.
    n: Vec<u8>,
    /// Big-endian public exponent without leading zeros.
    e: Vec<u8>,
}

impl RsaPublicKey {
    /// Reads a PKCS#1 PEM public key.
    pub fn from_pkcs1_pem(pem: &str) -> Result<Self, KeyError> {
        let (label, der) = pem_rfc7468::decode_vec(pem.trim().as_bytes())
            .map_err(|e| KeyError::Pem(e.to_string()))?;
        if label != "RSA PUBLIC KEY" {
            return Err(KeyError::Label(label.to_owned()));
        }
        Self::from_pkcs1_der(&der)
    }

    /// Reads a DER-encoded PKCS#1 `RSAPublicKey`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = pkcs1::RsaPublicKey::try_from(der).map_err(|e| KeyError::Der(e.to_string()))?;
        let n = key.modulus.as_bytes().to_vec();
        let e = key.public_exponent.as_bytes().to_vec();
        let bits = bit_len(&n);
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return Err(KeyError::Unsupported(format!(
                "the modulus has {bits} bits; {MIN_BITS} to {MAX_BITS} are supported"
            )));
        }
        if n.last().is_none_or(|b| b & 1 == 0) {
            return Err(KeyError::Unsupported("the modulus is even".to_owned()));
        }
        // ring accepts odd exponents from 3 up to 33 bits.
        let e_bits = bit_len(&e);
        if e.last().is_none_or(|b| b & 1 == 0) || !(2..=33).contains(&e_bits) {
            return Err(KeyError::Unsupported(
                "the public exponent must be odd, at least 3 and at most 33 bits".to_owned(),
            ));
        }
        Ok(RsaPublicKey { n, e })
    }

    /// The signature length in bytes (256 for a 2048-bit key).
    pub fn signature_len(&self) -> usize {
        self.n.len()
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        bit_len(&self.n)
    }

    /// Whether `signature` is a valid RSA-PSS-SHA256 signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let components = RsaPublicKeyComponents {
            n: self.n.as_slice(),
            e: self.e.as_slice(),
        };
        components
            .verify(&RSA_PSS_2048_8192_SHA256, message, signature)
            .is_ok()
    }

    /// A short fingerprint: hex of the first 8 bytes of SHA-256 over the modulus.
    pub fn fingerprint(&self) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA256, &self.n);
        digest
            .as_ref()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn bit_len(be: &[u8]) -> usize {
    let Some(pos) = be.iter().position(|b| *b != 0) else {
        return 0;
    };
    let bytes = &be[pos..];
    bytes.len() * 8 - bytes[0].leading_zeros() as usize
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("bits", &self.bits())
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0, 0x80, 0]), 16);
        assert_eq!(bit_len(&[0x01, 0x00, 0x01]), 17);
    }

    #[test]
    fn bad_pem_is_a_typed_error() {
        assert!(matches!(
            RsaPublicKey::from_pkcs1_pem("hello"),
            Err(KeyError::Pem(_))
        ));
        let spki = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        assert_eq!(
            RsaPublicKey::from_pkcs1_pem(spki),
            Err(KeyError::Label("PUBLIC KEY".into()))
        );
        let junk = "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n";
        assert!(matches!(
            RsaPublicKey::from_pkcs1_pem(junk),
            Err(KeyError::Der(_))
        ));
    }

    #[test]
    fn small_or_even_keys_are_refused() {
        // SEQUENCE { INTEGER n (1024 bits, odd), INTEGER 65537 }
        let mut n = vec![0xC5u8; 128];
        n[127] = 0x01;
        let der = der_key(&n, &[1, 0, 1]);
        assert!(matches!(
            RsaPublicKey::from_pkcs1_der(&der),
            Err(KeyError::Unsupported(m)) if m.contains("1024 bits")
        ));
        let mut even = vec![0xC5u8; 256];
        even[255] = 0x02;
        assert!(matches!(
            RsaPublicKey::from_pkcs1_der(&der_key(&even, &[1, 0, 1])),
            Err(KeyError::Unsupported(_))
        ));
        let mut odd = vec![0xC5u8; 256];
        odd[255] = 0x03;
        assert!(RsaPublicKey::from_pkcs1_der(&der_key(&odd, &[1, 0, 1])).is_ok());
        assert!(RsaPublicKey::from_pkcs1_der(&der_key(&odd, &[2])).is_err());
        assert!(RsaPublicKey::from_pkcs1_der(&der_key(&odd, &[1])).is_err());
    }

    /// Minimal DER for tests: lengths below 65536.
    fn der_key(n: &[u8], e: &[u8]) -> Vec<u8> {
        fn int(v: &[u8]) -> Vec<u8> {
            let mut body = Vec::new();
            if v[0] & 0x80 != 0 {
                body.push(0);
            }
            body.extend_from_slice(v);
            tlv(0x02, &body)
        }
        fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            match body.len() {
                l if l < 128 => out.push(l as u8),
                l if l < 256 => out.extend([0x81, l as u8]),
                l => out.extend([0x82, (l >> 8) as u8, l as u8]),
            }
            out.extend_from_slice(body);
            out
        }
        let mut seq = int(n);
        seq.extend(int(e));
        tlv(0x30, &seq)
    }
}
