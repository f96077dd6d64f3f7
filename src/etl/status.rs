//! The status of an ETL execution and of each location in it: one text per variant, the
//! same in `etl_executions.status` / `etl_execution_details.status` (the migrations' CHECK
//! lists), in the API's JSON, in `[notifications.email].send_on` and in the CLI's table.

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// An enum stored and shown as fixed texts: `as_str`/`parse`, `Display`, serde and SQLite
/// conversions, and comparison with a text (`report.status == "success"`).
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored and shown text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // `pad`, not `write_str`: the CLI's table aligns statuses with `{:<8}`.
                f.pad(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&text).ok_or_else(|| serde::de::Error::unknown_variant(&text, &[$($text,)+]))
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $name::parse(text).ok_or_else(|| FromSqlError::Other(format!("{}: unknown status «{text}»", stringify!($name)).into()))
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }
    };
}

text_enum! {
    /// The status of an execution (`etl_executions.status`).
    RunStatus {
        /// Recorded at the start; every run leaves it (also a killed process's, at the next start).
        #[default]
        Running => "running",
        /// Every processed location succeeded.
        Success => "success",
        /// Some locations succeeded, some failed.
        Partial => "partial",
        /// No location succeeded (or none could be processed).
        Failed => "failed",
        /// Left `running` by a process that ended.
        Killed => "killed",
    }
}

text_enum! {
    /// The status of one location in an execution (`etl_execution_details.status`).
    LocationStatus {
        /// Recorded when the location starts.
        #[default]
        Running => "running",
        Success => "success",
        Failed => "failed",
        /// Not processed (inactive, no connector, missing settings): not counted in the run's status.
        Skipped => "skipped",
    }
}

impl RunStatus {
    /// The run's status from its processed locations' (skipped ones left out): none → failed.
    pub fn of_locations(processed: impl IntoIterator<Item = LocationStatus>) -> RunStatus {
        let (mut ok, mut failed) = (0usize, 0usize);
        for s in processed {
            if s == LocationStatus::Success {
                ok += 1;
            } else {
                failed += 1;
            }
        }
        match (ok, failed) {
            (0, _) => RunStatus::Failed,
            (_, 0) => RunStatus::Success,
            _ => RunStatus::Partial,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_texts_are_the_stored_ones_both_ways() {
        let texts: Vec<&str> = RunStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(texts, ["running", "success", "partial", "failed", "killed"]);
        let texts: Vec<&str> = LocationStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(texts, ["running", "success", "failed", "skipped"]);
        for s in RunStatus::ALL {
            assert_eq!(RunStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.as_str()));
            assert_eq!(serde_json::from_value::<RunStatus>(serde_json::json!(s.as_str())).unwrap(), *s);
        }
        assert_eq!(RunStatus::parse("ok"), None);
        assert_eq!(format!("[{:<8}]", LocationStatus::Failed), "[failed  ]");
        assert!(serde_json::from_value::<LocationStatus>(serde_json::json!("partial")).is_err());
    }

    #[test]
    fn sqlite_stores_and_reads_the_same_text() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (status TEXT)").unwrap();
        c.execute("INSERT INTO t VALUES (?1)", [RunStatus::Partial]).unwrap();
        let text: String = c.query_row("SELECT status FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(text, "partial");
        let back: RunStatus = c.query_row("SELECT status FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(back, RunStatus::Partial);
        let unknown: rusqlite::Result<LocationStatus> = c.query_row("SELECT 'partial'", [], |r| r.get(0));
        assert!(unknown.is_err());
    }

    #[test]
    fn a_run_is_partial_only_with_successes_and_failures() {
        use LocationStatus::*;
        assert_eq!(RunStatus::of_locations([]), RunStatus::Failed);
        assert_eq!(RunStatus::of_locations([Success, Success]), RunStatus::Success);
        assert_eq!(RunStatus::of_locations([Success, Failed]), RunStatus::Partial);
        assert_eq!(RunStatus::of_locations([Failed]), RunStatus::Failed);
    }
}
