//! Tickets (DESIGN.md "Domain: Tickets"): priorities, the status machine, escalation levels and
//! the tier that handles each, which tickets take changes and who may escalate them, validated
//! ticket text; the queue's rules in `queue` and its cursor in `cursor`.

pub mod cursor;
pub mod queue;

use crate::role::Role;
use serde::{Deserialize, Serialize};

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $( $variant:ident => $text:literal ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
        #[ts(export)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $( $variant, )* }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];
            /// The stable name used on the wire and in the database.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text, )* }
            }
            /// Parses the stable name.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::parse(s).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    format!("`{s}` is not one of {}", names.join(", "))
                })
            }
        }
    };
}
pub(crate) use named_enum;

named_enum!(
    /// How urgent a ticket is; `Critical` first.
    Priority { Critical => "critical", High => "high", Medium => "medium", Low => "low" }
);

impl Priority {
    /// 0 for critical to 3 for low: the order a queue sorted by priority shows.
    pub fn rank(self) -> i64 {
        match self {
            Priority::Critical => 0,
            Priority::High => 1,
            Priority::Medium => 2,
            Priority::Low => 3,
        }
    }

    /// The priority of a rank stored by [`Priority::rank`].
    pub fn from_rank(rank: i64) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.rank() == rank)
    }
}

named_enum!(
    /// Where a ticket is in its life.
    TicketStatus {
        New => "new",
        Open => "open",
        Pending => "pending",
        OnHold => "on_hold",
        Solved => "solved",
        Closed => "closed",
    }
);

impl TicketStatus {
    /// Whether the ticket still needs work (new, open, pending, on hold).
    pub fn is_open(self) -> bool {
        !matches!(self, TicketStatus::Solved | TicketStatus::Closed)
    }

    /// Whether the SLA clock runs: it pauses while the ticket waits on the requester.
    pub fn sla_runs(self) -> bool {
        matches!(
            self,
            TicketStatus::New | TicketStatus::Open | TicketStatus::OnHold
        )
    }

    /// Checks that a ticket may go from `self` to `to`. Nothing leaves `closed`; `solved` may
    /// reopen or close; nothing goes back to `new`.
    pub fn transition(self, to: TicketStatus) -> Result<TicketStatus, TicketRuleError> {
        use TicketStatus::*;
        let allowed = match self {
            New => matches!(to, Open | Pending | OnHold | Solved),
            Open => matches!(to, Pending | OnHold | Solved),
            Pending => matches!(to, Open | OnHold | Solved),
            OnHold => matches!(to, Open | Pending | Solved),
            Solved => matches!(to, Open | Closed),
            Closed => false,
        };
        if allowed {
            Ok(to)
        } else {
            Err(TicketRuleError::Transition { from: self, to })
        }
    }
}

named_enum!(
    /// How far a ticket has been escalated: L1 is the front line.
    EscalationLevel { L1 => "l1", L2 => "l2", L3 => "l3" }
);

impl EscalationLevel {
    /// 1 to 3.
    pub fn number(self) -> i64 {
        match self {
            EscalationLevel::L1 => 1,
            EscalationLevel::L2 => 2,
            EscalationLevel::L3 => 3,
        }
    }

    /// The level stored by [`EscalationLevel::number`].
    pub fn from_number(n: i64) -> Option<Self> {
        Self::ALL.iter().copied().find(|l| l.number() == n)
    }

    /// The next level up, or an error at L3.
    pub fn raise(self) -> Result<EscalationLevel, TicketRuleError> {
        match self {
            EscalationLevel::L1 => Ok(EscalationLevel::L2),
            EscalationLevel::L2 => Ok(EscalationLevel::L3),
            EscalationLevel::L3 => Err(TicketRuleError::AlreadyTopLevel),
        }
    }

    /// The tier that handles tickets at this level: agents at L1, senior agents at L2
    /// ("senior staff"), engineers at L3.
    pub fn handled_by(self) -> Role {
        match self {
            EscalationLevel::L1 => Role::Agent,
            EscalationLevel::L2 => Role::SeniorAgent,
            EscalationLevel::L3 => Role::Engineer,
        }
    }

    /// The escalated levels `role` handles (and so sees in its escalated view): every level
    /// above L1 whose handling tier is at or below `role`.
    pub fn escalated_levels_for(role: Role) -> Vec<EscalationLevel> {
        [EscalationLevel::L2, EscalationLevel::L3]
            .into_iter()
            .filter(|l| l.handled_by() <= role)
            .collect()
    }
}

named_enum!(
    /// The built-in queue views.
    QueueView {
        Mine => "mine",
        Unassigned => "unassigned",
        Escalated => "escalated",
        BreachingSoon => "breaching_soon",
        AllOpen => "all_open",
        RecentlySolved => "recently_solved",
    }
);

named_enum!(
    /// The orders a queue can be shown in.
    QueueSort {
        SlaDue => "sla_due",
        Priority => "priority",
        Updated => "updated",
    }
);

named_enum!(
    /// Public replies go to the requester; internal notes only to staff.
    MessageKind { Reply => "reply", Note => "note", System => "system" }
);

/// A ticket rule that refused an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketRuleError {
    #[error("a ticket cannot go from {from} to {to}")]
    Transition {
        from: TicketStatus,
        to: TicketStatus,
    },
    #[error("the ticket is already at the highest escalation level (L3)")]
    AlreadyTopLevel,
    #[error("a ticket cannot be merged into itself")]
    MergeIntoSelf,
    #[error("a closed or merged ticket cannot be changed")]
    TicketClosed,
    #[error("only open tickets can be escalated; reopen it first")]
    NotOpen,
}

impl TicketRuleError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            TicketRuleError::Transition { .. } => "status_transition_not_allowed",
            TicketRuleError::AlreadyTopLevel => "already_top_escalation_level",
            TicketRuleError::MergeIntoSelf => "merge_into_self",
            TicketRuleError::TicketClosed => "ticket_closed",
            TicketRuleError::NotOpen => "ticket_not_open",
        }
    }
}

/// A closed or merged ticket takes no more changes.
pub fn check_writable(status: TicketStatus, merged: bool) -> Result<(), TicketRuleError> {
    if status == TicketStatus::Closed || merged {
        return Err(TicketRuleError::TicketClosed);
    }
    Ok(())
}

/// Only open tickets are escalated by hand; a finished one is reopened first.
pub fn may_escalate(status: TicketStatus) -> Result<(), TicketRuleError> {
    if status.is_open() {
        Ok(())
    } else {
        Err(TicketRuleError::NotOpen)
    }
}

/// What escalating a ticket one level up changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscalationStep {
    /// The level it rises to.
    pub to: EscalationLevel,
    /// It leaves its assignee, so it lands in the escalated view of the tier that handles `to`.
    pub unassign: bool,
}

/// The step from `level` for a ticket that is `assigned` or not; `None` at L3, where an
/// escalation is only recorded.
pub fn escalation_step(level: EscalationLevel, assigned: bool) -> Option<EscalationStep> {
    level.raise().ok().map(|to| EscalationStep {
        to,
        unassign: assigned,
    })
}

/// Longest escalation reason, in characters.
pub const REASON_MAX: usize = 500;

/// An escalation reason: 1 to 500 characters after trimming.
pub fn check_reason(value: &str) -> Result<String, String> {
    let v = value.trim();
    if !(1..=REASON_MAX).contains(&v.chars().count()) {
        return Err(format!(
            "must be 1 to {REASON_MAX} characters: say why it needs senior staff"
        ));
    }
    Ok(v.to_owned())
}

/// Longest subject, in characters.
pub const SUBJECT_MAX: usize = 200;
/// Longest message body, in characters.
pub const BODY_MAX: usize = 20_000;
/// Most tags on one ticket.
pub const TAGS_MAX: usize = 20;

/// A subject: 1 to 200 characters after trimming, no control characters.
pub fn check_subject(value: &str) -> Result<String, String> {
    let v = value.trim();
    let len = v.chars().count();
    if !(1..=SUBJECT_MAX).contains(&len) {
        return Err(format!("must be 1 to {SUBJECT_MAX} characters (got {len})"));
    }
    if v.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(v.to_owned())
}

/// A message body (Markdown): 1 to 20,000 characters after trimming; newlines and tabs are
/// kept, other control characters refused.
pub fn check_body(value: &str) -> Result<String, String> {
    let v = value.trim();
    let len = v.chars().count();
    if !(1..=BODY_MAX).contains(&len) {
        return Err(format!("must be 1 to {BODY_MAX} characters (got {len})"));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err("must not contain control characters other than newlines and tabs".into());
    }
    Ok(v.to_owned())
}

/// A tag: 1 to 40 characters of lowercase letters, digits, `-` and `_`. Stored lowercased.
pub fn check_tag(value: &str) -> Result<String, String> {
    let v = value.trim().to_lowercase();
    let len = v.chars().count();
    if !(1..=40).contains(&len) {
        return Err(format!("must be 1 to 40 characters (got {len})"));
    }
    if let Some(bad) = v
        .chars()
        .find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "may contain only letters, digits, '-' and '_' (found {bad:?})"
        ));
    }
    Ok(v)
}

/// A list of tags: each checked, duplicates dropped, at most 20, sorted.
pub fn check_tags(values: &[String]) -> Result<Vec<String>, String> {
    let mut tags = Vec::with_capacity(values.len());
    for (i, t) in values.iter().enumerate() {
        tags.push(check_tag(t).map_err(|e| format!("item {i} {e}"))?);
    }
    tags.sort();
    tags.dedup();
    if tags.len() > TAGS_MAX {
        return Err(format!(
            "must hold at most {TAGS_MAX} tags (got {})",
            tags.len()
        ));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_machine_allows_the_desk_flow_and_refuses_the_rest() {
        use TicketStatus::*;
        assert_eq!(New.transition(Open), Ok(Open));
        assert_eq!(Open.transition(Pending), Ok(Pending));
        assert_eq!(Pending.transition(Open), Ok(Open));
        assert_eq!(Open.transition(Solved), Ok(Solved));
        assert_eq!(Solved.transition(Open), Ok(Open));
        assert_eq!(Solved.transition(Closed), Ok(Closed));
        for to in TicketStatus::ALL {
            assert!(Closed.transition(*to).is_err(), "closed -> {to}");
            if *to != New {
                continue;
            }
            for from in TicketStatus::ALL {
                assert!(from.transition(New).is_err(), "{from} -> new");
            }
        }
        assert_eq!(
            Open.transition(Closed).unwrap_err().code(),
            "status_transition_not_allowed"
        );
        assert!(Open.transition(Open).is_err());
    }

    #[test]
    fn sla_pauses_only_while_pending_and_open_means_unsolved() {
        assert!(!TicketStatus::Pending.sla_runs());
        assert!(TicketStatus::OnHold.sla_runs());
        assert!(TicketStatus::OnHold.is_open());
        assert!(!TicketStatus::Solved.is_open());
    }

    #[test]
    fn escalation_rises_to_l3_and_lands_with_the_tier_that_handles_it() {
        assert_eq!(EscalationLevel::L1.raise(), Ok(EscalationLevel::L2));
        assert_eq!(EscalationLevel::L2.raise(), Ok(EscalationLevel::L3));
        assert_eq!(
            EscalationLevel::L3.raise(),
            Err(TicketRuleError::AlreadyTopLevel)
        );
        assert_eq!(EscalationLevel::L2.handled_by(), Role::SeniorAgent);
        assert!(EscalationLevel::escalated_levels_for(Role::Agent).is_empty());
        assert_eq!(
            EscalationLevel::escalated_levels_for(Role::SeniorAgent),
            vec![EscalationLevel::L2]
        );
        assert_eq!(
            EscalationLevel::escalated_levels_for(Role::Manager),
            vec![EscalationLevel::L2, EscalationLevel::L3]
        );
    }

    #[test]
    fn closed_or_merged_tickets_take_no_changes_and_only_open_ones_escalate() {
        assert_eq!(check_writable(TicketStatus::Solved, false), Ok(()));
        assert_eq!(
            check_writable(TicketStatus::Closed, false),
            Err(TicketRuleError::TicketClosed)
        );
        assert_eq!(
            check_writable(TicketStatus::Open, true).unwrap_err().code(),
            "ticket_closed"
        );
        assert_eq!(may_escalate(TicketStatus::OnHold), Ok(()));
        assert_eq!(
            may_escalate(TicketStatus::Solved).unwrap_err().code(),
            "ticket_not_open"
        );
    }

    #[test]
    fn escalating_leaves_the_assignee_and_stops_at_l3() {
        assert_eq!(
            escalation_step(EscalationLevel::L1, true),
            Some(EscalationStep {
                to: EscalationLevel::L2,
                unassign: true
            })
        );
        assert_eq!(
            escalation_step(EscalationLevel::L2, false),
            Some(EscalationStep {
                to: EscalationLevel::L3,
                unassign: false
            })
        );
        assert_eq!(escalation_step(EscalationLevel::L3, true), None);
        assert_eq!(
            check_reason("  the customer is down ").unwrap(),
            "the customer is down"
        );
        assert!(check_reason("   ").is_err());
        assert!(check_reason(&"x".repeat(REASON_MAX)).is_ok());
        assert!(check_reason(&"x".repeat(REASON_MAX + 1))
            .unwrap_err()
            .contains("1 to 500"));
    }

    #[test]
    fn names_round_trip_and_unknown_names_say_what_is_allowed() {
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(*p));
            assert_eq!(Priority::from_rank(p.rank()), Some(*p));
        }
        let err = "urgent".parse::<Priority>().unwrap_err();
        assert!(err.contains("critical, high, medium, low"), "{err}");
        assert_eq!(
            QueueView::parse("breaching_soon"),
            Some(QueueView::BreachingSoon)
        );
    }

    #[test]
    fn ticket_text_is_checked() {
        assert_eq!(check_subject("  Login fails ").unwrap(), "Login fails");
        assert!(check_subject(" ").is_err());
        assert!(check_subject(&"x".repeat(201)).is_err());
        assert!(check_body("line 1\nline 2\ttab").is_ok());
        assert!(check_body("bell\u{7}").is_err());
        assert_eq!(
            check_tags(&["VIP".into(), "vip".into(), "billing".into()]).unwrap(),
            vec!["billing", "vip"]
        );
        assert!(check_tags(&["two words".into()])
            .unwrap_err()
            .starts_with("item 0"));
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert!(check_tags(&many).is_err());
    }
}
