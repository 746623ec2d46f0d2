//! OpenAPI 3.0 schemas as the JSON Schema that typify reads.
//!
//! An OpenAPI 3.0 schema object is JSON Schema (draft 4/5) with a few
//! differences, so the conversion goes through the schema's JSON and rewrites
//! only those: `nullable` becomes a `null` type (or a `oneOf` with `null` for
//! a schema without a `type`), boolean `exclusiveMinimum`/`exclusiveMaximum`
//! take the bound's value, `example` becomes `examples`, and the
//! OpenAPI-only `discriminator` and `externalDocs` are dropped (typify would
//! otherwise see them as extensions). Nested schemas get the same treatment.

use openapiv3::{ReferenceOr, Schema};
use serde_json::{Map, Value};

use crate::CodegenError;

/// Keys of a schema that hold documentation rather than constraints; they
/// stay on the outer schema when `nullable` wraps it in a `oneOf`.
const METADATA_KEYS: &[&str] = &[
    "$id",
    "title",
    "description",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "examples",
];
const OBJECT_KEYS: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
];
const ARRAY_KEYS: &[&str] = &["items", "minItems", "maxItems", "uniqueItems"];
const NUMBER_KEYS: &[&str] = &[
    "multipleOf",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
];
const STRING_KEYS: &[&str] = &["pattern", "minLength", "maxLength"];
const SUBSCHEMA_KEYS: &[&str] = &["oneOf", "anyOf", "allOf", "not"];

/// Converts the schema named `name` (in `components.schemas`) for typify.
pub fn to_json_schema(
    name: &str,
    schema: &ReferenceOr<Schema>,
) -> Result<schemars::schema::Schema, CodegenError> {
    let failed = |message: String| CodegenError::TypeGeneration {
        file: None,
        message: format!("components.schemas.{name}: {message}"),
    };
    let mut value = serde_json::to_value(schema).map_err(|e| failed(e.to_string()))?;
    rewrite(&mut value);
    serde_json::from_value(value).map_err(|e| failed(e.to_string()))
}

/// Rewrites one schema's JSON in place, then the schemas nested in it.
fn rewrite(value: &mut Value) {
    let Value::Object(schema) = value else {
        return;
    };
    if schema.contains_key("$ref") {
        return;
    }
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        properties.values_mut().for_each(rewrite);
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(nested) = schema.get_mut(key) {
            rewrite(nested);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(Value::Array(list)) = schema.get_mut(key) {
            list.iter_mut().for_each(rewrite);
        }
    }

    schema.remove("discriminator");
    schema.remove("externalDocs");
    if let Some(example) = schema.remove("example") {
        schema.insert("examples".into(), Value::Array(vec![example]));
    }
    exclusive_bound(schema, "minimum", "exclusiveMinimum");
    exclusive_bound(schema, "maximum", "exclusiveMaximum");

    let nullable = schema.remove("nullable") == Some(Value::Bool(true));
    if let Some(ty) = schema.get("type").cloned() {
        if nullable {
            schema.insert("type".into(), Value::Array(vec![ty, "null".into()]));
        }
        return;
    }
    untyped(value, nullable);
}

/// OpenAPI 3.0 marks a bound exclusive with a boolean; JSON Schema gives the
/// exclusive bound's value instead.
fn exclusive_bound(schema: &mut Map<String, Value>, bound: &str, exclusive: &str) {
    match schema.remove(exclusive) {
        Some(Value::Bool(true)) => {
            if let Some(value) = schema.remove(bound) {
                schema.insert(exclusive.into(), value);
            }
        }
        Some(Value::Bool(false)) | None => {}
        Some(other) => {
            schema.insert(exclusive.into(), other);
        }
    }
}

/// A schema without `type`: a bare `enum: [null]` is the null type, a bare
/// schema accepts anything (`nullable` changes nothing), and a nullable one
/// gets a `type` from its keywords (strings' and numbers' keywords counting as
/// `array`, as typify has always been given them, so the generated code stays
/// the same) plus `null`; one that only combines subschemas is wrapped as
/// `oneOf: [null, schema]`.
fn untyped(value: &mut Value, nullable: bool) {
    let Value::Object(schema) = value else {
        return;
    };
    let has_any = |keys: &[&str]| keys.iter().any(|key| schema.contains_key(*key));
    let object = has_any(OBJECT_KEYS);
    let array = has_any(ARRAY_KEYS);
    let number = has_any(NUMBER_KEYS);
    let string = has_any(STRING_KEYS);
    let subschemas = has_any(SUBSCHEMA_KEYS);
    if !(object || array || number || string || subschemas || schema.contains_key("format")) {
        match schema.get("enum").and_then(Value::as_array) {
            None => return,
            Some(values) if values == &[Value::Null] => {
                schema.remove("enum");
                schema.insert("type".into(), "null".into());
                return;
            }
            Some(_) => {}
        }
    }
    if !nullable {
        return;
    }
    let mut types: Vec<Value> = [
        (object, "object"),
        (array, "array"),
        (number, "array"),
        (string, "array"),
    ]
    .into_iter()
    .filter(|(present, _)| *present)
    .map(|(_, ty)| Value::from(ty))
    .collect();
    if types.is_empty() && subschemas {
        let inner = std::mem::take(schema);
        *schema = wrap_nullable(inner);
        return;
    }
    types.push(Value::from("null"));
    let ty = if types.len() == 1 {
        types.remove(0)
    } else {
        Value::Array(types)
    };
    schema.insert("type".into(), ty);
}

/// `oneOf: [null, schema]`, with the documentation and extensions moved to
/// the outer schema.
fn wrap_nullable(mut inner: Map<String, Value>) -> Map<String, Value> {
    let mut outer = Map::new();
    let moved: Vec<String> = inner
        .keys()
        .filter(|key| METADATA_KEYS.contains(&key.as_str()) || key.starts_with("x-"))
        .cloned()
        .collect();
    for key in moved {
        if let Some(value) = inner.remove(&key) {
            outer.insert(key, value);
        }
    }
    let null = Value::Object(Map::from_iter([("type".into(), "null".into())]));
    outer.insert(
        "oneOf".into(),
        Value::Array(vec![null, Value::Object(inner)]),
    );
    outer
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    fn converted(openapi: Value) -> Value {
        let schema = serde_json::from_value(openapi).expect("an OpenAPI schema");
        let converted = super::to_json_schema("Test", &schema).expect("converts");
        serde_json::to_value(converted).expect("serializes")
    }

    #[test]
    fn a_nullable_typed_schema_admits_null_in_its_type() {
        assert_eq!(
            converted(json!({ "type": "string", "nullable": true, "maxLength": 3 })),
            json!({ "type": ["string", "null"], "maxLength": 3 })
        );
    }

    #[test]
    fn a_nullable_composition_is_wrapped_with_its_docs_outside() {
        let schema = json!({
            "description": "Either",
            "x-note": 1,
            "nullable": true,
            "oneOf": [{ "$ref": "#/components/schemas/A" }, { "type": "integer" }]
        });
        assert_eq!(
            converted(schema),
            json!({
                "description": "Either",
                "x-note": 1,
                "oneOf": [
                    { "type": "null" },
                    { "oneOf": [{ "$ref": "#/components/schemas/A" }, { "type": "integer" }] }
                ]
            })
        );
    }

    #[test]
    fn nested_schemas_are_converted_too() {
        let schema = json!({
            "type": "object",
            "properties": {
                "count": { "type": "integer", "minimum": 1, "exclusiveMinimum": true },
                "tags": { "type": "array", "items": { "type": "string", "nullable": true } }
            },
            "additionalProperties": { "type": "boolean", "nullable": true }
        });
        assert_eq!(
            converted(schema),
            json!({
                "type": "object",
                "properties": {
                    "count": { "type": "integer", "exclusiveMinimum": 1.0 },
                    "tags": { "type": "array", "items": { "type": ["string", "null"] } }
                },
                "additionalProperties": { "type": ["boolean", "null"] }
            })
        );
    }

    #[test]
    fn openapi_only_keywords_are_dropped_or_renamed() {
        let schema = json!({
            "type": "object",
            "example": { "a": 1 },
            "externalDocs": { "url": "http://127.0.0.1/docs" },
            "discriminator": { "propertyName": "kind" }
        });
        assert_eq!(
            converted(schema),
            json!({ "type": "object", "examples": [{ "a": 1 }] })
        );
    }

    #[test]
    fn untyped_schemas_keep_their_reading() {
        assert_eq!(converted(json!({ "nullable": true })), json!({}));
        assert_eq!(
            converted(json!({ "enum": [null] })),
            json!({ "type": "null" })
        );
        assert_eq!(
            converted(json!({ "nullable": true, "required": ["a"] })),
            json!({ "type": ["object", "null"], "required": ["a"] })
        );
    }
}
