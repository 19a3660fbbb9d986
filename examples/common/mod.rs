//! What the examples share: `--name value` flags with a usage text, and an
//! error printed with its chain of causes.

#![allow(dead_code)] // each example uses its own part of this

use std::collections::{HashMap, HashSet};
use std::fmt::Display;
use std::str::FromStr;

/// The command line as `--name value` (or `--name=value`) pairs and bare
/// switches; every flag must be taken, so a misspelt one is an error.
pub struct Flags {
    values: HashMap<String, String>,
    switches: HashSet<String>,
    usage: &'static str,
}

impl Flags {
    /// Reads the process's arguments. `switches` name the flags that take
    /// no value. `-h`/`--help` gives the usage as the error.
    pub fn from_env(usage: &'static str, switches: &[&str]) -> Result<Flags, String> {
        Flags::parse(std::env::args().skip(1), usage, switches)
    }

    /// [`Flags::from_env`] over given arguments.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        usage: &'static str,
        switches: &[&str],
    ) -> Result<Flags, String> {
        let mut flags = Flags {
            values: HashMap::new(),
            switches: HashSet::new(),
            usage,
        };
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            if arg == "-h" || arg == "--help" {
                return Err(usage.to_string());
            }
            let flag = arg
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {arg:?}\n{usage}"))?;
            if switches.contains(&flag) {
                flags.switches.insert(flag.to_string());
                continue;
            }
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => {
                    let v = it
                        .next()
                        .ok_or_else(|| format!("--{flag} needs a value\n{usage}"))?;
                    (flag.to_string(), v)
                }
            };
            flags.values.insert(name, value);
        }
        Ok(flags)
    }

    /// The value of `--name`, if given.
    pub fn optional(&mut self, name: &str) -> Option<String> {
        self.values.remove(name)
    }

    /// The value of `--name`, which must be given.
    pub fn required(&mut self, name: &str) -> Result<String, String> {
        self.optional(name)
            .ok_or_else(|| format!("--{name} is required\n{}", self.usage))
    }

    /// `--name` parsed as a `T`, or `default` when not given.
    pub fn parsed_or<T: FromStr>(&mut self, name: &str, default: T) -> Result<T, String>
    where
        T::Err: Display,
    {
        match self.optional(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|e| format!("--{name} {v:?}: {e}")),
        }
    }

    /// Whether the switch `--name` was given.
    pub fn switch(&mut self, name: &str) -> bool {
        self.switches.remove(name)
    }

    /// Fails on any flag nobody took.
    pub fn finish(self) -> Result<(), String> {
        match self.values.keys().chain(self.switches.iter()).next() {
            Some(extra) => Err(format!("unknown flag --{extra}\n{}", self.usage)),
            None => Ok(()),
        }
    }
}

/// Prints `context: error`, then each cause on its own line.
pub fn print_error(context: &str, error: &dyn std::error::Error) {
    eprintln!("{context}: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
}
