//! Field checks for signup and login.
//!
//! They produce the items of the API's 422 body, which carries each problem
//! twice, in Korean (`msg`, what the editor shows) and in English
//! (`message`):
//!
//! ```json
//! { "detail": [ { "msg": "이메일 형식이 올바르지 않습니다", "message": "Invalid email format" } ] }
//! ```
//!
//! An empty list means the fields are acceptable.

use serde::Serialize;

/// Shortest and longest username, in characters, after trimming.
pub const USERNAME_CHARS: (usize, usize) = (2, 50);
/// Shortest and longest password, in characters. The upper bound keeps a
/// single request from making the hasher chew on megabytes.
pub const PASSWORD_CHARS: (usize, usize) = (8, 128);
/// Longest email address (RFC 5321's path limit less the angle brackets).
pub const EMAIL_MAX_CHARS: usize = 254;

/// One problem with one field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The request field: `"username"`, `"email"` or `"password"`.
    pub field: &'static str,
    /// The problem as a Korean sentence.
    pub msg: String,
    /// The same problem as an English sentence.
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, msg: &str, message: &str) -> Self {
        Self { field, msg: msg.to_owned(), message: message.to_owned() }
    }
}

/// Checks a signup request's fields; all problems are reported at once.
pub fn signup(username: &str, email: &str, password: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    errors.extend(check_username(username));
    errors.extend(check_email(email));
    errors.extend(check_password(password));
    errors
}

/// Checks a login request's fields.
///
/// Only the shape is checked (a well-formed email, a non-empty password of
/// at most the signup maximum): length rules are not repeated, so a login
/// never tells anyone what the password policy was when the account was made.
pub fn login(email: &str, password: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    errors.extend(check_email(email));
    if password.is_empty() {
        errors.push(password_required());
    } else if password.chars().count() > PASSWORD_CHARS.1 {
        errors.push(password_length());
    }
    errors
}

/// The form of an email under which accounts are stored and looked up:
/// trimmed and lowercased, so `" Kim@Example.COM"` and `"kim@example.com"`
/// are one account.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn check_username(username: &str) -> Option<FieldError> {
    let name = username.trim();
    if name.is_empty() {
        return Some(FieldError::new("username", "사용자 이름을 입력해 주세요", "Username is required"));
    }
    let len = name.chars().count();
    if len < USERNAME_CHARS.0 || len > USERNAME_CHARS.1 {
        return Some(FieldError::new(
            "username",
            "사용자 이름은 2자 이상 50자 이하여야 합니다",
            "Username must be between 2 and 50 characters",
        ));
    }
    if name.chars().any(char::is_control) {
        return Some(FieldError::new(
            "username",
            "사용자 이름에 사용할 수 없는 문자가 있습니다",
            "Username contains characters that are not allowed",
        ));
    }
    None
}

fn check_email(email: &str) -> Option<FieldError> {
    let email = email.trim();
    if email.is_empty() {
        return Some(FieldError::new("email", "이메일을 입력해 주세요", "Email is required"));
    }
    if !email_syntax_ok(email) {
        return Some(FieldError::new("email", "이메일 형식이 올바르지 않습니다", "Invalid email format"));
    }
    None
}

/// A sane subset of RFC 5322 addresses: what people type, not every form the
/// RFC allows (no quoted local parts, no IP-literal domains). Whether the
/// mailbox exists is not this check's business.
fn email_syntax_ok(email: &str) -> bool {
    if email.chars().count() > EMAIL_MAX_CHARS {
        return false;
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';')) {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return false;
    }
    // The domain: dot-separated labels, at least two, none empty, none
    // starting or ending with a hyphen (so "a@b", "a@.b", "a@b." and
    // "a@b..c" all fail).
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

fn password_required() -> FieldError {
    FieldError::new("password", "비밀번호를 입력해 주세요", "Password is required")
}

fn password_length() -> FieldError {
    FieldError::new(
        "password",
        "비밀번호는 8자 이상 128자 이하여야 합니다",
        "Password must be between 8 and 128 characters",
    )
}

fn check_password(password: &str) -> Option<FieldError> {
    if password.is_empty() {
        return Some(password_required());
    }
    let len = password.chars().count();
    if len < PASSWORD_CHARS.0 || len > PASSWORD_CHARS.1 {
        return Some(password_length());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn valid_signup_has_no_errors() {
        assert_eq!(signup("김철수", "kim@example.com", "s3cret-pass"), vec![]);
        assert_eq!(signup("  Jo  ", " Jo.Kim+tag@mail.example.co.kr ", "12345678"), vec![]);
    }

    #[test]
    fn bad_email_gets_the_seed_message() {
        let errors = signup("kim", "not-an-email", "s3cret-pass");
        assert_eq!(
            errors,
            vec![FieldError {
                field: "email",
                msg: "이메일 형식이 올바르지 않습니다".into(),
                message: "Invalid email format".into(),
            }]
        );
        // As the 422 body item serializes.
        assert_eq!(
            serde_json::to_value(&errors[0]).unwrap(),
            serde_json::json!({"field": "email", "msg": "이메일 형식이 올바르지 않습니다",
                "message": "Invalid email format"})
        );
    }

    #[test]
    fn email_syntax_rules() {
        for bad in [
            "plain",
            "@example.com",
            "kim@",
            "kim@example",
            "kim@@example.com",
            "kim@exa@mple.com",
            "kim lee@example.com",
            "kim@exam ple.com",
            "kim@.example.com",
            "kim@example.com.",
            "kim@example..com",
            "kim@-example.com",
            ".kim@example.com",
            "kim..lee@example.com",
            "kim@exam_ple.com",
            "<kim@example.com>",
        ] {
            assert!(!email_syntax_ok(bad), "{bad:?} was accepted");
        }
        for good in [
            "kim@example.com",
            "k@e.io",
            "first.last+tag@sub.example.co.kr",
            "o'brien@example.ie",
            "kim@xn--9t4b11yi5a.com",
        ] {
            assert!(email_syntax_ok(good), "{good:?} was refused");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(!email_syntax_ok(&long_local));
        let too_long = format!("a@{}.com", "b".repeat(250));
        assert!(!email_syntax_ok(&too_long));
    }

    #[test]
    fn missing_fields_are_each_reported() {
        let errors = signup("", "", "");
        assert_eq!(fields(&errors), ["username", "email", "password"]);
        assert_eq!(errors[0].message, "Username is required");
        assert_eq!(errors[1].msg, "이메일을 입력해 주세요");
        assert_eq!(errors[2].message, "Password is required");
        // Blanks are empty too.
        assert_eq!(fields(&signup("   ", "  ", "12345678")), ["username", "email"]);
    }

    #[test]
    fn username_and_password_lengths_count_characters() {
        assert_eq!(fields(&signup("a", "a@b.co", "12345678")), ["username"]);
        assert_eq!(signup("김수", "a@b.co", "12345678"), vec![]); // 2 chars, 6 bytes
        assert_eq!(signup(&"가".repeat(50), "a@b.co", "12345678"), vec![]);
        assert_eq!(fields(&signup(&"가".repeat(51), "a@b.co", "12345678")), ["username"]);
        let short = signup("kim", "a@b.co", "1234567");
        assert_eq!(short[0].msg, "비밀번호는 8자 이상 128자 이하여야 합니다");
        assert_eq!(short[0].message, "Password must be between 8 and 128 characters");
        assert_eq!(signup("kim", "a@b.co", &"비".repeat(128)), vec![]);
        assert_eq!(fields(&signup("kim", "a@b.co", &"p".repeat(129))), ["password"]);
        assert_eq!(fields(&signup("ki\u{0}m", "a@b.co", "12345678")), ["username"]);
    }

    #[test]
    fn login_checks_shape_only() {
        assert_eq!(login("kim@example.com", "short"), vec![]);
        assert_eq!(fields(&login("kim", "")), ["email", "password"]);
        assert_eq!(fields(&login("kim@example.com", &"p".repeat(129))), ["password"]);
    }

    #[test]
    fn normalize_email_trims_and_lowercases() {
        assert_eq!(normalize_email("  Kim@Example.COM \n"), "kim@example.com");
    }
}
