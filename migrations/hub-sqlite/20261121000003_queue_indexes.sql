-- Queue pages and counts at a million tickets (crates/opsdesk-hub/benches/queue.rs, BENCHMARKS.md).
--
-- Open tickets are a few percent of all tickets. These partial indexes hold only them, one per
-- sort order, and carry every column a queue filter tests (and `id`, for the tag filter), so a
-- page walks one small index in order, skips rows that do not match without reading the table,
-- and reads only the rows it returns. Filters that select few tickets (one tenant, one assignee
-- or none, one status by SLA due) get indexes that start with them. `is_open` leads every index
-- so that SQLite, which plans without statistics, prefers them; the store writes the filters it
-- does not want an index for as expressions no index serves (see `push_spec`).
CREATE INDEX tickets_open_by_due ON tickets
    (is_open, sla_due_sort, seq, priority_rank, updated_at, status, escalation_level, assignee_id, tenant_id, group_id, id)
    WHERE is_open = 1;
CREATE INDEX tickets_open_by_priority ON tickets
    (is_open, priority_rank, sla_due_sort, seq, updated_at, status, escalation_level, assignee_id, tenant_id, group_id, id)
    WHERE is_open = 1;
CREATE INDEX tickets_open_by_updated ON tickets
    (is_open, updated_at, seq, priority_rank, sla_due_sort, status, escalation_level, assignee_id, tenant_id, group_id, id)
    WHERE is_open = 1;
CREATE INDEX tickets_open_tenant_by_due ON tickets
    (is_open, tenant_id, sla_due_sort, seq, priority_rank, updated_at, status, escalation_level, assignee_id, group_id, id)
    WHERE is_open = 1;
CREATE INDEX tickets_open_tenant_by_priority ON tickets
    (is_open, tenant_id, priority_rank, sla_due_sort, seq, updated_at, status, escalation_level, assignee_id, group_id, id)
    WHERE is_open = 1;
CREATE INDEX tickets_open_tenant_by_updated ON tickets
    (is_open, tenant_id, updated_at, seq, priority_rank, sla_due_sort, status, escalation_level, assignee_id, group_id, id)
    WHERE is_open = 1;
CREATE INDEX tickets_open_assignee_by_due ON tickets
    (is_open, assignee_id, sla_due_sort, seq, priority_rank, updated_at, status, escalation_level, tenant_id, group_id, id)
    WHERE is_open = 1;
CREATE INDEX tickets_open_assignee_by_priority ON tickets
    (is_open, assignee_id, priority_rank, sla_due_sort, seq, updated_at, status, escalation_level, tenant_id, group_id, id)
    WHERE is_open = 1;
CREATE INDEX tickets_open_assignee_by_updated ON tickets
    (is_open, assignee_id, updated_at, seq, priority_rank, sla_due_sort, status, escalation_level, tenant_id, group_id, id)
    WHERE is_open = 1;
-- Pending tickets have no deadline, so by SLA due they all sort last: a status filter by due
-- starts from the status.
CREATE INDEX tickets_open_status_by_due ON tickets
    (is_open, status, sla_due_sort, seq, priority_rank, updated_at, escalation_level, assignee_id, tenant_id, group_id, id)
    WHERE is_open = 1;
-- Recently solved (and its count): a range on solved_at, sorted without reading the table.
CREATE INDEX tickets_solved ON tickets (is_open, solved_at, priority_rank, sla_due_sort, updated_at);
