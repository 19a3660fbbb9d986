//! One `Client` shared by 8 threads x 500 calls against a loopback server:
//! zero failures, and every caller gets its own result (the server names the
//! key it processed in the answer).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Reply, Server};
use oss_process::{Client, Credentials};

const THREADS: usize = 8;
const CALLS: usize = 500;

#[test]
fn one_client_shared_by_8_threads_x_500_calls() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Client>();

    let server = Server::start(THREADS * CALLS, Duration::from_secs(120), |i, req| {
        // Echo the key from the path so each caller can check it got its own answer.
        let key = req.path.trim_start_matches("/bucket/").to_string();
        Reply::process_ok("bucket", &key, i as u64, &format!("RID-{i}"))
    });
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(server.url())
        .credentials(Credentials::new("id", "secret"))
        .build()
        .unwrap();
    let client = Arc::new(client);
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || {
                let mut failures = 0;
                for c in 0..CALLS {
                    let key = format!("t{t}-c{c}.jpg");
                    match client.process_object(
                        "bucket",
                        &key,
                        "image/resize,w_100|sys/saveas,o_dC5qcGc",
                    ) {
                        Ok(r) if r.key() == key => {}
                        Ok(r) => panic!("thread {t} call {c} got the result for {}", r.key()),
                        Err(e) => {
                            eprintln!("thread {t} call {c}: {e}");
                            failures += 1;
                        }
                    }
                }
                failures
            })
        })
        .collect();
    let failures: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(failures, 0);
    assert_eq!(server.count(), THREADS * CALLS);
    assert!(
        server.connections() <= THREADS * 2,
        "connections are pooled: {}",
        server.connections()
    );
}
