//! Fuzzes process-string validation: any text is parsed into the typed form
//! or refused with an `InvalidArgument`, never a panic; a parsed process
//! renders to text that parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_process::Error;
use oss_process::process::Process;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Process::parse(text) {
        Ok(p) => {
            let again = Process::parse(p.as_str()).expect("a rendered process parses");
            assert_eq!(again, p, "render/parse round trip of {text:?}");
        }
        Err(e) => {
            assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
            let _ = e.to_string();
        }
    }
    let _ = Process::raw(text);
});
