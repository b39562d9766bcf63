//! SLA arithmetic: per-priority targets, the clock that runs only while a ticket is not waiting
//! on its requester, the warning before a breach, and the moment the background job must look at
//! a ticket next. The clock is passed in; nothing here reads the time.

use crate::ticket::{named_enum, Priority, TicketStatus};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// First-response and resolution targets for one priority, in minutes of running clock.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS,
)]
#[ts(export)]
pub struct SlaTargets {
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
}

impl SlaTargets {
    /// The usual desk defaults: critical 15 min / 4 h, high 1 h / 8 h, medium 4 h / 24 h,
    /// low 8 h / 72 h.
    pub fn default_for(priority: Priority) -> SlaTargets {
        let (first, resolve) = match priority {
            Priority::Critical => (15, 4 * 60),
            Priority::High => (60, 8 * 60),
            Priority::Medium => (4 * 60, 24 * 60),
            Priority::Low => (8 * 60, 72 * 60),
        };
        SlaTargets {
            first_response_minutes: first,
            resolution_minutes: resolve,
        }
    }

    /// Checks both targets are between 1 minute and 90 days and first response comes first.
    pub fn check(self) -> Result<SlaTargets, String> {
        let range = 1..=90 * 24 * 60;
        if !range.contains(&self.first_response_minutes) {
            return Err("first_response_minutes must be between 1 and 129600".into());
        }
        if !range.contains(&self.resolution_minutes) {
            return Err("resolution_minutes must be between 1 and 129600".into());
        }
        if self.first_response_minutes > self.resolution_minutes {
            return Err("first_response_minutes must not exceed resolution_minutes".into());
        }
        Ok(self)
    }
}

named_enum!(
    /// Which target the clock is measured against now.
    SlaStage { FirstResponse => "first_response", Resolution => "resolution", Done => "done" }
);

named_enum!(
    /// What the SLA job has already done for the current stage.
    SlaState { Ok => "ok", Warned => "warned", Breached => "breached" }
);

/// What the SLA job raises for a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlaAlarm {
    /// The stage's deadline is near (a fifth of its target left).
    Warning(SlaStage),
    /// The stage's deadline passed; the ticket escalates.
    Breach(SlaStage),
}

/// A ticket's SLA clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaClock {
    /// Running time accumulated before `running_since`, in milliseconds.
    pub active_ms: i64,
    /// When the clock last started; `None` while paused.
    pub running_since: Option<DateTime<Utc>>,
    pub stage: SlaStage,
    pub state: SlaState,
}

/// Where a clock stands: the stored columns the queue sorts by and the job polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaDeadlines {
    /// When the current stage's target is reached; `None` while paused or done.
    pub due_at: Option<DateTime<Utc>>,
    /// When the SLA job must look at the ticket next; `None` when nothing is pending.
    pub check_at: Option<DateTime<Utc>>,
}

impl SlaClock {
    /// The clock of a ticket created at `now` with `status`.
    pub fn start(status: TicketStatus, now: DateTime<Utc>) -> SlaClock {
        SlaClock {
            active_ms: 0,
            running_since: status.sla_runs().then_some(now),
            stage: if status.is_open() {
                SlaStage::FirstResponse
            } else {
                SlaStage::Done
            },
            state: SlaState::Ok,
        }
    }

    /// Running time so far.
    pub fn elapsed(&self, now: DateTime<Utc>) -> Duration {
        let running = self
            .running_since
            .map(|since| (now - since).max(Duration::zero()))
            .unwrap_or_else(Duration::zero);
        Duration::milliseconds(self.active_ms) + running
    }

    fn pause(&mut self, now: DateTime<Utc>) {
        if self.running_since.is_some() {
            self.active_ms = self.elapsed(now).num_milliseconds();
            self.running_since = None;
        }
    }

    fn resume(&mut self, now: DateTime<Utc>) {
        if self.running_since.is_none() {
            self.running_since = Some(now);
        }
    }

    /// Follows a status change: pauses while pending, stops when solved or closed, and picks the
    /// stage up again on reopening.
    pub fn on_status(&mut self, to: TicketStatus, first_responded: bool, now: DateTime<Utc>) {
        if to.is_open() && self.stage == SlaStage::Done {
            self.stage = if first_responded {
                SlaStage::Resolution
            } else {
                SlaStage::FirstResponse
            };
        } else if !to.is_open() {
            self.stage = SlaStage::Done;
        }
        if to.sla_runs() && self.stage != SlaStage::Done {
            self.resume(now);
        } else {
            self.pause(now);
        }
    }

    /// The first public reply from staff: the first-response target is met.
    pub fn on_first_response(&mut self) {
        if self.stage == SlaStage::FirstResponse {
            self.stage = SlaStage::Resolution;
            self.state = SlaState::Ok;
        }
    }

    /// The current stage's target, if any.
    fn target(&self, targets: SlaTargets) -> Option<Duration> {
        match self.stage {
            SlaStage::FirstResponse => Some(Duration::minutes(targets.first_response_minutes)),
            SlaStage::Resolution => Some(Duration::minutes(targets.resolution_minutes)),
            SlaStage::Done => None,
        }
    }

    /// Time left on the current stage (negative when overdue), paused or not.
    pub fn remaining(&self, targets: SlaTargets, now: DateTime<Utc>) -> Option<Duration> {
        self.target(targets).map(|t| t - self.elapsed(now))
    }

    /// The deadline and the job's next look for these targets.
    pub fn deadlines(&self, targets: SlaTargets) -> SlaDeadlines {
        let (Some(target), Some(since)) = (self.target(targets), self.running_since) else {
            return SlaDeadlines {
                due_at: None,
                check_at: None,
            };
        };
        let due_at = since + target - Duration::milliseconds(self.active_ms);
        let warn_at = due_at - target / 5;
        let check_at = match self.state {
            SlaState::Ok => Some(warn_at),
            SlaState::Warned => Some(due_at),
            SlaState::Breached => None,
        };
        SlaDeadlines {
            due_at: Some(due_at),
            check_at,
        }
    }

    /// What the SLA job raises at `now`, moving the state on. A ticket whose deadline passed
    /// before any warning is breached directly.
    pub fn tick(&mut self, targets: SlaTargets, now: DateTime<Utc>) -> Option<SlaAlarm> {
        let target = self.target(targets)?;
        self.running_since?;
        let left = target - self.elapsed(now);
        match self.state {
            SlaState::Breached => None,
            _ if left <= Duration::zero() => {
                self.state = SlaState::Breached;
                Some(SlaAlarm::Breach(self.stage))
            }
            SlaState::Ok if left <= target / 5 => {
                self.state = SlaState::Warned;
                Some(SlaAlarm::Warning(self.stage))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn mins(m: i64) -> Duration {
        Duration::minutes(m)
    }

    const HIGH: SlaTargets = SlaTargets {
        first_response_minutes: 60,
        resolution_minutes: 480,
    };

    #[test]
    fn first_response_deadline_warns_at_a_fifth_left_then_breaches() {
        let mut clock = SlaClock::start(TicketStatus::New, t0());
        let d = clock.deadlines(HIGH);
        assert_eq!(d.due_at, Some(t0() + mins(60)));
        assert_eq!(d.check_at, Some(t0() + mins(48)));
        assert_eq!(clock.tick(HIGH, t0() + mins(47)), None);
        assert_eq!(
            clock.tick(HIGH, t0() + mins(48)),
            Some(SlaAlarm::Warning(SlaStage::FirstResponse))
        );
        assert_eq!(clock.deadlines(HIGH).check_at, Some(t0() + mins(60)));
        assert_eq!(clock.tick(HIGH, t0() + mins(59)), None);
        assert_eq!(
            clock.tick(HIGH, t0() + mins(60)),
            Some(SlaAlarm::Breach(SlaStage::FirstResponse))
        );
        assert_eq!(clock.tick(HIGH, t0() + mins(90)), None, "breaches once");
        assert_eq!(clock.deadlines(HIGH).check_at, None);
    }

    #[test]
    fn pending_pauses_the_clock_and_moves_the_deadline() {
        let mut clock = SlaClock::start(TicketStatus::Open, t0());
        clock.on_status(TicketStatus::Pending, false, t0() + mins(30));
        assert_eq!(
            clock.deadlines(HIGH).due_at,
            None,
            "no deadline while paused"
        );
        assert_eq!(clock.remaining(HIGH, t0() + mins(500)), Some(mins(30)));
        assert_eq!(
            clock.tick(HIGH, t0() + mins(500)),
            None,
            "paused never breaches"
        );
        clock.on_status(TicketStatus::Open, false, t0() + mins(120));
        assert_eq!(clock.deadlines(HIGH).due_at, Some(t0() + mins(150)));
    }

    #[test]
    fn first_response_moves_to_resolution_and_solving_stops_the_clock() {
        let mut clock = SlaClock::start(TicketStatus::New, t0());
        clock.tick(HIGH, t0() + mins(50));
        assert_eq!(clock.state, SlaState::Warned);
        clock.on_first_response();
        assert_eq!(clock.stage, SlaStage::Resolution);
        assert_eq!(clock.state, SlaState::Ok);
        assert_eq!(clock.deadlines(HIGH).due_at, Some(t0() + mins(480)));
        clock.on_status(TicketStatus::Solved, true, t0() + mins(100));
        assert_eq!(clock.stage, SlaStage::Done);
        assert_eq!(clock.deadlines(HIGH).due_at, None);
        clock.on_status(TicketStatus::Open, true, t0() + mins(200));
        assert_eq!(clock.stage, SlaStage::Resolution);
        assert_eq!(
            clock.deadlines(HIGH).due_at,
            Some(t0() + mins(200) + mins(380)),
            "reopening resumes with the time already used"
        );
    }

    #[test]
    fn overdue_without_warning_breaches_directly() {
        let mut clock = SlaClock::start(TicketStatus::New, t0());
        assert_eq!(
            clock.tick(HIGH, t0() + mins(61)),
            Some(SlaAlarm::Breach(SlaStage::FirstResponse))
        );
    }

    #[test]
    fn targets_are_checked() {
        for p in Priority::ALL {
            assert!(SlaTargets::default_for(*p).check().is_ok());
        }
        let bad = SlaTargets {
            first_response_minutes: 600,
            resolution_minutes: 60,
        };
        assert!(bad.check().unwrap_err().contains("must not exceed"));
        let zero = SlaTargets {
            first_response_minutes: 0,
            resolution_minutes: 60,
        };
        assert!(zero
            .check()
            .unwrap_err()
            .starts_with("first_response_minutes"));
    }
}
