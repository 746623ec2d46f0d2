//! Writes checked operations as Rust: what `crates/api` includes as its
//! `operations` module. The output should read like hand-written code: names
//! imported once at the top, plain prelude types, one doc line per line.

use heck::ToSnakeCase;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::read::{Body, Decode, ListStyle, Location, OperationSpec, Pagination, Param};

/// The whole generated file: imports, then each operation, then the client
/// methods (one `impl` block per client, so rustdoc lists them together).
pub(super) fn file(operations: &[OperationSpec]) -> TokenStream {
    let items = operations.iter().map(operation);
    let blocking = operations
        .iter()
        .map(|op| client_method(op, Flavor::Blocking));
    let asynchronous = operations.iter().map(|op| client_method(op, Flavor::Async));
    let imports = imports(operations);
    let table = operation_table(operations);
    let enum_params = enum_param_impls(operations);
    quote! {
        #imports

        #(#enum_params)*

        #(#items)*

        #table

        impl<T: AsyncTransport> AsyncClient<T> {
            #(#asynchronous)*
        }

        impl<T: BlockingTransport> BlockingClient<T> {
            #(#blocking)*
        }
    }
}

/// `ToParam` for each model enum a parameter takes (its wire value).
fn enum_param_impls(operations: &[OperationSpec]) -> Vec<TokenStream> {
    let names: std::collections::BTreeSet<&str> = operations
        .iter()
        .flat_map(|op| &op.params)
        .filter_map(|p| p.enum_type.as_deref())
        .collect();
    names
        .into_iter()
        .map(|name| {
            let ty = format_ident!("{}", name);
            quote! {
                impl ToParam for model::#ty {
                    fn to_param(&self) -> std::borrow::Cow<'_, str> {
                        std::borrow::Cow::Borrowed(self.as_str())
                    }
                }
            }
        })
        .collect()
}

/// `use` lines for exactly what the file uses (no unused-import warnings).
fn imports(operations: &[OperationSpec]) -> TokenStream {
    let mut names = vec![
        "AsyncClient",
        "AsyncTransport",
        "BlockingClient",
        "BlockingTransport",
        "BodyInfo",
        "Call",
        "Config",
        "OperationInfo",
        "ParamInfo",
        "ParamKind",
        "ParamLocation",
        "Error",
        "Operation",
        "RequestParts",
    ];
    let any = |f: &dyn Fn(&OperationSpec) -> bool| operations.iter().any(f);
    if any(&|op| op.paginated.is_some()) {
        names.push("Paginated");
    }
    if any(&|op| op.raw) {
        names.extend(["Raw", "decode_raw"]);
    }
    if any(&|op| !op.raw) {
        names.push("decode_json");
    }
    if any(&|op| {
        op.params
            .iter()
            .any(|p| p.list.is_some() || p.enum_type.is_some())
    }) {
        names.push("ToParam");
    }
    if any(&|op| matches!(op.body, Body::Multipart(_))) {
        names.push("UploadFile");
    }
    names.sort_by_key(|name| (name.starts_with(char::is_lowercase), *name));
    let names = names.iter().map(|name| format_ident!("{}", name));
    quote! {
        use cs_webhooks_model as model;
        use http::Method;

        use crate::{#(#names),*};
    }
}

/// `#[doc]` attributes, one per line, each with the leading space rustdoc
/// and prettyplease expect (`/// text`).
fn doc(text: &str) -> TokenStream {
    let lines = text.trim().lines().map(|line| {
        let line = line.trim_end();
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote!(#(#[doc = #lines])*)
}

fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    }
}

/// One operation: its request type, constructor and setters, `Operation`
/// and `Paginated` impls, and the setters on `Call`.
fn operation(op: &OperationSpec) -> TokenStream {
    let name = &op.type_name;
    let type_doc = doc(&op.doc());
    let fields = fields(op);
    let args = op.constructor_args();
    let arg_decls = args.iter().map(|(n, t, _)| quote!(#n: #t));
    let arg_inits = args.iter().map(|(n, _, init)| {
        if *n == init.to_string() {
            quote!(#n)
        } else {
            quote!(#n: #init)
        }
    });
    let optional_inits = op.params.iter().filter(|p| !p.required).map(|p| {
        let field = &p.field;
        quote!(#field: None)
    });
    let new_doc = doc(&if args.is_empty() {
        format!("A [`{name}`] with no optional parameter set.")
    } else {
        format!("A [`{name}`] with its required inputs; optional ones have setters.")
    });
    let (setters, call_setters): (Vec<_>, Vec<_>) =
        op.params.iter().filter(|p| !p.required).map(setter).unzip();
    let default_impl = args.is_empty().then(|| {
        quote! {
            impl Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    let operation_impl = operation_impl(op);
    let paginated = op.paginated.as_ref().map(|p| paginated_impl(name, p));
    quote! {
        #type_doc
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            #new_doc
            pub fn new(#(#arg_decls),*) -> Self {
                #name {
                    #(#arg_inits,)*
                    #(#optional_inits,)*
                }
            }

            #(#setters)*
        }

        #default_impl

        #operation_impl

        #paginated

        impl<C> Call<'_, C, #name> {
            #(#call_setters)*
        }
    }
}

fn fields(op: &OperationSpec) -> Vec<TokenStream> {
    let mut fields = Vec::new();
    for p in &op.params {
        let field = &p.field;
        let ty = &p.ty;
        let field_doc = doc(&format!(
            "{}\n\nSent as the `{}` {} parameter.",
            p.doc.trim(),
            p.name,
            location_name(p.location)
        ));
        let ty = if p.required {
            quote!(#ty)
        } else {
            quote!(Option<#ty>)
        };
        fields.push(quote!(#field_doc pub #field: #ty,));
    }
    match &op.body {
        Body::None => {}
        Body::Json { ty, doc: body_doc } => {
            let body_doc = doc(&format!("The JSON body.\n\n{}", body_doc.trim()));
            fields.push(quote!(#body_doc pub body: #ty,));
        }
        Body::Multipart(parts) => {
            for (part, field, _) in parts {
                let part_doc = doc(&format!("The file sent as the multipart part `{part}`."));
                fields.push(quote!(#part_doc pub #field: UploadFile,));
            }
        }
        Body::Text { doc: body_doc } => {
            let body_doc = doc(&format!("The text body.\n\n{}", body_doc.trim()));
            fields.push(quote!(#body_doc pub body: String,));
        }
        Body::Bytes {
            media_type,
            doc: body_doc,
        } => {
            let body_doc = doc(&format!(
                "The body, sent as `{media_type}`.\n\n{}",
                body_doc.trim()
            ));
            fields.push(quote!(#body_doc pub body: Vec<u8>,));
        }
    }
    fields
}

/// The setter of an optional parameter on the request type, and the same on `Call`.
fn setter(p: &Param) -> (TokenStream, TokenStream) {
    let field = &p.field;
    let ty = &p.ty;
    let setter_doc = doc(&format!(
        "Sets the `{}` {} parameter.\n\n{}",
        p.name,
        location_name(p.location),
        p.doc.trim()
    ));
    let (arg_ty, value) = if p.is_string {
        (quote!(impl Into<#ty>), quote!(value.into()))
    } else {
        (quote!(#ty), quote!(value))
    };
    let on_operation = quote! {
        #setter_doc
        pub fn #field(mut self, value: #arg_ty) -> Self {
            self.#field = Some(#value);
            self
        }
    };
    let on_call = quote! {
        #setter_doc
        pub fn #field(mut self, value: #arg_ty) -> Self {
            self.operation = self.operation.#field(value);
            self
        }
    };
    (on_operation, on_call)
}

/// The check the spec asks of a parameter (`minLength`, `minimum`,
/// `maximum`), done in `build` before anything is sent.
fn check(p: &Param) -> Option<TokenStream> {
    let field = &p.field;
    let name = &p.name;
    if let Some(min) = p.min_length.filter(|m| *m > 0) {
        let message = format!("`{name}` must be at least {min} character(s) long");
        let too_short = if min == 1 {
            quote!(value.is_empty())
        } else {
            quote!(value.chars().count() < #min)
        };
        return Some(if p.required {
            quote! {
                let value = &self.#field;
                if #too_short {
                    return Err(Error::invalid_request(#message));
                }
            }
        } else {
            quote! {
                if let Some(value) = &self.#field && #too_short {
                    return Err(Error::invalid_request(#message));
                }
            }
        });
    }
    // A minimum an unsigned type already guarantees is no check.
    let unsigned = p.ty.to_string().starts_with('u');
    let minimum = p.minimum.filter(|m| !(unsigned && *m <= 0));
    let lit = |n: i64| Literal::i64_unsuffixed(n);
    let (out_of_range, message) = match (minimum, p.maximum) {
        (Some(min), Some(max)) => {
            let (lo, hi) = (lit(min), lit(max));
            (
                quote!(!(#lo..=#hi).contains(&value)),
                format!("`{name}` must be between {min} and {max}, not {{value}}"),
            )
        }
        (Some(min), None) => {
            let lo = lit(min);
            (
                quote!(value < #lo),
                format!("`{name}` must be at least {min}, not {{value}}"),
            )
        }
        (None, Some(max)) => {
            let hi = lit(max);
            (
                quote!(value > #hi),
                format!("`{name}` must be at most {max}, not {{value}}"),
            )
        }
        (None, None) => return None,
    };
    Some(if p.required {
        quote! {
            let value = self.#field;
            if #out_of_range {
                return Err(Error::invalid_request(format!(#message)));
            }
        }
    } else {
        quote! {
            if let Some(value) = self.#field && #out_of_range {
                return Err(Error::invalid_request(format!(#message)));
            }
        }
    })
}

/// A parameter's value as wire text (`String`): items joined for a list,
/// `to_string()` for types `ToParam` does not cover.
fn param_text(p: &Param, value: TokenStream) -> TokenStream {
    let item = if p.display {
        quote!(item.to_string())
    } else {
        quote!(item.to_param())
    };
    match p.list {
        Some(ListStyle::Join(separator)) => {
            quote!(#value.iter().map(|item| #item).collect::<Vec<_>>().join(#separator))
        }
        // Repeated lists are written item by item by the caller.
        Some(ListStyle::Repeat) => {
            quote!(#value.iter().map(|item| #item).collect::<Vec<_>>().join(","))
        }
        None if p.display => quote!(#value.to_string()),
        None => quote!(#value.to_param()),
    }
}

/// The path's first literal text (the start of `RequestParts::new`), and
/// the statements appending the rest: each parameter percent-encoded
/// straight into the URL, with no string per segment.
fn path_expression(op: &OperationSpec) -> (String, Vec<TokenStream>) {
    let mut first = None::<String>;
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let flush =
        |literal: &mut String, first: &mut Option<String>, pieces: &mut Vec<TokenStream>| {
            if first.is_none() {
                *first = Some(std::mem::take(literal));
            } else if !literal.is_empty() {
                let text = std::mem::take(literal);
                pieces.push(quote!(parts.path_text(#text);));
            }
        };
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        literal.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let wire = &rest[start + 1..start + len];
        match op
            .params
            .iter()
            .find(|p| p.name == wire && p.location == Location::Path)
        {
            Some(p) => {
                flush(&mut literal, &mut first, &mut pieces);
                let field = &p.field;
                let value = if p.display || p.list.is_some() {
                    let text = param_text(p, quote!(self.#field));
                    quote!(&#text)
                } else {
                    quote!(&self.#field)
                };
                pieces.push(quote!(parts.path_param(#value);));
            }
            // The reader rejects paths naming undeclared parameters; keep the text.
            None => literal.push_str(&rest[start..start + len + 1]),
        }
        rest = &rest[start + len + 1..];
    }
    literal.push_str(rest);
    flush(&mut literal, &mut first, &mut pieces);
    (first.unwrap_or_default(), pieces)
}

fn operation_impl(op: &OperationSpec) -> TokenStream {
    let name = &op.type_name;
    let id = &op.id;
    let method = format_ident!("{}", op.method);
    let checks = op.params.iter().filter_map(check);
    let (path, path_pieces) = path_expression(op);
    let adds = op
        .params
        .iter()
        .filter(|p| p.location != Location::Path)
        .map(|p| {
            let field = &p.field;
            let wire = &p.name;
            // A type `ToParam` covers goes as is; others as text.
            let value = if p.display || p.list.is_some() {
                let text = param_text(p, quote!(value));
                quote!(&#text)
            } else {
                quote!(value)
            };
            let add = match p.location {
                Location::Query if p.list == Some(ListStyle::Repeat) => {
                    let item = if p.display {
                        quote!(&item.to_string())
                    } else {
                        quote!(item)
                    };
                    quote!(for item in value { parts.query(#wire, #item); })
                }
                Location::Query => quote!(parts.query(#wire, #value);),
                Location::Header => {
                    let header = p.name.to_ascii_lowercase();
                    quote!(parts.header(#header, #value)?;)
                }
                Location::Path => quote!(),
            };
            if p.required {
                quote!({ let value = &self.#field; #add })
            } else {
                quote!(if let Some(value) = &self.#field { #add })
            }
        });
    let body = match &op.body {
        Body::None => quote!(),
        Body::Json { .. } => quote!(parts.json_body(&self.body)?;),
        Body::Multipart(parts) => {
            let entries = parts
                .iter()
                .map(|(part, field, ct)| quote!((#part, &self.#field, #ct)));
            quote!(parts.multipart_body(&[#(#entries),*])?;)
        }
        // The bytes go as they are; the content type then replaces JSON's.
        Body::Text { .. } => quote! {
            parts.raw_json_body(self.body.clone().into_bytes())?;
            parts.header("content-type", "text/plain; charset=utf-8")?;
        },
        Body::Bytes { media_type, .. } => quote! {
            parts.raw_json_body(self.body.clone())?;
            parts.header("content-type", #media_type)?;
        },
    };
    let output = &op.output;
    // `decode_json` turns a failed response into `Error::Api` whatever the
    // type; for bodies that are not JSON it is called only on failures.
    let on_failure = quote! {
        if !response.status().is_success() {
            return decode_json::<serde::de::IgnoredAny>(response).map(|_| Default::default());
        }
    };
    let (output, decoder) = match op.decode {
        Decode::Json if op.raw => (quote!(Raw<#output>), quote!(decode_raw(response))),
        Decode::Json => (quote!(#output), quote!(decode_json(response))),
        Decode::OptionalJson => (
            quote!(#output),
            quote! {
                if response.status().is_success() && response.body().is_empty() {
                    return Ok(None);
                }
                decode_json(response).map(Some)
            },
        ),
        Decode::Empty => (quote!(#output), quote! { #on_failure Ok(()) }),
        Decode::Text => (
            quote!(#output),
            quote! { #on_failure Ok(String::from_utf8_lossy(response.body()).into_owned()) },
        ),
        Decode::Bytes => (
            quote!(#output),
            quote! { #on_failure Ok(response.into_body()) },
        ),
    };
    quote! {
        impl Operation for #name {
            type Output = #output;
            const ID: &'static str = #id;

            fn method(&self) -> Method {
                Method::#method
            }

            fn build(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
                #(#checks)*
                let mut parts = RequestParts::new(config, Method::#method, #path)?;
                #(#path_pieces)*
                #(#adds)*
                #body
                parts.finish()
            }

            fn decode(response: http::Response<Vec<u8>>) -> Result<Self::Output, Error> {
                #decoder
            }
        }
    }
}

fn paginated_impl(name: &syn::Ident, p: &Pagination) -> TokenStream {
    let item = &p.item;
    let property = &p.property;
    let max = Literal::u32_unsuffixed(p.max_page_size);
    let total_count = p.has_count.then(|| {
        quote! {
            fn total_count(output: &Self::Output) -> Option<u64> {
                crate::paging::count_to_u64(output.count)
            }
        }
    });
    quote! {
        impl Paginated for #name {
            type Item = #item;
            const MAX_PAGE_SIZE: u32 = #max;

            fn skip(&self) -> Option<u32> {
                self.skip
            }

            fn set_skip(&mut self, skip: u32) {
                self.skip = Some(skip);
            }

            fn limit(&self) -> Option<u32> {
                self.limit
            }

            fn set_limit(&mut self, limit: u32) {
                self.limit = Some(limit);
            }

            fn page_items(output: Self::Output) -> Vec<Self::Item> {
                output.#property
            }

            #total_count
        }
    }
}

#[derive(Clone, Copy)]
enum Flavor {
    Blocking,
    Async,
}

/// The client method of an operation: takes the required inputs, returns a `Call`.
fn client_method(op: &OperationSpec, flavor: Flavor) -> TokenStream {
    let name = &op.type_name;
    let method = format_ident!("{}", op.id.to_snake_case());
    let args = op.constructor_args();
    let arg_decls = args.iter().map(|(n, t, _)| quote!(#n: #t));
    let arg_names = args.iter().map(|(n, _, _)| n);
    let send = match flavor {
        Flavor::Blocking => "`.send()`",
        Flavor::Async => "`.send().await`",
    };
    let method_doc = doc(&format!(
        "{}\n\nSet optional parameters on the returned [`Call`], then {send}.",
        op.doc()
    ));
    quote! {
        #method_doc
        pub fn #method(&self, #(#arg_decls),*) -> Call<'_, Self, #name> {
            Call::new(self, #name::new(#(#arg_names),*))
        }
    }
}

/// `OPERATIONS`: every operation as data, for callers that pick one at run
/// time (`DynamicOperation`, the CLI's `api` command).
fn operation_table(operations: &[OperationSpec]) -> TokenStream {
    let entries = operations.iter().map(|op| {
        let id = &op.id;
        let method = &op.method;
        let path = &op.path;
        let summary = op.summary.trim();
        let params = op.params.iter().map(|p| {
            let name = match p.location {
                Location::Header => p.name.to_ascii_lowercase(),
                _ => p.name.clone(),
            };
            let location = format_ident!(
                "{}",
                match p.location {
                    Location::Path => "Path",
                    Location::Query => "Query",
                    Location::Header => "Header",
                }
            );
            let ty = p.ty.to_string();
            let kind = format_ident!(
                "{}",
                if ty == "bool" {
                    "Boolean"
                } else if ty.starts_with('u') || ty.starts_with('i') {
                    "Integer"
                } else if ty.contains("DateTime") {
                    "DateTime"
                } else {
                    "Text"
                }
            );
            let required = p.required;
            let bound = |b: Option<i64>| match b {
                Some(n) => {
                    let n = Literal::i64_unsuffixed(n);
                    quote!(Some(#n))
                }
                None => quote!(None),
            };
            let (minimum, maximum) = (bound(p.minimum), bound(p.maximum));
            let description = p.doc.trim();
            quote! {
                ParamInfo {
                    name: #name,
                    location: ParamLocation::#location,
                    required: #required,
                    kind: ParamKind::#kind,
                    minimum: #minimum,
                    maximum: #maximum,
                    description: #description,
                }
            }
        });
        let body = match &op.body {
            Body::None => quote!(BodyInfo::None),
            // The table has no text or bytes kind: those go as given.
            Body::Json { .. } | Body::Text { .. } | Body::Bytes { .. } => quote!(BodyInfo::Json),
            Body::Multipart(parts) => {
                let parts = parts.iter().map(|(part, _, ct)| quote!((#part, #ct)));
                quote!(BodyInfo::Files(&[#(#parts),*]))
            }
        };
        quote! {
            OperationInfo {
                id: #id,
                method: #method,
                path: #path,
                summary: #summary,
                params: &[#(#params),*],
                body: #body,
            }
        }
    });
    let table_doc = doc("Every operation of the spec as data, in spec order: what\n\
         [`DynamicOperation`](crate::DynamicOperation) builds requests from.");
    quote! {
        #table_doc
        pub const OPERATIONS: &[OperationInfo] = &[#(#entries),*];
    }
}
