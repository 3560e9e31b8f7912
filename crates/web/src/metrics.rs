//! Request counts and latency by route pattern, in Prometheus' text format. Labels are
//! route patterns, methods and status codes only: never paths, ids or anything personal.

use axum::http::Method;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Histogram bucket bounds, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Clone, Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

impl Series {
    fn add(&mut self, other: &Series) {
        self.count += other.count;
        self.sum_seconds += other.sum_seconds;
        for (total, add) in self.buckets.iter_mut().zip(other.buckets) {
            *total += add;
        }
    }
}

/// The series of one (method, status) of a route.
type Outcome = (Method, u16, Series);

/// How many parts the counts are kept in: each worker thread counts into its own, so that two
/// cores finishing requests at once do not wait for one lock (nor pass its cache line back and
/// forth); the exposition adds them up.
const SHARDS: usize = 8;

/// Route pattern → its outcomes: a request already seen allocates nothing. Aligned to its own
/// cache lines.
#[derive(Default)]
#[repr(align(128))]
struct Shard(Mutex<BTreeMap<String, Vec<Outcome>>>);

/// The server's request metrics.
#[derive(Default)]
pub struct Metrics {
    shards: [Shard; SHARDS],
}

thread_local! {
    /// This thread's shard, the same for every [`Metrics`].
    static SHARD: usize = {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS
    };
}

impl Metrics {
    /// Counts one finished request.
    pub fn record(&self, method: &Method, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let shard = SHARD.with(|shard| *shard);
        let mut series = self.shards[shard]
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !series.contains_key(route) {
            series.insert(route.to_owned(), Vec::new());
        }
        let by_outcome = series.get_mut(route).expect("inserted above");
        let at = match by_outcome
            .iter()
            .position(|(m, s, _)| m == method && *s == status)
        {
            Some(at) => at,
            None => {
                by_outcome.push((method.clone(), status, Series::default()));
                by_outcome.len() - 1
            }
        };
        let entry = &mut by_outcome[at].2;
        entry.count += 1;
        entry.sum_seconds += seconds;
        for (bucket, bound) in entry.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// Every shard's counts added up, by route, method and status.
    fn totals(&self) -> BTreeMap<(String, Method, u16), Series> {
        let mut totals: BTreeMap<(String, Method, u16), Series> = BTreeMap::new();
        for shard in &self.shards {
            let series = shard
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            for (route, outcomes) in series.iter() {
                for (method, status, counted) in outcomes {
                    totals
                        .entry((route.clone(), method.clone(), *status))
                        .or_default()
                        .add(counted);
                }
            }
        }
        totals
    }

    /// The Prometheus text exposition of everything counted so far.
    pub fn render(&self) -> String {
        let totals = self.totals();
        let mut out = String::new();
        out.push_str("# HELP mutual_http_requests_total HTTP requests by route pattern, method and status.\n");
        out.push_str("# TYPE mutual_http_requests_total counter\n");
        let flat: Vec<(&str, &str, u16, &Series)> = totals
            .iter()
            .map(|((route, method, status), s)| (method.as_str(), route.as_str(), *status, s))
            .collect();
        for &(method, route, status, s) in &flat {
            let _ = writeln!(
                out,
                "mutual_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(route),
                s.count
            );
        }
        out.push_str("# HELP mutual_http_request_duration_seconds HTTP request latency by route pattern and method.\n");
        out.push_str("# TYPE mutual_http_request_duration_seconds histogram\n");
        let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for &(method, route, _, s) in &flat {
            by_route.entry((method, route)).or_default().add(s);
        }
        for ((method, route), s) in by_route {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (bound, count) in BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(
                    out,
                    "mutual_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "mutual_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "mutual_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "mutual_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_buckets_accumulate_per_route() {
        let metrics = Metrics::default();
        metrics.record(&Method::GET, "/healthz", 200, Duration::from_millis(2));
        metrics.record(&Method::GET, "/healthz", 200, Duration::from_millis(200));
        metrics.record(&Method::GET, "/healthz", 503, Duration::from_millis(1));
        let text = metrics.render();
        assert!(text.contains(
            "mutual_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "mutual_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"503\"} 1"
        ));
        assert!(text.contains("mutual_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"0.0025\"} 2"));
        assert!(text.contains(
            "mutual_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 3"
        ));
    }

    #[test]
    fn counts_from_every_thread_add_up() {
        let metrics = Metrics::default();
        std::thread::scope(|scope| {
            for _ in 0..SHARDS + 2 {
                scope.spawn(|| {
                    for _ in 0..100 {
                        metrics.record(&Method::GET, "/healthz", 200, Duration::from_millis(1));
                    }
                });
            }
        });
        let used = metrics
            .shards
            .iter()
            .filter(|shard| !shard.0.lock().unwrap().is_empty())
            .count();
        assert!(used > 1, "threads count apart");
        let text = metrics.render();
        let total = (SHARDS + 2) * 100;
        assert!(text.contains(&format!(
            "mutual_http_requests_total{{method=\"GET\",route=\"/healthz\",status=\"200\"}} {total}\n"
        )), "{text}");
        assert!(text.contains(&format!(
            "mutual_http_request_duration_seconds_count{{method=\"GET\",route=\"/healthz\"}} {total}\n"
        )));
    }
}
