//! Typed events: the documented payloads, concise payloads, `cs$` keys,
//! unknown modules, and the channels each event matches.

use cs_webhooks_model::Channel;
use cs_webhooks_receiver::{Event, EventData, EventError, EventKind, Module};
use serde_json::{Value, json};

fn parse(v: Value) -> Event {
    Event::from_slice(v.to_string().as_bytes()).unwrap()
}

fn channels(v: Value) -> Vec<String> {
    parse(v)
        .channels()
        .into_iter()
        .map(Channel::into_string)
        .collect()
}

/// The entry update of the API docs' executions sample.
fn seed_entry_update() -> Value {
    json!({
        "triggered_at": "2024-07-25T08:48:46.861Z",
        "module": "entry",
        "api_key": "blt0000000000000b7",
        "data": {
            "entry": {
                "title": "test 19", "file": null, "tags": ["d"], "locale": "en-us",
                "uid": "bltd97eb3484fc00c48", "created_by": "blt1", "updated_by": "blt2",
                "created_at": "2024-05-28T12:57:24.162Z", "updated_at": "2024-07-25T08:48:46.460Z",
                "ACL": {}, "_version": 44, "_in_progress": false
            },
            "content_type": {
                "title": "Ref", "uid": "ref", "description": "",
                "schema": [{"data_type": "text", "uid": "title"}],
                "options": {"is_page": false, "singleton": false, "sub_title": [], "title": "title"}
            },
            "branch": {"uid": "main", "source": "", "alias": []}
        },
        "event": "update"
    })
}

#[test]
fn entry_update_from_the_seed_sample() {
    let event = parse(seed_entry_update());
    assert_eq!(event.module, Module::Entry);
    assert_eq!(event.event, EventKind::Update);
    assert_eq!(event.api_key.as_deref(), Some("blt0000000000000b7"));
    assert_eq!(
        event.triggered_at.unwrap().timestamp_millis(),
        1_721_897_326_861
    );
    let EventData::Entry(data) = &event.data else {
        panic!("{:?}", event.data)
    };
    let entry = data.entry.as_ref().unwrap();
    assert_eq!(entry.uid.as_deref(), Some("bltd97eb3484fc00c48"));
    assert_eq!(entry.version, Some(44));
    assert_eq!(entry.in_progress, Some(false));
    assert_eq!(entry.fields["file"], Value::Null, "custom fields are kept");
    assert_eq!(entry.fields["ACL"], json!({}));
    let ct = data.content_type.as_ref().unwrap();
    assert_eq!(ct.uid.as_deref(), Some("ref"));
    assert_eq!(ct.schema.as_ref().unwrap().len(), 1);
    assert_eq!(event.data.branch().unwrap().uid.as_deref(), Some("main"));
    // The execution in the sample lists exactly these, in this order.
    assert_eq!(
        event
            .channels()
            .into_iter()
            .map(Channel::into_string)
            .collect::<Vec<_>>(),
        [
            "content_types.entries.update",
            "content_types.ref.entries.update",
            "content_types.ref.entries.bltd97eb3484fc00c48.update"
        ]
    );
    assert!(event.matches(&Channel::new("content_types.ref.entries.update").unwrap()));
    assert!(!event.matches(&Channel::new("content_types.other.entries.update").unwrap()));
    assert!(!event.matches(&Channel::new("content_types.entries.delete").unwrap()));
}

#[test]
fn concise_payload_parses_too() {
    let event = parse(json!({
        "module": "entry", "event": "delete", "api_key": "blt1",
        "triggered_at": "2024-07-25T08:48:46.861Z",
        "data": {
            "entry": {"uid": "e9", "title": "Hello", "locale": "en-us", "_version": 2},
            "content_type": {"uid": "blog", "title": "Blog"}
        }
    }));
    let EventData::Entry(data) = &event.data else {
        panic!()
    };
    let entry = data.entry.as_ref().unwrap();
    assert_eq!(entry.title.as_deref(), Some("Hello"));
    assert!(entry.fields.is_empty());
    assert_eq!(data.content_type.as_ref().unwrap().schema, None);
    assert_eq!(
        event.channels().last().unwrap(),
        "content_types.blog.entries.e9.delete"
    );
}

#[test]
fn escaped_dollar_keys_are_restored() {
    let event = parse(json!({
        "module": "entry", "event": "update",
        "data": {
            "entry": {"uid": "e1", "cs$meta": {"cs$inner": [{"cs$deep": 1}]}, "cs$x": 2},
            "content_type": {"uid": "blog"}
        }
    }));
    let EventData::Entry(data) = &event.data else {
        panic!()
    };
    let fields = &data.entry.as_ref().unwrap().fields;
    assert_eq!(fields["$meta"], json!({"$inner": [{"$deep": 1}]}));
    assert_eq!(fields["$x"], 2);
    assert!(!fields.contains_key("cs$x"));
}

#[test]
fn unknown_modules_and_events_parse_raw() {
    let event = parse(json!({
        "module": "launch_deployment", "event": "finished.ok", "api_key": "blt1",
        "data": {"deployment": {"uid": "d1", "cs$a": 1}}, "new_envelope_field": true
    }));
    assert_eq!(event.module, Module::Unknown("launch_deployment".into()));
    assert_eq!(event.module.as_str(), "launch_deployment");
    assert_eq!(event.event, EventKind::Unknown("finished.ok".into()));
    assert_eq!(event.event.to_string(), "finished.ok");
    let EventData::Raw(data) = &event.data else {
        panic!()
    };
    assert_eq!(data["deployment"], json!({"uid": "d1", "$a": 1}));
    assert_eq!(event.extra["new_envelope_field"], true);
    assert!(event.channels().is_empty());
    assert!(event.fired_event().is_none());

    // Missing data is an empty object; missing triggered_at is None.
    let bare = parse(json!({"module": "asset_folder", "event": "create"}));
    assert_eq!(bare.data, EventData::Raw(Default::default()));
    assert_eq!(bare.triggered_at, None);
}

#[test]
fn malformed_bodies_are_typed_errors() {
    let cases = [
        (&b"not json"[..], true),
        (b"[]", true),
        (br#"{"event": "create"}"#, true),
        (br#"{"module": 1, "event": "create"}"#, true),
        (
            br#"{"module": "entry", "event": "create", "data": []}"#,
            true,
        ),
        (
            br#"{"module": "entry", "event": "x", "triggered_at": "soon"}"#,
            true,
        ),
        (
            br#"{"module": "entry", "event": "update", "data": {"entry": "e1"}}"#,
            false,
        ),
        (
            br#"{"module": "asset", "event": "update", "data": {"asset": {"uid": 5}}}"#,
            false,
        ),
    ];
    for (body, envelope) in cases {
        match Event::from_slice(body) {
            Err(EventError::Envelope(_)) if envelope => {}
            Err(EventError::Data { module, detail }) if !envelope => {
                assert!(!module.is_empty());
                assert!(
                    detail.contains("entry") || detail.contains("asset.uid"),
                    "{detail}"
                );
            }
            other => panic!("{}: {other:?}", String::from_utf8_lossy(body)),
        }
    }
}

#[test]
fn channels_per_module() {
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({"module": "entry", "event": "create",
                "data": {"entry": {"uid": "e1"}, "content_type": {"uid": "blog"}}}),
            vec![
                "content_types.entries.create",
                "content_types.blog.entries.create",
            ],
        ),
        (
            json!({"module": "entry", "event": "publish",
                "data": {"entry": {"uid": "e1"}, "content_type": {"uid": "blog"},
                         "environment": {"uid": "prod", "name": "production"}, "action": "publish",
                         "locale": "en-us", "status": "success"}}),
            vec![
                "content_types.entries.environments.publish.success",
                "content_types.entries.environments.prod.publish.success",
            ],
        ),
        (
            json!({"module": "entry", "event": "unpublish.fail",
                "data": {"entry": {"uid": "e1"}, "content_type": {"uid": "blog"}}}),
            vec!["content_types.entries.unpublish.fail"],
        ),
        (
            json!({"module": "asset", "event": "update", "data": {"asset": {"uid": "a1",
                "file_size": "251123"}}}),
            vec!["assets.update", "assets.a1.update"],
        ),
        (
            json!({"module": "asset", "event": "publish", "data": {"asset": {"uid": "a1"},
                "environment": "staging"}}),
            vec![
                "assets.environments.publish.success",
                "assets.environments.staging.publish.success",
            ],
        ),
        (
            json!({"module": "content_type", "event": "delete", "data": {"uid": "blog", "title": "Blog"}}),
            vec!["content_types.delete", "content_types.blog.delete"],
        ),
        (
            json!({"module": "content_type", "event": "update",
                "data": {"content_type": {"uid": "blog"}, "branch": {"uid": "main"}}}),
            vec!["content_types.update", "content_types.blog.update"],
        ),
        (
            json!({"module": "global_field", "event": "create", "data": {"uid": "seo"}}),
            vec!["global_fields.create"],
        ),
        (
            json!({"module": "release", "event": "deploy", "data": {"release": {"uid": "r1",
                "items": [], "locked": true}, "environment": {"uid": "prod"}, "action": "deploy"}}),
            vec![
                "releases.environments.deploy",
                "releases.r1.environments.deploy",
                "releases.environments.prod.deploy",
                "releases.r1.environments.prod.deploy",
            ],
        ),
        (
            json!({"module": "comment", "event": "create", "data": {"content_type": {"uid": "blog"},
                "entry": {"uid": "e1"}, "comment": {"uid": "c1", "message": "hi"}}}),
            vec![
                "content_types.comments.create",
                "content_types.blog.comments.create",
                "content_types.blog.entries.e1.comments.create",
            ],
        ),
        (
            json!({"module": "discussion", "event": "resolve", "data": {"content_type": {"uid": "blog"},
                "discussion": {"uid": "d1"}}}),
            vec![
                "content_types.discussions.resolve",
                "content_types.blog.discussions.resolve",
            ],
        ),
        (
            json!({"module": "taxonomy", "event": "localize", "data": {"taxonomy": {"uid": "colors"}}}),
            vec!["taxonomies.localize", "taxonomies.colors.localize"],
        ),
        (
            json!({"module": "term", "event": "create", "data": {"taxonomy": {"uid": "colors"},
                "term": {"uid": "red"}}}),
            vec!["taxonomies.terms.create", "taxonomies.colors.terms.create"],
        ),
        (
            json!({"module": "variant", "event": "update", "data": {"content_type": {"uid": "blog"},
                "entry": {"uid": "e1"}, "variant": {"uid": "v1"}}}),
            vec![
                "content_types.entries.variants.update",
                "content_types.blog.entries.variants.update",
                "content_types.entries.variants.v1.update",
                "content_types.blog.entries.e1.variants.update",
                "content_types.blog.entries.variants.v1.update",
                "content_types.blog.entries.e1.variants.v1.update",
            ],
        ),
        // The payload does not say which phase a branch event is in.
        (
            json!({"module": "branch", "event": "create", "data": {"branch": {"uid": "dev"}}}),
            vec![],
        ),
        // Start events have no channel.
        (
            json!({"module": "entry", "event": "publish.start",
                "data": {"entry": {"uid": "e1"}, "content_type": {"uid": "blog"}}}),
            vec![],
        ),
        // A uid that cannot be a channel segment gives no channel, not an error.
        (
            json!({"module": "asset", "event": "delete", "data": {"asset": {"uid": "a.b"}}}),
            vec![],
        ),
    ];
    for (payload, expected) in cases {
        let got = channels(payload.clone());
        assert_eq!(got, expected, "{payload}");
        let event = parse(payload);
        for channel in &expected {
            assert!(event.matches(&Channel::new(*channel).unwrap()), "{channel}");
        }
    }
}

#[test]
fn typed_data_per_module() {
    let release = parse(json!({"module": "release", "event": "deploy",
        "source": {"type": "release", "title": "Spring", "uid": "r1"},
        "data": {"release": {"uid": "r1", "name": "Spring", "locked": false, "status": []},
                 "environment": {"uid": "prod"}, "status": "success", "action": "deploy"}}));
    assert_eq!(release.source.as_ref().unwrap().uid.as_deref(), Some("r1"));
    let EventData::Release(data) = &release.data else {
        panic!()
    };
    assert_eq!(
        data.release.as_ref().unwrap().name.as_deref(),
        Some("Spring")
    );
    assert_eq!(data.release.as_ref().unwrap().extra["status"], json!([]));
    assert_eq!(data.publishing.action.as_deref(), Some("deploy"));
    assert_eq!(
        data.publishing.environment.as_ref().unwrap().uid(),
        Some("prod")
    );
    assert!(data.extra.is_empty(), "{:?}", data.extra);

    let asset = parse(
        json!({"module": "asset", "event": "update", "data": {"asset": {
        "uid": "a1", "file_size": "251123", "filename": "w.jpeg", "is_dir": false, "_version": 2,
        "ACL": {}}, "branch": {"uid": "main", "source": "", "alias": []}, "unknown": 1}}),
    );
    let EventData::Asset(data) = &asset.data else {
        panic!()
    };
    let a = data.asset.as_ref().unwrap();
    assert_eq!(
        (a.file_size, a.version, a.is_dir),
        (Some(251_123), Some(2), Some(false))
    );
    assert_eq!(a.extra["ACL"], json!({}));
    assert_eq!(data.extra["unknown"], 1);

    let ct = parse(json!({"module": "content_type", "event": "update",
        "data": {"uid": "blog", "title": "Blog", "schema": [], "branch": {"uid": "dev"}}}));
    let EventData::ContentType(data) = &ct.data else {
        panic!()
    };
    assert_eq!(data.content_type.title.as_deref(), Some("Blog"));
    assert_eq!(data.branch.as_ref().unwrap().uid.as_deref(), Some("dev"));
    assert!(!data.content_type.extra.contains_key("branch"));

    let gf = parse(json!({"module": "global_field", "event": "update",
        "data": {"global_field": {"uid": "seo", "title": "SEO"}, "extra_key": 1}}));
    let EventData::GlobalField(data) = &gf.data else {
        panic!()
    };
    assert_eq!(data.global_field.uid.as_deref(), Some("seo"));
    assert_eq!(data.extra["extra_key"], 1);

    for (module, variant) in [
        ("comment", "Comment"),
        ("discussion", "Comment"),
        ("workflow", "Workflow"),
        ("branch", "Branch"),
        ("branch_alias", "Branch"),
        ("taxonomy", "Taxonomy"),
        ("term", "Taxonomy"),
        ("variant", "Variant"),
    ] {
        let event = parse(json!({"module": module, "event": "update", "data": {"x": 1}}));
        assert!(format!("{:?}", event.data).starts_with(variant), "{module}");
        assert_eq!(event.module.as_str(), module);
    }
    let alias = parse(json!({"module": "branch_alias", "event": "assigned",
        "data": {"alias": {"uid": "live"}, "branch": {"uid": "main"}}}));
    let EventData::Branch(data) = &alias.data else {
        panic!()
    };
    assert_eq!(data.alias.as_ref().unwrap().uid.as_deref(), Some("live"));
}
