//! Fuzzes the result parsers: any 2xx body gives a typed result or a decode
//! error carrying the request id, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_process::Error;
use oss_process::fuzzing::results;

fuzz_target!(|data: &[u8]| {
    for r in results("RID", data) {
        if let Err(e) = r {
            assert!(matches!(e, Error::Decode { .. }), "{e:?}");
            assert_eq!(e.request_id(), Some("RID"));
            let _ = e.to_string();
        }
    }
});
