//! The test harness lives in `opsdesk_hub::testing` (shared with benchmarks and the desktop
//! client's tests); this module adds the macro that runs one test body on both databases.

pub use opsdesk_hub::testing::*;

/// A typed request written as JSON, for tests that spell bodies out (and bodies the types
/// would not let a test build, such as a password too short).
pub fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("the JSON is a request of this type")
}

/// Generates one `#[tokio::test]` per database from one body: `both!(name, |app| async move {..})`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app($crate::helpers::Db::Sqlite).await;
                ($body)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::helpers::spawn_app($crate::helpers::Db::Postgres).await;
                ($body)(app).await;
            }
        }
    };
}
