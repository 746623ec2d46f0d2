//! Model types from `components.schemas`, through typify's type space.

use openapiv3::{OpenAPI, ReferenceOr, Schema};
use proc_macro2::TokenStream;
use quote::quote;
use typify_impl::{TypeSpace, TypeSpaceSettings};

use crate::CodegenError;
use crate::open_enum::{OpenEnum, string_enum};

/// Schema extension naming a hand-written Rust type to use instead of a
/// generated one, e.g. `x-cs-rust-type: crate::Secret` on the `Secret` schema.
/// The hand-written type must (de)serialize as the schema says.
pub const RUST_TYPE_EXTENSION: &str = "x-cs-rust-type";

/// Emits the model types for every schema in `components.schemas`.
///
/// - A schema with [`RUST_TYPE_EXTENSION`] is not generated: references to it
///   use the named hand-written type (secrets, channels).
/// - A string enum becomes an open enum with an `Unknown(String)` variant, so
///   a value the API adds later still decodes (a closed enum would fail the
///   whole response).
/// - Everything else goes through typify's type space, with a builder per
///   struct (`Destination::builder().target_url(..)`). Only the schemas are
///   given to typify (as JSON Schema): multipart bodies and operations are
///   the operations emitter's.
/// - An optional field is left out of the JSON when it has no value, except
///   where the spec says the API writes it anyway: a field that admits `null`
///   writes `None` as `null`, and a field marked
///   [`KEEP_EMPTY_EXTENSION`](crate::KEEP_EMPTY_EXTENSION) writes an empty
///   list or map (see the `presence` module).
pub fn types(spec: &OpenAPI) -> Result<TokenStream, CodegenError> {
    // Inline schemas of bodies, responses and parameters become named types.
    let spec = &crate::normalize::normalize(spec)?;
    let mut settings = TypeSpaceSettings::default();
    settings
        .with_type_mod("types")
        .with_struct_builder(true)
        .with_derive("PartialEq".to_string());
    let mut open_enums = Vec::new();
    let schemas = spec
        .components
        .as_ref()
        .map(|c| c.schemas.iter().collect::<Vec<_>>())
        .unwrap_or_default();
    for (name, schema) in schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        if let Some(rust_type) = rust_type_extension(name, schema)? {
            settings.with_replacement(name, rust_type, std::iter::empty());
        } else if let Some(values) = string_enum(schema) {
            let open = OpenEnum::new(name, schema.schema_data.description.as_deref(), values)?;
            // An absolute path: typify also refers to it from its `builder` module.
            settings.with_replacement(name, format!("crate::types::{name}"), std::iter::empty());
            open_enums.push(open);
        }
    }

    let mut type_space = TypeSpace::new(&settings);
    let schemas = spec.components.iter().flat_map(|c| c.schemas.iter());
    let schemas = schemas
        .map(|(name, schema)| {
            Ok((
                name.clone(),
                crate::json_schema::to_json_schema(name, schema)?,
            ))
        })
        .collect::<Result<Vec<_>, CodegenError>>()?;
    type_space
        .add_ref_types(schemas)
        .map_err(|e| CodegenError::TypeGeneration {
            file: None,
            message: format!("type error {e}"),
        })?;
    let generated = crate::presence::apply(spec, type_space.to_stream())?;
    let generated = crate::docs::fill_missing(generated)?;
    let open_enums = open_enums.iter().map(OpenEnum::tokens);
    Ok(quote! {
        #generated
        #(#open_enums)*
    })
}

fn rust_type_extension(name: &str, schema: &Schema) -> Result<Option<String>, CodegenError> {
    let Some(value) = schema.schema_data.extensions.get(RUST_TYPE_EXTENSION) else {
        return Ok(None);
    };
    let place = format!("components.schemas.{name}.{RUST_TYPE_EXTENSION}");
    let path = value
        .as_str()
        .ok_or_else(|| CodegenError::invalid(&place, "must be a Rust type path (a string)"))?;
    syn::parse_str::<syn::Path>(path)
        .map_err(|e| CodegenError::invalid(&place, format!("`{path}` is not a Rust path: {e}")))?;
    Ok(Some(path.to_string()))
}
