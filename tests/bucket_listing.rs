//! `Client::list_objects` and `Client::head_object`: against the emulator
//! (pages, URL-decoded keys, prefixes, delimiters, start-after, metadata)
//! and against the scripted server (the request's exact form and
//! signature, entities and CDATA, errors mid-listing, HEAD errors in
//! `x-oss-err`).

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Reply, Server, verify_v4};
use oss_process::{Client, Credentials, Error, NoRetry};

const SECRET: &str = "secret-for-listing";

fn client_for(endpoint: &str, credentials: Credentials) -> Client {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(endpoint)
        .credentials(credentials)
        .build()
        .unwrap()
}

fn keys_of(list: oss_process::ListObjects) -> Vec<String> {
    list.into_iter()
        .map(|e| e.map(|e| e.key().to_string()))
        .collect::<Result<_, _>>()
        .unwrap()
}

#[cfg(feature = "emulator")]
mod against_the_emulator {
    use super::*;
    use common::{AK, SK, png};
    use oss_process::emulator::Emulator;

    /// Keys that need URL-decoding, in byte order, and one whose segment is
    /// too long to be a file name (stored under a hashed name).
    fn keys() -> Vec<String> {
        let mut keys: Vec<String> = [
            "100%.png",
            "a b.png",
            "a+b.png",
            "dir/c d/+.png",
            "dir/x.png",
            "dir2/y.png",
            "plain",
            "猫/照片 1+2%41.png",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        keys.push(format!("long/{}.png", "長".repeat(100)));
        keys.sort();
        keys
    }

    fn seeded() -> (Emulator, Arc<Mutex<Vec<String>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&lines);
        let emulator = Emulator::builder()
            .credentials(Credentials::new(AK, SK))
            .on_request(move |r| log.lock().unwrap().push(r.to_string()))
            .start()
            .unwrap();
        for key in keys() {
            emulator
                .put_object("photos", &key, format!("bytes of {key}").as_bytes())
                .unwrap();
        }
        (emulator, lines)
    }

    fn client(emulator: &Emulator) -> Client {
        client_for(emulator.endpoint(), Credentials::new(AK, SK))
    }

    #[test]
    fn every_key_comes_back_decoded_across_pages() {
        let (emulator, log) = seeded();
        let client = client(&emulator);
        for page_size in [1, 2, 3, 1000] {
            log.lock().unwrap().clear();
            let listed = keys_of(client.list_objects("photos").max_keys(page_size));
            assert_eq!(listed, keys(), "max_keys {page_size}");
            let pages = log.lock().unwrap().len();
            assert_eq!(
                pages,
                keys().len().div_ceil(page_size as usize),
                "{page_size}"
            );
        }
        let entry = client
            .list_objects("photos")
            .prefix("a b")
            .into_iter()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(entry.key(), "a b.png");
        assert_eq!(entry.size(), "bytes of a b.png".len() as u64);
        assert_eq!(entry.storage_class(), "Standard");
        let head = client.head_object("photos", "a b.png").unwrap().unwrap();
        assert_eq!(entry.etag(), head.etag());
        assert!(entry.last_modified().is_some());
    }

    #[test]
    fn prefixes_delimiters_and_start_after() {
        let (emulator, _) = seeded();
        let client = client(&emulator);
        assert_eq!(
            keys_of(client.list_objects("photos").prefix("dir/")),
            ["dir/c d/+.png", "dir/x.png"]
        );
        assert_eq!(
            keys_of(client.list_objects("photos").prefix("a")),
            ["a b.png", "a+b.png"]
        );
        assert_eq!(
            keys_of(
                client
                    .list_objects("photos")
                    .prefix("dir")
                    .start_after("dir/x.png")
            ),
            ["dir2/y.png"]
        );
        assert!(keys_of(client.list_objects("photos").prefix("zzz")).is_empty());

        // One "folder" level, a page of one item at a time: each common
        // prefix counts once and the pages go past everything it rolls up.
        let mut objects = Vec::new();
        let mut folders = Vec::new();
        let mut pages = 0;
        for page in client
            .list_objects("photos")
            .delimiter("/")
            .max_keys(1)
            .pages()
        {
            let page = page.unwrap();
            pages += 1;
            assert_eq!(page.entries().len() + page.common_prefixes().len(), 1);
            assert_eq!(page.key_count(), Some(1));
            objects.extend(page.entries().iter().map(|e| e.key().to_string()));
            folders.extend(page.common_prefixes().iter().cloned());
        }
        assert_eq!(objects, ["100%.png", "a b.png", "a+b.png", "plain"]);
        assert_eq!(folders, ["dir/", "dir2/", "long/", "猫/"]);
        assert_eq!(pages, 8);
        let under: Vec<_> = client
            .list_objects("photos")
            .prefix("dir/")
            .delimiter("/")
            .pages()
            .map(Result::unwrap)
            .collect();
        assert_eq!(under.len(), 1);
        assert_eq!(under[0].common_prefixes(), ["dir/c d/"]);
        assert_eq!(under[0].entries()[0].key(), "dir/x.png");
    }

    #[test]
    fn head_object_says_what_exists() {
        let emulator = common::emulator();
        let png = png(32, 24);
        emulator.put_object("photos", "猫 1+2.png", &png).unwrap();
        let client = client(&emulator);
        let meta = client.head_object("photos", "猫 1+2.png").unwrap().unwrap();
        assert_eq!(meta.size(), png.len() as u64);
        assert_eq!(meta.content_type(), "image/png");
        assert!(meta.etag().starts_with('"') && meta.etag().len() == 34);
        assert!(meta.last_modified().is_some());
        assert!(!meta.request_id().is_empty());
        assert!(
            client
                .head_object("photos", "missing.png")
                .unwrap()
                .is_none()
        );
        let e = client.head_object("nobucket", "k").unwrap_err();
        assert_eq!(e.code(), Some("NoSuchBucket"), "{e}");
        let e = client_for(emulator.endpoint(), Credentials::new(AK, "wrong"))
            .head_object("photos", "猫 1+2.png")
            .unwrap_err();
        assert_eq!(e.code(), Some("SignatureDoesNotMatch"), "{e}");
        let e = keys_of_err(client.list_objects("nobucket"));
        assert_eq!(e.code(), Some("NoSuchBucket"), "{e}");
    }

    fn keys_of_err(list: oss_process::ListObjects) -> Error {
        list.into_iter().find_map(Result::err).expect("an error")
    }
}

const PAGE_1: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
  <Name>examplebucket</Name>
  <EncodingType>url</EncodingType>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>tok%2F1%3D</NextContinuationToken>
  <Contents><Key>a%20%26%20b</Key><Size>1</Size></Contents>
</ListBucketResult>"#;

const PAGE_2: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
  <IsTruncated>false</IsTruncated>
  <Contents><Key>c &amp; &#x732B; <![CDATA[<d>]]></Key><Size>2</Size></Contents>
</ListBucketResult>"#;

#[test]
fn the_request_is_a_signed_get_on_the_bucket_and_tokens_are_followed() {
    let server = Server::start(10, Duration::from_secs(20), |i, _| {
        Reply::with(200, "application/xml", if i == 0 { PAGE_1 } else { PAGE_2 })
            .header("x-oss-request-id", &format!("RID{i}"))
    });
    let client = client_for(&server.url(), Credentials::new("id", SECRET));
    let listed = keys_of(
        client
            .list_objects("examplebucket")
            .prefix("a b/")
            .max_keys(2),
    );
    assert_eq!(listed, ["a & b", "c & 猫 <d>"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/examplebucket/");
    assert_eq!(
        requests[0].query,
        "encoding-type=url&list-type=2&max-keys=2&prefix=a%20b%2F"
    );
    // The token is decoded from the page and encoded again in the query.
    assert_eq!(
        requests[1].query,
        "continuation-token=tok%2F1%3D&encoding-type=url&list-type=2&max-keys=2&prefix=a%20b%2F"
    );
    for r in &requests {
        verify_v4(r, "examplebucket", "", SECRET, "cn-hangzhou").unwrap();
    }
}

#[test]
fn a_failed_page_ends_the_iteration_and_says_where_to_resume() {
    let server = Server::start(10, Duration::from_secs(20), |i, _| match i {
        0 => Reply::with(200, "application/xml", PAGE_1),
        _ => Reply::xml_error(503, "ServiceUnavailable", "busy", "RID-X", "0000-00000002"),
    });
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(server.url())
        .credentials(Credentials::new("id", SECRET))
        .retry_policy(NoRetry)
        .build()
        .unwrap();
    let mut entries = client.list_objects("examplebucket").into_iter();
    assert_eq!(entries.next().unwrap().unwrap().key(), "a & b");
    let e = entries.next().unwrap().unwrap_err();
    assert_eq!(e.code(), Some("ServiceUnavailable"));
    assert_eq!(entries.next_continuation_token(), Some("tok/1="));
    assert!(entries.next().is_none());
    assert_eq!(server.count(), 2);
}

#[test]
fn a_truncated_page_without_a_new_token_is_an_error_not_a_loop() {
    let stuck = PAGE_1.replace("tok%2F1%3D", "same");
    let server = Server::always(10, Reply::with(200, "application/xml", stuck));
    let client = client_for(&server.url(), Credentials::new("id", SECRET));
    let results: Vec<_> = client
        .list_objects("examplebucket")
        .continuation_token("same")
        .pages()
        .collect();
    assert_eq!(results.len(), 1);
    let e = results[0].as_ref().unwrap_err();
    assert!(e.to_string().contains("continuation token"), "{e}");
    assert_eq!(server.count(), 1);
}

#[test]
fn head_errors_come_from_x_oss_err() {
    let err = |code: &str| {
        let xml = format!(
            "<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>m</Message><RequestId>RID-{code}</RequestId></Error>"
        );
        base64_std(xml.as_bytes())
    };
    let (missing, denied) = (err("NoSuchKey"), err("AccessDenied"));
    let server = Server::start(10, Duration::from_secs(20), move |i, _| {
        let (status, header) = match i {
            0 => (404, missing.as_str()),
            _ => (403, denied.as_str()),
        };
        Reply::with(status, "application/xml", "").header("x-oss-err", header)
    });
    let client = client_for(&server.url(), Credentials::new("id", SECRET));
    assert!(
        client
            .head_object("examplebucket", "a.jpg")
            .unwrap()
            .is_none()
    );
    let e = client.head_object("examplebucket", "a.jpg").unwrap_err();
    assert_eq!(e.code(), Some("AccessDenied"));
    assert_eq!(e.request_id(), Some("RID-AccessDenied"));
    let requests = server.requests();
    assert_eq!(requests[0].method, "HEAD");
    assert_eq!(requests[0].path, "/examplebucket/a.jpg");
    verify_v4(
        &requests[0],
        "examplebucket",
        "a.jpg",
        SECRET,
        "cn-hangzhou",
    )
    .unwrap();
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
