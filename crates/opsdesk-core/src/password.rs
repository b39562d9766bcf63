//! The password policy for staff: length, and refusal of common and guessable passwords. Hashing
//! is the hub's job (argon2id); this module only decides whether a chosen password is acceptable.

/// Shortest accepted password, in characters.
pub const MIN_CHARS: usize = 12;
/// Longest accepted password, in characters (bounds hashing cost).
pub const MAX_CHARS: usize = 128;

/// Why a password was refused; the message tells the person what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("must be at least {MIN_CHARS} characters (got {0})")]
    TooShort(usize),
    #[error("must be at most {MAX_CHARS} characters (got {0})")]
    TooLong(usize),
    #[error("is one of the most common passwords; choose something less guessable")]
    Common,
    #[error("must not contain your username")]
    ContainsUsername,
    #[error("uses too few different characters; choose something less repetitive")]
    TooRepetitive,
    #[error("must not contain control characters")]
    ControlCharacters,
}

impl PasswordProblem {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            PasswordProblem::TooShort(_) => "password_too_short",
            PasswordProblem::TooLong(_) => "password_too_long",
            PasswordProblem::Common => "password_too_common",
            PasswordProblem::ContainsUsername => "password_contains_username",
            PasswordProblem::TooRepetitive => "password_too_repetitive",
            PasswordProblem::ControlCharacters => "password_control_characters",
        }
    }
}

/// Words that, with digits or symbols appended or prepended, make the most guessed passwords.
const COMMON_STEMS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssword",
    "p@ssw0rd",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "letmein",
    "welcome",
    "iloveyou",
    "admin",
    "administrator",
    "changeme",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "trustno1",
    "master",
    "shadow",
    "superman",
    "batman",
    "starwars",
    "whatever",
    "opsdesk",
    "secret",
    "login",
    "abc",
    "abcdef",
    "abcdefgh",
    "abcdefghijkl",
    "qazwsx",
    "1q2w3e4r",
    "1qaz2wsx",
    "zaq12wsx",
    "default",
    "support",
    "helpdesk",
    "summer",
    "winter",
    "spring",
    "autumn",
    "january",
    "december",
];

/// Checks `password` for `username`. Returns the first problem found.
pub fn check(password: &str, username: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort(chars));
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong(chars));
    }
    if password.chars().any(char::is_control) {
        return Err(PasswordProblem::ControlCharacters);
    }
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if user.len() >= 3 && lower.contains(&user) {
        return Err(PasswordProblem::ContainsUsername);
    }
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 {
        return Err(PasswordProblem::TooRepetitive);
    }
    if is_sequence(&lower) {
        return Err(PasswordProblem::Common);
    }
    let core: &str = lower.trim_matches(|c: char| !c.is_alphabetic());
    if core.is_empty() || COMMON_STEMS.contains(&core) || repeated_stem(core) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// "123456789012", "abcdefghijklm", "987654321098": runs of consecutive characters.
fn is_sequence(text: &str) -> bool {
    let bytes: Vec<u8> = text.bytes().collect();
    let steps: Vec<i16> = bytes
        .windows(2)
        .map(|w| w[1] as i16 - w[0] as i16)
        .collect();
    let ascending = steps.iter().filter(|&&d| d == 1 || d == -9).count();
    let descending = steps.iter().filter(|&&d| d == -1 || d == 9).count();
    ascending * 10 >= steps.len() * 8 || descending * 10 >= steps.len() * 8
}

/// "passwordpassword", "qwertyqwerty": a common stem written more than once.
fn repeated_stem(core: &str) -> bool {
    COMMON_STEMS.iter().any(|stem| {
        !core.is_empty()
            && core.len().is_multiple_of(stem.len())
            && core == stem.repeat(core.len() / stem.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_passwords_pass() {
        for ok in [
            "correct horse battery",
            "Tr0ub4dor&3-xyz",
            "blue-kettle-94-orbit",
            "ñandú saltarín 7",
        ] {
            assert_eq!(check(ok, "ana"), Ok(()), "{ok}");
        }
    }

    #[test]
    fn each_rule_names_itself() {
        assert_eq!(check("short", "ana"), Err(PasswordProblem::TooShort(5)));
        assert_eq!(
            check(&"x1y2".repeat(40), "ana"),
            Err(PasswordProblem::TooLong(160))
        );
        assert_eq!(check("Password1234!", "ana"), Err(PasswordProblem::Common));
        assert_eq!(check("!!qwertyuiop!!", "ana"), Err(PasswordProblem::Common));
        assert_eq!(check("123456789012", "ana"), Err(PasswordProblem::Common));
        assert_eq!(
            check("passwordpassword", "ana"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check("aaaaaaaaaaaaab", "ana"),
            Err(PasswordProblem::TooRepetitive)
        );
        assert_eq!(
            check("my name is ana.lopez!", "ana.lopez"),
            Err(PasswordProblem::ContainsUsername)
        );
        assert_eq!(
            check("tab\there-is-bad", "ana"),
            Err(PasswordProblem::ControlCharacters)
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Twelve two-byte characters are twelve characters.
        assert_eq!(check("ñáéíóúñáéíóú", "ana"), Ok(()));
        assert_eq!(
            check("ñáéíóúñáéíó", "ana"),
            Err(PasswordProblem::TooShort(11))
        );
    }
}
