//! What every domain store does alike, written once: a row of the caller's
//! organization or a 404, a row locked for an update with its version
//! checked (404 or 412), and reading a stored code back into its enum.
//!
//! A store builds its query (always filtered by `auth.org()`), runs it with
//! `.optional()`, and hands the result here:
//!
//! ```ignore
//! pub fn lock(conn: &mut PgConnection, auth: &Authorized, id: Uuid, expected: Expected) -> ApiResult<Encounter> {
//!     store::locked(rows(auth).filter(encounters::id.eq(id)).for_update().first(conn).optional()?, NOUN, expected)
//! }
//! ```

use std::str::FromStr;

/// The rows of `$table` (a `schema` module) that belong to the caller's
/// organization: where every query of an organization's table starts.
macro_rules! of_org {
    ($table:ident, $auth:expr) => {
        $table::table.filter($table::organization_id.eq($auth.org().get()))
    };
}

/// Row `$id` of `$table` in the caller's organization: what every update
/// and delete targets, so none can touch another organization's row.
macro_rules! one_of_org {
    ($table:ident, $auth:expr, $id:expr) => {
        $crate::store::of_org!($table, $auth).filter($table::id.eq($id))
    };
}

/// `fn rows(auth)`: the caller's organization's rows of `$table`, read as
/// `$row` — where every read of a store starts (`.filter(..)`,
/// `.for_update()` and `.into_boxed()` all apply).
macro_rules! scoped_rows {
    ($table:ident, $row:ty) => {
        type Rows = diesel::dsl::Select<
            diesel::dsl::Filter<
                $table::table,
                diesel::dsl::Eq<$table::organization_id, uuid::Uuid>,
            >,
            diesel::dsl::AsSelect<$row, diesel::pg::Pg>,
        >;

        /// The caller's organization's rows: where every read starts.
        fn rows(auth: &$crate::auth::Authorized) -> Rows {
            $crate::store::of_org!($table, auth).select(<$row>::as_select())
        }
    };
}

/// `$table` joined on `$on` and on the organization: `$table.organization_id
/// = $from.organization_id`. A join between two organizations' tables keys
/// on both, so a database sharded by organization (ARCHITECTURE.md, the
/// Citus plan) can run it on one node; `tests/src/org_scope.rs` checks every
/// statement the scenarios send for it.
macro_rules! org_join {
    ($table:ident, $from:ident, $on:expr) => {
        $table::table.on($on.and($table::organization_id.eq($from::organization_id)))
    };
}

pub(crate) use {of_org, one_of_org, org_join, scoped_rows};

use crate::error::{ApiError, ApiResult};
use crate::http::ETagged;
use crate::http::concurrency::Expected;

/// The SQL diesel writes for `fragment` (a selection of columns), for a
/// statement written partly by hand that must select exactly the columns,
/// in order, that a diesel row type decodes.
pub fn render_sql(
    fragment: &impl diesel::query_builder::QueryFragment<diesel::pg::Pg>,
) -> diesel::QueryResult<String> {
    use diesel::query_builder::QueryBuilder;
    let mut sql = diesel::pg::PgQueryBuilder::new();
    fragment.to_sql(&mut sql, &diesel::pg::Pg)?;
    Ok(sql.finish())
}

/// The record a query found, as its wire type, or a 404 naming `noun`
/// (another organization's record is as absent as one that never existed).
pub fn one<R, T>(row: Option<R>, noun: &str) -> ApiResult<T>
where
    R: TryInto<T, Error = ApiError>,
{
    row.ok_or_else(|| ApiError::not_found(noun))?.try_into()
}

/// The record a `FOR UPDATE` query found, checked against the version the
/// caller read: a 404 when absent, a 412 when someone saved first.
pub fn locked<R, T>(row: Option<R>, noun: &str, expected: Expected) -> ApiResult<T>
where
    R: TryInto<T, Error = ApiError>,
    T: ETagged,
{
    let record: T = one(row, noun)?;
    expected.check(record.version())?;
    Ok(record)
}

/// A code column read back into its enum. The database only holds codes
/// the API wrote, so an unknown one is a bug (500), never the client's fault.
pub fn code<T>(text: &str) -> ApiResult<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e| ApiError::internal(format!("stored code {text:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::tasks::TaskKind;

    /// A stored row and the record it becomes.
    struct Row(i32);

    #[derive(Debug, serde::Serialize)]
    struct Record {
        version: i32,
    }

    impl ETagged for Record {
        fn version(&self) -> i32 {
            self.version
        }
    }

    impl TryFrom<Row> for Record {
        type Error = ApiError;

        fn try_from(r: Row) -> ApiResult<Record> {
            Ok(Record { version: r.0 })
        }
    }

    #[test]
    fn a_missing_row_is_a_404_naming_the_record() {
        match one::<Row, Record>(None, "encounter") {
            Err(ApiError::NotFound(m)) => assert!(m.contains("encounter"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_locked_row_with_another_version_is_a_412_naming_the_current_one() {
        let stale = locked::<Row, Record>(Some(Row(3)), "note", Expected::Version(2));
        assert!(matches!(
            stale,
            Err(ApiError::PreconditionFailed { current: 3 })
        ));
        let fresh = locked::<Row, Record>(Some(Row(3)), "note", Expected::Version(3)).unwrap();
        assert_eq!(fresh.version, 3);
    }

    #[test]
    fn stored_codes_read_back_and_unknown_ones_are_internal_errors() {
        assert_eq!(code::<TaskKind>("outreach").unwrap(), TaskKind::Outreach);
        assert!(matches!(
            code::<TaskKind>("nonsense"),
            Err(ApiError::Internal(_))
        ));
    }

    struct Active;

    impl Codes for Active {
        type Column = crate::schema::tasks::status;
        type Code = shared::tasks::TaskStatus;
        const CODES: &'static [shared::tasks::TaskStatus] = &[
            shared::tasks::TaskStatus::Open,
            shared::tasks::TaskStatus::InProgress,
        ];
    }

    #[test]
    fn codes_compared_with_a_column_are_written_into_the_sql_not_bound() {
        use crate::schema::tasks;
        use diesel::prelude::*;
        let query = tasks::table
            .filter(OneOf::<Active>::default())
            .select(tasks::id);
        let sql = diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string();
        assert!(
            sql.contains(r#"WHERE "tasks"."status" IN ('open', 'in_progress') -- binds: []"#),
            "{sql}"
        );
    }
}

/// Who writes a record an integration also sends (encounters, appointments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// Its sender, resending by external id: afterwards the record is what
    /// the sender last sent.
    Sender,
    /// Anyone else (a correction through `PATCH`).
    Editor,
}

/// A row of an aggregate query written as one JSON object
/// (`SELECT to_jsonb(r) AS row FROM (…) r`): reports and measures name
/// their columns once, in the shared row type, instead of in a diesel
/// struct too.
#[derive(diesel::QueryableByName)]
pub struct JsonRow {
    /// The row.
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub row: serde_json::Value,
}

/// Runs `query` (whose one column is `row`, a JSON object) and reads each
/// row as `R`; a row that does not fit `R` is the server's fault (500).
pub fn json_rows<'q, Q, R>(conn: &mut diesel::PgConnection, query: Q) -> ApiResult<Vec<R>>
where
    Q: diesel::RunQueryDsl<diesel::PgConnection>
        + diesel::query_dsl::LoadQuery<'q, diesel::PgConnection, JsonRow>,
    R: serde::de::DeserializeOwned,
{
    query
        .load(conn)?
        .into_iter()
        .map(|r: JsonRow| serde_json::from_value(r.row).map_err(ApiError::internal))
        .collect()
}

/// A `jsonb` column read straight into `T`.
///
/// Diesel reads `jsonb` into a `serde_json::Value`, a tree of maps and
/// strings that a row then converts again; parsing the bytes into `T` at
/// once skips the tree (on a worklist page the two steps were about a
/// sixth of the server's instructions). A value that does not fit `T` is a
/// deserialization error, the server's fault (500), as before.
#[derive(Debug, diesel::deserialize::FromSqlRow)]
pub struct Json<T>(pub T);

impl<T: serde::de::DeserializeOwned>
    diesel::deserialize::FromSql<diesel::sql_types::Jsonb, diesel::pg::Pg> for Json<T>
{
    fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        // The binary `jsonb` format is a version byte, then the JSON text.
        match value.as_bytes().split_first() {
            Some((1, text)) => Ok(Json(serde_json::from_slice(text)?)),
            _ => Err("unsupported jsonb encoding version".into()),
        }
    }
}

/// `(columns) > (values)`: "after this key" for a keyset page, as a row
/// comparison, the form Postgres turns into one index range. Diesel has no
/// row values, and a `sql` literal would make the whole statement one that
/// diesel never prepares; this node is an ordinary expression, so a query
/// using it stays a prepared statement diesel keeps.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
pub struct After<C, V> {
    columns: C,
    values: V,
}

/// Rows whose `columns` (a tuple) come after `values` (a tuple of
/// expressions of the same SQL types, usually `x.into_sql::<T>()` binds), in
/// the order `ORDER BY columns` gives.
pub fn after<C, V>(columns: C, values: V) -> After<C, V>
where
    C: diesel::Expression,
    V: diesel::Expression<SqlType = C::SqlType>,
{
    After { columns, values }
}

impl<C, V> diesel::Expression for After<C, V> {
    type SqlType = diesel::sql_types::Bool;
}

impl<C, V, QS> diesel::AppearsOnTable<QS> for After<C, V>
where
    C: diesel::AppearsOnTable<QS>,
    V: diesel::AppearsOnTable<QS>,
{
}

impl<C, V, QS> diesel::SelectableExpression<QS> for After<C, V>
where
    C: diesel::SelectableExpression<QS>,
    V: diesel::SelectableExpression<QS>,
{
}

impl<C, V, GB> diesel::expression::ValidGrouping<GB> for After<C, V>
where
    C: diesel::expression::ValidGrouping<GB>,
{
    type IsAggregate = C::IsAggregate;
}

impl<C, V> diesel::query_builder::QueryFragment<diesel::pg::Pg> for After<C, V>
where
    C: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
    V: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> diesel::QueryResult<()> {
        out.push_sql("(");
        self.columns.walk_ast(out.reborrow())?;
        out.push_sql(") > (");
        self.values.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

/// `query LIMIT n` with `n` written into the SQL instead of bound.
///
/// Postgres plans a prepared statement once (its generic plan) only when
/// that plan looks no costlier than planning each execution. Under a bound
/// `LIMIT $n` it guesses a tenth of the rows, so a page query's generic
/// plan always looks costlier and every execution is planned again (the
/// worklist page: about 0.4 ms a request). With the number in the text,
/// each page size is its own statement, planned once per connection.
#[derive(Debug, Clone)]
pub struct Limited<Q> {
    query: Q,
    limit: u32,
}

/// `query` limited to `limit` rows (see [`Limited`]).
pub fn limited<Q>(query: Q, limit: u32) -> Limited<Q> {
    Limited { query, limit }
}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for Limited<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> diesel::query_builder::QueryId for Limited<Q> {
    type QueryId = ();
    // The statement cache keys this query by its SQL text, which holds
    // the limit: one prepared statement per page size.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> diesel::query_builder::QueryFragment<diesel::pg::Pg> for Limited<Q>
where
    Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> diesel::QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT ");
        out.push_sql(&self.limit.to_string());
        Ok(())
    }
}

impl<Q, Conn> diesel::RunQueryDsl<Conn> for Limited<Q> {}

/// Codes of this program's own (enum wire names) that a statement compares
/// a column with: see [`OneOf`].
pub trait Codes: 'static {
    /// The column compared.
    type Column: diesel::Column + Default;
    /// A code: an enum whose `as_ref` is its stored name, or that name.
    type Code: AsRef<str> + 'static;
    /// The codes the column may hold.
    const CODES: &'static [Self::Code];
}

/// `column IN ('a', 'b')`, the codes of `C` written into the SQL instead
/// of bound. A partial index on such a predicate (`tasks_worklist_idx` on
/// the active statuses, `appointments_missed_idx` on `'missed'`) serves a
/// plan made once for every execution only when the statement names the
/// codes in its text: bound, they are unknown when that plan is made, so
/// Postgres plans every execution again to see them, or keeps a plan off
/// the index (bench/RESULTS.md). Codes are constants, never input.
pub struct OneOf<C: Codes> {
    column: C::Column,
}

// By hand: derived, these would ask `C`, a marker, to be `Default` too.
impl<C: Codes> Default for OneOf<C> {
    fn default() -> Self {
        OneOf {
            column: C::Column::default(),
        }
    }
}

impl<C: Codes> Clone for OneOf<C>
where
    C::Column: Clone,
{
    fn clone(&self) -> Self {
        OneOf {
            column: self.column.clone(),
        }
    }
}

impl<C: Codes> Copy for OneOf<C> where C::Column: Copy {}

impl<C: Codes> std::fmt::Debug for OneOf<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let codes: Vec<&str> = C::CODES.iter().map(AsRef::as_ref).collect();
        f.debug_struct("OneOf").field("codes", &codes).finish()
    }
}

impl<C: Codes> diesel::query_builder::QueryId for OneOf<C> {
    // The codes belong to `C`, so the type names the SQL.
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<C: Codes> diesel::Expression for OneOf<C> {
    type SqlType = diesel::sql_types::Bool;
}

impl<C: Codes, QS> diesel::AppearsOnTable<QS> for OneOf<C> where
    C::Column: diesel::AppearsOnTable<QS>
{
}

impl<C: Codes, QS> diesel::SelectableExpression<QS> for OneOf<C> where
    C::Column: diesel::SelectableExpression<QS>
{
}

impl<C: Codes, GB> diesel::expression::ValidGrouping<GB> for OneOf<C> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<C: Codes> diesel::query_builder::QueryFragment<diesel::pg::Pg> for OneOf<C>
where
    C::Column: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> diesel::QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (");
        for (i, code) in C::CODES.iter().enumerate() {
            let code: &'static str = code.as_ref();
            debug_assert!(!code.contains('\''), "a code is written into SQL as it is");
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_sql("'");
            out.push_sql(code);
            out.push_sql("'");
        }
        out.push_sql(")");
        Ok(())
    }
}

/// A statement written piece by piece, SQL text and bound values in
/// order, for a query whose shape depends on its input (which filters a
/// search has) beyond what diesel's DSL expresses.
///
/// Unlike `diesel::sql_query`, which diesel never prepares for reuse, an
/// assembled statement is cached per connection by its text: each shape
/// is parsed once and, when Postgres finds its generic plan no costlier,
/// planned once. So write a filter into the text only when the search has
/// it (a `$n IS NULL OR …` left in would keep a plan made once from any
/// index), and values as binds, never into the text.
///
/// A shape whose best plan depends on a bound value's frequency, which a
/// plan made once cannot know, is [planned with its
/// values](Assembled::planned_with_values) instead.
#[derive(Debug, Clone, Default)]
pub struct Assembled {
    parts: Vec<Part>,
    planned_with_values: bool,
}

#[derive(Debug, Clone)]
enum Part {
    Sql(std::borrow::Cow<'static, str>),
    Bind(Value),
}

/// A value an [`Assembled`] statement binds.
#[derive(Debug, Clone)]
pub enum Value {
    /// A `uuid`.
    Uuid(uuid::Uuid),
    /// A `text`.
    Text(String),
    /// A `float8`.
    Double(f64),
    /// A `boolean`.
    Bool(bool),
}

impl From<uuid::Uuid> for Value {
    fn from(v: uuid::Uuid) -> Value {
        Value::Uuid(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_owned())
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Double(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

impl Assembled {
    /// Appends SQL text, which must hold no input.
    pub fn sql(&mut self, text: impl Into<std::borrow::Cow<'static, str>>) -> &mut Self {
        self.parts.push(Part::Sql(text.into()));
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.parts.push(Part::Bind(value.into()));
        self
    }

    /// Has Postgres plan this statement each time it runs, with its bound
    /// values in hand, instead of preparing it once per connection. A plan
    /// made once for every value guesses how many rows a pattern matches
    /// (one in two hundred), and for a statement whose right plan turns on
    /// that (an index for a rare match, a walk in order for a common one)
    /// the wrong guess costs more than planning: about 0.8 ms for the
    /// directory's page, against up to 9 ms of a wrong plan.
    pub fn planned_with_values(&mut self) -> &mut Self {
        self.planned_with_values = true;
        self
    }

    /// Whether this statement is [planned with its
    /// values](Assembled::planned_with_values).
    pub fn is_planned_with_values(&self) -> bool {
        self.planned_with_values
    }
}

impl diesel::query_builder::Query for Assembled {
    type SqlType = diesel::sql_types::Untyped;
}

impl diesel::query_builder::QueryId for Assembled {
    type QueryId = ();
    // Keyed by its text in diesel's statement cache: one prepared
    // statement per shape.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for Assembled {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> diesel::QueryResult<()> {
        use diesel::sql_types::{Bool, Double, Text, Uuid};
        if self.planned_with_values {
            // Diesel then sends it as Postgres' unnamed statement, which
            // is planned with the values it is bound to.
            out.unsafe_to_cache_prepared();
        }
        for part in &self.parts {
            match part {
                Part::Sql(text) => out.push_sql(text),
                Part::Bind(Value::Uuid(v)) => out.push_bind_param::<Uuid, _>(v)?,
                Part::Bind(Value::Text(v)) => out.push_bind_param::<Text, _>(v)?,
                Part::Bind(Value::Double(v)) => out.push_bind_param::<Double, _>(v)?,
                Part::Bind(Value::Bool(v)) => out.push_bind_param::<Bool, _>(v)?,
            }
        }
        Ok(())
    }
}

impl<Conn> diesel::RunQueryDsl<Conn> for Assembled {}
