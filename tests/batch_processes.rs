//! The batch example as the separate processes users run: four shards at
//! once (given by flag, by a Slurm job array's variables, by a Kubernetes
//! Indexed Job's) cover every key exactly once; a run killed halfway
//! (SIGKILL) and rerun with its journal does again only the keys that
//! were in flight; bad flags, shards and journals are refused before any
//! request.
//!
//! The children are this test binary again, running [`child`] with the
//! example's command line in `BATCH_CHILD_ARGS`.

#![cfg(feature = "emulator")]

#[allow(dead_code)]
#[path = "../examples/batch.rs"]
mod batch;
mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{AK, Counts, SK, photos_emulator};
use oss_process::emulator::Emulator;
use oss_process::{Client, Credentials};

const CHILD_ARGS: &str = "BATCH_CHILD_ARGS";

/// Looks a variable up.
type Env = dyn Fn(&str) -> Option<String>;
/// The scheduler's variables for task `i`.
type EnvFor = Box<dyn Fn(usize) -> Vec<(&'static str, String)>>;
/// Scheduler variables a child must not inherit from whoever runs the tests.
const SCHEDULER_VARS: &[&str] = &[
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP",
    "JOB_COMPLETION_INDEX",
    "JOB_COMPLETIONS",
];

/// The body of the child processes: runs the example's command line from
/// `BATCH_CHILD_ARGS` and exits with its status. Without the variable (an
/// ordinary test run) it does nothing.
#[test]
fn child() {
    let Ok(args) = std::env::var(CHILD_ARGS) else {
        return;
    };
    let argv: Vec<String> = serde_json::from_str(&args).unwrap();
    let env = |name: &str| std::env::var(name).ok();
    std::process::exit(batch::cli(argv, &env).into());
}

/// Starts this binary as a child running the example with `argv`, the
/// emulator's credentials, and `env`.
fn spawn(argv: &[String], env: &[(&str, String)]) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "child", "--nocapture", "--test-threads", "1"])
        .env(CHILD_ARGS, serde_json::to_string(argv).unwrap())
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", AK)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SK)
        .env_remove("ALIBABA_CLOUD_SECURITY_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in SCHEDULER_VARS {
        command.env_remove(var);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.spawn().expect("start the child")
}

fn text(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// An emulator with `n` photos under `in/`, counting what it answers.
fn seeded(n: usize) -> (Emulator, Counts, Vec<String>) {
    let keys: Vec<String> = (0..n).map(|i| format!("in/{i:03} 照片.png")).collect();
    let (emulator, counts) = photos_emulator(&keys);
    (emulator, counts, keys)
}

fn argv(emulator: &Emulator, target_prefix: &str, extra: &[&str]) -> Vec<String> {
    let mut argv: Vec<String> = [
        "--region",
        "cn-hangzhou",
        "--endpoint",
        emulator.endpoint(),
        "--bucket",
        "photos",
        "--prefix",
        "in/",
        "--style",
        "image/resize,m_lfit,w_16,h_16",
        "--target_bucket",
        "thumbs",
        "--target_prefix",
        target_prefix,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    argv.extend(extra.iter().map(|s| s.to_string()));
    argv
}

fn path_arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "oss-process-batch-processes-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The successful process requests of each key.
fn per_key(counts: &Counts, keys: &[String]) -> Vec<usize> {
    let counts = counts.lock().unwrap();
    keys.iter()
        .map(|key| {
            let encoded = format!(
                "/photos/{}?x-oss-process",
                percent_encoding::utf8_percent_encode(key, PATH)
            );
            counts.get(&encoded).copied().unwrap_or(0)
        })
        .collect()
}

const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

#[test]
fn four_shards_as_four_processes_cover_every_key_once() {
    let (emulator, counts, keys) = seeded(40);
    let dir = scratch("shards");
    let n = |i: usize| i.to_string();
    // Slurm numbers the tasks of `--array=1-10:3` 1, 4, 7, 10.
    let modes: [(&str, EnvFor, Vec<String>); 3] = [
        ("flag", Box::new(|_| vec![]), vec![]),
        (
            "slurm",
            Box::new(move |i| {
                vec![
                    ("SLURM_ARRAY_TASK_ID", n(1 + 3 * i)),
                    ("SLURM_ARRAY_TASK_MIN", n(1)),
                    ("SLURM_ARRAY_TASK_MAX", n(10)),
                    ("SLURM_ARRAY_TASK_STEP", n(3)),
                    ("SLURM_ARRAY_TASK_COUNT", n(4)),
                ]
            }),
            vec!["Slurm job array".to_string()],
        ),
        (
            "indexed",
            Box::new(move |i| vec![("JOB_COMPLETION_INDEX", n(i)), ("JOB_COMPLETIONS", n(4))]),
            vec!["Kubernetes Indexed Job".to_string()],
        ),
    ];
    for (mode, env, says) in &modes {
        counts.lock().unwrap().clear();
        let journal = dir.join(format!("{mode}-{{}}.journal"));
        let report = dir.join(format!("{mode}.json"));
        let children: Vec<Child> = (0..4)
            .map(|i| {
                let shard = format!("{i}/4");
                let mut extra = vec![
                    "--threads",
                    "3",
                    "--journal",
                    journal.to_str().unwrap(),
                    "--report",
                    report.to_str().unwrap(),
                ];
                if *mode == "flag" {
                    extra.extend(["--shard", shard.as_str()]);
                }
                let argv = argv(&emulator, &format!("{mode}/"), &extra);
                spawn(&argv, &env(i))
            })
            .collect();
        let mut done = 0;
        for (i, child) in children.into_iter().enumerate() {
            let output = child.wait_with_output().unwrap();
            let all = text(&output);
            assert!(output.status.success(), "{mode} shard {i}: {all}");
            for said in says {
                assert!(
                    all.contains(said) && all.contains(&format!("shard {i}/4")),
                    "{all}"
                );
            }
            let report = dir.join(format!("{mode}.shard-{i}-of-4.json"));
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
            assert_eq!(json["shard"], format!("{i}/4"));
            assert_eq!(json["listed"], 40);
            done += json["done"].as_u64().unwrap();
            let journal = dir.join(format!("{mode}-{i}.journal"));
            let lines = std::fs::read_to_string(&journal).unwrap().lines().count() as u64;
            assert_eq!(
                lines,
                1 + json["done"].as_u64().unwrap(),
                "{}",
                journal.display()
            );
        }
        assert_eq!(done, 40, "{mode}");
        assert_eq!(per_key(&counts, &keys), vec![1; 40], "{mode}");
        for key in &keys {
            let path = emulator
                .object_path("thumbs", &format!("{mode}/{key}"))
                .unwrap();
            assert!(path.is_file(), "{mode}: {key}");
        }
    }
}

#[test]
fn killed_halfway_then_rerun_with_its_journal_redoes_only_keys_in_flight() {
    const KEYS: usize = 120;
    const THREADS: usize = 4;
    let (emulator, counts, keys) = seeded(KEYS);
    let dir = scratch("killed");
    let journal = dir.join("run.journal");
    let journal_arg = path_arg(&journal);
    let threads = THREADS.to_string();
    // 40 requests a second: the run takes three seconds, killed after a
    // quarter.
    let slow = argv(
        &emulator,
        "t/",
        &[
            "--threads",
            &threads,
            "--journal",
            &journal_arg,
            "--max_rps",
            "40",
        ],
    );
    let mut child = spawn(&slow, &[]);
    let journaled = |path: &Path| -> BTreeSet<String> {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.split_inclusive('\n')
            .skip(1)
            .filter(|line| line.ends_with('\n'))
            .map(|line| serde_json::from_str(line.trim_end()).unwrap())
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while journaled(&journal).len() < KEYS / 4 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before the kill"
        );
        assert!(Instant::now() < deadline, "the run made no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "{status:?}");
    let before_kill = journaled(&journal);
    assert!(before_kill.len() < KEYS, "{}", before_kill.len());

    let rerun = argv(
        &emulator,
        "t/",
        &["--threads", &threads, "--journal", &journal_arg],
    );
    let output = spawn(&rerun, &[]).wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("{} in the journal", before_kill.len())),
        "{stdout}"
    );
    assert_eq!(journaled(&journal).len(), KEYS);

    let processed = per_key(&counts, &keys);
    for (key, n) in keys.iter().zip(&processed) {
        assert!(*n >= 1, "{key} never processed");
        if before_kill.contains(key) {
            assert_eq!(*n, 1, "{key} was journaled, yet processed again");
        }
    }
    // Only the keys in the threads' hands at the kill were done twice.
    let twice = processed.iter().filter(|&&n| n > 1).count();
    assert!(twice <= THREADS, "{twice} keys processed twice");
}

#[test]
fn bad_flags_shards_and_journals_are_refused_before_any_request() {
    let (emulator, counts, _) = seeded(2);
    let base = argv(&emulator, "t/", &[]);
    let env_none = |_: &str| None;
    for (extra, says) in [
        (vec!["--threads", "0"], "--threads"),
        (vec!["--threads", "many"], "--threads"),
        (vec!["--shard", "4/4"], "shard"),
        (vec!["--shard", "1of4"], "I/N"),
        (vec!["--shard", "0/4", "--shard_count", "4"], "not both"),
        (vec!["--shard_count", "0"], "--shard_count"),
        (vec!["--max_rps", "-1"], "--max_rps"),
        (vec!["--max_rps", "fast"], "--max_rps"),
        (vec!["--keys", "k.txt"], "not both"),
        (vec!["--colour", "red"], "unknown flag --colour"),
        (vec!["--journal"], "needs a value"),
    ] {
        let mut argv = base.clone();
        argv.extend(extra.iter().map(|s| s.to_string()));
        let e = batch::parse_args(argv.clone()).expect_err("refused");
        assert!(e.contains(says), "{extra:?}: {e}");
        assert_eq!(batch::cli(argv, &env_none), 2, "{extra:?}");
    }
    let mut no_source = base.clone();
    let at = no_source.iter().position(|a| a == "--prefix").unwrap();
    no_source.drain(at..at + 2);
    assert!(
        batch::parse_args(no_source)
            .unwrap_err()
            .contains("--prefix")
    );

    // What only the run can see: the environment's shard, the journal,
    // the key file, the style.
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(emulator.endpoint())
        .credentials(Credentials::new(AK, SK))
        .build()
        .unwrap();
    let dir = scratch("refused");
    let garbage = dir.join("garbage.journal");
    std::fs::write(&garbage, "not a journal\n").unwrap();
    let parse = |extra: &[&str]| {
        let mut argv = base.clone();
        argv.extend(extra.iter().map(|s| s.to_string()));
        batch::parse_args(argv).unwrap()
    };
    let irregular = |name: &str| match name {
        "SLURM_ARRAY_TASK_ID" => Some("5".to_string()),
        "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
        "SLURM_ARRAY_TASK_MAX" => Some("9".to_string()),
        "SLURM_ARRAY_TASK_COUNT" => Some("3".to_string()),
        _ => None,
    };
    let no_count = |name: &str| (name == "JOB_COMPLETION_INDEX").then(|| "1".to_string());
    let cases: Vec<(batch::Args, &Env, &str)> = vec![
        (
            parse(&["--journal", garbage.to_str().unwrap()]),
            &env_none,
            "not a batch journal",
        ),
        (
            parse(&["--journal", dir.to_str().unwrap()]),
            &env_none,
            "cannot open",
        ),
        (parse(&[]), &irregular, "evenly spaced"),
        (parse(&[]), &no_count, "JOB_COMPLETIONS"),
        (parse(&["--shard_count", "4"]), &env_none, "job array"),
        (
            batch::Args {
                keys: batch::Keys::File(dir.join("missing.txt")),
                ..parse(&[])
            },
            &env_none,
            "cannot open --keys",
        ),
        (
            batch::Args {
                style: "image/resize,w_99999".into(),
                ..parse(&[])
            },
            &env_none,
            "--style",
        ),
    ];
    for (args, env, says) in cases {
        let e = batch::run(&args, &client, env).expect_err("refused");
        assert!(e.contains(says), "{says}: {e}");
    }
    assert!(counts.lock().unwrap().is_empty(), "no request at all");
}
