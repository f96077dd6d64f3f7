//! Authentication: password hashing, tokens, the password policy, and the state the
//! running appliance keeps for them.

pub mod password;
mod state;
pub mod token;

pub use state::{AuthState, LOGIN_ATTEMPTS_PER_MINUTE_PER_IP};
