//! A small spec exercising every supported feature.

#![allow(dead_code)]

use cs_webhooks_schema::Spec;

pub const SPEC: &str = r##"
openapi: 3.0.3
info:
  title: Feature test
  version: "1.0"
paths:
  /webhooks:
    post:
      operationId: createWebhook
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/WebhookRequest'
            example:
              webhook:
                uid: abcdefgh1234
                name: My hook
                destinations:
                  - authentication_type: basic
                    target_url: https://example.com/hook
                channels: [assets.update]
                created_at: "2024-07-11T06:09:00.827Z"
      responses:
        '201':
          description: Created
          content:
            application/json:
              schema:
                type: object
                required: [notice]
                properties:
                  notice: { type: string }
                  webhook: { $ref: '#/components/schemas/Webhook' }
              examples:
                referenced:
                  $ref: '#/components/examples/Created'
                inline:
                  value:
                    notice: Webhook created.
        default:
          $ref: '#/components/responses/Error'
  /webhooks/{uid}:
    get:
      parameters:
        - name: uid
          in: path
          required: true
          schema: { type: string, pattern: '^[a-z0-9]+$' }
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/WebhookRequest'
            text/plain:
              example: a plain-text body, no schema
components:
  examples:
    Created:
      value:
        notice: Webhook created successfully.
        webhook:
          uid: abcdefgh1234
          name: My hook
          destinations:
            - authentication_type: email
              email: ops@example.com
          channels: [content_types.entries.create]
          created_at: "2024-07-11T06:09:00Z"
  responses:
    Error:
      description: Error
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
          example:
            error_message: Not found
            error_code: 141
  schemas:
    WebhookRequest:
      type: object
      required: [webhook]
      properties:
        webhook:
          $ref: '#/components/schemas/Webhook'
    Webhook:
      type: object
      required: [uid, name, destinations, channels, created_at]
      properties:
        uid: { type: string, pattern: '^[a-z0-9]{8,20}$' }
        name: { type: string, minLength: 1, maxLength: 40, example: My hook }
        destinations:
          type: array
          minItems: 1
          maxItems: 5
          items:
            $ref: '#/components/schemas/Destination'
        channels:
          type: array
          uniqueItems: true
          items:
            type: string
            enum: [content_types.entries.create, assets.update, assets.delete]
        retry_policy: { type: string, enum: [manual, automatic] }
        disabled: { type: boolean }
        concise_payload: { type: boolean, nullable: true }
        created_at: { type: string, format: date-time }
        updated_at: { type: string, format: date-time, nullable: true }
        published_on: { type: string, format: date }
        request_id: { type: string, format: uuid }
        notify_email: { type: string, format: email }
        homepage: { type: string, format: uri }
        retries: { type: integer, minimum: 0, maximum: 10 }
        version: { type: integer, format: int32, multipleOf: 2 }
        status: { type: integer, format: uint16, nullable: true }
        count: { type: integer, format: uint64 }
        score: { type: number, minimum: 0, exclusiveMinimum: true, maximum: 1 }
        ratio: { type: number }
        metadata:
          type: object
          additionalProperties: { type: string, maxLength: 10 }
        extra:
          type: object
          additionalProperties: true
        anything: {}
        tree: { $ref: '#/components/schemas/Node' }
        owner: { $ref: '#/components/schemas/Owner' }
        maybe_owner:
          oneOf:
            - $ref: '#/components/schemas/Owner'
            - enum: [null]
        filter: { $ref: '#/components/schemas/Filter' }
        untagged: { $ref: '#/components/schemas/Untagged' }
        closed: { $ref: '#/components/schemas/Closed' }
        tags:
          type: array
          maxItems: 3
          items: { type: string, maxLength: 5 }
        not_a_string:
          not: { type: string }
    Destination:
      oneOf:
        - $ref: '#/components/schemas/UrlDestination'
        - $ref: '#/components/schemas/EmailDestination'
      discriminator:
        propertyName: authentication_type
        mapping:
          basic: '#/components/schemas/UrlDestination'
          email: '#/components/schemas/EmailDestination'
    UrlDestination:
      type: object
      required: [authentication_type, target_url]
      properties:
        authentication_type: { type: string, enum: [basic] }
        target_url: { type: string, format: uri }
        http_basic_password: { type: string, nullable: true }
        custom_header:
          type: array
          items:
            $ref: '#/components/schemas/Header'
    EmailDestination:
      type: object
      required: [authentication_type, email]
      properties:
        authentication_type: { type: string, enum: [email] }
        email: { type: string, format: email }
    Header:
      type: object
      required: [header_name, value]
      properties:
        header_name: { type: string, minLength: 1 }
        value: { type: string }
    Node:
      type: object
      required: [value]
      properties:
        value: { type: integer }
        children:
          type: array
          items:
            $ref: '#/components/schemas/Node'
        parent:
          $ref: '#/components/schemas/Node'
    Person:
      type: object
      required: [name]
      properties:
        name: { type: string }
        email: { type: string, format: email }
    Owner:
      allOf:
        - $ref: '#/components/schemas/Person'
        - type: object
          required: [role]
          properties:
            role: { type: string, enum: [admin, member] }
    Filter:
      anyOf:
        - type: object
          required: [field]
          properties:
            field: { type: string }
        - type: object
          required: [tag]
          properties:
            tag: { type: integer }
    Untagged:
      oneOf:
        - type: string
          minLength: 1
        - type: integer
        - type: object
          required: [kind]
          properties:
            kind: { type: string, enum: [a, b] }
          additionalProperties: false
    Closed:
      type: object
      additionalProperties: false
      required: [a]
      properties:
        a: { type: integer, example: 3 }
        b: { type: string, example: 4 }
    Error:
      type: object
      required: [error_message]
      properties:
        error_message: { type: string }
        error_code: { type: integer }
        errors:
          type: object
          additionalProperties:
            type: array
            items: { type: string }
"##;

pub fn spec() -> Spec {
    match Spec::from_yaml(SPEC) {
        Ok(spec) => spec,
        Err(e) => panic!("test spec does not load: {e}"),
    }
}
