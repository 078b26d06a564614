//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the second
//! factor staff can turn on, compatible with the usual authenticator apps.

use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;

/// A new secret, base32 as authenticator apps expect.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

/// The `otpauth://` URI an authenticator app reads (typed or as a QR code).
pub fn provisioning_uri(secret: &str, account: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/Telesund:{}?secret={secret}&issuer=Telesund&algorithm=SHA1&digits=6&period=30",
        enc(account)
    )
}

/// The code for one time step.
pub fn code_at(secret: &str, step: i64) -> Option<String> {
    let key = data_encoding::BASE32_NOPAD.decode(secret.as_bytes()).ok()?;
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).ok()?;
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        h[offset] & 0x7f,
        h[offset + 1],
        h[offset + 2],
        h[offset + 3],
    ]);
    Some(format!("{:06}", bin % 1_000_000))
}

pub fn current_step(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The step a code matches, allowing one step of clock drift either way.
pub fn verify(secret: &str, code: &str, unix_seconds: i64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 {
        return None;
    }
    let now = current_step(unix_seconds);
    [now - 1, now, now + 1].into_iter().find(|s| {
        code_at(secret, *s)
            .is_some_and(|c| crate::auth::constant_time_eq(c.as_bytes(), code.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B (SHA1, secret "12345678901234567890").
    #[test]
    fn rfc6238_vectors() {
        let secret = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
        assert_eq!(code_at(&secret, current_step(59)).unwrap(), "287082");
        assert_eq!(
            code_at(&secret, current_step(1111111109)).unwrap(),
            "081804"
        );
        assert_eq!(
            code_at(&secret, current_step(1234567890)).unwrap(),
            "005924"
        );
        assert_eq!(
            code_at(&secret, current_step(2000000000)).unwrap(),
            "279037"
        );
    }

    #[test]
    fn drift_of_one_step_is_accepted() {
        let s = new_secret();
        let t = 1_800_000_000;
        let code = code_at(&s, current_step(t) - 1).unwrap();
        assert!(verify(&s, &code, t).is_some());
        let old = code_at(&s, current_step(t) - 3).unwrap();
        assert_eq!(verify(&s, &old, t), None);
        assert!(provisioning_uri(&s, "a@b.dk").contains("Telesund:a%40b.dk"));
    }
}
