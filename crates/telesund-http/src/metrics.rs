//! Prometheus metrics: request counts and latency per route, audit throughput. Small enough
//! to own rather than pull in an exporter stack.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<HashMap<(String, String, u16), Series>>,
}

impl Metrics {
    pub fn observe(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut map = self.requests.lock().expect("metrics lock");
        let s = map
            .entry((route.to_string(), method.to_string(), status))
            .or_default();
        s.count += 1;
        s.sum += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    /// The text exposition format.
    pub fn render(&self, audit_records: u64, audit_commits: u64) -> String {
        let mut out = String::new();
        out.push_str("# HELP telesund_http_requests_total HTTP requests by route, method and status.\n# TYPE telesund_http_requests_total counter\n");
        let map = self.requests.lock().expect("metrics lock");
        let mut keys: Vec<_> = map.keys().cloned().collect();
        keys.sort();
        for k in &keys {
            let s = &map[k];
            let _ = writeln!(
                out,
                "telesund_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}",
                k.0, k.1, k.2, s.count
            );
        }
        out.push_str("# HELP telesund_http_request_duration_seconds Request latency.\n# TYPE telesund_http_request_duration_seconds histogram\n");
        for k in &keys {
            let s = &map[k];
            let labels = format!("route=\"{}\",method=\"{}\",status=\"{}\"", k.0, k.1, k.2);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "telesund_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "telesund_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "telesund_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "telesund_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP telesund_audit_records_total Audit records written.\n# TYPE telesund_audit_records_total counter\ntelesund_audit_records_total {audit_records}"
        );
        let _ = writeln!(
            out,
            "# HELP telesund_audit_commits_total Commits made by the audit writer.\n# TYPE telesund_audit_commits_total counter\ntelesund_audit_commits_total {audit_commits}"
        );
        out
    }
}
