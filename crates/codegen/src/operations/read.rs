//! Reads the spec's operations into [`OperationSpec`]s: parameters, body,
//! output type, pagination and raw-body flags, each checked with the spec
//! location named in the error.

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{
    IntegerFormat, NumberFormat, OpenAPI, Operation, Parameter, ParameterSchemaOrContent,
    QueryStyle, ReferenceOr, RequestBody, Schema, SchemaKind, StatusCode, StringFormat, Type,
    VariantOrUnknownOrEmpty,
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
    /// Written with `to_string()` (a type `ToParam` does not cover, e.g. `f64`).
    pub(crate) display: bool,
    /// For an array: how its items go on the wire.
    pub(crate) list: Option<ListStyle>,
    /// A model enum the operations file implements `ToParam` for.
    pub(crate) enum_type: Option<String>,
}

/// How an array parameter is written (OpenAPI `style`/`explode`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListStyle {
    /// `form` with `explode: true` (the query default): `p=a&p=b`.
    Repeat,
    /// Items joined by this separator in one value: `form`/`simple` without
    /// explode (`,`), `spaceDelimited` (` `), `pipeDelimited` (`|`).
    Join(&'static str),
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
    /// A `text/plain` body (`String`).
    Text {
        doc: String,
    },
    /// A binary body (`Vec<u8>`) of this media type.
    Bytes {
        media_type: String,
        doc: String,
    },
}

/// How the success response is read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decode {
    /// A JSON body into the output type.
    Json,
    /// A JSON body, or no body (`None`): some 2xx responses have none.
    OptionalJson,
    /// No body (`()`).
    Empty,
    /// A text body (`String`; invalid UTF-8 is replaced, not refused).
    Text,
    /// The body's bytes (`Vec<u8>`).
    Bytes,
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
    pub(crate) decode: Decode,
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
            let param = read_param(spec, param, &place)?;
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
        let (output_schema, output, decode) = read_output(operation, &place)?;
        let raw = operation
            .extensions
            .get(RAW_BODY_EXTENSION)
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if raw && decode != Decode::Json {
            return Err(CodegenError::invalid(
                &place,
                format!(
                    "{RAW_BODY_EXTENSION} needs a JSON success response (every 2xx with the same schema)"
                ),
            ));
        }
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
            decode,
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
            Body::Text { .. } => args.push((
                format_ident!("body"),
                quote!(impl Into<String>),
                quote!(body.into()),
            )),
            Body::Bytes { .. } => args.push((
                format_ident!("body"),
                quote!(impl Into<Vec<u8>>),
                quote!(body.into()),
            )),
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

fn read_param(spec: &OpenAPI, param: &Parameter, place: &str) -> Result<Param, CodegenError> {
    let (data, location, list_style) = match param {
        Parameter::Path { parameter_data, .. } => {
            (parameter_data, Location::Path, ListStyle::Join(","))
        }
        Parameter::Query {
            parameter_data,
            style,
            ..
        } => {
            let explode = parameter_data.explode.unwrap_or(true);
            let style = match style {
                QueryStyle::Form if explode => Some(ListStyle::Repeat),
                QueryStyle::Form => Some(ListStyle::Join(",")),
                QueryStyle::SpaceDelimited => Some(ListStyle::Join(" ")),
                QueryStyle::PipeDelimited => Some(ListStyle::Join("|")),
                QueryStyle::DeepObject => None,
            };
            let Some(style) = style else {
                return Err(CodegenError::invalid(
                    format!("{place} parameter `{}`", parameter_data.name),
                    "`style: deepObject` is not supported: write the object as a JSON string \
                     parameter with x-cs-rust-type naming a type that implements ToParam",
                ));
            };
            (parameter_data, Location::Query, style)
        }
        Parameter::Header { parameter_data, .. } => {
            (parameter_data, Location::Header, ListStyle::Join(","))
        }
        Parameter::Cookie { parameter_data, .. } => {
            return Err(CodegenError::invalid(
                format!("{place} parameter `{}`", parameter_data.name),
                "cookie parameters are not supported: send the value as a header parameter \
                 named `cookie`, or leave it to the transport",
            ));
        }
    };
    let place = format!("{place} parameter `{}`", data.name);
    let ParameterSchemaOrContent::Schema(schema) = &data.format else {
        return Err(CodegenError::invalid(
            &place,
            "`content` parameters are not supported: give the parameter a `schema`",
        ));
    };
    let mut param = Param {
        name: data.name.clone(),
        field: field_ident(&data.name),
        location,
        required: data.required || location == Location::Path,
        ty: quote!(String),
        is_string: false,
        doc: data.description.clone().unwrap_or_default(),
        min_length: None,
        minimum: None,
        maximum: None,
        display: false,
        list: None,
        enum_type: None,
    };
    if let Some(path) = data.extensions.get(PARAM_TYPE_EXTENSION) {
        let path = path
            .as_str()
            .ok_or_else(|| CodegenError::invalid(&place, "x-cs-rust-type must be a string"))?;
        let ty: syn::Type = syn::parse_str(path).map_err(|e| {
            CodegenError::invalid(&place, format!("`{path}` is not a Rust type: {e}"))
        })?;
        param.ty = quote!(#ty);
        return Ok(param);
    }
    let array = match schema {
        ReferenceOr::Item(Schema {
            schema_kind: SchemaKind::Type(Type::Array(array)),
            ..
        }) => Some(array),
        _ => None,
    };
    match array {
        None => {
            scalar_param(spec, schema, &mut param, &place)?;
        }
        Some(array) => {
            let Some(items) = &array.items else {
                return Err(CodegenError::invalid(
                    &place,
                    "an array parameter needs `items`",
                ));
            };
            let mut item = Param { ..param };
            scalar_param(spec, &items.clone().unbox(), &mut item, &place)?;
            let item_ty = &item.ty;
            param = Param {
                ty: quote!(Vec<#item_ty>),
                is_string: false,
                min_length: None,
                minimum: None,
                maximum: None,
                list: Some(list_style),
                ..item
            };
        }
    }
    Ok(param)
}

/// Sets the Rust type of a scalar (or enum) parameter schema.
fn scalar_param(
    spec: &OpenAPI,
    schema: &ReferenceOr<Schema>,
    param: &mut Param,
    place: &str,
) -> Result<(), CodegenError> {
    let schema = match schema {
        ReferenceOr::Item(schema) => schema,
        ReferenceOr::Reference { reference } => {
            let name = ref_name(reference).ok_or_else(|| {
                CodegenError::invalid(place, format!("`{reference}` is not a schema $ref"))
            })?;
            let target = spec
                .components
                .as_ref()
                .and_then(|c| c.schemas.get(name))
                .and_then(|s| s.as_item())
                .ok_or_else(|| {
                    CodegenError::invalid(place, format!("$ref `{reference}` names no schema"))
                })?;
            if crate::open_enum::string_enum(target).is_some() {
                param.ty = model_type(name);
                param.enum_type = Some(name.to_string());
                return Ok(());
            }
            return scalar_param(spec, &ReferenceOr::Item(target.clone()), param, place);
        }
    };
    let unsupported = || {
        CodegenError::invalid(
            place,
            "a parameter must be a string, integer, number, boolean, a string enum or an array \
             of those; for anything else write `x-cs-rust-type` naming a type that implements ToParam",
        )
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            param.min_length = s.min_length;
            match &s.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => {
                    param.ty = quote!(chrono::DateTime<chrono::Utc>);
                }
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => {
                    return Err(CodegenError::invalid(
                        place,
                        "a binary string cannot be a parameter: send it as a request body",
                    ));
                }
                _ => {
                    param.ty = quote!(String);
                    param.is_string = true;
                }
            }
        }
        SchemaKind::Type(Type::Integer(i)) => {
            param.minimum = i.minimum;
            param.maximum = i.maximum;
            param.ty = match &i.format {
                VariantOrUnknownOrEmpty::Unknown(f) if f == "uint32" => quote!(u32),
                VariantOrUnknownOrEmpty::Unknown(f) if f == "uint16" => quote!(u16),
                VariantOrUnknownOrEmpty::Unknown(f) if f == "uint64" => quote!(u64),
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => quote!(i32),
                _ => quote!(i64),
            };
        }
        SchemaKind::Type(Type::Number(n)) => {
            param.ty = match &n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => quote!(f32),
                _ => quote!(f64),
            };
            param.display = true;
        }
        SchemaKind::Type(Type::Boolean(_)) => param.ty = quote!(bool),
        _ => return Err(unsupported()),
    }
    Ok(())
}

fn read_body(body: &RequestBody, place: &str) -> Result<Body, CodegenError> {
    let doc = body.description.clone().unwrap_or_default();
    if let Some(media) = body.content.get("application/json") {
        let Some(ReferenceOr::Reference { reference }) = &media.schema else {
            return Err(CodegenError::invalid(
                place,
                "a JSON request body needs a `schema`",
            ));
        };
        let name = ref_name(reference).ok_or_else(|| {
            CodegenError::invalid(place, format!("`{reference}` is not a schema $ref"))
        })?;
        return Ok(Body::Json {
            ty: model_type(name),
            doc,
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
    if body.content.contains_key("text/plain") {
        return Ok(Body::Text { doc });
    }
    if let Some((media_type, _)) = body.content.iter().find(|(m, _)| is_bytes_media(m)) {
        return Ok(Body::Bytes {
            media_type: media_type.clone(),
            doc,
        });
    }
    let found: Vec<_> = body.content.keys().map(String::as_str).collect();
    Err(CodegenError::invalid(
        place,
        format!(
            "request body media type {found:?} is not supported: use application/json, \
             multipart/form-data, text/plain or application/octet-stream"
        ),
    ))
}

/// Media types read and sent as bytes.
fn is_bytes_media(media_type: &str) -> bool {
    media_type == "application/octet-stream"
        || media_type.starts_with("image/")
        || media_type == "application/pdf"
        || media_type == "application/zip"
}

fn is_binary(schema: &Schema) -> bool {
    matches!(
        &schema.schema_kind,
        SchemaKind::Type(Type::String(s))
            if matches!(&s.format, VariantOrUnknownOrEmpty::Item(StringFormat::Binary))
    )
}

/// What one success response carries.
#[derive(PartialEq)]
enum Carries {
    Nothing,
    Json(String),
    Text,
    Bytes,
}

/// The success response's schema name, Rust type and decoding: every 2xx
/// response (or `default` when there is none) must carry the same thing,
/// except that JSON alongside no body gives `Option<T>`.
fn read_output(
    operation: &Operation,
    place: &str,
) -> Result<(Option<String>, TokenStream, Decode), CodegenError> {
    let mut success: Vec<_> = operation
        .responses
        .responses
        .iter()
        .filter(|(code, _)| matches!(code, StatusCode::Code(200..=299) | StatusCode::Range(2)))
        .map(|(code, response)| (code.to_string(), response))
        .collect();
    if success.is_empty()
        && let Some(response) = &operation.responses.default
    {
        success.push(("default".to_string(), response));
    }
    if success.is_empty() {
        return Err(CodegenError::invalid(
            place,
            "needs a 2xx (or `default`) response",
        ));
    }
    let mut carried = Vec::new();
    for (code, response) in success {
        let ReferenceOr::Item(response) = response else {
            return Err(CodegenError::invalid(
                format!("{place} response {code}"),
                "a response $ref must name one of components.responses",
            ));
        };
        let carries = if let Some(media) = response.content.get("application/json") {
            match &media.schema {
                Some(ReferenceOr::Reference { reference }) => {
                    let name = ref_name(reference).ok_or_else(|| {
                        CodegenError::invalid(place, format!("`{reference}` is not a schema $ref"))
                    })?;
                    Carries::Json(name.to_string())
                }
                _ => {
                    return Err(CodegenError::invalid(
                        format!("{place} response {code}"),
                        "a JSON response needs a `schema`",
                    ));
                }
            }
        } else if response.content.keys().any(|m| m.starts_with("text/")) {
            Carries::Text
        } else if response.content.keys().any(|m| is_bytes_media(m)) {
            Carries::Bytes
        } else if let Some(media) = response.content.keys().next() {
            return Err(CodegenError::invalid(
                format!("{place} response {code}"),
                format!(
                    "media type `{media}` is not supported: use application/json, text/plain or application/octet-stream"
                ),
            ));
        } else {
            Carries::Nothing
        };
        if !carried.contains(&carries) {
            carried.push(carries);
        }
    }
    match carried.as_slice() {
        [Carries::Nothing] => Ok((None, quote!(()), Decode::Empty)),
        [Carries::Json(name)] => Ok((Some(name.clone()), model_type(name), Decode::Json)),
        [Carries::Json(name), Carries::Nothing] | [Carries::Nothing, Carries::Json(name)] => {
            let ty = model_type(name);
            Ok((
                Some(name.clone()),
                quote!(Option<#ty>),
                Decode::OptionalJson,
            ))
        }
        [Carries::Text] => Ok((None, quote!(String), Decode::Text)),
        [Carries::Bytes] => Ok((None, quote!(Vec<u8>), Decode::Bytes)),
        _ => Err(CodegenError::invalid(
            place,
            "the 2xx responses carry different kinds of body: give them all JSON (one schema, \
             or a oneOf), or all the same non-JSON media type",
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
