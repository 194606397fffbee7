//! Typed errors of the mapping engine.
//!
//! Every exception the reference library (`cyberintegrations` 0.14.1, CPython 3.11) can raise
//! from its parser on JSON input has its own variant here. [`MappingError::python_type`] gives
//! the Python exception class name and `Display` gives the exact Python message (`str(exc)`),
//! so conformance tests can compare `{type, message}` pairs.

/// Error raised by the mapping engine; mirrors one Python exception.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    // ---- library exceptions -------------------------------------------------------------
    /// `ParserException` — no template given to `parse_portion` (argument and stored keys falsy).
    #[error("You didn't provide any keys for parsing portion.")]
    NoParseKeys,
    /// `ParserException` — no IOC keys given to `get_iocs`.
    #[error("You didn't provide any keys for getting IOCs.")]
    NoIocKeys,
    /// `InputException` — template leaf is neither a string nor a nested dict.
    #[error("Keys should be stored in nested dicts and on the lower level it should be a string.")]
    InvalidTemplate,
    /// `InputException` — IOC keys argument is not a dict.
    #[error("Keys should be stored in a dict")]
    IocKeysNotDict,
    /// `InputException` — an IOC search path is not a string.
    #[error("Every search path should be a string")]
    IocPathNotString,

    // ---- Python built-in exceptions the algorithm can hit -------------------------------------
    /// `AttributeError: '<type>' object has no attribute '<attr>'` (e.g. `.get` on a list element
    /// that is not a dict, `.split` on a non-string path, `.items` on a non-dict template).
    #[error("'{type_name}' object has no attribute '{attr}'")]
    NoAttribute { type_name: &'static str, attr: &'static str },
    /// `TypeError: unhashable type: 'dict'` (a dict reached by `get_iocs`).
    #[error("unhashable type: '{type_name}'")]
    Unhashable { type_name: &'static str },
    /// `TypeError: object of type '<type>' has no len()` (envelope `items` is not sized).
    #[error("object of type '{type_name}' has no len()")]
    NoLen { type_name: &'static str },
    /// `TypeError: '<type>' object is not iterable` (e.g. `filter_map` is a number).
    #[error("'{type_name}' object is not iterable")]
    NotIterable { type_name: &'static str },
    /// `TypeError: '<type>' object is not subscriptable` (a `filter_map` entry is a number).
    #[error("'{type_name}' object is not subscriptable")]
    NotSubscriptable { type_name: &'static str },
    /// `TypeError: argument of type '<type>' is not iterable` (`x in 5`).
    #[error("argument of type '{type_name}' is not iterable")]
    ContainerNotIterable { type_name: &'static str },
    /// `TypeError: 'in <string>' requires string as left operand, not <type>`.
    #[error("'in <string>' requires string as left operand, not {type_name}")]
    StringContainsNonString { type_name: &'static str },
    /// `TypeError: sequence item <i>: expected str instance, <type> found` (`",".join`).
    #[error("sequence item {index}: expected str instance, {type_name} found")]
    JoinItemNotStr { index: usize, type_name: &'static str },
    /// `ValueError: not enough values to unpack (expected 2, got 1)` (`#path` without `[n]`).
    #[error("not enough values to unpack (expected 2, got {got})")]
    UnpackTooFew { got: usize },
    /// `ValueError: too many values to unpack (expected 2)` (`#a[b[c]`).
    #[error("too many values to unpack (expected 2)")]
    UnpackTooMany,
    /// `ValueError: invalid literal for int() with base 10: '<repr>'` (`#path[x]`).
    #[error("invalid literal for int() with base 10: {repr}")]
    InvalidIntLiteral { repr: String },
    /// `ValueError` of CPython's 4300-digit int conversion limit.
    #[error("Exceeds the limit (4300 digits) for integer string conversion: value has {digits} digits; use sys.set_int_max_str_digits() to increase the limit")]
    IntTooManyDigits { digits: usize },
    /// `ValueError: Value to check should be String not List.` (`filter_map` path ends on a list).
    #[error("Value to check should be String not List.")]
    FilterValueIsList,
    /// `IndexError: list index out of range`.
    #[error("list index out of range")]
    ListIndexOutOfRange,
    /// `IndexError: string index out of range`.
    #[error("string index out of range")]
    StringIndexOutOfRange,
    /// `IndexError: cannot fit 'int' into an index-sized integer`.
    #[error("cannot fit 'int' into an index-sized integer")]
    IndexTooLarge,
    /// `KeyError` — message is Python's `str(KeyError(k))`, e.g. `0`.
    #[error("{repr}")]
    KeyMissing { repr: String },
    /// `RecursionError` — our depth guard (templates / data nested deeper than
    /// [`MAX_DEPTH`](super::MAX_DEPTH)). CPython would hit its own limit at a different depth.
    #[error("maximum recursion depth exceeded")]
    RecursionLimit,
}

impl MappingError {
    /// Python exception class name (`ParserException`, `AttributeError`, ...).
    pub fn python_type(&self) -> &'static str {
        use MappingError::*;
        match self {
            NoParseKeys | NoIocKeys => "ParserException",
            InvalidTemplate | IocKeysNotDict | IocPathNotString => "InputException",
            NoAttribute { .. } => "AttributeError",
            Unhashable { .. }
            | NoLen { .. }
            | NotIterable { .. }
            | NotSubscriptable { .. }
            | ContainerNotIterable { .. }
            | StringContainsNonString { .. }
            | JoinItemNotStr { .. } => "TypeError",
            UnpackTooFew { .. }
            | UnpackTooMany
            | InvalidIntLiteral { .. }
            | IntTooManyDigits { .. }
            | FilterValueIsList => "ValueError",
            ListIndexOutOfRange | StringIndexOutOfRange | IndexTooLarge => "IndexError",
            KeyMissing { .. } => "KeyError",
            RecursionLimit => "RecursionError",
        }
    }

    /// The Python message (`str(exc)`); same as `to_string()`.
    pub fn python_message(&self) -> String {
        self.to_string()
    }

    pub(super) fn no_attr(v: &serde_json::Value, attr: &'static str) -> Self {
        MappingError::NoAttribute { type_name: super::pyobj::type_name(v), attr }
    }
}
