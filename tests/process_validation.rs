//! Bad values fail at `build` (and at `parse`) with an InvalidArgument that
//! names the parameter and its range; odd input never panics the parser.

use oss_process::Error;
use oss_process::process::{
    BlindWatermark, Blur, Crop, ImageAction, IndexCrop, Process, Quality, Resize, SaveAs, Watermark,
};

fn invalid(result: Result<Process, Error>) -> (String, String) {
    match result {
        Err(Error::InvalidArgument { name, message, .. }) => (name, message),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

/// (action, parameter name, words the message must hold)
#[rustfmt::skip]
fn bad_actions() -> Vec<(ImageAction, &'static str, &'static str)> {
    vec![
        (ImageAction::Resize(Resize::new().width(0)), "resize.w", "must be 1..=16384, got 0"),
        (ImageAction::Resize(Resize::new().width(16385)), "resize.w", "must be 1..=16384, got 16385"),
        (ImageAction::Resize(Resize::new().height(0)), "resize.h", "must be 1..=16384, got 0"),
        (ImageAction::Resize(Resize::new().long_side(20000)), "resize.l", "must be 1..=16384"),
        (ImageAction::Resize(Resize::new().short_side(0)), "resize.s", "must be 1..=16384"),
        (ImageAction::Resize(Resize::by_percent(0)), "resize.p", "must be 1..=1000, got 0"),
        (ImageAction::Resize(Resize::by_percent(1001)), "resize.p", "must be 1..=1000, got 1001"),
        (ImageAction::Resize(Resize::pad(1, 1).color("FFF")), "resize.color", "6 hex digits"),
        (ImageAction::Resize(Resize::pad(1, 1).color("#FFFFFF")), "resize.color", "6 hex digits"),
        (ImageAction::Resize(Resize::new().limit(true)), "resize", "at least one of w, h, l, s or p"),
        (ImageAction::Crop(Crop::new()), "crop", "at least one of x, y, w, h or g"),
        (ImageAction::Crop(Crop::new().x(30001)), "crop.x", "must be 0..=30000, got 30001"),
        (ImageAction::Crop(Crop::new().width(16385)), "crop.w", "must be 0..=16384, got 16385"),
        (ImageAction::Rotate(361), "rotate", "must be 0..=360, got 361"),
        (ImageAction::Quality(Quality::relative(0)), "quality.q", "must be 1..=100, got 0"),
        (ImageAction::Quality(Quality::absolute(101)), "quality.Q", "must be 1..=100, got 101"),
        (ImageAction::Quality(Quality::default()), "quality", "needs q or Q"),
        (ImageAction::Circle(0), "circle.r", "must be 1..=4096, got 0"),
        (ImageAction::Circle(4097), "circle.r", "must be 1..=4096, got 4097"),
        (ImageAction::RoundedCorners(0), "rounded-corners.r", "must be 1..=4096, got 0"),
        (ImageAction::IndexCrop(IndexCrop::x(0)), "indexcrop.x", "must be 1..=30000, got 0"),
        (ImageAction::IndexCrop(IndexCrop::y(30001)), "indexcrop.y", "must be 1..=30000"),
        (ImageAction::Blur(Blur::new(0, 1)), "blur.r", "must be 1..=50, got 0"),
        (ImageAction::Blur(Blur::new(1, 51)), "blur.s", "must be 1..=50, got 51"),
        (ImageAction::Bright(-101), "bright", "must be -100..=100, got -101"),
        (ImageAction::Contrast(101), "contrast", "must be -100..=100, got 101"),
        (ImageAction::Sharpen(49), "sharpen", "must be 50..=399, got 49"),
        (ImageAction::Sharpen(400), "sharpen", "must be 50..=399, got 400"),
        (ImageAction::Watermark(Watermark::new()), "watermark", "needs text or image"),
        (ImageAction::Watermark(Watermark::new().text("")), "watermark.text", "must not be empty"),
        (ImageAction::Watermark(Watermark::new().text("字".repeat(22))), "watermark.text", "at most 64 bytes, got 66"),
        (ImageAction::Watermark(Watermark::new().text("a\r\nb")), "watermark.text", "control characters"),
        (ImageAction::Watermark(Watermark::new().text("a").font("")), "watermark.type", "must not be empty"),
        (ImageAction::Watermark(Watermark::new().text("a").color("black")), "watermark.color", "6 hex digits"),
        (ImageAction::Watermark(Watermark::new().text("a").size(0)), "watermark.size", "must be 1..=1000, got 0"),
        (ImageAction::Watermark(Watermark::new().text("a").shadow(101)), "watermark.shadow", "must be 0..=100"),
        (ImageAction::Watermark(Watermark::new().text("a").rotate(361)), "watermark.rotate", "must be 0..=360"),
        (ImageAction::Watermark(Watermark::new().text("a").transparency(101)), "watermark.t", "must be 0..=100"),
        (ImageAction::Watermark(Watermark::new().text("a").x(4097)), "watermark.x", "must be 0..=4096"),
        (ImageAction::Watermark(Watermark::new().text("a").y(4097)), "watermark.y", "must be 0..=4096"),
        (ImageAction::Watermark(Watermark::new().text("a").voffset(-1001)), "watermark.voffset", "must be -1000..=1000"),
        (ImageAction::Watermark(Watermark::new().text("a").interval(1001)), "watermark.interval", "must be 0..=1000"),
        (ImageAction::Watermark(Watermark::new().image("")), "watermark.image", "must not be empty"),
        (ImageAction::Watermark(Watermark::new().image("k".repeat(1024))), "watermark.image", "at most 1023 bytes"),
        (ImageAction::BlindWatermark(BlindWatermark::new("")), "blindwatermark.content", "must not be empty"),
        (ImageAction::BlindWatermark(BlindWatermark::new("字".repeat(257))), "blindwatermark.content", "at most 256 characters, got 257"),
    ]
}

#[test]
fn bad_values_name_the_parameter_and_range_at_build() {
    for (action, name, words) in bad_actions() {
        let (got_name, message) = invalid(Process::image().action(action.clone()).build());
        assert_eq!(got_name, name, "{action:?}: {message}");
        assert!(message.contains(words), "{action:?}: {message}");
    }
}

#[test]
fn the_error_text_reads_well() {
    let err = Process::image()
        .resize(Resize::new().width(0))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid resize.w: must be 1..=16384, got 0"
    );
}

#[test]
fn the_first_bad_action_is_reported() {
    let (name, _) = invalid(
        Process::image()
            .rotate(90)
            .resize(Resize::new().width(0))
            .rotate(400)
            .build(),
    );
    assert_eq!(name, "resize.w");
}

#[test]
#[rustfmt::skip]
fn bad_targets_and_styles_and_async_actions() {
    let cases: Vec<(Result<Process, Error>, &str, &str)> = vec![
        (Process::image().info().save_as(SaveAs::new("")).build(), "saveas.o", "must not be empty"),
        (Process::image().info().save_as(SaveAs::new("x".repeat(1024))).build(), "saveas.o", "at most 1023 bytes of UTF-8; this one has 1024"),
        (Process::image().info().save_as(SaveAs::new("a\nb")).build(), "saveas.o", "control characters"),
        (Process::image().info().save_as(SaveAs::new("k").bucket("B")).build(), "saveas.b", "3 to 63 characters of a-z, 0-9 and '-'"),
        (Process::style("").build(), "style", "1..=63 letters"),
        (Process::style("a|b").build(), "style", "1..=63 letters"),
        (Process::style("a".repeat(64)).build(), "style", "1..=63 letters"),
        (Process::image().build(), "image", "at least one action"),
        (Process::async_action("image/resize,w_1").save_as(SaveAs::new("k")).build(), "action", "must start with doc/"),
        (Process::async_action("doc/a|sys/saveas,o_eA").save_as(SaveAs::new("k")).build(), "action", "must not contain `|`"),
        (Process::async_action("doc/a\n").save_as(SaveAs::new("k")).build(), "action", "control characters"),
        (Process::async_action("video/").save_as(SaveAs::new("k")).build(), "action", "names no action"),
        (Process::async_action("doc/a").build(), "saveas", "say where to save"),
        (Process::async_action("video/info").save_as(SaveAs::new("k")).build(), "action", "video/info is synchronous"),
        (Process::async_action("doc/a").save_as(SaveAs::new("k")).notify_topic("t".repeat(257)).build(), "notify.topic", "at most 256 bytes"),
    ];
    for (result, name, words) in cases {
        let (got_name, message) = invalid(result);
        assert_eq!(got_name, name, "{message}");
        assert!(message.contains(words), "{name}: {message}");
    }
}

#[test]
fn parse_reports_the_same_ranges_with_the_position() {
    for (text, words) in [
        (
            "image/resize,w_0",
            r#"part 1 at byte 6 ("resize,w_0"): resize.w: must be 1..=16384, got 0"#,
        ),
        (
            "image/resize,p_1001",
            "resize.p: must be 1..=1000, got 1001",
        ),
        ("image/crop,x_30001", "crop.x: must be 0..=30000, got 30001"),
        ("image/rotate,361", "rotate: must be 0..=360, got 361"),
        (
            "image/rotate,ninety",
            r#"rotate: must be an integer in 0..=360, got "ninety""#,
        ),
        ("image/quality,q_0", "quality.q: must be 1..=100, got 0"),
        (
            "image/circle,r_5000",
            "circle.r: must be 1..=4096, got 5000",
        ),
        ("image/blur,r_51,s_1", "blur.r: must be 1..=50, got 51"),
        ("image/bright,-101", "bright: must be -100..=100, got -101"),
        ("image/sharpen,10", "sharpen: must be 50..=399, got 10"),
        (
            "image/watermark,text_eA,size_0",
            "watermark.size: must be 1..=1000, got 0",
        ),
        (
            "image/watermark,text_eA,order_2",
            "watermark.order: must be one of 0, 1",
        ),
        (
            "image/watermark,text_eA,align_3",
            "watermark.align: must be one of 0, 1, 2",
        ),
        (
            "image/resize,w_1|sys/saveas,o_eA,b_QUI",
            r#"part 2 at byte 21 ("saveas,o_eA,b_QUI"): saveas.b: a bucket name is 3 to 63 characters"#,
        ),
    ] {
        let err = Process::parse(text).unwrap_err().to_string();
        assert!(err.starts_with("invalid process: part "), "{text}: {err}");
        assert!(err.contains(words), "{text}: {err}");
    }
}

/// A small deterministic generator, so the test needs no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Mutates valid strings byte by byte and character by character: parsing
/// must never panic, and whatever parses must render to a string that parses
/// to the same value.
#[test]
fn mutated_strings_never_panic_and_stay_consistent() {
    let seeds = [
        "image/resize,m_pad,w_100,h_50,color_FF0000/crop,x_1,y_2,g_se/rotate,90|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA",
        "image/watermark,text_SGVsbG8,type_d3F5LXplbmhlaQ,color_FFFFFF,size_30,image_cGFuZGEucG5n,order_1,t_90,g_se,x_10,y_10",
        "image/quality,q_90,Q_80/indexcrop,x_100,i_1/blur,r_3,s_2/bright,5/contrast,-5/sharpen,100/interlace,1",
        "image/blindwatermark,content_b3duZXI/auto-orient,1/circle,r_10/rounded-corners,r_5/format,webp/info/average-hue",
        "doc/convert,target_png,source_docx|sys/saveas,b_dGVzdC1idWNrZXQ,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw",
        "style/thumb|sys/saveas,o_5rWL6K-VLmpwZw",
        "image/blindwatermark,content_6Zi_6YeM5LqR54mI5p2D5omA5pyJ,s_low,q_90|sys/saveas,o_eA",
        "image/deblindwatermark,s_low,t_text|sys/notify,topic_aW1tLWJsaW5kd2F0ZXJtYXJrLXRlc3Q",
        "doc/preview,print_0,copy_1,export_0/watermark,text_5YaF6YOo6LWE5paZ,size_30,t_60,color_C0C0C0,rotate_45,type_eA",
        "doc/snapshot,target_jpg,source_docx,page_2",
        "doc/convert,target_pdf,pages_MSwyLDQtMTA|sys/saveas,o_b3V0LnBkZg",
        "video/concat,ss_0,f_mp4,vcodec_h264,vb_1000000,fps_25,ar_48000,ac_2/pre,o_eA/sur,o_eQ,t_0|sys/saveas,o_eA/notify,topic_eA",
        "video/sprite,f_jpg,m_key,sw_100,sh_100,inter_10000,tw_10,th_10,pad_0,margin_0|sys/saveas,o_eA",
        "video/snapshot,t_7000,f_jpg,w_800,h_600,m_fast,ar_auto",
        "audio/convert,ss_10000,t_60000,f_aac,acodec_aac,ab_96000|sys/saveas,o_ZGVzdC5hYWM",
    ];
    let alphabet: Vec<char> =
        "image/style,_|sys/saveas,o_b_-=+0123456789azAZ测\u{0}\n\r%docvideoaudionotify"
            .chars()
            .collect();
    let mut rng = Lcg(0x5eed);
    let mut parsed = 0;
    for seed in seeds {
        for _ in 0..3000 {
            let mut chars: Vec<char> = seed.chars().collect();
            for _ in 0..=rng.below(4) {
                let at = rng.below(chars.len() + 1);
                match rng.below(3) {
                    0 if at < chars.len() => {
                        chars.remove(at);
                    }
                    1 if at < chars.len() => chars[at] = alphabet[rng.below(alphabet.len())],
                    _ => chars.insert(at, alphabet[rng.below(alphabet.len())]),
                }
            }
            let text: String = chars.into_iter().collect();
            if let Ok(p) = Process::parse(&text) {
                parsed += 1;
                let again = Process::parse(p.as_str())
                    .unwrap_or_else(|e| panic!("{text:?} -> {:?}: {e}", p.as_str()));
                assert_eq!(again, p, "{text:?}");
            }
        }
    }
    assert!(
        parsed > 100,
        "the mutations should leave some strings valid"
    );
}
