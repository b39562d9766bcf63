//! Accepting an invite: password rules, TOTP enrollment, recovery codes, and invites that are
//! bogus, used or expired.

use crate::both;
use crate::helpers::*;
use chrono::Duration;
use opsdesk_core::totp::TotpSecret;
use opsdesk_core::Role;
use opsdesk_proto::*;
use serde_json::json;

async fn issue(app: &TestApp, admin: &Person, username: &str) -> InviteIssued {
    let req: InviteStaffRequest = serde_json::from_value(json!({
        "username": username, "display_name": "New Person",
        "email": format!("{username}@example.com"), "role": "agent"
    }))
    .expect("request");
    app.client(&admin.token)
        .invite_staff(&req)
        .await
        .checked()
        .expect("invite")
}

fn start(invite_token: &str, password: &str) -> EnrollStartRequest {
    EnrollStartRequest {
        invite_token: invite_token.to_owned(),
        password: password.to_owned(),
    }
}

fn confirm(invite_token: &str, code: impl Into<String>) -> EnrollConfirmRequest {
    EnrollConfirmRequest {
        invite_token: invite_token.to_owned(),
        code: code.into(),
    }
}

both!(
    an_invite_enrolls_totp_and_returns_recovery_codes_once,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let issued = issue(&app, &admin, "bea").await;
        assert_eq!(issued.staff.status, StaffStatus::Invited);
        assert!(!issued.staff.mfa_enrolled);
        let offer: EnrollmentOffer = app
            .anonymous()
            .enroll_start(&start(&issued.invite_token, PASSWORD))
            .await
            .checked()
            .unwrap();
        assert!(offer
            .otpauth_uri
            .starts_with("otpauth://totp/Opsdesk:bea?secret="));
        assert!(offer.qr_svg.contains("<svg"));
        assert_eq!(offer.totp_secret.len(), 32);
        let secret = TotpSecret::from_base32(&offer.totp_secret).unwrap();
        let enrolled: Enrolled = app
            .anonymous()
            .enroll_confirm(&confirm(&issued.invite_token, app.next_code(&secret)))
            .await
            .checked()
            .unwrap();
        assert_eq!(enrolled.recovery_codes.len(), 10);
        let mut distinct = enrolled.recovery_codes.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 10);
        assert_eq!(enrolled.signed_in.staff.status, StaffStatus::Active);
        assert!(enrolled.signed_in.staff.mfa_enrolled);
        // The invite is spent.
        let err = app
            .anonymous()
            .enroll_start(&start(&issued.invite_token, PASSWORD))
            .await
            .checked()
            .unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (422, "invite_used"));
        // The new person signs in with the enrolled authenticator.
        assert!(app.sign_in("bea", PASSWORD, &secret).await.is_ok());
        let entries = app.audit(&admin, "action=staff.enrolled").await;
        assert_eq!(entries.len(), 2, "admin and bea enrolled");
    }
);

both!(
    weak_passwords_are_refused_naming_the_rule,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let issued = issue(&app, &admin, "carl").await;
        for (password, needle) in [
            ("short", "at least 12"),
            ("password1234", "most common"),
            ("carl-is-the-best", "username"),
            ("aaaaaaaaaaaaaaa", "repetitive"),
        ] {
            let err = app
                .anonymous()
                .enroll_start(&start(&issued.invite_token, password))
                .await
                .checked()
                .unwrap_err();
            assert_eq!(
                (err.status, err.field.as_deref()),
                (400, Some("password")),
                "{password}"
            );
            assert!(err.message.contains(needle), "{password}: {}", err.message);
        }
        // Nothing was staged: confirming now says to choose a password first.
        let err = app
            .anonymous()
            .enroll_confirm(&confirm(&issued.invite_token, "123456"))
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.code, "enrollment_not_started");
    }
);

both!(
    bogus_expired_and_wrong_code_invites_are_refused,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let err = app
            .anonymous()
            .enroll_start(&start("odi_forged", PASSWORD))
            .await
            .checked()
            .unwrap_err();
        assert_eq!(
            (err.status, err.field.as_deref()),
            (400, Some("invite_token"))
        );
        let issued = issue(&app, &admin, "dan").await;
        let offer: EnrollmentOffer = app
            .anonymous()
            .enroll_start(&start(&issued.invite_token, PASSWORD))
            .await
            .checked()
            .unwrap();
        let err = app
            .anonymous()
            .enroll_confirm(&confirm(&issued.invite_token, "000000"))
            .await
            .checked()
            .unwrap_err();
        assert_eq!((err.status, err.field.as_deref()), (400, Some("code")));
        assert_eq!(offer.invite_expires_at, issued.expires_at);
        // Invites last 72 hours by default.
        assert_eq!((issued.expires_at - app.clock_now()).num_hours(), 71);
        app.clock.advance(Duration::hours(73));
        let err = app
            .anonymous()
            .enroll_start(&start(&issued.invite_token, PASSWORD))
            .await
            .checked()
            .unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (422, "invite_expired"));
    }
);

both!(
    bootstrap_reissues_a_lost_invite_until_the_admin_enrolls,
    |app: TestApp| async move {
        let state = &app.hub.as_ref().unwrap().state;
        let req = || -> InviteStaffRequest {
            serde_json::from_value(json!({
            "username": "first.admin", "display_name": "First", "email": "f@example.com", "role": "admin"
        }))
        .unwrap()
        };
        let lost = opsdesk_hub::domain::staff::invite::bootstrap_admin(state, req())
            .await
            .unwrap();
        let again = opsdesk_hub::domain::staff::invite::bootstrap_admin(state, req())
            .await
            .unwrap();
        assert_eq!(lost.staff.id, again.staff.id);
        let err = app
            .anonymous()
            .enroll_start(&start(&lost.invite_token, PASSWORD))
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.code, "invite_used", "the lost invite no longer works");
        let admin = app.enroll(&again.invite_token, Role::Admin).await;
        assert_eq!(admin.username, "first.admin");
        let err = opsdesk_hub::domain::staff::invite::bootstrap_admin(state, req())
            .await
            .unwrap_err();
        assert_eq!(err.to_api_error().code, "admin_exists");
    }
);

both!(
    bootstrap_is_refused_once_an_admin_exists,
    |app: TestApp| async move {
        let _admin = app.admin().await;
        let state = &app.hub.as_ref().unwrap().state;
        let req: InviteStaffRequest = serde_json::from_value(json!({
        "username": "second.root", "display_name": "Second", "email": "s@example.com", "role": "admin"
    }))
    .unwrap();
        let err = opsdesk_hub::domain::staff::invite::bootstrap_admin(state, req)
            .await
            .unwrap_err();
        assert_eq!(err.to_api_error().code, "admin_exists");
        let _ = Role::Admin;
    }
);
