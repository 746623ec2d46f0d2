//! Small spec fragments, one OpenAPI construct each, that must generate.
//!
//! Shared by the codegen tests (each generated alone and snapshot) and the
//! workspace's extra-operation test (all added to the real spec and called
//! from both clients in one scratch crate, so the cost is one build).

/// One construct: spec fragments and how a caller uses the operation.
pub struct Construct {
    /// Snapshot name.
    pub name: &'static str,
    /// Entries under `paths:` (indented two spaces).
    pub paths: &'static str,
    /// Entries under `components.schemas` (indented four spaces).
    pub schemas: &'static str,
    /// Entries under `components.requestBodies` (indented four spaces).
    pub request_bodies: &'static str,
    /// Entries under `components.responses` (indented four spaces).
    pub responses: &'static str,
    /// Calls on a client named `client`, up to `.send()`, each with the Rust
    /// type `send()` returns.
    pub calls: &'static [(&'static str, &'static str)],
}

/// Schemas the fragments may `$ref` that the real spec already has.
pub const COMMON_SCHEMAS: &str = r##"    Notice:
      type: object
      properties:
        notice:
          type: string
    RetryPolicy:
      type: string
      enum: [manual, automatic]
"##;

const NONE: &str = "";

/// Every construct.
pub const CONSTRUCTS: &[Construct] = &[
    Construct {
        name: "inline_response_object",
        paths: r##"  /constructs/summary:
    get:
      operationId: get_summary
      summary: An inline response object with a nested list of objects
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id:
                    type: string
                  items:
                    type: array
                    items:
                      type: object
                      properties:
                        name:
                          type: string
"##,
        schemas: NONE,
        request_bodies: NONE,
        responses: NONE,
        calls: &[("client.get_summary()", "model::GetSummaryResponse")],
    },
    Construct {
        name: "inline_body_no_content",
        paths: r##"  /constructs/notes:
    post:
      operationId: create_note
      summary: An inline JSON request body and a 204 response
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [text]
              properties:
                text:
                  type: string
      responses:
        "204":
          description: created
"##,
        schemas: NONE,
        request_bodies: NONE,
        responses: NONE,
        calls: &[(
            "client.create_note(model::CreateNoteBody { text: \"hi\".into() })",
            "()",
        )],
    },
    Construct {
        name: "inline_enum_parameter",
        paths: r##"  /constructs/sorted:
    get:
      operationId: list_sorted
      summary: An inline enum query parameter
      parameters:
        - name: order
          in: query
          schema:
            type: string
            enum: [asc, desc]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Notice"
"##,
        schemas: NONE,
        request_bodies: NONE,
        responses: NONE,
        calls: &[(
            "client.list_sorted().order(model::ListSortedOrder::Desc)",
            "model::Notice",
        )],
    },
    Construct {
        name: "scalar_and_array_parameters",
        paths: r##"  /constructs/items/{day}:
    get:
      operationId: filter_items
      summary: Parameters of every scalar type, arrays in query, a header, text out
      parameters:
        - name: day
          in: path
          required: true
          schema:
            type: string
            format: date
        - name: ids
          in: query
          schema:
            type: array
            items:
              type: integer
              format: int64
        - name: names
          in: query
          explode: false
          schema:
            type: array
            items:
              type: string
        - name: tags
          in: query
          style: pipeDelimited
          explode: false
          schema:
            type: array
            items:
              type: string
              enum: [red, green]
        - name: ratio
          in: query
          schema:
            type: number
            format: double
        - name: scale
          in: query
          schema:
            type: number
            format: float
        - name: count
          in: query
          schema:
            type: integer
            format: int32
            minimum: 1
        - name: big
          in: query
          schema:
            type: integer
            format: uint64
        - name: since
          in: query
          schema:
            type: string
            format: date-time
        - name: x-trace
          in: header
          required: true
          schema:
            type: string
      responses:
        "200":
          description: a report
          content:
            text/plain:
              schema:
                type: string
"##,
        schemas: NONE,
        request_bodies: NONE,
        responses: NONE,
        calls: &[(
            "client.filter_items(\"2024-01-01\", \"trace-1\").ids(vec![1, 2]).names(vec![\"a\".into()]).tags(vec![model::FilterItemsTagsItem::Red]).ratio(0.5).scale(1.5).count(3).big(7).since(\"2024-01-01T00:00:00Z\".parse().expect(\"a date\"))",
            "String",
        )],
    },
    Construct {
        name: "ref_parameter_schema",
        paths: r##"  /constructs/by-policy:
    get:
      operationId: list_by_policy
      summary: A parameter whose schema is a $ref to an enum component
      parameters:
        - name: policy
          in: query
          required: true
          schema:
            $ref: "#/components/schemas/RetryPolicy"
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Notice"
"##,
        schemas: NONE,
        request_bodies: NONE,
        responses: NONE,
        calls: &[(
            "client.list_by_policy(model::RetryPolicy::Manual)",
            "model::Notice",
        )],
    },
    Construct {
        name: "composed_schemas",
        paths: r##"  /constructs/shapes:
    get:
      operationId: get_shapes
      summary: allOf, oneOf, anyOf, nullable and additionalProperties
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Shapes"
"##,
        schemas: r##"    Shapes:
      type: object
      properties:
        merged:
          allOf:
            - $ref: "#/components/schemas/Notice"
            - type: object
              properties:
                extra:
                  type: string
        either:
          oneOf:
            - type: string
            - type: integer
        some:
          anyOf:
            - $ref: "#/components/schemas/Notice"
            - type: object
              properties:
                code:
                  type: integer
        maybe:
          type: string
          nullable: true
        labels:
          type: object
          additionalProperties:
            type: string
"##,
        request_bodies: NONE,
        responses: NONE,
        calls: &[("client.get_shapes()", "model::Shapes")],
    },
    Construct {
        name: "several_success_responses",
        paths: r##"  /constructs/things:
    put:
      operationId: upsert_thing
      summary: 200 and 201 with different bodies
      responses:
        "200":
          description: updated
          content:
            application/json:
              schema:
                type: object
                properties:
                  updated:
                    type: boolean
        "201":
          description: created
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Notice"
"##,
        schemas: NONE,
        request_bodies: NONE,
        responses: NONE,
        calls: &[("client.upsert_thing()", "model::UpsertThingResponse")],
    },
    Construct {
        name: "json_or_no_content",
        paths: r##"  /constructs/maybe:
    get:
      operationId: maybe_thing
      summary: 200 with a body, 204 without
      responses:
        "200":
          description: found
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Notice"
        "204":
          description: nothing
"##,
        schemas: NONE,
        request_bodies: NONE,
        responses: NONE,
        calls: &[("client.maybe_thing()", "Option<model::Notice>")],
    },
    Construct {
        name: "default_response_and_refs",
        paths: r##"  /constructs/legacy:
    post:
      operationId: legacy_ping
      summary: Only a default response; $ref'd request body and response
      requestBody:
        $ref: "#/components/requestBodies/PingBody"
      responses:
        default:
          $ref: "#/components/responses/Pong"
"##,
        schemas: NONE,
        request_bodies: r##"    PingBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            properties:
              loud:
                type: boolean
"##,
        responses: r##"    Pong:
      description: pong
      content:
        application/json:
          schema:
            $ref: "#/components/schemas/Notice"
"##,
        calls: &[(
            "client.legacy_ping(model::LegacyPingBody { loud: Some(true) })",
            "model::Notice",
        )],
    },
    Construct {
        name: "bytes_and_text_bodies",
        paths: r##"  /constructs/blob:
    post:
      operationId: upload_blob
      summary: An octet-stream body and response
      requestBody:
        required: true
        content:
          application/octet-stream:
            schema:
              type: string
              format: binary
      responses:
        "200":
          description: the stored bytes
          content:
            application/octet-stream:
              schema:
                type: string
                format: binary
  /constructs/echo:
    post:
      operationId: echo_text
      summary: A text body and response
      requestBody:
        required: true
        content:
          text/plain:
            schema:
              type: string
      responses:
        "200":
          description: the same text
          content:
            text/plain:
              schema:
                type: string
"##,
        schemas: NONE,
        request_bodies: NONE,
        responses: NONE,
        calls: &[
            ("client.upload_blob(vec![1u8, 2, 3])", "Vec<u8>"),
            ("client.echo_text(\"hello\")", "String"),
        ],
    },
];

/// A small spec holding one construct (and the schemas it may `$ref`).
pub fn small_spec(construct: &Construct) -> String {
    let mut spec =
        String::from("openapi: 3.0.3\ninfo: {title: constructs, version: '1'}\npaths:\n");
    spec.push_str(construct.paths);
    spec.push_str("components:\n  schemas:\n");
    spec.push_str(COMMON_SCHEMAS);
    spec.push_str(construct.schemas);
    if !construct.request_bodies.is_empty() {
        spec.push_str("  requestBodies:\n");
        spec.push_str(construct.request_bodies);
    }
    if !construct.responses.is_empty() {
        spec.push_str("  responses:\n");
        spec.push_str(construct.responses);
    }
    spec
}

/// The real spec with every construct added (paths, schemas, request bodies,
/// responses), for a build of the whole API.
pub fn with_all_constructs(spec: &str) -> Result<String, String> {
    let mut paths = String::new();
    let mut schemas = String::new();
    let mut request_bodies = String::new();
    let mut responses = String::new();
    for c in CONSTRUCTS {
        paths.push_str(c.paths);
        schemas.push_str(c.schemas);
        request_bodies.push_str(c.request_bodies);
        responses.push_str(c.responses);
    }
    let insert = |spec: String, at: &str, text: &str| -> Result<String, String> {
        if !spec.contains(at) {
            return Err(format!("the spec has no {at:?}"));
        }
        Ok(spec.replacen(at, &format!("{at}{text}"), 1))
    };
    let spec = insert(spec.to_string(), "\npaths:\n", &paths)?;
    let spec = insert(spec, "\n  schemas:\n", &schemas)?;
    let spec = insert(spec, "\n  responses:\n", &responses)?;
    insert(
        spec,
        "\ncomponents:\n",
        &format!("  requestBodies:\n{request_bodies}"),
    )
}
