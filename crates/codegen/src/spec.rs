//! Loading the spec and checking the rules the generator relies on.

use std::path::Path;

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};

use crate::CodegenError;

const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// Reads and parses the spec at `path`.
pub fn load_spec(path: &Path) -> Result<OpenAPI, CodegenError> {
    let text = std::fs::read_to_string(path).map_err(|source| CodegenError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_spec(&text).map_err(|e| e.in_file(path))
}

/// Parses spec text (YAML or JSON).
pub fn parse_spec(text: &str) -> Result<OpenAPI, CodegenError> {
    serde_norway::from_str::<OpenAPI>(text).map_err(|e| {
        let location = e
            .location()
            .map(|l| format!(":{}:{}", l.line(), l.column()))
            .unwrap_or_default();
        CodegenError::Parse {
            file: None,
            location,
            message: e.to_string(),
        }
    })
}

/// Checks what the generator needs: OpenAPI 3.0.x, every operation with an
/// operationId and a summary, and every `$ref` pointing at a defined schema.
pub fn check_spec(spec: &OpenAPI) -> Result<(), CodegenError> {
    if !spec.openapi.trim().starts_with("3.0.") {
        return Err(CodegenError::invalid(
            "openapi",
            format!("version {} is not supported (use 3.0.x)", spec.openapi),
        ));
    }
    let mut operation_ids = std::collections::BTreeSet::new();
    for (path, item) in spec.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            return Err(CodegenError::invalid(
                format!("paths.{path}"),
                "a path item may not be a $ref",
            ));
        };
        for (method, operation) in item.iter() {
            let place = format!("paths.{path}.{method}");
            let Some(id) = operation.operation_id.as_deref() else {
                return Err(CodegenError::invalid(place, "missing operationId"));
            };
            if !operation_ids.insert(id.to_string()) {
                return Err(CodegenError::invalid(
                    place,
                    format!("operationId `{id}` is used twice"),
                ));
            }
            if operation.summary.as_deref().unwrap_or("").trim().is_empty() {
                return Err(CodegenError::invalid(
                    format!("{place} ({id})"),
                    "missing summary",
                ));
            }
        }
    }
    if let Some(components) = &spec.components {
        for (name, schema) in &components.schemas {
            check_schema_refs(spec, schema, &format!("components.schemas.{name}"))?;
        }
    }
    Ok(())
}

fn check_schema_refs(
    spec: &OpenAPI,
    schema: &ReferenceOr<Schema>,
    place: &str,
) -> Result<(), CodegenError> {
    match schema {
        ReferenceOr::Reference { reference } => check_ref(spec, reference, place),
        ReferenceOr::Item(schema) => check_schema_kind(spec, &schema.schema_kind, place),
    }
}

fn check_boxed_refs(
    spec: &OpenAPI,
    schema: &ReferenceOr<Box<Schema>>,
    place: &str,
) -> Result<(), CodegenError> {
    match schema {
        ReferenceOr::Reference { reference } => check_ref(spec, reference, place),
        ReferenceOr::Item(schema) => check_schema_kind(spec, &schema.schema_kind, place),
    }
}

fn check_ref(spec: &OpenAPI, reference: &str, place: &str) -> Result<(), CodegenError> {
    let Some(name) = reference.strip_prefix(SCHEMA_REF_PREFIX) else {
        return Err(CodegenError::invalid(
            place,
            format!("$ref `{reference}` is not a #/components/schemas/ reference"),
        ));
    };
    let defined = spec
        .components
        .as_ref()
        .is_some_and(|c| c.schemas.contains_key(name));
    if defined {
        Ok(())
    } else {
        Err(CodegenError::invalid(
            place,
            format!("$ref `{reference}` names no schema"),
        ))
    }
}

fn check_schema_kind(spec: &OpenAPI, kind: &SchemaKind, place: &str) -> Result<(), CodegenError> {
    match kind {
        SchemaKind::Type(Type::Object(object)) => {
            for (field, schema) in &object.properties {
                check_boxed_refs(spec, schema, &format!("{place}.properties.{field}"))?;
            }
            if let Some(openapiv3::AdditionalProperties::Schema(schema)) =
                &object.additional_properties
            {
                check_schema_refs(spec, schema, &format!("{place}.additionalProperties"))?;
            }
            Ok(())
        }
        SchemaKind::Type(Type::Array(array)) => match &array.items {
            Some(items) => check_boxed_refs(spec, items, &format!("{place}.items")),
            None => Ok(()),
        },
        SchemaKind::OneOf { one_of: list }
        | SchemaKind::AnyOf { any_of: list }
        | SchemaKind::AllOf { all_of: list } => {
            for (i, schema) in list.iter().enumerate() {
                check_schema_refs(spec, schema, &format!("{place}[{i}]"))?;
            }
            Ok(())
        }
        SchemaKind::Not { not } => check_schema_refs(spec, not, &format!("{place}.not")),
        _ => Ok(()),
    }
}

/// A JSON pointer from its unescaped segments (`~` and `/` escaped).
pub(crate) fn pointer<'s>(segments: impl IntoIterator<Item = &'s str>) -> String {
    segments
        .into_iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}
