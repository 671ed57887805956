//! A JSON value whose objects keep their keys in the order they were inserted.
//!
//! The gateway's wire format is order-sensitive where it matters most: a split's
//! shares are cumulative in the order written, so sorting `"90%"` after `"10%"`
//! would move users between models. `serde_json` keeps insertion order only with
//! its `preserve_order` feature, which would change the behaviour of every
//! `serde_json::Map` in an embedder's build; this type keeps order on its own and
//! serializes through `serde` in exactly that order.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A JSON value with ordered objects.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub enum Json {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, exactly as `serde_json` writes it.
    Num(serde_json::Number),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, keys in insertion order (each key once).
    Obj(Object),
}

/// An object whose keys keep their insertion order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object(Vec<(String, Json)>);

impl Object {
    /// An empty object.
    pub fn new() -> Self {
        Object(Vec::new())
    }

    /// Sets `key`, in place when present, else at the end.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Json>) {
        let key = key.into();
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key, value)),
        }
    }

    /// [`Object::insert`], chained.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Json>) -> Self {
        self.insert(key, value);
        self
    }

    /// Removes `key`, keeping the order of the rest.
    pub fn remove(&mut self, key: &str) -> Option<Json> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether `key` is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Whether the object has no keys.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Appends every entry of `other` (replacing equal keys in place).
    pub fn extend(&mut self, other: Object) {
        for (k, v) in other.0 {
            self.insert(k, v);
        }
    }
}

impl Json {
    /// The value of `key` when this is an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(o) => o.get(key),
            _ => None,
        }
    }

    /// The value of `key` when this is an object, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        match self {
            Json::Obj(o) => o.get_mut(key),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object_mut(&mut self) -> Option<&mut Object> {
        match self {
            Json::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// As a `serde_json` value (objects in `serde_json`'s own key order).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Pretty text with two-space indents, keys in order.
    pub fn to_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl std::fmt::Display for Json {
    /// Compact text, keys in order.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| std::fmt::Error)?)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Num(n) => n.serialize(s),
            Json::Str(t) => s.serialize_str(t),
            Json::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Obj(o) => {
                let mut map = s.serialize_map(Some(o.0.len()))?;
                for (k, v) in &o.0 {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl From<Object> for Json {
    fn from(o: Object) -> Self {
        Json::Obj(o)
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::Str(s.to_string())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::Str(s)
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Json::Bool(b)
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Self {
        Json::Arr(items)
    }
}

impl From<i64> for Json {
    fn from(n: i64) -> Self {
        Json::Num(n.into())
    }
}

impl From<u64> for Json {
    fn from(n: u64) -> Self {
        Json::Num(n.into())
    }
}

/// A number: integral when exactly representable as `i64`, `null` when not finite.
pub fn number(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Json::Null, Json::Num)
    }
}

#[cfg(test)]
mod tests {
    use super::{Json, Object, number};

    #[test]
    fn objects_keep_insertion_order_and_replace_in_place() {
        let mut o = Object::new()
            .with("z", 1i64)
            .with("a", "x")
            .with("90%", true);
        o.insert("z", number(2.5));
        let j = Json::Obj(o.with("10%", Json::Arr(vec![Json::Null])));
        assert_eq!(
            j.to_string(),
            r#"{"z":2.5,"a":"x","90%":true,"10%":[null]}"#
        );
        assert_eq!(number(3.0).to_string(), "3");
        assert_eq!(number(f64::NAN), Json::Null);
    }
}
