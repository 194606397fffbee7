//! IndicatorSet (placeholder, filled below).
#[derive(Debug, Default)]
pub struct IndicatorSet;
#[derive(Debug, Default, Clone)]
pub struct SetOptions;
#[derive(Debug)]
pub struct SetMatch;
#[derive(Debug, thiserror::Error)]
pub enum SetError { #[error("x")] X }
