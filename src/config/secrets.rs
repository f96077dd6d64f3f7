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
    /// Hex-encoded HMAC key for the tenant's tokens (≥ 32 bytes once decoded).
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
                return Err(Problem {
                    key,
                    message: format!("mode is {mode:o}; it must be 600 or stricter (chmod 600)"),
                });
            }
        }
        // The parser's message may quote the offending line: keep only its position.
        toml::from_str(&text).map_err(|e| Problem {
            key,
            message: format!(
                "is not valid TOML{}",
                e.span().map(|s| format!(" (byte {})", s.start)).unwrap_or_default()
            ),
        })
    }

    /// The decoded JWT key, when present and long enough.
    pub fn jwt_key(&self) -> Option<Vec<u8>> {
        let raw = self.auth.jwt_secret.as_deref()?.trim();
        hex::decode(raw).ok().filter(|k| k.len() >= 32)
    }
}
