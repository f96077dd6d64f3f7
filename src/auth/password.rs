//! Password hashing: argon2id with the OWASP-recommended parameters (19 MiB, t=2, p=1),
//! recorded in the PHC string so they can be raised later without breaking old hashes.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    #[allow(clippy::expect_used)] // constant parameters inside argon2's documented bounds
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> String {
    #[allow(clippy::expect_used)] // argon2 fails only on invalid parameters, and `hasher` builds fixed valid ones
    let hash: PasswordHash = hasher().hash_password(password.as_bytes()).expect("argon2 hashing cannot fail with valid params");
    hash.to_string()
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
}

/// A random password that is easy to read aloud (no 0/O, 1/l confusion).
pub fn generate(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = vec![0u8; len];
    rand::fill(bytes.as_mut_slice());
    bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_right_password() {
        let h = hash("correcto-caballo");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correcto-caballo", &h));
        assert!(!verify("otra-cosa", &h));
        assert_ne!(h, hash("correcto-caballo"), "salted");
    }
}

/// Minimal list of passwords that appear first in every cracking dictionary (plus local
/// favourites); refused whatever the length rule says.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

pub const MAX_LENGTH: usize = 128;

/// Policy of spec 50 §3.2: min..=128 characters and not a well-known password.
/// The message is shown to the user (Spanish).
pub fn check_policy(password: &str, min_length: usize) -> Result<(), String> {
    let n = password.chars().count();
    if n < min_length {
        return Err(format!("La contraseña debe tener al menos {min_length} caracteres"));
    }
    if n > MAX_LENGTH {
        return Err(format!("La contraseña no puede tener más de {MAX_LENGTH} caracteres"));
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.lines().any(|c| c == lower) {
        return Err("Esa contraseña es demasiado común; elija otra".into());
    }
    Ok(())
}

/// Result of checking a password against a stored hash of either supported format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but stored in the earlier system's bcrypt format: re-hash it now.
    YesNeedsRehash,
}

pub fn verify_stored(password: &str, stored: &str) -> Verified {
    let is_bcrypt = ["$2a$", "$2b$", "$2y$"].iter().any(|p| stored.starts_with(p));
    match (is_bcrypt, is_bcrypt && bcrypt::verify(password, stored).unwrap_or(false), verify(password, stored)) {
        (true, true, _) => Verified::YesNeedsRehash,
        (false, _, true) => Verified::Yes,
        _ => Verified::No,
    }
}

/// Spends the same work as a real verification, so an unknown username takes as long as
/// a wrong password.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let h = DUMMY.get_or_init(|| hash("dummy-password-for-timing"));
    let _ = verify(password, h);
}

#[cfg(test)]
mod policy_tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(check_policy("corto", 8).is_err());
        assert!(check_policy("Password123", 8).is_err(), "common, case-insensitive");
        assert!(check_policy("cebra-azul-lluvia", 8).is_ok());
        assert!(check_policy(&"x".repeat(129), 8).is_err());
    }

    #[test]
    fn imported_bcrypt_hashes_verify_and_ask_for_rehash() {
        let legacy = bcrypt::hash("clave-antigua-9", 4).unwrap();
        assert_eq!(verify_stored("clave-antigua-9", &legacy), Verified::YesNeedsRehash);
        assert_eq!(verify_stored("otra", &legacy), Verified::No);
        let modern = hash("clave-nueva-9");
        assert_eq!(verify_stored("clave-nueva-9", &modern), Verified::Yes);
        assert_eq!(verify_stored("clave-nueva-9", "garbage"), Verified::No);
    }
}
