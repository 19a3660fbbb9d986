//! Emulator set-up for the tests: the test credentials and an emulator
//! accepting them.

use oss_process::Credentials;
use oss_process::emulator::Emulator;

/// The access key id the test emulators accept.
pub const AK: &str = "LTAI5tEmulatorTestId";
/// Its secret.
pub const SK: &str = "EmulatorTestSecret0123456789";

/// An emulator accepting [`AK`]/[`SK`] with a temporary root.
pub fn emulator() -> Emulator {
    Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .start()
        .expect("start emulator")
}
