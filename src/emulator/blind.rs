//! `image/blindwatermark` and `image/deblindwatermark` in the emulator: the
//! OSS parameters (`content_`, `s_`, `q_`; `s_`, `t_`) and OSS's refusals
//! mapped onto the invisible watermark of [`super::watermark`].
//!
//! Embedding refuses, as OSS does, sources under 80 x 80 or over 10000 x
//! 10000 px, a short side under half the long side, solid (or nearly
//! solid) images such as pure black or white, and GIF sources; a text too
//! long for the picture is refused too (OSS's limit is 256 characters; the
//! scheme holds up to 1024 bytes on pictures of 512 px and more, see
//! [`super::watermark::capacity`]). The output keeps the source's format;
//! `q_` is its JPEG quality.
//!
//! Decoding runs as an asynchronous task ([`super::tasks`]): the message
//! carries the text in `Content`; a picture with no readable mark is
//! `Failed` with Code `WatermarkNotFound` (the emulator's choice: the
//! service's code for it is not documented).

use image::DynamicImage;
use serde_json::Value;

use crate::process::{BlindStrength, BlindWatermark, DeBlindWatermark};

use super::errors::OssError;
use super::imaging::{self, image_error};
use super::tasks::{Done, Failure, Job};
use super::watermark::{self, Strength, WatermarkError};

/// The IMM task type of a decode, which names its task id.
pub(crate) const DECODE_TASK_TYPE: &str = "DecodeBlindWatermark";

fn strength(s: Option<BlindStrength>) -> Strength {
    match s {
        Some(BlindStrength::Medium) => Strength::Medium,
        Some(BlindStrength::High) => Strength::High,
        _ => Strength::Low,
    }
}

/// Embeds `mark` in `img` (whose source format was `source_format`).
pub(crate) fn embed(
    img: &DynamicImage,
    mark: &BlindWatermark,
    source_is_gif: bool,
) -> Result<DynamicImage, OssError> {
    if source_is_gif {
        return Err(image_error(
            "blindwatermark takes JPG, PNG, BMP, WebP and TIFF sources, not GIF.",
        ));
    }
    watermark::embed(img, mark.content.as_bytes(), strength(mark.strength)).map_err(|e| {
        image_error(match e {
            WatermarkError::TooLong { .. } => {
                format!("blindwatermark content_ does not fit this image: {e}.")
            }
            _ => format!("blindwatermark cannot mark this image: {e}."),
        })
    })
}

/// The job of an `image/deblindwatermark` task on the encoded `source`.
pub(crate) fn decode_job(source: Vec<u8>, d: &DeBlindWatermark) -> Job {
    let strength = strength(d.strength);
    Box::new(move || {
        let img = imaging::decode_image(&source)
            .map_err(|e| Failure::new("InvalidArgument", e.message))?;
        match watermark::decode(&img, strength) {
            Ok(bytes) => Ok(Done {
                saved: Vec::new(),
                fields: vec![(
                    "Content".into(),
                    Value::from(String::from_utf8_lossy(&bytes).into_owned()),
                )],
            }),
            Err(WatermarkError::NotFound) => Err(Failure::new(
                "WatermarkNotFound",
                "No blind watermark was found in the image.",
            )),
            Err(e) => Err(Failure::new(
                "InvalidArgument",
                format!("The image cannot be decoded for a blind watermark: {e}."),
            )),
        }
    })
}
