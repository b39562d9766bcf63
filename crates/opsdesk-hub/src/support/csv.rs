//! CSV and import bodies: reading RFC 4180 tables with named columns, the rows of a JSON-or-CSV
//! import, and writing cells that spreadsheets will not run as formulas.

use crate::error::{HubError, HubResult};

/// Most tenants one import may hold.
pub const IMPORT_MAX_ROWS: usize = 10_000;

/// A CSV import: the header row names the columns (in any order, any case), then one record a
/// line; blank lines are skipped.
pub struct CsvTable {
    columns: Vec<(String, Option<usize>)>,
    pub rows: Vec<CsvRow>,
}

/// One non-blank record and its line number (the header is line 1).
pub struct CsvRow {
    pub line: usize,
    cells: Vec<String>,
}

impl CsvTable {
    /// Parses `text`, refusing a header without every `required` column.
    pub fn parse(text: &str, required: &[&str], optional: &[&str]) -> HubResult<CsvTable> {
        let mut records = csv_records(text)?.into_iter();
        let header = records.next().ok_or_else(|| {
            HubError::field("body", "is empty; the first line must name the columns")
        })?;
        let position = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let columns: Vec<(String, Option<usize>)> = required
            .iter()
            .chain(optional)
            .map(|c| ((*c).to_owned(), position(c)))
            .collect();
        if required.iter().any(|c| position(c).is_none()) {
            let names = |cs: &[&str]| {
                cs.iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let also = if optional.is_empty() {
                String::new()
            } else {
                format!(" (and optionally {})", names(optional))
            };
            return Err(HubError::field(
                "body",
                format!(
                    "the first CSV line must name the columns {}{also}",
                    names(required)
                ),
            ));
        }
        let rows = records
            .enumerate()
            .filter(|(_, cells)| !cells.iter().all(|c| c.trim().is_empty()))
            .map(|(i, cells)| CsvRow { line: i + 2, cells })
            .collect();
        Ok(CsvTable { columns, rows })
    }

    fn index(&self, column: &str) -> Option<usize> {
        self.columns
            .iter()
            .find(|(c, _)| c == column)
            .and_then(|(_, i)| *i)
    }
}

impl CsvRow {
    /// The cell of `column` as written (empty when the row is short or the column absent).
    pub fn cell(&self, table: &CsvTable, column: &str) -> String {
        table
            .index(column)
            .and_then(|i| self.cells.get(i))
            .cloned()
            .unwrap_or_default()
    }
    /// The trimmed cell of `column`, or `None` when it is empty or absent.
    pub fn optional(&self, table: &CsvTable, column: &str) -> Option<String> {
        Some(self.cell(table, column).trim().to_owned()).filter(|c| !c.is_empty())
    }
    /// `line n: ` — the prefix of this row's field names in errors.
    pub fn prefix(&self) -> String {
        format!("line {}: ", self.line)
    }
    /// `line n: field`.
    pub fn field(&self, field: &str) -> String {
        format!("line {}: {field}", self.line)
    }
}

/// The rows of an import body: a JSON array of `T` (prefixes `[i].`) or CSV parsed by `csv`
/// (prefixes `line n: `), between 1 and [`IMPORT_MAX_ROWS`] of them; `noun` names them in errors.
pub fn import_rows<T: serde::de::DeserializeOwned>(
    content_type: &str,
    body: &[u8],
    noun: &str,
    csv: impl Fn(&str) -> HubResult<Vec<(String, T)>>,
) -> HubResult<Vec<(String, T)>> {
    let text =
        std::str::from_utf8(body).map_err(|_| HubError::field("body", "must be UTF-8 text"))?;
    let rows: Vec<(String, T)> = if content_type.starts_with("text/csv") {
        csv(text)?
    } else if content_type.starts_with("application/json") {
        let rows: Vec<T> = crate::support::json::parse_json(body)?;
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| (format!("[{i}]."), r))
            .collect()
    } else {
        return Err(HubError::UnsupportedMediaType(format!(
            "send the {noun} as `application/json` (an array) or `text/csv`"
        )));
    };
    if rows.is_empty() {
        return Err(HubError::field("body", format!("holds no {noun}")));
    }
    if rows.len() > IMPORT_MAX_ROWS {
        return Err(HubError::field(
            "body",
            format!(
                "holds {} {noun}; import at most {IMPORT_MAX_ROWS} at a time",
                rows.len()
            ),
        ));
    }
    Ok(rows)
}

/// RFC 4180 records: commas, double-quoted cells with `""` for a quote, CRLF or LF lines.
fn csv_records(text: &str) -> HubResult<Vec<Vec<String>>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err(HubError::field(
            "body",
            "has a quoted CSV cell that never closes",
        ));
    }
    if !cell.is_empty() || !record.is_empty() {
        record.push(cell);
        records.push(record);
    }
    Ok(records)
}

/// One CSV cell: quoted when it holds a comma, quote or line break, and with a leading `'` when
/// a spreadsheet would read it as a formula (a compliance export must not run anything).
pub fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell(r#"{"a":1,"b":"x"}"#), r#""{""a"":1,""b"":""x""}""#);
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), r#""'=HYPERLINK(""x"")""#);
        assert_eq!(csv_cell("-1+2"), "'-1+2");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
    }
}
