//! Rewrites a spec into the shape both generators read, so a spec written the
//! way most OpenAPI documents are still generates:
//!
//! - `$ref`'d request bodies and responses (`#/components/requestBodies/..`,
//!   `#/components/responses/..`) are inlined into the operation;
//! - an inline JSON schema of a request body, of a success (2xx, or `default`
//!   when there is no 2xx) response, or an inline enum or object schema of a
//!   parameter becomes a component, so it is a named model type:
//!
//! | Where | Name |
//! |---|---|
//! | request body | `<OperationId>Body` |
//! | the success response | `<OperationId>Response` |
//! | one of several 2xx responses | `<OperationId>Response<Status>` |
//! | parameter `p` of an operation | `<OperationId><P>` |
//! | array parameter `p`'s items | `<OperationId><P>Item` |
//! | parameter `p` of a path item or `components.parameters` | `<P>` |
//!
//! **Collision rule:** a schema with a `title` takes that name (in
//! UpperCamelCase) when no schema has it; otherwise the name above; when that
//! is taken too, generation fails naming both places, and the fix is a
//! `title` naming a free type (or moving the schema to `components`).

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use openapiv3::{
    OpenAPI, Operation, Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, Schema,
    SchemaKind, StatusCode, Type,
};

use crate::CodegenError;
use crate::spec::pointer;

const SCHEMAS: &str = "#/components/schemas/";

/// The spec with every inline schema the generators name moved to
/// `components.schemas` and `$ref`'d bodies and responses inlined.
pub(crate) fn normalize(spec: &OpenAPI) -> Result<OpenAPI, CodegenError> {
    normalize_with_origins(spec).map(|(spec, _)| spec)
}

/// [`normalize`], plus where each named schema was written in `spec` (a JSON
/// pointer), for reports that point at the spec as its author wrote it.
pub(crate) fn normalize_with_origins(
    spec: &OpenAPI,
) -> Result<(OpenAPI, BTreeMap<String, String>), CodegenError> {
    let mut out = spec.clone();
    let mut names = Names {
        taken: spec
            .components
            .as_ref()
            .map(|c| c.schemas.keys().cloned().collect())
            .unwrap_or_default(),
        hoisted: Vec::new(),
        origins: BTreeMap::new(),
    };
    if let Some(components) = &mut out.components {
        for (name, param) in components.parameters.iter_mut() {
            if let ReferenceOr::Item(param) = param {
                let place = format!("components.parameters.{name}");
                let at = pointer(["components", "parameters", name]);
                hoist_param(param, "", &place, &at, &mut names)?;
            }
        }
    }
    for (path, item) in out.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (i, param) in item.parameters.iter_mut().enumerate() {
            if let ReferenceOr::Item(param) = param {
                let place = format!("paths.{path}.parameters");
                let at = pointer(["paths", path, "parameters", &i.to_string()]);
                hoist_param(param, "", &place, &at, &mut names)?;
            }
        }
        for (method, operation) in operations_mut(item) {
            let place = format!("paths.{path}.{method}");
            let at = pointer(["paths", path, method]);
            normalize_operation(spec, operation, &place, &at, &mut names)?;
        }
    }
    if !names.hoisted.is_empty() {
        let components = out.components.get_or_insert_with(Default::default);
        for (name, schema) in names.hoisted {
            components.schemas.insert(name, ReferenceOr::Item(schema));
        }
    }
    Ok((out, names.origins))
}

fn operations_mut(item: &mut PathItem) -> Vec<(&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("options", &mut item.options),
        ("head", &mut item.head),
        ("patch", &mut item.patch),
        ("trace", &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_mut().map(|o| (method, o)))
    .collect()
}

/// Names given to hoisted schemas, and the schemas themselves.
struct Names {
    taken: BTreeSet<String>,
    hoisted: Vec<(String, Schema)>,
    /// Hoisted name -> JSON pointer of the inline schema.
    origins: BTreeMap<String, String>,
}

impl Names {
    /// Moves `schema` to the components under its title or `derived`, and
    /// returns the `$ref` that replaces it.
    fn hoist(
        &mut self,
        schema: Schema,
        derived: String,
        place: &str,
        at: String,
    ) -> Result<ReferenceOr<Schema>, CodegenError> {
        let title = schema
            .schema_data
            .title
            .as_deref()
            .map(|t| t.to_upper_camel_case())
            .filter(|t| !t.is_empty() && !self.taken.contains(t));
        let name = match title {
            Some(title) => title,
            None if !self.taken.contains(&derived) => derived,
            None => {
                return Err(CodegenError::invalid(
                    place,
                    format!(
                        "the inline schema would be named `{derived}`, which another schema already is: \
                         give it a `title` naming a free type, or move it to components.schemas and $ref it"
                    ),
                ));
            }
        };
        self.taken.insert(name.clone());
        self.origins.insert(name.clone(), at);
        self.hoisted.push((name.clone(), schema));
        Ok(ReferenceOr::Reference {
            reference: format!("{SCHEMAS}{name}"),
        })
    }
}

/// Whether a parameter's inline schema needs a named type: an enum or an
/// object (scalars map to Rust types directly).
fn needs_name(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => !s.enumeration.is_empty(),
        SchemaKind::Type(Type::Object(_)) => true,
        SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::AllOf { .. } => true,
        _ => false,
    }
}

fn hoist_param(
    param: &mut Parameter,
    prefix: &str,
    place: &str,
    at: &str,
    names: &mut Names,
) -> Result<(), CodegenError> {
    let data = match param {
        Parameter::Query { parameter_data, .. }
        | Parameter::Header { parameter_data, .. }
        | Parameter::Path { parameter_data, .. }
        | Parameter::Cookie { parameter_data, .. } => parameter_data,
    };
    let base = format!("{prefix}{}", data.name.to_upper_camel_case());
    let place = format!("{place} parameter `{}`", data.name);
    let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) = &mut data.format else {
        return Ok(());
    };
    if needs_name(schema) {
        let inline = schema.clone();
        let at = format!("{at}/schema");
        data.format = ParameterSchemaOrContent::Schema(names.hoist(inline, base, &place, at)?);
        return Ok(());
    }
    if let SchemaKind::Type(Type::Array(array)) = &mut schema.schema_kind
        && let Some(ReferenceOr::Item(items)) = &array.items
        && needs_name(items)
    {
        let inline = items.as_ref().clone();
        let at = format!("{at}/schema/items");
        let reference = names.hoist(inline, format!("{base}Item"), &place, at)?;
        array.items = Some(match reference {
            ReferenceOr::Reference { reference } => ReferenceOr::Reference { reference },
            ReferenceOr::Item(schema) => ReferenceOr::Item(Box::new(schema)),
        });
    }
    Ok(())
}

fn normalize_operation(
    spec: &OpenAPI,
    operation: &mut Operation,
    place: &str,
    at: &str,
    names: &mut Names,
) -> Result<(), CodegenError> {
    let id = operation.operation_id.clone().unwrap_or_default();
    let prefix = id.to_upper_camel_case();
    let place = format!("{place} ({id})");
    for (i, param) in operation.parameters.iter_mut().enumerate() {
        if let ReferenceOr::Item(param) = param {
            let at = format!("{at}/parameters/{i}");
            hoist_param(param, &prefix, &place, &at, names)?;
        }
    }
    if let Some(ReferenceOr::Reference { reference }) = &operation.request_body {
        let body = reference
            .strip_prefix("#/components/requestBodies/")
            .and_then(|name| spec.components.as_ref()?.request_bodies.get(name))
            .and_then(|b| b.as_item())
            .ok_or_else(|| {
                CodegenError::invalid(
                    &place,
                    format!("request body $ref `{reference}` names no request body"),
                )
            })?;
        operation.request_body = Some(ReferenceOr::Item(body.clone()));
    }
    if let Some(ReferenceOr::Item(body)) = &mut operation.request_body
        && let Some(media) = body.content.get_mut("application/json")
        && let Some(ReferenceOr::Item(schema)) = &media.schema
    {
        let inline = schema.clone();
        let at = format!("{at}/requestBody/content/application~1json/schema");
        media.schema = Some(names.hoist(inline, format!("{prefix}Body"), &place, at)?);
    }
    let responses = &mut operation.responses;
    let mut all: Vec<_> = responses.responses.values_mut().collect();
    all.extend(responses.default.as_mut());
    for response in all {
        if let ReferenceOr::Reference { reference } = response {
            let resolved = reference
                .strip_prefix("#/components/responses/")
                .and_then(|name| spec.components.as_ref()?.responses.get(name))
                .and_then(|r| r.as_item())
                .ok_or_else(|| {
                    CodegenError::invalid(
                        &place,
                        format!("response $ref `{reference}` names no response"),
                    )
                })?;
            *response = ReferenceOr::Item(resolved.clone());
        }
    }
    let has_json = |r: &ReferenceOr<openapiv3::Response>| {
        r.as_item()
            .is_some_and(|r| r.content.contains_key("application/json"))
    };
    let success: Vec<StatusCode> = responses
        .responses
        .iter()
        .filter(|(code, r)| {
            matches!(code, StatusCode::Code(200..=299) | StatusCode::Range(2)) && has_json(r)
        })
        .map(|(code, _)| code.clone())
        .collect();
    for code in &success {
        let name = if success.len() > 1 {
            format!("{prefix}Response{code}")
        } else {
            format!("{prefix}Response")
        };
        if let Some(ReferenceOr::Item(response)) = responses.responses.get_mut(code) {
            let place = format!("{place} response {code}");
            hoist_json(
                response,
                name,
                &place,
                format!("{at}/responses/{code}"),
                names,
            )?;
        }
    }
    // Several 2xx bodies of different schemas decode into one type: a
    // `oneOf` of them (an untagged enum), `<OperationId>Response`.
    let mut distinct: Vec<ReferenceOr<Schema>> = Vec::new();
    for code in &success {
        if let Some(schema) = json_schema(responses.responses.get(code))
            && !distinct.contains(schema)
        {
            distinct.push(schema.clone());
        }
    }
    if distinct.len() > 1 {
        let one_of = Schema {
            schema_data: openapiv3::SchemaData {
                description: Some(format!("What `{id}` returns: one of its 2xx bodies.")),
                ..Default::default()
            },
            schema_kind: SchemaKind::OneOf { one_of: distinct },
        };
        let reference = names.hoist(
            one_of,
            format!("{prefix}Response"),
            &place,
            format!("{at}/responses"),
        )?;
        for code in &success {
            if let Some(ReferenceOr::Item(response)) = responses.responses.get_mut(code)
                && let Some(media) = response.content.get_mut("application/json")
            {
                media.schema = Some(reference.clone());
            }
        }
    }
    let no_success = !responses
        .responses
        .keys()
        .any(|code| matches!(code, StatusCode::Code(200..=299) | StatusCode::Range(2)));
    if no_success && let Some(ReferenceOr::Item(response)) = &mut responses.default {
        let name = format!("{prefix}Response");
        let place = format!("{place} response default");
        hoist_json(
            response,
            name,
            &place,
            format!("{at}/responses/default"),
            names,
        )?;
    }
    Ok(())
}

fn json_schema(
    response: Option<&ReferenceOr<openapiv3::Response>>,
) -> Option<&ReferenceOr<Schema>> {
    response?
        .as_item()?
        .content
        .get("application/json")?
        .schema
        .as_ref()
}

fn hoist_json(
    response: &mut openapiv3::Response,
    name: String,
    place: &str,
    at: String,
    names: &mut Names,
) -> Result<(), CodegenError> {
    if let Some(media) = response.content.get_mut("application/json")
        && let Some(ReferenceOr::Item(schema)) = &media.schema
    {
        let inline = schema.clone();
        let at = format!("{at}/content/application~1json/schema");
        media.schema = Some(names.hoist(inline, name, place, at)?);
    }
    Ok(())
}
