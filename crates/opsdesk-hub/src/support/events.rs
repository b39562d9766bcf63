//! The live events actions emit, as drafts written with the change: ticket, access and staff
//! events with their audience and facts. Delivering them is `crate::domain::events`.

use opsdesk_core::access::RequestStatus;
use opsdesk_core::events::{
    AccessFacts, Audience, EventFacts, EventKind, SubjectKind, TicketFacts,
};
use opsdesk_core::Permission;
use opsdesk_proto::{AccessRequestView, GrantView, TicketEventKind};
use opsdesk_store::{EventDraft, TicketState};
use uuid::Uuid;

/// The event kind of a ticket change.
pub fn ticket_kind(kind: TicketEventKind) -> EventKind {
    match kind {
        TicketEventKind::Created => EventKind::TicketCreated,
        TicketEventKind::Changed | TicketEventKind::Merged => EventKind::TicketUpdated,
        TicketEventKind::Assigned => EventKind::TicketAssigned,
        TicketEventKind::Escalated => EventKind::TicketEscalated,
        TicketEventKind::SlaWarning => EventKind::TicketSlaWarning,
        TicketEventKind::SlaBreached => EventKind::TicketSlaBreached,
    }
}

/// The event of a ticket write: everyone who reads tickets may see it.
pub fn ticket_event(
    kind: TicketEventKind,
    s: &TicketState,
    number: Option<i64>,
    tenant_name: &str,
    actor_id: Option<Uuid>,
    reason: Option<String>,
) -> EventDraft {
    EventDraft {
        at: s.updated_at,
        kind: ticket_kind(kind),
        subject_kind: SubjectKind::Ticket,
        subject_id: s.id,
        actor_id,
        audience: Audience::with(Permission::TicketsRead),
        facts: EventFacts::Ticket(TicketFacts {
            number,
            subject: s.subject.clone(),
            tenant_name: tenant_name.to_owned(),
            priority: s.priority,
            escalation_level: s.escalation_level,
            assignee_id: s.assignee_id,
            reason,
        }),
    }
}

/// The facts of an access request (and its grant), for events about either.
pub fn access_facts(
    r: &AccessRequestView,
    status: RequestStatus,
    grant: Option<&GrantView>,
) -> AccessFacts {
    AccessFacts {
        request_id: r.id,
        requester_id: r.requester.id,
        requester_name: r.requester.display_name.clone(),
        requester_role: r.requester.role,
        tenant_name: r.tenant.name.clone(),
        scope: r.scope,
        status,
        reviewed_by: r.reviews.iter().map(|rv| rv.reviewer.id).collect(),
        grant_id: grant.map(|g| g.id),
        grant_ends_at: grant.map(|g| g.ends_at),
    }
}

/// Who may see events about `requester`'s access: they, and reviewers at or above their tier.
pub fn access_audience(requester: Uuid, requester_tier: u8) -> Audience {
    Audience {
        permission: Some(Permission::AccessReview),
        min_tier: requester_tier.max(5),
        staff: vec![requester],
    }
}

/// An event about an access request.
pub fn access_event(
    kind: EventKind,
    at: chrono::DateTime<chrono::Utc>,
    facts: AccessFacts,
    actor_id: Option<Uuid>,
) -> EventDraft {
    let (subject_kind, subject_id) = match (kind, facts.grant_id) {
        (EventKind::GrantStarted | EventKind::GrantExpiring | EventKind::GrantEnded, Some(g)) => {
            (SubjectKind::Grant, g)
        }
        _ => (SubjectKind::AccessRequest, facts.request_id),
    };
    EventDraft {
        at,
        kind,
        subject_kind,
        subject_id,
        actor_id,
        audience: access_audience(facts.requester_id, facts.requester_role.tier()),
        facts: EventFacts::Access(facts),
    }
}

/// An event about a staff member (invited, enrolled, role, MFA, status, clearance, sessions ended
/// by someone else): they and staff readers see it.
pub fn staff_event(
    kind: EventKind,
    at: chrono::DateTime<chrono::Utc>,
    staff_id: Uuid,
    actor_id: Option<Uuid>,
) -> EventDraft {
    EventDraft {
        at,
        kind,
        subject_kind: SubjectKind::Staff,
        subject_id: staff_id,
        actor_id,
        audience: Audience::with(Permission::StaffRead).and([staff_id]),
        facts: EventFacts::None,
    }
}

/// The facts of a grant, for events about it (the holder is the requester).
pub fn grant_facts(g: &GrantView) -> AccessFacts {
    AccessFacts {
        request_id: g.request_id,
        requester_id: g.holder.id,
        requester_name: g.holder.display_name.clone(),
        requester_role: g.holder.role,
        tenant_name: g.tenant.name.clone(),
        scope: g.scope,
        status: RequestStatus::Approved,
        reviewed_by: Vec::new(),
        grant_id: Some(g.id),
        grant_ends_at: Some(g.ends_at),
    }
}
