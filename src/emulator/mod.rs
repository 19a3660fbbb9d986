//! A local OSS emulator for tests and offline demos (placeholder; filled in on the `emulator` branch).
