//! Video and audio info on the client: [`Client::video_info`] and
//! [`Client::audio_info`], GETs answered with JSON.

use crate::error::Error;
use crate::response::media::{MediaInfo, parse_media_info};

use super::Client;

impl Client {
    /// The video's metadata (`video/info`: format, duration, streams), as
    /// JSON with a few lenient getters; see [`MediaInfo`]. The bucket needs
    /// an IMM project.
    pub fn video_info(&self, bucket: &str, key: &str) -> Result<MediaInfo, Error> {
        self.media_info(bucket, key, "video/info")
    }

    /// The audio's metadata (`audio/info`), as JSON; see [`MediaInfo`].
    /// The bucket needs an IMM project.
    pub fn audio_info(&self, bucket: &str, key: &str) -> Result<MediaInfo, Error> {
        self.media_info(bucket, key, "audio/info")
    }

    fn media_info(&self, bucket: &str, key: &str, process: &str) -> Result<MediaInfo, Error> {
        let prepared = self.prepare_get(bucket, key, process, false)?;
        let target = prepared.describe();
        self.execute(&prepared, |_, request_id, mut response| {
            let body = self.read_capped(&mut response, request_id, &target)?;
            parse_media_info(request_id, &body, process)
        })
    }
}
