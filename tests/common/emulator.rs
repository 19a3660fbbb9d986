//! Emulator set-up for the tests: the test credentials, an emulator
//! accepting them (one that counts what it answers, too), a client of
//! it, and raw requests signed for it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use oss_process::emulator::Emulator;
use oss_process::sign::{SignableRequest, Signer};
use oss_process::{Credentials, Error, ServiceError};

use super::raw::{Raw, send};

/// RFC 3986 unreserved characters and `/` stay as they are in a path.
const PATH_ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// The access key id the test emulators accept.
pub const AK: &str = "LTAI5tEmulatorTestId";
/// Its secret.
pub const SK: &str = "EmulatorTestSecret0123456789";

/// An emulator accepting [`AK`]/[`SK`] with a temporary root.
pub fn emulator() -> Emulator {
    Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .start()
        .expect("start emulator")
}

/// A client of `emulator` with the test credentials.
pub fn client(emulator: &Emulator) -> oss_process::Client {
    oss_process::Client::builder()
        .region("cn-hangzhou")
        .endpoint(emulator.endpoint())
        .credentials(Credentials::new(AK, SK))
        .build()
        .expect("client")
}

/// What a [`counting_emulator`] answered: successful (2xx) `POST`s by
/// request target (`/bucket/key?x-oss-process`: one per processed key),
/// and every answer of any kind under `*`.
pub type Counts = Arc<Mutex<BTreeMap<String, usize>>>;

/// An emulator accepting [`AK`]/[`SK`] that counts what it answers.
pub fn counting_emulator() -> (Emulator, Counts) {
    let counts = Counts::default();
    let log = Arc::clone(&counts);
    let emulator = Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .on_request(move |r| {
            let mut counts = log.lock().unwrap();
            *counts.entry("*".to_string()).or_insert(0) += 1;
            if r.method == "POST" && (200..300).contains(&r.status) {
                *counts.entry(r.target.clone()).or_insert(0) += 1;
            }
        })
        .start()
        .expect("start emulator");
    (emulator, counts)
}

/// A [`counting_emulator`] with a `thumbs` bucket and a small PNG at each
/// of `keys` in `photos`.
pub fn photos_emulator(keys: &[String]) -> (Emulator, Counts) {
    let (emulator, counts) = counting_emulator();
    emulator.create_bucket("thumbs").unwrap();
    let photo = super::images::png(24, 16);
    for key in keys {
        emulator.put_object("photos", key, &photo).unwrap();
    }
    (emulator, counts)
}

/// Sends a path-style request to `bucket` on `emulator`, signed (header
/// form) at `time` with `credentials`; `request` is `"METHOD key[?query]"`
/// and `extra` headers are sent and signed too.
pub fn signed(
    emulator: &Emulator,
    bucket: &str,
    request: &str,
    extra: &[(&str, &str)],
    body: &[u8],
    credentials: &Credentials,
    time: SystemTime,
) -> Raw {
    let (method, target) = request.split_once(' ').unwrap();
    let (key, query) = target.split_once('?').unwrap_or((target, ""));
    let signer = Signer::new("cn-hangzhou", "oss");
    let request = SignableRequest {
        method,
        bucket: Some(bucket),
        key: Some(key),
        query,
        headers: extra,
        additional_headers: &[],
    };
    let added = signer
        .sign_headers(&request, credentials, time)
        .expect("valid request");
    let mut headers: Vec<(&str, &str)> = extra.to_vec();
    headers.extend(added.headers.iter().map(|(n, v)| (*n, v.as_str())));
    let path = format!(
        "/{bucket}/{}",
        percent_encoding::utf8_percent_encode(key, PATH_ENCODED)
    );
    let target = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    send(emulator.addr(), method, &target, &headers, body)
}

/// The service error inside `e`; panics on any other error.
pub fn service_error(e: Error) -> ServiceError {
    match e {
        Error::Service(s) => *s,
        other => panic!("expected a service error, got {other:?}"),
    }
}
