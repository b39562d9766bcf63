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

mod audit;
mod harness;
mod security_events;
mod sessions;
mod sign_in;
mod staff;
mod tamper;
mod tickets;
