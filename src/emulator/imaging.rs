//! Image processing for `x-oss-process` (placeholder until the typed
//! process model lands).

use super::xml::OssError;

/// The largest source image OSS processes, in bytes.
pub(crate) const MAX_SOURCE_BYTES: u64 = 20 * 1024 * 1024;

pub(crate) struct SaveTarget {
    pub bucket: Option<String>,
    pub key: String,
}

pub(crate) struct Output {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

pub(crate) struct Plan;

impl Plan {
    pub fn parse(_process: &str) -> Result<Plan, OssError> {
        Err(OssError::invalid_argument("not yet"))
    }
    pub fn save_as(&self) -> Option<SaveTarget> {
        None
    }
    pub fn apply(&self, _source: &[u8]) -> Result<Output, OssError> {
        Err(OssError::invalid_argument("not yet"))
    }
}

pub(crate) fn check_source_size(size: u64) -> Result<(), OssError> {
    if size > MAX_SOURCE_BYTES {
        return Err(OssError::invalid_argument(
            "The source image is larger than 20 MB.",
        ));
    }
    Ok(())
}

pub(crate) fn sniff_content_type(bytes: &[u8]) -> Option<&'static str> {
    let format = image::guess_format(bytes).ok()?;
    Some(format.to_mime_type())
}
