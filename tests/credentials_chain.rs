//! The default credentials chain, end to end against loopback stand-ins:
//! each source (environment, OIDC role, every CLI-profile mode, every
//! credentials-file type, the ECS metadata service, a credentials URI) in
//! its place in the order, the selectors and disable switches, the error
//! that lists every source when none gives credentials, one walk for many
//! threads, and a `process_object` against the emulator signed with the
//! STS credentials each source gives. The environment, home directory and
//! endpoints are injected: no test reads the developer's files, sets a
//! process variable, or reaches a real host.

mod common;
mod credentials_support;

use std::sync::{Arc, Barrier};

use common::Server;
use credentials_support::{
    ECS_ROLE, Env, Imds, Issued, OIDC_PROVIDER_ARN, ROLE_ARN, TempDir, closed_url, full_text,
    start_imds, start_uri, sts_stand_in,
};
use oss_process::credentials::{ChainBuilder, ChainSource, DefaultChain};
use oss_process::{Credentials, CredentialsProvider, Error};

const AK_ID: &str = "LTAI5tChainTestId";
const AK_SECRET: &str = "ChainTestSecretValue0123456789";

/// A chain over `env` and `home`, with the metadata service on a port that
/// refuses connections (so that step fails fast) unless `imds` is given.
fn chain(env: &Env, home: &TempDir, sts: Option<&Server>, imds: Option<&Server>) -> DefaultChain {
    let mut builder: ChainBuilder = DefaultChain::builder()
        .env(env.lookup())
        .home(home.path())
        .imds_endpoint(imds.map_or_else(closed_url, Server::url));
    if let Some(sts) = sts {
        builder = builder.sts_endpoint(sts.url());
    }
    builder.build().unwrap()
}

fn ak() -> Credentials {
    Credentials::new(AK_ID, AK_SECRET)
}

#[test]
fn an_empty_chain_lists_every_source_and_why() {
    let home = TempDir::new("empty-chain");
    let env = Env::new(&[("HOME", "/must/not/be/read")]);
    let chain = chain(&env, &home, None, None);
    let e = chain.credentials().unwrap_err();
    assert!(matches!(e, Error::Credentials { .. }), "{e:?}");
    let text = e.to_string();
    let home_text = home.path().display().to_string();
    for (i, expected) in [
        "environment: skipped, neither ALIBABA_CLOUD_ACCESS_KEY_ID nor OSS_ACCESS_KEY_ID is set",
        "OIDC role: skipped, ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set",
        &format!("CLI profile: skipped, {home_text}/.aliyun/config.json does not exist"),
        &format!("credentials file: skipped, neither {home_text}/.alibabacloud/credentials nor"),
        "ECS RAM role: skipped, ECS RAM role: getting a metadata token: PUT http://127.0.0.1:",
        "credentials URI: skipped, ALIBABA_CLOUD_CREDENTIALS_URI is not set",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            text.contains(&format!("{}. {expected}", i + 1)),
            "line {} missing: {expected}\n{text}",
            i + 1
        );
    }
    assert_eq!(chain.source(), None);
    assert!(!text.contains("/must/not/be/read"), "{text}");
}

#[test]
fn a_broken_source_is_listed_without_its_secret_and_the_chain_goes_on() {
    let home = TempDir::new("broken-env");
    home.write(
        ".alibabacloud/credentials",
        &format!("[default]\ntype = access_key\naccess_key_id = {AK_ID}\naccess_key_secret = {AK_SECRET}\n"),
    );
    let env = Env::new(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tBroken"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "Broken Secret Value"),
    ]);
    let chain = chain(&env, &home, None, None);
    assert_eq!(chain.credentials().unwrap().access_key_id(), AK_ID);
    assert_eq!(chain.source(), Some(ChainSource::CredentialsFile));
    // Without the file, the error names the problem, never the value.
    let empty = TempDir::new("broken-env-only");
    let e = crate::chain(&env, &empty, None, None)
        .credentials()
        .unwrap_err();
    let text = full_text(&e);
    assert!(
        text.contains("1. environment: failed, from the environment (ALIBABA_CLOUD_*): the access key secret contains white space"),
        "{text}"
    );
    assert!(!text.contains("Broken Secret"), "{text}");
}

#[test]
fn environment_variables_come_first_alibaba_cloud_over_oss() {
    let home = TempDir::new("env-first");
    home.write(
        ".aliyun/config.json",
        r#"{"current": "default", "profiles": [{"name": "default", "mode": "AK", "access_key_id": "LTAI5tFromCli", "access_key_secret": "CliSecret0123456789"}]}"#,
    );
    let env = Env::new(&[
        ("OSS_ACCESS_KEY_ID", "LTAI5tOss"),
        ("OSS_ACCESS_KEY_SECRET", "OssSecret0123456789"),
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tAli"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "AliSecret0123456789"),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", "AliToken0123456789"),
    ]);
    let chain = chain(&env, &home, None, None);
    let c = chain.credentials().unwrap();
    assert_eq!(c.access_key_id(), "LTAI5tAli");
    assert_eq!(c.security_token(), Some("AliToken0123456789"));
    assert_eq!(chain.source(), Some(ChainSource::Environment));
    assert_eq!(
        chain.source_name().as_deref(),
        Some("environment (ALIBABA_CLOUD_ACCESS_KEY_ID)")
    );
    // Sticky: the environment changing later does not move the chain.
    env.set("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tChanged");
    assert_eq!(chain.credentials().unwrap().access_key_id(), "LTAI5tAli");

    let oss_only = Env::new(&[
        ("OSS_ACCESS_KEY_ID", "LTAI5tOss"),
        ("OSS_ACCESS_KEY_SECRET", "OssSecret0123456789"),
    ]);
    let chain = crate::chain(&oss_only, &home, None, None);
    assert_eq!(chain.credentials().unwrap().access_key_id(), "LTAI5tOss");
    assert_eq!(
        chain.source_name().as_deref(),
        Some("environment (OSS_ACCESS_KEY_ID)")
    );
}

#[test]
fn the_oidc_role_from_the_environment() {
    let home = TempDir::new("oidc-env");
    let token_file = home.write("token", "header.payload.signature\n");
    let issue = Issued::new("oidc");
    let sts = sts_stand_in(vec![], &["header.payload.signature"], &issue);
    let dead_proxy = closed_url();
    let env = Env::new(&[
        ("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
        (
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
            token_file.to_str().unwrap(),
        ),
        ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "pod-session"),
        // Loopback services never go through a proxy.
        ("HTTPS_PROXY", &dead_proxy),
        ("HTTP_PROXY", &dead_proxy),
    ]);
    let chain = chain(&env, &home, Some(&sts), None);
    let c = chain.credentials().unwrap();
    assert_eq!(c.access_key_id(), issue.id);
    assert_eq!(c.access_key_secret(), issue.secret);
    assert_eq!(c.security_token(), Some(issue.token.as_str()));
    assert!(c.expiration().is_some());
    assert_eq!(chain.source(), Some(ChainSource::OidcRole));
    assert_eq!(
        chain.source_name().as_deref(),
        Some(format!("OIDC role {ROLE_ARN} (ALIBABA_CLOUD_ROLE_ARN)").as_str())
    );
    let requests = sts.requests();
    assert_eq!(requests.len(), 1);
    let form = credentials_support::decode_pairs(std::str::from_utf8(&requests[0].body).unwrap());
    assert_eq!(form["RoleSessionName"], "pod-session");
    assert_eq!(form["DurationSeconds"], "3600");
}

/// Writes `~/.aliyun/config.json` holding `profiles`, `current` first.
fn cli_config(home: &TempDir, current: &str, profiles: &str) {
    home.write(
        ".aliyun/config.json",
        &format!(r#"{{"current": "{current}", "profiles": [{profiles}], "meta_path": ""}}"#),
    );
}

#[test]
fn every_cli_profile_mode() {
    let issue = Issued::new("cli");
    let session_source =
        Credentials::new(AK_ID, AK_SECRET).with_security_token("SourceStsToken0123");
    let home = TempDir::new("cli-modes");
    let token_file = home.write("rrsa-token", "cli.oidc.token");
    let sts = sts_stand_in(
        vec![ak(), session_source.clone()],
        &["cli.oidc.token"],
        &issue,
    );
    let imds = start_imds(Imds::TokenOptional, issue.clone(), 20);
    let uri = start_uri(issue.clone(), 20);
    let profiles = format!(
        r#"
        {{"name": "ak", "mode": "AK", "access_key_id": "{AK_ID}", "access_key_secret": "{AK_SECRET}", "region_id": "cn-hangzhou"}},
        {{"name": "sts", "mode": "StsToken", "access_key_id": "STS.fixed", "access_key_secret": "{AK_SECRET}", "sts_token": "FixedToken0123"}},
        {{"name": "role", "mode": "RamRoleArn", "access_key_id": "{AK_ID}", "access_key_secret": "{AK_SECRET}", "ram_role_arn": "{ROLE_ARN}", "ram_session_name": "cli-session", "expired_seconds": 900, "external_id": "ext-123", "policy": "{{\"Version\":\"1\",\"Statement\":[]}}"}},
        {{"name": "role-with-token", "mode": "RamRoleArn", "access_key_id": "{AK_ID}", "access_key_secret": "{AK_SECRET}", "sts_token": "SourceStsToken0123", "ram_role_arn": "{ROLE_ARN}"}},
        {{"name": "chained", "mode": "ChainableRamRoleArn", "source_profile": "ak", "ram_role_arn": "{ROLE_ARN}"}},
        {{"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "{ECS_ROLE}"}},
        {{"name": "oidc", "mode": "OIDC", "ram_role_arn": "{ROLE_ARN}", "oidc_provider_arn": "{OIDC_PROVIDER_ARN}", "oidc_token_file": "{}"}},
        {{"name": "uri", "mode": "CredentialsURI", "credentials_uri": "{}/credentials"}}
        "#,
        token_file.display(),
        uri.url()
    );
    cli_config(&home, "ak", &profiles);
    let issued = issue.credentials();
    for (profile, expected_id, mode) in [
        ("ak", AK_ID, "AK"),
        ("sts", "STS.fixed", "StsToken"),
        ("role", issued.access_key_id(), "RamRoleArn"),
        ("role-with-token", issued.access_key_id(), "RamRoleArn"),
        ("chained", issued.access_key_id(), "ChainableRamRoleArn"),
        ("ecs", issued.access_key_id(), "EcsRamRole"),
        ("oidc", issued.access_key_id(), "OIDC"),
        ("uri", issued.access_key_id(), "CredentialsURI"),
    ] {
        let env = Env::new(&[("ALIBABA_CLOUD_PROFILE", profile)]);
        let chain = chain(&env, &home, Some(&sts), Some(&imds));
        let c = chain
            .credentials()
            .unwrap_or_else(|e| panic!("{profile}: {}", full_text(&e)));
        assert_eq!(c.access_key_id(), expected_id, "{profile}");
        assert_eq!(
            chain.source(),
            Some(ChainSource::CliProfile),
            "{profile}: {:?}",
            chain.source_name()
        );
        let name = chain.source_name().unwrap();
        assert!(
            name.starts_with(&format!("CLI profile {profile} ({mode}) in ")),
            "{name}"
        );
        assert!(!name.contains(AK_SECRET));
    }
    // The RamRoleArn options reached STS.
    let role_call = sts
        .requests()
        .into_iter()
        .find(|r| r.query.contains("cli-session"))
        .expect("the role profile's call");
    let q = credentials_support::decode_pairs(&role_call.query);
    assert_eq!(q["DurationSeconds"], "900");
    assert_eq!(q["ExternalId"], "ext-123");
    assert_eq!(q["Policy"], r#"{"Version":"1","Statement":[]}"#);
    // Without ALIBABA_CLOUD_PROFILE, `current` picks the profile.
    let chain = chain(&Env::new(&[]), &home, Some(&sts), Some(&imds));
    assert_eq!(chain.credentials().unwrap().access_key_id(), AK_ID);
}

#[test]
fn unknown_and_broken_cli_profiles_are_refused_clearly() {
    let home = TempDir::new("cli-bad");
    cli_config(
        &home,
        "sso",
        r#"{"name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": "https://signin"},
           {"name": "loop", "mode": "ChainableRamRoleArn", "source_profile": "loop2", "ram_role_arn": "acs:ram::1:role/x"},
           {"name": "loop2", "mode": "ChainableRamRoleArn", "source_profile": "loop", "ram_role_arn": "acs:ram::1:role/x"},
           {"name": "nosecret", "mode": "AK", "access_key_id": "id"}"#,
    );
    for (profile, expected) in [
        (
            "sso",
            r#"has mode "CloudSSO", which oss-process does not support (supported: AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC, CredentialsURI)"#,
        ),
        ("loop", "source_profile links go deeper than 8"),
        ("nosecret", "has no access_key_secret"),
        (
            "missing",
            r#"has no profile "missing" (it has: sso, loop, loop2, nosecret"#,
        ),
    ] {
        let env = Env::new(&[("ALIBABA_CLOUD_PROFILE", profile)]);
        let e = chain(&env, &home, None, None).credentials().unwrap_err();
        let text = e.to_string();
        assert!(text.contains("3. CLI profile: failed, "), "{text}");
        assert!(text.contains(expected), "{profile}: {text}");
    }
    // Disabled: skipped without reading the file.
    let env = Env::new(&[("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "TRUE")]);
    let text = chain(&env, &home, None, None)
        .credentials()
        .unwrap_err()
        .to_string();
    assert!(
        text.contains(
            "3. CLI profile: skipped, disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true"
        ),
        "{text}"
    );
    // ALIBABA_CLOUD_CONFIG_FILE points elsewhere.
    let other = TempDir::new("cli-elsewhere");
    let path = other.write(
        "cfg.json",
        &format!(r#"{{"current": "x", "profiles": [{{"name": "x", "mode": "AK", "access_key_id": "{AK_ID}", "access_key_secret": "{AK_SECRET}"}}]}}"#),
    );
    let env = Env::new(&[("ALIBABA_CLOUD_CONFIG_FILE", path.to_str().unwrap())]);
    let chain = chain(&env, &home, None, None);
    assert_eq!(chain.credentials().unwrap().access_key_id(), AK_ID);
}

#[test]
fn every_credentials_file_type() {
    let issue = Issued::new("ini");
    let home = TempDir::new("ini-types");
    let token_file = home.write("token", "ini.oidc.token");
    let sts = sts_stand_in(vec![ak()], &["ini.oidc.token"], &issue);
    let imds = start_imds(Imds::TokenRequired, issue.clone(), 20);
    home.write(
        ".alibabacloud/credentials",
        &format!(
            "[default]\ntype = access_key   # the plain key\naccess_key_id = {AK_ID}\naccess_key_secret = {AK_SECRET}\n\n\
             [role]\ntype = ram_role_arn\naccess_key_id = {AK_ID}\naccess_key_secret = {AK_SECRET}\nrole_arn = {ROLE_ARN}\nrole_session_name = ini-session\n\n\
             [ecs]\ntype = ecs_ram_role\nrole_name = {ECS_ROLE}\n\n\
             [rrsa]\ntype = oidc_role_arn\nrole_arn = {ROLE_ARN}\noidc_provider_arn = {OIDC_PROVIDER_ARN}\noidc_token_file_path = {}\nrole_session_name = ini-rrsa\n\n\
             [rsa]\ntype = rsa_key_pair\npublic_key_id = x\nprivate_key_file = /x\n",
            token_file.display()
        ),
    );
    let issued = issue.credentials();
    for (section, expected_id) in [
        ("default", AK_ID),
        ("role", issued.access_key_id()),
        ("ecs", issued.access_key_id()),
        ("rrsa", issued.access_key_id()),
    ] {
        let env = Env::new(&[("ALIBABA_CLOUD_PROFILE", section)]);
        let chain = chain(&env, &home, Some(&sts), Some(&imds));
        let c = chain
            .credentials()
            .unwrap_or_else(|e| panic!("{section}: {}", full_text(&e)));
        assert_eq!(c.access_key_id(), expected_id, "{section}");
        assert_eq!(chain.source(), Some(ChainSource::CredentialsFile));
        assert!(
            chain
                .source_name()
                .unwrap()
                .starts_with(&format!("credentials file section [{section}]")),
            "{:?}",
            chain.source_name()
        );
    }
    let env = Env::new(&[("ALIBABA_CLOUD_PROFILE", "rsa")]);
    let text = chain(&env, &home, None, None)
        .credentials()
        .unwrap_err()
        .to_string();
    assert!(
        text.contains(r#"has type "rsa_key_pair", which oss-process does not support (supported: access_key, ram_role_arn, ecs_ram_role, oidc_role_arn)"#),
        "{text}"
    );
    let env = Env::new(&[("ALIBABA_CLOUD_PROFILE", "nope")]);
    let text = chain(&env, &home, None, None)
        .credentials()
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("has no section [nope] (it has: default, ecs, role, rrsa, rsa"),
        "{text}"
    );
    // ALIBABA_CLOUD_CREDENTIALS_FILE, and a missing one is a failure.
    let other = TempDir::new("ini-elsewhere");
    let path = other.write(
        "creds.ini",
        &format!(
            "[default]\ntype=access_key\naccess_key_id={AK_ID}\naccess_key_secret={AK_SECRET}\n"
        ),
    );
    let env = Env::new(&[("ALIBABA_CLOUD_CREDENTIALS_FILE", path.to_str().unwrap())]);
    let empty_home = TempDir::new("ini-empty-home");
    let chain_ = chain(&env, &empty_home, None, None);
    assert_eq!(chain_.credentials().unwrap().access_key_id(), AK_ID);
    let env = Env::new(&[("ALIBABA_CLOUD_CREDENTIALS_FILE", "/no/such/file")]);
    let text = chain(&env, &empty_home, None, None)
        .credentials()
        .unwrap_err()
        .to_string();
    assert!(
        text.contains(
            "4. credentials file: failed, ALIBABA_CLOUD_CREDENTIALS_FILE names /no/such/file"
        ),
        "{text}"
    );
}

#[test]
fn the_ecs_role_with_and_without_metadata_tokens() {
    let issue = Issued::new("ecs");
    let home = TempDir::new("ecs");
    // Hardened instance: token first, sent on every GET.
    let imds = start_imds(Imds::TokenRequired, issue.clone(), 10);
    let chain = chain(&Env::new(&[]), &home, None, Some(&imds));
    assert_eq!(chain.credentials().unwrap().access_key_id(), issue.id);
    assert_eq!(chain.source(), Some(ChainSource::EcsRamRole));
    let paths: Vec<String> = imds
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            "PUT /latest/api/token",
            "GET /latest/meta-data/ram/security-credentials/",
            &format!("GET /latest/meta-data/ram/security-credentials/{ECS_ROLE}"),
        ]
    );
    // An old service without tokens: v1 fallback...
    let v1 = start_imds(Imds::V1Only, issue.clone(), 10);
    let env = Env::new(&[("ALIBABA_CLOUD_ECS_METADATA", ECS_ROLE)]);
    let chain = crate::chain(&env, &home, None, Some(&v1));
    assert_eq!(chain.credentials().unwrap().access_key_id(), issue.id);
    // ...with the role named by ALIBABA_CLOUD_ECS_METADATA (no discovery).
    assert_eq!(v1.count(), 2);
    // ...unless v1 is disabled.
    let v1 = start_imds(Imds::V1Only, issue.clone(), 10);
    let env = Env::new(&[("ALIBABA_CLOUD_IMDSV1_DISABLED", "true")]);
    let text = crate::chain(&env, &home, None, Some(&v1))
        .credentials()
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("5. ECS RAM role: skipped, ECS RAM role: getting a metadata token"),
        "{text}"
    );
    // Disabled: never asked.
    let silent = start_imds(Imds::TokenOptional, issue.clone(), 10);
    let env = Env::new(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]);
    let text = crate::chain(&env, &home, None, Some(&silent))
        .credentials()
        .unwrap_err()
        .to_string();
    assert!(
        text.contains(
            "5. ECS RAM role: skipped, disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"
        ),
        "{text}"
    );
    assert_eq!(silent.count(), 0);
}

#[test]
fn the_credentials_uri_comes_last() {
    let issue = Issued::new("uri");
    let home = TempDir::new("uri");
    let uri = start_uri(issue.clone(), 10);
    let env = Env::new(&[(
        "ALIBABA_CLOUD_CREDENTIALS_URI",
        &format!("{}/credentials", uri.url()),
    )]);
    let chain = chain(&env, &home, None, None);
    assert_eq!(chain.credentials().unwrap().access_key_id(), issue.id);
    assert_eq!(chain.source(), Some(ChainSource::CredentialsUri));
    // A later source never hides an earlier one.
    let imds = start_imds(Imds::TokenOptional, Issued::new("ecs-first"), 10);
    let chain = crate::chain(&env, &home, None, Some(&imds));
    assert_eq!(
        chain.credentials().unwrap().access_key_id(),
        "STS.ecs-first-id"
    );
    assert_eq!(chain.source(), Some(ChainSource::EcsRamRole));
}

#[test]
fn sixteen_threads_walk_the_chain_once() {
    for round in 0..10 {
        let issue = Issued::new("threads");
        let home = TempDir::new("threads");
        let uri = start_uri(issue.clone(), 100);
        let env = Env::new(&[(
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            &format!("{}/credentials", uri.url()),
        )]);
        let chain = chain(&env, &home, None, None);
        let barrier = Arc::new(Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let chain = chain.clone();
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    chain.credentials().map(|c| c.access_key_id().to_string())
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap().unwrap(), issue.id);
        }
        assert_eq!(uri.count(), 1, "round {round}");
    }
}

#[test]
fn debug_shows_no_secret() {
    let env = Env::new(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", AK_SECRET),
    ]);
    let home = TempDir::new("debug");
    let chain = chain(&env, &home, None, None);
    chain.credentials().unwrap();
    let text = format!("{chain:?} {:?}", DefaultChain::builder().env(env.lookup()));
    assert!(text.contains("environment"), "{text}");
    assert!(!text.contains(AK_SECRET), "{text}");
}

/// `process_object` against the emulator, signed with the credentials
/// each source gives (STS credentials with a token from all but the plain
/// AccessKey).
#[cfg(feature = "emulator")]
#[test]
fn process_object_with_credentials_from_every_source() {
    use oss_process::emulator::Emulator;
    use oss_process::{Client, Process, Resize, SaveAs};

    let issue = Issued::new("e2e");
    let emulator = Emulator::builder()
        .credentials(issue.credentials())
        .credentials(ak())
        .start()
        .unwrap();
    emulator
        .put_object("examplebucket", "photo.png", &common::png(64, 48))
        .unwrap();
    let home = TempDir::new("e2e");
    let token_file = home.write("token", "e2e.oidc.token");
    let sts = sts_stand_in(vec![ak()], &["e2e.oidc.token"], &issue);
    let imds = start_imds(Imds::TokenRequired, issue.clone(), 10);
    let uri = start_uri(issue.clone(), 10);
    cli_config(
        &home,
        "role",
        &format!(
            r#"{{"name": "role", "mode": "RamRoleArn", "access_key_id": "{AK_ID}", "access_key_secret": "{AK_SECRET}", "ram_role_arn": "{ROLE_ARN}"}}"#
        ),
    );
    let ini_home = TempDir::new("e2e-ini");
    ini_home.write(
        ".alibabacloud/credentials",
        &format!("[default]\ntype = ram_role_arn\naccess_key_id = {AK_ID}\naccess_key_secret = {AK_SECRET}\nrole_arn = {ROLE_ARN}\nrole_session_name = e2e\n"),
    );
    let empty_home = TempDir::new("e2e-empty");
    let token = token_file.to_str().unwrap().to_string();
    let uri_value = format!("{}/credentials", uri.url());
    let cases: Vec<(ChainSource, Env, &TempDir, Option<&Server>)> = vec![
        (
            ChainSource::Environment,
            Env::new(&[
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", &issue.id),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", &issue.secret),
                ("ALIBABA_CLOUD_SECURITY_TOKEN", &issue.token),
            ]),
            &empty_home,
            None,
        ),
        (
            ChainSource::OidcRole,
            Env::new(&[
                ("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN),
                ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
                ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &token),
            ]),
            &empty_home,
            None,
        ),
        (ChainSource::CliProfile, Env::new(&[]), &home, None),
        (ChainSource::CredentialsFile, Env::new(&[]), &ini_home, None),
        (
            ChainSource::EcsRamRole,
            Env::new(&[]),
            &empty_home,
            Some(&imds),
        ),
        (
            ChainSource::CredentialsUri,
            Env::new(&[("ALIBABA_CLOUD_CREDENTIALS_URI", &uri_value)]),
            &empty_home,
            None,
        ),
    ];
    for (i, (source, env, home, imds)) in cases.into_iter().enumerate() {
        let chain = chain(&env, home, Some(&sts), imds);
        let client = Client::builder()
            .region(emulator.region())
            .endpoint(emulator.endpoint())
            .credentials_provider(chain.clone())
            .build()
            .unwrap();
        let target = format!("thumbs/{i}.png");
        let process = Process::image()
            .resize(Resize::fixed(16, 12))
            .save_as(SaveAs::new(&target))
            .build()
            .unwrap();
        let result = client
            .process_object("examplebucket", "photo.png", &process)
            .unwrap_or_else(|e| panic!("{source}: {}", full_text(&e)));
        assert_eq!(result.key(), target, "{source}");
        assert_eq!(chain.source(), Some(source));
        assert_eq!(
            chain.credentials().unwrap().security_token(),
            Some(issue.token.as_str()),
            "{source}"
        );
    }
}
