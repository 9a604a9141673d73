//! Concurrent clients, each writing into its own batch as fast as the server answers, for a
//! warm-up and then a measured window: the rate, the latencies, and the rate of each half of
//! the window (a batch's stream grows with every write).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde_json::Value;

use super::site::Api;

/// One client: where it posts, as whom, and the body of its `i`th request.
pub struct Writer {
    pub path: String,
    pub token: String,
    pub body: Arc<dyn Fn(usize) -> Value + Send + Sync>,
}

pub struct Window {
    pub warm_up: Duration,
    pub measured: Duration,
}

/// What the measured window saw.
pub struct Outcome {
    /// Latencies of the writes that succeeded in the window, sorted.
    latencies: Vec<Duration>,
    /// When each of them finished, since the window opened.
    finished_at: Vec<Duration>,
    pub failures: usize,
    pub first_failure: Option<String>,
    pub measured: Duration,
    /// Requests sent, warm-up included: what the server's CPU time is shared by.
    sent: usize,
}

/// One request's result, as a client saw it.
struct Sample {
    started: Instant,
    finished: Instant,
    failure: Option<String>,
}

pub async fn drive(api: &Api, writers: Vec<Writer>, window: &Window) -> Outcome {
    let opens = Instant::now() + window.warm_up;
    let closes = opens + window.measured;
    let clients = writers
        .into_iter()
        .map(|writer| run_client(api.clone(), writer, closes));
    let samples: Vec<Sample> = join_all(clients).await.into_iter().flatten().collect();
    let sent = samples.len();
    let in_window = samples
        .iter()
        .filter(|s| s.started >= opens && s.finished <= closes);
    let (failed, succeeded): (Vec<&Sample>, Vec<&Sample>) =
        in_window.partition(|s| s.failure.is_some());
    let mut latencies: Vec<Duration> = succeeded.iter().map(|s| s.finished - s.started).collect();
    latencies.sort();
    Outcome {
        latencies,
        finished_at: succeeded.iter().map(|s| s.finished - opens).collect(),
        failures: failed.len(),
        first_failure: failed.first().and_then(|s| s.failure.clone()),
        measured: window.measured,
        sent,
    }
}

/// Posts one request after the other until `closes`.
async fn run_client(api: Api, writer: Writer, closes: Instant) -> Vec<Sample> {
    let url = api.url(&writer.path);
    let mut samples = Vec::new();
    for i in 0.. {
        let started = Instant::now();
        if started >= closes {
            break;
        }
        let sent = api
            .client
            .post(&url)
            .bearer_auth(&writer.token)
            .json(&(writer.body)(i))
            .send()
            .await;
        // The whole answer is read (the batch record as it now stands), as a client would.
        let failure = match sent {
            Ok(response) if response.status().is_success() => {
                response.bytes().await.err().map(|e| e.to_string())
            }
            Ok(response) => Some(format!(
                "{}: {}",
                response.status(),
                response.text().await.unwrap_or_default()
            )),
            Err(e) => Some(e.to_string()),
        };
        samples.push(Sample {
            started,
            finished: Instant::now(),
            failure,
        });
    }
    samples
}

impl Outcome {
    pub fn requests_sent(&self) -> usize {
        self.sent
    }

    pub fn count(&self) -> usize {
        self.latencies.len()
    }

    /// Writes per second over the measured window.
    pub fn rate(&self) -> f64 {
        self.count() as f64 / self.measured.as_secs_f64()
    }

    /// The rates of the first and of the second half of the window.
    pub fn halves(&self) -> (f64, f64) {
        let half = self.measured / 2;
        let first = self.finished_at.iter().filter(|t| **t < half).count();
        let second = self.count() - first;
        let seconds = half.as_secs_f64();
        (first as f64 / seconds, second as f64 / seconds)
    }

    /// The latency below which `p` of the writes finished (nearest rank).
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank =
            ((p * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1]
    }
}
