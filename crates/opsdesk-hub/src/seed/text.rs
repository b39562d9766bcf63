//! The words of generated tickets: topics, subjects, messages, names and tags.

use super::pick;
use rand::rngs::StdRng;
use rand::Rng;

/// What a ticket is about: its tag, subjects and the requester's first lines.
pub(super) struct Topic {
    pub(super) tag: &'static str,
    pub(super) weight: f64,
    subjects: &'static [&'static str],
    problems: &'static [&'static str],
}

pub(crate) fn subject(rng: &mut StdRng, topic: &Topic) -> String {
    let s = pick(rng, topic.subjects);
    match rng.gen_range(0..10) {
        0 => format!("Urgent: {s}"),
        1 => format!("Re: {s}"),
        _ => s.to_owned(),
    }
}

fn detail(rng: &mut StdRng) -> String {
    match rng.gen_range(0..100) {
        // Rare words, so search has needles as well as haystacks.
        0..=1 => format!(
            "We use {} on our side, in case that matters.",
            pick(rng, RARE_WORDS)
        ),
        2..=19 => format!(
            "The error code is ERR-{} and it shows up in the browser console.",
            rng.gen_range(1000..10_000)
        ),
        20..=34 => format!("About {} of our users are affected.", rng.gen_range(2..400)),
        _ => pick(rng, DETAILS).to_owned(),
    }
}

pub(crate) fn opening(rng: &mut StdRng, topic: &Topic) -> String {
    let mut s = format!("{}\n\n{}", pick(rng, GREETINGS), pick(rng, topic.problems));
    for _ in 0..rng.gen_range(1..=2) {
        s.push(' ');
        s.push_str(&detail(rng));
    }
    s.push_str("\n\n");
    s.push_str(pick(rng, SIGN_OFFS));
    s
}

pub(crate) fn follow_up(rng: &mut StdRng) -> String {
    let mut s = pick(rng, FOLLOW_UPS).to_owned();
    if rng.gen_bool(0.4) {
        s.push(' ');
        s.push_str(&detail(rng));
    }
    s
}

pub(crate) fn reply(rng: &mut StdRng) -> String {
    format!(
        "{} {} {}",
        pick(rng, STAFF_OPENERS),
        pick(rng, STAFF_STEPS),
        pick(rng, STAFF_CLOSERS)
    )
}

pub(crate) fn note(rng: &mut StdRng) -> String {
    let n = pick(rng, NOTES);
    if rng.gen_bool(0.2) {
        format!(
            "{n} Seen with ERR-{} in the gateway logs.",
            rng.gen_range(1000..10_000)
        )
    } else {
        n.to_owned()
    }
}

pub(crate) fn solution(rng: &mut StdRng) -> String {
    format!("{} {}", pick(rng, SOLUTIONS), pick(rng, STAFF_CLOSERS))
}

pub(crate) const TOPICS: &[Topic] = &[
    Topic {
        tag: "login",
        weight: 18.0,
        subjects: &[
            "Cannot log in to the dashboard",
            "Password reset link expired",
            "Locked out after too many attempts",
            "Two-factor codes are not accepted",
            "Single sign-on loops back to the login page",
            "Session keeps timing out",
        ],
        problems: &[
            "When I try to sign in I get invalid credentials even though the password is correct.",
            "The password reset link expired before I could use it, and the new one expired too.",
            "Several of our users are locked out since this morning.",
            "The two-factor code from the authenticator app is rejected every time.",
            "Single sign-on through our identity provider sends us back to the login page.",
            "We are logged out every few minutes while working in the dashboard.",
        ],
    },
    Topic {
        tag: "billing",
        weight: 14.0,
        subjects: &[
            "Invoice shows the wrong amount",
            "Charged twice this month",
            "Need copies of last year's invoices",
            "Card declined on renewal",
            "VAT number missing on the invoice",
            "Question about proration after upgrading",
        ],
        problems: &[
            "Our latest invoice shows a higher amount than the plan we signed up for.",
            "We were charged twice for the same subscription period.",
            "Our finance team needs copies of every invoice from last year.",
            "The card payment was declined when the subscription renewed.",
            "Our VAT number does not appear on the invoice, so accounting cannot book it.",
            "We upgraded mid-month and do not understand the prorated charge.",
        ],
    },
    Topic {
        tag: "how-to",
        weight: 12.0,
        subjects: &[
            "How do I set up custom fields?",
            "How to change the workspace time zone",
            "Where can I find the activity log?",
            "How do I move projects between workspaces?",
            "Can we rename our workspace?",
        ],
        problems: &[
            "I could not find in the documentation how to set up custom fields for our team.",
            "How do we change the time zone of the workspace? Reports use the wrong one.",
            "Where can admins see who changed what in our workspace?",
            "We need to move a few projects from one workspace to another.",
            "Our company changed its name and we would like to rename the workspace.",
        ],
    },
    Topic {
        tag: "api",
        weight: 10.0,
        subjects: &[
            "API returns 500 errors",
            "Webhook deliveries failing",
            "Rate limit reached unexpectedly",
            "API token stopped working",
            "Pagination returns duplicate records",
        ],
        problems: &[
            "Calls to the REST API return 500 errors for about a third of requests.",
            "Webhook deliveries to our endpoint fail with a timeout since yesterday.",
            "We hit the rate limit although we send far fewer requests than the documented limit.",
            "Our API token stopped working without anyone revoking it.",
            "Paging through the records endpoint returns the same records twice.",
        ],
    },
    Topic {
        tag: "performance",
        weight: 8.0,
        subjects: &[
            "Dashboard is very slow",
            "Reports time out",
            "Search takes more than a minute",
            "Page loads are slow in the afternoon",
        ],
        problems: &[
            "The dashboard takes more than thirty seconds to load for everyone in the team.",
            "Monthly reports time out before they finish.",
            "Searching for a customer takes more than a minute.",
            "Everything becomes slow in the afternoon, European time.",
        ],
    },
    Topic {
        tag: "users",
        weight: 8.0,
        subjects: &[
            "Add more seats to our plan",
            "Remove a former employee",
            "Change the account owner",
            "Invitation emails are not arriving",
        ],
        problems: &[
            "We need ten more seats for a new team starting next week.",
            "Please remove a former employee who still has access to our account.",
            "The account owner left the company; we need to transfer ownership.",
            "New colleagues never receive the invitation email.",
        ],
    },
    Topic {
        tag: "email",
        weight: 7.0,
        subjects: &[
            "Notification emails go to spam",
            "Not receiving notifications",
            "Daily digest sent twice",
        ],
        problems: &[
            "Notification emails land in the spam folder for most of our users.",
            "We stopped receiving notifications about new comments.",
            "The daily digest arrives twice every morning.",
        ],
    },
    Topic {
        tag: "data-export",
        weight: 6.0,
        subjects: &[
            "CSV export is missing rows",
            "Import fails on large files",
            "Data not syncing between workspaces",
        ],
        problems: &[
            "The CSV export has fewer rows than the list shows in the app.",
            "Importing a spreadsheet with more than ten thousand rows fails halfway.",
            "Changes made in one workspace do not show up in the other one.",
        ],
    },
    Topic {
        tag: "mobile",
        weight: 5.0,
        subjects: &[
            "iOS app crashes on launch",
            "Android app does not sync",
            "Push notifications stopped",
        ],
        problems: &[
            "The iOS app crashes right after the splash screen since the last update.",
            "The Android app shows data from last week and does not sync.",
            "Push notifications stopped arriving on our phones.",
        ],
    },
    Topic {
        tag: "feature-request",
        weight: 5.0,
        subjects: &[
            "Feature request: dark mode",
            "Can we schedule reports?",
            "Request: bulk edit for records",
        ],
        problems: &[
            "Our team works late and would love a dark mode.",
            "We would like reports to be emailed every Monday morning.",
            "Editing records one by one takes hours; a bulk edit would help a lot.",
        ],
    },
    Topic {
        tag: "security",
        weight: 4.0,
        subjects: &[
            "Request for the data processing agreement",
            "Suspicious login alert",
            "GDPR deletion request",
            "Need the latest SOC 2 report",
        ],
        problems: &[
            "Our legal team needs a signed data processing agreement.",
            "We received an alert about a login from a country where we have no staff.",
            "A customer asked us to delete their personal data under GDPR.",
            "Our auditors ask for your latest SOC 2 report.",
        ],
    },
    Topic {
        tag: "outage",
        weight: 3.0,
        subjects: &[
            "Service unavailable",
            "Everything is down for our team",
            "Intermittent 502 errors",
        ],
        problems: &[
            "The whole application shows service unavailable for our team.",
            "Nobody in our company can reach the app right now.",
            "We see intermittent 502 errors on every page.",
        ],
    },
];

pub(crate) const EXTRA_TAGS: &[&str] = &[
    "bug",
    "vip",
    "follow-up",
    "enterprise",
    "regression",
    "docs",
    "onboarding",
    "urgent",
    "known-issue",
    "sso",
    "webhook",
    "invoice",
    "refund",
    "ios",
    "android",
    "csv",
    "churn-risk",
    "translation",
    "accessibility",
    "gdpr",
];

const GREETINGS: &[&str] = &[
    "Hi team,",
    "Hello,",
    "Good morning,",
    "Hi there,",
    "Dear support,",
    "Hey,",
];

const DETAILS: &[&str] = &[
    "It started after the release last Tuesday.",
    "We tried another browser and cleared the cache, same result.",
    "This is blocking our month-end close.",
    "It works for admins but not for regular users.",
    "Nothing changed on our side as far as I know.",
    "It happens on both Chrome and Firefox.",
    "Our customers are starting to complain.",
    "I attached a screenshot of the error message.",
    "It worked fine until yesterday afternoon.",
    "Our IT department checked the firewall and it is not blocking anything.",
];

const SIGN_OFFS: &[&str] = &[
    "Thanks,",
    "Best regards,",
    "Thank you for your help.",
    "Kind regards,",
    "Cheers,",
    "Looking forward to your reply.",
];

const FOLLOW_UPS: &[&str] = &[
    "Any update on this? It is still happening.",
    "Thanks, I tried that but the problem is still there.",
    "Here is the screenshot you asked for.",
    "It happened again this morning.",
    "That seems to have helped, but one user still sees the error.",
    "Could you give us an estimate for the fix?",
    "Our manager is asking for a status update.",
];

const STAFF_OPENERS: &[&str] = &[
    "Thanks for reaching out, and sorry for the trouble.",
    "Thank you for the details.",
    "Thanks for your patience.",
    "Sorry to hear about this.",
    "Thanks for the quick reply.",
];

const STAFF_STEPS: &[&str] = &[
    "Could you send us a screenshot of the error and the time it happened?",
    "Please clear your browser cache and sign in again.",
    "I have reset the session for the affected users; please try again.",
    "Our engineers are looking into it and I will update you as soon as I hear back.",
    "I have forwarded this to our billing team, who will correct the invoice.",
    "Could you confirm which browser and version you are using?",
    "The fix is scheduled for the next release, planned for next week.",
    "You can find this under Settings, then Workspace, then Advanced.",
    "I have added the seats to your subscription; the invoice will follow.",
    "We identified a configuration issue on our side and corrected it.",
];

const STAFF_CLOSERS: &[&str] = &[
    "Let me know if there is anything else.",
    "I will keep this ticket open until we hear from you.",
    "Have a great day.",
    "Please reply here if the problem comes back.",
];

const SOLUTIONS: &[&str] = &[
    "Glad to hear it works now; I am marking this ticket as solved.",
    "The fix has been deployed and the issue should be resolved.",
    "The corrected invoice is now available in your billing settings.",
    "Your request has been completed.",
    "We refunded the duplicate charge; it will appear on your statement in a few days.",
];

const NOTES: &[&str] = &[
    "Checked the logs: requests time out at the load balancer.",
    "Customer is on a legacy plan, priority adjusted.",
    "Looks like a duplicate of an earlier ticket from the same tenant.",
    "Waiting on engineering for a fix.",
    "Reproduced on staging with the customer's settings.",
    "Known issue, linked to the incident from last week.",
    "Asked billing to issue a credit note.",
    "Identity provider metadata expired; customer needs to upload the new certificate.",
];

pub(crate) const ESCALATION_REASONS: &[&str] = &[
    "resolution target breached",
    "needs database access to investigate",
    "customer threatens to churn",
    "affects several tenants",
    "requires a code change",
];

const RARE_WORDS: &[&str] = &[
    "kerberos", "punycode", "webdav", "scim", "xliff", "brotli", "protobuf", "ipv6", "hsts", "ldap",
];

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Ana", "Amir", "Ben", "Chloe", "David", "Elena", "Farah", "Gustav", "Hannah", "Ivan", "Jana",
    "Kofi", "Lena", "Marco", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Samir", "Tara", "Umar",
    "Vera", "Wei", "Ximena", "Yusuf", "Zoe", "Lucas", "Mia", "Noah", "Olivia", "Leon", "Emma",
    "Hugo", "Sofia", "Arjun", "Mei", "Tomas", "Ines", "Kenji",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Smith",
    "Garcia",
    "Muller",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Novak",
    "Jensen",
    "Silva",
    "Okafor",
    "Haddad",
    "Sato",
    "Kim",
    "Nguyen",
    "Patel",
    "Cohen",
    "Larsen",
    "Ivanova",
    "Brown",
    "Walsh",
    "Fischer",
    "Moreau",
    "Costa",
    "Horvat",
    "Berg",
    "Lindqvist",
    "Tanaka",
    "Mendes",
    "Ahmed",
    "Schmidt",
    "Martin",
    "Lopez",
    "Weber",
    "Fernandez",
    "Popescu",
    "Nakamura",
    "Young",
    "Singh",
    "Ali",
    "Keller",
];

pub(crate) const TENANT_PREFIXES: &[&str] = &[
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Wonka",
    "Oceanic",
    "Pied Piper",
    "Massive",
    "Aperture",
    "Black Mesa",
    "Gringotts",
    "Monarch",
    "Blue Harbor",
    "Red Pine",
    "Silver Oak",
    "Golden Gate",
    "Evergreen",
    "Summit",
    "Horizon",
    "Nimbus",
    "Polaris",
    "Orion",
    "Atlas",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
];

pub(crate) const TENANT_SUFFIXES: &[&str] = &[
    "Logistics",
    "Health",
    "Labs",
    "Foods",
    "Bank",
    "Media",
    "Analytics",
    "Retail",
    "Travel",
    "Energy",
    "Studios",
    "Systems",
    "Partners",
    "Insurance",
    "Robotics",
    "Education",
    "Games",
    "Legal",
    "Pharma",
    "Motors",
];
