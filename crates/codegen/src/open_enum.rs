//! Open enums: string enums that keep values this version does not know.

use heck::ToUpperCamelCase;
use openapiv3::{Schema, SchemaKind, StringType, Type};
use proc_macro2::TokenStream;
use quote::quote;

use crate::CodegenError;

/// The values of a string enum schema, if it is one.
pub(crate) fn string_enum(schema: &Schema) -> Option<Vec<String>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(StringType { enumeration, .. }))
            if !enumeration.is_empty() =>
        {
            Some(enumeration.iter().flatten().cloned().collect())
        }
        _ => None,
    }
}

pub(crate) struct OpenEnum {
    name: syn::Ident,
    doc: String,
    variants: Vec<(syn::Ident, String)>,
}

impl OpenEnum {
    pub(crate) fn new(
        name: &str,
        description: Option<&str>,
        values: Vec<String>,
    ) -> Result<Self, CodegenError> {
        let place = format!("components.schemas.{name}");
        let name = syn::parse_str::<syn::Ident>(name)
            .map_err(|_| CodegenError::invalid(&place, "the name is not a Rust identifier"))?;
        let mut variants: Vec<(syn::Ident, String)> = Vec::new();
        for value in values {
            let ident = value.to_upper_camel_case();
            let ident = syn::parse_str::<syn::Ident>(&ident).map_err(|_| {
                CodegenError::invalid(
                    &place,
                    format!("enum value `{value}` gives no Rust identifier"),
                )
            })?;
            if ident == "Unknown" || variants.iter().any(|(v, _)| *v == ident) {
                return Err(CodegenError::invalid(
                    &place,
                    format!("enum value `{value}` clashes with another variant"),
                ));
            }
            variants.push((ident, value));
        }
        Ok(OpenEnum {
            name,
            doc: description.unwrap_or("").trim().to_string(),
            variants,
        })
    }

    pub(crate) fn tokens(&self) -> TokenStream {
        let name = &self.name;
        let doc = format!(
            "{}\n\nAn open enum: a value this version does not know decodes as `Unknown` and encodes back unchanged.",
            self.doc
        );
        let idents: Vec<_> = self.variants.iter().map(|(i, _)| i).collect();
        let values: Vec<_> = self.variants.iter().map(|(_, v)| v).collect();
        let variant_docs: Vec<_> = values.iter().map(|v| format!("`{v}`")).collect();
        let name_str = name.to_string();
        let expecting = format!("a {name_str} string");
        quote! {
            #[doc = #doc]
            #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum #name {
                #(
                    #[doc = #variant_docs]
                    #idents,
                )*
                /// A value this version does not know, kept as sent.
                Unknown(::std::string::String),
            }

            impl #name {
                /// Every value this version knows.
                pub const KNOWN: &'static [#name] = &[#(#name::#idents),*];

                /// The value as the API spells it.
                pub fn as_str(&self) -> &str {
                    match self {
                        #( #name::#idents => #values, )*
                        #name::Unknown(value) => value.as_str(),
                    }
                }

                /// Whether this version knows the value.
                pub fn is_known(&self) -> bool {
                    !matches!(self, #name::Unknown(_))
                }
            }

            impl ::std::convert::From<&str> for #name {
                fn from(value: &str) -> Self {
                    match value {
                        #( #values => #name::#idents, )*
                        other => #name::Unknown(other.to_string()),
                    }
                }
            }

            impl ::std::convert::From<::std::string::String> for #name {
                fn from(value: ::std::string::String) -> Self {
                    match value.as_str() {
                        #( #values => #name::#idents, )*
                        _ => #name::Unknown(value),
                    }
                }
            }

            impl ::std::str::FromStr for #name {
                type Err = ::std::convert::Infallible;
                fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                    Ok(#name::from(value))
                }
            }

            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    struct Visitor;
                    impl<'de> ::serde::de::Visitor<'de> for Visitor {
                        type Value = #name;
                        fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                            f.write_str(#expecting)
                        }
                        fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<#name, E> {
                            Ok(#name::from(value))
                        }
                        fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<#name, E> {
                            Ok(#name::from(value))
                        }
                    }
                    deserializer.deserialize_str(Visitor)
                }
            }
        }
    }
}
