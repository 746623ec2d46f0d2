//! Sync tools share one client across threads.

#[test]
fn the_client_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<cs_webhooks_blocking::Client>();
}
