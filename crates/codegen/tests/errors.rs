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
