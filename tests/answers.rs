//! Every answer shape of the processing calls, over loopback: the saveas
//! JSON, the processed bytes (never read as JSON), document AI JSON in both
//! spellings of its id, event streams whole and cut midway, other JSON,
//! gzip-encoded answers, video and audio info; the calls' wire form
//! (document AI, styles); the well-known failures; and every routing
//! refusal made before any I/O.

mod common;

use std::time::Duration;

use common::gzip::gzip;
use common::{Reply, Server, verify_v4};
use oss_process::process::{DocAi, DocLanguage, DocTone, Process, Resize, SaveAs};
use oss_process::{Client, Credentials, Error, KnownError, NoRetry, ProcessAnswer, StyleCategory};

const ID: &str = "LTAI5tExampleAccessKeyId";
const SECRET: &str = "ExampleAccessKeySecret1234567890";

fn client(server: &Server) -> Client {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(server.url())
        .credentials(Credentials::new(ID, SECRET))
        .retry_policy(NoRetry)
        .read_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// A JPEG-looking body whose bytes, read as text, would start a JSON
/// object after its magic: never parsed.
const JPEG: &[u8] = b"\xff\xd8\xff\xe0{\"not\": \"json\"}\xff\xd9";

fn doc_ai_json(id_name: &str, text: &str, finish: &str) -> String {
    format!(
        r#"{{"{id_name}": "64D0BCDD88339E32330E2D1D", "Output": {{"Text": {text:?}, "FinishReason": {finish}}}}}"#
    )
}

/// An event stream whose every event holds the text so far, the last one
/// finished, as the SSE page describes it.
fn doc_ai_stream(parts: &[&str]) -> String {
    let mut body = String::new();
    let mut text = String::new();
    for (i, part) in parts.iter().enumerate() {
        text.push_str(part);
        let finish = if i + 1 == parts.len() {
            "\"stop\""
        } else {
            "null"
        };
        body.push_str(&format!(
            "id: {i}\nevent: Result\ndata: {}\n\n",
            doc_ai_json("RequestId", &text, finish)
        ));
    }
    body
}

#[test]
fn a_save_answers_where_it_saved() {
    let server = Server::always(2, Reply::process_ok("", "t.jpg", 42, "RID-S"));
    let c = client(&server);
    let process = "image/resize,w_100|sys/saveas,o_dC5qcGc";
    match c.post_process("bucket", "k.jpg", process).unwrap() {
        ProcessAnswer::Saved(saved) => {
            assert_eq!(
                (saved.key(), saved.file_size(), saved.request_id()),
                ("t.jpg", 42, "RID-S")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        c.process_object("bucket", "k.jpg", process)
            .unwrap()
            .file_size(),
        42
    );
    let r = &server.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.query.as_str()),
        ("POST", "x-oss-process")
    );
    assert_eq!(r.body, format!("x-oss-process={process}").as_bytes());
    verify_v4(r, "bucket", "k.jpg", SECRET, "cn-hangzhou").unwrap();
}

#[test]
fn processed_bytes_stream_and_are_never_read_as_json() {
    let server = Server::always(
        3,
        Reply::with(200, "image/jpeg", JPEG).header("x-oss-request-id", "RID-B"),
    );
    let c = client(&server);
    let thumb = Process::image()
        .resize(Resize::new().width(100))
        .build()
        .unwrap();
    let ProcessAnswer::Bytes(image) = c.post_process("bucket", "k.jpg", &thumb).unwrap() else {
        panic!("an image answer is bytes");
    };
    assert_eq!(
        (image.content_type(), image.request_id()),
        ("image/jpeg", "RID-B")
    );
    let mut out = Vec::new();
    assert_eq!(image.copy_to(&mut out).unwrap(), JPEG.len() as u64);
    assert_eq!(out, JPEG);

    // process_object says the service answered the image, not a save, and
    // does not parse it (the SDKs' "invalid character 'ÿ'").
    let e = c
        .process_object("bucket", "k.jpg", "image/resize,w_1|sys/saveas,o_dC5qcGc")
        .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(
        text.contains("processed bytes (image/jpeg)") && text.contains("post_process"),
        "{text}"
    );
    assert_eq!(e.request_id(), Some("RID-B"));

    // An octet-stream answer to a saving process is bytes too.
    let server = Server::always(1, Reply::with(200, "application/octet-stream", JPEG));
    let saving = "image/resize,w_1|sys/saveas,o_dC5qcGc";
    assert!(matches!(
        client(&server)
            .post_process("bucket", "k.jpg", saving)
            .unwrap(),
        ProcessAnswer::Bytes(_)
    ));
}

#[test]
fn document_ai_json_in_both_spellings_of_its_id() {
    for id_name in ["RequestId", "RequestID"] {
        let body = doc_ai_json(id_name, "Hello, world", "\"stop\"");
        let server = Server::always(
            2,
            Reply::with(200, "application/json;charset=UTF-8", body)
                .header("x-oss-request-id", "RID-J"),
        );
        let c = client(&server);
        let answer = c
            .doc_translate("bucket", "any.txt", "你好，世界", DocLanguage::EnUs)
            .unwrap();
        assert_eq!(answer.text(), "Hello, world");
        assert_eq!(answer.finish_reason(), Some("stop"));
        assert_eq!(answer.process_request_id(), "64D0BCDD88339E32330E2D1D");
        assert_eq!(answer.request_id(), "RID-J");
        let r = &server.requests()[0];
        assert_eq!(
            (r.method.as_str(), r.query.as_str()),
            ("POST", "x-oss-process")
        );
        // "你好，世界" in URL-safe base64, unpadded; JSON is the default.
        assert_eq!(
            r.body,
            b"x-oss-process=doc/translate,language_en_US,content_5L2g5aW977yM5LiW55WM"
        );
        verify_v4(r, "bucket", "any.txt", SECRET, "cn-hangzhou").unwrap();
        // The same answer through post_process is typed too.
        let process = Process::doc().ai(DocAi::polish("x")).build().unwrap();
        let ProcessAnswer::DocAi(answer) = c.post_process("bucket", "any.txt", &process).unwrap()
        else {
            panic!("document AI JSON is typed");
        };
        assert_eq!(answer.text(), "Hello, world");
    }
}

#[test]
fn every_document_ai_shorthand_sends_its_action() {
    let body = doc_ai_json("RequestId", "ok", "\"stop\"");
    let server = Server::always(6, Reply::json(200, body));
    let c = client(&server);
    c.doc_polish("b1c", "k", "a").unwrap();
    c.doc_summarize("b1c", "k", "a").unwrap();
    c.doc_continue("b1c", "k", "a").unwrap();
    c.doc_enrich("b1c", "k", "a").unwrap();
    c.doc_rephrase("b1c", "k", "a", DocTone::Relaxed).unwrap();
    c.doc_ai(
        "b1c",
        "k",
        DocAi::translate("a", DocLanguage::JaJp).events(),
    )
    .unwrap();
    let bodies: Vec<String> = server
        .requests()
        .iter()
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "x-oss-process=doc/polish,content_YQ",
            "x-oss-process=doc/summarize,content_YQ",
            "x-oss-process=doc/continue,content_YQ",
            "x-oss-process=doc/enrich,content_YQ",
            "x-oss-process=doc/rephrase,tone_relaxed,content_YQ",
            // doc_ai asks for JSON whatever format the request held.
            "x-oss-process=doc/translate,language_ja_JP,content_YQ",
        ]
    );
}

#[test]
fn document_ai_event_streams_are_read_as_they_come() {
    let body = doc_ai_stream(&["A Ghost", ", the Communist Ghost", ", haunts Europe."]);
    let server = Server::always(
        3,
        Reply::with(200, "text/event-stream;charset=UTF-8", body.clone())
            .header("x-oss-request-id", "RID-E"),
    );
    let c = client(&server);
    let events = c
        .doc_ai_events("bucket", "k", DocAi::summarize("text"))
        .unwrap();
    assert_eq!(events.request_id(), "RID-E");
    let texts: Vec<(String, bool)> = events
        .map(|a| a.map(|a| (a.text().to_string(), a.is_finished())))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        texts,
        [
            ("A Ghost".to_string(), false),
            ("A Ghost, the Communist Ghost".to_string(), false),
            (
                "A Ghost, the Communist Ghost, haunts Europe.".to_string(),
                true
            ),
        ]
    );
    assert_eq!(
        server.requests()[0].body,
        b"x-oss-process=doc/summarize,content_dGV4dA,format_event-stream"
    );
    // doc_ai reads a stream it was answered with to its last event.
    let answer = c.doc_summarize("bucket", "k", "text").unwrap();
    assert_eq!(
        answer.text(),
        "A Ghost, the Communist Ghost, haunts Europe."
    );
    // post_process hands over the raw events.
    let ProcessAnswer::Events(events) = c
        .post_process(
            "bucket",
            "k",
            "doc/summarize,content_dGV4dA,format_event-stream",
        )
        .unwrap()
    else {
        panic!("an event stream");
    };
    let events: Vec<_> = events.collect::<Result<_, _>>().unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(
        (events[2].id(), events[2].event()),
        (Some("2"), Some("Result"))
    );
    assert_eq!(events[2].json().unwrap()["Output"]["FinishReason"], "stop");
}

#[test]
fn a_stream_cut_midway_is_an_error_never_a_quiet_end() {
    let whole = doc_ai_stream(&["one", " two", " three"]);
    let cut_at = whole.find(" two").unwrap() + 10;
    let endings = [
        // The connection closes mid-body (Content-Length says more).
        (
            "cut mid-body",
            Reply::with(200, "text/event-stream", whole.clone()).cut_after(cut_at),
            "transport",
        ),
        // The body ends cleanly between events, before the finished one.
        (
            "ends before the last event",
            Reply::with(
                200,
                "text/event-stream",
                doc_ai_stream(&["one", " two", " three"])
                    .rsplit_once("id: 2")
                    .unwrap()
                    .0
                    .to_string(),
            ),
            "ended before an event with a FinishReason",
        ),
        // The body ends inside an event: no blank line after its fields.
        (
            "ends inside an event",
            Reply::with(
                200,
                "text/event-stream",
                whole.trim_end().to_string() + "\n",
            ),
            "ended inside an event",
        ),
        // The body ends inside a line.
        (
            "ends inside a line",
            Reply::with(200, "text/event-stream", whole[..cut_at].to_string()),
            "ended inside a line",
        ),
    ];
    for (name, reply, words) in endings {
        let server = Server::always(1, reply);
        let events = client(&server)
            .doc_ai_events("bucket", "k", DocAi::polish("x"))
            .unwrap();
        let items: Vec<_> = events.collect();
        let last = items.last().unwrap_or_else(|| panic!("{name}: no item"));
        let e = last.as_ref().expect_err(name);
        let text = format!("{e} {:?}", std::error::Error::source(e));
        if words == "transport" {
            assert!(matches!(e, Error::Transport { .. }), "{name}: {e:?}");
        } else {
            assert!(matches!(e, Error::Decode { .. }), "{name}: {e:?}");
            assert!(text.contains(words), "{name}: {text}");
        }
        // Every item before the error was whole.
        for item in &items[..items.len() - 1] {
            assert!(item.is_ok(), "{name}: {item:?}");
        }
    }
}

#[test]
fn other_json_and_other_bodies() {
    let server = Server::builder().sequence(vec![
        Reply::json(200, r#"{"FrameCount": {"value": "1"}}"#),
        Reply::with(200, "text/plain", "0xbbcd7f"),
    ]);
    let c = client(&server);
    let ProcessAnswer::Json(json) = c.post_process("bucket", "k", "image/resize,w_1").unwrap()
    else {
        panic!("other JSON is JSON");
    };
    assert_eq!(json.value()["FrameCount"]["value"], "1");
    assert_eq!(json.content_type(), "application/json");
    let ProcessAnswer::Bytes(text) = c.post_process("bucket", "k", "image/resize,w_1").unwrap()
    else {
        panic!("text is bytes");
    };
    let mut out = Vec::new();
    text.copy_to(&mut out).unwrap();
    assert_eq!(out, b"0xbbcd7f");
}

#[test]
fn document_ai_answers_of_another_kind_are_not_read() {
    let server = Server::always(2, Reply::with(200, "image/png", JPEG));
    let c = client(&server);
    let e = c.doc_polish("bucket", "k", "x").unwrap_err();
    assert!(
        matches!(e, Error::Decode { .. }) && e.to_string().contains("\"image/png\""),
        "{e}"
    );
    let e = c
        .doc_ai_events("bucket", "k", DocAi::polish("x"))
        .unwrap_err();
    assert!(
        e.to_string().contains("not the event stream asked for"),
        "{e}"
    );
}

#[cfg(feature = "gzip")]
#[test]
fn gzip_answers_are_decoded() {
    let body = doc_ai_json("RequestId", "gzipped", "\"stop\"");
    let server = Server::always(
        1,
        Reply::with(200, "application/json;charset=UTF-8", gzip(body.as_bytes()))
            .header("Content-Encoding", "gzip"),
    );
    let answer = client(&server).doc_polish("bucket", "k", "x").unwrap();
    assert_eq!(answer.text(), "gzipped");
    let r = &server.requests()[0];
    assert_eq!(r.header("accept-encoding"), Some("gzip"));
}

#[cfg(not(feature = "gzip"))]
#[test]
fn gzip_answers_are_refused_clearly_without_the_feature() {
    let body = doc_ai_json("RequestId", "gzipped", "\"stop\"");
    let server = Server::always(
        1,
        Reply::with(200, "application/json", gzip(body.as_bytes()))
            .header("Content-Encoding", "gzip"),
    );
    let e = client(&server).doc_polish("bucket", "k", "x").unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains("`gzip` feature"), "{e}");
    assert_eq!(server.requests()[0].header("accept-encoding"), None);
}

#[test]
fn other_encodings_are_refused_clearly() {
    let server = Server::always(
        1,
        Reply::with(200, "image/jpeg", JPEG).header("Content-Encoding", "zstd"),
    );
    let e = client(&server)
        .get_processed("bucket", "k.jpg", "image/resize,w_1")
        .unwrap_err();
    assert!(e.to_string().contains("Content-Encoding \"zstd\""), "{e}");
}

#[test]
fn video_and_audio_info_are_json_objects() {
    let server = Server::builder().sequence(vec![
        Reply::json(
            200,
            r#"{"FormatName": "mov,mp4,m4a,3gp,3g2,mj2", "Duration": 13.654, "Size": 17526771, "VideoStreams": [{"CodecName": "hevc"}]}"#,
        ),
        Reply::json(
            200,
            r#"{"FormatName": "mp3", "Duration": "61.2", "AudioStreams": [{"SampleRate": 44100}]}"#,
        ),
        Reply::with(200, "video/mp4", JPEG),
    ]);
    let c = client(&server);
    let video = c.video_info("bucket", "talk.mp4").unwrap();
    assert_eq!(video.format_name(), Some("mov,mp4,m4a,3gp,3g2,mj2"));
    assert_eq!(video.duration_seconds(), Some(13.654));
    assert_eq!(video.size(), Some(17_526_771));
    assert_eq!(video.video_streams()[0]["CodecName"], "hevc");
    let audio = c.audio_info("bucket", "talk.mp3").unwrap();
    assert_eq!(audio.duration_seconds(), Some(61.2));
    assert_eq!(audio.audio_streams()[0]["SampleRate"], 44100);
    let e = c.video_info("bucket", "talk.mp4").unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    let queries: Vec<String> = server.requests().iter().map(|r| r.query.clone()).collect();
    assert_eq!(
        queries,
        [
            "x-oss-process=video%2Finfo",
            "x-oss-process=audio%2Finfo",
            "x-oss-process=video%2Finfo"
        ]
    );
}

#[test]
fn well_known_failures_are_recognised() {
    let server = Server::builder().sequence(vec![
        Reply::xml_error(
            404,
            "Imm Client",
            "ResourceNotFound, The specified resource Attachment is not found.",
            "RID-1",
            "",
        ),
        Reply::xml_error(
            403,
            "AccessDenied",
            "The channel can be only accessed using style.",
            "RID-2",
            "",
        ),
        Reply::xml_error(
            404,
            "NoSuchStyle",
            "The specified style does not exist.",
            "RID-3",
            "",
        ),
        Reply::xml_error(
            400,
            "InvalidArgument",
            "x-oss-process too long",
            "RID-4",
            "0017-00000288",
        ),
        Reply::xml_error(
            400,
            "InvalidArgument",
            "The image is too large.",
            "RID-5",
            "0040-00000009",
        ),
    ]);
    let c = client(&server);
    let known = [
        c.doc_polish("bucket", "k", "x").unwrap_err().known(),
        c.get_processed("bucket", "k", "image/resize,w_1")
            .unwrap_err()
            .known(),
        c.get_processed("bucket", "k", "style/thumb")
            .unwrap_err()
            .known(),
        c.post_process("bucket", "k", "image/resize,w_1")
            .unwrap_err()
            .known(),
        c.get_processed("bucket", "k", "image/resize,w_1")
            .unwrap_err()
            .known(),
    ];
    assert_eq!(
        known,
        [
            Some(KnownError::NoImmProject),
            Some(KnownError::SourceImageProtected),
            Some(KnownError::NoSuchStyle),
            Some(KnownError::ProcessTooLong),
            Some(KnownError::ImageTooLarge),
        ]
    );
}

#[test]
fn style_calls_on_the_wire() {
    let get = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Style><Name>thumb</Name><Content>image/resize,p_50</Content><Category>image</Category><CreateTime>Wed, 20 May 2020 12:07:15 GMT</CreateTime><LastModifyTime>Wed, 20 May 2020 12:07:15 GMT</LastModifyTime></Style>";
    let list = "<StyleList><Style><Name>a</Name><Content>image/rotate,90</Content></Style><Style><Name>b</Name><Content>image/resize,w_1</Content></Style></StyleList>";
    let server = Server::builder().sequence(vec![
        Reply::with(200, "application/xml", ""),
        Reply::with(200, "application/xml", get),
        Reply::with(200, "application/xml", list),
        Reply::with(204, "application/xml", ""),
    ]);
    let c = client(&server);
    c.put_style(
        "examplebucket",
        "thumb",
        "image/resize,p_50",
        Some(StyleCategory::Document),
    )
    .unwrap();
    let style = c.get_style("examplebucket", "thumb").unwrap();
    assert_eq!(
        (style.name(), style.content(), style.category()),
        ("thumb", "image/resize,p_50", Some(StyleCategory::Image))
    );
    let names: Vec<String> = c
        .list_styles("examplebucket")
        .unwrap()
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    assert_eq!(names, ["a", "b"]);
    c.delete_style("examplebucket", "thumb").unwrap();

    let requests = server.requests();
    let lines: Vec<(String, String, String)> = requests
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.query.clone()))
        .collect();
    // Path-style (the endpoint is an IP): the bucket's path, no key.
    let line = |m: &str, q: &str| (m.to_string(), "/examplebucket/".to_string(), q.to_string());
    assert_eq!(
        lines,
        [
            line("PUT", "style&styleName=thumb&category=document"),
            line("GET", "style&styleName=thumb"),
            line("GET", "style"),
            line("DELETE", "style&styleName=thumb"),
        ]
    );
    let put = &requests[0];
    assert_eq!(put.header("content-type"), Some("application/xml"));
    assert!(put.header("content-md5").is_some());
    assert_eq!(
        put.body,
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Style><Content>image/resize,p_50</Content></Style>"
    );
    // Signed for the bucket, with no key.
    for r in &requests {
        verify_v4(r, "examplebucket", "", SECRET, "cn-hangzhou").unwrap();
    }
}

#[test]
fn refusals_come_before_any_io() {
    let server = Server::always(1, Reply::json(200, "{}"));
    let c = client(&server);
    let long = "x".repeat(DocAi::MAX_CONTENT_BYTES + 1);
    let saved = Process::image()
        .rotate(90)
        .save_as(SaveAs::new("r.jpg"))
        .build()
        .unwrap();
    let cases: Vec<(Result<(), Error>, &str)> = vec![
        (
            c.process_object("bucket", "k", "image/resize,w_1")
                .map(drop),
            "has no sys/saveas",
        ),
        (
            c.process_object("bucket", "k", "video/convert,f_mp4|sys/saveas,o_eA")
                .map(drop),
            "async_process_object",
        ),
        (
            c.process_object("bucket", "k", "doc/snapshot,target_png")
                .map(drop),
            "doc/snapshot cannot be saved",
        ),
        (
            c.async_process_object("bucket", "k", &saved).map(drop),
            "is synchronous, not a task",
        ),
        (
            c.post_process("bucket", "k", "doc/convert,target_pdf|sys/saveas,o_eA")
                .map(drop),
            "asynchronous task",
        ),
        (
            c.get_processed("bucket", "k", &saved).map(drop),
            "only allowed with POST",
        ),
        (
            c.get_processed("bucket", "k", "doc/translate,language_en_US,content_eA")
                .map(drop),
            "answered to POST only",
        ),
        (
            c.presign_process(
                "bucket",
                "k",
                "doc/polish,content_eA",
                Duration::from_secs(60),
            )
            .map(drop),
            "answered to POST only",
        ),
        (
            c.doc_polish("bucket", "k", long).map(drop),
            "at most 19500 bytes before encoding",
        ),
        (
            c.doc_translate("bucket", "k", "", DocLanguage::EnUs)
                .map(drop),
            "must not be empty",
        ),
        (
            c.put_style("bucket", "a/b", "image/rotate,90", None),
            "1..=63 letters",
        ),
        (
            c.put_style("bucket", "a", "image/rotate,90\n", None),
            "control characters",
        ),
        (c.get_style("bucket", &"a".repeat(64)).map(drop), "1..=63"),
        (c.delete_style("Bad_Bucket", "a"), "bucket"),
    ];
    for (result, words) in cases {
        match result {
            Err(Error::InvalidArgument { name, message, .. }) => {
                assert!(
                    format!("{name}: {message}").contains(words),
                    "{name}: {message} (wanted {words})"
                );
            }
            other => panic!("expected InvalidArgument with {words:?}, got {other:?}"),
        }
    }
    assert_eq!(server.count(), 0, "nothing was sent");
}

#[test]
fn events_that_echo_the_secret_never_put_it_in_error_text() {
    let echoes = [
        format!("data: {SECRET}\n\n"),
        format!("data: {{\"Output\": \"{SECRET}\"}}\n\n"),
        format!("data: [\"{SECRET}\"]\n\n"),
    ];
    for body in echoes {
        let server = Server::always(1, Reply::with(200, "text/event-stream", body.clone()));
        let events = client(&server)
            .doc_ai_events("bucket", "k", DocAi::polish("x"))
            .unwrap();
        let e = events.last().unwrap().unwrap_err();
        let text = format!("{e} {e:?} {:?}", std::error::Error::source(&e));
        assert!(!text.contains(SECRET), "{body}: {text}");
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    }
}
