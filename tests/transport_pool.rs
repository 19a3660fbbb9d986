//! The connection pool against a counting loopback server: sequential
//! calls reuse one connection; a 64-thread batch with 64 connections open
//! at once fits the default pool (none is closed and opened again between
//! calls), while a smaller per-host limit does not; turning reuse off opens
//! one connection per call.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::{Reply, Server};
use oss_process::{Client, ClientBuilder, Credentials, ProxyConfig};

const PROCESS: &str = "image/resize,w_10|sys/saveas,o_dGh1bWIuanBn";

fn builder(server: &Server) -> ClientBuilder {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(server.url())
        .credentials(Credentials::new(
            "LTAI5tPoolTest",
            "PoolTestSecret0123456789",
        ))
        .proxy(ProxyConfig::none())
}

fn server(requests: usize) -> Server {
    Server::always(
        requests,
        Reply::process_ok("examplebucket", "thumb.jpg", 10, "REQ-POOL"),
    )
}

#[test]
fn sequential_calls_reuse_one_connection() {
    let server = server(10);
    let client = builder(&server).build().unwrap();
    for _ in 0..5 {
        client
            .process_object("examplebucket", "cat.jpg", PROCESS)
            .unwrap();
    }
    assert_eq!(server.count(), 5);
    assert_eq!(server.connections(), 1);
}

/// Runs 64 threads in 3 rounds of one call each. The server holds each
/// round's answers until all 64 of its requests are in flight, so 64
/// connections are in use at once in every round (a 2-core machine would
/// otherwise let threads take turns on fewer). Returns how many
/// connections were opened in all.
fn batch_of_64(configure: impl Fn(ClientBuilder) -> ClientBuilder) -> usize {
    const THREADS: usize = 64;
    const CALLS: usize = 3;
    let arrived: Arc<Vec<AtomicUsize>> =
        Arc::new((0..CALLS).map(|_| AtomicUsize::new(0)).collect());
    let gate = Arc::clone(&arrived);
    let server = Server::start(THREADS * CALLS, Duration::from_secs(30), move |i, _| {
        let round = &gate[i / THREADS];
        round.fetch_add(1, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(10);
        while round.load(Ordering::SeqCst) < THREADS && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        Reply::process_ok("examplebucket", "thumb.jpg", 10, "REQ-POOL")
    });
    let client = configure(builder(&server)).build().unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let client = client.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                // Every thread makes its call of a round, then waits for
                // the others: between rounds all 64 connections are idle.
                for _ in 0..CALLS {
                    barrier.wait();
                    client
                        .process_object("examplebucket", "cat.jpg", PROCESS)
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(server.count(), THREADS * CALLS);
    for round in arrived.iter() {
        assert_eq!(round.load(Ordering::SeqCst), THREADS);
    }
    server.connections()
}

#[test]
fn a_64_thread_batch_fits_the_default_pool() {
    // All 64 connections are kept between calls: none is opened again.
    assert_eq!(batch_of_64(|b| b), 64);
    // With room for 32 idle connections per host, 32 are closed after each
    // round and opened again for the next.
    assert_eq!(
        batch_of_64(|b| b.max_idle_connections_per_host(32)),
        64 + 32 + 32
    );
}

#[test]
fn turning_reuse_off_opens_a_connection_per_call() {
    let server = server(10);
    let client = builder(&server)
        .max_idle_connections_per_host(0)
        .build()
        .unwrap();
    for _ in 0..4 {
        client
            .process_object("examplebucket", "cat.jpg", PROCESS)
            .unwrap();
    }
    assert_eq!(server.connections(), 4);
    let capped = builder(&server).max_idle_connections(0).build().unwrap();
    for _ in 0..2 {
        capped
            .process_object("examplebucket", "cat.jpg", PROCESS)
            .unwrap();
    }
    assert_eq!(server.connections(), 6);
}
