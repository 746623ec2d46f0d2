//! Every construct of the table generates on its own (types and operations)
//! and its generated code is snapshot. That the code compiles and is callable
//! from both clients is the workspace's extra-operation test.

#[path = "support/constructs.rs"]
#[allow(dead_code)]
mod constructs;

use constructs::{CONSTRUCTS, small_spec};

#[test]
fn each_construct_generates() {
    for construct in CONSTRUCTS {
        let spec = cs_webhooks_codegen::parse_spec(&small_spec(construct))
            .unwrap_or_else(|e| panic!("{}: does not parse: {e}", construct.name));
        let types = cs_webhooks_codegen::generate_types_source(&spec)
            .unwrap_or_else(|e| panic!("{}: types do not generate: {e}", construct.name));
        let operations = cs_webhooks_codegen::generate_operations_source(&spec)
            .unwrap_or_else(|e| panic!("{}: operations do not generate: {e}", construct.name));
        insta::assert_snapshot!(
            format!("construct_{}", construct.name),
            format!("{types}\n// ---- operations ----\n\n{operations}")
        );
    }
}
