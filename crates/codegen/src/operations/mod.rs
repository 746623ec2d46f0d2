//! The operations generator (openapiv3 + quote): for every operation of the
//! spec, a request type with its parameters and body, a pure `build` and a
//! pure `decode`, setters on `Call`, and one method on each client.
//!
//! [`read`] turns the spec into checked operation descriptions; [`emit`]
//! writes them as Rust. The emitted code lives in `cs-webhooks-api` and uses
//! its encoding helpers, so path escaping, query encoding, headers and bodies
//! are written once.

mod emit;
pub(crate) mod read;

use openapiv3::{OpenAPI, ReferenceOr};
use proc_macro2::TokenStream;

use crate::CodegenError;

/// Operation extension: the list property whose records pagination yields,
/// e.g. `x-cs-paginated: webhooks`.
pub const PAGINATED_EXTENSION: &str = "x-cs-paginated";
/// Operation extension: also return the success body's raw bytes (`Raw<T>`).
pub const RAW_BODY_EXTENSION: &str = "x-cs-raw-body";
/// Parameter extension: the Rust type of a parameter (written with `ToParam`).
pub const PARAM_TYPE_EXTENSION: &str = "x-cs-rust-type";

/// Emits the operations of every path of the spec, in spec order.
pub fn operations(spec: &OpenAPI) -> Result<TokenStream, CodegenError> {
    let spec = crate::normalize::normalize(spec)?;
    Ok(emit::file(&read_operations(&spec)?))
}

/// Reads every operation of a normalized spec, in spec order: the model both the
/// emitter and the API diff work from, so they agree on every Rust name.
pub(crate) fn read_operations(spec: &OpenAPI) -> Result<Vec<read::OperationSpec>, CodegenError> {
    let mut specs = Vec::new();
    for (path, item) in spec.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, operation) in item.iter() {
            specs.push(read::OperationSpec::read(
                spec,
                path,
                method,
                &item.parameters,
                operation,
            )?);
        }
    }
    Ok(specs)
}
