//! The audit trail: what is recorded, filters, verification, and tampering found.

use crate::both;
use crate::helpers::*;
use opsdesk_core::audit::ChainBreak;
use opsdesk_core::Role;
use opsdesk_proto::*;
use serde_json::json;

both!(
    every_staff_and_sign_in_action_is_audited,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        let _ = app.sign_in("ana", "wrong-password!", &agent.secret).await;
        let signed = app.sign_in("ana", PASSWORD, &agent.secret).await.unwrap();
        let () = app
            .client(&agent.token)
            .end_session(signed.session.id)
            .await
            .checked()
            .unwrap();
        let v = app.staff(&admin, agent.id).await.version;
        let _: StaffView = app
            .client(&admin.token)
            .change_role(
                agent.id,
                &from_json(json!({"role": "viewer", "version": v})),
            )
            .await
            .checked()
            .unwrap();
        let _: InviteIssued = app
            .client(&admin.token)
            .reset_mfa(agent.id, &from_json(json!({"version": v + 1})))
            .await
            .checked()
            .unwrap();
        let _: StaffView = app
            .client(&admin.token)
            .deactivate(agent.id, &from_json(json!({"version": v + 2})))
            .await
            .checked()
            .unwrap();
        let target = format!("staff:{}", agent.id);
        let entries = app
            .audit(&admin, &format!("target={target}&limit=200"))
            .await;
        let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
        for expected in [
            "staff.invited",
            "staff.enrolled",
            "auth.sign_in",
            "auth.sign_in_failed",
            "staff.role_changed",
            "staff.mfa_reset",
            "staff.deactivated",
        ] {
            assert!(
                actions.contains(&expected),
                "{expected} missing from {actions:?}"
            );
        }
        let ended = app
            .audit(
                &admin,
                &format!("action=session.ended&target=session:{}", signed.session.id),
            )
            .await;
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].actor, format!("staff:{}", agent.id));
        let failed = entries
            .iter()
            .find(|e| e.action == "auth.sign_in_failed")
            .unwrap();
        assert_eq!(failed.client_addr, "127.0.0.1");
        assert_eq!(failed.details["reason"], "wrong_password");
        // Entries chain: each holds its predecessor's hash.
        let all = app.audit(&admin, "limit=200").await;
        for pair in all.windows(2) {
            assert_eq!(pair[0].seq, pair[1].seq + 1);
            assert_eq!(pair[0].prev_hash, pair[1].hash);
        }
    }
);

both!(
    audit_filters_by_actor_action_target_and_time_and_pages,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let t0 = app.clock_now();
        for name in ["ann1", "ann2", "ann3"] {
            app.invite(&admin, name, Role::Agent).await;
        }
        let invites = app
            .audit(
                &admin,
                &format!("action=staff.invited&actor=staff:{}", admin.id),
            )
            .await;
        assert_eq!(invites.len(), 3);
        let since = app
            .audit(
                &admin,
                &format!("action=staff.invited&since={}", urlencode(&t0.to_rfc3339())),
            )
            .await;
        assert_eq!(since.len(), 3);
        let before = app
            .audit(
                &admin,
                &format!("action=staff.invited&until={}", urlencode(&t0.to_rfc3339())),
            )
            .await;
        assert_eq!(before.len(), 1, "only the bootstrap invite precedes t0");
        let page: Page<AuditEntry> = app
            .get(&format!("{}?limit=2", routes::AUDIT), &admin.token)
            .await
            .unwrap();
        let next: Page<AuditEntry> = app
            .get(
                &format!(
                    "{}?limit=2&cursor={}",
                    routes::AUDIT,
                    page.next_cursor.unwrap()
                ),
                &admin.token,
            )
            .await
            .unwrap();
        assert_eq!(next.items[0].seq, page.items[1].seq - 1);
        for (query, field) in [
            ("action=staff.exploded", "action"),
            ("limit=0", "limit"),
            ("limit=5000", "limit"),
            ("cursor=abc", "cursor"),
            ("since=yesterday", "since"),
            ("colour=red", "colour"),
        ] {
            let err = app
                .get::<Page<AuditEntry>>(&format!("{}?{query}", routes::AUDIT), &admin.token)
                .await
                .unwrap_err();
            assert_eq!(
                (err.status, err.field.as_deref()),
                (400, Some(field)),
                "{query}"
            );
        }
    }
);

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

both!(
    verification_finds_a_row_edited_in_the_database,
    |app: TestApp| async move {
        let admin = app.admin().await;
        app.invite(&admin, "ana", Role::Agent).await;
        let report: AuditVerification = app
            .client(&admin.token)
            .verify_audit()
            .await
            .checked()
            .unwrap();
        assert!(report.intact, "{report:?}");
        assert!(report.checked >= 6);
        let seq = 3;
        tamper(
            &app,
            &format!("UPDATE audit_log SET details = '{{\"role\":\"viewer\"}}' WHERE seq = {seq}"),
        )
        .await;
        let report: AuditVerification = app
            .client(&admin.token)
            .verify_audit()
            .await
            .checked()
            .unwrap();
        assert!(!report.intact);
        assert_eq!(report.first_break, Some(ChainBreak::Altered { seq }));
        assert_eq!(report.checked, (seq - 1) as u64);
        // A deleted row is named by the gap it leaves.
        tamper(&app, "DELETE FROM audit_log WHERE seq = 2").await;
        let report: AuditVerification = app
            .client(&admin.token)
            .verify_audit()
            .await
            .checked()
            .unwrap();
        assert_eq!(
            report.first_break,
            Some(ChainBreak::Missing {
                seq: 3,
                expected_seq: 2
            })
        );
    }
);

both!(
    the_audit_table_refuses_updates_and_deletes,
    |app: TestApp| async move {
        let _admin = app.admin().await;
        for statement in [
            "UPDATE audit_log SET actor = 'x' WHERE seq = 1",
            "DELETE FROM audit_log WHERE seq = 1",
        ] {
            let err = raw(&app, statement).await.expect_err("append-only");
            assert!(err.contains("append-only"), "{err}");
        }
    }
);

both!(
    security_events_are_listed_newest_first_for_security_officers,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let officer = app.invite(&admin, "sol", Role::SecurityOfficer).await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        for _ in 0..3 {
            let _ = app.sign_in("ana", "definitely-wrong", &agent.secret).await;
        }
        let v = app.staff(&admin, agent.id).await.version;
        let _: InviteIssued = app
            .client(&admin.token)
            .reset_mfa(agent.id, &from_json(json!({"version": v})))
            .await
            .checked()
            .unwrap();
        let all: Page<SecurityEvent> = app
            .client(&officer.token)
            .security_events(&Default::default())
            .await
            .checked()
            .unwrap();
        assert_eq!(all.items[0].kind, "mfa_reset");
        assert!(all.items.windows(2).all(|w| w[0].at >= w[1].at));
        assert_eq!(
            all.items
                .iter()
                .filter(|e| e.kind == "sign_in_failed")
                .count(),
            3
        );
        let high: Page<SecurityEvent> = app
            .get(
                &format!("{}?min_severity=high", routes::SECURITY_EVENTS),
                &officer.token,
            )
            .await
            .unwrap();
        assert!(high.items.iter().all(|e| e.severity >= Severity::High));
        assert_eq!(high.items.len(), 1);
        let first: Page<SecurityEvent> = app
            .get(
                &format!("{}?limit=2", routes::SECURITY_EVENTS),
                &officer.token,
            )
            .await
            .unwrap();
        let rest: Page<SecurityEvent> = app
            .get(
                &format!(
                    "{}?limit=50&cursor={}",
                    routes::SECURITY_EVENTS,
                    first.next_cursor.unwrap()
                ),
                &officer.token,
            )
            .await
            .unwrap();
        assert_eq!(first.items.len() + rest.items.len(), all.items.len());
        assert!(rest.items.iter().all(|e| !first.items.contains(e)));
        assert_eq!(
            app.client(&agent.token)
                .security_events(&Default::default())
                .await
                .checked()
                .unwrap_err()
                .status,
            401
        );
    }
);

/// Runs SQL straight against the test database, as an attacker with database access would.
async fn raw(app: &TestApp, sql: &str) -> Result<(), String> {
    app.db
        .execute_raw(&[sql])
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Edits the audit table past its append-only guard: on SQLite by dropping the triggers, on
/// PostgreSQL as a superuser with triggers disabled for the session.
async fn tamper(app: &TestApp, sql: &str) {
    let bypass = match app.db.backend {
        Db::Sqlite => {
            "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete"
        }
        Db::Postgres => "SET session_replication_role = replica",
    };
    app.db.execute_raw(&[bypass, sql]).await.expect("tamper");
}

both!(
    the_audit_trail_exports_as_json_lines_and_csv,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let manager = app.invite(&admin, "meg", Role::Manager).await;
        app.invite(&admin, "ann1", Role::Agent).await;
        let export = |query: &'static str, token: String| {
            let app = &app;
            async move {
                let resp = app
                    .http
                    .get(app.url(&format!("{}?{query}", routes::AUDIT_EXPORT)))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                let status = resp.status().as_u16();
                let content_type = resp
                    .headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default();
                let disposition = resp
                    .headers()
                    .get("content-disposition")
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default();
                (
                    status,
                    content_type,
                    disposition,
                    resp.text().await.unwrap(),
                )
            }
        };
        let (status, content_type, disposition, body) =
            export("format=jsonl", admin.token.clone()).await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "application/x-ndjson")
        );
        assert!(
            disposition.starts_with("attachment; filename=\"opsdesk-audit-")
                && disposition.ends_with(".jsonl\"")
        );
        let entries: Vec<AuditEntry> = body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(
            entries
                .windows(2)
                .all(|w| w[1].seq == w[0].seq + 1 && w[1].prev_hash == w[0].hash),
            "oldest first, whole chain"
        );
        assert_eq!(entries[0].seq, 1);
        assert_eq!(
            entries.last().unwrap().action,
            "audit.exported",
            "the export itself is recorded first"
        );
        let listed: Page<AuditEntry> = app
            .get(&format!("{}?limit=200", routes::AUDIT), &admin.token)
            .await
            .unwrap();
        assert_eq!(entries.len(), listed.items.len());

        let (status, content_type, _, csv) =
            export("format=csv&action=staff.invited", admin.token.clone()).await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "text/csv; charset=utf-8")
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "seq,at,actor,action,target,client_addr,details,prev_hash,hash"
        );
        assert_eq!(lines.len(), 1 + 3, "header and the three invites");
        assert!(
            lines[1].contains(",staff.invited,") && lines[1].contains("\"{\"\""),
            "details quoted: {}",
            lines[1]
        );

        let err = app
            .get::<serde_json::Value>(
                &format!("{}?format=jsonl", routes::AUDIT_EXPORT),
                &manager.token,
            )
            .await
            .unwrap_err();
        assert_eq!(
            (err.status, err.permission.as_deref()),
            (403, Some("audit.read"))
        );
        let err = app
            .get::<serde_json::Value>(
                &format!("{}?format=xml", routes::AUDIT_EXPORT),
                &admin.token,
            )
            .await
            .unwrap_err();
        assert_eq!((err.status, err.field.as_deref()), (400, Some("format")));
        let err = app
            .get::<serde_json::Value>(routes::AUDIT_EXPORT, &admin.token)
            .await
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("format"));
    }
);
