//! Splitting a batch over machines: shard `i` of `n` holds the keys whose
//! 64-bit FNV-1a hash is `i` modulo `n`, the same on every machine, build
//! and run. A shard comes from a flag (`I/N`), or from the environment of
//! the job array running it: a Slurm job array or a Kubernetes Indexed
//! Job. Each shard keeps its own journal and report, named by
//! [`Shard::path_for`].

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The 64-bit FNV-1a offset basis and prime.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Shard `index` of `count`: the keys whose 64-bit FNV-1a hash (of the
/// key's UTF-8 bytes) is `index` modulo `count`. Every key is in exactly
/// one shard of a count, on every machine and with every build.
///
/// ```
/// use oss_process::batch::Shard;
///
/// let shards: Vec<Shard> = (0..4).map(|i| Shard::new(i, 4).unwrap()).collect();
/// for key in ["a.jpg", "photos/猫.png", ""] {
///     assert_eq!(shards.iter().filter(|s| s.contains(key)).count(), 1);
/// }
/// assert_eq!(Shard::parse("2/4")?, shards[2]);
/// assert_eq!(shards[2].to_string(), "2/4");
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Default for Shard {
    fn default() -> Self {
        Shard::ALL
    }
}

impl Shard {
    /// The one shard of one: every key.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Shard `index` of `count` (`index` from 0, below `count`).
    pub fn new(index: u32, count: u32) -> Result<Shard, Error> {
        if count == 0 || index >= count {
            return Err(Error::invalid(
                "shard",
                format!(
                    "{index}/{count}: the index must be 0 to count-1, and the count at least 1"
                ),
            ));
        }
        Ok(Shard { index, count })
    }

    /// Reads `I/N`, e.g. `0/4` (the first of four).
    pub fn parse(text: &str) -> Result<Shard, Error> {
        let bad = || {
            Error::invalid(
                "shard",
                format!("{text:?} is not I/N, an index from 0 and a count, e.g. 0/4"),
            )
        };
        let (index, count) = text.trim().split_once('/').ok_or_else(bad)?;
        let number = |s: &str| -> Result<u32, Error> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse().map_err(|_| bad())
        };
        Shard::new(number(index)?, number(count)?)
    }

    /// The shard's index, from 0.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// How many shards there are.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Whether `key` belongs to this shard.
    pub fn contains(&self, key: &str) -> bool {
        Shard::index_of(key, self.count) == self.index
    }

    /// The shard of `count` that `key` belongs to (`count` 0 counts as 1).
    pub fn index_of(key: &str, count: u32) -> u32 {
        (fnv1a(key.as_bytes()) % u64::from(count.max(1))) as u32
    }

    /// The file this shard writes where `path` is given: `{}` in the path
    /// is replaced by the index; otherwise, with more than one shard,
    /// `.shard-I-of-N` goes before the extension (`run.journal` becomes
    /// `run.shard-2-of-4.journal`). One shard keeps `path` as it is.
    ///
    /// ```
    /// use std::path::Path;
    /// use oss_process::batch::Shard;
    ///
    /// let shard = Shard::new(2, 4)?;
    /// assert_eq!(shard.path_for(Path::new("out/report-{}.json")), Path::new("out/report-2.json"));
    /// assert_eq!(shard.path_for(Path::new("out/run.journal")), Path::new("out/run.shard-2-of-4.journal"));
    /// assert_eq!(Shard::ALL.path_for(Path::new("run.journal")), Path::new("run.journal"));
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn path_for(&self, path: &Path) -> PathBuf {
        if let Some(text) = path.to_str()
            && text.contains("{}")
        {
            return PathBuf::from(text.replace("{}", &self.index.to_string()));
        }
        if self.count == 1 {
            return path.to_path_buf();
        }
        let mut name = path.file_stem().unwrap_or_default().to_os_string();
        name.push(format!(".shard-{}-of-{}", self.index, self.count));
        if let Some(extension) = path.extension() {
            name.push(".");
            name.push(extension);
        }
        path.with_file_name(name)
    }

    /// The shard a job array's environment gives this process, with a
    /// sentence saying where it came from; `None` outside a job array.
    /// `env` looks a variable up (`|name| std::env::var(name).ok()`);
    /// `count` is the shard count given some other way (a flag), needed
    /// where the environment lacks it.
    ///
    /// - Slurm job array: `SLURM_ARRAY_TASK_ID`, mapped by its position
    ///   among the array's ids (`SLURM_ARRAY_TASK_MIN`, `_STEP`), since
    ///   ids need not start at 0 (`--array=1-4` or `--array=0-30:10` are 4
    ///   shards); the count is `SLURM_ARRAY_TASK_COUNT`. An array whose ids
    ///   are not evenly spaced (`--array=1,5,9,10`) has no such mapping and
    ///   is refused.
    /// - Kubernetes Indexed Job: `JOB_COMPLETION_INDEX`, with the count
    ///   from `count` or `JOB_COMPLETIONS` (set it in the manifest to the
    ///   job's `completions`).
    ///
    /// ```
    /// use oss_process::batch::Shard;
    ///
    /// let slurm = |name: &str| match name {
    ///     "SLURM_ARRAY_TASK_ID" => Some("7".to_string()),
    ///     "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
    ///     "SLURM_ARRAY_TASK_STEP" => Some("3".to_string()),
    ///     "SLURM_ARRAY_TASK_COUNT" => Some("4".to_string()),
    ///     _ => None,
    /// };
    /// let (shard, said) = Shard::from_scheduler(slurm, None)?.unwrap();
    /// assert_eq!(shard, Shard::new(2, 4)?);
    /// assert!(said.contains("Slurm"), "{said}");
    /// assert!(Shard::from_scheduler(|_| None, None)?.is_none());
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn from_scheduler(
        env: impl Fn(&str) -> Option<String>,
        count: Option<u32>,
    ) -> Result<Option<(Shard, String)>, Error> {
        if let Some(id) = env("SLURM_ARRAY_TASK_ID") {
            return slurm(&id, &env, count).map(Some);
        }
        if let Some(index) = env("JOB_COMPLETION_INDEX") {
            return indexed_job(&index, &env, count).map(Some);
        }
        Ok(None)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// A variable that must be a number when set.
fn number(env: &impl Fn(&str) -> Option<String>, name: &str) -> Result<Option<u64>, Error> {
    match env(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| Error::invalid("shard", format!("{name}={v:?} is not a whole number"))),
    }
}

fn to_u32(n: u64, what: &str) -> Result<u32, Error> {
    u32::try_from(n).map_err(|_| Error::invalid("shard", format!("{what} {n} is too large")))
}

fn slurm(
    id_text: &str,
    env: &impl Fn(&str) -> Option<String>,
    given_count: Option<u32>,
) -> Result<(Shard, String), Error> {
    let id: u64 = id_text.trim().parse().map_err(|_| {
        Error::invalid(
            "shard",
            format!("SLURM_ARRAY_TASK_ID={id_text:?} is not a whole number"),
        )
    })?;
    let min = number(env, "SLURM_ARRAY_TASK_MIN")?;
    let max = number(env, "SLURM_ARRAY_TASK_MAX")?;
    let step = number(env, "SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
    let listed = number(env, "SLURM_ARRAY_TASK_COUNT")?;
    let (position, count) = match min {
        Some(min) => {
            // Evenly spaced ids: MIN, MIN+STEP, ... up to MAX.
            let spaced = max.map(|max| max.saturating_sub(min) / step + 1);
            let count = listed.or(spaced).or(given_count.map(u64::from)).ok_or_else(|| {
                Error::invalid(
                    "shard",
                    "SLURM_ARRAY_TASK_ID is set without SLURM_ARRAY_TASK_COUNT or _MAX: give the shard count",
                )
            })?;
            let irregular =
                spaced.is_some_and(|s| s != count) || id < min || !(id - min).is_multiple_of(step);
            if irregular {
                return Err(Error::invalid(
                    "shard",
                    format!(
                        "Slurm array task {id} is one of {count} whose ids ({min} to {}, step {step}) are not evenly spaced, so its shard cannot be told from its id: submit the array as --array=0-{} (or A-B:S), or give the shard as I/N",
                        max.map_or_else(|| "?".to_string(), |m| m.to_string()),
                        count.saturating_sub(1)
                    ),
                ));
            }
            ((id - min) / step, count)
        }
        None => {
            let count = listed.or(given_count.map(u64::from)).ok_or_else(|| {
                Error::invalid(
                    "shard",
                    "SLURM_ARRAY_TASK_ID is set without SLURM_ARRAY_TASK_COUNT: give the shard count",
                )
            })?;
            (id, count)
        }
    };
    if let Some(given) = given_count
        && u64::from(given) != count
    {
        return Err(Error::invalid(
            "shard",
            format!("the shard count {given} differs from the Slurm array's {count} tasks"),
        ));
    }
    let shard = Shard::new(
        to_u32(position, "the task position")?,
        to_u32(count, "the task count")?,
    )?;
    let said = format!(
        "shard {shard} from the Slurm job array (task id {id}, position {position} of {count})"
    );
    Ok((shard, said))
}

fn indexed_job(
    index_text: &str,
    env: &impl Fn(&str) -> Option<String>,
    given_count: Option<u32>,
) -> Result<(Shard, String), Error> {
    let index: u64 = index_text.trim().parse().map_err(|_| {
        Error::invalid(
            "shard",
            format!("JOB_COMPLETION_INDEX={index_text:?} is not a whole number"),
        )
    })?;
    let (count, from) = match given_count {
        Some(count) => (u64::from(count), "given"),
        None => (
            number(env, "JOB_COMPLETIONS")?.ok_or_else(|| {
                Error::invalid(
                    "shard",
                    "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but not the shard count: give it, or set JOB_COMPLETIONS to the job's completions",
                )
            })?,
            "JOB_COMPLETIONS",
        ),
    };
    let shard = Shard::new(
        to_u32(index, "the completion index")?,
        to_u32(count, "the completion count")?,
    )?;
    let said = format!(
        "shard {shard} from the Kubernetes Indexed Job (JOB_COMPLETION_INDEX {index}, count {count} {from})"
    );
    Ok((shard, said))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        // Pinned: a change here would move keys between shards of runs
        // already under way.
        assert_eq!(
            Shard::index_of("photos/猫.jpg", 4),
            (fnv1a("photos/猫.jpg".as_bytes()) % 4) as u32
        );
        assert_eq!(
            Shard::index_of("a", 10),
            (0xaf63_dc4c_8601_ec8c_u64 % 10) as u32
        );
    }

    #[test]
    fn shards_split_keys_evenly_and_exactly() {
        let shards: Vec<Shard> = (0..8).map(|i| Shard::new(i, 8).unwrap()).collect();
        let mut sizes = [0usize; 8];
        for i in 0..8000 {
            let key = format!("photos/{i:05}.jpg");
            let holders: Vec<_> = shards.iter().filter(|s| s.contains(&key)).collect();
            assert_eq!(holders.len(), 1, "{key}");
            sizes[holders[0].index() as usize] += 1;
        }
        assert!(sizes.iter().all(|&n| (800..1200).contains(&n)), "{sizes:?}");
    }

    #[test]
    fn parsing_and_bad_shards() {
        assert_eq!(Shard::parse(" 3/4 ").unwrap(), Shard::new(3, 4).unwrap());
        for bad in [
            "4/4", "1/0", "1", "a/4", "-1/4", "1/4/5", "/4", "1/", "+1/4",
        ] {
            let e = Shard::parse(bad).unwrap_err();
            assert!(e.to_string().contains("shard"), "{bad}: {e}");
        }
    }

    #[test]
    fn paths_per_shard() {
        let s = Shard::new(1, 3).unwrap();
        assert_eq!(s.path_for(Path::new("j-{}.txt")), Path::new("j-1.txt"));
        assert_eq!(
            s.path_for(Path::new("journal")),
            Path::new("journal.shard-1-of-3")
        );
        assert_eq!(
            s.path_for(Path::new("/t/r.json")),
            Path::new("/t/r.shard-1-of-3.json")
        );
    }

    #[test]
    fn slurm_arrays_map_task_ids_by_position() {
        type Case<'a> = (&'a [(&'a str, &'a str)], (u32, u32));
        let cases: &[Case<'_>] = &[
            // --array=0-3
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "2"),
                    ("SLURM_ARRAY_TASK_MIN", "0"),
                    ("SLURM_ARRAY_TASK_MAX", "3"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                (2, 4),
            ),
            // --array=1-4
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_MIN", "1"),
                    ("SLURM_ARRAY_TASK_MAX", "4"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                (0, 4),
            ),
            // --array=0-30:10
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "30"),
                    ("SLURM_ARRAY_TASK_MIN", "0"),
                    ("SLURM_ARRAY_TASK_MAX", "30"),
                    ("SLURM_ARRAY_TASK_STEP", "10"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                (3, 4),
            ),
            // Only the id and the count.
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_COUNT", "2"),
                ],
                (1, 2),
            ),
        ];
        for (vars, (index, count)) in cases {
            let (shard, said) = Shard::from_scheduler(env(vars), None).unwrap().unwrap();
            assert_eq!(shard, Shard::new(*index, *count).unwrap(), "{vars:?}");
            assert!(
                said.contains("Slurm") && said.contains(&shard.to_string()),
                "{said}"
            );
        }
        // --array=1,5,7: COUNT 3, MIN 1, MAX 7: not evenly spaced.
        let e = Shard::from_scheduler(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "7"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ]),
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("evenly spaced"), "{e}");
        for (vars, says) in [
            (&[("SLURM_ARRAY_TASK_ID", "x")][..], "whole number"),
            (&[("SLURM_ARRAY_TASK_ID", "1")][..], "count"),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "4"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ][..],
                "0 to count-1",
            ),
        ] {
            let e = Shard::from_scheduler(env(vars), None).unwrap_err();
            assert!(e.to_string().contains(says), "{vars:?}: {e}");
        }
        let e = Shard::from_scheduler(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
            ]),
            Some(3),
        )
        .unwrap_err();
        assert!(e.to_string().contains("differs"), "{e}");
    }

    #[test]
    fn indexed_jobs_need_their_count() {
        let (shard, said) = Shard::from_scheduler(
            env(&[("JOB_COMPLETION_INDEX", "3"), ("JOB_COMPLETIONS", "4")]),
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(shard, Shard::new(3, 4).unwrap());
        assert!(said.contains("Indexed Job"), "{said}");
        let (shard, _) = Shard::from_scheduler(env(&[("JOB_COMPLETION_INDEX", "0")]), Some(2))
            .unwrap()
            .unwrap();
        assert_eq!(shard, Shard::new(0, 2).unwrap());
        let e = Shard::from_scheduler(env(&[("JOB_COMPLETION_INDEX", "0")]), None).unwrap_err();
        assert!(e.to_string().contains("JOB_COMPLETIONS"), "{e}");
        let e = Shard::from_scheduler(
            env(&[("JOB_COMPLETION_INDEX", "5"), ("JOB_COMPLETIONS", "4")]),
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("0 to count-1"), "{e}");
    }
}
