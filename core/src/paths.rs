//! Validation of names, environment variables and box-relative paths.

use std::path::{Component, Path, PathBuf};

use crate::BoxkitError;

pub(crate) fn validate_box_name(name: &str) -> Result<(), BoxkitError> {
    let reject = |reason: &str| {
        Err(BoxkitError::InvalidName {
            name: name.to_string(),
            reason: reason.to_string(),
        })
    };
    if name.is_empty() {
        return reject("it is empty");
    }
    if name.len() > 63 {
        return reject("it is longer than 63 bytes");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return reject("it must start with a lowercase letter or a digit");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return reject("only lowercase letters, digits, '-' and '_' are allowed");
    }
    Ok(())
}

pub(crate) fn validate_env(key: &str, value: &str) -> Result<(), BoxkitError> {
    let reject = |reason: &str| {
        Err(BoxkitError::InvalidEnv {
            key: key.to_string(),
            reason: reason.to_string(),
        })
    };
    if key.is_empty() {
        return reject("the name is empty");
    }
    if key.contains('=') || key.contains('\0') {
        return reject("the name contains '=' or a NUL byte");
    }
    if value.contains('\0') {
        return reject("the value contains a NUL byte");
    }
    Ok(())
}

/// Resolves `relative` below `root`, refusing anything that could leave it.
pub(crate) fn inside(root: &Path, relative: &str) -> Result<PathBuf, BoxkitError> {
    let escape = || BoxkitError::PathEscape {
        path: relative.to_string(),
    };
    let path = Path::new(relative);
    if relative.is_empty() {
        return Err(escape());
    }
    let mut resolved = root.to_path_buf();
    for component in path.components() {
        match component {
            Component::Normal(part) => resolved.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(escape())
            }
        }
    }
    if resolved == root {
        return Err(escape());
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_names() {
        assert!(validate_box_name("web-1").is_ok());
        assert!(validate_box_name("a_b").is_ok());
        for bad in ["", "Web", "-x", "a b", "a/b", &"x".repeat(64)] {
            assert!(
                matches!(validate_box_name(bad), Err(BoxkitError::InvalidName { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn env_rules() {
        assert!(validate_env("A", "b").is_ok());
        assert!(matches!(
            validate_env("A=B", "c"),
            Err(BoxkitError::InvalidEnv { .. })
        ));
        assert!(matches!(
            validate_env("", "c"),
            Err(BoxkitError::InvalidEnv { .. })
        ));
        assert!(matches!(
            validate_env("A", "c\0"),
            Err(BoxkitError::InvalidEnv { .. })
        ));
    }

    #[test]
    fn paths_stay_inside() {
        let root = Path::new("/r");
        assert_eq!(inside(root, "a/./b").unwrap(), Path::new("/r/a/b"));
        for bad in ["", ".", "../x", "a/../../x", "/etc/passwd"] {
            assert!(
                matches!(inside(root, bad), Err(BoxkitError::PathEscape { .. })),
                "{bad}"
            );
        }
    }
}
