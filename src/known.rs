//! Well-known processing failures, recognised from a service error so that
//! a caller matches a [`KnownError`] instead of comparing codes and
//! messages. Each is recognised by what its source documents or shows; the
//! EC codes among them are diagnostic codes the OSS docs advise against
//! building logic on, which is why this crate does it once, here, where it
//! can be corrected in one place.

use crate::error::{Error, ServiceError};

/// A processing failure this crate recognises, from
/// [`ServiceError::known`] or [`Error::known`].
///
/// ```
/// use oss_process::{KnownError, ServiceError};
///
/// let mut e = ServiceError::default();
/// e.status = 404;
/// e.code = "Imm Client".into();
/// e.message = "ResourceNotFound, The specified resource Attachment is not found.".into();
/// assert_eq!(e.known(), Some(KnownError::NoImmProject));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KnownError {
    /// The bucket has no IMM project bound, which document, video, audio,
    /// blind-watermark and other IMM-backed actions need: Code
    /// `Imm Client` with `ResourceNotFound` in the message ("The specified
    /// resource Attachment is not found"), as the official Go, Java and
    /// PHP SDKs' integration tests assert for asynchronous processing.
    /// Bind a project (IMM `AttachOSSBucket`, or the OSS console).
    NoImmProject,
    /// Source-image protection is on: the bucket takes processing only
    /// through a style (`style/<name>`). Code `AccessDenied` with "The
    /// channel can be only accessed using style." (ali-sdk/ali-oss#672).
    SourceImageProtected,
    /// The style named in `style/<name>` is not in this bucket: Code
    /// `NoSuchStyle` (OSS FAQ on NoSuchStyle, NoSuchKey and NoSuchFile).
    NoSuchStyle,
    /// The image is over a processing limit: Code `ImageTooLarge` (the
    /// image-processing error table), or the ECs of the limits pages:
    /// `0040-00000007` (output too large), `0040-00000009` (source too
    /// large for resize), `0040-00000012` (over 250 million pixels),
    /// `0040-00000013`, `-14`, `-18`, `-19` (HEIC, AVIF, TIFF, JPEG decode
    /// limits).
    ImageTooLarge,
    /// The process string is longer than the service takes: EC
    /// `0017-00000288` ("x-oss-process too long"; the limit itself is not
    /// documented).
    ProcessTooLong,
}

/// The ECs of the image size limits (help.aliyun.com EC pages 0040-*).
const IMAGE_TOO_LARGE_ECS: [&str; 7] = [
    "0040-00000007",
    "0040-00000009",
    "0040-00000012",
    "0040-00000013",
    "0040-00000014",
    "0040-00000018",
    "0040-00000019",
];

impl ServiceError {
    /// The well-known failure this error is, if it is one.
    ///
    /// ```
    /// use oss_process::{KnownError, ServiceError};
    ///
    /// let mut e = ServiceError::default();
    /// e.code = "InvalidArgument".into();
    /// e.ec = "0017-00000288".into();
    /// assert_eq!(e.known(), Some(KnownError::ProcessTooLong));
    /// e.ec = "0040-00000311".into();
    /// assert_eq!(e.known(), None);
    /// ```
    pub fn known(&self) -> Option<KnownError> {
        let code = self.code.as_str();
        let ec = self.ec.trim();
        if code.eq_ignore_ascii_case("Imm Client") && self.message.contains("ResourceNotFound") {
            return Some(KnownError::NoImmProject);
        }
        if code == "AccessDenied"
            && self
                .message
                .to_ascii_lowercase()
                .contains("only accessed using style")
        {
            return Some(KnownError::SourceImageProtected);
        }
        if code == "NoSuchStyle" {
            return Some(KnownError::NoSuchStyle);
        }
        if code == "ImageTooLarge" || IMAGE_TOO_LARGE_ECS.contains(&ec) {
            return Some(KnownError::ImageTooLarge);
        }
        if ec == "0017-00000288" {
            return Some(KnownError::ProcessTooLong);
        }
        None
    }
}

impl Error {
    /// The well-known failure this error is, if it is a service error that
    /// [`ServiceError::known`] recognises.
    ///
    /// ```no_run
    /// # fn demo(client: &oss_process::Client) {
    /// use oss_process::KnownError;
    ///
    /// match client.get_processed("examplebucket", "photo.jpg", "style/thumb") {
    ///     Err(e) if e.known() == Some(KnownError::NoSuchStyle) => eprintln!("create the style first"),
    ///     Err(e) if e.known() == Some(KnownError::SourceImageProtected) => eprintln!("use a style"),
    ///     other => { let _ = other; }
    /// }
    /// # }
    /// ```
    pub fn known(&self) -> Option<KnownError> {
        self.as_service().and_then(ServiceError::known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16, code: &str, message: &str, ec: &str) -> ServiceError {
        ServiceError {
            status,
            code: code.into(),
            message: message.into(),
            ec: ec.into(),
            ..Default::default()
        }
    }

    #[test]
    fn each_known_failure_from_its_documented_form() {
        for (e, known) in [
            (
                error(
                    404,
                    "Imm Client",
                    "ResourceNotFound, The specified resource Attachment is not found.",
                    "",
                ),
                Some(KnownError::NoImmProject),
            ),
            (
                error(
                    403,
                    "AccessDenied",
                    "The channel can be only accessed using style.",
                    "",
                ),
                Some(KnownError::SourceImageProtected),
            ),
            (
                error(
                    404,
                    "NoSuchStyle",
                    "The specified style does not exist.",
                    "",
                ),
                Some(KnownError::NoSuchStyle),
            ),
            (
                error(400, "ImageTooLarge", "", ""),
                Some(KnownError::ImageTooLarge),
            ),
            (
                error(400, "InvalidArgument", "x", "0040-00000009"),
                Some(KnownError::ImageTooLarge),
            ),
            (
                error(
                    400,
                    "InvalidArgument",
                    "x-oss-process too long",
                    "0017-00000288",
                ),
                Some(KnownError::ProcessTooLong),
            ),
            (
                error(
                    403,
                    "AccessDenied",
                    "You have no right to access this object.",
                    "",
                ),
                None,
            ),
            (error(404, "Imm Client", "Forbidden", ""), None),
            (error(404, "NoSuchKey", "", "0026-00000001"), None),
        ] {
            assert_eq!(e.known(), known, "{e}");
            assert_eq!(Error::from(e).known(), known);
        }
        assert_eq!(Error::invalid("x", "y").known(), None);
    }
}
