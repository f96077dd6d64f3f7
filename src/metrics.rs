//! Process metrics and the Prometheus text exposition format (version 0.0.4).
//!
//! HTTP requests are counted here by the request-log middleware (route template, not the
//! raw path, so ids never explode the label set). Everything that lives in the databases
//! (ETL runs, last loads, sizes, backups) is read at scrape time by `http::metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Upper bounds (seconds) of the request-latency histogram.
pub const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

/// Label used for requests that matched no route (UI assets, unknown paths).
pub const FALLBACK_ROUTE: &str = "(fallback)";

#[derive(Default)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

#[derive(Default)]
pub struct HttpMetrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl HttpMetrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        {
            let mut r = self.requests.lock().unwrap_or_else(|p| p.into_inner());
            *r.entry((method.to_string(), route.to_string(), status)).or_default() += 1;
        }
        let secs = elapsed.as_secs_f64();
        let mut l = self.latency.lock().unwrap_or_else(|p| p.into_inner());
        let h = l.entry((method.to_string(), route.to_string())).or_default();
        if h.counts.is_empty() {
            h.counts = vec![0; LATENCY_BUCKETS.len()];
        }
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    pub fn render(&self, out: &mut Exposition) {
        out.family("fluxion_http_requests_total", "counter", "HTTP requests by method, route template and status.");
        for ((method, route, status), n) in self.requests.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            out.sample("fluxion_http_requests_total", &[("method", method), ("route", route), ("status", &status.to_string())], *n as f64);
        }
        out.family("fluxion_http_request_duration_seconds", "histogram", "HTTP request latency by method and route template.");
        for ((method, route), h) in self.latency.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
                out.sample(
                    "fluxion_http_request_duration_seconds_bucket",
                    &[("method", method), ("route", route), ("le", &format_value(*bound))],
                    h.counts[i] as f64,
                );
            }
            let labels = [("method", method.as_str()), ("route", route.as_str())];
            out.sample("fluxion_http_request_duration_seconds_bucket", &[labels[0], labels[1], ("le", "+Inf")], h.count as f64);
            out.sample("fluxion_http_request_duration_seconds_sum", &labels, h.sum);
            out.sample("fluxion_http_request_duration_seconds_count", &labels, h.count as f64);
        }
    }
}

/// The process-wide HTTP metrics (one process serves one tenant).
pub fn http() -> &'static HttpMetrics {
    static HTTP: OnceLock<HttpMetrics> = OnceLock::new();
    HTTP.get_or_init(HttpMetrics::default)
}

/// Builder of a text exposition: `# HELP`/`# TYPE` once per family, then samples.
#[derive(Default)]
pub struct Exposition {
    text: String,
}

impl Exposition {
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {}", help.replace('\\', "\\\\").replace('\n', "\\n"));
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{k}=\"{}\"", escape_label(v));
            }
            self.text.push('}');
        }
        let _ = writeln!(self.text, " {}", format_value(value));
    }

    /// A family with a single unlabelled sample.
    pub fn single(&mut self, name: &str, kind: &str, help: &str, value: f64) {
        self.family(name, kind, help);
        self.sample(name, &[], value);
    }

    /// Appends another exposition (whole families).
    pub fn append(&mut self, other: Exposition) {
        self.text.push_str(&other.text);
    }

    pub fn finish(self) -> String {
        self.text
    }
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_labels_are_escaped() {
        let m = HttpMetrics::default();
        m.observe("GET", "/api/x", 200, Duration::from_millis(3));
        m.observe("GET", "/api/x", 200, Duration::from_millis(70));
        m.observe("GET", "/a\"b", 404, Duration::from_secs(400));
        let mut out = Exposition::default();
        m.render(&mut out);
        let text = out.finish();
        assert!(text.contains(r#"fluxion_http_requests_total{method="GET",route="/api/x",status="200"} 2"#), "{text}");
        assert!(text.contains(r#"fluxion_http_request_duration_seconds_bucket{method="GET",route="/api/x",le="0.005"} 1"#));
        assert!(text.contains(r#"fluxion_http_request_duration_seconds_bucket{method="GET",route="/api/x",le="0.1"} 2"#));
        assert!(text.contains(r#"fluxion_http_request_duration_seconds_bucket{method="GET",route="/a\"b",le="+Inf"} 1"#));
        assert!(text.contains(r#"fluxion_http_request_duration_seconds_count{method="GET",route="/a\"b"} 1"#));
    }
}
