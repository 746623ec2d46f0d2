//! A bad spec gives an error that names the file and the place at fault.

use std::path::PathBuf;

fn write_spec(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cs-webhooks-codegen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

fn error_for(name: &str, text: &str) -> String {
    let path = write_spec(name, text);
    match cs_webhooks_codegen::generate_types_file(&path) {
        Ok(_) => panic!("{name} should not generate"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn yaml_syntax_error_names_the_file_and_line() {
    let message = error_for("syntax.yaml", &format!("{HEAD}paths: {{\n  /a: [\n"));
    assert!(message.contains("syntax.yaml:"), "{message}");
    assert!(
        message.contains("not a valid OpenAPI document"),
        "{message}"
    );
}

#[test]
fn dangling_ref_names_the_schema_and_property() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Webhook:\n      type: object\n      properties:\n        destinations:\n          type: array\n          items:\n            $ref: '#/components/schemas/Destinaton'\n"
    );
    let message = error_for("dangling.yaml", &spec);
    assert!(message.contains("dangling.yaml"), "{message}");
    assert!(
        message.contains("components.schemas.Webhook.properties.destinations.items"),
        "{message}"
    );
    assert!(message.contains("Destinaton"), "{message}");
}

#[test]
fn missing_operation_id_names_the_operation() {
    let spec = format!(
        "{HEAD}paths:\n  /webhooks:\n    get:\n      summary: s\n      responses:\n        '200': {{description: ok}}\n"
    );
    let message = error_for("noid.yaml", &spec);
    assert!(message.contains("paths./webhooks.get"), "{message}");
    assert!(message.contains("missing operationId"), "{message}");
}

#[test]
fn unsupported_version_is_rejected() {
    let spec = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n";
    let message = error_for("v31.yaml", spec);
    assert!(message.contains("3.1.0"), "{message}");
}

#[test]
fn bad_rust_type_extension_names_the_schema() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Secret:\n      type: string\n      x-cs-rust-type: 'not a path!'\n"
    );
    let message = error_for("ext.yaml", &spec);
    assert!(
        message.contains("components.schemas.Secret.x-cs-rust-type"),
        "{message}"
    );
}

#[test]
fn clashing_enum_values_name_the_schema() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Mode:\n      type: string\n      enum: [fast, Fast]\n"
    );
    let message = error_for("enum.yaml", &spec);
    assert!(message.contains("components.schemas.Mode"), "{message}");
}

#[test]
fn missing_file_is_a_read_error() {
    let missing = std::env::temp_dir().join("cs-webhooks-no-such-spec.yaml");
    let error = cs_webhooks_codegen::generate_types_file(&missing).unwrap_err();
    assert!(
        error.to_string().contains("cannot read the spec"),
        "{error}"
    );
}

fn operations_error_for(name: &str, text: &str) -> String {
    let path = write_spec(name, text);
    match cs_webhooks_codegen::generate_operations_file(&path) {
        Ok(_) => panic!("{name} should not generate"),
        Err(error) => error.to_string(),
    }
}

/// One operation `get_thing` on `/things` with `rest` under it (indented six
/// spaces) and a 200 JSON `Notice` unless `rest` has responses.
fn one_operation(rest: &str) -> String {
    format!(
        "{HEAD}paths:\n  /things:\n    get:\n      operationId: get_thing\n      summary: s\n{rest}components:\n  schemas:\n    Notice: {{type: object}}\n"
    )
}

const OK_RESPONSE: &str = "      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Notice'}\n";

#[test]
fn unsupported_constructs_name_the_place_and_what_to_write_instead() {
    let cases = [
        (
            "cookie",
            format!(
                "      parameters:\n        - {{name: session, in: cookie, schema: {{type: string}}}}\n{OK_RESPONSE}"
            ),
            "header parameter",
        ),
        (
            "deep",
            format!(
                "      parameters:\n        - {{name: filter, in: query, style: deepObject, schema: {{type: object}}}}\n{OK_RESPONSE}"
            ),
            "x-cs-rust-type",
        ),
        (
            "object-param",
            format!(
                "      parameters:\n        - {{name: filter, in: query, schema: {{type: object, properties: {{a: {{type: string}}}}}}}}\n{OK_RESPONSE}"
            ),
            "x-cs-rust-type",
        ),
        (
            "xml-body",
            format!(
                "      requestBody:\n        content:\n          application/xml:\n            schema: {{type: string}}\n{OK_RESPONSE}"
            ),
            "use application/json",
        ),
        (
            "mixed-2xx",
            "      responses:\n        '200':\n          description: ok\n          content:\n            text/plain:\n              schema: {type: string}\n        '201':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Notice'}\n".to_string(),
            "a oneOf",
        ),
        (
            "no-success",
            "      responses:\n        '404':\n          description: missing\n".to_string(),
            "2xx (or `default`)",
        ),
    ];
    for (name, rest, advice) in cases {
        let message = operations_error_for(&format!("{name}.yaml"), &one_operation(&rest));
        assert!(
            message.contains("paths./things.get (get_thing)"),
            "{name}: {message}"
        );
        assert!(message.contains(advice), "{name}: {message}");
    }
}

#[test]
fn an_inline_schema_whose_name_is_taken_fails_and_a_title_fixes_it() {
    let inline = |title: &str| {
        format!(
            "{HEAD}paths:\n  /things:\n    get:\n      operationId: get_thing\n      summary: s\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                {title}type: object\n                properties:\n                  id: {{type: string}}\ncomponents:\n  schemas:\n    GetThingResponse: {{type: object}}\n"
        )
    };
    let message = operations_error_for("taken.yaml", &inline(""));
    assert!(message.contains("`GetThingResponse`"), "{message}");
    assert!(message.contains("give it a `title`"), "{message}");

    let path = write_spec(
        "titled.yaml",
        &inline("title: thing summary\n                "),
    );
    let types = cs_webhooks_codegen::generate_types_file(&path).expect("a title frees the name");
    assert!(types.contains("pub struct ThingSummary"), "{types}");
    let operations =
        cs_webhooks_codegen::generate_operations_file(&path).expect("operations generate");
    assert!(
        operations.contains("type Output = model::ThingSummary;"),
        "{operations}"
    );
}
