//! Password hashing: argon2id with the OWASP-recommended parameters (19 MiB, t=2, p=1),
//! recorded in the PHC string so they can be raised later without breaking old hashes.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> String {
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
