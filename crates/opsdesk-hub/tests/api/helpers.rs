//! The test harness lives in `opsdesk_hub::testing` (shared with benchmarks and the desktop
//! client's tests); this module adds the macro that runs one test body on both databases.

pub use opsdesk_hub::testing::*;

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
