//! The blind-watermark example (`examples/blind_watermark.rs`) run as its
//! default mode runs it, on a local emulator: the text embedded with
//! `process_object` comes back in the decode task's notification, and the
//! marked copy is within the PSNR the scheme promises.

#![cfg(feature = "emulator")]

#[allow(dead_code)]
#[path = "../examples/blind_watermark.rs"]
mod example;

use std::time::Duration;

use oss_process::process::BlindStrength;

fn scenario(text: &str, strength: BlindStrength) -> example::Scenario {
    example::Scenario {
        bucket: "examplebucket".into(),
        key: "photo.jpg".into(),
        marked_key: "wm/photo.jpg".into(),
        text: text.into(),
        strength,
        topic: "imm-blindwatermark-test".into(),
    }
}

fn photo(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/data/photos/{name}.jpg",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn the_example_recovers_the_documented_text() {
    let outcome = example::run_on_emulator(
        &scenario(example::DEFAULT_TEXT, BlindStrength::Low),
        &photo("coffee"),
        Duration::from_secs(120),
    )
    .unwrap();
    assert_eq!(outcome.saved.key(), "wm/photo.jpg");
    assert!(outcome.task.task_id().starts_with("DecodeBlindWatermark-"));
    let n = outcome.notification.expect("a message");
    assert!(n.succeeded(), "{n:?}");
    assert_eq!(n.task_id(), outcome.task.task_id());
    assert_eq!(n.decoded_text(), Some(example::DEFAULT_TEXT));
    // The saved copy is JPEG (q 90 by default) of the marked picture: the
    // PSNR includes that compression as well as the mark.
    let psnr = outcome.psnr.expect("same size");
    assert!(psnr >= 35.0, "{psnr:.2} dB");
}

#[test]
fn stronger_marks_and_other_photos() {
    for (name, strength, text) in [
        ("astronaut", BlindStrength::Medium, "id-0042 © 2024"),
        ("rocket", BlindStrength::High, "x"),
    ] {
        let outcome = example::run_on_emulator(
            &scenario(text, strength),
            &photo(name),
            Duration::from_secs(120),
        )
        .unwrap();
        let n = outcome.notification.expect("a message");
        assert_eq!(n.decoded_text(), Some(text), "{name}");
    }
}
