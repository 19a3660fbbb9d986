//! End to end: the public `Client` against the emulator, as a user would
//! run it against OSS. Resize modes give the documented pixel sizes,
//! `sys/saveas` writes where it says, errors arrive with their OSS code and
//! request id, presigned processing URLs work and expire.

#![cfg(feature = "emulator")]

mod common;

use base64::Engine as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::{AK, SK, emulator, is_request_id, jpeg, png, send, service_error};
use image::GenericImageView;
use oss_process::emulator::Emulator;
use oss_process::process::{Crop, Format, Gravity, Process, Resize, ResizeMode, SaveAs};
use oss_process::{AddressStyle, Client, Credentials};

const BUCKET: &str = "examplebucket";
const PHOTO: &str = "photo.jpg";

fn client_for(emulator: &Emulator, credentials: Credentials) -> Client {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(emulator.endpoint())
        .credentials(credentials)
        .build()
        .expect("client")
}

/// An emulator holding `source` as `examplebucket/photo.jpg`, and a client.
fn setup(source: &[u8]) -> (Emulator, Client) {
    let emulator = emulator();
    emulator.put_object(BUCKET, PHOTO, source).unwrap();
    let client = client_for(&emulator, Credentials::new(AK, SK));
    (emulator, client)
}

/// The pixel size of a stored object (from its header).
fn size_of(emulator: &Emulator, bucket: &str, key: &str) -> (u32, u32) {
    image::ImageReader::open(emulator.object_path(bucket, key).unwrap())
        .unwrap()
        .with_guessed_format()
        .unwrap()
        .into_dimensions()
        .unwrap()
}

#[test]
fn resize_modes_give_the_documented_sizes() {
    // A PNG source decodes fast in debug builds; JPEG sources are covered below.
    let (emulator, client) = setup(&png(640, 480));
    let cases: &[(&str, (u32, u32))] = &[
        ("m_lfit,w_100,h_100", (100, 75)),
        ("w_100,h_100", (100, 75)),
        ("m_mfit,w_100,h_100", (133, 100)),
        ("m_fill,w_100,h_100", (100, 100)),
        ("m_pad,w_100,h_100", (100, 100)),
        ("m_fixed,w_100,h_50", (100, 50)),
        ("w_100", (100, 75)),
        ("h_120", (160, 120)),
        ("l_320", (320, 240)),
        ("s_120", (160, 120)),
        ("p_50", (320, 240)),
        ("w_1000", (640, 480)),
        ("limit_1,m_mfit,w_1000,h_1000", (640, 480)),
        ("limit_0,w_1000", (1000, 750)),
    ];
    for (i, (params, expected)) in cases.iter().enumerate() {
        let target = format!("out/{i}.jpg");
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let process = format!(
            "image/resize,{params}|sys/saveas,o_{},b_{}",
            b64(&target),
            b64(BUCKET)
        );
        let result = client.process_object(BUCKET, PHOTO, &process).unwrap();
        assert_eq!(size_of(&emulator, BUCKET, &target), *expected, "{params}");
        assert_eq!(result.status_code(), 200);
        assert_eq!(result.process_status(), "OK");
        assert_eq!(result.bucket(), BUCKET);
        assert_eq!(result.key(), target);
        let stored = std::fs::metadata(emulator.object_path(BUCKET, &target).unwrap()).unwrap();
        assert_eq!(result.file_size(), stored.len(), "{params}");
        assert!(
            is_request_id(result.request_id()),
            "{}",
            result.request_id()
        );
    }
}

#[test]
fn typed_builder_pad_color_and_format() {
    let (emulator, client) = setup(&jpeg(640, 480));
    let process = Process::image()
        .resize(
            Resize::new()
                .mode(ResizeMode::Pad)
                .width(100)
                .height(100)
                .color("FF0000"),
        )
        .format(Format::Png)
        .save_as(SaveAs::new("padded.png"))
        .build()
        .unwrap();
    let result = client.process_object(BUCKET, PHOTO, &process).unwrap();
    // Without b_ the service echoes an empty bucket.
    assert_eq!((result.bucket(), result.key()), ("", "padded.png"));
    let bytes = std::fs::read(emulator.object_path(BUCKET, "padded.png").unwrap()).unwrap();
    assert_eq!(
        image::guess_format(&bytes).unwrap(),
        image::ImageFormat::Png
    );
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (100, 100));
    // The 100x75 picture sits in the middle: red bands above and below.
    assert_eq!(img.get_pixel(0, 0).0, [255, 0, 0]);
    assert_eq!(img.get_pixel(99, 99).0, [255, 0, 0]);
    assert_ne!(img.get_pixel(50, 50).0, [255, 0, 0]);

    // Default pad colour: white.
    client
        .process_object(
            BUCKET,
            PHOTO,
            "image/resize,m_pad,w_100,h_100/format,png|sys/saveas,o_d2hpdGUucG5n",
        )
        .unwrap();
    let bytes = std::fs::read(emulator.object_path(BUCKET, "white.png").unwrap()).unwrap();
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    assert_eq!(img.get_pixel(0, 0).0, [255, 255, 255]);
}

#[test]
fn crop_rotate_formats_and_quality() {
    let (emulator, client) = setup(&jpeg(320, 240));
    let run = |process: Process| {
        client.process_object(BUCKET, PHOTO, &process).unwrap();
        let key = process.save_as().unwrap().key.clone();
        std::fs::read(emulator.object_path(BUCKET, &key).unwrap()).unwrap()
    };
    let cropped = run(Process::image()
        .crop(
            Crop::new()
                .width(200)
                .height(100)
                .gravity(Gravity::SouthEast),
        )
        .rotate(90)
        .save_as(SaveAs::new("crop.jpg"))
        .build()
        .unwrap());
    assert_eq!(
        image::load_from_memory(&cropped).unwrap().dimensions(),
        (100, 200)
    );

    for (format, expected) in [
        (Format::Png, image::ImageFormat::Png),
        (Format::Webp, image::ImageFormat::WebP),
        (Format::Gif, image::ImageFormat::Gif),
        (Format::Bmp, image::ImageFormat::Bmp),
        (Format::Jpg, image::ImageFormat::Jpeg),
    ] {
        let bytes = run(Process::image()
            .resize(Resize::new().width(64))
            .format(format)
            .save_as(SaveAs::new(format!("f.{}", format.as_str())))
            .build()
            .unwrap());
        assert_eq!(image::guess_format(&bytes).unwrap(), expected, "{format:?}");
        assert_eq!(
            image::load_from_memory(&bytes).unwrap().dimensions(),
            (64, 48)
        );
    }

    let low = run(Process::parse("image/quality,Q_10|sys/saveas,o_bG93LmpwZw").unwrap());
    let high = run(Process::parse("image/quality,Q_95|sys/saveas,o_aGlnaC5qcGc").unwrap());
    assert!(
        low.len() * 2 < high.len(),
        "{} vs {}",
        low.len(),
        high.len()
    );
}

/// A JPEG with an EXIF Orientation tag.
fn jpeg_with_orientation(w: u32, h: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(w, h);
    let mut tiff = b"II*\0\x08\0\0\0\x01\0".to_vec();
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

#[test]
fn auto_orient_follows_exif() {
    let (emulator, client) = setup(&jpeg(640, 480));
    emulator
        .put_object(BUCKET, "turned.jpg", &jpeg_with_orientation(64, 32, 6))
        .unwrap();
    client
        .process_object(
            BUCKET,
            "turned.jpg",
            "image/auto-orient,1|sys/saveas,o_YS5qcGc",
        )
        .unwrap();
    assert_eq!(size_of(&emulator, BUCKET, "a.jpg"), (32, 64));
    client
        .process_object(
            BUCKET,
            "turned.jpg",
            "image/auto-orient,0|sys/saveas,o_Yi5qcGc",
        )
        .unwrap();
    assert_eq!(size_of(&emulator, BUCKET, "b.jpg"), (64, 32));
    let info = client.image_info(BUCKET, "turned.jpg").unwrap();
    assert_eq!(
        (info.width(), info.height(), info.format()),
        (64, 32, "jpg")
    );
    assert_eq!(
        info.fields().get("Orientation").map(String::as_str),
        Some("6")
    );
}

#[test]
fn saveas_into_another_bucket_under_a_non_ascii_key() {
    let (emulator, client) = setup(&jpeg(640, 480));
    emulator.create_bucket("dest-bucket").unwrap();
    let key = "相册/猫 1+2.jpg";
    let process = Process::image()
        .resize(Resize::new().mode(ResizeMode::Fixed).width(100).height(100))
        .save_as(SaveAs::new(key).bucket("dest-bucket"))
        .build()
        .unwrap();
    let result = client.process_object(BUCKET, PHOTO, &process).unwrap();
    assert_eq!((result.bucket(), result.key()), ("dest-bucket", key));
    assert_eq!(size_of(&emulator, "dest-bucket", key), (100, 100));
    assert!(
        emulator
            .root()
            .join("dest-bucket/相册/猫 1+2.jpg")
            .is_file()
    );

    // A source under a non-ASCII key, saved back to the source bucket.
    emulator
        .put_object(BUCKET, "相册/源 图.png", &png(40, 30))
        .unwrap();
    let result = client
        .process_object(
            BUCKET,
            "相册/源 图.png",
            "image/resize,p_50|sys/saveas,o_5bCPLnBuZw",
        )
        .unwrap();
    assert_eq!(result.key(), "小.png");
    assert_eq!(size_of(&emulator, BUCKET, "小.png"), (20, 15));
}

#[test]
fn errors_carry_the_oss_code_and_request_id() {
    let (emulator, client) = setup(&jpeg(640, 480));
    let save = "image/resize,w_10|sys/saveas,o_eC5qcGc";

    let wrong = client_for(&emulator, Credentials::new(AK, "not-the-secret"));
    let e = service_error(wrong.process_object(BUCKET, PHOTO, save).unwrap_err());
    assert_eq!((e.status, e.code.as_str()), (403, "SignatureDoesNotMatch"));
    assert!(is_request_id(&e.request_id), "{}", e.request_id);
    assert_eq!(e.ec, "0002-00000040");
    assert!(!e.host_id.is_empty());

    let e = service_error(
        client
            .process_object(BUCKET, "missing.jpg", save)
            .unwrap_err(),
    );
    assert_eq!((e.status, e.code.as_str()), (404, "NoSuchKey"));
    assert!(is_request_id(&e.request_id));

    let e = service_error(
        client
            .process_object("no-such-bucket", PHOTO, save)
            .unwrap_err(),
    );
    assert_eq!((e.status, e.code.as_str()), (404, "NoSuchBucket"));

    let to_missing = "image/resize,w_10|sys/saveas,o_eC5qcGc,b_bm93aGVyZQ";
    let e = service_error(
        client
            .process_object(BUCKET, PHOTO, to_missing)
            .unwrap_err(),
    );
    assert_eq!((e.status, e.code.as_str()), (404, "NoSuchBucket"));

    let e = service_error(
        client
            .process_object(BUCKET, PHOTO, "image/format,heic|sys/saveas,o_eC5qcGc")
            .unwrap_err(),
    );
    assert_eq!((e.status, e.code.as_str()), (400, "InvalidArgument"));
    assert!(e.message.contains("heic"), "{}", e.message);

    let e = service_error(
        client
            .process_object(BUCKET, PHOTO, "image/crop,x_700|sys/saveas,o_eC5qcGc")
            .unwrap_err(),
    );
    assert_eq!((e.status, e.code.as_str()), (400, "InvalidArgument"));

    emulator
        .put_object(BUCKET, "notes.txt", b"not an image")
        .unwrap();
    let e = service_error(
        client
            .process_object(BUCKET, "notes.txt", save)
            .unwrap_err(),
    );
    assert_eq!((e.status, e.code.as_str()), (400, "InvalidArgument"));
    assert!(!emulator.root().join(BUCKET).join("x.jpg").exists());
}

#[test]
fn sts_token_path() {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = std::sync::Arc::clone(&log);
    let emulator = Emulator::builder()
        .credentials(
            Credentials::new("STS.TempId", "TempSecret").with_security_token("Token.abc/+="),
        )
        .on_request(move |r| sink.lock().unwrap().push(r.to_string()))
        .start()
        .unwrap();
    emulator.put_object(BUCKET, PHOTO, &jpeg(64, 48)).unwrap();
    let save = "image/resize,w_32|sys/saveas,o_dC5qcGc";
    let with = |token: Option<&str>| {
        let mut c = Credentials::new("STS.TempId", "TempSecret");
        if let Some(t) = token {
            c = c.with_security_token(t);
        }
        client_for(&emulator, c).process_object(BUCKET, PHOTO, save)
    };
    assert!(with(Some("Token.abc/+=")).unwrap().file_size() > 0);
    for bad in [Some("Token.abd"), None] {
        let e = service_error(with(bad).unwrap_err());
        assert_eq!(
            (e.status, e.code.as_str()),
            (403, "InvalidSecurityToken"),
            "{bad:?}"
        );
    }
    // Presigned URLs carry the token in the query.
    let client = client_for(
        &emulator,
        Credentials::new("STS.TempId", "TempSecret").with_security_token("Token.abc/+="),
    );
    let url = client
        .presign_process(BUCKET, PHOTO, "image/resize,w_16", Duration::from_secs(60))
        .unwrap()
        .into_url();
    let target = &url[url.find("/examplebucket").unwrap()..];
    assert_eq!(send(emulator.addr(), "GET", target, &[], b"").status, 200);
    // The request log shows the presigned GET, but never the token it carries.
    let log = log.lock().unwrap();
    assert!(
        log.iter()
            .any(|l| l.contains("x-oss-security-token=<redacted>")),
        "{log:?}"
    );
    assert!(log.iter().all(|l| !l.contains("Token.abc")), "{log:?}");
}

#[test]
fn presigned_process_urls_work_and_expire() {
    let (emulator, client) = setup(&jpeg(640, 480));
    let presigned = client
        .presign_process(
            BUCKET,
            PHOTO,
            "image/resize,w_100",
            Duration::from_secs(300),
        )
        .unwrap();
    let target = &presigned.url()[presigned.url().find("/examplebucket").unwrap()..];
    let answer = send(emulator.addr(), "GET", target, &[], b"");
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("content-type"), Some("image/jpeg"));
    assert!(is_request_id(answer.header("x-oss-request-id").unwrap()));
    assert_eq!(
        image::load_from_memory(&answer.body).unwrap().dimensions(),
        (100, 75)
    );

    let old = client
        .presign_process_at(
            BUCKET,
            PHOTO,
            "image/resize,w_100",
            Duration::from_secs(60),
            SystemTime::now() - Duration::from_secs(600),
        )
        .unwrap();
    let target = &old.url()[old.url().find("/examplebucket").unwrap()..];
    let answer = send(emulator.addr(), "GET", target, &[], b"");
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (403, "AccessDenied")
    );
    assert_eq!(
        answer.xml("Message").as_deref(),
        Some("Request has expired.")
    );

    // The same through the client's processed download.
    let mut out = Vec::new();
    client
        .download_processed(BUCKET, PHOTO, "image/resize,p_25", &mut out)
        .unwrap();
    assert_eq!(
        image::load_from_memory(&out).unwrap().dimensions(),
        (160, 120)
    );
    let hue = client.average_hue(BUCKET, PHOTO).unwrap();
    assert!(hue.blue() > 100 && hue.blue() < 160, "{hue:?}");
    // saveas is POST-only.
    let e = service_error(
        client
            .get_processed(BUCKET, PHOTO, "image/resize,w_10|sys/saveas,o_eC5qcGc")
            .unwrap_err(),
    );
    assert_eq!((e.status, e.code.as_str()), (400, "InvalidArgument"));
}

#[test]
fn async_process_is_accepted() {
    let (_emulator, client) = setup(&jpeg(64, 48));
    let result = client
        .async_process_object(
            BUCKET,
            PHOTO,
            "doc/convert,target_png,source_docx|sys/saveas,b_ZXhhbXBsZWJ1Y2tldA,o_ZG9jL3tpbmRleH0ucG5n",
        )
        .unwrap();
    assert!(!result.event_id().is_empty());
    assert!(!result.task_id().is_empty());
    assert!(is_request_id(result.request_id()));
}

#[test]
fn virtual_hosted_requests_and_the_request_log() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let emulator = Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .on_request(move |r| log.lock().unwrap().push(r.to_string()))
        .start()
        .unwrap();
    emulator.put_object(BUCKET, PHOTO, &jpeg(64, 48)).unwrap();
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint("http://oss-cn-hangzhou.aliyuncs.com")
        .connect_to(emulator.addr())
        .credentials(Credentials::new(AK, SK))
        .build()
        .unwrap();
    assert_eq!(client.address_style(), AddressStyle::VirtualHosted);
    let result = client
        .process_object(BUCKET, PHOTO, "image/resize,w_32|sys/saveas,o_di5qcGc")
        .unwrap();
    assert_eq!(size_of(&emulator, BUCKET, "v.jpg"), (32, 24));
    let lines = seen.lock().unwrap().clone();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("POST /photo.jpg?x-oss-process"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with(&format!("200 {}", result.request_id())),
        "{}",
        lines[0]
    );
}

#[test]
fn many_emulators_start_and_stop_promptly() {
    let started = Instant::now();
    for _ in 0..20 {
        let emulator = emulator();
        let addr = emulator.addr();
        let root = emulator.root().to_path_buf();
        assert!(root.is_dir());
        let t = Instant::now();
        emulator.stop();
        assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
        assert!(!root.exists(), "the temporary root is removed");
        assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err());
    }
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_skewed_clock_gives_request_time_too_skewed_and_the_client_can_learn_it() {
    let emulator = Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .clock_offset_secs(3600)
        .start()
        .unwrap();
    emulator.put_object(BUCKET, PHOTO, &jpeg(32, 24)).unwrap();
    let save = "image/resize,w_16|sys/saveas,o_cy5qcGc";
    let strict = Client::builder()
        .region("cn-hangzhou")
        .endpoint(emulator.endpoint())
        .credentials(Credentials::new(AK, SK))
        .correct_clock_skew(false)
        .build()
        .unwrap();
    let e = service_error(strict.process_object(BUCKET, PHOTO, save).unwrap_err());
    assert_eq!((e.status, e.code.as_str()), (403, "RequestTimeTooSkewed"));
    assert!(is_request_id(&e.request_id));

    // The default client reads the server's Date and retries with it.
    let learning = client_for(&emulator, Credentials::new(AK, SK));
    assert_eq!(
        learning
            .process_object(BUCKET, PHOTO, save)
            .unwrap()
            .status_code(),
        200
    );
    let offset = learning.clock_offset_millis();
    assert!(offset > 3_500_000, "{offset}");
}

#[test]
fn localhost_endpoints_mean_path_style_and_work() {
    let (emulator, _) = setup(&jpeg(64, 48));
    let port = emulator.addr().port();
    for endpoint in [
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{port}"),
    ] {
        let client = Client::builder()
            .region("cn-hangzhou")
            .endpoint(&endpoint)
            .credentials(Credentials::new(AK, SK))
            .build()
            .unwrap();
        assert_eq!(client.address_style(), AddressStyle::Path, "{endpoint}");
        let info = client.image_info(BUCKET, PHOTO).unwrap();
        assert_eq!((info.width(), info.height()), (64, 48), "{endpoint}");
    }
}
