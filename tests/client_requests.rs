//! What the client puts on the wire, and how it reads what comes back,
//! checked against a loopback server: exact method, path, query, headers
//! and body for every address style, with an STS token and with non-ASCII
//! keys; answers of 200 JSON, 403 and 400 XML, an empty body with
//! `x-oss-err`, and a 200 that is not JSON.

mod common;

use std::time::Duration;

use common::{Recorded, Reply, Server, verify_v4};
use oss_process::{AddressStyle, Client, Credentials, Error, NoRetry};

const ID: &str = "LTAI5tExampleAccessKeyId";
const SECRET: &str = "ExampleAccessKeySecret1234567890";
const TOKEN: &str = "ExampleSecurityToken";

fn client_for(endpoint: &str) -> oss_process::ClientBuilder {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(endpoint)
        .credentials(Credentials::new(ID, SECRET))
        .retry_policy(NoRetry)
        .read_timeout(Duration::from_secs(5))
}

/// The headers every process POST must carry, and nothing the SDKs do not send.
fn assert_process_post(r: &Recorded, body: &str) {
    assert_eq!(r.method, "POST");
    assert_eq!(r.query, "x-oss-process");
    assert_eq!(r.body, body.as_bytes());
    assert_eq!(
        r.header("content-length"),
        Some(body.len().to_string().as_str())
    );
    let md5 = {
        use base64::Engine;
        use md5::{Digest, Md5};
        base64::engine::general_purpose::STANDARD.encode(Md5::digest(body.as_bytes()))
    };
    assert_eq!(r.header("content-md5"), Some(md5.as_str()));
    assert_eq!(r.header("x-oss-content-sha256"), Some("UNSIGNED-PAYLOAD"));
    let date = r.header("x-oss-date").expect("x-oss-date");
    assert_eq!(date.len(), 16, "{date}");
    assert!(r.header("date").expect("Date").ends_with(" GMT"));
    assert!(
        r.header("content-type").is_none(),
        "no Content-Type, like the SDKs"
    );
    let ua = r.header("user-agent").expect("User-Agent");
    assert!(
        ua.starts_with(&format!("oss-process/{} (", env!("CARGO_PKG_VERSION"))),
        "{ua}"
    );
    let auth = r.header("authorization").expect("Authorization");
    assert!(
        auth.starts_with(&format!(
            "OSS4-HMAC-SHA256 Credential={ID}/{}/cn-hangzhou/oss/aliyun_v4_request,Signature=",
            &date[..8]
        )),
        "{auth}"
    );
}

#[test]
fn path_style_with_an_ip_endpoint_and_a_non_ascii_key() {
    let server = Server::always(
        1,
        Reply::process_ok("dest-bucket", "缩略图/猫 1.jpg", 3267, "RID-1"),
    );
    let client = client_for(&server.url()).build().unwrap();
    assert_eq!(client.address_style(), AddressStyle::Path);
    let process = "image/resize,m_fixed,w_100,h_100|sys/saveas,o_57yp55Wl5Zu-L-eMqyAxLmpwZw,b_ZGVzdC1idWNrZXQ";
    let result = client
        .process_object("src-bucket", "相册/猫 1+2.jpg", process)
        .unwrap();

    assert_eq!(result.bucket(), "dest-bucket");
    assert_eq!(result.key(), "缩略图/猫 1.jpg");
    assert_eq!(result.file_size(), 3267);
    assert_eq!(result.process_status(), "OK");
    assert_eq!(result.request_id(), "RID-1");
    assert_eq!(result.status_code(), 200);

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(
        r.path,
        "/src-bucket/%E7%9B%B8%E5%86%8C/%E7%8C%AB%201%2B2.jpg"
    );
    assert_eq!(r.header("host"), Some(server.addr().to_string().as_str()));
    assert_process_post(r, &format!("x-oss-process={process}"));
    assert!(r.header("x-oss-security-token").is_none());
    verify_v4(r, "src-bucket", "相册/猫 1+2.jpg", SECRET, "cn-hangzhou").unwrap();
    assert!(verify_v4(r, "src-bucket", "相册/猫 1+2.jpg", "wrong", "cn-hangzhou").is_err());
}

#[test]
fn virtual_hosted_puts_the_bucket_in_the_host_header() {
    let server = Server::always(1, Reply::process_ok("", "t.jpg", 10, "RID-2"));
    let client = client_for("http://oss-cn-hangzhou.aliyuncs.com")
        .connect_to(server.addr())
        .build()
        .unwrap();
    assert_eq!(client.address_style(), AddressStyle::VirtualHosted);
    client
        .process_object(
            "examplebucket",
            "dir/example.jpg",
            "image/resize,w_100|sys/saveas,o_dC5qcGc",
        )
        .unwrap();
    let r = &server.requests()[0];
    assert_eq!(
        r.header("host"),
        Some("examplebucket.oss-cn-hangzhou.aliyuncs.com")
    );
    assert_eq!(r.path, "/dir/example.jpg");
    assert_process_post(r, "x-oss-process=image/resize,w_100|sys/saveas,o_dC5qcGc");
    verify_v4(r, "examplebucket", "dir/example.jpg", SECRET, "cn-hangzhou").unwrap();
}

#[test]
fn cname_uses_the_custom_domain_and_signs_the_bucket() {
    let server = Server::always(1, Reply::process_ok("", "t.jpg", 10, "RID-3"));
    let client = client_for("http://img.example.com")
        .address_style(AddressStyle::Cname)
        .connect_to(server.addr())
        .build()
        .unwrap();
    client
        .process_object(
            "examplebucket",
            "a b.jpg",
            "style/thumb|sys/saveas,o_dC5qcGc",
        )
        .unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("host"), Some("img.example.com"));
    assert_eq!(r.path, "/a%20b.jpg");
    assert_process_post(r, "x-oss-process=style/thumb|sys/saveas,o_dC5qcGc");
    verify_v4(r, "examplebucket", "a b.jpg", SECRET, "cn-hangzhou").unwrap();
}

#[test]
fn sts_token_is_sent_and_signed() {
    let server = Server::always(1, Reply::process_ok("", "t.jpg", 10, "RID-4"));
    let client = client_for(&server.url())
        .credentials(Credentials::new(ID, SECRET).with_security_token(TOKEN))
        .build()
        .unwrap();
    client
        .process_object(
            "examplebucket",
            "example.jpg",
            "image/resize,w_100|sys/saveas,o_dC5qcGc",
        )
        .unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("x-oss-security-token"), Some(TOKEN));
    verify_v4(r, "examplebucket", "example.jpg", SECRET, "cn-hangzhou").unwrap();
}

#[test]
fn async_process_uses_its_own_sub_resource() {
    let server = Server::always(
        1,
        Reply::with(200, "application/json", r#"{"EventId":"181-1kZUlN60OH4fWOcOjZEnGnG7xxx","RequestId":"1D99637F-F59E-5B41-9200-C4892F52xxxx","TaskId":"MediaConvert-e4a737df-69e9-4fca-8d9b-17c40ea4xxxx"}"#)
            .header("x-oss-request-id", "RID-5"),
    );
    let client = client_for(&server.url()).build().unwrap();
    let process = "doc/convert,target_png,source_docx|sys/saveas,b_ZXhhbXBsZWJ1Y2tldA,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw";
    let result = client
        .async_process_object("examplebucket", "docs/report.docx", process)
        .unwrap();
    assert_eq!(
        result.task_id(),
        "MediaConvert-e4a737df-69e9-4fca-8d9b-17c40ea4xxxx"
    );
    assert_eq!(result.event_id(), "181-1kZUlN60OH4fWOcOjZEnGnG7xxx");
    assert_eq!(result.request_id(), "RID-5");
    let r = &server.requests()[0];
    assert_eq!(r.query, "x-oss-async-process");
    assert_eq!(r.body, format!("x-oss-async-process={process}").as_bytes());
    verify_v4(
        r,
        "examplebucket",
        "docs/report.docx",
        SECRET,
        "cn-hangzhou",
    )
    .unwrap();
}

#[test]
fn a_403_xml_error_keeps_every_field() {
    let server = Server::always(
        1,
        Reply::xml_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
            "65A4E2C8B1E0C53230000001",
            "0002-00000040",
        ),
    );
    let client = client_for(&server.url()).build().unwrap();
    let err = client
        .process_object(
            "examplebucket",
            "example.jpg",
            "image/resize,w_100|sys/saveas,o_dC5qcGc",
        )
        .unwrap_err();
    let e = err.as_service().expect("service error");
    assert_eq!(e.status, 403);
    assert_eq!(e.code, "SignatureDoesNotMatch");
    assert!(e.message.starts_with("The request signature"));
    assert_eq!(e.request_id, "65A4E2C8B1E0C53230000001");
    assert_eq!(e.host_id, "examplebucket.oss-cn-hangzhou.aliyuncs.com");
    assert_eq!(e.ec, "0002-00000040");
    assert_eq!(
        e.target,
        format!(
            "POST {}/examplebucket/example.jpg?x-oss-process",
            server.url()
        )
    );
    assert!(err.to_string().contains("SignatureDoesNotMatch"));
}

#[test]
fn a_400_xml_error() {
    let server = Server::always(
        1,
        Reply::xml_error(
            400,
            "InvalidArgument",
            "operation not support post: test",
            "RID-400",
            "0040-00000311",
        ),
    );
    let client = client_for(&server.url()).build().unwrap();
    let err = client
        .process_object(
            "examplebucket",
            "example.jpg",
            "image/resize,m_bad|sys/saveas,o_dC5qcGc",
        )
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("InvalidArgument"));
    assert_eq!(err.request_id(), Some("RID-400"));
    assert_eq!(err.as_service().unwrap().ec, "0040-00000311");
}

#[test]
fn an_empty_body_with_x_oss_err() {
    use base64::Engine;
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>RID-HEAD</RequestId><HostId>h</HostId><EC>0026-00000001</EC></Error>";
    let encoded = base64::engine::general_purpose::STANDARD.encode(xml);
    let server = Server::always(
        1,
        Reply::Respond {
            status: 404,
            headers: vec![
                ("x-oss-err".into(), encoded),
                ("x-oss-request-id".into(), "RID-HEAD".into()),
            ],
            body: Vec::new(),
        },
    );
    let client = client_for(&server.url()).build().unwrap();
    let err = client
        .process_object(
            "examplebucket",
            "missing.jpg",
            "image/resize,w_1|sys/saveas,o_dC5qcGc",
        )
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"));
    assert_eq!(err.request_id(), Some("RID-HEAD"));
    assert_eq!(err.as_service().unwrap().ec, "0026-00000001");
}

#[test]
fn a_200_that_is_not_json_is_a_decode_error_with_the_request_id() {
    let server = Server::always(
        1,
        Reply::with(200, "text/html", "<html>captive portal</html>")
            .header("x-oss-request-id", "RID-HTML"),
    );
    let client = client_for(&server.url()).build().unwrap();
    let err = client
        .process_object(
            "examplebucket",
            "example.jpg",
            "image/resize,w_100|sys/saveas,o_dC5qcGc",
        )
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(err.request_id(), Some("RID-HTML"));
    assert!(err.to_string().contains("captive portal"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn garbage_error_bodies_are_bad_error_response() {
    let server = Server::always(
        1,
        Reply::with(502, "text/html", "<html>Bad Gateway</html>")
            .header("x-oss-request-id", "RID-GW"),
    );
    let client = client_for(&server.url()).build().unwrap();
    let err = client
        .process_object(
            "examplebucket",
            "example.jpg",
            "image/resize,w_100|sys/saveas,o_dC5qcGc",
        )
        .unwrap_err();
    assert_eq!(err.code(), Some("BadErrorResponse"));
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.request_id(), Some("RID-GW"));
    assert!(err.to_string().contains("Bad Gateway"));
}

#[test]
fn one_connection_is_reused_across_calls() {
    let server = Server::always(3, Reply::process_ok("", "t.jpg", 1, "R"));
    let client = client_for(&server.url()).build().unwrap();
    for _ in 0..3 {
        client
            .process_object(
                "examplebucket",
                "a.jpg",
                "image/resize,w_1|sys/saveas,o_dC5qcGc",
            )
            .unwrap();
    }
    assert_eq!(server.count(), 3);
    assert_eq!(
        server.connections(),
        1,
        "the pooled connection is kept alive"
    );
}

#[test]
fn bad_input_is_refused_before_any_io() {
    // Nothing listens on this address; an attempt to connect would fail
    // with a transport error rather than the argument error asserted here.
    let client = client_for("http://127.0.0.1:9").build().unwrap();
    let cases: &[(&str, &str, &str, &str)] = &[
        ("Bad_Bucket", "k", "image/resize,w_1", "bucket"),
        ("bucket", "", "image/resize,w_1", "key"),
        ("bucket", "k", "", "process"),
        ("bucket", "k", "image/resize,w_1\nX-Injected: 1", "process"),
    ];
    for (bucket, key, process, name) in cases {
        match client.process_object(bucket, key, process) {
            Err(Error::InvalidArgument { name: got, .. }) => assert_eq!(&got, name),
            other => panic!("{bucket}/{key}/{process:?}: {other:?}"),
        }
    }
}

#[test]
fn presigned_process_url_is_query_signed() {
    let client = Client::builder()
        .region("cn-hangzhou")
        .credentials(Credentials::new(ID, SECRET).with_security_token(TOKEN))
        .build()
        .unwrap();
    let p = client
        .presign_process(
            "examplebucket",
            "example.jpg",
            "image/resize,w_100",
            Duration::from_secs(3600),
        )
        .unwrap();
    assert!(p.url().starts_with("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/example.jpg?x-oss-process=image%2Fresize%2Cw_100&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-date="), "{}", p.url());
    assert!(p.url().contains("&x-oss-expires=3600&"));
    assert!(
        p.url()
            .contains(&format!("&x-oss-security-token={TOKEN}&x-oss-signature="))
    );
    for bad in [Duration::ZERO, Duration::from_secs(604_801)] {
        let e = client
            .presign_process("examplebucket", "example.jpg", "image/resize,w_100", bad)
            .unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }));
    }
}

#[test]
fn a_processed_download_streams_the_bytes() {
    let image: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let server = Server::always(
        1,
        Reply::Respond {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "image/webp".into()),
                ("x-oss-request-id".into(), "RID-GET".into()),
            ],
            body: image.clone(),
        },
    );
    let client = client_for(&server.url()).build().unwrap();
    let object = client
        .get_processed(
            "examplebucket",
            "猫 1+2.jpg",
            "image/resize,w_100/format,webp",
        )
        .unwrap();
    assert_eq!(object.content_type(), "image/webp");
    assert_eq!(object.content_length(), Some(image.len() as u64));
    assert_eq!(object.request_id(), "RID-GET");
    let mut out = Vec::new();
    assert_eq!(object.copy_to(&mut out).unwrap(), image.len() as u64);
    assert_eq!(out, image);

    let r = &server.requests()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/examplebucket/%E7%8C%AB%201%2B2.jpg");
    assert_eq!(
        r.query,
        "x-oss-process=image%2Fresize%2Cw_100%2Fformat%2Cwebp"
    );
    assert!(r.body.is_empty());
    assert!(r.header("content-md5").is_none());
    verify_v4(r, "examplebucket", "猫 1+2.jpg", SECRET, "cn-hangzhou").unwrap();
}

#[test]
fn a_truncated_download_is_an_error_not_a_short_image() {
    let server = Server::always(
        1,
        Reply::ResetMidBody {
            status: 200,
            declared_len: 10_000,
            sent: vec![7u8; 1000],
        },
    );
    let client = client_for(&server.url()).build().unwrap();
    let mut out = Vec::new();
    let err = client
        .download_processed("examplebucket", "a.jpg", "image/resize,w_100", &mut out)
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[test]
fn processed_download_errors_are_service_errors() {
    let server = Server::always(
        1,
        Reply::xml_error(
            404,
            "NoSuchKey",
            "The specified key does not exist.",
            "RID-404",
            "0026-00000001",
        ),
    );
    let client = client_for(&server.url()).build().unwrap();
    let err = client
        .get_processed("examplebucket", "missing.jpg", "image/resize,w_100")
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"));
    assert_eq!(err.request_id(), Some("RID-404"));
}

#[test]
fn image_info_and_average_hue_are_typed() {
    let server = Server::start(2, Duration::from_secs(10), |i, _| match i {
        0 => Reply::with(
            200,
            "application/json",
            r#"{"FileSize": {"value": "21839"}, "Format": {"value": "jpg"}, "ImageHeight": {"value": "267"}, "ImageWidth": {"value": "400"}}"#,
        ),
        _ => Reply::with(200, "application/json", r#"{"RGB": "0x5c783b"}"#),
    });
    let client = client_for(&server.url()).build().unwrap();
    let info = client.image_info("examplebucket", "a.jpg").unwrap();
    assert_eq!(
        (info.width(), info.height(), info.format(), info.file_size()),
        (400, 267, "jpg", 21839)
    );
    let hue = client.average_hue("examplebucket", "a.jpg").unwrap();
    assert_eq!(hue.hex(), "5C783B");
    let reqs = server.requests();
    assert_eq!(reqs[0].query, "x-oss-process=image%2Finfo");
    assert_eq!(reqs[1].query, "x-oss-process=image%2Faverage-hue");
}

#[test]
fn presigned_process_url_matches_the_sdk_vector() {
    // Case `presign-get-process` of tests/data/signing-vectors.json, computed
    // by the official Python SDK V2 with the time pinned.
    let client = Client::builder()
        .region("cn-hangzhou")
        .credentials(Credentials::new(ID, SECRET))
        .build()
        .unwrap();
    let time = common::parse_iso_basic("20240115T083000Z").unwrap();
    let p = client
        .presign_process_at(
            "examplebucket",
            "example.jpg",
            "image/resize,w_100",
            Duration::from_secs(3600),
            time,
        )
        .unwrap();
    assert_eq!(
        p.url(),
        "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/example.jpg?x-oss-process=image%2Fresize%2Cw_100&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-date=20240115T083000Z&x-oss-expires=3600&x-oss-credential=LTAI5tExampleAccessKeyId%2F20240115%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-signature=6caa8478521569a400f0dbe472d3b72d0724a6c5d22bbcc3a930ed8fd1495fe7"
    );
    assert_eq!(p.expires_at(), time + Duration::from_secs(3600));
}
