//! The store suite: every behaviour is written once against `dyn Store` and run on a fresh
//! SQLite file and a fresh PostgreSQL database (PostgreSQL must be reachable).

/// Generates, for each named `async fn(Arc<dyn Store>)` of the calling module, a test in
/// `sqlite::` and one in `postgres::`, each on its own fresh database.
macro_rules! store_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = crate::harness::sqlite().await;
                    super::$name(db.store.clone()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = crate::harness::postgres().await;
                    super::$name(db.store.clone()).await;
                }
            )*
        }
    };
}

/// Awaits a store call and asserts it failed with an error matching `pattern`; `context` (if
/// given) names the case in the failure message.
macro_rules! assert_refused {
    ($call:expr, $pattern:pat $(, $context:expr)?) => {{
        let err = $call.await.unwrap_err();
        let context = String::new() $(+ &format!("{}: ", $context))?;
        assert!(matches!(err, $pattern), "{context}{err:?}");
    }};
}

mod access;
mod audit;
mod harness;
mod rls;
mod security_events;
mod sessions;
mod sign_in;
mod staff;
mod tamper;
mod tenant_data;
mod tickets;
