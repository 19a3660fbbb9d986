//! `video/info` and `audio/info` answers ([`MediaInfo`]): JSON objects,
//! kept whole. The OSS pages do not list their fields; the reference
//! describes them as IMM `DetectMediaMeta`-like (format, duration,
//! streams), so the few getters here read IMM's names and give `None` when
//! a field is absent or of another type, and [`MediaInfo::json`] gives
//! every field as the service sent it.

use serde_json::{Map, Value};

use crate::error::Error;

use super::parse_json_object;

/// What [`Client::video_info`](crate::Client::video_info) and
/// [`Client::audio_info`](crate::Client::audio_info) return: the media's
/// metadata, as JSON, with lenient getters for IMM `DetectMediaMeta`'s
/// names (`FormatName`, `Duration`, `Size`, `Bitrate`, `VideoStreams`,
/// `AudioStreams`; not confirmed for OSS, hence `Option`).
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// let info = client.video_info("examplebucket", "talk.mp4")?;
/// println!("{:?} s, {:?}", info.duration_seconds(), info.format_name());
/// for stream in info.video_streams() {
///     println!("{}", stream["CodecName"]);
/// }
/// println!("{}", serde_json::Value::Object(info.json().clone()));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaInfo {
    json: Map<String, Value>,
    request_id: String,
}

impl MediaInfo {
    /// Every field, as sent.
    pub fn json(&self) -> &Map<String, Value> {
        &self.json
    }

    /// One field, as sent.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.json.get(name)
    }

    /// `FormatName`, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    pub fn format_name(&self) -> Option<&str> {
        self.get("FormatName").and_then(Value::as_str)
    }

    /// `Duration` in seconds (a number, or a number written as a string).
    pub fn duration_seconds(&self) -> Option<f64> {
        number(self.get("Duration")?)
    }

    /// `Size` in bytes.
    pub fn size(&self) -> Option<u64> {
        number(self.get("Size")?).and_then(whole)
    }

    /// `Bitrate` in bit/s.
    pub fn bitrate(&self) -> Option<u64> {
        number(self.get("Bitrate")?).and_then(whole)
    }

    /// `VideoStreams`: one JSON object per video stream; empty when absent.
    pub fn video_streams(&self) -> &[Value] {
        array(self.get("VideoStreams"))
    }

    /// `AudioStreams`: one JSON object per audio stream; empty when absent.
    pub fn audio_streams(&self) -> &[Value] {
        array(self.get("AudioStreams"))
    }

    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok().filter(|n: &f64| n.is_finite()),
        _ => None,
    }
}

fn whole(n: f64) -> Option<u64> {
    (n >= 0.0 && n.fract() == 0.0 && n <= u64::MAX as f64).then_some(n as u64)
}

fn array(value: Option<&Value>) -> &[Value] {
    match value {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// Parses a `video/info` or `audio/info` answer: any JSON object.
pub(crate) fn parse_media_info(
    request_id: &str,
    body: &[u8],
    what: &str,
) -> Result<MediaInfo, Error> {
    Ok(MediaInfo {
        json: parse_json_object(body, request_id, what)?,
        request_id: request_id.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getters_read_imm_names_leniently() {
        let body = br#"{"FormatName": "mov,mp4", "Duration": 13.654, "Size": "17526771", "Bitrate": 10269.5, "VideoStreams": [{"CodecName": "hevc", "Width": 1920}], "Extra": {"a": 1}}"#;
        let info = parse_media_info("R", body, "video/info").unwrap();
        assert_eq!(info.format_name(), Some("mov,mp4"));
        assert_eq!(info.duration_seconds(), Some(13.654));
        assert_eq!(info.size(), Some(17_526_771));
        assert_eq!(info.bitrate(), None, "not a whole number");
        assert_eq!(info.video_streams()[0]["Width"], 1920);
        assert!(info.audio_streams().is_empty());
        assert_eq!(info.get("Extra").unwrap()["a"], 1);
        assert_eq!(info.request_id(), "R");
        assert!(parse_media_info("R", b"[]", "video/info").is_err());
        assert!(parse_media_info("R", b"\xff\xd8", "audio/info").is_err());
    }
}
