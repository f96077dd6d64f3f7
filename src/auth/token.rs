//! Session tokens (spec 50 §3.3): HS256 JWTs signed with the tenant's own secret and bound
//! to the tenant (`aud` and `tid`). Time checks take `now` so the worked examples are tests.

use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "fluxion";
/// Clock leeway for `exp` and `iat`, in seconds.
pub const LEEWAY_SECONDS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub tid: String,
    /// User id (UUID).
    pub sub: String,
    /// Username, for display only.
    pub usr: String,
    /// Role at issue time, for display only: authorisation re-reads the database.
    pub rol: String,
    /// The user's token_version at issue time.
    pub ver: i64,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// Why a token was refused (logged; the client always gets one generic 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("algorithm other than HS256")]
    Algorithm,
    #[error("bad signature or claims: {0}")]
    Invalid(String),
    #[error("token of another tenant")]
    WrongTenant,
    #[error("expired")]
    Expired,
    #[error("issued in the future")]
    NotYetValid,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    tenant_id: String,
}

impl TokenKeys {
    pub fn new(secret: &[u8], tenant_id: &str) -> Self {
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            tenant_id: tenant_id.to_string(),
        }
    }

    /// Mints a token for a user, valid `ttl_minutes` from `now` (unix seconds).
    pub fn mint(&self, user_id: &str, username: &str, role: &str, version: i64, now: i64, ttl_minutes: u32) -> (String, Claims) {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: self.tenant_id.clone(),
            tid: self.tenant_id.clone(),
            sub: user_id.into(),
            usr: username.into(),
            rol: role.into(),
            ver: version,
            iat: now,
            exp: now + i64::from(ttl_minutes) * 60,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        #[allow(clippy::expect_used)] // HS256 signing of a serialisable claim set cannot fail
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 signing cannot fail");
        (token, claims)
    }

    /// Verifies signature, algorithm, issuer, tenant and times. Revocation, user state and
    /// version are checked by the caller against the database.
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::HS256 {
            return Err(TokenError::Algorithm);
        }
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[ISSUER]);
        v.set_audience(&[&self.tenant_id]);
        v.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Times are checked below against the caller's clock.
        v.validate_exp = false;
        let data = decode::<Claims>(token, &self.decoding, &v).map_err(|e| TokenError::Invalid(e.to_string()))?;
        let c = data.claims;
        if c.tid != self.tenant_id {
            return Err(TokenError::WrongTenant);
        }
        if now >= c.exp + LEEWAY_SECONDS {
            return Err(TokenError::Expired);
        }
        if c.iat > now + LEEWAY_SECONDS {
            return Err(TokenError::NotYetValid);
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn ts(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    /// Worked example 1 of spec 50 §3.4 (lifetime with 30 s leeway).
    #[test]
    fn lifetime_worked_example() {
        let keys = TokenKeys::new(SECRET, "granja");
        let (token, claims) = keys.mint("u1", "ana", "super_admin", 0, ts("2025-03-10T14:00:00Z"), 480);
        assert_eq!(claims.exp, ts("2025-03-10T22:00:00Z"));
        assert!(keys.verify(&token, ts("2025-03-10T21:59:59Z")).is_ok());
        assert!(keys.verify(&token, ts("2025-03-10T22:00:29Z")).is_ok());
        assert_eq!(keys.verify(&token, ts("2025-03-10T22:00:31Z")), Err(TokenError::Expired));
    }

    /// Worked example 2: another tenant's secret, or the same secret with another tenant id.
    #[test]
    fn cross_tenant_tokens_are_refused() {
        let now = ts("2025-03-10T14:00:00Z");
        let granja = TokenKeys::new(SECRET, "granja");
        let other_secret = TokenKeys::new(b"ffffffffffffffffffffffffffffffff", "cliente2");
        let (t, _) = other_secret.mint("u1", "ana", "super_admin", 0, now, 480);
        assert!(matches!(granja.verify(&t, now), Err(TokenError::Invalid(_))));
        let reused_secret = TokenKeys::new(SECRET, "cliente2");
        let (t, _) = reused_secret.mint("u1", "ana", "super_admin", 0, now, 480);
        assert!(granja.verify(&t, now).is_err(), "aud/tid of another tenant");
    }

    #[test]
    fn alg_none_and_other_algorithms_are_refused() {
        let keys = TokenKeys::new(SECRET, "granja");
        let now = ts("2025-03-10T14:00:00Z");
        let (token, _) = keys.mint("u1", "ana", "super_admin", 0, now, 480);
        let payload = token.split('.').nth(1).unwrap();
        // {"alg":"none","typ":"JWT"}
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(keys.verify(&none, now).is_err());
        // {"alg":"HS512","typ":"JWT"} with the HS256 signature
        let sig = token.split('.').nth(2).unwrap();
        let hs512 = format!("eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.{payload}.{sig}");
        assert!(keys.verify(&hs512, now).is_err());
        assert_eq!(keys.verify("not-a-token", now), Err(TokenError::Malformed));
    }

    #[test]
    fn tokens_from_the_future_are_refused() {
        let keys = TokenKeys::new(SECRET, "granja");
        let now = ts("2025-03-10T14:00:00Z");
        let (token, _) = keys.mint("u1", "ana", "super_admin", 0, now + 120, 480);
        assert_eq!(keys.verify(&token, now), Err(TokenError::NotYetValid));
    }
}
