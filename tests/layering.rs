//! The layers of `src/` stay layers: the pure domain uses nothing of the rest, storage and
//! sources know nothing of the ETL, HTTP or CLI above them, the composition root (`app`)
//! builds the state without knowing HTTP or the CLI, and only the CLI sees the HTTP layer.
//! A change that makes an arrow run back up fails here, naming the file and the module it
//! reached for (docs/architecture.md).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Top-level modules of the crate a file refers to (`crate::x`), test modules left out.
fn modules_used(file: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).unwrap();
    // Unit tests may build whatever they need.
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut used = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let name: String = code[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            used.insert(name);
        }
    }
    used
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") && path.file_name().is_some_and(|n| n != "tests.rs") {
            out.push(path);
        }
    }
    out
}

/// Files of a top-level module: `src/<name>.rs` and everything under `src/<name>/`.
fn files_of(module: &str) -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let file = src.join(format!("{module}.rs"));
    if file.exists() {
        files.push(file);
    }
    let dir = src.join(module);
    if dir.is_dir() {
        files.extend(rust_files(&dir));
    }
    files
}

/// Every file of `module` uses only `allowed` top-level modules (besides itself).
fn only_uses(module: &str, allowed: &[&str]) -> Vec<String> {
    let files = files_of(module);
    assert!(!files.is_empty(), "no files for module {module}");
    let mut violations = Vec::new();
    for f in files {
        for used in modules_used(&f) {
            if used != module && !allowed.contains(&used.as_str()) {
                violations.push(format!("{} uses crate::{used}", f.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display()));
            }
        }
    }
    violations
}

#[test]
fn each_layer_uses_only_the_layers_below_it() {
    let rules: &[(&str, &[&str])] = &[
        // Pure formulas: plain values in, plain values out.
        ("domain", &[]),
        ("config", &["domain"]),
        ("auth", &["config", "domain"]),
        ("metrics", &[]),
        ("scheduler", &["config"]),
        // Storage.
        ("warehouse", &["config", "domain"]),
        ("appdb", &["config", "domain"]),
        // Where facts come from.
        ("sources", &["config", "domain", "warehouse"]),
        // Use cases over storage.
        ("replenishment", &["appdb", "config", "domain", "warehouse"]),
        ("classification", &["appdb", "config", "domain", "replenishment", "warehouse"]),
        ("mail", &["appdb", "config"]),
        ("orders", &["appdb", "config", "domain", "mail", "replenishment", "warehouse"]),
        ("distribution", &["appdb", "config", "domain", "replenishment", "warehouse"]),
        ("products", &["appdb", "config", "domain", "warehouse"]),
        ("inventory", &["appdb", "config", "domain", "replenishment", "warehouse"]),
        ("sales", &["config", "domain", "replenishment", "warehouse"]),
        ("bi", &["config", "domain", "warehouse"]),
        ("emergencies", &["appdb", "config", "domain", "mail", "warehouse"]),
        ("ops", &["appdb", "config", "warehouse"]),
        ("etl", &["appdb", "classification", "config", "domain", "mail", "scheduler", "sources", "warehouse"]),
    ];
    let violations: Vec<String> = rules.iter().flat_map(|(module, allowed)| only_uses(module, allowed)).collect();
    assert!(violations.is_empty(), "arrows running back up:\n{}", violations.join("\n"));
}

/// Files outside `users` that name `crate::<module>`.
fn named_outside(module: &str, users: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for f in rust_files(&src) {
        let top =
            f.strip_prefix(&src).unwrap().components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        if top == module || users.contains(&top.as_str()) {
            continue;
        }
        if modules_used(&f).contains(module) {
            violations.push(format!("{} uses crate::{module}", f.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display()));
        }
    }
    violations
}

#[test]
fn only_the_edges_see_the_edges() {
    // The state is built in one place and handed out: no module below the edges reaches
    // for it, for the HTTP layer or for the CLI (a new module is covered without a rule).
    let mut violations = named_outside("app", &["http", "cli"]);
    violations.extend(named_outside("http", &["cli"]));
    violations.extend(named_outside("cli", &[]));
    assert!(violations.is_empty(), "edges reached from below:\n{}", violations.join("\n"));
}

#[test]
fn the_domain_does_no_input_or_output() {
    // Also the machine's size: how many threads to use is the caller's choice.
    let io_crates = [
        "duckdb",
        "rusqlite",
        "axum",
        "tokio",
        "reqwest",
        "tiberius",
        "lettre",
        "std::fs",
        "std::net",
        "std::thread::available_parallelism",
    ];
    let mut violations = Vec::new();
    for f in files_of("domain") {
        let text = std::fs::read_to_string(&f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for c in io_crates {
            if code.contains(&format!("{c}::")) || (c.contains("::") && code.contains(c)) {
                violations.push(format!("{} uses {c}", f.display()));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn a_rule_that_is_broken_is_reported() {
    // The checker itself: the ETL does use the warehouse, so forbidding it must report it.
    let reported = only_uses("etl", &["appdb", "classification", "config", "domain", "scheduler", "sources"]);
    assert!(reported.iter().any(|v| v.contains("crate::warehouse")), "{reported:?}");
    // The HTTP layer does use the composition root's state.
    let reported = named_outside("app", &["cli"]);
    assert!(reported.iter().any(|v| v.contains("src/http/") && v.contains("crate::app")), "{reported:?}");
}
