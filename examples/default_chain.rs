//! Which credentials the default chain finds here, and where: the source
//! (environment, OIDC role, CLI profile, credentials file, ECS RAM role,
//! credentials URI), the access key id, whether there is an STS token and
//! when the credentials expire. Never the secret or the token.
//!
//! ```text
//! cargo run --example default_chain
//! ALIBABA_CLOUD_PROFILE=prod cargo run --example default_chain
//! ```
//!
//! When nothing is found it prints every source the chain tried and why
//! each gave nothing, and exits with status 1.

use std::process::ExitCode;
use std::time::SystemTime;

mod common;

use oss_process::CredentialsProvider;
use oss_process::credentials::DefaultChain;

const USAGE: &str =
    "usage: default_chain (no flags; the chain reads the environment and the home directory)";

fn main() -> ExitCode {
    if let Err(message) = common::Flags::from_env(USAGE, &[]).and_then(common::Flags::finish) {
        eprintln!("{message}");
        return ExitCode::from(2);
    }
    let chain = match DefaultChain::new() {
        Ok(chain) => chain,
        Err(e) => {
            common::print_error("default_chain", &e);
            return ExitCode::FAILURE;
        }
    };
    let credentials = match chain.credentials() {
        Ok(c) => c,
        Err(e) => {
            common::print_error("default_chain", &e);
            return ExitCode::FAILURE;
        }
    };
    println!(
        "source: {}",
        chain.source_name().unwrap_or_else(|| "(unknown)".into())
    );
    println!("access key id: {}", credentials.access_key_id());
    println!(
        "security token: {}",
        if credentials.security_token().is_some() {
            "yes (temporary credentials)"
        } else {
            "no (a long-term AccessKey)"
        }
    );
    match credentials.expiration() {
        Some(at) => {
            let left = at
                .duration_since(SystemTime::now())
                .map(|d| format!("in {} s", d.as_secs()))
                .unwrap_or_else(|_| "already".into());
            println!("expires: {left}; refreshed before then");
        }
        None => println!("expires: never"),
    }
    ExitCode::SUCCESS
}
