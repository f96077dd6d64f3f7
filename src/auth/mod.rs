//! Authentication building blocks. (Login, tokens and permissions arrive with the auth
//! issue; the password hashing is needed already to create the demo administrator.)

pub mod password;
