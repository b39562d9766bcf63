//! Unit tests of the event rules: who sees which event.
use super::*;

fn ticket(level: EscalationLevel, assignee: Option<Uuid>, priority: Priority) -> EventFacts {
    EventFacts::Ticket(TicketFacts {
        number: Some(42),
        subject: "Checkout fails".into(),
        tenant_name: "Acme".into(),
        priority,
        escalation_level: level,
        assignee_id: assignee,
        reason: Some("needs gateway logs".into()),
    })
}

fn me(role: Role) -> Viewer {
    Viewer {
        id: Uuid::from_u128(1),
        role,
    }
}

const T: Uuid = Uuid::from_u128(99);

#[test]
fn escalations_reach_the_tier_that_handles_them_or_the_assignee() {
    let facts = ticket(EscalationLevel::L2, None, Priority::High);
    let agent = Uuid::from_u128(7);
    let n = notification_for(
        EventKind::TicketEscalated,
        T,
        &facts,
        Some(agent),
        me(Role::SeniorAgent),
    )
    .expect("senior agents hear about L2");
    assert_eq!(n.kind, NotificationKind::Escalation);
    assert_eq!(n.urgency, Urgency::Normal);
    assert!(
        n.title.contains("#42") && n.title.contains("L2"),
        "{}",
        n.title
    );
    assert_eq!(n.actions, vec![NotificationAction::Open]);
    for other in [Role::Agent, Role::Engineer, Role::Manager, Role::Viewer] {
        assert!(
            notification_for(
                EventKind::TicketEscalated,
                T,
                &facts,
                Some(agent),
                me(other)
            )
            .is_none(),
            "{other}"
        );
    }
    let l3 = ticket(EscalationLevel::L3, None, Priority::Critical);
    let n = notification_for(EventKind::TicketEscalated, T, &l3, None, me(Role::Engineer)).unwrap();
    assert_eq!(n.urgency, Urgency::Critical);
    // Escalated to someone in particular: only them.
    let mine = ticket(EscalationLevel::L2, Some(Uuid::from_u128(1)), Priority::Low);
    assert!(notification_for(
        EventKind::TicketEscalated,
        T,
        &mine,
        Some(agent),
        me(Role::Manager)
    )
    .is_some());
    let theirs = ticket(EscalationLevel::L2, Some(Uuid::from_u128(5)), Priority::Low);
    assert!(notification_for(
        EventKind::TicketEscalated,
        T,
        &theirs,
        Some(agent),
        me(Role::SeniorAgent)
    )
    .is_none());
    // Nobody is told about what they did themselves.
    assert!(notification_for(
        EventKind::TicketEscalated,
        T,
        &facts,
        Some(Uuid::from_u128(1)),
        me(Role::SeniorAgent)
    )
    .is_none());
}

#[test]
fn assignments_and_sla_alarms_reach_the_assignee() {
    let mine = ticket(
        EscalationLevel::L1,
        Some(Uuid::from_u128(1)),
        Priority::Medium,
    );
    let other = Some(Uuid::from_u128(3));
    assert_eq!(
        notification_for(EventKind::TicketAssigned, T, &mine, other, me(Role::Agent))
            .unwrap()
            .kind,
        NotificationKind::Assignment
    );
    assert!(notification_for(
        EventKind::TicketAssigned,
        T,
        &mine,
        Some(Uuid::from_u128(1)),
        me(Role::Agent)
    )
    .is_none());
    let warn =
        notification_for(EventKind::TicketSlaWarning, T, &mine, None, me(Role::Agent)).unwrap();
    assert_eq!(
        (warn.kind, warn.urgency),
        (NotificationKind::SlaBreach, Urgency::Normal)
    );
    let breach = notification_for(
        EventKind::TicketSlaBreached,
        T,
        &mine,
        None,
        me(Role::Agent),
    )
    .unwrap();
    assert_eq!(breach.urgency, Urgency::Critical);
    let theirs = ticket(EscalationLevel::L1, other, Priority::Medium);
    assert!(notification_for(
        EventKind::TicketSlaWarning,
        T,
        &theirs,
        None,
        me(Role::Agent)
    )
    .is_none());
    assert!(notification_for(EventKind::TicketUpdated, T, &mine, other, me(Role::Agent)).is_none());
}

fn access(status: RequestStatus, requester_role: Role, reviewed: Vec<Uuid>) -> EventFacts {
    EventFacts::Access(AccessFacts {
        request_id: Uuid::from_u128(50),
        requester_id: Uuid::from_u128(2),
        requester_name: "Ana".into(),
        requester_role,
        tenant_name: "Acme".into(),
        scope: AccessScope::Read,
        status,
        reviewed_by: reviewed,
        grant_id: None,
        grant_ends_at: None,
    })
}

#[test]
fn review_requests_reach_eligible_reviewers_only() {
    let facts = access(RequestStatus::Pending, Role::Agent, vec![]);
    let requester = Some(Uuid::from_u128(2));
    let n = notification_for(
        EventKind::AccessRequested,
        T,
        &facts,
        requester,
        me(Role::Manager),
    )
    .unwrap();
    assert_eq!(n.kind, NotificationKind::Review);
    assert_eq!(
        n.actions,
        vec![
            NotificationAction::Open,
            NotificationAction::Approve,
            NotificationAction::Deny
        ]
    );
    assert_eq!(n.subject_id, Uuid::from_u128(50));
    assert!(notification_for(
        EventKind::AccessRequested,
        T,
        &facts,
        requester,
        me(Role::Engineer)
    )
    .is_none());
    let so = access(RequestStatus::Pending, Role::SecurityOfficer, vec![]);
    assert!(notification_for(
        EventKind::AccessRequested,
        T,
        &so,
        requester,
        me(Role::Manager)
    )
    .is_none());
    assert!(notification_for(
        EventKind::AccessRequested,
        T,
        &so,
        requester,
        me(Role::Admin)
    )
    .is_some());
    let reviewed = access(
        RequestStatus::Pending,
        Role::Agent,
        vec![Uuid::from_u128(1)],
    );
    assert!(notification_for(
        EventKind::AccessReviewed,
        T,
        &reviewed,
        None,
        me(Role::Manager)
    )
    .is_none());
    // The requester's own request never asks them to review it.
    let own = Viewer {
        id: Uuid::from_u128(2),
        role: Role::Manager,
    };
    assert!(notification_for(
        EventKind::AccessRequested,
        T,
        &facts,
        Some(Uuid::from_u128(3)),
        own
    )
    .is_none());
}

#[test]
fn decisions_and_expiring_grants_reach_the_requester() {
    let requester = Viewer {
        id: Uuid::from_u128(2),
        role: Role::Agent,
    };
    let approved = access(
        RequestStatus::Approved,
        Role::Agent,
        vec![Uuid::from_u128(1)],
    );
    let n = notification_for(
        EventKind::AccessDecided,
        T,
        &approved,
        Some(Uuid::from_u128(1)),
        requester,
    )
    .unwrap();
    assert!(n.title.contains("approved"), "{}", n.title);
    assert!(notification_for(
        EventKind::AccessDecided,
        T,
        &approved,
        None,
        me(Role::Manager)
    )
    .is_none());
    let n = notification_for(EventKind::GrantExpiring, T, &approved, None, requester).unwrap();
    assert_eq!(n.kind, NotificationKind::GrantExpiring);
}

#[test]
fn audiences_filter_streams() {
    let a = Audience::with(Permission::AccessReview).and([Uuid::from_u128(2)]);
    assert!(a.admits(Uuid::from_u128(2), Role::Agent));
    assert!(!a.admits(Uuid::from_u128(3), Role::Agent));
    assert!(a.admits(Uuid::from_u128(3), Role::Manager));
    let tiered = Audience {
        min_tier: 6,
        ..a.clone()
    };
    assert!(!tiered.admits(Uuid::from_u128(3), Role::Manager));
    assert!(tiered.admits(Uuid::from_u128(3), Role::SecurityOfficer));
    assert!(Audience::with(Permission::TicketsRead).admits(Uuid::from_u128(9), Role::Viewer));
    assert!(!Audience::only([]).admits(Uuid::from_u128(9), Role::Admin));
}

#[test]
fn quiet_hours_let_only_critical_through() {
    let n = |urgency| Notification {
        kind: NotificationKind::Escalation,
        urgency,
        title: String::new(),
        body: String::new(),
        actions: vec![],
        subject_kind: SubjectKind::Ticket,
        subject_id: T,
    };
    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let prefs = NotificationPrefs {
        quiet_from: Some(at(22, 0)),
        quiet_until: Some(at(7, 0)),
        ..Default::default()
    };
    assert!(prefs.is_quiet(at(23, 30)) && prefs.is_quiet(at(6, 59)));
    assert!(!prefs.is_quiet(at(7, 0)) && !prefs.is_quiet(at(12, 0)));
    assert!(!prefs.allows(&n(Urgency::Normal), at(23, 0)));
    assert!(prefs.allows(&n(Urgency::Critical), at(23, 0)));
    assert!(prefs.allows(&n(Urgency::Normal), at(12, 0)));
    let day = NotificationPrefs {
        quiet_from: Some(at(12, 0)),
        quiet_until: Some(at(13, 0)),
        ..Default::default()
    };
    assert!(day.is_quiet(at(12, 30)) && !day.is_quiet(at(13, 30)));
    let muted = NotificationPrefs {
        muted: vec![NotificationKind::Escalation],
        ..Default::default()
    };
    assert!(!muted.allows(&n(Urgency::Critical), at(12, 0)));
    let paused = NotificationPrefs {
        paused: true,
        ..Default::default()
    };
    assert!(!paused.allows(&n(Urgency::Critical), at(12, 0)));
}
