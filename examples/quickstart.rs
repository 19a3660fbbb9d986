//! The first thing to run: a thumbnail made and saved by `process_object`,
//! with no Alibaba Cloud account. The local OSS emulator stands in for the
//! service; the client code is exactly what runs against OSS.
//!
//! ```text
//! cargo run --example quickstart --features emulator
//! ```
//!
//! It writes a 640 x 480 photo into a fresh directory under the system's
//! temporary directory, serves that directory with the emulator, asks for
//! a 200 x 200 centre-cropped thumbnail saved as `thumbs/photo-200.jpg`,
//! and prints the result, the saved file's path and its pixel size. The
//! directory is left behind so you can look at the files.

use std::error::Error;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use image::{ImageEncoder, Rgb, RgbImage};
use oss_process::emulator::Emulator;
use oss_process::process::{Process, Resize, ResizeMode, SaveAs};
use oss_process::{Client, Credentials};

const BUCKET: &str = "examplebucket";

/// A 640 x 480 JPEG: a colour gradient with a dark disc in the middle.
fn photo() -> Result<Vec<u8>, image::ImageError> {
    let (w, h) = (640u32, 480u32);
    let img = RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as i64 - 320, y as i64 - 240);
        if dx * dx + dy * dy < 120 * 120 {
            Rgb([30, 30, 60])
        } else {
            Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 160])
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).write_image(
        img.as_raw(),
        w,
        h,
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(jpeg)
}

/// A new directory under the temporary directory.
fn scratch_dir() -> std::io::Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!(
        "oss-process-quickstart-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(dir.join(BUCKET))?;
    Ok(dir)
}

fn main() -> Result<(), Box<dyn Error>> {
    // The emulator serves <root>/<bucket>/<key> and checks signatures
    // against the credentials it is given.
    let root = scratch_dir()?;
    std::fs::write(root.join(BUCKET).join("photo.jpg"), photo()?)?;
    let credentials = Credentials::new("quickstart-access-key-id", "quickstart-access-key-secret");
    let emulator = Emulator::builder()
        .root(&root)
        .credentials(credentials.clone())
        .start()?;
    println!("emulator listening on {}", emulator.endpoint());

    // From here on it is the code you would run against OSS: only the
    // endpoint and the credentials change.
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(emulator.endpoint())
        .credentials(credentials)
        .build()?;
    let process = Process::image()
        .resize(Resize::new().mode(ResizeMode::Fill).width(200).height(200))
        .save_as(SaveAs::new("thumbs/photo-200.jpg").bucket(BUCKET))
        .build()?;
    println!("x-oss-process: {}", process.as_str());
    let result = client.process_object(BUCKET, "photo.jpg", &process)?;

    println!("bucket:      {}", result.bucket());
    println!("key:         {}", result.key());
    println!("file size:   {} bytes", result.file_size());
    println!("status:      {}", result.process_status());
    println!("request id:  {}", result.request_id());

    let saved = emulator.object_path(result.bucket(), result.key())?;
    let (width, height) = image::image_dimensions(&saved)?;
    println!("saved file:  {}", saved.display());
    println!("pixel size:  {width} x {height}");
    println!("(the files stay in {} for you to look at)", root.display());
    Ok(())
}
