//! A [`TicketSpec`] as SQL conditions, written so the planner walks the right index: the one
//! filter a page's index starts with is written plainly, the others as expressions no index
//! serves.

use crate::common::ms;
use crate::dialect::Dialect;
use crate::query::Sql;
use crate::tickets::TicketSpec;
use opsdesk_core::ticket::QueueSort;

/// Which filter the page's index is driven by.
#[derive(Clone, Copy, PartialEq)]
enum Drive {
    Any,
    Tenant,
    Assignee,
    Status,
    Priority,
    Walk,
}

/// Adds the `WHERE` conditions of `spec` to `q` (which already says `WHERE 1 = 1`).
///
/// For a page in `sort` order, the condition the page's index starts with is written plainly
/// and the other filters as expressions no index serves (`+x`, `x || ''`): SQLite plans
/// without statistics, and would otherwise often pick an index for a filter and sort thousands
/// of rows, where walking one of the open-ticket indexes of the `queue_indexes` migration in
/// order stops after a page. Counts (`sort` `None`) leave every index to the planner.
pub(crate) fn push_spec<D: Dialect>(q: &mut Sql, spec: &TicketSpec, sort: Option<QueueSort>) {
    // A status says whether the ticket is open, so it selects the open indexes too.
    let open = spec.open.or(spec.status.map(|s| s.is_open()));
    let drive = match sort {
        None => Drive::Any,
        Some(_) if spec.tenant_id.is_some() => Drive::Tenant,
        Some(s) if open == Some(true) => {
            if spec.assignee.is_some() {
                Drive::Assignee
            } else if spec.status.is_some() && s == QueueSort::SlaDue {
                Drive::Status
            } else if spec.priority.is_some() && s != QueueSort::Updated {
                Drive::Priority
            } else {
                Drive::Walk
            }
        }
        Some(_) => Drive::Walk,
    };
    let plain = |d: Drive| drive == Drive::Any || drive == d;
    // A literal, not a parameter, so the partial indexes on open tickets apply.
    match open {
        Some(true) => {
            q.push(" AND t.is_open = 1");
        }
        Some(false) => {
            q.push(" AND t.is_open = 0");
        }
        None => {}
    }
    let assignee = if plain(Drive::Assignee) {
        " AND t.assignee_id"
    } else {
        " AND (t.assignee_id || '')"
    };
    match &spec.assignee {
        Some(Some(id)) => {
            q.push(assignee).push(" = ").push_bind(id.to_string());
        }
        Some(None) => {
            q.push(assignee).push(" IS NULL");
        }
        None => {}
    }
    if let Some(levels) = &spec.escalation_levels {
        if levels.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(if drive == Drive::Any {
                " AND t.escalation_level IN ("
            } else {
                " AND +t.escalation_level IN ("
            })
            .push_list(levels.iter().map(|l| l.number()))
            .push(")");
        }
    }
    if let Some(before) = spec.due_before {
        q.push(match sort {
            None | Some(QueueSort::SlaDue) => " AND t.sla_due_sort <= ",
            Some(_) => " AND +t.sla_due_sort <= ",
        })
        .push_bind(ms(before));
    }
    if let Some(after) = spec.solved_after {
        if spec.tenant_id.is_some() {
            // Solving a ticket changes it, so it was updated since as well: that range finds
            // one tenant's recent tickets in its index.
            q.push(" AND +t.solved_at >= ")
                .push_bind(ms(after))
                .push(" AND t.updated_at >= ")
                .push_bind(ms(after));
        } else {
            q.push(" AND t.solved_at >= ").push_bind(ms(after));
        }
    }
    if let Some(tenant) = spec.tenant_id {
        q.push(" AND t.tenant_id = ").push_bind(tenant.to_string());
    }
    if let Some(p) = spec.priority {
        q.push(if plain(Drive::Priority) {
            " AND t.priority_rank = "
        } else {
            " AND +t.priority_rank = "
        })
        .push_bind(p.rank());
    }
    if let Some(s) = spec.status {
        q.push(if plain(Drive::Status) {
            " AND t.status = "
        } else {
            " AND t.status || '' = "
        })
        .push_bind(s.as_str());
    }
    if let Some(g) = spec.group_id {
        q.push(if drive == Drive::Any {
            " AND t.group_id = "
        } else {
            " AND t.group_id || '' = "
        })
        .push_bind(g.to_string());
    }
    if let Some(tag) = &spec.tag {
        // Checked per candidate: a common tag's thousands of tickets are never listed, and the
        // open indexes carry `id` for the check.
        q.push(" AND EXISTS (SELECT 1 FROM ticket_tags tg WHERE tg.tag = ")
            .push_bind(tag.as_str())
            .push(" AND tg.ticket_id = t.id)");
    }
    if let Some(text) = &spec.text {
        match D::text_query(text) {
            Some(query) => {
                let (before, after) = D::text_match_sql();
                q.push(before).push_bind(query).push(after);
            }
            None => {
                q.push(" AND 1 = 0");
            }
        }
    }
}
