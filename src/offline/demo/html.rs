//! Placeholder until the page renderer lands.
use super::transcript::Transcript;
pub fn render(t: &Transcript) -> String {
    format!("{} people", t.people.len())
}
