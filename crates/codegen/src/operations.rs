//! The operations emitter (openapiv3 + quote): for every operation of the
//! spec, a request type with its parameters and body, a pure `build` and a
//! pure `decode`, setters on `Call`, and one method on each client.
//!
//! The emitted code lives in `cs-webhooks-api` and uses its encoding helpers,
//! so path escaping, query encoding, headers and bodies are written once.

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{
    OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Schema,
    SchemaKind, StatusCode, Type,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::CodegenError;

/// Operation extension: the list property whose records pagination yields,
/// e.g. `x-cs-paginated: webhooks`.
pub const PAGINATED_EXTENSION: &str = "x-cs-paginated";
/// Operation extension: also return the success body's raw bytes (`Raw<T>`).
pub const RAW_BODY_EXTENSION: &str = "x-cs-raw-body";
/// Parameter extension: the Rust type of a parameter (written with `ToParam`).
pub const PARAM_TYPE_EXTENSION: &str = "x-cs-rust-type";

const MODEL: &str = "cs_webhooks_model";

/// Emits the operations of every path of the spec.
pub fn operations(spec: &OpenAPI) -> Result<TokenStream, CodegenError> {
    let mut out = TokenStream::new();
    for (path, item) in spec.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, operation) in item.iter() {
            let emitted = OperationSpec::read(spec, path, method, &item.parameters, operation)?;
            out.extend(emitted.tokens());
        }
    }
    Ok(out)
}

/// Where a parameter goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Location {
    Path,
    Query,
    Header,
}

struct Param {
    /// The name on the wire.
    name: String,
    /// The Rust field name.
    field: syn::Ident,
    location: Location,
    required: bool,
    /// The Rust type of the value.
    ty: TokenStream,
    /// Whether the constructor takes `impl Into<String>`.
    is_string: bool,
    doc: String,
    min_length: Option<usize>,
    minimum: Option<i64>,
    maximum: Option<i64>,
}

impl Param {
    /// The validation the spec asks of this parameter (`minLength`,
    /// `minimum`, `maximum`), done before anything is sent.
    fn check(&self) -> Option<TokenStream> {
        let field = &self.field;
        let name = &self.name;
        let mut conditions = Vec::new();
        let mut message = String::new();
        if let Some(min) = self.min_length.filter(|m| *m > 0) {
            conditions.push(quote!(value.chars().count() < #min));
            message = format!("`{name}` must be at least {min} character(s) long");
        }
        let unsigned = self.ty.to_string().starts_with('u');
        let minimum = self.minimum.filter(|m| !(unsigned && *m <= 0));
        if let Some(min) = minimum {
            conditions.push(quote!(i128::from(*value) < #min as i128));
        }
        if let Some(max) = self.maximum {
            conditions.push(quote!(i128::from(*value) > #max as i128));
        }
        match (minimum, self.maximum) {
            (Some(min), Some(max)) => {
                message = format!("`{name}` must be between {min} and {max}, not {{}}")
            }
            (Some(min), None) => message = format!("`{name}` must be at least {min}, not {{}}"),
            (None, Some(max)) => message = format!("`{name}` must be at most {max}, not {{}}"),
            (None, None) => {}
        }
        if conditions.is_empty() {
            return None;
        }
        let error = if message.contains("{}") {
            quote!(crate::Error::invalid_request(format!(#message, value)))
        } else {
            quote!(crate::Error::invalid_request(#message))
        };
        let check = quote! {
            if #(#conditions)||* {
                return ::std::result::Result::Err(#error);
            }
        };
        Some(if self.required {
            quote!({ let value = &self.#field; #check })
        } else {
            quote! {
                if let ::std::option::Option::Some(value) = &self.#field && (#(#conditions)||*) {
                    return ::std::result::Result::Err(#error);
                }
            }
        })
    }
}

enum Body {
    None,
    /// A JSON body of this model type.
    Json {
        ty: TokenStream,
        doc: String,
    },
    /// Multipart file parts: (part name, field, part content type).
    Multipart(Vec<(String, syn::Ident, String)>),
}

struct OperationSpec {
    id: String,
    type_name: syn::Ident,
    method: String,
    path: String,
    summary: String,
    description: String,
    params: Vec<Param>,
    body: Body,
    output: TokenStream,
    raw: bool,
    paginated: Option<(TokenStream, syn::Ident)>,
}

fn model_type(name: &str) -> TokenStream {
    let model = format_ident!("{}", MODEL);
    let name = format_ident!("{}", name);
    quote!(::#model::#name)
}

fn ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

fn field_ident(name: &str) -> syn::Ident {
    let snake = name.to_snake_case();
    match syn::parse_str::<syn::Ident>(&snake) {
        Ok(ident) => ident,
        Err(_) => format_ident!("{}_", snake),
    }
}

impl OperationSpec {
    fn read(
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
                for needed in ["skip", "limit"] {
                    if !params
                        .iter()
                        .any(|p| p.name == needed && p.location == Location::Query)
                    {
                        return Err(CodegenError::invalid(
                            &place,
                            format!("a paginated operation needs a `{needed}` query parameter"),
                        ));
                    }
                }
                Some((item, field_ident(property)))
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

    fn doc(&self) -> String {
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
    fn constructor_args(&self) -> Vec<(syn::Ident, TokenStream, TokenStream)> {
        let mut args = Vec::new();
        for p in self.params.iter().filter(|p| p.required) {
            let field = &p.field;
            let ty = &p.ty;
            if p.is_string {
                args.push((
                    field.clone(),
                    quote!(impl ::std::convert::Into<#ty>),
                    quote!(#field.into()),
                ));
            } else {
                args.push((field.clone(), quote!(#ty), quote!(#field)));
            }
        }
        match &self.body {
            Body::None => {}
            Body::Json { ty, .. } => args.push((
                format_ident!("body"),
                quote!(impl ::std::convert::Into<#ty>),
                quote!(body.into()),
            )),
            Body::Multipart(parts) => {
                for (_, field, _) in parts {
                    args.push((
                        field.clone(),
                        quote!(impl ::std::convert::Into<crate::UploadFile>),
                        quote!(#field.into()),
                    ));
                }
            }
        }
        args
    }

    fn tokens(&self) -> TokenStream {
        let name = &self.type_name;
        let id = &self.id;
        let doc = self.doc();
        let method_ident = format_ident!("{}", self.method);
        let client_method = format_ident!("{}", self.id.to_snake_case());

        // Fields.
        let mut fields = Vec::new();
        for p in &self.params {
            let field = &p.field;
            let ty = &p.ty;
            let pdoc = format!(
                "{} ({} `{}`)",
                p.doc.trim(),
                location_name(p.location),
                p.name
            );
            if p.required {
                fields.push(quote!(#[doc = #pdoc] pub #field: #ty,));
            } else {
                fields.push(quote!(#[doc = #pdoc] pub #field: ::std::option::Option<#ty>,));
            }
        }
        match &self.body {
            Body::None => {}
            Body::Json { ty, doc } => {
                let doc = format!("The JSON body. {}", doc.trim());
                fields.push(quote!(#[doc = #doc] pub body: #ty,));
            }
            Body::Multipart(parts) => {
                for (part, field, _) in parts {
                    let doc = format!("The file sent as the multipart part `{part}`.");
                    fields.push(quote!(#[doc = #doc] pub #field: crate::UploadFile,));
                }
            }
        }

        // Constructor.
        let args = self.constructor_args();
        let arg_decls = args.iter().map(|(n, t, _)| quote!(#n: #t));
        let arg_names: Vec<_> = args.iter().map(|(n, _, _)| n.clone()).collect();
        let arg_inits = args.iter().map(|(n, _, init)| quote!(#n: #init));
        let optional_inits = self.params.iter().filter(|p| !p.required).map(|p| {
            let f = &p.field;
            quote!(#f: ::std::option::Option::None)
        });
        let arg_decls_again: Vec<_> = args.iter().map(|(n, t, _)| quote!(#n: #t)).collect();

        // Setters for optional parameters (on the operation and on a call).
        let mut setters = Vec::new();
        let mut call_setters = Vec::new();
        for p in self.params.iter().filter(|p| !p.required) {
            let field = &p.field;
            let ty = &p.ty;
            let sdoc = format!(
                "Sets {} ({} `{}`).",
                lowercase_first(p.doc.trim()),
                location_name(p.location),
                p.name
            );
            let (arg_ty, value) = if p.is_string {
                (quote!(impl ::std::convert::Into<#ty>), quote!(value.into()))
            } else {
                (quote!(#ty), quote!(value))
            };
            setters.push(quote! {
                #[doc = #sdoc]
                pub fn #field(mut self, value: #arg_ty) -> Self {
                    self.#field = ::std::option::Option::Some(#value);
                    self
                }
            });
            call_setters.push(quote! {
                #[doc = #sdoc]
                pub fn #field(mut self, value: #arg_ty) -> Self {
                    self.operation = self.operation.#field(value);
                    self
                }
            });
        }

        // build(): validation, then path, headers, query, body.
        let checks: Vec<_> = self.params.iter().filter_map(Param::check).collect();
        let (path_format, path_args) = path_template(&self.path, &self.params);
        let path_expr = if path_args.is_empty() {
            quote!(::std::string::String::from(#path_format))
        } else {
            quote!(format!(#path_format, #(#path_args),*))
        };
        let mut adds = Vec::new();
        for p in self.params.iter().filter(|p| p.location != Location::Path) {
            let field = &p.field;
            let name = &p.name;
            let add = match p.location {
                Location::Query => quote!(parts.query(#name, value);),
                Location::Header => {
                    let header = p.name.to_ascii_lowercase();
                    quote!(parts.header(#header, value)?;)
                }
                Location::Path => quote!(),
            };
            if p.required {
                adds.push(quote!({ let value = &self.#field; #add }));
            } else {
                adds.push(
                    quote!(if let ::std::option::Option::Some(value) = &self.#field { #add }),
                );
            }
        }
        let body_add = match &self.body {
            Body::None => quote!(),
            Body::Json { .. } => quote!(parts.json_body(&self.body)?;),
            Body::Multipart(parts) => {
                let entries = parts
                    .iter()
                    .map(|(part, field, ct)| quote!((#part, &self.#field, #ct)));
                quote!(parts.multipart_body(&[#(#entries),*])?;)
            }
        };

        let output = &self.output;
        let (output_ty, decoder) = if self.raw {
            (
                quote!(crate::Raw<#output>),
                quote!(crate::decode_raw(response)),
            )
        } else {
            (quote!(#output), quote!(crate::decode_json(response)))
        };

        let paginated = self.paginated.as_ref().map(|(item, property)| {
            quote! {
                impl crate::Paginated for #name {
                    type Item = #item;
                    const MAX_PAGE: u32 = 100;
                    fn skip(&self) -> ::std::option::Option<u32> { self.skip }
                    fn set_skip(&mut self, skip: u32) { self.skip = ::std::option::Option::Some(skip); }
                    fn limit(&self) -> ::std::option::Option<u32> { self.limit }
                    fn set_limit(&mut self, limit: u32) { self.limit = ::std::option::Option::Some(limit); }
                    fn items(output: Self::Output) -> ::std::vec::Vec<Self::Item> { output.#property }
                }
            }
        });

        let default_impl = args.is_empty().then(|| {
            quote! {
                impl ::std::default::Default for #name {
                    fn default() -> Self {
                        Self::new()
                    }
                }
            }
        });
        let new_doc = format!("A `{}` call with its required inputs.", self.id);
        let client_doc =
            format!("{doc}\n\nReturns a [`crate::Call`]: set optional parameters, then `.send()`.");

        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq)]
            pub struct #name {
                #(#fields)*
            }

            impl #name {
                #[doc = #new_doc]
                pub fn new(#(#arg_decls),*) -> Self {
                    #name {
                        #(#arg_inits,)*
                        #(#optional_inits,)*
                    }
                }
                #(#setters)*
            }

            impl crate::Operation for #name {
                type Output = #output_ty;
                const ID: &'static str = #id;

                fn method(&self) -> ::http::Method {
                    ::http::Method::#method_ident
                }

                fn build(&self, config: &crate::Config) -> ::std::result::Result<::http::Request<::std::vec::Vec<u8>>, crate::Error> {
                    #(#checks)*
                    let path = #path_expr;
                    let mut parts = crate::RequestParts::new(config, ::http::Method::#method_ident, &path)?;
                    #(#adds)*
                    #body_add
                    parts.finish()
                }

                fn decode(response: ::http::Response<::std::vec::Vec<u8>>) -> ::std::result::Result<Self::Output, crate::Error> {
                    #decoder
                }
            }

            #paginated

            #default_impl

            impl<'c, C> crate::Call<'c, C, #name> {
                #(#call_setters)*
            }

            impl<T: crate::AsyncTransport> crate::AsyncClient<T> {
                #[doc = #client_doc]
                pub fn #client_method(&self, #(#arg_decls_again),*) -> crate::Call<'_, Self, #name> {
                    crate::Call::new(self, #name::new(#(#arg_names),*))
                }
            }

            impl<T: crate::BlockingTransport> crate::BlockingClient<T> {
                #[doc = #client_doc]
                pub fn #client_method(&self, #(#arg_decls_again),*) -> crate::Call<'_, Self, #name> {
                    crate::Call::new(self, #name::new(#(#arg_names),*))
                }
            }
        }
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !chars.clone().next().is_some_and(|c| c.is_uppercase()) => {
            first.to_lowercase().chain(chars).collect()
        }
        Some(first) => std::iter::once(first).chain(chars).collect(),
        None => String::new(),
    }
}

fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    }
}

/// `/webhooks/{webhook_uid}/export` → (`"/webhooks/{}/export"`, [escaped uid]).
fn path_template(path: &str, params: &[Param]) -> (String, Vec<TokenStream>) {
    let mut format = String::new();
    let mut args = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        format.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + len];
        if let Some(p) = params
            .iter()
            .find(|p| p.name == name && p.location == Location::Path)
        {
            let field = &p.field;
            args.push(quote!(crate::encode_path_segment(&crate::ToParam::to_param(&self.#field))));
        }
        format.push_str("{}");
        rest = &rest[start + len + 1..];
    }
    format.push_str(rest);
    (format, args)
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
                        (quote!(::chrono::DateTime<::chrono::Utc>), false)
                    }
                    _ => (quote!(::std::string::String), true),
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
