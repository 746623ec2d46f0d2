//! Services spawn calls on a multi-threaded runtime: the client and every
//! call's future must be `Send` (a compile-time check).

use cs_webhooks_async::Client;

fn assert_send<T: Send>(_: &T) {}
fn assert_send_sync<T: Send + Sync + Clone>() {}

#[test]
fn clients_and_call_futures_are_send() {
    assert_send_sync::<Client>();
    let client = Client::builder()
        .base_url("http://127.0.0.1:9/v3")
        .api_key("blt1")
        .management_token("token")
        .build()
        .expect("client");
    let get = client.get_webhook("x").send();
    assert_send(&get);
    let import = client.import_webhook(b"{}".to_vec()).send();
    assert_send(&import);
    let pages = client.list_executions("x").items();
    assert_send(&pages);
}
