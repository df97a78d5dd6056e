//! The commands that run the product against the simulators instead of the world: `demo`
//! (a scripted story) and `sandbox` (a page where a person plays every part). Compiled into
//! the binary only: the product's library never depends on the simulators.

pub mod demo;
pub mod guard;
pub mod sandbox;
pub mod world;
