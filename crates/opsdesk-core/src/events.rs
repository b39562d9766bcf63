//! Live events: what the hub tells the apps, who may see each event, and who is notified of what
//! (DESIGN.md "Desktop conventions"). The hub stores an [`Audience`] with every event and filters
//! streams with [`Audience::admits`]; the app decides its pop-ups with [`notification_for`] and
//! the do-not-disturb rules with [`NotificationPrefs::allows`], so both sides share one rulebook.

use crate::access::RequestStatus;
use crate::role::{Permission, Role};
use crate::rules::{may_review, AccessScope};
use crate::ticket::{EscalationLevel, Priority};
use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

crate::ticket::named_enum! {
    /// What happened.
    EventKind {
        TicketCreated => "ticket.created",
        TicketUpdated => "ticket.updated",
        TicketAssigned => "ticket.assigned",
        TicketEscalated => "ticket.escalated",
        TicketSlaWarning => "ticket.sla_warning",
        TicketSlaBreached => "ticket.sla_breached",
        AccessRequested => "access.requested",
        AccessReviewed => "access.reviewed",
        AccessDecided => "access.decided",
        AccessClosed => "access.closed",
        GrantStarted => "grant.started",
        GrantExpiring => "grant.expiring",
        GrantEnded => "grant.ended",
        // Role, MFA reset, deactivation.
        StaffChanged => "staff.changed",
        // A new account with its invite, or a new invite for one that never enrolled.
        StaffInvited => "staff.invited",
        // An invite was accepted: the account is active.
        StaffEnrolled => "staff.enrolled",
    }
}

crate::ticket::named_enum! {
    /// What kind of record an event is about.
    SubjectKind {
        Ticket => "ticket",
        AccessRequest => "access_request",
        Grant => "grant",
        Staff => "staff",
    }
}

/// Who may receive an event: the people named, and everyone whose role holds `permission` at
/// tier `min_tier` or above.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Audience {
    pub permission: Option<Permission>,
    pub min_tier: u8,
    pub staff: Vec<Uuid>,
}

impl Audience {
    /// Everyone holding `permission`.
    pub fn with(permission: Permission) -> Self {
        Audience {
            permission: Some(permission),
            min_tier: 0,
            staff: Vec::new(),
        }
    }

    /// Only the people named.
    pub fn only(staff: impl IntoIterator<Item = Uuid>) -> Self {
        Audience {
            permission: None,
            min_tier: 0,
            staff: staff.into_iter().collect(),
        }
    }

    /// Adds people by name.
    pub fn and(mut self, staff: impl IntoIterator<Item = Uuid>) -> Self {
        for s in staff {
            if !self.staff.contains(&s) {
                self.staff.push(s);
            }
        }
        self
    }

    /// Whether `staff_id` with `role` may receive the event.
    pub fn admits(&self, staff_id: Uuid, role: Role) -> bool {
        self.staff.contains(&staff_id)
            || self
                .permission
                .is_some_and(|p| role.has(p) && role.tier() >= self.min_tier)
    }
}

/// The facts of a ticket event that decide notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TicketFacts {
    /// None for a ticket being opened (its number comes with the write).
    pub number: Option<i64>,
    pub subject: String,
    pub tenant_name: String,
    pub priority: Priority,
    pub escalation_level: EscalationLevel,
    pub assignee_id: Option<Uuid>,
    /// For escalations and SLA alarms: why.
    pub reason: Option<String>,
}

/// The facts of an access event that decide notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct AccessFacts {
    pub request_id: Uuid,
    pub requester_id: Uuid,
    pub requester_name: String,
    pub requester_role: Role,
    pub tenant_name: String,
    pub scope: AccessScope,
    pub status: RequestStatus,
    /// Reviewers who already reviewed (they are not asked again).
    pub reviewed_by: Vec<Uuid>,
    pub grant_id: Option<Uuid>,
    pub grant_ends_at: Option<DateTime<Utc>>,
}

/// What an event says, beyond its kind and subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventFacts {
    Ticket(TicketFacts),
    Access(AccessFacts),
    None,
}

crate::ticket::named_enum! {
    /// The kinds of pop-up, each of which a person can turn off.
    NotificationKind {
        Escalation => "escalation",
        Assignment => "assignment",
        Review => "review",
        Decision => "decision",
        GrantExpiring => "grant_expiring",
        SlaBreach => "sla_breach",
    }
}

crate::ticket::named_enum! {
    /// How loud a pop-up is; only `critical` passes do-not-disturb hours.
    Urgency {
        Low => "low",
        Normal => "normal",
        Critical => "critical",
    }
}

crate::ticket::named_enum! {
    /// What a pop-up offers.
    NotificationAction {
        Open => "open",
        Approve => "approve",
        Deny => "deny",
    }
}

/// A pop-up to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct Notification {
    pub kind: NotificationKind,
    pub urgency: Urgency,
    pub title: String,
    pub body: String,
    pub actions: Vec<NotificationAction>,
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
}

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub id: Uuid,
    pub role: Role,
}

fn num(n: Option<i64>) -> String {
    n.map_or_else(|| "A ticket".to_owned(), |n| format!("#{n}"))
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Who is notified of what: escalation to my tier or to me, assignment to me (by someone else),
/// an access request waiting for my review, a decision on my request, my grant about to expire,
/// an SLA about to breach on my ticket. `actor` is who caused the event.
pub fn notification_for(
    kind: EventKind,
    subject_id: Uuid,
    facts: &EventFacts,
    actor: Option<Uuid>,
    me: Viewer,
) -> Option<Notification> {
    if actor == Some(me.id) && kind != EventKind::GrantExpiring {
        return None;
    }
    match (kind, facts) {
        (EventKind::TicketEscalated, EventFacts::Ticket(t)) => {
            let to_me = t.assignee_id == Some(me.id);
            let to_my_tier = t.assignee_id.is_none() && t.escalation_level.handled_by() == me.role;
            (to_me || to_my_tier).then(|| Notification {
                kind: NotificationKind::Escalation,
                urgency: if t.priority == Priority::Critical {
                    Urgency::Critical
                } else {
                    Urgency::Normal
                },
                title: format!(
                    "{} escalated to {} · {}",
                    num(t.number),
                    t.escalation_level.as_str().to_uppercase(),
                    t.tenant_name
                ),
                body: match &t.reason {
                    Some(r) => format!("{}\n{}", short(&t.subject, 120), short(r, 200)),
                    None => short(&t.subject, 120),
                },
                actions: vec![NotificationAction::Open],
                subject_kind: SubjectKind::Ticket,
                subject_id,
            })
        }
        (EventKind::TicketAssigned, EventFacts::Ticket(t)) => {
            (t.assignee_id == Some(me.id)).then(|| Notification {
                kind: NotificationKind::Assignment,
                urgency: if t.priority == Priority::Critical {
                    Urgency::Critical
                } else {
                    Urgency::Normal
                },
                title: format!("{} assigned to you · {}", num(t.number), t.tenant_name),
                body: short(&t.subject, 120),
                actions: vec![NotificationAction::Open],
                subject_kind: SubjectKind::Ticket,
                subject_id,
            })
        }
        (EventKind::TicketSlaWarning | EventKind::TicketSlaBreached, EventFacts::Ticket(t)) => {
            (t.assignee_id == Some(me.id)).then(|| Notification {
                kind: NotificationKind::SlaBreach,
                urgency: if kind == EventKind::TicketSlaBreached || t.priority == Priority::Critical
                {
                    Urgency::Critical
                } else {
                    Urgency::Normal
                },
                title: if kind == EventKind::TicketSlaBreached {
                    format!("{} breached its SLA", num(t.number))
                } else {
                    format!("{} is about to breach its SLA", num(t.number))
                },
                body: short(&t.subject, 120),
                actions: vec![NotificationAction::Open],
                subject_kind: SubjectKind::Ticket,
                subject_id,
            })
        }
        (EventKind::AccessRequested | EventKind::AccessReviewed, EventFacts::Access(a)) => {
            let waiting = a.status == RequestStatus::Pending
                && !a.reviewed_by.contains(&me.id)
                && may_review(me.role, a.requester_id == me.id, a.requester_role).is_ok();
            waiting.then(|| Notification {
                kind: NotificationKind::Review,
                urgency: if a.scope == AccessScope::Admin {
                    Urgency::Critical
                } else {
                    Urgency::Normal
                },
                title: format!(
                    "{} asks for {} access to {}",
                    a.requester_name, a.scope, a.tenant_name
                ),
                body: "Waiting for your review".into(),
                actions: vec![
                    NotificationAction::Open,
                    NotificationAction::Approve,
                    NotificationAction::Deny,
                ],
                subject_kind: SubjectKind::AccessRequest,
                subject_id: a.request_id,
            })
        }
        (EventKind::AccessDecided, EventFacts::Access(a)) => {
            (a.requester_id == me.id).then(|| Notification {
                kind: NotificationKind::Decision,
                urgency: Urgency::Normal,
                title: format!(
                    "Your {} access to {} was {}",
                    a.scope, a.tenant_name, a.status
                ),
                body: match (a.status, a.grant_ends_at) {
                    (RequestStatus::Approved, Some(end)) => {
                        format!("Access until {}", end.format("%H:%M UTC"))
                    }
                    _ => "Open the request to see the reviewer's comment".into(),
                },
                actions: vec![NotificationAction::Open],
                subject_kind: SubjectKind::AccessRequest,
                subject_id: a.request_id,
            })
        }
        (EventKind::GrantExpiring, EventFacts::Access(a)) => {
            (a.requester_id == me.id).then(|| Notification {
                kind: NotificationKind::GrantExpiring,
                urgency: Urgency::Normal,
                title: format!("Your {} access to {} ends soon", a.scope, a.tenant_name),
                body: match a.grant_ends_at {
                    Some(end) => format!("It ends at {}", end.format("%H:%M UTC")),
                    None => "It ends in 10 minutes".into(),
                },
                actions: vec![NotificationAction::Open],
                subject_kind: SubjectKind::Grant,
                subject_id: a.grant_id.unwrap_or(subject_id),
            })
        }
        _ => None,
    }
}

/// A person's notification settings: kinds turned off, and do-not-disturb hours (local time,
/// may cross midnight) during which only critical pop-ups show. Paused means nothing pops up.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NotificationPrefs {
    #[serde(default)]
    pub muted: Vec<NotificationKind>,
    #[serde(default)]
    pub quiet_from: Option<NaiveTime>,
    #[serde(default)]
    pub quiet_until: Option<NaiveTime>,
    #[serde(default)]
    pub paused: bool,
}

impl NotificationPrefs {
    /// Whether `local` (the person's wall-clock time) is inside the quiet hours.
    pub fn is_quiet(&self, local: NaiveTime) -> bool {
        match (self.quiet_from, self.quiet_until) {
            (Some(from), Some(until)) if from <= until => local >= from && local < until,
            (Some(from), Some(until)) => local >= from || local < until,
            _ => false,
        }
    }

    /// Whether `n` pops up now. What does not pop up still lands in the in-app inbox.
    pub fn allows(&self, n: &Notification, local: NaiveTime) -> bool {
        if self.paused || self.muted.contains(&n.kind) {
            return false;
        }
        !self.is_quiet(local) || n.urgency == Urgency::Critical
    }
}

#[cfg(test)]
mod tests;
