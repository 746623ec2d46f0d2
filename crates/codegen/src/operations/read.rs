//! Reads the spec's operations into [`OperationSpec`]s: parameters, body,
//! output type, pagination and raw-body flags, each checked with the spec
//! location named in the error.

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{
    OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Schema,
    SchemaKind, StatusCode, Type,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{PAGINATED_EXTENSION, PARAM_TYPE_EXTENSION, RAW_BODY_EXTENSION};
use crate::CodegenError;

/// Where a parameter goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    Path,
    Query,
    Header,
}

pub(crate) struct Param {
    /// The name on the wire.
    pub(crate) name: String,
    /// The Rust field name.
    pub(crate) field: syn::Ident,
    pub(crate) location: Location,
    pub(crate) required: bool,
    /// The Rust type of the value.
    pub(crate) ty: TokenStream,
    /// Whether the constructor takes `impl Into<String>`.
    pub(crate) is_string: bool,
    pub(crate) doc: String,
    pub(crate) min_length: Option<usize>,
    pub(crate) minimum: Option<i64>,
    pub(crate) maximum: Option<i64>,
}

pub(crate) enum Body {
    None,
    /// A JSON body of this model type.
    Json {
        ty: TokenStream,
        doc: String,
    },
    /// Multipart file parts: (part name, field, part content type).
    Multipart(Vec<(String, syn::Ident, String)>),
}

/// How a list operation pages (`x-cs-paginated`).
pub(crate) struct Pagination {
    /// The record type.
    pub(crate) item: TokenStream,
    /// The response's list property.
    pub(crate) property: syn::Ident,
    /// The largest `limit` the spec allows.
    pub(crate) max_page_size: u32,
    /// Whether the response has an integer `count` (the whole list's size).
    pub(crate) has_count: bool,
}

/// One operation of the spec, read and checked, ready to emit.
pub(crate) struct OperationSpec {
    pub(crate) id: String,
    pub(crate) type_name: syn::Ident,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) summary: String,
    pub(crate) description: String,
    pub(crate) params: Vec<Param>,
    pub(crate) body: Body,
    pub(crate) output: TokenStream,
    pub(crate) raw: bool,
    pub(crate) paginated: Option<Pagination>,
}

/// A model type as the generated file names it (`model::Webhook`).
fn model_type(name: &str) -> TokenStream {
    let name = format_ident!("{}", name);
    quote!(model::#name)
}

fn ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

pub(crate) fn field_ident(name: &str) -> syn::Ident {
    let snake = name.to_snake_case();
    match syn::parse_str::<syn::Ident>(&snake) {
        Ok(ident) => ident,
        Err(_) => format_ident!("{}_", snake),
    }
}

impl OperationSpec {
    pub(crate) fn read(
        spec: &OpenAPI,
        path: &str,
        method: &str,
        path_params: &[ReferenceOr<Parameter>],
        operation: &Operation,
    ) -> Result<Self, CodegenError> {
        let place = format!("paths.{path}.{method}");
        let id = operation
            .operation_id
            .clone()
            .ok_or_else(|| CodegenError::invalid(&place, "missing operationId"))?;
        let place = format!("{place} ({id})");
        let mut params = Vec::new();
        for param in path_params.iter().chain(&operation.parameters) {
            let param = resolve_parameter(spec, param, &place)?;
            let param = read_param(param, &place)?;
            // An operation's own parameter overrides the path item's.
            params.retain(|p: &Param| p.name != param.name);
            params.push(param);
        }
        let body = match &operation.request_body {
            None => Body::None,
            Some(ReferenceOr::Reference { .. }) => {
                return Err(CodegenError::invalid(
                    &place,
                    "request bodies must be inline (with a schema $ref inside)",
                ));
            }
            Some(ReferenceOr::Item(body)) => read_body(body, &place)?,
        };
        let (output_schema, output) = read_output(operation, &place)?;
        let raw = operation
            .extensions
            .get(RAW_BODY_EXTENSION)
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let paginated = match operation.extensions.get(PAGINATED_EXTENSION) {
            None => None,
            Some(value) => {
                let property = value.as_str().ok_or_else(|| {
                    CodegenError::invalid(
                        &place,
                        format!("{PAGINATED_EXTENSION} must name a list property"),
                    )
                })?;
                let item = list_item_type(spec, output_schema.as_deref(), property, &place)?;
                let has_count = has_count_property(spec, output_schema.as_deref());
                let query = |name: &str| {
                    params
                        .iter()
                        .find(|p| p.name == name && p.location == Location::Query)
                        .ok_or_else(|| {
                            CodegenError::invalid(
                                &place,
                                format!("a paginated operation needs a `{name}` query parameter"),
                            )
                        })
                };
                query("skip")?;
                // The page size limit comes from the spec, never from the generator.
                let max_page_size = query("limit")?
                    .maximum
                    .and_then(|max| u32::try_from(max).ok())
                    .filter(|max| *max > 0)
                    .ok_or_else(|| {
                        CodegenError::invalid(
                            &place,
                            "the `limit` of a paginated operation needs a positive integer `maximum`",
                        )
                    })?;
                Some(Pagination {
                    item,
                    property: field_ident(property),
                    max_page_size,
                    has_count,
                })
            }
        };
        Ok(OperationSpec {
            type_name: format_ident!("{}", id.to_upper_camel_case()),
            id,
            method: method.to_uppercase(),
            path: path.to_string(),
            summary: operation.summary.clone().unwrap_or_default(),
            description: operation.description.clone().unwrap_or_default(),
            params,
            body,
            output,
            raw,
            paginated,
        })
    }

    pub(crate) fn doc(&self) -> String {
        format!(
            "{}\n\n{}\n\n`{} {}`",
            self.summary.trim(),
            self.description.trim(),
            self.method,
            self.path
        )
    }

    /// Required inputs, in constructor order: path parameters, then the body,
    /// then other required parameters.
    pub(crate) fn constructor_args(&self) -> Vec<(syn::Ident, TokenStream, TokenStream)> {
        let mut args = Vec::new();
        for p in self.params.iter().filter(|p| p.required) {
            let field = &p.field;
            let ty = &p.ty;
            if p.is_string {
                args.push((field.clone(), quote!(impl Into<#ty>), quote!(#field.into())));
            } else {
                args.push((field.clone(), quote!(#ty), quote!(#field)));
            }
        }
        match &self.body {
            Body::None => {}
            Body::Json { ty, .. } => args.push((
                format_ident!("body"),
                quote!(impl Into<#ty>),
                quote!(body.into()),
            )),
            Body::Multipart(parts) => {
                for (_, field, _) in parts {
                    args.push((
                        field.clone(),
                        quote!(impl Into<UploadFile>),
                        quote!(#field.into()),
                    ));
                }
            }
        }
        args
    }
}

fn resolve_parameter<'a>(
    spec: &'a OpenAPI,
    param: &'a ReferenceOr<Parameter>,
    place: &str,
) -> Result<&'a Parameter, CodegenError> {
    match param {
        ReferenceOr::Item(param) => Ok(param),
        ReferenceOr::Reference { reference } => {
            let name = reference
                .strip_prefix("#/components/parameters/")
                .unwrap_or(reference);
            match spec
                .components
                .as_ref()
                .and_then(|c| c.parameters.get(name))
            {
                Some(ReferenceOr::Item(param)) => Ok(param),
                _ => Err(CodegenError::invalid(
                    place,
                    format!("parameter $ref `{reference}` names no parameter"),
                )),
            }
        }
    }
}

fn read_param(param: &Parameter, place: &str) -> Result<Param, CodegenError> {
    let (data, location) = match param {
        Parameter::Path { parameter_data, .. } => (parameter_data, Location::Path),
        Parameter::Query { parameter_data, .. } => (parameter_data, Location::Query),
        Parameter::Header { parameter_data, .. } => (parameter_data, Location::Header),
        Parameter::Cookie { parameter_data, .. } => {
            return Err(CodegenError::invalid(
                format!("{place} parameter `{}`", parameter_data.name),
                "cookie parameters are not supported",
            ));
        }
    };
    let place = format!("{place} parameter `{}`", data.name);
    let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) = &data.format else {
        return Err(CodegenError::invalid(&place, "needs an inline `schema`"));
    };
    let mut min_length = None;
    let mut minimum = None;
    let mut maximum = None;
    let (ty, is_string) = if let Some(path) = data.extensions.get(PARAM_TYPE_EXTENSION) {
        let path = path
            .as_str()
            .ok_or_else(|| CodegenError::invalid(&place, "x-cs-rust-type must be a string"))?;
        let ty: syn::Type = syn::parse_str(path).map_err(|e| {
            CodegenError::invalid(&place, format!("`{path}` is not a Rust type: {e}"))
        })?;
        (quote!(#ty), false)
    } else {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                min_length = s.min_length;
                match &s.format {
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::DateTime) => {
                        (quote!(chrono::DateTime<chrono::Utc>), false)
                    }
                    _ => (quote!(String), true),
                }
            }
            SchemaKind::Type(Type::Integer(i)) => {
                minimum = i.minimum;
                maximum = i.maximum;
                let ty = match &i.format {
                    openapiv3::VariantOrUnknownOrEmpty::Unknown(f) if f == "uint32" => quote!(u32),
                    openapiv3::VariantOrUnknownOrEmpty::Unknown(f) if f == "uint16" => quote!(u16),
                    openapiv3::VariantOrUnknownOrEmpty::Unknown(f) if f == "uint64" => quote!(u64),
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => {
                        quote!(i32)
                    }
                    _ => quote!(i64),
                };
                (ty, false)
            }
            SchemaKind::Type(Type::Boolean(_)) => (quote!(bool), false),
            _ => {
                return Err(CodegenError::invalid(
                    &place,
                    "only string, integer and boolean parameters are supported (or x-cs-rust-type)",
                ));
            }
        }
    };
    Ok(Param {
        name: data.name.clone(),
        field: field_ident(&data.name),
        location,
        required: data.required || location == Location::Path,
        ty,
        is_string,
        doc: data.description.clone().unwrap_or_default(),
        min_length,
        minimum,
        maximum,
    })
}

fn read_body(body: &RequestBody, place: &str) -> Result<Body, CodegenError> {
    if let Some(media) = body.content.get("application/json") {
        let Some(ReferenceOr::Reference { reference }) = &media.schema else {
            return Err(CodegenError::invalid(
                place,
                "a JSON body needs a schema $ref",
            ));
        };
        let name = ref_name(reference).ok_or_else(|| {
            CodegenError::invalid(place, format!("`{reference}` is not a schema $ref"))
        })?;
        return Ok(Body::Json {
            ty: model_type(name),
            doc: body.description.clone().unwrap_or_default(),
        });
    }
    if let Some(media) = body.content.get("multipart/form-data") {
        let Some(ReferenceOr::Item(schema)) = &media.schema else {
            return Err(CodegenError::invalid(
                place,
                "a multipart body needs an inline object schema",
            ));
        };
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            return Err(CodegenError::invalid(
                place,
                "a multipart body needs an object schema",
            ));
        };
        let mut parts = Vec::new();
        for (part, property) in &object.properties {
            let is_binary = matches!(property, ReferenceOr::Item(p) if is_binary(p));
            if !is_binary {
                return Err(CodegenError::invalid(
                    format!("{place} multipart part `{part}`"),
                    "only file parts (`type: string, format: binary`) are supported",
                ));
            }
            let content_type = media
                .encoding
                .get(part)
                .and_then(|e| e.content_type.clone())
                .unwrap_or_else(|| "application/octet-stream".to_string());
            parts.push((part.clone(), field_ident(part), content_type));
        }
        return Ok(Body::Multipart(parts));
    }
    Err(CodegenError::invalid(
        place,
        "request bodies must be application/json or multipart/form-data",
    ))
}

fn is_binary(schema: &Schema) -> bool {
    matches!(
        &schema.schema_kind,
        SchemaKind::Type(Type::String(s))
            if matches!(&s.format, openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary))
    )
}

/// The success response's schema name and model type.
fn read_output(
    operation: &Operation,
    place: &str,
) -> Result<(Option<String>, TokenStream), CodegenError> {
    let success: Vec<_> = operation
        .responses
        .responses
        .iter()
        .filter(|(code, _)| matches!(code, StatusCode::Code(200..=299)))
        .collect();
    let [(_, response)] = success.as_slice() else {
        return Err(CodegenError::invalid(
            place,
            "needs exactly one 2xx response",
        ));
    };
    let ReferenceOr::Item(response) = response else {
        return Err(CodegenError::invalid(
            place,
            "the 2xx response must be inline",
        ));
    };
    let Some(media) = response.content.get("application/json") else {
        return Ok((None, quote!(())));
    };
    match &media.schema {
        Some(ReferenceOr::Reference { reference }) => {
            let name = ref_name(reference).ok_or_else(|| {
                CodegenError::invalid(place, format!("`{reference}` is not a schema $ref"))
            })?;
            Ok((Some(name.to_string()), model_type(name)))
        }
        _ => Err(CodegenError::invalid(
            place,
            "the 2xx JSON schema must be a $ref to a component",
        )),
    }
}

/// Whether schema `output` has an integer `count` property.
fn has_count_property(spec: &OpenAPI, output: Option<&str>) -> bool {
    let schema = output
        .and_then(|name| spec.components.as_ref()?.schemas.get(name))
        .and_then(|s| s.as_item());
    let Some(SchemaKind::Type(Type::Object(object))) = schema.map(|s| &s.schema_kind) else {
        return false;
    };
    matches!(
        object.properties.get("count"),
        Some(ReferenceOr::Item(count)) if matches!(count.schema_kind, SchemaKind::Type(Type::Integer(_)))
    )
}

/// The item type of `property` (an array of $ref) of schema `output`.
fn list_item_type(
    spec: &OpenAPI,
    output: Option<&str>,
    property: &str,
    place: &str,
) -> Result<TokenStream, CodegenError> {
    let missing = || {
        CodegenError::invalid(
            place,
            format!(
                "{PAGINATED_EXTENSION}: the response has no list property `{property}` of $ref items"
            ),
        )
    };
    let schema = output
        .and_then(|name| spec.components.as_ref()?.schemas.get(name))
        .and_then(|s| s.as_item())
        .ok_or_else(missing)?;
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        return Err(missing());
    };
    let Some(ReferenceOr::Item(list)) = object.properties.get(property) else {
        return Err(missing());
    };
    let SchemaKind::Type(Type::Array(array)) = &list.schema_kind else {
        return Err(missing());
    };
    match &array.items {
        Some(ReferenceOr::Reference { reference }) => {
            ref_name(reference).map(model_type).ok_or_else(missing)
        }
        _ => Err(missing()),
    }
}
