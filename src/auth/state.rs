//! What the appliance keeps for authentication while it runs: the token keys, the tenant's
//! `[rbac.grant]` additions and the per-IP login limiter (spec 50 §3.2).

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::token::TokenKeys;
use crate::config::Tenant;
use crate::domain::access::{Capability, Role};

/// Per-client-IP limit on login attempts (spec 50 §3.2).
pub const LOGIN_ATTEMPTS_PER_MINUTE_PER_IP: u32 = 20;

/// Authentication state shared by the handlers.
pub struct AuthState {
    pub keys: TokenKeys,
    grants: Vec<(Role, Vec<Capability>)>,
    pub login_limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl AuthState {
    pub fn new(tenant: &Tenant) -> AuthState {
        #[allow(clippy::expect_used)] // `config::validate` refused the tenant unless the key decodes to ≥ 32 bytes
        let key = tenant.secrets.jwt_key().expect("validated: the JWT key decodes to at least 32 bytes");
        let grants = tenant
            .file
            .rbac
            .grant
            .iter()
            .filter_map(|(role, caps)| Some((Role::parse(role)?, caps.iter().filter_map(|c| Capability::parse(c)).collect())))
            .collect();
        #[allow(clippy::expect_used)] // a non-zero constant
        let quota = Quota::per_minute(NonZeroU32::new(LOGIN_ATTEMPTS_PER_MINUTE_PER_IP).expect("non-zero"));
        AuthState { keys: TokenKeys::new(&key, tenant.id()), grants, login_limiter: RateLimiter::keyed(quota) }
    }

    /// `[rbac.grant]` additions for a role.
    pub fn grants_for(&self, role: Role) -> Vec<Capability> {
        self.grants.iter().filter(|(r, _)| *r == role).flat_map(|(_, c)| c.iter().copied()).collect()
    }
}
