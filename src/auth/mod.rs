//! Authentication: password hashing, tokens, the password policy.

pub mod password;
pub mod token;
