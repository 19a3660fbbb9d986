//! The document, video and audio families, styles and presigned response
//! overrides against the emulator, through the public client: IMM-backed
//! actions answer as a bucket without an IMM project until a test handler
//! takes them; parameters are checked like OSS; document AI round trips
//! as JSON and as an event stream; `doc/convert` runs as a task that saves
//! a page per `{index}`; styles are stored, listed, resolved (also before
//! `|sys/saveas`) and kept on disk; overrides are signed and applied.

#![cfg(feature = "emulator")]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::{AK, SK, client, emulator, png, send, signed};
use image::GenericImageView;
use oss_process::emulator::{Emulator, ImmAnswer};
use oss_process::process::{
    DocAi, DocConvert, DocLanguage, DocSnapshot, DocTarget, Process, Resize, SaveAs,
    SnapshotFormat, VideoSnapshot, WebOffice,
};
use oss_process::{Client, Credentials, Error, KnownError, ResponseOverrides, StyleCategory};

const BUCKET: &str = "examplebucket";

fn with_objects(emulator: Emulator) -> (Emulator, Client) {
    emulator
        .put_object(BUCKET, "photo.png", &png(64, 48))
        .unwrap();
    emulator
        .put_object(BUCKET, "report.docx", b"PK\x03\x04 a document")
        .unwrap();
    emulator
        .put_object(BUCKET, "talk.mp4", b"\0\0\0\x18ftypmp42")
        .unwrap();
    let client = client(&emulator);
    (emulator, client)
}

fn service(e: &Error) -> &oss_process::ServiceError {
    e.as_service()
        .unwrap_or_else(|| panic!("expected a service error, got {e:?}"))
}

#[test]
fn imm_backed_actions_answer_as_a_bucket_without_an_imm_project() {
    let (_emulator, c) = with_objects(emulator());
    let snapshot = Process::doc()
        .snapshot(DocSnapshot::new(SnapshotFormat::Png))
        .build()
        .unwrap();
    let convert = Process::doc()
        .convert(DocConvert::new(DocTarget::Pdf))
        .save_as(SaveAs::new("report.pdf"))
        .build()
        .unwrap();
    let errors = [
        c.doc_translate(BUCKET, "any.txt", "你好", DocLanguage::EnUs)
            .unwrap_err(),
        c.doc_ai_events(BUCKET, "any.txt", DocAi::polish("x"))
            .unwrap_err(),
        c.video_info(BUCKET, "talk.mp4").unwrap_err(),
        c.audio_info(BUCKET, "talk.mp4").unwrap_err(),
        c.get_processed(BUCKET, "report.docx", &snapshot)
            .unwrap_err(),
        c.async_process_object(BUCKET, "report.docx", &convert)
            .unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(e.known(), Some(KnownError::NoImmProject), "{e}");
        let s = service(e);
        assert_eq!((s.status, s.code.as_str()), (404, "Imm Client"));
        assert!(
            s.message
                .contains("ResourceNotFound, The specified resource Attachment is not found"),
            "{}",
            s.message
        );
    }
    // video/snapshot needs no IMM project; the emulator cannot decode video.
    let frame = Process::video()
        .snapshot(VideoSnapshot::new(1000, SnapshotFormat::Jpg))
        .build()
        .unwrap();
    let e = c.get_processed(BUCKET, "talk.mp4", &frame).unwrap_err();
    assert_eq!(
        (service(&e).status, service(&e).code.as_str()),
        (501, "NotImplemented")
    );
    assert!(service(&e).message.contains("imm_handler"), "{e}");
}

#[test]
fn family_parameters_are_checked_like_oss() {
    let emulator = emulator();
    emulator.put_object(BUCKET, "report.docx", b"PK").unwrap();
    let credentials = Credentials::new(AK, SK);
    for (request, words) in [
        (
            "GET report.docx?x-oss-process=doc%2Fsnapshot%2Ctarget_gif",
            "doc/snapshot.target: must be one of jpg, png",
        ),
        (
            "GET report.docx?x-oss-process=doc%2Fsnapshot%2Ctarget_png%2Cpage_2001",
            "doc/snapshot.page: must be 1..=2000",
        ),
        (
            "GET report.docx?x-oss-process=doc%2Ftranslate%2Clanguage_en_US%2Ccontent_eA",
            "operation not support get: doc/translate",
        ),
        (
            "GET report.docx?x-oss-process=video%2Fconvert%2Cf_mp4%7Csys%2Fsaveas%2Co_eA",
            "video/convert is asynchronous",
        ),
    ] {
        let answer = signed(
            &emulator,
            BUCKET,
            request,
            &[],
            b"",
            &credentials,
            SystemTime::now(),
        );
        assert_eq!(
            (answer.status, answer.error_code().as_str()),
            (400, "InvalidArgument"),
            "{request}"
        );
        let message = answer.xml("Message").unwrap_or_default();
        assert!(message.contains(words), "{request}: {message}");
    }
    // A task given as a synchronous process, and the reverse.
    for (request, body, words) in [
        (
            "POST report.docx?x-oss-async-process",
            "x-oss-async-process=doc/snapshot,target_png",
            "is synchronous",
        ),
        (
            "POST report.docx?x-oss-async-process",
            "x-oss-async-process=doc/convert,target_docx|sys/saveas,o_eA",
            "doc/convert.target",
        ),
    ] {
        let answer = signed(
            &emulator,
            BUCKET,
            request,
            &[],
            body.as_bytes(),
            &credentials,
            SystemTime::now(),
        );
        assert_eq!(answer.status, 400, "{body}: {}", answer.text());
        assert!(
            answer.xml("Message").unwrap_or_default().contains(words),
            "{body}: {}",
            answer.text()
        );
    }
}

#[test]
fn document_ai_round_trips_as_json_and_as_an_event_stream() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let emulator = Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .imm_handler("doc", move |request| {
            let ai = request.doc_ai().expect("document AI");
            log.lock().unwrap().push((
                request.action().to_string(),
                request.method().to_string(),
                ai.content.clone(),
                request.source().is_none(),
            ));
            let words: Vec<String> = ai.content.split(' ').map(|w| format!("<{w}>")).collect();
            ImmAnswer::doc_ai(words)
        })
        .start()
        .unwrap();
    emulator.create_bucket(BUCKET).unwrap();
    let c = client(&emulator);
    // The key only names the bucket: no object is needed.
    let answer = c
        .doc_translate(BUCKET, "placeholder.txt", "a b c", DocLanguage::FrFr)
        .unwrap();
    assert_eq!(answer.text(), "<a><b><c>");
    assert!(answer.is_finished());
    assert_eq!(answer.process_request_id(), answer.request_id());

    let texts: Vec<(String, bool)> = c
        .doc_ai_events(BUCKET, "placeholder.txt", DocAi::summarize("one two three"))
        .unwrap()
        .map(|a| a.map(|a| (a.text().to_string(), a.is_finished())))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        texts,
        [
            ("<one>".to_string(), false),
            ("<one><two>".to_string(), false),
            ("<one><two><three>".to_string(), true),
        ]
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (
                "doc/translate".to_string(),
                "POST".to_string(),
                "a b c".to_string(),
                true
            ),
            (
                "doc/summarize".to_string(),
                "POST".to_string(),
                "one two three".to_string(),
                true
            ),
        ]
    );
}

#[test]
fn handlers_answer_bytes_and_json_for_their_action_or_family() {
    let emulator = Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .imm_handler("video", |_| {
            ImmAnswer::error(403, "AccessDenied", "no video here")
        })
        .imm_handler("video/info", |request| {
            ImmAnswer::json(serde_json::json!({
                "FormatName": "mov,mp4",
                "Duration": 1.5,
                "Size": request.source().map_or(0, <[u8]>::len),
            }))
        })
        .imm_handler("doc/snapshot", |_| ImmAnswer::bytes("image/png", png(8, 6)))
        .start()
        .unwrap();
    let (_emulator, c) = with_objects(emulator);
    let info = c.video_info(BUCKET, "talk.mp4").unwrap();
    assert_eq!(
        (info.format_name(), info.duration_seconds(), info.size()),
        (Some("mov,mp4"), Some(1.5), Some(12))
    );
    // The family's handler answers the other video actions.
    let frame = Process::video()
        .snapshot(VideoSnapshot::new(0, SnapshotFormat::Png))
        .build()
        .unwrap();
    let e = c.get_processed(BUCKET, "talk.mp4", &frame).unwrap_err();
    assert_eq!(
        (service(&e).status, service(&e).code.as_str()),
        (403, "AccessDenied")
    );
    // Audio has no handler: still no IMM project.
    assert_eq!(
        c.audio_info(BUCKET, "talk.mp4").unwrap_err().known(),
        Some(KnownError::NoImmProject)
    );
    let page = Process::doc()
        .snapshot(DocSnapshot::new(SnapshotFormat::Png).page(2))
        .build()
        .unwrap();
    let mut out = Vec::new();
    c.download_processed(BUCKET, "report.docx", &page, &mut out)
        .unwrap();
    assert_eq!(image::load_from_memory(&out).unwrap().dimensions(), (8, 6));
}

#[test]
fn doc_convert_runs_as_a_task_that_saves_each_page() {
    let emulator = Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .imm_handler("doc/convert", |request| {
            assert!(request.is_task());
            let source = request.source().expect("the document");
            if !request.key().ends_with(".docx") {
                return ImmAnswer::error(400, "InvalidArgument", "not a document");
            }
            // One "page" per byte of the source's first three.
            ImmAnswer::pages(source.iter().take(3).map(|b| png(u32::from(*b % 7) + 1, 1)))
        })
        .start()
        .unwrap();
    let (emulator, c) = with_objects(emulator);
    emulator.create_bucket("dest-bucket").unwrap();
    let convert = Process::doc()
        .convert(DocConvert::new(DocTarget::Png).pages("1-3"))
        .save_as(SaveAs::new("pages/{index}.png").bucket("dest-bucket"))
        .notify_topic("conversions")
        .build()
        .unwrap();
    let task = c
        .async_process_object(BUCKET, "report.docx", &convert)
        .unwrap();
    assert!(
        task.task_id().starts_with("DocConvert-"),
        "{}",
        task.task_id()
    );
    let message = emulator
        .wait_for_task(task.task_id(), Duration::from_secs(30))
        .expect("the task ends");
    assert_eq!(message.topic(), Some("conversions"));
    let notification = message.notification();
    assert!(notification.succeeded(), "{notification:?}");
    assert_eq!(notification.task_type(), "DocConvert");
    assert_eq!(notification.request_id(), task.request_id());
    for (index, byte) in (1..=3).zip(b"PK\x03") {
        let path = emulator
            .object_path("dest-bucket", &format!("pages/{index}.png"))
            .unwrap();
        let page = image::open(path).unwrap();
        assert_eq!(
            page.dimensions(),
            (u32::from(*byte % 7) + 1, 1),
            "page {index}"
        );
    }
    assert!(
        !emulator
            .object_path("dest-bucket", "pages/4.png")
            .unwrap()
            .exists()
    );
}

#[test]
fn styles_end_to_end() {
    let root = std::env::temp_dir().join(format!("oss-emu-styles-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    {
        let emulator = Emulator::builder()
            .credentials(Credentials::new(AK, SK))
            .root(&root)
            .start()
            .unwrap();
        let (emulator, c) = with_objects(emulator);
        c.put_style(BUCKET, "thumb", "image/resize,m_fixed,w_32,h_24", None)
            .unwrap();
        c.put_style(
            BUCKET,
            "half",
            "image/resize,p_50",
            Some(StyleCategory::Image),
        )
        .unwrap();
        c.put_style(
            BUCKET,
            "page",
            "doc/preview,copy_0",
            Some(StyleCategory::Document),
        )
        .unwrap();
        let style = c.get_style(BUCKET, "thumb").unwrap();
        assert_eq!(
            (style.name(), style.content(), style.category()),
            (
                "thumb",
                "image/resize,m_fixed,w_32,h_24",
                Some(StyleCategory::Image)
            )
        );
        assert!(style.created().is_some());
        let names: Vec<String> = c
            .list_styles(BUCKET)
            .unwrap()
            .iter()
            .map(|s| s.name().to_string())
            .collect();
        assert_eq!(names, ["thumb", "half", "page"]);

        // style/<name> resolves offline, with or without |sys/saveas.
        let saved = Process::style("thumb")
            .save_as(SaveAs::new("thumbs/photo.png"))
            .build()
            .unwrap();
        let result = c.process_object(BUCKET, "photo.png", &saved).unwrap();
        assert_eq!(result.key(), "thumbs/photo.png");
        let thumb = image::open(emulator.object_path(BUCKET, "thumbs/photo.png").unwrap()).unwrap();
        assert_eq!(thumb.dimensions(), (32, 24));
        let mut out = Vec::new();
        c.download_processed(BUCKET, "photo.png", "style/half", &mut out)
            .unwrap();
        assert_eq!(
            image::load_from_memory(&out).unwrap().dimensions(),
            (32, 24)
        );

        // Replaced, deleted, missing.
        c.put_style(BUCKET, "half", "image/resize,p_25", None)
            .unwrap();
        c.download_processed(BUCKET, "photo.png", "style/half", &mut { Vec::new() })
            .unwrap();
        c.delete_style(BUCKET, "half").unwrap();
        let e = c
            .get_processed(BUCKET, "photo.png", "style/half")
            .unwrap_err();
        assert_eq!(e.known(), Some(KnownError::NoSuchStyle), "{e}");
        assert_eq!(
            c.get_style(BUCKET, "half").unwrap_err().known(),
            Some(KnownError::NoSuchStyle)
        );
        // The service checks the content; the client checks the name.
        let e = c
            .put_style(BUCKET, "bad", "image/resize,w_0", None)
            .unwrap_err();
        assert_eq!(service(&e).code, "InvalidArgument", "{e}");
        assert!(matches!(
            c.put_style(BUCKET, "a b", "image/rotate,90", None),
            Err(Error::InvalidArgument { .. })
        ));
    }
    // Kept under the root: another emulator on it sees them.
    let emulator = Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .root(&root)
        .start()
        .unwrap();
    let c = client(&emulator);
    let names: Vec<String> = c
        .list_styles(BUCKET)
        .unwrap()
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    assert_eq!(names, ["thumb", "page"]);
    drop(emulator);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn presigned_response_overrides_are_signed_and_applied() {
    let emulator = Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .imm_handler("doc/preview", |_| {
            ImmAnswer::bytes(
                "application/octet-stream",
                b"<!DOCTYPE html><html>preview</html>".to_vec(),
            )
        })
        .start()
        .unwrap();
    let (emulator, c) = with_objects(emulator);
    let get = |url: &str| {
        let target = &url[url.find("/examplebucket").unwrap()..];
        send(emulator.addr(), "GET", target, &[], b"")
    };
    // The doc/preview recipe (the emulator's endpoint is no aliyuncs.com).
    let preview = Process::doc()
        .preview(WebOffice::new().copy(false))
        .build()
        .unwrap();
    let overrides = ResponseOverrides::new()
        .content_type("text/html")
        .content_disposition("inline");
    let url = c
        .presign_process_overriding(
            BUCKET,
            "report.docx",
            &preview,
            Duration::from_secs(300),
            &overrides,
        )
        .unwrap();
    let answer = get(url.url());
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("content-type"), Some("text/html"));
    assert_eq!(answer.header("content-disposition"), Some("inline"));
    assert!(answer.text().contains("preview"));

    // An image, downloaded under a name.
    let thumb = Process::image()
        .resize(Resize::new().width(16))
        .build()
        .unwrap();
    let overrides =
        ResponseOverrides::new().content_disposition("attachment; filename=\"thumb.png\"");
    let url = c
        .presign_process_overriding(
            BUCKET,
            "photo.png",
            &thumb,
            Duration::from_secs(300),
            &overrides,
        )
        .unwrap();
    let answer = get(url.url());
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("content-type"), Some("image/png"));
    assert_eq!(
        answer.header("content-disposition"),
        Some("attachment; filename=\"thumb.png\"")
    );
    assert_eq!(
        image::load_from_memory(&answer.body).unwrap().dimensions(),
        (16, 12)
    );

    // The overrides are signed: changed in the URL, the signature fails.
    let tampered = url.url().replace("thumb.png", "other.png");
    let answer = get(&tampered);
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (403, "SignatureDoesNotMatch")
    );
}
