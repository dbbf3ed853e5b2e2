//! Logging setup and the Prometheus metrics every plugin exports.
//!
//! Logs: [`init_logging`] installs a `tracing` subscriber writing to stderr as text or JSON
//! ([`LogFormat`]), filtered by a `LOG_LEVEL`-style directive (`info`, `examples=debug,warn`).
//!
//! Metrics: [`metrics()`] is the process-wide registry; [`serve_metrics`] answers
//! `GET /metrics` in the Prometheus text format on its own port. Series, each labelled by
//! `plugin` and `prism_central`:
//!
//! - `plugin_collection_duration_seconds` (histogram): duration of one collection (one task);
//! - `plugin_resources_collected_total` (counter): SUCCESS records of a Prism Central sent to
//!   CloudForet (resources and regions; type records belong to no Prism Central);
//! - `plugin_errors_total` (counter): failures (FAILURE records, failed calls);
//! - `plugin_api_calls_total` (counter): HTTP exchanges with Prism Central.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[non_exhaustive]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (for log collectors).
    Json,
}

/// Installs the global `tracing` subscriber (stderr). `level` is an `EnvFilter` directive.
/// Calling it twice is harmless (the second call does nothing).
///
/// # Errors
/// When `level` is not a valid filter directive.
pub fn init_logging(format: LogFormat, level: &str) -> Result<(), String> {
    let filter = EnvFilter::try_new(level)
        .map_err(|e| format!("invalid LOG_LEVEL {level:?}: {e}; use e.g. info or debug"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _already_set = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    Ok(())
}

const BUCKETS: [f64; 12] = [
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

type Labels = (String, String);

#[derive(Debug, Default)]
struct Series {
    durations: BTreeMap<Labels, Histogram>,
    resources: BTreeMap<Labels, u64>,
    errors: BTreeMap<Labels, u64>,
    api_calls: BTreeMap<Labels, u64>,
}

/// The plugin metrics registry (see the module docs). Cheap to update from any task.
#[derive(Debug, Default)]
pub struct Metrics {
    series: Mutex<Series>,
}

/// The process-wide registry.
pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::default)
}

fn labels(plugin: &str, pc: &str) -> Labels {
    (plugin.to_owned(), pc.to_owned())
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    fn lock(&self) -> MutexGuard<'_, Series> {
        // A panic while holding the lock cannot leave the counters inconsistent.
        self.series.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the duration of one collection.
    pub fn observe_collection(&self, plugin: &str, prism_central: &str, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut s = self.lock();
        let h = s
            .durations
            .entry(labels(plugin, prism_central))
            .or_default();
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                h.buckets[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    /// Adds `n` collected resources.
    pub fn add_resources(&self, plugin: &str, prism_central: &str, n: u64) {
        *self
            .lock()
            .resources
            .entry(labels(plugin, prism_central))
            .or_default() += n;
    }

    /// Counts one error.
    pub fn inc_errors(&self, plugin: &str, prism_central: &str) {
        *self
            .lock()
            .errors
            .entry(labels(plugin, prism_central))
            .or_default() += 1;
    }

    /// Counts one Prism Central API call.
    pub fn inc_api_calls(&self, plugin: &str, prism_central: &str) {
        *self
            .lock()
            .api_calls
            .entry(labels(plugin, prism_central))
            .or_default() += 1;
    }

    /// The value of a counter (`plugin_resources_collected_total`, `plugin_errors_total`,
    /// `plugin_api_calls_total`) for one label pair; 0 when never touched.
    pub fn counter(&self, name: &str, plugin: &str, prism_central: &str) -> u64 {
        let s = self.lock();
        let map = match name {
            "plugin_resources_collected_total" => &s.resources,
            "plugin_errors_total" => &s.errors,
            "plugin_api_calls_total" => &s.api_calls,
            _ => return 0,
        };
        map.get(&labels(plugin, prism_central))
            .copied()
            .unwrap_or(0)
    }

    /// The Prometheus text exposition (format 0.0.4) of every series.
    pub fn render(&self) -> String {
        let s = self.lock();
        let mut out = String::new();
        let lbl =
            |(p, pc): &Labels| format!("plugin=\"{}\",prism_central=\"{}\"", escape(p), escape(pc));
        out.push_str("# HELP plugin_collection_duration_seconds Duration of one collection task.\n# TYPE plugin_collection_duration_seconds histogram\n");
        for (k, h) in &s.durations {
            let l = lbl(k);
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "plugin_collection_duration_seconds_bucket{{{l},le=\"{le}\"}} {}",
                    h.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "plugin_collection_duration_seconds_bucket{{{l},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "plugin_collection_duration_seconds_sum{{{l}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "plugin_collection_duration_seconds_count{{{l}}} {}",
                h.count
            );
        }
        for (name, help, map) in [
            (
                "plugin_resources_collected_total",
                "Records sent to CloudForet.",
                &s.resources,
            ),
            (
                "plugin_errors_total",
                "Failures (FAILURE records, failed calls).",
                &s.errors,
            ),
            (
                "plugin_api_calls_total",
                "HTTP exchanges with Prism Central.",
                &s.api_calls,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (k, v) in map {
                let _ = writeln!(out, "{name}{{{}}} {v}", lbl(k));
            }
        }
        out
    }
}

/// Binds `addr` and serves `GET /metrics` (any other path: 404) in the background.
/// Returns the bound address (useful with port 0).
///
/// # Errors
/// When the address cannot be bound.
pub async fn serve_metrics(addr: SocketAddr) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut len = 0;
                // Read the request head (bounded; a slow client gets 5 s).
                let read = tokio::time::timeout(Duration::from_secs(5), async {
                    while len < buf.len() {
                        let n = sock.read(&mut buf[len..]).await?;
                        if n == 0 {
                            break;
                        }
                        len += n;
                        if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                            break;
                        }
                    }
                    Ok::<_, std::io::Error>(())
                })
                .await;
                if !matches!(read, Ok(Ok(()))) {
                    return;
                }
                let head = String::from_utf8_lossy(&buf[..len]);
                let path = head.split_whitespace().nth(1).unwrap_or("");
                let (status, body) = if head.starts_with("GET ")
                    && (path == "/metrics" || path.starts_with("/metrics?"))
                {
                    ("200 OK", metrics().render())
                } else {
                    ("404 Not Found", "not found; try /metrics\n".to_owned())
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Ok(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_has_every_series_with_labels() {
        let m = Metrics::default();
        m.observe_collection("inventory", "pc:9440", Duration::from_millis(300));
        m.add_resources("inventory", "pc:9440", 7);
        m.inc_errors("inventory", "pc:9440");
        m.inc_api_calls("inventory", "pc:9440");
        m.inc_api_calls("inventory", "pc:9440");
        let text = m.render();
        assert!(text.contains("plugin_collection_duration_seconds_bucket{plugin=\"inventory\",prism_central=\"pc:9440\",le=\"0.5\"} 1"), "{text}");
        assert!(text.contains("plugin_collection_duration_seconds_bucket{plugin=\"inventory\",prism_central=\"pc:9440\",le=\"0.25\"} 0"), "{text}");
        assert!(text.contains(
            "plugin_resources_collected_total{plugin=\"inventory\",prism_central=\"pc:9440\"} 7"
        ));
        assert!(
            text.contains("plugin_errors_total{plugin=\"inventory\",prism_central=\"pc:9440\"} 1")
        );
        assert!(
            text.contains(
                "plugin_api_calls_total{plugin=\"inventory\",prism_central=\"pc:9440\"} 2"
            )
        );
        assert_eq!(
            m.counter("plugin_api_calls_total", "inventory", "pc:9440"),
            2
        );
    }

    #[tokio::test]
    async fn serves_metrics_over_http() {
        metrics().add_resources("telemetry-test", "x", 3);
        let addr = serve_metrics("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
        sock.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut resp = String::new();
        sock.read_to_string(&mut resp).await.unwrap();
        assert!(resp.starts_with("HTTP/1.1 200 OK"), "{resp}");
        assert!(resp.contains(
            "plugin_resources_collected_total{plugin=\"telemetry-test\",prism_central=\"x\"} 3"
        ));
    }
}
