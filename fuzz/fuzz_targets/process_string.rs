//! Fuzzes process-string validation: any text is parsed into the typed form
//! or refused with an `InvalidArgument`, never a panic; a parsed process
//! renders to text that parses back to the same value, and keeps the rules
//! its mode and save rule state (an asynchronous task that writes saves, an
//! answer that cannot be saved has no `sys/saveas`, only tasks notify).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_process::Error;
use oss_process::process::{Mode, Process, SaveAsRule};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Process::parse(text) {
        Ok(p) => {
            let again = Process::parse(p.as_str()).expect("a rendered process parses");
            assert_eq!(again, p, "render/parse round trip of {text:?}");
            match p.save_as_rule() {
                Some(SaveAsRule::Required) => assert!(p.save_as().is_some(), "{text:?}"),
                Some(SaveAsRule::Never) => assert!(p.save_as().is_none(), "{text:?}"),
                _ => {}
            }
            if p.notify_topic().is_some() {
                assert_eq!(p.mode(), Some(Mode::Async), "{text:?}");
            }
        }
        Err(e) => {
            assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
            let _ = e.to_string();
        }
    }
    let _ = Process::raw(text);
});
