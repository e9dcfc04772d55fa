//! The catalog: the named things users keep and reuse, prompt templates and personas, each with
//! built-ins that can be changed, deleted and reset.

pub mod personas;
mod seed;
pub mod templates;

pub(crate) use seed::seed_builtins;
