//! Fuzzes the service-error parser: any status, headers and body must give
//! a `ServiceError` (never a panic), with a code, and keep the status.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_process::fuzzing::service_error;

fuzz_target!(|data: &[u8]| {
    // First byte picks the content type and which headers are present; the
    // next bytes up to a NUL feed x-oss-err, the rest is the body.
    let Some((&flags, rest)) = data.split_first() else { return };
    let (header_bytes, body) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&[][..], rest),
    };
    let header_text = String::from_utf8_lossy(header_bytes);
    let content_type = match flags & 3 {
        0 => None,
        1 => Some("application/json"),
        2 => Some("application/xml"),
        _ => Some("application/json; charset=utf-8"),
    };
    let headers = [
        content_type,
        (flags & 4 != 0).then_some("RID"),
        (flags & 8 != 0).then_some("0002-00000040"),
        (flags & 16 != 0).then_some(header_text.as_ref()),
        (flags & 32 != 0).then_some("Imm Client"),
        (flags & 64 != 0).then_some(header_text.as_ref()),
    ];
    let status = 400 + u16::from(flags);
    let e = service_error(status, headers, body, flags & 128 != 0);
    assert_eq!(e.status, status);
    assert!(!e.code.is_empty());
    let _ = e.to_string();
});
