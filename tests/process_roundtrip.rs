//! Every action, every enum value and every kind of process survives
//! build -> render -> parse -> render unchanged, and the docs' examples
//! render exactly.

use oss_process::process::{
    Axis, BlindStrength, BlindWatermark, Blur, Crop, Format, Gravity, ImageAction, IndexCrop,
    Pipeline, Process, Quality, Resize, ResizeMode, SaveAs, Watermark, WatermarkAlign,
    WatermarkOrder,
};

/// Parses what `p` renders and checks the typed value and the text agree.
fn round_trip(p: &Process) {
    let parsed = Process::parse(p.as_str())
        .unwrap_or_else(|e| panic!("{:?} does not parse: {e}", p.as_str()));
    assert_eq!(&parsed, p, "typed form differs for {:?}", p.as_str());
    assert_eq!(parsed.as_str(), p.as_str());
    let again: Process = parsed.as_str().parse().unwrap();
    assert_eq!(again.as_str(), p.as_str());
}

fn one(action: ImageAction) -> Process {
    Process::image()
        .action(action)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// One or more values of every image action, with every parameter set at
/// least once and the ends of every range.
fn every_action() -> Vec<ImageAction> {
    let mut actions = vec![
        ImageAction::Resize(Resize::new().width(1)),
        ImageAction::Resize(
            Resize::new()
                .mode(ResizeMode::Pad)
                .width(16384)
                .height(1)
                .long_side(16384)
                .short_side(1)
                .percent(1000)
                .limit(false)
                .color("0a1B2c"),
        ),
        ImageAction::Resize(Resize::by_percent(1).limit(true)),
        ImageAction::Resize(Resize::fixed(100, 100)),
        ImageAction::Resize(Resize::lfit(1, 2)),
        ImageAction::Resize(Resize::mfit(3, 4)),
        ImageAction::Resize(Resize::fill(5, 6)),
        ImageAction::Resize(Resize::pad(7, 8).color("FFFFFF")),
        ImageAction::Crop(Crop::new().x(0).y(30000).width(0).height(16384)),
        ImageAction::Rotate(0),
        ImageAction::Rotate(360),
        ImageAction::Quality(Quality::relative(1)),
        ImageAction::Quality(Quality::absolute(100)),
        ImageAction::AutoOrient(true),
        ImageAction::AutoOrient(false),
        ImageAction::Circle(1),
        ImageAction::Circle(4096),
        ImageAction::RoundedCorners(1),
        ImageAction::RoundedCorners(4096),
        ImageAction::IndexCrop(IndexCrop::x(1)),
        ImageAction::IndexCrop(IndexCrop::y(30000).index(0)),
        ImageAction::IndexCrop(IndexCrop::x(100).index(u32::MAX)),
        ImageAction::Blur(Blur::new(1, 50)),
        ImageAction::Blur(Blur::new(50, 1)),
        ImageAction::Bright(-100),
        ImageAction::Bright(100),
        ImageAction::Contrast(-100),
        ImageAction::Contrast(0),
        ImageAction::Sharpen(50),
        ImageAction::Sharpen(399),
        ImageAction::Interlace(true),
        ImageAction::Interlace(false),
        ImageAction::Watermark(Watermark::new().text("Hello, 图片服务!")),
        ImageAction::Watermark(Watermark::new().image("panda.png?x-oss-process=image/resize,P_30")),
        ImageAction::Watermark(
            Watermark::new()
                .text("a".repeat(64))
                .font("wqy-zenhei")
                .color("ff00ff")
                .size(1000)
                .shadow(100)
                .rotate(360)
                .fill(true)
                .image("dir/logo.png")
                .order(WatermarkOrder::ImageFirst)
                .align(WatermarkAlign::Top)
                .interval(1000)
                .transparency(0)
                .gravity(Gravity::NorthWest)
                .x(4096)
                .y(0)
                .voffset(-1000),
        ),
        ImageAction::Watermark(
            Watermark::new()
                .text("x")
                .size(1)
                .shadow(0)
                .rotate(0)
                .fill(false)
                .transparency(100)
                .x(0)
                .y(4096)
                .voffset(1000)
                .interval(0),
        ),
        ImageAction::BlindWatermark(BlindWatermark::new("c".repeat(256))),
        ImageAction::BlindWatermark(BlindWatermark::new("版权所有 © 2024\nline two")),
        ImageAction::BlindWatermark(
            BlindWatermark::new("id-42")
                .strength(BlindStrength::High)
                .quality(70),
        ),
        ImageAction::BlindWatermark(
            BlindWatermark::new("id-43")
                .strength(BlindStrength::Medium)
                .quality(100),
        ),
        ImageAction::Info,
        ImageAction::AverageHue,
    ];
    actions.extend(Format::ALL.iter().map(|f| ImageAction::Format(*f)));
    actions.extend(
        Gravity::ALL
            .iter()
            .map(|g| ImageAction::Crop(Crop::new().gravity(*g))),
    );
    actions.extend(
        ResizeMode::ALL
            .iter()
            .map(|m| ImageAction::Resize(Resize::new().mode(*m).height(10))),
    );
    actions.extend(
        WatermarkOrder::ALL
            .iter()
            .map(|o| ImageAction::Watermark(Watermark::new().text("t").image("i").order(*o))),
    );
    actions.extend(
        WatermarkAlign::ALL
            .iter()
            .map(|a| ImageAction::Watermark(Watermark::new().text("t").image("i").align(*a))),
    );
    actions
}

#[test]
fn every_action_round_trips_alone() {
    for action in every_action() {
        round_trip(&one(action));
    }
}

#[test]
fn every_action_name_is_covered() {
    let mut names: Vec<&str> = every_action().iter().map(ImageAction::name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names,
        [
            "auto-orient",
            "average-hue",
            "blindwatermark",
            "blur",
            "bright",
            "circle",
            "contrast",
            "crop",
            "format",
            "indexcrop",
            "info",
            "interlace",
            "quality",
            "resize",
            "rotate",
            "rounded-corners",
            "sharpen",
            "watermark",
        ]
    );
}

#[test]
fn a_chain_of_every_action_round_trips_with_a_target() {
    // WebP output stops at 16383 px a side, and the chain resizes to 16384.
    let actions: Vec<ImageAction> = every_action()
        .into_iter()
        .filter(|a| *a != ImageAction::Format(Format::Webp))
        .collect();
    let mut builder = Process::image();
    for action in actions.iter().cloned() {
        builder = builder.action(action);
    }
    let p = builder
        .save_as(SaveAs::new("out/测试 {index}.jpg").bucket("my-bucket-1"))
        .build()
        .unwrap();
    assert_eq!(p.image_actions(), actions.as_slice());
    round_trip(&p);
    let webp = Process::image()
        .resize(Resize::new().width(16384))
        .format(Format::Webp)
        .build()
        .unwrap_err();
    assert!(
        webp.to_string().contains("WebP output is at most 16383"),
        "{webp}"
    );
}

#[test]
fn styles_and_async_processes_round_trip() {
    round_trip(&Process::style("thumb").build().unwrap());
    round_trip(
        &Process::style("a_b-c.d")
            .save_as(SaveAs::new("x.jpg"))
            .build()
            .unwrap(),
    );
    for action in [
        "doc/convert,target_png,source_docx",
        "video/convert,f_mp4,vcodec_h264",
        "audio/convert,f_mp3",
        "audio/concat,f_aac/pre,o_eA",
    ] {
        round_trip(
            &Process::async_action(action)
                .save_as(SaveAs::new("out/{index}.png"))
                .build()
                .unwrap(),
        );
        round_trip(
            &Process::async_action(action)
                .save_as(SaveAs::new("o").bucket("bkt"))
                .notify_topic("topic-1")
                .build()
                .unwrap(),
        );
    }
    for action in [
        "image/deblindwatermark",
        "image/deblindwatermark,s_low,t_text",
    ] {
        round_trip(
            &Process::async_action(action)
                .notify_topic("topic-1")
                .build()
                .unwrap(),
        );
    }
}

#[test]
fn the_docs_examples_render_exactly() {
    let p = Process::image()
        .resize(Resize::fixed(100, 100))
        .save_as(SaveAs::new("test.jpg").bucket("test"))
        .build()
        .unwrap();
    assert_eq!(
        p.as_str(),
        "image/resize,m_fixed,w_100,h_100|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA"
    );

    let p = Process::image()
        .resize(Resize::new().width(300))
        .quality(Quality::relative(90))
        .build()
        .unwrap();
    assert_eq!(p.as_str(), "image/resize,w_300/quality,q_90");

    let p = Process::image()
        .resize(Resize::new().width(100))
        .save_as(SaveAs::new("test.jpg").bucket("test"))
        .build()
        .unwrap();
    assert_eq!(
        p.as_str(),
        "image/resize,w_100|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA"
    );

    let p = Process::async_action("doc/convert,target_png,source_docx")
        .save_as(SaveAs::new("doc_images/{index}.png").bucket("test-bucket"))
        .notify_topic("test-topic")
        .build()
        .unwrap();
    assert_eq!(
        p.as_str(),
        "doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw"
    );

    let p = Process::style("thumb")
        .save_as(SaveAs::new("x.jpg"))
        .build()
        .unwrap();
    assert_eq!(p.as_str(), "style/thumb|sys/saveas,o_eC5qcGc");

    let p = Process::image()
        .resize(Resize::new().width(300))
        .quality(Quality::relative(90))
        .format(Format::Jpg)
        .build()
        .unwrap();
    assert_eq!(p.as_str(), "image/resize,w_300/quality,q_90/format,jpg");
}

#[test]
fn saveas_uses_url_safe_base64_without_padding() {
    let p = Process::image()
        .rotate(90)
        .save_as(SaveAs::new("测试.jpg"))
        .build()
        .unwrap();
    assert_eq!(p.as_str(), "image/rotate,90|sys/saveas,o_5rWL6K-VLmpwZw");
    // The standard alphabet with padding, as the Python sample writes it.
    assert!(!p.as_str().contains("5rWL6K+VLmpwZw=="));
}

#[test]
fn the_docs_watermark_strings_parse() {
    // Strings as they appear in the docs and in the wild.
    for text in [
        "image/watermark,text_SGVsbG8g5Zu-54mH5pyN5YqhIQ",
        "image/resize,h_200,limit_0/quality,q_100/watermark,text_5pm65pWR6YCa,type_d3F5LXplbmhlaQ,size_20,t_15,shadow_35,color_ffffff,g_center,y_10,x_10,rotate_45,fill_1",
        "image/watermark,text_aW7kuJzluIjvvIzlsLHnlKg,image_aW1nL2luTkVOVS5wbmc_eC1vc3MtcHJvY2Vzcz1pbWFnZS9yZXNpemUsUF80,type_ZmFuZ3poZW5nc2h1c29uZw,order_1,align_1,interval_8,size_16",
        "image/auto-orient,1/quality,q_80/watermark,text_c2x5Ym9vdHNsaW9u,color_ffffff,size_40,shadow_70,t_74,x_10,y_10",
        "image/crop,x_100,y_50",
        "image/indexcrop,x_100,i_0",
        "image/blur,r_3,s_2",
        "image/rounded-corners,r_30",
        "image/crop,w_100,h_100/rounded-corners,r_10/format,png",
    ] {
        let p = Process::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        round_trip(&p);
    }
    let p = Process::parse("image/watermark,text_SGVsbG8g5Zu-54mH5pyN5YqhIQ").unwrap();
    let ImageAction::Watermark(mark) = &p.image_actions()[0] else {
        panic!("{p:?}")
    };
    assert_eq!(mark.text.as_deref(), Some("Hello 图片服务!"));
}

#[test]
fn the_typed_form_is_inspectable() {
    let p = Process::parse(
        "image/resize,m_pad,w_100,h_50,l_70,s_30,p_90,limit_0,color_102030\
         /crop,x_1,y_2,w_3,h_4,g_sw/rotate,45/quality,q_70,Q_80/indexcrop,y_10,i_2\
         |sys/saveas,o_ZGVzdC5qcGc,b_YnVja2V0",
    )
    .unwrap();
    let actions = p.image_actions();
    let ImageAction::Resize(r) = &actions[0] else {
        panic!()
    };
    assert_eq!(r.mode, Some(ResizeMode::Pad));
    assert_eq!(
        (r.width, r.height, r.long_side, r.short_side, r.percent),
        (Some(100), Some(50), Some(70), Some(30), Some(90))
    );
    assert_eq!(r.limit, Some(false));
    let color = r.color.unwrap();
    assert_eq!((color.red, color.green, color.blue), (0x10, 0x20, 0x30));
    let ImageAction::Crop(c) = &actions[1] else {
        panic!()
    };
    assert_eq!(
        (c.x, c.y, c.width, c.height, c.gravity),
        (Some(1), Some(2), Some(3), Some(4), Some(Gravity::SouthWest))
    );
    assert_eq!(actions[2], ImageAction::Rotate(45));
    let ImageAction::Quality(q) = &actions[3] else {
        panic!()
    };
    assert_eq!((q.relative, q.absolute), (Some(70), Some(80)));
    let ImageAction::IndexCrop(i) = &actions[4] else {
        panic!()
    };
    assert_eq!((i.axis, i.length, i.index), (Axis::Y, 10, Some(2)));
    let target = p.save_as().unwrap();
    assert_eq!(
        (target.key.as_str(), target.bucket.as_deref()),
        ("dest.jpg", Some("bucket"))
    );
    assert!(matches!(p.pipeline(), Pipeline::Image(_)));
}
