//! The `batch` module: a batch cancelled halfway and rerun with its journal
//! processes each key exactly once in total; shards split a prefix
//! exactly; keys stream through a bounded queue; throttling slows every
//! thread at once and the batch still finishes; a failing key is reported
//! with its Code and the batch goes on; bad settings and unreadable
//! journals are errors before any request.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::{Reply, Server};
use oss_process::batch::{Batch, CancelToken, Shard, Template};
use oss_process::{Client, Credentials, Error, Process};

fn style() -> Process {
    Process::parse("image/resize,m_lfit,w_16,h_16").unwrap()
}

fn template() -> Template {
    Template::new(style())
        .target_bucket("thumbs")
        .target_prefix("t/")
}

fn client_for(endpoint: &str, credentials: Credentials) -> Client {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(endpoint)
        .credentials(credentials)
        .max_idle_connections_per_host(16)
        .build()
        .unwrap()
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("oss-process-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

#[cfg(feature = "emulator")]
mod against_the_emulator {
    use super::*;
    use common::{AK, Counts, SK, photos_emulator, png};
    use oss_process::emulator::Emulator;
    use oss_process::emulator::{Fault, RequestKind};

    /// An emulator with `n` small photos under `in/`, counting the process
    /// requests each key gets.
    fn seeded(n: usize) -> (Emulator, Counts, Vec<String>) {
        let keys: Vec<String> = (0..n).map(|i| format!("in/{i:03} 猫+%.png")).collect();
        let (emulator, counts) = photos_emulator(&keys);
        (emulator, counts, keys)
    }

    /// Asserts that each key has its thumbnail under `t/` in `thumbs`.
    fn assert_thumbnails(emulator: &Emulator, keys: &[String]) {
        for key in keys {
            let path = emulator.object_path("thumbs", &format!("t/{key}")).unwrap();
            assert!(path.is_file(), "{key}");
        }
    }

    /// The successful process requests, by target.
    fn processed(counts: &Counts) -> BTreeMap<String, usize> {
        let mut counts = counts.lock().unwrap().clone();
        counts.remove("*");
        counts
    }

    fn client(emulator: &Emulator) -> Client {
        client_for(emulator.endpoint(), Credentials::new(AK, SK))
    }

    #[test]
    fn cancelled_halfway_then_rerun_with_the_journal_each_key_is_processed_once() {
        // Repeated: the cancel lands at a different point among the threads
        // each time.
        for (round, cancel_at) in [(0, 7), (1, 23), (2, 31)] {
            let (emulator, counts, keys) = seeded(40);
            let client = client(&emulator);
            let journal = temp_path(&format!("halfway-{round}.journal"));
            let cancel = CancelToken::new();
            let started = AtomicUsize::new(0);
            let first = Batch::new(&client, "photos")
                .prefix("in/")
                .threads(6)
                .journal(&journal)
                .cancel_token(cancel.clone())
                .process_with(|key| {
                    if started.fetch_add(1, Ordering::SeqCst) + 1 == cancel_at {
                        cancel.cancel();
                    }
                    template().process_for(key)
                })
                .run()
                .unwrap();
            assert!(first.cancelled() && !first.is_success(), "{first:?}");
            assert!(first.done() >= cancel_at as u64 - 1, "{first:?}");
            assert!(first.done() < 40, "{first:?}");

            let second = Batch::new(&client, "photos")
                .prefix("in/")
                .threads(6)
                .journal(&journal)
                .template(template())
                .run()
                .unwrap();
            assert!(second.is_success(), "{second:?}");
            assert_eq!(second.journaled(), first.done());
            assert_eq!(first.done() + second.done(), 40);
            let counts = processed(&counts);
            assert_eq!(counts.len(), 40, "{counts:?}");
            assert!(counts.values().all(|&n| n == 1), "{counts:?}");
            assert_thumbnails(&emulator, &keys);
            // A third run finds everything done and sends no process request.
            let third = Batch::new(&client, "photos")
                .prefix("in/")
                .journal(&journal)
                .template(template())
                .run()
                .unwrap();
            assert_eq!((third.journaled(), third.done()), (40, 0));
        }
    }

    #[test]
    fn shards_split_the_prefix_exactly_and_skip_existing_skips_done_targets() {
        let (emulator, counts, _) = seeded(30);
        let client = client(&emulator);
        let mut done = 0;
        for i in 0..4 {
            let report = Batch::new(&client, "photos")
                .prefix("in/")
                .shard(Shard::new(i, 4).unwrap())
                .template(template())
                .run()
                .unwrap();
            assert!(report.is_success(), "{report:?}");
            assert_eq!(report.listed(), 30);
            assert_eq!(report.done() + report.other_shards(), 30);
            done += report.done();
        }
        assert_eq!(done, 30);
        assert!(processed(&counts).values().all(|&n| n == 1));
        let again = Batch::new(&client, "photos")
            .prefix("in/")
            .skip_existing(true)
            .template(template())
            .run()
            .unwrap();
        assert_eq!((again.existing(), again.done()), (30, 0));
        assert_eq!(processed(&counts).values().sum::<usize>(), 30);
    }

    #[test]
    fn a_failing_key_is_reported_with_its_code_and_the_batch_goes_on() {
        let (emulator, _, _) = seeded(5);
        emulator
            .put_object("photos", "in/not-an-image.png", b"text")
            .unwrap();
        let client = client(&emulator);
        let report = Batch::new(&client, "photos")
            .keys([
                "in/000 猫+%.png",
                "in/missing.png",
                "in/not-an-image.png",
                "in/004 猫+%.png",
            ])
            .template(template())
            .threads(2)
            .run()
            .unwrap();
        assert_eq!((report.done(), report.failed()), (2, 2), "{report:?}");
        assert!(!report.is_success());
        let mut failures: Vec<_> = report.failures().to_vec();
        failures.sort_by(|a, b| a.key().cmp(b.key()));
        assert_eq!(failures[0].key(), "in/missing.png");
        assert_eq!(failures[0].code(), Some("NoSuchKey"));
        assert_eq!(failures[0].status(), Some(404));
        assert!(failures[0].request_id().is_some());
        assert_eq!(failures[1].key(), "in/not-an-image.png");
        assert!(failures[1].code().is_some(), "{:?}", failures[1]);
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["failed"], 2);
        assert_eq!(json["success"], false);
        assert_eq!(json["failures"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_template_into_the_source_bucket_ignores_its_own_results() {
        let (emulator, counts, _) = seeded(3);
        let client = client(&emulator);
        let into_source = || Template::new(style()).target_prefix("in/thumbs/");
        for _ in 0..2 {
            let report = Batch::new(&client, "photos")
                .prefix("in/")
                .template(into_source())
                .run()
                .unwrap();
            assert_eq!(report.done(), 3, "{report:?}");
        }
        // The second run listed the first run's results and left them be.
        assert_eq!(processed(&counts).values().sum::<usize>(), 6);
    }

    #[test]
    fn throttling_slows_every_thread_at_once_and_the_batch_still_finishes() {
        const THREADS: usize = 6;
        let keys: Vec<String> = (0..300).map(|i| format!("in/{i:03}.png")).collect();
        // When each throttled answer went out.
        let throttled_at: Arc<Mutex<Vec<(SystemTime, String)>>> = Arc::default();
        let answers: Arc<Mutex<Vec<SystemTime>>> = Arc::default();
        let (log_throttled, log_answers) = (Arc::clone(&throttled_at), Arc::clone(&answers));
        let emulator = Emulator::builder()
            .credentials(Credentials::new(AK, SK))
            .on_request(move |r| {
                let now = SystemTime::now();
                log_answers.lock().unwrap().push(now);
                if let Some(code) = &r.error_code {
                    log_throttled.lock().unwrap().push((now, code.clone()));
                }
            })
            .start()
            .unwrap();
        emulator.create_bucket("thumbs").unwrap();
        let photo = png(24, 16);
        for key in &keys {
            emulator.put_object("photos", key, &photo).unwrap();
        }
        // One call throttled with Retry-After: 1 while the other threads'
        // calls go through; later a stretch of ten throttled without it.
        // Faults are matched in the order they were armed, so these come
        // before the 10 ms that every processing call takes.
        let first = emulator.inject(
            Fault::error(503, "SlowDown")
                .retry_after(Duration::from_secs(1))
                .key(&keys[20]),
        );
        let stretch: Vec<_> = keys[150..160]
            .iter()
            .map(|key| emulator.inject(Fault::error(429, "TooManyRequests").key(key)))
            .collect();
        emulator.inject(
            Fault::delay(Duration::from_millis(10))
                .on(RequestKind::Process)
                .always(),
        );

        let report = Batch::new(&client(&emulator), "photos")
            .prefix("in/")
            .threads(THREADS)
            .template(template())
            .run()
            .unwrap();
        assert!(report.is_success(), "{report:?}");
        assert_eq!(report.done(), 300);
        assert_eq!(first.hits(), 1);
        assert!(stretch.iter().all(|f| f.hits() == 1));
        assert_eq!(report.throttled(), 11, "{report:?}");
        assert!(report.lowest_rate().is_some(), "{report:?}");
        assert_thumbnails(&emulator, &keys);

        // The first throttled answer held every thread, not only the one it
        // answered: while its Retry-After ran, no call was answered (those
        // in flight when it came had been answered long before 400 ms).
        let throttled = throttled_at.lock().unwrap();
        let (t0, code) = &throttled[0];
        assert_eq!(code, "SlowDown");
        let held = answers
            .lock()
            .unwrap()
            .iter()
            .filter(|at| {
                at.duration_since(*t0).is_ok_and(|d| {
                    d >= Duration::from_millis(400) && d < Duration::from_millis(800)
                })
            })
            .count();
        assert_eq!(held, 0, "calls answered during the pause");
    }
}

#[test]
fn keys_stream_through_a_bounded_queue() {
    let server = Server::always(100, Reply::process_ok("b", "k", 1, "RID"));
    let client = client_for(&server.url(), Credentials::new("id", "secret"));
    let pulled = AtomicUsize::new(0);
    let release = Mutex::new(false);
    let gate = std::sync::Condvar::new();
    let keys = (0..100_000).map(|i| {
        pulled.fetch_add(1, Ordering::SeqCst);
        format!("k{i}")
    });
    let cancel = CancelToken::new();
    std::thread::scope(|s| {
        let batch = s.spawn(|| {
            Batch::new(&client, "examplebucket")
                .keys(keys)
                .threads(2)
                .cancel_token(cancel.clone())
                .process_with(|_| {
                    // Workers hold their first key until released.
                    let mut open = release.lock().unwrap();
                    while !*open {
                        open = gate.wait(open).unwrap();
                    }
                    Process::raw("image/resize,w_1")
                })
                .run()
                .unwrap()
        });
        std::thread::sleep(Duration::from_millis(300));
        // Two keys in the workers' hands, four in the queue, one waiting
        // to be sent: the source is not read ahead of them.
        let seen = pulled.load(Ordering::SeqCst);
        assert!(seen <= 2 + 2 * 2 + 1, "{seen} keys pulled");
        cancel.cancel();
        *release.lock().unwrap() = true;
        gate.notify_all();
        let report = batch.join().unwrap();
        assert!(report.cancelled());
        assert!(report.listed() <= 2 + 2 * 2 + 2, "{report:?}");
    });
}

#[test]
fn bad_settings_and_unreadable_journals_fail_before_any_request() {
    let server = Server::always(10, Reply::process_ok("b", "k", 1, "RID"));
    let client = client_for(&server.url(), Credentials::new("id", "secret"));
    let garbage = temp_path("garbage.journal");
    std::fs::write(&garbage, b"\x00\x01binary").unwrap();
    let other = temp_path("other.journal");
    std::fs::write(
        &other,
        "# oss-process batch journal v1 bucket=\"otherbucket\"\n",
    )
    .unwrap();
    let damaged = temp_path("damaged.journal");
    std::fs::write(
        &damaged,
        "# oss-process batch journal v1 bucket=\"examplebucket\"\n\"a\"\n{broken\n\"b\"\n",
    )
    .unwrap();
    let batch = || {
        Batch::new(&client, "examplebucket")
            .keys(["a"])
            .template(template())
    };
    let cases: Vec<(Batch<'_>, &str)> = vec![
        (batch().threads(0), "threads"),
        (batch().threads(5000), "threads"),
        (batch().max_rps(0.0), "max_rps"),
        (batch().max_rps(f64::NAN), "max_rps"),
        (
            batch().progress_interval(Duration::ZERO),
            "progress_interval",
        ),
        (Batch::new(&client, "examplebucket").keys(["a"]), "template"),
        (
            Batch::new(&client, "Bad_Bucket").template(template()),
            "bucket",
        ),
        (
            batch().template(Template::new(Process::raw("image/resize,w_1").unwrap())),
            "raw",
        ),
        (batch().journal(&garbage), "not a batch journal"),
        (batch().journal(&other), "otherbucket"),
        (batch().journal(&damaged), "line 3 is damaged"),
        (batch().journal(std::env::temp_dir()), "cannot"),
    ];
    for (batch, says) in cases {
        let e = batch.run().unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
        assert!(e.to_string().contains(says), "{says}: {e}");
    }
    assert_eq!(server.count(), 0);
}
