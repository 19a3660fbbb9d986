//! The batch example (`examples/batch.rs`) run against the emulator: every
//! listed key gets its thumbnail under the target prefix, a missing key is
//! reported with its Code and the batch goes on, a prefix is listed, and
//! bad flags and styles are refused before any request.

#![cfg(feature = "emulator")]

#[allow(dead_code)]
#[path = "../examples/batch.rs"]
mod batch;
mod common;

use common::{AK, SK, emulator, png};
use oss_process::{Client, Credentials};

fn no_env(_: &str) -> Option<String> {
    None
}

fn flags(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn batch_makes_every_thumbnail_and_reports_the_missing_key() {
    let emulator = emulator();
    emulator.create_bucket("thumbs").unwrap();
    let keys = ["a.png", "dir/b.png", "照片 1+2.png", "d.png"];
    for key in keys {
        emulator.put_object("photos", key, &png(320, 240)).unwrap();
    }
    let list = emulator.root().join("keys.txt");
    std::fs::write(
        &list,
        format!("# thumbnails\n{}\nmissing.png\n\n", keys.join("\n")),
    )
    .unwrap();
    let report_path = emulator.root().join("report.json");

    let mut args = batch::parse_args(
        flags(&[
            "--region",
            "cn-hangzhou",
            "--bucket",
            "photos",
            "--style",
            "image/resize,m_lfit,w_64,h_64",
            "--target_bucket",
            "thumbs",
            "--target_prefix",
            "64/",
            "--threads",
            "3",
        ])
        .into_iter()
        .chain([
            "--keys".to_string(),
            list.to_string_lossy().into_owned(),
            "--report".to_string(),
            report_path.to_string_lossy().into_owned(),
            "--endpoint".to_string(),
            emulator.endpoint().to_string(),
        ]),
    )
    .unwrap();
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(emulator.endpoint())
        .credentials(Credentials::new(AK, SK))
        .build()
        .unwrap();
    let report = batch::run(&args, &client, &no_env).unwrap();
    assert_eq!(report.listed(), 5);
    assert_eq!(report.done(), 4);
    assert!(!report.is_success());
    let [failure] = report.failures() else {
        panic!("{:?}", report.failures())
    };
    assert_eq!(failure.key(), "missing.png");
    assert_eq!(failure.code(), Some("NoSuchKey"));
    assert!(failure.request_id().is_some_and(|id| id.len() == 24));
    for key in keys {
        let path = emulator
            .object_path("thumbs", &format!("64/{key}"))
            .unwrap();
        let (w, h) = image::image_dimensions(&path).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!((w, h), (64, 48), "{key}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    assert_eq!(json["done"], 4);
    assert_eq!(json["failures"][0]["key"], "missing.png");
    assert_eq!(json["failures"][0]["code"], "NoSuchKey");

    // The same keys by listing the prefix; the thumbnails exist now.
    args.keys = batch::Keys::Prefix(String::new());
    args.skip_existing = true;
    args.report = None;
    let report = batch::run(&args, &client, &no_env).unwrap();
    assert!(report.is_success(), "{report:?}");
    assert_eq!(
        (report.listed(), report.existing(), report.done()),
        (4, 4, 0)
    );

    // A bad style stops the batch before any request.
    let bad = batch::Args {
        style: "image/resize,w_0".into(),
        ..args
    };
    let err = batch::run(&bad, &client, &no_env).expect_err("a bad style is refused");
    assert!(err.contains("resize.w"), "{err}");
}
