//! SQL with its arguments as plain values ([`Sql`], [`Arg`]), so the store's areas build queries
//! without naming a backend, and the one generic runner each backend's [`crate::dialect::Dialect`]
//! delegates to. The sqlx bounds a generic query needs are written here once.

use std::borrow::Cow;

/// A value bound to a `$n` placeholder.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_owned()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_owned))
    }
}

/// A statement and its arguments, in placeholder order.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: Cow<'static, str>,
    args: Vec<Arg>,
    /// Run as a one-off statement rather than a prepared and cached one.
    once: bool,
}

impl Sql {
    /// A statement whose placeholders are bound with [`Sql::bind`].
    pub fn new(text: impl Into<Cow<'static, str>>) -> Self {
        Sql {
            text: text.into(),
            args: Vec::new(),
            once: false,
        }
    }

    /// Marks the statement as not worth preparing and caching (its text varies with a filter).
    pub fn once(mut self) -> Self {
        self.once = true;
        self
    }

    /// Binds the next placeholder.
    pub fn bind(mut self, value: impl Into<Arg>) -> Self {
        self.args.push(value.into());
        self
    }

    /// Appends text to the statement.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.to_mut().push_str(text);
        self
    }

    /// Appends the next placeholder (`$n`) and binds `value` to it.
    pub fn push_bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        let n = self.args.len();
        self.text.to_mut().push_str(&format!("${n}"));
        self
    }

    /// Appends `values` as placeholders separated by commas (for `IN (...)`). The list must not
    /// be empty (`IN ()` is not SQL): callers answer an empty list without querying.
    pub fn push_list<A: Into<Arg>>(&mut self, values: impl IntoIterator<Item = A>) -> &mut Self {
        let before = self.args.len();
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_bind(value);
        }
        debug_assert!(self.args.len() > before, "push_list with no values");
        self
    }

    /// Appends `VALUES (...), (...)`: one parenthesized row of placeholders per item. `items`
    /// must not be empty (callers insert in non-empty chunks).
    pub fn push_values<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        row: impl Fn(T) -> Vec<Arg>,
    ) -> &mut Self {
        self.push("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            self.push(if i > 0 { ", (" } else { "(" });
            self.push_list(row(item));
            self.push(")");
        }
        self
    }
}

/// A row type both backends can decode (every `sqlx::FromRow` type and tuple of such values).
pub trait Decodable:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
    + Send
    + Unpin
    + 'static
{
}

impl<T> Decodable for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
        + 'static
{
}

/// Runs [`Sql`] on any sqlx database that takes its argument types; the bounds are stated once,
/// here, and each dialect's `execute`/`fetch_*` calls these with its concrete database.
pub struct Runner<DB>(std::marker::PhantomData<DB>);

impl<DB> Runner<DB>
where
    DB: sqlx::Database + sqlx::database::HasStatementCache,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    DB::QueryResult: Affected,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    fn arguments<'q>(args: Vec<Arg>) -> sqlx::Result<DB::Arguments<'q>> {
        use sqlx::Arguments;
        let mut out = DB::Arguments::default();
        for arg in args {
            match arg {
                Arg::Int(v) => out.add(v),
                Arg::Text(v) => out.add(v),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(out)
    }

    pub async fn execute(conn: &mut DB::Connection, sql: Sql) -> sqlx::Result<u64> {
        let args = Self::arguments(sql.args)?;
        let done = sqlx::query_with(&sql.text, args)
            .persistent(!sql.once)
            .execute(conn)
            .await?;
        Ok(done.rows())
    }

    pub async fn fetch_all<R>(conn: &mut DB::Connection, sql: Sql) -> sqlx::Result<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, DB::Row> + Send + Unpin,
    {
        let args = Self::arguments(sql.args)?;
        sqlx::query_as_with(&sql.text, args)
            .persistent(!sql.once)
            .fetch_all(conn)
            .await
    }

    pub async fn fetch_optional<R>(conn: &mut DB::Connection, sql: Sql) -> sqlx::Result<Option<R>>
    where
        R: for<'r> sqlx::FromRow<'r, DB::Row> + Send + Unpin,
    {
        let args = Self::arguments(sql.args)?;
        sqlx::query_as_with(&sql.text, args)
            .persistent(!sql.once)
            .fetch_optional(conn)
            .await
    }
}

/// How many rows a statement changed (sqlx gives each backend's result its own method).
pub trait Affected {
    fn rows(&self) -> u64;
}

impl Affected for sqlx::sqlite::SqliteQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

impl Affected for sqlx::postgres::PgQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}
