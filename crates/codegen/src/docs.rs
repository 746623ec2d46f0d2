//! Doc comments for what typify generates without one (its builders, and
//! fields the spec describes only by name), so that the model crate keeps
//! `#![warn(missing_docs)]` with no exceptions. Existing docs are kept.

use proc_macro2::TokenStream;
use quote::ToTokens as _;

use crate::CodegenError;

/// Adds a doc comment to every public item of `generated` that has none.
pub(crate) fn fill_missing(generated: TokenStream) -> Result<TokenStream, CodegenError> {
    let mut file: syn::File = syn::parse2(generated).map_err(|e| CodegenError::Syntax {
        message: e.to_string(),
    })?;
    document_items(&mut file.items, Place::Types);
    Ok(file.into_token_stream())
}

/// Which module the items are in: the wording differs for builders.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Types,
    Builders,
    Other,
}

fn has_doc(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("doc"))
}

fn add_doc(attrs: &mut Vec<syn::Attribute>, text: &str) {
    if !has_doc(attrs) {
        let text = format!(" {text}");
        attrs.insert(0, syn::parse_quote!(#[doc = #text]));
    }
}

fn is_public(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

/// The JSON name of a field: its `#[serde(rename = "...")]`, else its name.
fn wire_name(field: &syn::Field) -> String {
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let mut renamed = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                renamed = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _ = meta.parse_nested_meta(|_| Ok(()));
            }
            Ok(())
        });
        if let Some(name) = renamed {
            return name;
        }
    }
    field
        .ident
        .as_ref()
        .map(|i| i.to_string().trim_start_matches("r#").to_string())
        .unwrap_or_default()
}

fn document_items(items: &mut [syn::Item], place: Place) {
    for item in items {
        match item {
            syn::Item::Struct(s) if is_public(&s.vis) => {
                let name = s.ident.to_string();
                match place {
                    Place::Builders => add_doc(
                        &mut s.attrs,
                        &format!(
                            "Builds a [`{name}`](super::{name}) field by field; `try_into()` checks that the required ones are set."
                        ),
                    ),
                    _ => add_doc(&mut s.attrs, &format!("The `{name}` object of the API.")),
                }
                for field in s.fields.iter_mut().filter(|f| is_public(&f.vis)) {
                    let wire = wire_name(field);
                    add_doc(&mut field.attrs, &format!("The `{wire}` property."));
                }
            }
            syn::Item::Enum(e) if is_public(&e.vis) => {
                let name = e.ident.to_string();
                add_doc(&mut e.attrs, &format!("The `{name}` value of the API."));
                for variant in &mut e.variants {
                    let v = variant.ident.to_string();
                    add_doc(&mut variant.attrs, &format!("`{v}`."));
                }
            }
            syn::Item::Impl(imp) if imp.trait_.is_none() => {
                for member in &mut imp.items {
                    let syn::ImplItem::Fn(f) = member else {
                        continue;
                    };
                    if !is_public(&f.vis) {
                        continue;
                    }
                    let name = f.sig.ident.to_string();
                    let text = if name == "builder" {
                        "A builder of this type (see the `builder` module).".to_string()
                    } else if place == Place::Builders {
                        format!("Sets `{name}`.")
                    } else {
                        format!("`{name}`.")
                    };
                    add_doc(&mut f.attrs, &text);
                }
            }
            syn::Item::Mod(m) if is_public(&m.vis) => {
                let name = m.ident.to_string();
                let inner = if name == "builder" {
                    add_doc(
                        &mut m.attrs,
                        "Builders of the types: set fields one by one, then `try_into()`.",
                    );
                    Place::Builders
                } else {
                    add_doc(&mut m.attrs, &format!("Generated `{name}` items."));
                    Place::Other
                };
                if let Some((_, items)) = &mut m.content {
                    document_items(items, inner);
                }
            }
            syn::Item::Type(t) if is_public(&t.vis) => {
                let name = t.ident.to_string();
                add_doc(&mut t.attrs, &format!("The `{name}` type of the API."));
            }
            syn::Item::Const(c) if is_public(&c.vis) => {
                let name = c.ident.to_string();
                add_doc(&mut c.attrs, &format!("`{name}`."));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn undocumented_public_items_get_a_doc_and_documented_ones_keep_theirs() {
        let generated = quote! {
            /// Kept.
            pub struct Webhook {
                #[serde(rename = "targetUrl", default)]
                pub target_url: String,
                /// Also kept.
                pub name: String,
            }
            impl Webhook {
                pub fn builder() -> builder::Webhook { todo!() }
            }
            pub mod builder {
                pub struct Webhook {}
                impl Webhook {
                    pub fn name(self) -> Self { self }
                }
            }
        };
        let out = fill_missing(generated).unwrap().to_string();
        assert!(out.contains("\" Kept.\""), "{out}");
        assert!(out.contains("\" Also kept.\""), "{out}");
        assert!(out.contains("The `targetUrl` property."), "{out}");
        assert!(out.contains("A builder of this type"), "{out}");
        assert!(
            out.contains("Builds a [`Webhook`](super::Webhook)"),
            "{out}"
        );
        assert!(out.contains("Sets `name`."), "{out}");
        assert!(!out.contains("The `Webhook` object of the API."), "{out}");
    }
}
