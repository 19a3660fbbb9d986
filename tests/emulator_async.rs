//! Asynchronous processing in the emulator: `image/deblindwatermark` end
//! to end through `Client::async_process_object` and `wait_for_task`, the
//! notification message as IMM shapes it, failures as `Failed` with a
//! Code, checks answered at once, and the blindwatermark embed's limits.

#![cfg(feature = "emulator")]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::service_error;
use image::{DynamicImage, GenericImageView, Rgb, RgbImage};
use oss_process::emulator::{Emulator, TaskMessage, watermark};
use oss_process::process::{
    BlindStrength, BlindWatermark, DeBlindWatermark, Format, Process, SaveAs,
};
use oss_process::{Client, Credentials, TaskNotification};

const BUCKET: &str = "examplebucket";
const WAIT: Duration = Duration::from_secs(120);

fn photo(size: u32) -> DynamicImage {
    let path = format!(
        "{}/tests/data/photos/chelsea.jpg",
        env!("CARGO_MANIFEST_DIR")
    );
    image::open(path)
        .unwrap()
        .resize(size, size, image::imageops::FilterType::Triangle)
}

fn encoded(img: &DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.to_rgb8()
        .write_to(&mut std::io::Cursor::new(&mut out), format)
        .unwrap();
    out
}

/// Stores `img` as `key`, encoded in `format`.
fn store(emulator: &Emulator, key: &str, img: &DynamicImage, format: image::ImageFormat) {
    emulator
        .put_object(BUCKET, key, &encoded(img, format))
        .unwrap();
}

fn client(emulator: &Emulator) -> Client {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(emulator.endpoint())
        .credentials(Credentials::new(common::AK, common::SK))
        .build()
        .unwrap()
}

fn decode_process(strength: BlindStrength, topic: &str) -> Process {
    Process::deblind_watermark(DeBlindWatermark::new().strength(strength))
        .notify_topic(topic)
        .build()
        .unwrap()
}

#[test]
fn deblindwatermark_reads_back_what_blindwatermark_hid() {
    let seen: Arc<Mutex<Vec<TaskMessage>>> = Arc::default();
    let observed = Arc::clone(&seen);
    let emulator = Emulator::builder()
        .credentials(Credentials::new(common::AK, common::SK))
        .on_notification(move |m| observed.lock().unwrap().push(m.clone()))
        .start()
        .unwrap();
    let source = photo(512);
    store(&emulator, "cat.png", &source, image::ImageFormat::Png);
    let client = client(&emulator);
    let text = "阿里云版权所有 id-42";
    // Embed, saved as PNG so the PSNR measures the mark alone.
    let embed = Process::image()
        .blind_watermark(BlindWatermark::new(text).strength(BlindStrength::Low))
        .save_as(SaveAs::new("wm/cat.png"))
        .build()
        .unwrap();
    let saved = client.process_object(BUCKET, "cat.png", &embed).unwrap();
    assert_eq!(saved.key(), "wm/cat.png");
    let marked = image::open(emulator.object_path(BUCKET, "wm/cat.png").unwrap()).unwrap();
    assert_eq!(marked.dimensions(), source.dimensions());
    let psnr = common::psnr(&source, &marked);
    assert!(psnr >= 38.0, "PSNR {psnr:.2} dB");
    assert_eq!(
        watermark::decode(&marked, watermark::Strength::Low).as_deref(),
        Ok(text.as_bytes())
    );

    // Decode as a task, repeated: every task gets its own id and message.
    let mut ids = Vec::new();
    for round in 0..3 {
        let task = client
            .async_process_object(
                BUCKET,
                "wm/cat.png",
                decode_process(BlindStrength::Low, "marks"),
            )
            .unwrap();
        assert!(
            task.task_id().starts_with("DecodeBlindWatermark-"),
            "{task:?}"
        );
        assert!(!task.event_id().is_empty());
        assert!(common::is_request_id(task.request_id()));
        assert_eq!(task.process_request_id(), task.request_id());
        let message = emulator.wait_for_task(task.task_id(), WAIT).expect("ends");
        assert_eq!(message.topic(), Some("marks"));
        // The body as a subscriber receives it parses to the same thing.
        let n = TaskNotification::parse(message.body()).unwrap();
        assert_eq!(&n, message.notification());
        assert!(n.succeeded(), "round {round}: {n:?}");
        assert_eq!(n.decoded_text(), Some(text));
        assert_eq!(n.task_id(), task.task_id());
        assert_eq!(n.task_type(), "DecodeBlindWatermark");
        assert_eq!(n.request_id(), task.process_request_id());
        assert_eq!(n.field("EventId"), Some(task.event_id()));
        assert_eq!(n.event_type(), "imm:Task:DecodeBlindWatermark");
        assert_eq!(n.source(), "acs.imm");
        assert!(n.field("StartTime").is_some() && n.field("EndTime").is_some());
        ids.push(task.task_id().to_string());
    }
    ids.dedup();
    assert_eq!(ids.len(), 3);
    let all: Vec<String> = emulator
        .notifications()
        .iter()
        .map(|m| m.task_id().to_string())
        .collect();
    assert_eq!(all, ids);
    let observed: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.task_id().to_string())
        .collect();
    assert_eq!(observed, ids);
}

#[test]
fn marks_survive_jpeg_and_strengths_are_kept() {
    let emulator = common::emulator();
    let client = client(&emulator);
    store(&emulator, "cat.jpg", &photo(512), image::ImageFormat::Jpeg);
    for (strength, quality) in [(BlindStrength::Medium, 70), (BlindStrength::High, 100)] {
        let embed = Process::image()
            .blind_watermark(
                BlindWatermark::new("hidden")
                    .strength(strength)
                    .quality(quality),
            )
            .save_as(SaveAs::new("marked.jpg"))
            .build()
            .unwrap();
        client.process_object(BUCKET, "cat.jpg", &embed).unwrap();
        let marked = std::fs::read(emulator.object_path(BUCKET, "marked.jpg").unwrap()).unwrap();
        assert!(marked.starts_with(b"\xFF\xD8"), "a JPG source gives a JPG");
        // Re-encoded (JPEG at the image crate's default quality, 75), then decoded.
        let again = encoded(
            &image::load_from_memory(&marked).unwrap(),
            image::ImageFormat::Jpeg,
        );
        emulator.put_object(BUCKET, "shared.jpg", &again).unwrap();
        let task = client
            .async_process_object(BUCKET, "shared.jpg", decode_process(strength, "t"))
            .unwrap();
        let n = emulator.wait_for_task(task.task_id(), WAIT).unwrap();
        assert_eq!(
            n.notification().decoded_text(),
            Some("hidden"),
            "{strength:?}"
        );
    }
    // q_ sets the JPG quality: 70 gives a smaller file than 100.
    let size = |q: u32| {
        let p = Process::image()
            .blind_watermark(BlindWatermark::new("q").quality(q))
            .build()
            .unwrap();
        let mut out = Vec::new();
        client
            .download_processed(BUCKET, "cat.jpg", &p, &mut out)
            .unwrap();
        out.len()
    };
    let (q70, q100) = (size(70), size(100));
    assert!(q70 * 2 < q100, "{q70} {q100}");
    // PNG output (q_ does not apply) keeps the mark without loss.
    let p = Process::image()
        .blind_watermark(BlindWatermark::new("png"))
        .format(Format::Png)
        .build()
        .unwrap();
    let mut out = Vec::new();
    client
        .download_processed(BUCKET, "cat.jpg", &p, &mut out)
        .unwrap();
    let img = image::load_from_memory(&out).unwrap();
    assert_eq!(
        watermark::decode(&img, watermark::Strength::Low).as_deref(),
        Ok(&b"png"[..])
    );
}

#[test]
fn failed_tasks_say_why_in_the_message() {
    let emulator = common::emulator();
    let client = client(&emulator);
    store(&emulator, "plain.png", &photo(256), image::ImageFormat::Png);
    // No mark: Failed, WatermarkNotFound, no text.
    let task = client
        .async_process_object(BUCKET, "plain.png", decode_process(BlindStrength::Low, "t"))
        .unwrap();
    let n = emulator.wait_for_task(task.task_id(), WAIT).unwrap();
    let n = n.notification();
    assert!(n.failed(), "{n:?}");
    assert_eq!(n.code(), "WatermarkNotFound");
    assert!(!n.message().is_empty());
    assert_eq!(n.decoded_text(), None);
    // Not an image: Failed with InvalidArgument.
    emulator.put_object(BUCKET, "notes.txt", b"hello").unwrap();
    let task = client
        .async_process_object(BUCKET, "notes.txt", decode_process(BlindStrength::Low, "t"))
        .unwrap();
    let n = emulator.wait_for_task(task.task_id(), WAIT).unwrap();
    assert_eq!(n.notification().code(), "InvalidArgument");
    // A family the emulator does not perform: queued, then NotImplemented.
    let task = client
        .async_process_object(
            BUCKET,
            "plain.png",
            "doc/convert,target_pdf,source_docx|sys/saveas,b_ZXhhbXBsZWJ1Y2tldA,o_YS5wZGY/notify,topic_dA",
        )
        .unwrap();
    assert!(task.task_id().starts_with("DocConvert-"), "{task:?}");
    let m = emulator.wait_for_task(task.task_id(), WAIT).unwrap();
    assert_eq!(m.topic(), Some("t"));
    assert_eq!(m.notification().code(), "NotImplemented");
    assert!(m.notification().message().contains("doc/convert"));
    assert!(
        emulator
            .wait_for_task("DecodeBlindWatermark-none", Duration::from_millis(50))
            .is_none()
    );
}

#[test]
fn async_requests_are_checked_at_once() {
    let emulator = common::emulator();
    let client = client(&emulator);
    store(&emulator, "a.png", &photo(128), image::ImageFormat::Png);
    let cases = [
        // A synchronous process sent as a task.
        (
            "a.png",
            "image/resize,w_10|sys/saveas,o_eC5wbmc",
            400,
            "InvalidArgument",
            "synchronous",
        ),
        // The decode needs its topic.
        (
            "a.png",
            "image/deblindwatermark,s_low,t_text",
            400,
            "InvalidArgument",
            "notify.topic",
        ),
        (
            "a.png",
            "image/deblindwatermark,s_max,t_text|sys/notify,topic_dA",
            400,
            "InvalidArgument",
            "deblindwatermark.s",
        ),
        (
            "missing.png",
            "image/deblindwatermark,s_low,t_text|sys/notify,topic_dA",
            404,
            "NoSuchKey",
            "",
        ),
        (
            "a.png",
            "doc/convert,target_pdf|sys/saveas,b_bm9uZS1idWNrZXQ,o_YQ",
            404,
            "NoSuchBucket",
            "",
        ),
    ];
    for (key, process, status, code, says) in cases {
        let e = service_error(
            client
                .async_process_object(BUCKET, key, process)
                .unwrap_err(),
        );
        assert_eq!(
            (e.status, e.code.as_str()),
            (status, code),
            "{process}: {e:?}"
        );
        assert!(e.message.contains(says), "{process}: {}", e.message);
    }
    assert!(emulator.notifications().is_empty());
}

#[test]
fn blindwatermark_refuses_what_oss_refuses() {
    let emulator = common::emulator();
    let client = client(&emulator);
    let flat = |w, h, v| DynamicImage::ImageRgb8(RgbImage::from_pixel(w, h, Rgb([v, v, v])));
    let textured = |w: u32, h: u32| {
        DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
            Rgb([(x * 7 + y * 3) as u8, (x ^ y) as u8, (y * 5) as u8])
        }))
    };
    let cases = [
        ("small.png", textured(60, 60), "80x80"),
        ("narrow.png", textured(100, 300), "half the long side"),
        ("white.png", flat(200, 200, 255), "flat colour"),
        ("black.png", flat(200, 200, 0), "flat colour"),
    ];
    for (key, img, says) in cases {
        emulator
            .put_object(BUCKET, key, &encoded(&img, image::ImageFormat::Png))
            .unwrap();
        let e = service_error(
            client
                .process_object(
                    BUCKET,
                    key,
                    "image/blindwatermark,content_aWQ|sys/saveas,o_eC5wbmc",
                )
                .unwrap_err(),
        );
        assert_eq!(
            (e.status, e.code.as_str()),
            (400, "InvalidArgument"),
            "{key}"
        );
        assert!(e.message.contains(says), "{key}: {}", e.message);
    }
    store(
        &emulator,
        "anim.gif",
        &textured(120, 120),
        image::ImageFormat::Gif,
    );
    let e = service_error(
        client
            .process_object(
                BUCKET,
                "anim.gif",
                "image/blindwatermark,content_aWQ|sys/saveas,o_eC5naWY",
            )
            .unwrap_err(),
    );
    assert!(e.message.contains("GIF"), "{}", e.message);
    // 256 characters fit a 512-px picture; the emulator accepts them.
    store(
        &emulator,
        "ok.png",
        &textured(512, 400),
        image::ImageFormat::Png,
    );
    let long: String = "ab".repeat(128);
    let p = Process::image()
        .blind_watermark(BlindWatermark::new(&long))
        .save_as(SaveAs::new("long.png"))
        .build()
        .unwrap();
    client.process_object(BUCKET, "ok.png", &p).unwrap();
}
