//! Fuzzes the result parsers: any 2xx body gives a typed result or a decode
//! error carrying the request id, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_process::Error;
use oss_process::response::{
    parse_async_result, parse_average_hue, parse_image_info, parse_process_result,
};

fn check<T>(r: Result<T, Error>) {
    if let Err(e) = r {
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
        assert_eq!(e.request_id(), Some("RID"));
        let _ = e.to_string();
    }
}

fuzz_target!(|data: &[u8]| {
    check(parse_process_result(200, "RID", data));
    check(parse_async_result(200, "RID", data));
    check(parse_image_info("RID", data));
    check(parse_average_hue("RID", data));
});
