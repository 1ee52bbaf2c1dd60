//! Every statement the server sends keeps to one organization's rows, or
//! joins organization to organization.
//!
//! ARCHITECTURE.md plans the move past one Postgres as Citus with every
//! tenant table distributed on `organization_id`. Citus runs a statement
//! that touches several distributed tables only when it can see that they
//! meet on that column: each table is joined to another on
//! `organization_id`, or each is pinned to the same value (`… AND
//! x.organization_id = $1`). A join on `patient_id` alone is correct on one
//! Postgres (ids are unique) and fails, or fans out to every node, on many.
//!
//! [`install`] hooks diesel's instrumentation into every connection the
//! test process opens afterwards — the servers the scenarios start, their
//! scheduler and webhook worker, and direct store calls — and checks each
//! statement once with a real SQL parser. What breaks the rule is kept per
//! database, and the scenario that caused it fails when its
//! [`TestDatabase`](crate::TestDatabase) is dropped (see [`take`]).
//!
//! What counts, per statement: every reference to a table that has an
//! `organization_id` column, in any `SELECT` of the statement (subqueries
//! and CTE bodies included; a CTE or derived table is checked through the
//! tables inside it). Two references are linked by an equality between
//! their `organization_id`s, and a reference is linked to a parameter or
//! literal it is equated to, wherever the equality stands as a conjunct of
//! a join's `ON` or a `WHERE` (correlated subqueries reach outward). A
//! statement with two or more such references breaks the rule unless all
//! of them end up linked together.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::sync::{Mutex, OnceLock};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use sqlparser::ast::{
    BinaryOperator, Expr, InTarget, JoinConstraint, JoinOperator, Query, Select, TableFactor,
    TableWithJoins, Value, Visit, Visitor,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// Tables with an `organization_id` column, read from the migrated schema.
static SCOPED_TABLES: OnceLock<HashSet<String>> = OnceLock::new();
/// Each statement's analysis, so a statement is parsed once per process.
#[expect(clippy::type_complexity, reason = "a cache keyed by SQL text")]
static ANALYSES: Mutex<Option<HashMap<String, Result<Vec<Statement>, String>>>> = Mutex::new(None);
/// Statements that broke the rule, by the database they ran on.
static BROKEN: Mutex<Option<HashMap<String, Vec<String>>>> = Mutex::new(None);

/// Starts checking every connection opened from now on; `tables` are the
/// tables that have an `organization_id` column. Later calls do nothing.
pub fn install(tables: impl FnOnce() -> HashSet<String>) {
    if SCOPED_TABLES.get().is_some() {
        return;
    }
    if SCOPED_TABLES.set(tables()).is_ok() {
        diesel::connection::set_default_instrumentation(|| Some(Box::new(Check::default())))
            .expect("install diesel instrumentation");
    }
}

/// The statements that broke the rule on `database`, forgetting them.
pub fn take(database: &str) -> Vec<String> {
    BROKEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_mut()
        .and_then(|m| m.remove(database))
        .unwrap_or_default()
}

/// One connection's hook: remembers its database, checks its statements.
#[derive(Default)]
struct Check {
    database: Option<String>,
}

impl Instrumentation for Check {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartEstablishConnection { url, .. } => {
                self.database = url::Url::parse(url)
                    .ok()
                    .map(|u| u.path().trim_start_matches('/').to_owned());
            }
            InstrumentationEvent::StartQuery { query, .. } => {
                let Some(database) = &self.database else {
                    return;
                };
                let text = query.to_string();
                // diesel shows a query as `<sql> -- binds: [...]`.
                let (sql, binds) = text
                    .rsplit_once(" -- binds: ")
                    .map_or((text.as_str(), Vec::new()), |(s, b)| (s, split_binds(b)));
                if let Some(problem) = verdict(sql, &binds) {
                    BROKEN
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .get_or_insert_with(HashMap::new)
                        .entry(database.clone())
                        .or_default()
                        .push(format!("{problem}\n    in: {sql}"));
                }
            }
            _ => {}
        }
    }
}

fn verdict(sql: &str, binds: &[String]) -> Option<String> {
    let mut cache = ANALYSES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cache = cache.get_or_insert_with(HashMap::new);
    let analysis = cache
        .entry(sql.to_owned())
        .or_insert_with(|| analyze(sql, SCOPED_TABLES.get().expect("installed")));
    judge(analysis, binds)
}

/// Why `sql` breaks the rule, or `None` when it keeps it; `binds` are the
/// values of `$1`, `$2`, … (two parameters with one value pin alike).
#[cfg(test)]
fn check(sql: &str, binds: &[String], scoped_tables: &HashSet<String>) -> Option<String> {
    judge(&analyze(sql, scoped_tables), binds)
}

/// What a statement links: its tenant-table references and the equalities
/// on `organization_id` among them and with values.
///
/// A statement is planned in units: the statement itself, each CTE body and
/// each subquery in an expression that does not read an outer query's rows
/// (Citus plans those on their own and hands their rows on, as Postgres
/// does an uncorrelated subplan). The tenant tables of one unit must all
/// be linked; a correlated subquery belongs to the unit it reads from.
#[derive(Default)]
struct Statement {
    references: Vec<(usize, Node, String)>,
    links: Vec<(Node, Node)>,
    /// Each unit's parent and whether it reads its parent's rows.
    units: Vec<(Option<usize>, bool)>,
}

impl Statement {
    /// The unit a unit's tables are checked with.
    fn planned_with(&self, mut unit: usize) -> usize {
        while let (Some(parent), true) = self.units[unit] {
            unit = parent;
        }
        unit
    }
}

fn analyze(sql: &str, scoped_tables: &HashSet<String>) -> Result<Vec<Statement>, String> {
    let statements = match Parser::parse_sql(&PostgreSqlDialect {}, sql) {
        Ok(s) => s,
        // Schema changes and the like; a statement that joins must parse,
        // or the rule could not be checked on it.
        Err(e) if sql.to_ascii_lowercase().contains(" join ") => {
            return Err(format!(
                "cannot check a joining statement the parser refuses: {e}"
            ));
        }
        Err(_) => return Ok(Vec::new()),
    };
    Ok(statements
        .iter()
        .map(|statement| {
            let mut walk = Walk {
                scoped_tables,
                ctes: HashSet::new(),
                scopes: Vec::new(),
                next_select: 0,
                found: Statement::default(),
                own_plans: HashSet::new(),
                entered: Vec::new(),
                units: vec![(None, false)],
            };
            let _ = statement.visit(&mut walk);
            walk.found.units = walk.units;
            walk.found
        })
        .collect())
}

fn judge(analysis: &Result<Vec<Statement>, String>, binds: &[String]) -> Option<String> {
    let statements = match analysis {
        Ok(s) => s,
        Err(e) => return Some(e.clone()),
    };
    let value = |node: &Node| match node {
        Node::Pin(p) => p
            .strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| binds.get(n.checked_sub(1)?))
            .map_or_else(|| node.clone(), |v| Node::Pin(v.clone())),
        Node::Ref(..) => node.clone(),
    };
    for statement in statements {
        let mut links = Links::default();
        for (a, b) in &statement.links {
            links.link(&value(a), &value(b));
        }
        let mut first: HashMap<usize, (Node, &str)> = HashMap::new();
        for (unit, node, table) in &statement.references {
            let unit = statement.planned_with(*unit);
            let (root, root_table) = first
                .entry(unit)
                .or_insert_with(|| (links.find(node), table.as_str()))
                .clone();
            if links.find(node) != root {
                return Some(format!(
                    "{table} is not joined on organization_id to {root_table} (nor pinned to the same value)"
                ));
            }
        }
    }
    None
}

/// diesel's list of bind values (`[a, "b, c", d]`), split at its top-level
/// commas.
fn split_binds(list: &str) -> Vec<String> {
    let inner = list.trim().trim_start_matches('[').trim_end_matches(']');
    let (mut out, mut current) = (Vec::new(), String::new());
    let (mut depth, mut quoted, mut escaped) = (0_i32, false, false);
    for c in inner.chars() {
        if quoted {
            quoted = c != '"' || escaped;
            escaped = c == '\\' && !escaped;
        } else {
            match c {
                '"' => quoted = true,
                '[' | '(' | '{' => depth += 1,
                ']' | ')' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(current.trim().to_owned());
                    current.clear();
                    continue;
                }
                _ => {}
            }
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out
}

/// A table reference (`Ref(select, qualifier)`) or a value (`Pin(text)`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
enum Node {
    Ref(usize, String),
    Pin(String),
}

/// Union-find over nodes.
#[derive(Default)]
struct Links {
    parent: HashMap<Node, Node>,
}

impl Links {
    fn find(&mut self, node: &Node) -> Node {
        let mut at = node.clone();
        while let Some(up) = self.parent.get(&at) {
            if *up == at {
                break;
            }
            at = up.clone();
        }
        at
    }

    fn link(&mut self, a: &Node, b: &Node) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent.insert(ra, rb);
        }
    }
}

/// The relations one `SELECT` brings into scope: qualifier and whether it
/// is a tenant table; and the unit it belongs to.
struct Scope {
    id: usize,
    unit: usize,
    relations: Vec<(String, bool)>,
}

struct Walk<'a> {
    scoped_tables: &'a HashSet<String>,
    ctes: HashSet<String>,
    scopes: Vec<Scope>,
    next_select: usize,
    found: Statement,
    /// Queries planned on their own: CTE bodies and subqueries in
    /// expressions (by address, seen before the walk enters them).
    own_plans: HashSet<*const Query>,
    /// Each entered query: the scopes open before it and the unit it
    /// opened, innermost last. A query's scopes stay open until it ends:
    /// its `ORDER BY` reads them too.
    entered: Vec<(usize, Option<usize>)>,
    /// Each unit's parent and whether it reads its parent's rows.
    units: Vec<(Option<usize>, bool)>,
}

impl Walk<'_> {
    fn unit(&self) -> usize {
        self.entered.iter().rev().find_map(|(_, u)| *u).unwrap_or(0)
    }

    /// A column of `qualifier` read here: when it is an outer unit's
    /// relation, the units between read their parent's rows.
    fn reads(&mut self, qualifier: &str) {
        let here = self.unit();
        let Some(owner) = self
            .scopes
            .iter()
            .rev()
            .find(|s| s.relations.iter().any(|(name, _)| name == qualifier))
            .map(|s| s.unit)
        else {
            return;
        };
        let mut unit = here;
        while unit != owner {
            let Some(parent) = self.units[unit].0 else {
                return;
            };
            self.units[unit].1 = true;
            unit = parent;
        }
    }

    /// The node a column reference's qualifier names, searching outward;
    /// an unqualified column, the innermost query's one tenant table.
    fn resolve(&self, qualifier: Option<&str>) -> Option<Node> {
        let Some(q) = qualifier else {
            let scope = self.scopes.last()?;
            let mut tenant = scope.relations.iter().filter(|(_, scoped)| *scoped);
            return match (tenant.next(), tenant.next()) {
                (Some((name, _)), None) => Some(Node::Ref(scope.id, name.clone())),
                _ => None,
            };
        };
        self.scopes
            .iter()
            .rev()
            .find(|scope| scope.relations.iter().any(|(name, _)| name == q))
            .map(|scope| Node::Ref(scope.id, q.to_owned()))
    }

    /// The node `expr` stands for in an equality on `organization_id`.
    fn side(&self, expr: &Expr) -> Option<Node> {
        match expr {
            Expr::Nested(e) | Expr::Cast { expr: e, .. } => self.side(e),
            Expr::Identifier(i) if i.value == "organization_id" => self.resolve(None),
            Expr::CompoundIdentifier(parts)
                if parts.len() >= 2 && parts[parts.len() - 1].value == "organization_id" =>
            {
                self.resolve(Some(&parts[parts.len() - 2].value))
            }
            Expr::Value(v) => match &v.value {
                Value::Placeholder(p) => Some(Node::Pin(p.clone())),
                Value::SingleQuotedString(s) => Some(Node::Pin(format!("'{s}'"))),
                _ => None,
            },
            _ => None,
        }
    }

    /// Links what each top-level conjunct of `expr` equates.
    fn conjuncts(&mut self, expr: &Expr) {
        match expr {
            Expr::Nested(e) => self.conjuncts(e),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                self.conjuncts(left);
                self.conjuncts(right);
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } => {
                if let (Some(a), Some(b)) = (self.side(left), self.side(right)) {
                    // Two values equal to each other say nothing of a table.
                    if matches!(a, Node::Ref(..)) || matches!(b, Node::Ref(..)) {
                        self.found.links.push((a, b));
                    }
                }
            }
            _ => {}
        }
    }

    fn relation(&self, factor: &TableFactor) -> Option<(String, bool)> {
        match factor {
            TableFactor::Table { name, alias, .. } => {
                let table = name.0.last()?.to_string().trim_matches('"').to_owned();
                let qualifier = alias
                    .as_ref()
                    .map_or(table.clone(), |a| a.name.value.clone());
                let scoped = self.scoped_tables.contains(&table) && !self.ctes.contains(&table);
                Some((qualifier, scoped))
            }
            TableFactor::Derived { alias, .. }
            | TableFactor::Function { alias, .. }
            | TableFactor::TableFunction { alias, .. }
            | TableFactor::UNNEST { alias, .. } => {
                alias.as_ref().map(|a| (a.name.value.clone(), false))
            }
            _ => None,
        }
    }
}

fn table_name(factor: &TableFactor) -> Option<String> {
    match factor {
        TableFactor::Table { name, .. } => {
            Some(name.0.last()?.to_string().trim_matches('"').to_owned())
        }
        _ => None,
    }
}

impl Visitor for Walk<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(cte.alias.name.value.clone());
                self.own_plans.insert(&raw const *cte.query);
            }
        }
        let at: *const Query = query;
        let unit = self.own_plans.contains(&at).then(|| {
            self.units.push((Some(self.unit()), false));
            self.units.len() - 1
        });
        self.entered.push((self.scopes.len(), unit));
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        if let Some((open, _)) = self.entered.pop() {
            self.scopes.truncate(open);
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        match expr {
            Expr::Subquery(q)
            | Expr::Exists { subquery: q, .. }
            | Expr::In {
                target: InTarget::Subquery(q),
                ..
            } => {
                self.own_plans.insert(&raw const **q);
            }
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                self.reads(&parts[parts.len() - 2].value);
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        let id = self.next_select;
        self.next_select += 1;
        let mut relations = Vec::new();
        let mut tenant_tables = Vec::new();
        // diesel writes every join in parentheses, `FROM ("a" INNER JOIN
        // "b" ON …)`, which parses as a nested join: its tables and `ON`s
        // are this SELECT's as much as unparenthesized ones are.
        let mut factors = Vec::new();
        let mut constraints = Vec::new();
        flatten(&select.from, &mut factors, &mut constraints);
        for factor in factors {
            if let Some((qualifier, scoped)) = self.relation(factor) {
                if scoped {
                    tenant_tables.push((qualifier.clone(), table_name(factor).unwrap_or_default()));
                }
                relations.push((qualifier, scoped));
            }
        }
        let unit = self.unit();
        self.scopes.push(Scope {
            id,
            unit,
            relations,
        });
        for (qualifier, table) in tenant_tables {
            self.found
                .references
                .push((unit, Node::Ref(id, qualifier), table));
        }
        for on in constraints {
            self.conjuncts(on);
        }
        if let Some(selection) = &select.selection {
            self.conjuncts(selection);
        }
        ControlFlow::Continue(())
    }
}

/// The table factors of `from` and the `ON` conditions of its joins, with
/// parenthesized (nested) joins opened up.
fn flatten<'a>(
    from: &'a [TableWithJoins],
    factors: &mut Vec<&'a TableFactor>,
    constraints: &mut Vec<&'a Expr>,
) {
    for table in from {
        for factor in
            std::iter::once(&table.relation).chain(table.joins.iter().map(|j| &j.relation))
        {
            match factor {
                TableFactor::NestedJoin {
                    table_with_joins, ..
                } => flatten(std::slice::from_ref(table_with_joins), factors, constraints),
                _ => factors.push(factor),
            }
        }
        for join in &table.joins {
            if let Some(JoinConstraint::On(on)) = constraint(&join.join_operator) {
                constraints.push(on);
            }
        }
    }
}

fn constraint(op: &JoinOperator) -> Option<&JoinConstraint> {
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c)
        | JoinOperator::CrossJoin(c) => Some(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> HashSet<String> {
        ["patients", "tasks", "users", "encounters"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    fn ok(sql: &str) -> bool {
        check(sql, &[], &tables()).is_none()
    }

    #[test]
    fn array_subqueries_in_the_select_list_read_the_rows_they_are_correlated_with() {
        assert!(ok(
            r#"SELECT "tasks"."id", ARRAY(SELECT "users"."name" FROM "users" WHERE (("users"."organization_id" = "tasks"."organization_id") AND ("users"."id" = "tasks"."id"))), ARRAY(SELECT "encounters"."id" FROM "encounters" WHERE (("encounters"."organization_id" = "patients"."organization_id") AND ("encounters"."patient_id" = "patients"."id"))) FROM ("tasks" INNER JOIN "patients" ON (("patients"."id" = "tasks"."patient_id") AND ("patients"."organization_id" = "tasks"."organization_id"))) WHERE ("tasks"."organization_id" = $1)"#
        ));
        assert!(!ok(
            r#"SELECT "tasks"."id", ARRAY(SELECT "users"."name" FROM "users" WHERE ("users"."id" = "tasks"."id")) FROM "tasks" WHERE ("tasks"."organization_id" = $1)"#
        ));
    }

    #[test]
    fn a_join_on_the_id_alone_breaks_the_rule() {
        assert!(!ok(
            r#"SELECT "tasks"."id" FROM "tasks" INNER JOIN "patients" ON ("patients"."id" = "tasks"."patient_id") WHERE ("tasks"."organization_id" = $1)"#
        ));
    }

    #[test]
    fn a_join_diesel_writes_in_parentheses_is_checked_like_any_other() {
        assert!(!ok(
            r#"SELECT "tasks"."id" FROM ("tasks" INNER JOIN "patients" ON ("patients"."id" = "tasks"."patient_id")) WHERE ("tasks"."organization_id" = $1)"#
        ));
        assert!(ok(
            r#"SELECT "tasks"."id" FROM ("tasks" INNER JOIN "patients" ON (("patients"."id" = "tasks"."patient_id") AND ("patients"."organization_id" = "tasks"."organization_id"))) WHERE ("tasks"."organization_id" = $1)"#
        ));
    }

    #[test]
    fn a_join_on_the_organization_and_the_id_keeps_it() {
        assert!(ok(
            r#"SELECT "tasks"."id" FROM "tasks" INNER JOIN "patients" ON (("patients"."id" = "tasks"."patient_id") AND ("patients"."organization_id" = "tasks"."organization_id"))"#
        ));
    }

    #[test]
    fn tables_pinned_to_the_same_parameter_keep_it_and_to_different_ones_do_not() {
        assert!(ok(
            "SELECT 1 FROM tasks t JOIN patients p ON p.organization_id = $1 AND p.id = t.patient_id WHERE t.organization_id = $1"
        ));
        assert!(!ok(
            "SELECT 1 FROM tasks t JOIN patients p ON p.organization_id = $2 AND p.id = t.patient_id WHERE t.organization_id = $1"
        ));
    }

    #[test]
    fn two_parameters_with_one_value_pin_alike() {
        let sql = "SELECT 1 FROM tasks t JOIN patients p ON p.organization_id = $2 AND p.id = t.patient_id WHERE t.organization_id = $1";
        let org = "0b7c7a8e-5d0e-4f34-9a2e-6c1d2e3f4a5b".to_owned();
        assert!(check(sql, &[org.clone(), org.clone()], &tables()).is_none());
        assert!(check(sql, &[org, "another".into()], &tables()).is_some());
    }

    #[test]
    fn diesel_bind_lists_split_at_top_level_commas() {
        assert_eq!(
            split_binds(r#"[0b7c, "a, \"b\"", [1, 2], Some(3)]"#),
            vec!["0b7c", r#""a, \"b\"""#, "[1, 2]", "Some(3)"]
        );
    }

    #[test]
    fn an_equality_under_or_links_nothing() {
        assert!(!ok(
            "SELECT 1 FROM tasks t JOIN patients p ON p.id = t.patient_id WHERE t.organization_id = $1 OR p.organization_id = $1"
        ));
    }

    #[test]
    fn a_cte_body_is_checked_on_its_own_and_its_rows_join_like_a_table() {
        assert!(ok(
            "WITH grp AS (SELECT p.id AS patient_id FROM patients p WHERE p.organization_id = $1) \
             SELECT count(*) FROM encounters e JOIN grp g ON g.patient_id = e.patient_id"
        ));
        assert!(!ok(
            "WITH grp AS (SELECT t.patient_id FROM patients p JOIN tasks t ON t.patient_id = p.id) \
             SELECT count(*) FROM grp"
        ));
    }

    #[test]
    fn uncorrelated_subqueries_are_planned_on_their_own() {
        assert!(ok(
            "SELECT (SELECT xmin FROM encounters WHERE id = $1) AS a, (SELECT xmin FROM tasks WHERE id = $2) AS b"
        ));
        assert!(ok(
            "SELECT id FROM tasks WHERE organization_id = $1 AND patient_id IN (SELECT id FROM patients WHERE status = 'active')"
        ));
    }

    #[test]
    fn a_correlated_subquery_reaches_the_outer_table() {
        assert!(ok(
            "SELECT 1 FROM patients p WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.organization_id = p.organization_id AND t.patient_id = p.id)"
        ));
        assert!(!ok(
            "SELECT 1 FROM patients p WHERE p.organization_id = $1 AND EXISTS (SELECT 1 FROM tasks t WHERE t.patient_id = p.id)"
        ));
        assert!(!ok(
            r#"SELECT "users"."id" FROM "users" WHERE ("users"."organization_id" = $1) ORDER BY (SELECT COUNT(*) FROM "tasks" WHERE ("tasks"."assignee_id" = "users"."id")) ASC"#
        ));
    }

    #[test]
    fn a_join_to_a_table_without_the_column_is_not_a_join_across_organizations() {
        assert!(ok(
            "SELECT 1 FROM patients p JOIN organizations o ON o.id = p.organization_id"
        ));
    }

    #[test]
    fn one_tenant_table_alone_needs_no_key() {
        assert!(ok("SELECT id FROM tasks WHERE due_at < now()"));
    }
}
