//! Full-text search terms: what a person types, split into words and phrases that no input can
//! turn into query syntax, and written as each backend's query text (SQLite FTS5, PostgreSQL
//! `websearch_to_tsquery`); and the ranked search over the backend's index.

use super::queries::by_seqs;
use super::TicketRecord;
use crate::dialect::Dialect;
use crate::query::Sql;
use crate::StoreResult;

/// Tickets best matching `text`, with their scores, best first.
pub(crate) async fn search<D: Dialect>(
    store: &D,
    text: &str,
    limit: u32,
) -> StoreResult<Vec<(TicketRecord, f64)>> {
    let Some(query) = D::text_query(text) else {
        return Ok(Vec::new());
    };
    let sql = Sql::new(D::search_sql()).bind(query).bind(i64::from(limit));
    let mut conn = store.pool().acquire().await?;
    let hits: Vec<(i64, f64)> = D::fetch_all(&mut conn, sql).await?;
    drop(conn);
    let seqs: Vec<i64> = hits.iter().map(|h| h.0).collect();
    let records = by_seqs(store, &seqs).await?;
    Ok(records
        .into_iter()
        .filter_map(|r| {
            let score = hits.iter().find(|h| h.0 == r.seq)?.1;
            Some((r, score))
        })
        .collect())
}

/// Words and phrases of a search as people type them: `"a phrase"`, `-excluded`, plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SearchTerms {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// Splits user search text into terms, keeping only letters, digits and inner spaces of
/// phrases, so nothing a person types can break the database's query syntax.
pub(crate) fn search_terms(text: &str) -> SearchTerms {
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        let negated = rest.starts_with('-');
        if negated {
            rest = &rest[1..];
        }
        let (raw, next) = if let Some(stripped) = rest.strip_prefix('"') {
            match stripped.find('"') {
                Some(end) => (&stripped[..end], &stripped[end + 1..]),
                None => (stripped, ""),
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        };
        let cleaned: String = raw
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !cleaned.is_empty() {
            if negated {
                exclude.push(cleaned);
            } else {
                include.push(cleaned);
            }
        }
        rest = next;
    }
    SearchTerms { include, exclude }
}

/// The SQLite FTS5 query for `text`: every included term (phrases quoted), minus the excluded.
/// `None` when nothing is left to find.
pub(crate) fn fts5_query(text: &str) -> Option<String> {
    let terms = search_terms(text);
    if terms.include.is_empty() {
        return None;
    }
    let quote = |t: &String| format!("\"{t}\"");
    let mut q = terms
        .include
        .iter()
        .map(quote)
        .collect::<Vec<_>>()
        .join(" AND ");
    for ex in &terms.exclude {
        q = format!("({q}) NOT {}", quote(ex));
    }
    Some(q)
}

/// The PostgreSQL `websearch_to_tsquery` text for `text` (same terms, same rules).
pub(crate) fn websearch_query(text: &str) -> Option<String> {
    let terms = search_terms(text);
    if terms.include.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = terms.include.iter().map(|t| format!("\"{t}\"")).collect();
    parts.extend(terms.exclude.iter().map(|t| format!("-\"{t}\"")));
    Some(parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_cannot_break_the_query_syntax() {
        assert_eq!(
            fts5_query(r#"invoice "card declined" -refund"#).unwrap(),
            r#"("invoice" AND "card declined") NOT "refund""#
        );
        assert_eq!(
            fts5_query(r#"a"b OR) NEAR("#).unwrap(),
            r#""a b" AND "OR" AND "NEAR""#
        );
        assert_eq!(fts5_query("-only -excluded"), None);
        assert_eq!(fts5_query("  ?!  "), None);
        assert_eq!(websearch_query("sso -okta").unwrap(), r#""sso" -"okta""#);
    }
}
