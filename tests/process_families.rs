//! The document, video, audio and blind-watermark actions: each one built,
//! rendered as the docs write it, parsed back to the same value, refused
//! with the parameter named when out of range, and marked sync or async and
//! saveable or not as the service treats it.

use oss_process::Error;
use oss_process::process::{
    AnimationFormat, AudioConvert, AudioSettings, AutoRotate, BlindStrength, BlindWatermark,
    ConcatSegment, Container, DeBlindWatermark, DocAi, DocAiFormat, DocConvert, DocLanguage,
    DocSnapshot, DocSource, DocTarget, DocTone, DocWatermark, Method, Mode, Pipeline, Process,
    SaveAs, SaveAsRule, SnapshotFormat, SpriteMode, VideoAnimation, VideoCodec, VideoConcat,
    VideoConvert, VideoSnapshot, VideoSnapshots, VideoSprite, WebOffice,
};

/// Parses what `p` renders and checks the typed value and the text agree.
fn round_trip(p: &Process) {
    let parsed = Process::parse(p.as_str())
        .unwrap_or_else(|e| panic!("{:?} does not parse: {e}", p.as_str()));
    assert_eq!(&parsed, p, "typed form differs for {:?}", p.as_str());
    assert_eq!(parsed.as_str(), p.as_str());
}

fn built(result: Result<Process, Error>) -> Process {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn invalid(result: Result<Process, Error>) -> (String, String) {
    match result {
        Err(Error::InvalidArgument { name, message, .. }) => (name, message),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

/// One or more of every new action, with every parameter set at least once
/// and the ends of the ranges, paired with the mode and save rule the
/// service gives it.
fn every_action() -> Vec<(Process, Mode, SaveAsRule)> {
    use Mode::{Async, Sync};
    use SaveAsRule::{Never, Optional, Required};
    let target = || SaveAs::new("out/{index}").bucket("dest-bucket");
    vec![
        (
            built(
                Process::image()
                    .blind_watermark(
                        BlindWatermark::new("版权".repeat(128))
                            .strength(BlindStrength::High)
                            .quality(100),
                    )
                    .save_as(target())
                    .build(),
            ),
            Sync,
            Optional,
        ),
        (
            built(
                Process::deblind_watermark(DeBlindWatermark::new())
                    .notify_topic("t")
                    .build(),
            ),
            Async,
            Never,
        ),
        (
            built(
                Process::deblind_watermark(DeBlindWatermark::new().strength(BlindStrength::Medium))
                    .notify_topic("t".repeat(256))
                    .build(),
            ),
            Async,
            Never,
        ),
        (
            built(
                Process::doc()
                    .snapshot(DocSnapshot::new(SnapshotFormat::Png).page(1))
                    .build(),
            ),
            Sync,
            Never,
        ),
        (
            built(
                Process::doc()
                    .snapshot(
                        DocSnapshot::new(SnapshotFormat::Jpg)
                            .source(DocSource::Ppt)
                            .page(2000),
                    )
                    .build(),
            ),
            Sync,
            Never,
        ),
        (
            built(Process::doc().preview(WebOffice::new()).build()),
            Sync,
            Never,
        ),
        (
            built(
                Process::doc()
                    .ai(DocAi::translate("字".repeat(6500), DocLanguage::FrFr))
                    .build(),
            ),
            Sync,
            Never,
        ),
        (
            built(Process::doc().ai(DocAi::polish("p").events()).build()),
            Sync,
            Never,
        ),
        (
            built(
                Process::doc()
                    .ai(DocAi::summarize("s").format(DocAiFormat::Json))
                    .build(),
            ),
            Sync,
            Never,
        ),
        (
            built(Process::doc().ai(DocAi::continue_writing("c")).build()),
            Sync,
            Never,
        ),
        (
            built(Process::doc().ai(DocAi::enrich("e")).build()),
            Sync,
            Never,
        ),
        (
            built(
                Process::doc()
                    .ai(DocAi::rephrase("r", DocTone::Straightforward))
                    .build(),
            ),
            Sync,
            Never,
        ),
        (
            built(
                Process::doc()
                    .preview(
                        WebOffice::new()
                            .print(true)
                            .copy(false)
                            .export(true)
                            .watermark(
                                DocWatermark::new("内部资料 a,b/c|d")
                                    .size(1000)
                                    .transparency(0)
                                    .color("0a0b0c")
                                    .rotate(360)
                                    .font("fangzhengheiti"),
                            ),
                    )
                    .build(),
            ),
            Sync,
            Never,
        ),
        (
            built(
                Process::doc()
                    .edit(
                        WebOffice::new()
                            .copy(true)
                            .watermark(DocWatermark::new("x").size(1).transparency(100).rotate(0)),
                    )
                    .build(),
            ),
            Sync,
            Never,
        ),
        (
            built(
                Process::doc()
                    .convert(
                        DocConvert::new(DocTarget::Png)
                            .source(DocSource::Xlsx)
                            .pages("1,2,4-10"),
                    )
                    .save_as(target())
                    .notify_topic("done")
                    .build(),
            ),
            Async,
            Required,
        ),
        (
            built(
                Process::doc()
                    .convert(DocConvert::new(DocTarget::Txt))
                    .save_as(SaveAs::new("a.txt"))
                    .build(),
            ),
            Async,
            Required,
        ),
        (
            built(
                Process::video()
                    .snapshot(
                        VideoSnapshot::new(u32::MAX, SnapshotFormat::Png)
                            .width(0)
                            .height(16384)
                            .fast(true)
                            .auto_rotate(AutoRotate::Tall),
                    )
                    .build(),
            ),
            Sync,
            Never,
        ),
        (built(Process::video().info().build()), Sync, Never),
        (
            built(
                Process::video()
                    .convert(
                        VideoConvert::new(Container::Mkv)
                            .start(0)
                            .duration(1)
                            .no_video(false)
                            .video_codec(VideoCodec::H265)
                            .resolution(64, 4096)
                            .video_bitrate(10_000)
                            .fps(240)
                            .no_audio(false)
                            .audio(
                                AudioSettings::new()
                                    .codec("mp3")
                                    .bitrate(1)
                                    .sample_rate(44_100)
                                    .channels(2),
                            )
                            .no_subtitles(true),
                    )
                    .save_as(target())
                    .build(),
            ),
            Async,
            Required,
        ),
        (
            built(
                Process::video()
                    .concat(
                        VideoConcat::new(VideoConvert::new(Container::Mp4).fps(1))
                            .segment(ConcatSegment::before("a.mp4").start(1).duration(2))
                            .segment(ConcatSegment::after("目录/b.mp4")),
                    )
                    .save_as(target())
                    .notify_topic("n")
                    .build(),
            ),
            Async,
            Required,
        ),
        (
            built(
                Process::video()
                    .snapshots(
                        VideoSnapshots::new(SnapshotFormat::Png)
                            .start(5)
                            .width(1)
                            .height(16384)
                            .scale_type("fit")
                            .interval(1000)
                            .count(1),
                    )
                    .save_as(target())
                    .build(),
            ),
            Async,
            Required,
        ),
        (
            built(
                Process::video()
                    .sprite(
                        VideoSprite::new(SnapshotFormat::Jpg)
                            .start(0)
                            .mode(SpriteMode::Dhash)
                            .tile_size(32, 4096)
                            .interval(1)
                            .count(100)
                            .tiles(512, 4)
                            .padding(0)
                            .margin(16384),
                    )
                    .save_as(target())
                    .build(),
            ),
            Async,
            Required,
        ),
        (
            built(
                Process::video()
                    .animation(
                        VideoAnimation::new(AnimationFormat::Webp)
                            .width(16383)
                            .height(1)
                            .interval(0),
                    )
                    .save_as(target())
                    .build(),
            ),
            Async,
            Required,
        ),
        (built(Process::audio().info().build()), Sync, Never),
        (
            built(
                Process::audio()
                    .convert(
                        AudioConvert::new(Container::Opus)
                            .start(1)
                            .duration(2)
                            .audio(AudioSettings::new().codec("opus").channels(1)),
                    )
                    .save_as(target())
                    .build(),
            ),
            Async,
            Required,
        ),
    ]
}

#[test]
fn every_action_round_trips_and_says_how_it_runs() {
    for (p, mode, rule) in every_action() {
        round_trip(&p);
        assert_eq!(p.mode(), Some(mode), "{}", p.as_str());
        assert_eq!(p.save_as_rule(), Some(rule), "{}", p.as_str());
        assert_eq!(p.pipeline().mode(), Some(mode));
        // What the rules say is what the string holds.
        match rule {
            SaveAsRule::Required => assert!(p.save_as().is_some()),
            SaveAsRule::Never => assert!(p.save_as().is_none()),
            _ => {}
        }
        if mode == Mode::Sync {
            assert!(p.notify_topic().is_none());
            assert!(!p.as_str().contains("notify"));
        }
    }
}

#[test]
fn every_family_is_covered() {
    let mut names: Vec<String> = every_action()
        .iter()
        .map(|(p, _, _)| {
            let text = p.as_str();
            let end = text.find([',', '|']).unwrap_or(text.len());
            text[..end].to_string()
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names,
        [
            "audio/convert",
            "audio/info",
            "doc/continue",
            "doc/convert",
            "doc/edit",
            "doc/enrich",
            "doc/polish",
            "doc/preview",
            "doc/rephrase",
            "doc/snapshot",
            "doc/summarize",
            "doc/translate",
            "image/blindwatermark",
            "image/deblindwatermark",
            "video/animation",
            "video/concat",
            "video/convert",
            "video/info",
            "video/snapshot",
            "video/snapshots",
            "video/sprite",
        ]
    );
}

/// The strings of the OSS pages and the official SDK samples, built with the
/// typed builders, render exactly.
#[test]
fn the_docs_strings_render_exactly() {
    let cases = [
        (
            // blind-watermark page, with the reference's target.
            built(
                Process::image()
                    .blind_watermark(
                        BlindWatermark::new("阿里云版权所有")
                            .strength(BlindStrength::Low)
                            .quality(90),
                    )
                    .save_as(SaveAs::new("wm/example.jpg").bucket("examplebucket"))
                    .build(),
            ),
            "image/blindwatermark,content_6Zi_6YeM5LqR54mI5p2D5omA5pyJ,s_low,q_90|sys/saveas,o_d20vZXhhbXBsZS5qcGc,b_ZXhhbXBsZWJ1Y2tldA",
        ),
        (
            // PHP V2 sample: decode, the text comes in the notification.
            built(
                Process::deblind_watermark(DeBlindWatermark::new())
                    .notify_topic("imm-blindwatermark-test")
                    .build(),
            ),
            "image/deblindwatermark,s_low,t_text|sys/notify,topic_aW1tLWJsaW5kd2F0ZXJtYXJrLXRlc3Q",
        ),
        (
            // The async page's document conversion.
            built(
                Process::doc()
                    .convert(DocConvert::new(DocTarget::Png).source(DocSource::Docx))
                    .save_as(SaveAs::new("doc_images/{index}.png").bucket("test-bucket"))
                    .notify_topic("test-topic")
                    .build(),
            ),
            "doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw",
        ),
        (
            // The video snapshot page.
            built(
                Process::video()
                    .snapshot(
                        VideoSnapshot::new(7000, SnapshotFormat::Jpg)
                            .width(800)
                            .height(600)
                            .fast(true),
                    )
                    .build(),
            ),
            "video/snapshot,t_7000,f_jpg,w_800,h_600,m_fast",
        ),
        (
            built(
                Process::video()
                    .snapshot(
                        VideoSnapshot::new(50000, SnapshotFormat::Jpg)
                            .width(800)
                            .height(600),
                    )
                    .build(),
            ),
            "video/snapshot,t_50000,f_jpg,w_800,h_600",
        ),
        (
            // Go and PHP V2 samples' transcoding.
            built(
                Process::video()
                    .convert(
                        VideoConvert::new(Container::Avi)
                            .video_codec(VideoCodec::H265)
                            .resolution(1920, 1080)
                            .video_bitrate(2_000_000)
                            .fps(30)
                            .audio(AudioSettings::new().codec("aac").bitrate(100_000))
                            .no_subtitles(true),
                    )
                    .save_as(SaveAs::new("dest.avi").bucket("examplebucket"))
                    .build(),
            ),
            "video/convert,f_avi,vcodec_h265,s_1920x1080,vb_2000000,fps_30,acodec_aac,ab_100000,sn_1|sys/saveas,b_ZXhhbXBsZWJ1Y2tldA,o_ZGVzdC5hdmk",
        ),
        (
            built(
                Process::video()
                    .animation(
                        VideoAnimation::new(AnimationFormat::Gif)
                            .width(100)
                            .height(100)
                            .interval(1000),
                    )
                    .save_as(SaveAs::new("destexample.gif"))
                    .notify_topic("AudioConvert")
                    .build(),
            ),
            "video/animation,f_gif,w_100,h_100,inter_1000|sys/saveas,o_ZGVzdGV4YW1wbGUuZ2lm/notify,topic_QXVkaW9Db252ZXJ0",
        ),
        (
            built(
                Process::video()
                    .sprite(
                        VideoSprite::new(SnapshotFormat::Jpg)
                            .tile_size(100, 100)
                            .interval(10_000)
                            .tiles(10, 10)
                            .padding(0)
                            .margin(0),
                    )
                    .save_as(SaveAs::new("example.jpg"))
                    .build(),
            ),
            "video/sprite,f_jpg,sw_100,sh_100,inter_10000,tw_10,th_10,pad_0,margin_0|sys/saveas,o_ZXhhbXBsZS5qcGc",
        ),
        (
            built(
                Process::video()
                    .snapshots(
                        VideoSnapshots::new(SnapshotFormat::Jpg)
                            .width(100)
                            .height(100)
                            .scale_type("crop")
                            .interval(10_000),
                    )
                    .save_as(SaveAs::new("dest.png"))
                    .build(),
            ),
            "video/snapshots,f_jpg,w_100,h_100,scaletype_crop,inter_10000|sys/saveas,o_ZGVzdC5wbmc",
        ),
        (
            built(
                Process::audio()
                    .convert(
                        AudioConvert::new(Container::Aac)
                            .start(10_000)
                            .duration(60_000)
                            .audio(AudioSettings::new().bitrate(96_000)),
                    )
                    .save_as(SaveAs::new("dest.aac"))
                    .build(),
            ),
            "audio/convert,ss_10000,t_60000,f_aac,ab_96000|sys/saveas,o_ZGVzdC5hYWM",
        ),
    ];
    for (p, text) in cases {
        assert_eq!(p.as_str(), text);
        round_trip(&p);
    }
}

/// Document AI: the tone page's example starts as the docs write it, and
/// every action says it is answered to POST only and never saved.
#[test]
fn document_ai_is_post_only_and_never_saved() {
    let text = "四大名著，即四大小说名著，是指《三国演义》、《西游记》、《水浒传》、《红楼梦》4部中国古典章回小说。";
    let p = built(
        Process::doc()
            .ai(DocAi::rephrase(text, DocTone::Straightforward))
            .build(),
    );
    assert!(
        p.as_str()
            .starts_with("doc/rephrase,tone_straightforward,content_5Zub5aS"),
        "{}",
        p.as_str()
    );
    round_trip(&p);
    for (p, _, _) in every_action() {
        if p.as_str().starts_with("doc/")
            && [
                "translate",
                "polish",
                "summarize",
                "continue",
                "enrich",
                "rephrase",
            ]
            .iter()
            .any(|name| p.as_str()[4..].starts_with(name))
        {
            assert_eq!(p.method(), Some(Method::Post), "{}", p.as_str());
            assert_eq!(p.save_as_rule(), Some(SaveAsRule::Never));
            assert_eq!(p.mode(), Some(Mode::Sync));
        }
    }
    // The pages and snapshots are GET, the tasks POST.
    for (text, method) in [
        ("doc/preview", Method::Get),
        ("doc/snapshot,target_png", Method::Get),
        ("video/snapshot,t_0,f_jpg", Method::Get),
        ("video/info", Method::Get),
        ("audio/info", Method::Get),
        ("doc/convert,target_pdf|sys/saveas,o_eA", Method::Post),
        ("audio/concat,f_aac|sys/saveas,o_eA", Method::Post),
        ("image/resize,w_1", Method::GetOrPost),
        ("style/a", Method::GetOrPost),
    ] {
        assert_eq!(
            Process::parse(text).unwrap().method(),
            Some(method),
            "{text}"
        );
    }
}

/// Strings as official samples and public code write them parse, even
/// where their parameter order differs from the crate's.
#[test]
fn sample_strings_parse() {
    for (text, canonical) in [
        (
            "video/concat,ss_0,f_mp4,vcodec_h264,fps_25,vb_1000000,acodec_aac,ab_96000,ar_48000,ac_2/pre,o_Y29uY2F0MS5tcDQ/sur,o_Y29uY2F0Mi5tcDQ,t_0|sys/saveas,b_ZXhhbXBsZWJ1Y2tldA,o_ZGVzdC5tcDQ",
            "video/concat,ss_0,f_mp4,vcodec_h264,vb_1000000,fps_25,acodec_aac,ab_96000,ar_48000,ac_2/pre,o_Y29uY2F0MS5tcDQ/sur,o_Y29uY2F0Mi5tcDQ,t_0|sys/saveas,b_ZXhhbXBsZWJ1Y2tldA,o_ZGVzdC5tcDQ",
        ),
        (
            "doc/preview,export_1,print_1,copy_1/watermark,text_5YaF6YOo6LWE5paZ,size_30,t_100",
            "doc/preview,print_1,copy_1,export_1/watermark,text_5YaF6YOo6LWE5paZ,size_30,t_100",
        ),
        (
            "doc/preview,export_0,print_0",
            "doc/preview,print_0,export_0",
        ),
        (
            "video/snapshot,t_1000,f_jpg,w_720",
            "video/snapshot,t_1000,f_jpg,w_720",
        ),
        (
            "video/snapshots,scaletype_fit,w_320,h_240,ss_0,f_png|sys/saveas,o_eA",
            "video/snapshots,ss_0,f_png,w_320,h_240,scaletype_fit|sys/saveas,o_eA",
        ),
    ] {
        let p = Process::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(p.as_str(), canonical);
        round_trip(&p);
    }
}

#[test]
#[rustfmt::skip]
fn out_of_range_values_are_refused_naming_the_parameter() {
    let save = || SaveAs::new("o");
    let cases: Vec<(Result<Process, Error>, &str, &str)> = vec![
        (Process::image().blind_watermark(BlindWatermark::new("x").quality(69)).build(), "blindwatermark.q", "must be 70..=100, got 69"),
        (Process::image().blind_watermark(BlindWatermark::new("x").quality(101)).build(), "blindwatermark.q", "must be 70..=100, got 101"),
        (Process::image().blind_watermark(BlindWatermark::new("字".repeat(257))).build(), "blindwatermark.content", "at most 256 characters, got 257"),
        (Process::deblind_watermark(DeBlindWatermark::new()).build(), "notify.topic", "is required"),
        (Process::deblind_watermark(DeBlindWatermark::new()).notify_topic("").build(), "notify.topic", "must not be empty"),
        (Process::doc().snapshot(DocSnapshot::new(SnapshotFormat::Png).page(0)).build(), "doc/snapshot.page", "must be 1..=2000, got 0"),
        (Process::doc().snapshot(DocSnapshot::new(SnapshotFormat::Png).page(2001)).build(), "doc/snapshot.page", "must be 1..=2000, got 2001"),
        (Process::doc().snapshot(DocSnapshot::new(SnapshotFormat::Png).source(DocSource::Csv)).build(), "doc/snapshot.source", "must be one of pdf, xlsx, xls, docx, doc, pptx, ppt"),
        (Process::doc().preview(WebOffice::new().watermark(DocWatermark::new(""))).build(), "doc/preview.watermark.text", "must not be empty"),
        (Process::doc().preview(WebOffice::new().watermark(DocWatermark::new("a\nb"))).build(), "doc/preview.watermark.text", "control characters"),
        (Process::doc().preview(WebOffice::new().watermark(DocWatermark::new("x").transparency(101))).build(), "doc/preview.watermark.t", "must be 0..=100, got 101"),
        (Process::doc().edit(WebOffice::new().watermark(DocWatermark::new("x").rotate(361))).build(), "doc/edit.watermark.rotate", "must be 0..=360, got 361"),
        (Process::doc().edit(WebOffice::new().watermark(DocWatermark::new("x").size(0))).build(), "doc/edit.watermark.size", "must be 1..=1000, got 0"),
        (Process::doc().edit(WebOffice::new().watermark(DocWatermark::new("x").color("#C0C0C0"))).build(), "doc/edit.watermark.color", "6 hex digits"),
        (Process::doc().convert(DocConvert::new(DocTarget::Png).pages("0-3")).save_as(save()).build(), "doc/convert.pages", "\"0\" is not a page number"),
        (Process::doc().convert(DocConvert::new(DocTarget::Png).pages("4-2")).save_as(save()).build(), "doc/convert.pages", "the range 4-2 runs backwards"),
        (Process::doc().convert(DocConvert::new(DocTarget::Png).pages("1, 2")).save_as(save()).build(), "doc/convert.pages", "is not a page number"),
        (Process::video().snapshot(VideoSnapshot::new(0, SnapshotFormat::Jpg).width(16385)).build(), "video/snapshot.w", "must be 0..=16384, got 16385"),
        (Process::video().convert(VideoConvert::new(Container::Mp4).resolution(4098, 64)).save_as(save()).build(), "video/convert.s", "even and 64..=4096"),
        (Process::video().convert(VideoConvert::new(Container::Mp4).resolution(63, 64)).save_as(save()).build(), "video/convert.s", "even and 64..=4096"),
        (Process::video().convert(VideoConvert::new(Container::Mp4).video_bitrate(9_999)).save_as(save()).build(), "video/convert.vb", "must be 10000..=100000000"),
        (Process::video().convert(VideoConvert::new(Container::Mp4).fps(241)).save_as(save()).build(), "video/convert.fps", "must be 1..=240, got 241"),
        (Process::video().convert(VideoConvert::new(Container::Mp4).audio(AudioSettings::new().codec("AAC"))).save_as(save()).build(), "video/convert.acodec", "lower-case letters and digits"),
        (Process::video().concat(VideoConcat::new(VideoConvert::new(Container::Mp4))).save_as(save()).build(), "video/concat", "takes 1 to 10"),
        (Process::video().concat(VideoConcat::new(VideoConvert::new(Container::Mp4)).segment(ConcatSegment::after(""))).save_as(save()).build(), "video/concat.sur.o", "must not be empty"),
        (Process::video().snapshots(VideoSnapshots::new(SnapshotFormat::Jpg).width(0)).save_as(save()).build(), "video/snapshots.w", "must be 1..=16384, got 0"),
        (Process::video().snapshots(VideoSnapshots::new(SnapshotFormat::Jpg).count(0)).save_as(save()).build(), "video/snapshots.num", "must be 1.."),
        (Process::video().sprite(VideoSprite::new(SnapshotFormat::Png).tile_size(31, 32)).save_as(save()).build(), "video/sprite.sw", "must be 32..=4096, got 31"),
        (Process::video().sprite(VideoSprite::new(SnapshotFormat::Png).tile_size(32, 4097)).save_as(save()).build(), "video/sprite.sh", "must be 32..=4096, got 4097"),
        (Process::video().sprite(VideoSprite::new(SnapshotFormat::Png).tile_size(4096, 32).tiles(5, 1)).save_as(save()).build(), "video/sprite", "width (sw x tw) is 20480 px; the output limit is 16384"),
        (Process::video().animation(VideoAnimation::new(AnimationFormat::Webp).height(16384)).save_as(save()).build(), "video/animation.h", "must be 1..=16383, got 16384"),
        (Process::video().animation(VideoAnimation::new(AnimationFormat::Gif).width(16385)).save_as(save()).build(), "video/animation.w", "must be 1..=16384, got 16385"),
        (Process::audio().convert(AudioConvert::new(Container::Mp4)).save_as(save()).build(), "audio/convert.f", "must be an audio container"),
        (Process::audio().convert(AudioConvert::new(Container::Mp3).audio(AudioSettings::new().sample_rate(0))).save_as(save()).build(), "audio/convert.ar", "must be 1.."),
        (Process::doc().ai(DocAi::translate("", DocLanguage::EnUs)).build(), "doc/translate.content", "must not be empty"),
        (Process::doc().ai(DocAi::polish("a".repeat(19_501))).build(), "doc/polish.content", "at most 19500 bytes before encoding, got 19501"),
        (Process::doc().ai(DocAi::rephrase("字".repeat(6_501), DocTone::Relaxed)).build(), "doc/rephrase.content", "got 19503"),
        (Process::async_action("doc/translate,language_en_US,content_eA").save_as(save()).build(), "action", "doc/translate is synchronous"),
        // Saving and notifying as the service allows.
        (Process::doc().convert(DocConvert::new(DocTarget::Pdf)).build(), "saveas", "doc/convert is an asynchronous task: say where to save"),
        (Process::video().sprite(VideoSprite::new(SnapshotFormat::Png)).notify_topic("t").build(), "saveas", "say where to save"),
        (Process::async_action("doc/snapshot,target_png").save_as(save()).build(), "action", "doc/snapshot is synchronous"),
        (Process::async_action("image/deblindwatermark").save_as(save()).notify_topic("t").build(), "saveas", "image/deblindwatermark cannot be saved"),
    ];
    for (result, name, words) in cases {
        let (got_name, message) = invalid(result);
        assert_eq!(got_name, name, "{message}");
        assert!(message.contains(words), "{name}: {message}");
    }
}

/// The parser refuses what the builders refuse, with the part's place.
#[test]
fn parse_refuses_the_same() {
    for (text, words) in [
        (
            "doc/snapshot,target_png,page_0",
            "doc/snapshot.page: must be 1..=2000, got 0",
        ),
        ("doc/snapshot,page_2", "doc/snapshot.target: is required"),
        (
            "doc/snapshot,target_png|sys/saveas,o_eA",
            "doc/snapshot cannot be saved",
        ),
        (
            "doc/preview,copy_1|sys/saveas,o_eA",
            "doc/preview cannot be saved",
        ),
        (
            "doc/preview/watermark,text_eA,t_101",
            "doc/preview.watermark.t: must be 0..=100",
        ),
        ("doc/preview/rotate,90", "takes only /watermark"),
        (
            "doc/convert,target_png,pages_MSwyLDQtMTA",
            "say where to save",
        ),
        (
            "doc/convert,target_png,pages_1,2|sys/saveas,o_eA",
            "parameter \"2\" is not written name_value",
        ),
        (
            "video/snapshot,t_1000,f_jpg|sys/saveas,o_eA",
            "video/snapshot cannot be saved",
        ),
        (
            "video/snapshot,t_1000,f_webp",
            "video/snapshot.f: must be one of jpg, png",
        ),
        (
            "video/snapshot,t_1000,f_jpg,m_exact",
            "video/snapshot.m: must be fast",
        ),
        ("video/info|sys/notify,topic_eA", "only for asynchronous"),
        (
            "video/convert,f_mp4,fps_29.97|sys/saveas,o_eA",
            "video/convert.fps: must be an integer in 1..=240",
        ),
        (
            "video/convert,f_webm|sys/saveas,o_eA",
            "video/convert.f: must be one of mp4",
        ),
        (
            "video/convert,f_mp4,crf_23|sys/saveas,o_eA",
            "video/convert: has no parameter \"crf\"",
        ),
        ("video/concat,f_mp4|sys/saveas,o_eA", "takes 1 to 10"),
        (
            "video/concat,f_mp4/mid,o_eA|sys/saveas,o_eA",
            "takes only /pre and /sur",
        ),
        (
            "video/sprite,f_png,m_fast|sys/saveas,o_eA",
            "video/sprite.m: must be one of inter, key, avg, dhash",
        ),
        (
            "video/animation,f_webp,w_16384|sys/saveas,o_eA",
            "video/animation.w: must be 1..=16383",
        ),
        (
            "audio/convert,f_mp4|sys/saveas,o_eA",
            "must be an audio container",
        ),
        (
            "image/blindwatermark,content_eA,q_69",
            "blindwatermark.q: must be 70..=100, got 69",
        ),
        (
            "image/blindwatermark,content_eA,s_max",
            "blindwatermark.s: must be one of low, medium, high",
        ),
        (
            "image/deblindwatermark,t_image|sys/notify,topic_eA",
            "deblindwatermark.t: must be one of text",
        ),
        (
            "image/deblindwatermark,s_low,t_text",
            "notify.topic: is required",
        ),
        (
            "image/deblindwatermark,s_low|sys/saveas,o_eA/notify,topic_eA",
            "cannot be saved",
        ),
        (
            "image/resize,w_16384/format,webp",
            "WebP output is at most 16383",
        ),
        (
            "doc/translate,content_eA",
            "doc/translate.language: is required",
        ),
        (
            "doc/translate,language_en,content_eA",
            "doc/translate.language: must be one of zh_CN, en_US, ja_JP, fr_FR",
        ),
        (
            "doc/rephrase,tone_angry,content_eA",
            "doc/rephrase.tone: must be one of professional",
        ),
        ("doc/polish,format_json", "doc/polish.content: is required"),
        (
            "doc/summarize,content_eA,format_sse",
            "doc/summarize.format: must be one of json, event-stream",
        ),
        (
            "doc/enrich,content_eA|sys/saveas,o_eA",
            "doc/enrich cannot be saved",
        ),
        (
            "doc/continue,content_eA/watermark,text_eA",
            "takes no chained action",
        ),
    ] {
        let err = Process::parse(text).unwrap_err().to_string();
        assert!(err.contains(words), "{text}: {err}");
    }
}

#[test]
fn untyped_tasks_stay_text_and_typed_text_is_typed() {
    let p = Process::async_action(
        "audio/concat,f_aac,ac_1,ar_44100,ab_96000,align_2/pre,o_c3JjMS5tcDM/pre,o_c3JjMi5tcDM,t_0",
    )
    .save_as(SaveAs::new("dest.aac"))
    .notify_topic("AudioConvert")
    .build()
    .unwrap();
    assert!(matches!(p.pipeline(), Pipeline::Async(_)));
    assert_eq!(
        (p.mode(), p.save_as_rule()),
        (Some(Mode::Async), Some(SaveAsRule::Required))
    );
    round_trip(&p);

    let typed = Process::async_action("video/sprite,f_jpg,tw_2,th_2")
        .save_as(SaveAs::new("s.jpg"))
        .build()
        .unwrap();
    let built = Process::video()
        .sprite(VideoSprite::new(SnapshotFormat::Jpg).tiles(2, 2))
        .save_as(SaveAs::new("s.jpg"))
        .build()
        .unwrap();
    assert_eq!(typed, built);

    let raw = Process::raw("video/convert,f_mp4,fps_29.97|sys/saveas,o_eA").unwrap();
    assert_eq!((raw.mode(), raw.save_as_rule()), (None, None));
}

#[test]
fn typed_values_cannot_inject_separators() {
    let p = Process::doc()
        .preview(WebOffice::new().watermark(DocWatermark::new("a,b/c|d_e").font("x/y,z")))
        .build()
        .unwrap();
    assert_eq!(p.as_str().matches('/').count(), 2, "{}", p.as_str());
    assert!(!p.as_str().contains('|'));
    let p = Process::video()
        .concat(
            VideoConcat::new(VideoConvert::new(Container::Mp4))
                .segment(ConcatSegment::before("a,b/c|d.mp4")),
        )
        .save_as(SaveAs::new("o"))
        .build()
        .unwrap();
    assert_eq!(
        p.as_str(),
        "video/concat,f_mp4/pre,o_YSxiL2N8ZC5tcDQ|sys/saveas,o_bw"
    );
}
