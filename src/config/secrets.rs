//! The secrets file (`secrets.toml`): never in the repository, never logged, mode 0600.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

use super::Problem;

#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    #[serde(default)]
    pub auth: AuthSecrets,
    #[serde(default)]
    pub stellar_credentials: BTreeMap<String, Credential>,
    #[serde(default)]
    pub pos: PosSecrets,
    #[serde(default)]
    pub smtp: Option<Credential>,
    #[serde(default)]
    pub offsite: Option<toml::Table>,
    #[serde(default)]
    pub metrics: Option<MetricsSecret>,
}

/// `[metrics]` of the secrets file: bearer token accepted by `GET /metrics`.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSecret {
    pub token: Option<String>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSecrets {
    /// HMAC key for the tenant's tokens, ≥ 32 bytes once decoded: hex (`openssl rand -hex
    /// 32`, what `make new-tenant` writes) or base64 (`openssl rand -base64 32`, spec 50 §3.3).
    pub jwt_secret: Option<String>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PosSecrets {
    #[serde(default)]
    pub klk: Option<KlkSecret>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KlkSecret {
    pub api_key: Option<String>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub username: String,
    pub password: String,
}

// Secrets must never end up in logs, so Debug prints only their shape.
impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets")
            .field("jwt_secret", &self.auth.jwt_secret.as_ref().map(|_| "<redacted>"))
            .field("stellar_credentials", &self.stellar_credentials.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Secrets {
    pub(super) fn load(path: &Path) -> Result<Secrets, Problem> {
        let key = format!("paths.secrets_file ({})", path.display());
        let text = std::fs::read_to_string(path)
            .map_err(|e| Problem { key: key.clone(), message: format!("cannot read the secrets file: {e}") })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
            if mode & 0o077 != 0 {
                return Err(Problem { key, message: format!("mode is {mode:o}; it must be 600 or stricter (chmod 600)") });
            }
        }
        // The parser's message may quote the offending line: keep only its position.
        toml::from_str(&text).map_err(|e| Problem {
            key,
            message: format!("is not valid TOML{}", e.span().map(|s| format!(" (byte {})", s.start)).unwrap_or_default()),
        })
    }

    /// The decoded JWT key, when present and long enough.
    pub fn jwt_key(&self) -> Option<Vec<u8>> {
        decode_key(self.auth.jwt_secret.as_deref()?.trim())
    }
}

/// Minimum length of the JWT key once decoded (HS256 wants at least the hash size).
pub const MIN_JWT_KEY_BYTES: usize = 32;

/// A key written as hex or as base64 (standard or URL-safe alphabet, padded or not).
/// Hex is tried first: a hex string is also valid base64 text, and hex is what
/// `make new-tenant` writes, so an existing key keeps its meaning.
fn decode_key(raw: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use base64::Engine;
    let long_enough = |k: &Vec<u8>| k.len() >= MIN_JWT_KEY_BYTES;
    hex::decode(raw).ok().filter(long_enough).or_else(|| {
        [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|engine| engine.decode(raw).ok()).filter(long_enough)
    })
}

#[cfg(test)]
mod key_tests {
    use super::decode_key;

    #[test]
    fn jwt_key_may_be_hex_or_base64() {
        let hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(decode_key(hex).map(|k| k.len()), Some(32));
        // `openssl rand -base64 32`: 44 characters with padding.
        let b64 = "q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=";
        let key = decode_key(b64).expect("base64 key accepted");
        assert_eq!(key.len(), 32);
        assert_eq!(&key[..3], &[0xab, 0xcd, 0xef]);
        assert_eq!(decode_key(b64.trim_end_matches('=')), Some(key.clone()), "padding is optional");
        let url_safe = "-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_";
        assert_eq!(decode_key(url_safe).map(|k| k.len()), Some(33));
        // Too short in either form, or neither form.
        assert_eq!(decode_key("abcd"), None);
        assert_eq!(decode_key("q83vASNFZ4mrze8BI0VniavN7wEjRWeJ"), None, "24 bytes");
        assert_eq!(decode_key("not a key at all, not even close to one!!!!"), None);
    }
}
