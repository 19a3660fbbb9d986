//! `cargo bench`: what the crate costs on top of the raw transport.
//!
//! Measures, with std timing only (no bench framework, no extra dependency):
//! - `sign`: signing a process request in header form
//!   (`Signer::sign_headers`) and presigning a process URL
//!   (`Signer::presign`, `Client::presign_process`);
//! - `calls`: a full `process_object` (form, sign, send, parse) against a
//!   loopback keep-alive HTTP/1.1 server started here, beside a raw `ureq`
//!   POST of the same bytes (same URL, same headers with a precomputed
//!   Authorization, same body, an agent with the same settings) over the same
//!   kind of connection, in alternating rounds so that load from elsewhere
//!   hits both alike. Twice: with client and server threads on one CPU (the
//!   server answers at once, so the client's own work weighs most), then on
//!   two CPUs (like a server process on the other core). Threads are pinned
//!   with `taskset` when it works;
//! - `memory`: peak RSS (`VmHWM`) after 10,000 and after 100,000
//!   `process_object` calls in this process.
//!
//! Each figure is the median over samples, with p10/p90 and min/max.
//! `cargo bench -- sign` (or `calls`, `memory`) runs one section. With
//! `OSS_PROCESS_BENCH_ENDPOINT=http://127.0.0.1:PORT` the calls are also
//! measured against that server (e.g. nginx answering 200 to any POST).
//! Run without `--bench` (as `cargo test --benches` does), it makes a quick
//! smoke run with tiny counts instead.
//!
//! The server is the tests' loopback server (`tests/common/server.rs`) in its
//! fixed-reply mode: it binds 127.0.0.1 only, answers at most
//! [`SERVER_MAX_REQUESTS`] requests and stops by itself after
//! [`SERVER_MAX_TIME`] or when dropped.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use common::{Reply, Server};

use oss_process::sign::{SignableRequest, Signer};
use oss_process::{Client, Credentials, NoRetry};

const BUCKET: &str = "examplebucket";
const KEY: &str = "example.jpg";
/// A typical request: resize, then save under `example-resized.jpg`.
const PROCESS: &str = "image/resize,m_fixed,w_100,h_100|sys/saveas,o_ZXhhbXBsZS1yZXNpemVkLmpwZw";
/// The same resize as a presigned GET carries it (saveas is POST-only).
const GET_PROCESS: &str = "image/resize,m_fixed,w_100,h_100";
const REGION: &str = "cn-hangzhou";
/// The fixed answer of the loopback server.
const ANSWER_BODY: &str = r#"{"bucket":"b","fileSize":1,"object":"k","status":"OK"}"#;
/// The loopback server answers at most this many requests...
const SERVER_MAX_REQUESTS: usize = 2_000_000;
/// ...and stops by itself after this long.
const SERVER_MAX_TIME: Duration = Duration::from_secs(600);

/// An `http://IP:PORT` endpoint of a server answering 200 to any POST
/// (e.g. a local nginx): when set, the calls are also measured against it.
const EXTERNAL_ENDPOINT_VAR: &str = "OSS_PROCESS_BENCH_ENDPOINT";

/// How much work one run does: a full `cargo bench`, or a smoke run.
struct Plan {
    /// False for the smoke run.
    full: bool,
    /// Samples (rounds) per figure.
    samples: usize,
    /// Wall time one signing sample aims at.
    sign_sample_time: Duration,
    /// Wall time one throughput sample aims at.
    call_sample_time: Duration,
    /// Calls before the first and the second memory reading.
    rss_checkpoints: [usize; 2],
}

impl Plan {
    fn from_args() -> Plan {
        if std::env::args().any(|a| a == "--bench") {
            Plan {
                full: true,
                samples: 21,
                sign_sample_time: Duration::from_millis(40),
                call_sample_time: Duration::from_millis(100),
                rss_checkpoints: [10_000, 100_000],
            }
        } else {
            Plan {
                full: false,
                samples: 3,
                sign_sample_time: Duration::from_millis(2),
                call_sample_time: Duration::from_millis(5),
                rss_checkpoints: [50, 100],
            }
        }
    }
}

fn main() {
    let plan = Plan::from_args();
    if !plan.full {
        println!("smoke run (pass --bench, as `cargo bench` does, for the real figures)");
    }
    // `cargo bench -- sign` runs the sections whose name contains `sign`.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted =
        |section: &str| filters.is_empty() || filters.iter().any(|f| section.contains(f.as_str()));
    let credentials = Credentials::new("LTAI5tBenchmarkKeyId", "BenchmarkSecretValue0123456789");
    let pinned = pin_current_thread(0);

    if wanted("sign") {
        println!("== sign: signing, one thread, time per call");
        bench_signing(&plan, &credentials);
    }

    // The client's own CPU work shows most when the server answers at once:
    // both on one CPU, a direct hand-over. The other placement is that of a
    // server process on the other core.
    let placements: &[(&str, Option<usize>)] = if pinned {
        &[
            ("client and server on CPU 0", Some(0)),
            ("client on CPU 0, server on CPU 1", Some(1)),
        ]
    } else {
        println!("(taskset not usable: thread placement is left to the scheduler)");
        &[("unpinned", None)]
    };
    for (i, &(placement, server_cpu)) in placements.iter().enumerate() {
        let (calls, memory) = (wanted("calls"), i == 0 && wanted("memory"));
        if !calls && !memory {
            continue;
        }
        let server = loopback_server(server_cpu);
        let endpoint = server.url();
        let client = bench_client(&endpoint, &credentials);
        if calls {
            println!(
                "== calls: process_object vs raw ureq POST, loopback keep-alive HTTP/1.1, one thread, {placement}"
            );
            bench_throughput(&plan, &client, &credentials);
        }
        if memory {
            println!(
                "== memory: peak RSS over many process_object calls, one client, one thread, {placement}"
            );
            bench_memory(&plan, &client);
        }
    }

    // A server of your own (e.g. nginx answering the same JSON), for a
    // comparison with a server in another process.
    if let Ok(endpoint) = std::env::var(EXTERNAL_ENDPOINT_VAR)
        && wanted("calls")
    {
        println!(
            "== calls: process_object vs raw ureq POST against {endpoint} ({EXTERNAL_ENDPOINT_VAR}), one thread, client on CPU 0"
        );
        bench_throughput(&plan, &bench_client(&endpoint, &credentials), &credentials);
    }
}

/// The tests' loopback server answering every request with the same 200
/// JSON (keep-alive, one thread per connection, the answer formed once);
/// with `cpu`, its connection threads run there only.
fn loopback_server(cpu: Option<usize>) -> Server {
    let answer = Reply::with(200, "application/json", ANSWER_BODY)
        .header("x-oss-request-id", "5C3D9175B6FC201293AD4890");
    let mut builder = Server::builder()
        .max_requests(SERVER_MAX_REQUESTS)
        .max_time(SERVER_MAX_TIME);
    if let Some(cpu) = cpu {
        builder = builder.on_thread_start(move || {
            pin_current_thread(cpu);
        });
    }
    builder.fixed(answer)
}

fn bench_client(endpoint: &str, credentials: &Credentials) -> Client {
    Client::builder()
        .region(REGION)
        .endpoint(endpoint)
        .credentials(credentials.clone())
        .retry_policy(NoRetry)
        .build()
        .expect("client")
}

/// Pins the calling thread to `cpu` with `taskset` (util-linux), so that
/// runs compare like with like; false when that is not possible.
fn pin_current_thread(cpu: usize) -> bool {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        return false;
    }
    let Some(tid) = std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|link| Some(link.file_name()?.to_str()?.to_string()))
    else {
        return false;
    };
    std::process::Command::new("taskset")
        .args(["-p", "-c", &cpu.to_string(), &tid])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn bench_signing(plan: &Plan, credentials: &Credentials) {
    let client = bench_client("http://127.0.0.1:9", credentials);
    let signer = Signer::new(REGION, "oss");
    let body = format!("x-oss-process={PROCESS}");
    let content_md5 = base64_std(&md5_of(body.as_bytes()));
    let headers = [("Content-MD5", content_md5.as_str())];
    let header_form = SignableRequest {
        method: "POST",
        bucket: Some(BUCKET),
        key: Some(KEY),
        query: "x-oss-process",
        headers: &headers,
        additional_headers: &[],
    };
    let sign = time_per_call(plan, || {
        black_box(
            signer
                .sign_headers(
                    black_box(&header_form),
                    black_box(credentials),
                    SystemTime::now(),
                )
                .expect("valid request"),
        );
    });
    print_time("sign_headers (process POST, header form)", &sign);

    let query = format!(
        "x-oss-process={}",
        percent_encoding::utf8_percent_encode(GET_PROCESS, UNRESERVED_ENCODED)
    );
    let query_form = SignableRequest {
        method: "GET",
        bucket: Some(BUCKET),
        key: Some(KEY),
        query: &query,
        headers: &[],
        additional_headers: &[],
    };
    let base = format!("https://{BUCKET}.oss-{REGION}.aliyuncs.com/{KEY}");
    let expires = Duration::from_secs(3600);
    let presign = time_per_call(plan, || {
        black_box(
            signer
                .presign(
                    &base,
                    black_box(&query_form),
                    black_box(credentials),
                    SystemTime::now(),
                    expires,
                )
                .expect("presign"),
        );
    });
    print_time("presign (Signer::presign, process GET URL)", &presign);

    let presign_process = time_per_call(plan, || {
        black_box(
            client
                .presign_process(BUCKET, KEY, GET_PROCESS, expires)
                .expect("presign_process"),
        );
    });
    print_time(
        "Client::presign_process (checks + presign)",
        &presign_process,
    );
}

/// The raw request: exactly the bytes `process_object` sends, signed once.
struct RawRequest {
    agent: ureq::Agent,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl RawRequest {
    fn new(client: &Client, credentials: &Credentials) -> RawRequest {
        let body = format!("x-oss-process={PROCESS}").into_bytes();
        let content_md5 = base64_std(&md5_of(&body));
        let signed = Signer::new(REGION, "oss")
            .sign_headers(
                &SignableRequest {
                    method: "POST",
                    bucket: Some(BUCKET),
                    key: Some(KEY),
                    query: "x-oss-process",
                    headers: &[("Content-MD5", &content_md5)],
                    additional_headers: &[],
                },
                credentials,
                SystemTime::now(),
            )
            .expect("valid request");
        let mut headers = vec![("User-Agent", user_agent()), ("Content-MD5", content_md5)];
        headers.extend(signed.headers);
        // The same agent settings as the client's: status codes are not
        // errors, no redirects, the same timeouts.
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_send_request(Some(Duration::from_secs(20)))
            .timeout_send_body(Some(Duration::from_secs(20)))
            .timeout_recv_response(Some(Duration::from_secs(20)))
            .timeout_recv_body(Some(Duration::from_secs(20)))
            .build()
            .new_agent();
        RawRequest {
            agent,
            url: format!("{}?x-oss-process", object_url(client)),
            headers,
            body,
        }
    }

    fn send(&self) -> usize {
        let mut request = self.agent.post(&self.url);
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        let mut response = request.send(&self.body[..]).expect("raw POST");
        assert_eq!(response.status().as_u16(), 200);
        response.body_mut().read_to_vec().expect("raw body").len()
    }
}

/// The URL the client sends to, without the query (as its presigned URLs
/// show it: they use the same address style).
fn object_url(client: &Client) -> String {
    let presigned = client
        .presign_process(BUCKET, KEY, GET_PROCESS, Duration::from_secs(60))
        .expect("presign");
    let (base, _) = presigned.url().split_once('?').expect("a query");
    base.to_string()
}

/// The User-Agent the client sends, so the raw request carries the same bytes.
fn user_agent() -> String {
    format!(
        "oss-process/{} ({}/{}; rust)",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

fn bench_throughput(plan: &Plan, client: &Client, credentials: &Credentials) {
    let raw = RawRequest::new(client, credentials);
    let call_crate = || {
        let result = client
            .process_object(BUCKET, KEY, PROCESS)
            .expect("process_object");
        black_box(result.file_size());
    };
    let call_raw = || {
        black_box(raw.send());
    };
    // Warm up both connections and the caches, and size the samples.
    let warmup = Instant::now();
    let mut warmup_calls = 0;
    while warmup.elapsed() < plan.call_sample_time {
        call_crate();
        call_raw();
        warmup_calls += 1;
    }
    let per_pair = warmup.elapsed() / warmup_calls;
    let calls =
        (plan.call_sample_time.as_nanos() * 2 / per_pair.as_nanos().max(1)).max(10) as usize;
    let mut crate_rates = Vec::with_capacity(plan.samples);
    let mut raw_rates = Vec::with_capacity(plan.samples);
    let mut ratios = Vec::with_capacity(plan.samples);
    for round in 0..plan.samples {
        // ABBA order: neither side always runs first.
        let (c, r) = if round % 2 == 0 {
            let c = calls_per_second(calls, call_crate);
            (c, calls_per_second(calls, call_raw))
        } else {
            let r = calls_per_second(calls, call_raw);
            (calls_per_second(calls, call_crate), r)
        };
        crate_rates.push(c);
        raw_rates.push(r);
        ratios.push(c / r);
    }
    let crate_stats = Stats::of(crate_rates);
    let raw_stats = Stats::of(raw_rates);
    println!("{calls} calls per sample, crate and raw in alternating order");
    print_rate("process_object (form, sign, send, parse)", &crate_stats);
    print_rate("raw ureq POST (same URL, headers, body)", &raw_stats);
    let ratio = Stats::of(ratios);
    println!(
        "{:<44} median {:.3}  p10 {:.3}  p90 {:.3}  min {:.3}  max {:.3}  (per round; ratio of medians {:.3})",
        "ratio crate/raw calls/s",
        ratio.median,
        ratio.p10,
        ratio.p90,
        ratio.min,
        ratio.max,
        crate_stats.median / raw_stats.median
    );
}

fn bench_memory(plan: &Plan, client: &Client) {
    let [first, second] = plan.rss_checkpoints;
    let before = read_status_kib("VmHWM");
    let started = Instant::now();
    let mut readings = Vec::new();
    let mut done = 0;
    for checkpoint in [first, second] {
        while done < checkpoint {
            client
                .process_object(BUCKET, KEY, PROCESS)
                .expect("process_object");
            done += 1;
        }
        readings.push((
            checkpoint,
            read_status_kib("VmHWM"),
            read_status_kib("VmRSS"),
        ));
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "VmHWM before: {} KiB",
        before.map_or("?".into(), |k| k.to_string())
    );
    for (calls, hwm, rss) in &readings {
        println!(
            "after {calls:>7} calls: VmHWM {} KiB, VmRSS {} KiB",
            hwm.map_or("?".into(), |k| k.to_string()),
            rss.map_or("?".into(), |k| k.to_string())
        );
    }
    if let [(_, Some(a), _), (_, Some(b), _)] = readings[..] {
        println!(
            "peak RSS growth from {first} to {second} calls: {} KiB ({} calls in {elapsed:.1} s)",
            b as i64 - a as i64,
            second
        );
    }
}

/// A value of `/proc/self/status` in KiB (`VmHWM`, `VmRSS`), where there is one.
fn read_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        line.strip_prefix(field)?
            .strip_prefix(':')?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()
    })
}

fn md5_of(bytes: &[u8]) -> [u8; 16] {
    use md5::Digest as _;
    md5::Md5::digest(bytes).into()
}

// ---- timing ---------------------------------------------------------------

/// Median, spread and extremes of a set of samples.
struct Stats {
    median: f64,
    p10: f64,
    p90: f64,
    min: f64,
    max: f64,
    samples: usize,
}

impl Stats {
    fn of(mut values: Vec<f64>) -> Stats {
        assert!(!values.is_empty());
        values.sort_by(f64::total_cmp);
        let at = |q: f64| {
            // Nearest-rank percentile.
            let rank = (q * values.len() as f64).ceil() as usize;
            values[rank.clamp(1, values.len()) - 1]
        };
        Stats {
            median: if values.len() % 2 == 1 {
                values[values.len() / 2]
            } else {
                (values[values.len() / 2 - 1] + values[values.len() / 2]) / 2.0
            },
            p10: at(0.10),
            p90: at(0.90),
            min: values[0],
            max: values[values.len() - 1],
            samples: values.len(),
        }
    }
}

/// Nanoseconds per call, one value per sample; each sample repeats `f`
/// for about `plan.sign_sample_time`.
fn time_per_call(plan: &Plan, mut f: impl FnMut()) -> Stats {
    // Calibrate (and warm up): how many calls fill one sample.
    let mut iterations = 1u64;
    loop {
        let t = Instant::now();
        for _ in 0..iterations {
            f();
        }
        if t.elapsed() >= plan.sign_sample_time / 4 {
            iterations *= 4;
            break;
        }
        iterations *= 2;
    }
    let mut per_call = Vec::with_capacity(plan.samples);
    for _ in 0..plan.samples {
        let t = Instant::now();
        for _ in 0..iterations {
            f();
        }
        per_call.push(t.elapsed().as_nanos() as f64 / iterations as f64);
    }
    Stats::of(per_call)
}

fn calls_per_second(calls: usize, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..calls {
        f();
    }
    calls as f64 / t.elapsed().as_secs_f64()
}

fn print_time(name: &str, s: &Stats) {
    println!(
        "{name:<44} median {:>7.3} us  p10 {:.3}  p90 {:.3}  min {:.3}  max {:.3}  ({} samples)",
        s.median / 1e3,
        s.p10 / 1e3,
        s.p90 / 1e3,
        s.min / 1e3,
        s.max / 1e3,
        s.samples
    );
}

fn print_rate(name: &str, s: &Stats) {
    println!(
        "{name:<44} median {:>7.0} calls/s ({:.1} us/call)  p10 {:.0}  p90 {:.0}  min {:.0}  max {:.0}  ({} samples)",
        s.median,
        1e6 / s.median,
        s.p10,
        s.p90,
        s.min,
        s.max,
        s.samples
    );
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// RFC 3986: all but `A-Z a-z 0-9 - _ . ~` encoded, as the SDKs encode queries.
const UNRESERVED_ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
