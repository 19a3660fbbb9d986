//! The batch example (`examples/batch.rs`) run against the emulator: every
//! listed key gets its thumbnail under the target prefix, a missing key is
//! reported and the batch goes on.

#![cfg(feature = "emulator")]

#[allow(dead_code)]
#[path = "../examples/batch.rs"]
mod batch;
mod common;

use common::{AK, SK, emulator, png};
use oss_process::{Client, Credentials};

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

    let args = batch::Args {
        region: "cn-hangzhou".into(),
        endpoint: Some(emulator.endpoint().to_string()),
        bucket: "photos".into(),
        keys: list.to_string_lossy().into_owned(),
        style: "image/resize,m_lfit,w_64,h_64".into(),
        target_bucket: "thumbs".into(),
        target_prefix: "64/".into(),
        threads: 3,
    };
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(emulator.endpoint())
        .credentials(Credentials::new(AK, SK))
        .build()
        .unwrap();
    let summary = batch::run(&args, &client).unwrap();
    assert_eq!(summary.total, 5);
    assert_eq!(summary.failures.len(), 1, "{:?}", summary.failures);
    assert_eq!(summary.failures[0].0, "missing.png");
    assert!(
        summary.failures[0].1.contains("NoSuchKey"),
        "{}",
        summary.failures[0].1
    );
    for key in keys {
        let path = emulator
            .object_path("thumbs", &format!("64/{key}"))
            .unwrap();
        let (w, h) = image::image_dimensions(&path).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!((w, h), (64, 48), "{key}");
    }

    // A bad style stops the batch before any request.
    let bad = batch::Args {
        style: "image/resize,w_0".into(),
        ..args
    };
    let err = batch::run(&bad, &client)
        .err()
        .expect("a bad style is refused");
    assert!(err.contains("resize.w"), "{err}");
}
