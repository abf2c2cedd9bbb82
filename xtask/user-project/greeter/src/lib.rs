//! A user's library: greets by name.

use std::fmt;

// In-crate mode: the glue bindery generates is this module.
#[cfg(feature = "python")]
#[rustfmt::skip]
mod python;

#[derive(Debug)]
pub enum GreetError {
    Empty,
}

impl fmt::Display for GreetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a name cannot be empty")
    }
}

pub fn greet(name: String) -> Result<String, GreetError> {
    if name.is_empty() {
        return Err(GreetError::Empty);
    }
    Ok(format!("Hello, {name}!"))
}

/// Not public: only a module of this crate (in-crate mode) can bind it.
pub(crate) fn shout(name: String) -> String {
    name.to_uppercase()
}
