//! `/metrics` (Prometheus text, access control) and the `/readyz` readiness details.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::BTreeMap;

use common::{spawn_app, write_private, write_tenant, JWT_HEX};
use fluxion::config::Tenant;
use fluxion::sources::synthetic::{demo_tenant_toml, Scale};
use reqwest::StatusCode;

/// A strict reader of the text exposition format 0.0.4: every sample belongs to a family
/// declared with `# TYPE` (histogram/summary suffixes allowed), labels are well formed,
/// values are numbers. Returns `name{labels}` → value.
fn parse_exposition(text: &str) -> BTreeMap<String, f64> {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("line {n}: bad TYPE"));
            assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind), "line {n}: type {kind}");
            assert!(types.insert(name.to_string(), kind.to_string()).is_none(), "line {n}: {name} declared twice");
            continue;
        }
        if line.starts_with("# HELP ") || line.starts_with('#') {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("line {n}: no value: {line}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("line {n}: value {v:?}")),
        };
        let name = series.split('{').next().unwrap();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') && !name.starts_with(|c: char| c.is_ascii_digit()),
            "line {n}: metric name {name:?}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| types.get(*f).is_some_and(|t| t == "histogram" || t == "summary")))
            .unwrap_or(name);
        assert!(types.contains_key(family), "line {n}: sample of undeclared family {family}");
        if let Some(labels) = series.strip_prefix(name) {
            if !labels.is_empty() {
                assert!(labels.starts_with('{') && labels.ends_with('}'), "line {n}: labels {labels}");
                let inner = &labels[1..labels.len() - 1];
                let mut rest = inner;
                while !rest.is_empty() {
                    let (key, after) = rest.split_once("=\"").unwrap_or_else(|| panic!("line {n}: label in {inner}"));
                    assert!(key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "line {n}: label name {key}");
                    // Find the closing quote, honouring escapes.
                    let mut end = None;
                    let mut escaped = false;
                    for (i, ch) in after.char_indices() {
                        match ch {
                            _ if escaped => escaped = false,
                            '\\' => escaped = true,
                            '"' => {
                                end = Some(i);
                                break;
                            }
                            _ => {}
                        }
                    }
                    let end = end.unwrap_or_else(|| panic!("line {n}: unterminated label value"));
                    rest = after[end + 1..].strip_prefix(',').unwrap_or(&after[end + 1..]);
                }
            }
        }
        assert!(samples.insert(series.to_string(), value).is_none(), "line {n}: duplicate series {series}");
    }
    samples
}

async fn scrape(client: &reqwest::Client, url: &str) -> BTreeMap<String, f64> {
    let r = client.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    parse_exposition(&r.text().await.unwrap())
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_change_after_requests() {
    let app = spawn_app(false).await;
    let url = app.url("/metrics");
    let before = scrape(&app.client, &url).await;
    let key = r#"fluxion_http_requests_total{method="GET",route="/api/version",status="200"}"#;
    let count_key = r#"fluxion_http_request_duration_seconds_count{method="GET",route="/api/version"}"#;
    let inf_key = r#"fluxion_http_request_duration_seconds_bucket{method="GET",route="/api/version",le="+Inf"}"#;
    let n0 = before.get(key).copied().unwrap_or(0.0);
    for _ in 0..3 {
        assert_eq!(app.client.get(app.url("/api/version")).send().await.unwrap().status(), StatusCode::OK);
    }
    // A templated route is counted by its template, not by the id in the path.
    let r = app.client.delete(app.url("/api/auth/users/no-such-id")).bearer_auth(&app.admin_token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let after = scrape(&app.client, &url).await;
    assert_eq!(after[key], n0 + 3.0, "three more requests counted");
    assert_eq!(after[count_key], after[inf_key], "the +Inf bucket holds every observation");
    assert!(after[count_key] >= 3.0);
    assert_eq!(after[r#"fluxion_http_requests_total{method="DELETE",route="/api/auth/users/{id}",status="404"}"#], 1.0);
    assert!(!after.keys().any(|k| k.contains("no-such-id")), "raw paths never become labels");
    // The previous scrape itself is counted too.
    assert!(after[r#"fluxion_http_requests_total{method="GET",route="/metrics",status="200"}"#] >= 1.0);
    assert!(after[r#"fluxion_db_size_bytes{db="app"}"#] > 0.0);
    assert!(after[r#"fluxion_db_size_bytes{db="warehouse"}"#] > 0.0);
    assert!(after.keys().any(|k| k.starts_with("fluxion_build_info{")));
}

#[tokio::test]
async fn etl_history_feeds_metrics_and_readiness() {
    let app = spawn_app(false).await;
    {
        let conn = app.state.app_db.lock().unwrap();
        let ago = |min: i64| (chrono::Utc::now() - chrono::Duration::minutes(min)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        conn.execute(
            "INSERT INTO etl_executions (etl_name, etl_type, triggered_by, started_at, finished_at, duration_seconds,
                 status, records_loaded, source_system)
             VALUES ('ventas', 'scheduled', 'scheduler', ?1, ?2, 42.5, 'success', 1234, 'klk'),
                    ('inventario', 'scheduled', 'scheduler', ?3, ?4, 10.0, 'success', 500, 'stellar'),
                    ('inventario', 'scheduled', 'scheduler', ?2, ?2, 3.0, 'failed', 0, 'stellar')",
            rusqlite::params![ago(6), ago(5), ago(181), ago(180)],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO etl_execution_details (execution_id, tienda_id, status, started_at, finished_at, records_loaded)
             VALUES (1, 'tienda_01', 'success', ?1, ?2, 1000), (1, 'tienda_02', 'failed', ?1, ?2, 0)",
            rusqlite::params![ago(6), ago(5)],
        )
        .unwrap();
    }
    let m = scrape(&app.client, &app.url("/metrics")).await;
    assert_eq!(m[r#"fluxion_etl_rows_loaded_total{etl="ventas",source="klk"}"#], 1234.0);
    assert_eq!(m[r#"fluxion_etl_runs_total{etl="inventario",source="stellar",status="failed"}"#], 1.0);
    assert_eq!(m[r#"fluxion_etl_duration_seconds_sum{etl="ventas",source="klk"}"#], 42.5);
    assert_eq!(m[r#"fluxion_etl_duration_seconds_count{etl="inventario",source="stellar"}"#], 2.0);
    let loc = m[r#"fluxion_etl_location_last_success_timestamp_seconds{etl="ventas",location="tienda_01"}"#];
    assert!((chrono::Utc::now().timestamp() as f64 - loc - 300.0).abs() < 60.0);
    assert!(!m.keys().any(|k| k.contains("tienda_02")), "a failed location has no last success");

    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["db"]["migrated"], true);
    assert!(body["release"].is_string());
    assert!(body["last_success"]["ventas"].is_string());
    assert_eq!(body["etl"]["ventas"]["stale"], false);
    assert_eq!(body["etl"]["inventario"]["stale"], true, "3 h > the 90 min default: reported…");
    assert_eq!(body["status"], "ok", "…but staleness does not fail readiness");
    assert!(body["etl"]["inventario"]["age_minutes"].as_i64().unwrap() >= 180);
}

/// A served tenant whose tenant.toml and secrets.toml get extra text.
async fn serve_with(toml_extra: &str, server_extra: &str, secrets_extra: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let toml = demo_tenant_toml(Scale::Tiny, 0).replacen("[server]\n", &format!("[server]\n{server_extra}\n"), 1) + toml_extra;
    let config = write_tenant(dir.path(), &toml);
    write_private(&dir.path().join("secrets.toml"), &format!("[auth]\njwt_secret = \"{JWT_HEX}\"\n{secrets_extra}"));
    let tenant = Tenant::load(&config).unwrap_or_else(|e| panic!("{e}"));
    let state = tokio::task::spawn_blocking(move || fluxion::app::open(tenant).unwrap()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { fluxion::http::serve(state, listener).await.unwrap() });
    (dir, format!("http://{addr}/metrics"))
}

#[tokio::test]
async fn metrics_are_only_for_the_allow_list_or_the_token() {
    let token = "0123456789abcdef-metrics";
    let (_dir, url) = serve_with(
        "\n[metrics]\nallow_from = [\"10.20.0.0/16\"]\n",
        "trust_proxy_from = [\"127.0.0.1\"]",
        &format!("\n[metrics]\ntoken = \"{token}\"\n"),
    )
    .await;
    let client = reqwest::Client::new();
    // Loopback is not in this allow-list, and there is no token.
    let r = client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "forbidden");
    let r = client.get(&url).bearer_auth("not-the-token-at-all").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    parse_exposition(&r.text().await.unwrap());
    // Through the trusted proxy, the forwarded client address decides.
    let r = client.get(&url).header("x-forwarded-for", "10.20.3.4").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "inside 10.20.0.0/16");
    let r = client.get(&url).header("x-forwarded-for", "203.0.113.9").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "an outsider behind the proxy");
}

#[tokio::test]
async fn default_allow_list_is_loopback_and_bad_entries_are_config_errors() {
    let (_dir, url) = serve_with("", "", "").await;
    assert_eq!(reqwest::get(&url).await.unwrap().status(), StatusCode::OK, "127.0.0.1 by default");

    let dir = tempfile::tempdir().unwrap();
    let toml = demo_tenant_toml(Scale::Tiny, 0)
        + "\n[metrics]\nallow_from = [\"10.0.0.0/33\", \"prometheus\"]\n[health]\netl_max_age_minutes = 0\n";
    let config = write_tenant(dir.path(), &toml);
    write_private(&dir.path().join("secrets.toml"), &format!("[auth]\njwt_secret = \"{JWT_HEX}\"\n[metrics]\ntoken = \"short\"\n"));
    let lines = Tenant::load(&config).unwrap_err().lines().join("\n");
    assert!(lines.contains("metrics.allow_from[0]") && lines.contains("metrics.allow_from[1]"), "{lines}");
    assert!(lines.contains("health.etl_max_age_minutes"), "{lines}");
    assert!(lines.contains("metrics.token"), "{lines}");
}
