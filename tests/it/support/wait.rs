//! `eventually`: the one way a test waits for something the application does in the
//! background (a row written, a metric counted, a process ready). The condition is looked at
//! again until it holds or a deadline passes; the failure names what was awaited and what was
//! last seen, so a timeout reads as a finding rather than a hang.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use super::app::WAIT;

/// How long to rest between two looks at the condition.
const POLL: Duration = Duration::from_millis(20);

/// What one look at a condition found: settled (with its value) or not yet (with what was
/// seen, for the failure message).
pub trait Probe {
    type Value;
    fn settled(self) -> Result<Self::Value, String>;
}

impl Probe for bool {
    type Value = ();
    fn settled(self) -> Result<(), String> {
        if self { Ok(()) } else { Err("false".into()) }
    }
}

impl<T> Probe for Option<T> {
    type Value = T;
    fn settled(self) -> Result<T, String> {
        self.ok_or_else(|| "nothing yet".into())
    }
}

/// `Err` carries what was seen instead of the awaited state.
impl<T, E: Debug> Probe for Result<T, E> {
    type Value = T;
    fn settled(self) -> Result<T, String> {
        self.map_err(|seen| format!("{seen:?}"))
    }
}

/// Looks at `probe` until it settles and returns its value; fails the test after [`WAIT`],
/// naming `what` was awaited and the last thing seen.
pub async fn eventually<P: Probe>(what: &str, probe: impl AsyncFnMut() -> P) -> P::Value {
    eventually_within(WAIT, what, probe).await
}

/// [`eventually`] with its own bound (a generous upper bound, never a timing target).
pub async fn eventually_within<P: Probe>(
    bound: Duration,
    what: &str,
    mut probe: impl AsyncFnMut() -> P,
) -> P::Value {
    let deadline = Instant::now() + bound;
    loop {
        let seen = match probe().await.settled() {
            Ok(value) => return value,
            Err(seen) => seen,
        };
        assert!(
            Instant::now() < deadline,
            "still waiting after {bound:?} for {what}; last seen: {seen}"
        );
        tokio::time::sleep(POLL).await;
    }
}

#[tokio::test]
async fn eventually_returns_the_settled_value() {
    let mut looks = 0;
    let got = eventually("the third look", async || {
        looks += 1;
        (looks == 3).then_some(looks)
    })
    .await;
    assert_eq!(got, 3);
}

#[tokio::test]
#[should_panic(expected = "for the impossible; last seen: \"still 7\"")]
async fn eventually_names_what_it_awaited_and_what_it_saw() {
    eventually_within(Duration::from_millis(50), "the impossible", async || {
        Err::<(), _>("still 7")
    })
    .await;
}
