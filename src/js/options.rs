//! Reading JS option objects into Rust values, with a `ValidationError` naming the field for
//! every wrong type or range. Unknown keys are ignored (forward compatibility), wrong types of
//! known keys never are.
// The IOC-only build (no `clients` feature) uses a few of these readers only.
#![cfg_attr(not(feature = "clients"), allow(dead_code))]

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::error::{Error, Result};

/// A view of one JS options object; `path` prefixes field names in errors (`retry.limit`).
pub struct Opts {
    obj: JsValue,
    path: String,
}

impl Opts {
    /// `value` must be an object, or undefined/null (treated as `{}`).
    pub fn new(value: &JsValue, path: &str) -> Result<Self> {
        if value.is_undefined() || value.is_null() {
            return Ok(Opts { obj: Object::new().into(), path: path.to_string() });
        }
        if !value.is_object() || value.is_function() || js_sys::Array::is_array(value) {
            return Err(Error::validation(display(path, "options"), "must be an object"));
        }
        Ok(Opts { obj: value.clone(), path: path.to_string() })
    }

    pub fn field(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{}", self.path, key) }
    }

    /// The raw value; `None` for undefined (null counts as given, so callers decide).
    pub fn raw(&self, key: &str) -> Option<JsValue> {
        let v = Reflect::get(&self.obj, &JsValue::from_str(key)).ok()?;
        if v.is_undefined() { None } else { Some(v) }
    }

    pub fn string(&self, key: &str) -> Result<Option<String>> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => v.as_string().map(Some).ok_or_else(|| Error::validation(self.field(key), "must be a string")),
        }
    }

    pub fn required_string(&self, key: &str) -> Result<String> {
        self.string(key)?.ok_or_else(|| Error::validation(self.field(key), "is required"))
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or_else(|| Error::validation(self.field(key), "must be a boolean")),
        }
    }

    /// A finite number within [min, max].
    pub fn number(&self, key: &str, min: f64, max: f64) -> Result<Option<f64>> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => {
                let n = v.as_f64().ok_or_else(|| Error::validation(self.field(key), "must be a number"))?;
                if !n.is_finite() || n < min || n > max {
                    return Err(Error::validation(self.field(key), format!("must be between {} and {}", min as i64, max as i64)));
                }
                Ok(Some(n))
            }
        }
    }

    pub fn integer(&self, key: &str, min: f64, max: f64) -> Result<Option<u32>> {
        match self.number(key, min, max)? {
            None => Ok(None),
            Some(n) if n.fract() != 0.0 => Err(Error::validation(self.field(key), "must be an integer")),
            Some(n) => Ok(Some(n as u32)),
        }
    }

    pub fn function(&self, key: &str) -> Result<Option<js_sys::Function>> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) => v.dyn_into::<js_sys::Function>().map(Some).map_err(|_| Error::validation(self.field(key), "must be a function")),
        }
    }

    /// A nested options object; `false` is reported as `Disabled`.
    pub fn section(&self, key: &str) -> Result<Section> {
        match self.raw(key) {
            None => Ok(Section::Absent),
            Some(v) if v.as_bool() == Some(false) => Ok(Section::Disabled),
            Some(v) => Ok(Section::Given(Opts::new(&v, &self.field(key)).map_err(|_| {
                Error::validation(self.field(key), "must be an object or false")
            })?)),
        }
    }

    /// A `string[]` (absent or null: empty).
    pub fn strings(&self, key: &str) -> Result<Vec<String>> {
        match self.raw(key) {
            None => Ok(Vec::new()),
            Some(v) if v.is_null() => Ok(Vec::new()),
            Some(v) => {
                let arr: js_sys::Array = v.dyn_into().map_err(|_| Error::validation(self.field(key), "must be an array of strings"))?;
                arr.iter().map(|x| x.as_string().ok_or_else(|| Error::validation(self.field(key), "must be an array of strings"))).collect()
            }
        }
    }

    /// A `Record<string, string>`.
    pub fn string_map(&self, key: &str) -> Result<Vec<(String, String)>> {
        let Some(v) = self.raw(key) else { return Ok(Vec::new()) };
        if v.is_null() {
            return Ok(Vec::new());
        }
        if !v.is_object() || js_sys::Array::is_array(&v) {
            return Err(Error::validation(self.field(key), "must be an object of strings"));
        }
        let mut out = Vec::new();
        for entry in Object::entries(v.unchecked_ref::<Object>()).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let k = pair.get(0).as_string().unwrap_or_default();
            let val = pair
                .get(1)
                .as_string()
                .ok_or_else(|| Error::validation(format!("{}.{}", self.field(key), k), "must be a string"))?;
            out.push((k, val));
        }
        Ok(out)
    }

    /// An AbortSignal, if given.
    #[cfg(feature = "http")]
    pub fn signal(&self, key: &str) -> Result<Option<JsValue>> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) if super::is_abort_signal(&v) => Ok(Some(v)),
            Some(_) => Err(Error::validation(self.field(key), "must be an AbortSignal")),
        }
    }

    /// An absolute deadline: a `Date` or epoch milliseconds.
    pub fn deadline(&self, key: &str) -> Result<Option<f64>> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) => {
                let ms = if let Some(d) = v.dyn_ref::<js_sys::Date>() { d.get_time() } else {
                    v.as_f64().ok_or_else(|| Error::validation(self.field(key), "must be a Date or epoch milliseconds"))?
                };
                if !ms.is_finite() {
                    return Err(Error::validation(self.field(key), "must be a valid date"));
                }
                Ok(Some(ms))
            }
        }
    }
}

/// `obj[key]`, or `undefined`.
pub(super) fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key] = value` on an object we just made (cannot fail).
pub(super) fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Calls an `onProgress` callback with `{ done, total, ...extra }`. What it throws comes back, for
/// the call to reject with as is (as every callback of the package: nothing thrown is swallowed).
pub(super) fn report_progress(f: &js_sys::Function, done: usize, total: usize, extra: &[(&str, &JsValue)]) -> std::result::Result<(), JsValue> {
    let p = Object::new();
    set(&p, "done", &JsValue::from_f64(done as f64));
    set(&p, "total", &JsValue::from_f64(total as f64));
    for (k, v) in extra {
        set(&p, k, v);
    }
    f.call1(&JsValue::UNDEFINED, &p).map(|_| ())
}

/// A positional string argument, or a ValidationError naming it.
pub(super) fn string_arg(v: &JsValue, field: &str) -> Result<String> {
    v.as_string().ok_or_else(|| Error::validation(field, "must be a string"))
}

pub enum Section {
    Absent,
    Disabled,
    Given(Opts),
}

fn display(path: &str, default: &str) -> String {
    if path.is_empty() { default.to_string() } else { path.to_string() }
}
