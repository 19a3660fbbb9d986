//! Shared by every integration test and by the bench (which includes it
//! with `#[path = "../tests/common/mod.rs"] mod common;`):
//!
//! - [`server`]: the loopback HTTP/1.1 test server (scripted, recording
//!   every request; or fixed and fast, for the bench), and with [`reply`]
//!   the kit for playing a hostile network (delays, drips, cuts, resets,
//!   silences, a skewed clock, counted requests and queued tasks);
//! - [`v4`]: an independent V4 signature check of recorded requests;
//! - [`dates`]: the `x-oss-date` and HTTP `Date` forms;
//! - [`raw`]: a raw HTTP/1.1 exchange with exact bytes;
//! - [`gzip`]: gzip bytes (stored blocks) for encoded answers;
//! - with the `emulator` feature, [`emulator`] (test credentials, an
//!   emulator accepting them, requests signed for it) and [`images`]
//!   (generated test photos).
//!
//! Each test uses a part of it, hence `dead_code` allowed here.

#![allow(dead_code, unused_imports)]

pub mod dates;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod gzip;
#[cfg(feature = "emulator")]
pub mod images;
pub mod raw;
pub mod reply;
pub mod server;
pub mod v4;

pub use dates::{http_date, iso_basic, iso_extended, parse_iso_basic};
#[cfg(feature = "emulator")]
pub use emulator::{
    AK, Counts, SK, client, counting_emulator, emulator, photos_emulator, service_error, signed,
};
#[cfg(feature = "emulator")]
pub use images::{gradient, jpeg, png, psnr};
pub use raw::{Raw, is_request_id, send};
pub use server::{Recorded, Reply, Server};
pub use v4::verify_v4;
