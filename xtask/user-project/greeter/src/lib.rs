//! A user's library: greets by name.

use std::fmt;

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
