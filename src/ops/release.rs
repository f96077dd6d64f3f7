//! Which release is running. `make deploy` unpacks each build into
//! `<prefix>/<tenant>/releases/<version>/` with a `VERSION` file beside the binary; the
//! binary reports that stamp (as `release` in `/healthz` and `/readyz`) so the deploy
//! script can tell that the process answering is the one it just switched to. A binary
//! run from anywhere else (cargo, tests, a manual copy) reports its crate version.

use std::sync::OnceLock;

/// The release stamp: the first line of `VERSION` next to the executable, else the crate
/// version. Read once per process.
pub fn release() -> &'static str {
    static RELEASE: OnceLock<String> = OnceLock::new();
    RELEASE.get_or_init(|| {
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|d| d.join("VERSION")))
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|s| s.lines().next().map(|l| l.trim().to_string()))
            .filter(|v| is_valid_stamp(v))
            .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_string())
    })
}

/// A release stamp is a short token safe in paths and logs (`v1.4.0`, `0.1.0-g46bdf63`).
pub fn is_valid_stamp(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'))
        && !v.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_path_safe() {
        assert!(is_valid_stamp("v1.4.0"));
        assert!(is_valid_stamp("0.1.0-g46bdf63-dirty"));
        assert!(!is_valid_stamp("../etc"));
        assert!(!is_valid_stamp("a b"));
        assert!(!is_valid_stamp(""));
    }
}
