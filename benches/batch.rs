//! `cargo bench --bench batch`: how the `batch` module scales when the
//! service is slow, not the client: every request is answered after 50 ms,
//! so `threads` threads can at best finish `threads / 0.05 s` keys a
//! second. Measured at 16, 64, 128 and 256 threads: keys per second, and
//! that as a share of the ideal.
//!
//! The server is the tests' loopback server (`tests/common/server.rs`,
//! a thread per connection, binding 127.0.0.1 only, bounded in requests
//! and time), answering each `process_object` with its 200 JSON after
//! [`LATENCY`]; a new one per sample. The client keeps an idle connection
//! per thread (`max_idle_connections_per_host`), so after the first round
//! no connection is opened. A sample runs [`ROUNDS`] keys per thread from
//! an iterator (no listing) through `Batch::run`, connection set-up
//! included; beside it, for comparison, the same calls from plain threads
//! looping over `process_object` (no queue, no limiter, no bookkeeping),
//! the two alternating. Each figure is the median of [`SAMPLES`].
//!
//! Run without `--bench` (as `cargo test --benches` does), it makes a quick
//! smoke run at 4 threads instead.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Reply, Server};
use oss_process::batch::{Batch, Template};
use oss_process::{Client, Credentials, Process};

/// How long the server takes to answer each request.
const LATENCY: Duration = Duration::from_millis(50);
/// Keys per thread in one sample.
const ROUNDS: usize = 50;
/// Samples per thread count.
const SAMPLES: usize = 5;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (thread_counts, rounds, samples): (&[usize], usize, usize) = if full {
        (&[16, 64, 128, 256], ROUNDS, SAMPLES)
    } else {
        println!("smoke run (pass --bench, as `cargo bench` does, for the real figures)");
        (&[4], 2, 1)
    };
    println!(
        "== batch: process_object against a server answering after {} ms, {rounds} keys per thread, median of {samples}",
        LATENCY.as_millis()
    );
    println!(
        "threads | ideal keys/s | Batch keys/s (median, min-max) | share | plain threads calls/s (median, min-max) | share"
    );
    for &threads in thread_counts {
        let ideal = threads as f64 / LATENCY.as_secs_f64();
        // Alternating, so that load from elsewhere hits both alike.
        let (mut batch, mut plain) = (Vec::new(), Vec::new());
        for _ in 0..samples {
            batch.push(sample(threads, rounds, Driver::Batch));
            plain.push(sample(threads, rounds, Driver::PlainThreads));
        }
        let (b, p) = (summary(&mut batch), summary(&mut plain));
        println!(
            "{threads:7} | {ideal:12.0} | {:>30} | {:4.1}% | {:>39} | {:4.1}%",
            b.0,
            100.0 * b.1 / ideal,
            p.0,
            100.0 * p.1 / ideal
        );
    }
}

/// `median (min-max)` as text, and the median.
fn summary(rates: &mut [f64]) -> (String, f64) {
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    let text = format!(
        "{median:.0} ({:.0}-{:.0})",
        rates[0],
        rates[rates.len() - 1]
    );
    (text, median)
}

/// What drives the calls.
#[derive(Clone, Copy)]
enum Driver {
    /// `Batch::run` over a key iterator.
    Batch,
    /// For comparison: plain threads calling `process_object` in a loop,
    /// no queue, no limiter, no bookkeeping.
    PlainThreads,
}

/// `rounds` calls per thread at `threads` threads: calls per second.
fn sample(threads: usize, rounds: usize, driver: Driver) -> f64 {
    let keys = threads * rounds;
    let server = Server::builder()
        .max_requests(keys + 16)
        .max_time(Duration::from_secs(120))
        .start(|i, _| Reply::process_ok("thumbs", "t/k", 1, &format!("RID{i:020}")).delay(LATENCY));
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(server.url())
        .credentials(Credentials::new(
            "LTAI5tBenchmarkKeyId",
            "BenchmarkSecretValue0123456789",
        ))
        .max_idle_connections(threads)
        .max_idle_connections_per_host(threads)
        .build()
        .expect("client");
    let style = Process::parse("image/resize,m_lfit,w_256,h_256").expect("style");
    let template = Template::new(style)
        .target_bucket("thumbs")
        .target_prefix("t/");
    let key = |i: usize| format!("photos/{i:06}.jpg");
    let started = Instant::now();
    match driver {
        Driver::Batch => {
            let report = Batch::new(&client, "examplebucket")
                .keys((0..keys).map(key))
                .template(template)
                .threads(threads)
                .run()
                .expect("batch");
            assert!(
                report.is_success() && report.done() == keys as u64,
                "{report:?}"
            );
        }
        Driver::PlainThreads => std::thread::scope(|s| {
            for t in 0..threads {
                let (client, template) = (&client, &template);
                s.spawn(move || {
                    for r in 0..rounds {
                        let k = key(r * threads + t);
                        let process = template.process_for(&k).expect("process");
                        client
                            .process_object("examplebucket", &k, &process)
                            .expect("call");
                    }
                });
            }
        }),
    }
    keys as f64 / started.elapsed().as_secs_f64()
}
