//! Passwords, session and API-token secrets. Only hashes are stored; a secret is shown once.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

/// argon2id with the crate's defaults (19 MiB, 2 passes); the parameters live in the PHC string,
/// so raising them later re-hashes nothing that already exists.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the OS random source works");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing works")
        .to_string()
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash that takes as long to check as a real one, for unknown accounts (no timing oracle).
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password"))
}

/// A new random secret with a readable prefix, e.g. `tsk_...` for API tokens.
pub fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    format!("{prefix}{}", data_encoding::BASE64URL_NOPAD.encode(&bytes))
}

pub fn sha256_hex(s: &str) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(s.as_bytes()))
}

pub fn validate_password(password: &str) -> Result<(), telesund_core::DomainError> {
    if password.chars().count() < 10 {
        return Err(telesund_core::DomainError::invalid(
            "a password has at least 10 characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_hashes_differ() {
        let a = hash_password("correct horse battery");
        let b = hash_password("correct horse battery");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password(&a, "correct horse battery"));
        assert!(!verify_password(&a, "wrong"));
        assert!(!verify_password("garbage", "x"));
    }
}
