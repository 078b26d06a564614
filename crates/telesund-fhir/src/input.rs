//! Reading an incoming resource element by element, so that every structural refusal names
//! its FHIRPath: an element Telesund does not read, a null, an array where one value belongs
//! (or the reverse), a value of the wrong JSON type. Each resource describes what it reads
//! as a table of [`Field`]s and may add its own hints for elements it refuses.
//! Deserialising with serde afterwards catches the rest, with less precise messages.

use crate::patient::InputError;
use serde_json::Value;
use telesund_core::ErrorCode;

/// A refusal of a value, at its FHIRPath.
pub(crate) fn err(expression: &str, message: impl Into<String>) -> InputError {
    InputError {
        code: ErrorCode::InvalidInput,
        message: message.into(),
        expression: Some(expression.into()),
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Str,
    Num,
    Int,
    Bool,
    Obj(&'static [Field]),
    /// Accepted and ignored, whatever it holds.
    Ignored,
}

pub(crate) struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// 0..* in R4: a JSON array.
    pub many: bool,
}

pub(crate) const fn one(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        many: false,
    }
}

pub(crate) const fn many(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        many: true,
    }
}

pub(crate) const fn ignored(name: &'static str) -> Field {
    one(name, Kind::Ignored)
}

// The data types the resources share. They mirror the serde structs in datatypes.rs.
pub(crate) const CODING: &[Field] = &[
    one("system", Kind::Str),
    one("version", Kind::Str),
    one("code", Kind::Str),
    one("display", Kind::Str),
];
pub(crate) const CODEABLE_CONCEPT: &[Field] =
    &[many("coding", Kind::Obj(CODING)), one("text", Kind::Str)];
pub(crate) const IDENTIFIER: &[Field] = &[
    one("use", Kind::Str),
    one("system", Kind::Str),
    one("value", Kind::Str),
];
pub(crate) const REFERENCE: &[Field] = &[
    one("reference", Kind::Str),
    one("type", Kind::Str),
    one("identifier", Kind::Obj(IDENTIFIER)),
    one("display", Kind::Str),
];

/// A resource's own hint for an element it does not read ("send the value as
/// valueQuantity"), or `None` for the shared ones.
pub(crate) type Hint = fn(name: &str) -> Option<&'static str>;

/// Why an element is refused: the resource's hint, else what the element family means to us,
/// else the list of elements read at that place.
fn unknown_element(path: &str, name: &str, fields: &[Field], hint: Hint) -> InputError {
    let at = format!("{path}.{name}");
    let hint = match hint(name) {
        Some(h) => h.to_string(),
        None if name.starts_with('_') => "extensions on primitive elements are not read".into(),
        None if name == "modifierExtension" => {
            "Telesund reads no extensions, and cannot store what an unknown modifier \
             extension changes the meaning of"
                .into()
        }
        None if name == "extension" => "Telesund reads no extensions".into(),
        None => {
            let known: Vec<&str> = fields.iter().map(|f| f.name).collect();
            format!("the elements read here are {}", known.join(", "))
        }
    };
    InputError {
        code: ErrorCode::UnknownField,
        message: format!("Telesund does not read {at}: {hint}"),
        expression: Some(at),
    }
}

/// Checks `v` (an object at `path`) against `fields`, depth first.
pub(crate) fn walk(
    v: &Value,
    fields: &'static [Field],
    path: &str,
    hint: Hint,
) -> Result<(), InputError> {
    let Some(obj) = v.as_object() else {
        return Err(err(path, format!("{path} must be a JSON object")));
    };
    for (name, value) in obj {
        let Some(field) = fields.iter().find(|f| f.name == name) else {
            return Err(unknown_element(path, name, fields, hint));
        };
        let at = format!("{path}.{name}");
        if matches!(field.kind, Kind::Ignored) {
            continue;
        }
        if value.is_null() {
            return Err(err(
                &at,
                format!("{at} is null; leave out elements that have no value"),
            ));
        }
        if field.many {
            let Some(items) = value.as_array() else {
                return Err(err(&at, format!("{at} must be a JSON array")));
            };
            for (i, item) in items.iter().enumerate() {
                check(item, field.kind, &format!("{at}[{i}]"), hint)?;
            }
        } else {
            if value.is_array() {
                return Err(err(&at, format!("{at} repeats only once: not an array")));
            }
            check(value, field.kind, &at, hint)?;
        }
    }
    Ok(())
}

fn check(v: &Value, kind: Kind, at: &str, hint: Hint) -> Result<(), InputError> {
    match kind {
        Kind::Str if !v.is_string() => Err(err(at, format!("{at} must be a string"))),
        // FHIR forbids empty strings (ele-1).
        Kind::Str if v.as_str().is_some_and(str::is_empty) => Err(err(
            at,
            format!("{at} is empty; leave out elements that have no value"),
        )),
        Kind::Num if !v.is_number() => Err(err(at, format!("{at} must be a JSON number"))),
        Kind::Int if v.as_i64().is_none() => Err(err(
            at,
            format!("{at} must be a whole number, written without a decimal point"),
        )),
        Kind::Bool if !v.is_boolean() => Err(err(at, format!("{at} must be true or false"))),
        Kind::Obj(fields) => walk(v, fields, at, hint),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const THING: &[Field] = &[
        one("name", Kind::Str),
        many("code", Kind::Obj(CODEABLE_CONCEPT)),
        one("count", Kind::Int),
        ignored("text"),
    ];

    fn no_hint(_: &str) -> Option<&'static str> {
        None
    }

    fn at(v: Value) -> Option<String> {
        walk(&v, THING, "Thing", no_hint).err()?.expression
    }

    #[test]
    fn every_refusal_names_its_path() {
        assert_eq!(at(json!({"name": "x", "text": {"any": 1}})), None);
        assert_eq!(at(json!({"colour": 1})).as_deref(), Some("Thing.colour"));
        assert_eq!(at(json!({"name": null})).as_deref(), Some("Thing.name"));
        assert_eq!(at(json!({"name": ""})).as_deref(), Some("Thing.name"));
        assert_eq!(at(json!({"name": ["x"]})).as_deref(), Some("Thing.name"));
        assert_eq!(at(json!({"count": 1.5})).as_deref(), Some("Thing.count"));
        assert_eq!(
            at(json!({"code": [{"coding": [{"system": 7}]}]})).as_deref(),
            Some("Thing.code[0].coding[0].system")
        );
        let e = walk(&json!({"extension": []}), THING, "Thing", no_hint).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnknownField);
        assert!(e.message.contains("no extensions"));
    }
}
