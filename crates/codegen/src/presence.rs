//! Which optional fields are written when they hold no value.
//!
//! typify omits every `None` and every empty list or map when it serializes
//! an optional property. The API is not that uniform, so the spec decides per
//! property, and this module rewrites the generated structs to match:
//!
//! - A property whose schema admits `null` (by OpenAPI 3.0.3 rules: `nullable:
//!   true` beside a `type`, a `oneOf`/`anyOf` with a branch that admits null,
//!   or no type constraint at all) is one the API sends as `null` when it has
//!   no value, e.g. an execution's `status` after a network error. Its `None`
//!   is written as `null`.
//! - A property marked [`KEEP_EMPTY_EXTENSION`] (an array or an object) is one
//!   the API sends even when empty, e.g. the reserved `destination: {}`; an
//!   empty list or map is written, not left out.
//! - Every other optional property is left out when `None` or empty.
//!
//! Decoding is unchanged: a missing field and `null` both read as `None`.

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::punctuated::Punctuated;

use crate::CodegenError;
use crate::types::RUST_TYPE_EXTENSION;

/// Property extension: `x-cs-keep-empty: true` on an optional array or
/// object property writes it even when empty (`[]`, `{}`), because the API
/// sends it that way or reads its absence differently.
pub const KEEP_EMPTY_EXTENSION: &str = "x-cs-keep-empty";

/// How deep `$ref`/`oneOf`/`allOf` nesting is followed when deciding whether a
/// schema admits null (a cycle that deep is read as "no").
const MAX_NULL_DEPTH: usize = 32;

/// Why a property is always written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Always {
    /// `None` is written as `null`.
    Null,
    /// An empty list or map is written.
    Empty,
}

/// Rewrites the serde attributes of the generated structs so that the
/// properties the spec asks for are written even without a value.
pub(crate) fn apply(spec: &OpenAPI, generated: TokenStream) -> Result<TokenStream, CodegenError> {
    let wanted = always_written(spec)?;
    if wanted.is_empty() {
        return Ok(generated);
    }
    let mut file: syn::File = syn::parse2(generated).map_err(|e| CodegenError::Syntax {
        message: e.to_string(),
    })?;
    let mut done = Vec::new();
    for item in &mut file.items {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        let schema = item.ident.to_string();
        for field in &mut item.fields {
            let Some(property) = wire_name(field) else {
                continue;
            };
            let key = (schema.clone(), property);
            if wanted.contains_key(&key) {
                drop_skip_serializing_if(field)?;
                done.push(key);
            }
        }
    }
    if let Some(((schema, property), _)) = wanted.iter().find(|(key, _)| !done.contains(key)) {
        return Err(CodegenError::invalid(
            format!("components.schemas.{schema}.properties.{property}"),
            "no generated field found to write when empty or null",
        ));
    }
    Ok(file.into_token_stream())
}

/// `(schema, property)` of every optional property that is always written.
fn always_written(spec: &OpenAPI) -> Result<BTreeMap<(String, String), Always>, CodegenError> {
    let mut wanted = BTreeMap::new();
    let Some(components) = &spec.components else {
        return Ok(wanted);
    };
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        if schema
            .schema_data
            .extensions
            .contains_key(RUST_TYPE_EXTENSION)
        {
            continue;
        }
        let (properties, required) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => (&o.properties, &o.required),
            SchemaKind::Any(a) => (&a.properties, &a.required),
            _ => continue,
        };
        for (property, property_schema) in properties {
            let place = format!("components.schemas.{name}.properties.{property}");
            let keep_empty = keep_empty(property_schema, &place)?;
            if required.contains(property) {
                if keep_empty {
                    return Err(CodegenError::invalid(
                        place,
                        format!(
                            "{KEEP_EMPTY_EXTENSION} is for optional properties (a required one is always written)"
                        ),
                    ));
                }
                continue;
            }
            let always = if admits_null(spec, &property_schema.clone().unbox(), 0) {
                Some(Always::Null)
            } else if keep_empty {
                Some(Always::Empty)
            } else {
                None
            };
            if let Some(always) = always {
                wanted.insert((name.clone(), property.clone()), always);
            }
        }
    }
    Ok(wanted)
}

/// Whether the property carries `x-cs-keep-empty: true` (checked: only on an
/// inline array or object schema).
fn keep_empty(schema: &ReferenceOr<Box<Schema>>, place: &str) -> Result<bool, CodegenError> {
    let ReferenceOr::Item(schema) = schema else {
        return Ok(false);
    };
    let Some(value) = schema.schema_data.extensions.get(KEEP_EMPTY_EXTENSION) else {
        return Ok(false);
    };
    let place = format!("{place}.{KEEP_EMPTY_EXTENSION}");
    let on = value
        .as_bool()
        .ok_or_else(|| CodegenError::invalid(&place, "must be true or false"))?;
    let collection = match &schema.schema_kind {
        SchemaKind::Type(Type::Array(_) | Type::Object(_)) => true,
        SchemaKind::Any(a) => matches!(a.typ.as_deref(), Some("array" | "object")),
        _ => false,
    };
    if on && !collection {
        return Err(CodegenError::invalid(
            place,
            "only an array or object property can be kept when empty",
        ));
    }
    Ok(on)
}

/// Whether `null` is a valid value of `schema` under OpenAPI 3.0.3:
/// `nullable` counts only beside a `type`; an untyped schema admits null
/// unless its `enum` or `allOf` parts rule it out.
pub(crate) fn admits_null(spec: &OpenAPI, schema: &ReferenceOr<Schema>, depth: usize) -> bool {
    if depth > MAX_NULL_DEPTH {
        return false;
    }
    let schema = match schema {
        ReferenceOr::Item(schema) => schema,
        ReferenceOr::Reference { reference } => {
            let target = reference
                .strip_prefix("#/components/schemas/")
                .and_then(|name| spec.components.as_ref()?.schemas.get(name));
            return target.is_some_and(|t| admits_null(spec, t, depth + 1));
        }
    };
    let all = |list: &[ReferenceOr<Schema>]| list.iter().all(|s| admits_null(spec, s, depth + 1));
    let any = |list: &[ReferenceOr<Schema>]| list.iter().any(|s| admits_null(spec, s, depth + 1));
    // openapiv3 reads a typed `enum`'s null as `None`.
    fn enum_allows_null<T>(values: &[Option<T>]) -> bool {
        values.is_empty() || values.iter().any(Option::is_none)
    }
    let nullable = schema.schema_data.nullable;
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => nullable && enum_allows_null(&s.enumeration),
        SchemaKind::Type(Type::Integer(i)) => nullable && enum_allows_null(&i.enumeration),
        SchemaKind::Type(Type::Number(n)) => nullable && enum_allows_null(&n.enumeration),
        SchemaKind::Type(Type::Boolean(b)) => nullable && enum_allows_null(&b.enumeration),
        SchemaKind::Type(Type::Object(_) | Type::Array(_)) => nullable,
        SchemaKind::OneOf { one_of } => any(one_of),
        SchemaKind::AnyOf { any_of } => any(any_of),
        SchemaKind::AllOf { all_of } => all(all_of),
        SchemaKind::Not { .. } => false,
        SchemaKind::Any(a) => {
            let by_type = a.typ.is_none() || nullable;
            let by_enum =
                a.enumeration.is_empty() || a.enumeration.iter().any(serde_json::Value::is_null);
            by_type
                && by_enum
                && all(&a.all_of)
                && (a.one_of.is_empty() || any(&a.one_of))
                && (a.any_of.is_empty() || any(&a.any_of))
                && a.not.is_none()
        }
    }
}

/// The JSON name of a generated field: its serde `rename`, else its name.
fn wire_name(field: &syn::Field) -> Option<String> {
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let Ok(metas) = serde_metas(attr) else {
            continue;
        };
        for meta in metas {
            if let syn::Meta::NameValue(nv) = meta
                && nv.path.is_ident("rename")
                && let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
            {
                return Some(s.value());
            }
        }
    }
    let ident = field.ident.as_ref()?.to_string();
    Some(ident.strip_prefix("r#").unwrap_or(&ident).to_string())
}

fn serde_metas(attr: &syn::Attribute) -> syn::Result<Punctuated<syn::Meta, syn::Token![,]>> {
    attr.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
}

/// Removes `skip_serializing_if` from the field's serde attributes (and an
/// attribute left empty by that).
fn drop_skip_serializing_if(field: &mut syn::Field) -> Result<(), CodegenError> {
    let mut attrs = Vec::with_capacity(field.attrs.len());
    for attr in field.attrs.drain(..) {
        if !attr.path().is_ident("serde") {
            attrs.push(attr);
            continue;
        }
        let metas = serde_metas(&attr).map_err(|e| CodegenError::Syntax {
            message: e.to_string(),
        })?;
        let kept: Vec<syn::Meta> = metas
            .into_iter()
            .filter(|m| !m.path().is_ident("skip_serializing_if"))
            .collect();
        if !kept.is_empty() {
            attrs.push(syn::parse_quote!(#[serde(#(#kept),*)]));
        }
    }
    field.attrs = attrs;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(schemas: &str) -> OpenAPI {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
        );
        match crate::parse_spec(&text) {
            Ok(spec) => spec,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn null_follows_oas_3_0_3() {
        let s = spec(
            "    H: {type: object}\n\
             \x20   T:\n\
             \x20     type: object\n\
             \x20     properties:\n\
             \x20       typed: {type: integer, nullable: true}\n\
             \x20       plain: {type: integer}\n\
             \x20       untyped: {description: anything}\n\
             \x20       all_of: {nullable: true, allOf: [{$ref: '#/components/schemas/H'}]}\n\
             \x20       one_of: {oneOf: [{$ref: '#/components/schemas/H'}, {enum: [null]}]}\n\
             \x20       enum_without_null: {type: string, nullable: true, enum: [a]}\n\
             \x20       list: {type: array, items: {type: string}, x-cs-keep-empty: true}\n\
             \x20       map: {type: object, additionalProperties: true}\n",
        );
        let wanted = always_written(&s).expect("valid");
        let get = |p: &str| wanted.get(&("T".to_string(), p.to_string())).copied();
        assert_eq!(get("typed"), Some(Always::Null));
        assert_eq!(get("untyped"), Some(Always::Null));
        assert_eq!(get("one_of"), Some(Always::Null));
        assert_eq!(get("list"), Some(Always::Empty));
        for never in ["plain", "all_of", "enum_without_null", "map"] {
            assert_eq!(get(never), None, "{never}");
        }
    }

    #[test]
    fn keep_empty_is_only_for_optional_collections() {
        let on_string =
            spec("    T: {type: object, properties: {a: {type: string, x-cs-keep-empty: true}}}\n");
        let e = always_written(&on_string).expect_err("a string cannot be empty-kept");
        assert!(
            e.to_string().contains("components.schemas.T.properties.a"),
            "{e}"
        );
        let required = spec(
            "    T: {type: object, required: [a], properties: {a: {type: array, x-cs-keep-empty: true}}}\n",
        );
        assert!(always_written(&required).is_err());
        let not_bool = spec(
            "    T: {type: object, properties: {a: {type: array, x-cs-keep-empty: yes please}}}\n",
        );
        assert!(always_written(&not_bool).is_err());
    }

    #[test]
    fn only_skip_serializing_if_is_dropped() {
        let mut field: syn::Field = syn::parse_quote! {
            #[doc = "x"]
            #[serde(rename = "statusCode", default, skip_serializing_if = "Option::is_none")]
            pub status_code: Option<u16>
        };
        assert_eq!(wire_name(&field).as_deref(), Some("statusCode"));
        drop_skip_serializing_if(&mut field).expect("parses");
        let text = field.to_token_stream().to_string();
        assert!(text.contains("rename = \"statusCode\" , default"), "{text}");
        assert!(!text.contains("skip_serializing_if"), "{text}");
        assert!(text.contains("doc"), "{text}");
        let mut bare: syn::Field = syn::parse_quote! {
            #[serde(skip_serializing_if = "Option::is_none")]
            pub code: Option<String>
        };
        drop_skip_serializing_if(&mut bare).expect("parses");
        assert!(bare.attrs.is_empty());
    }
}
