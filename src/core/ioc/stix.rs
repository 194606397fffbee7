//! STIX (placeholder)
#[derive(Debug)]
pub struct Pattern;
#[derive(Debug)]
pub struct PatternError;
#[derive(Debug)]
pub enum PatternErrorKind {}
pub fn parse_stix_pattern(_s: &str) -> Result<Pattern, PatternError> { Err(PatternError) }
pub fn stix_pattern_for(_k: super::IocKind, _v: &str) -> String { String::new() }
pub fn stix_pattern_for_ioc(_i: &super::Ioc) -> String { String::new() }
