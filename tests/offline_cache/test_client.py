"""PlatformClient over real HTTP: auth and renewal, feed paging, typed errors, TLS/proxy settings, timeouts."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import json
import re
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from offline_cache.client import ClientConfig, PlatformClient
from offline_cache.contract.models import IDEMPOTENCY_HEADER, FaultConfig, TokenPair
from offline_cache.domain.model import Action, Status
from offline_cache.domain.workflow import draft_digest
from offline_cache.errors import (
    AuthError,
    AuthExpiredError,
    ConflictError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    OfflineError,
    PlatformError,
)
from tests.world import PASSWORD, World

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
REFRESH_TTL = 12 * 3600


def russian(exc: PlatformError) -> bool:
    """The error carries a non-empty message in Russian."""
    return bool(exc.message) and CYRILLIC.search(exc.message) is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def no_sleep(_seconds: float) -> None:
    return None


# --- auth -----------------------------------------------------------------------------------


def test_login_ok(world: World) -> None:
    client = world.client()
    pair = client.login("c-coord", PASSWORD)
    assert client.tokens == pair and pair.access_token and pair.refresh_token
    assert pair.expires_in == 900 and pair.refresh_expires_in == REFRESH_TTL
    me = client.me()
    assert me.user.id == "c-coord" and me.organisation.id == "c"


def test_wrong_password_is_auth_error_in_russian(world: World) -> None:
    client = world.client()
    with pytest.raises(AuthError) as info:
        client.login("c-coord", "wrong")
    assert not isinstance(info.value, AuthExpiredError)
    assert info.value.status == 401 and russian(info.value)
    assert client.tokens is None


def test_unknown_login_is_auth_error(world: World) -> None:
    with pytest.raises(AuthError) as info:
        world.client().login("nobody", PASSWORD)
    assert russian(info.value)


def test_access_token_renewed_transparently(world_factory: Callable[..., World]) -> None:
    world = world_factory(access_ttl=60)
    seen: list[TokenPair] = []
    with PlatformClient(ClientConfig(world.url), on_tokens=seen.append, sleep=no_sleep) as client:
        first = client.login("c-coord", PASSWORD)
        assert seen == [first] and first.expires_in == 60
        world.clock.advance(120)
        assert client.me().user.id == "c-coord"
        assert len(seen) == 2 and client.tokens == seen[1]
        assert seen[1].access_token != first.access_token
        assert seen[1].refresh_token != first.refresh_token
        assert client.staff()  # the new token keeps working without another renewal
        assert len(seen) == 2


def test_refresh_token_rotation(world: World) -> None:
    client = world.client()
    old = client.login("c-coord", PASSWORD)
    new = client.refresh()
    assert new.refresh_token != old.refresh_token
    # Within the grace period (60 s) the spent token gives the same pair again: a lost answer is repeated.
    again = httpx.post(f"{world.url}/api/v1/auth/refresh", json={"refresh_token": old.refresh_token})
    assert again.status_code == 200 and again.json()["refresh_token"] == new.refresh_token
    world.clock.advance(61)  # after it, reuse revokes the whole token family (docs/contract.md)
    raw = httpx.post(f"{world.url}/api/v1/auth/refresh", json={"refresh_token": old.refresh_token})
    assert raw.status_code == 401 and raw.json()["error"]["code"] == "unauthorized"
    with PlatformClient(ClientConfig(world.url), tokens=old, sleep=no_sleep) as stale:
        with pytest.raises(AuthExpiredError) as info:
            stale.refresh()
        assert russian(info.value)
    with pytest.raises(AuthExpiredError):
        client.refresh()  # the family was revoked: its newest token is gone too


def test_refresh_without_tokens_asks_for_login(world: World) -> None:
    with pytest.raises(AuthExpiredError):
        world.client().refresh()


def test_session_ends_when_refresh_token_expires(world_factory: Callable[..., World]) -> None:
    world = world_factory(access_ttl=60)
    client = world.client("c-coord")
    world.clock.advance(REFRESH_TTL + 60)
    with pytest.raises(AuthExpiredError) as info:
        client.me()
    assert info.value.status == 401 and russian(info.value)


def test_garbage_access_token_renewed_via_refresh(world: World) -> None:
    client = world.client("c-coord")
    assert client.tokens is not None
    client.tokens = client.tokens.model_copy(update={"access_token": "not-a-token"})
    assert client.me().user.id == "c-coord"
    assert client.tokens.access_token != "not-a-token"


# --- change feed ----------------------------------------------------------------------------


def page_all(client: PlatformClient, limit: int, cursor: int = 0) -> tuple[list[str], int]:
    """Ids delivered paging from ``cursor`` to the end; checks cursor/has_more/remaining on every page."""
    ids: list[str] = []
    total: int | None = None
    while True:
        page = client.feed(cursor, limit)
        assert len(page.items) <= limit
        if page.items:
            assert page.next_cursor > cursor
        else:
            assert page.next_cursor == cursor
        ids += [i.id for i in page.items]
        if total is None:
            total = len(page.items) + page.remaining
        assert page.remaining == total - len(ids)
        assert page.has_more == (page.remaining > 0)
        cursor = page.next_cursor
        if not page.has_more:
            assert page.remaining == 0
            return ids, cursor


@pytest.mark.parametrize("limit", [7, 50, 500])
def test_feed_pages_to_the_end_without_gaps_or_duplicates(world: World, limit: int) -> None:
    visible = {world.inject(text=f"Обращение {n}").id for n in range(250)}
    hidden = {world.inject(org_id="r").id for _ in range(5)} | {world.inject(org_id="v").id for _ in range(5)}
    client = world.client("c-coord")
    ids, end = page_all(client, limit)
    assert len(ids) == len(set(ids)) == 250
    assert set(ids) == visible and not set(ids) & hidden
    empty = client.feed(end, limit)
    assert (empty.items, empty.next_cursor, empty.has_more, empty.remaining) == ([], end, False, 0)


def test_feed_limit_bounds(world: World) -> None:
    for _ in range(3):
        world.inject()
    client = world.client("c-coord")
    page = client.feed(0, 1)
    assert len(page.items) == 1 and page.has_more and page.remaining == 2
    with pytest.raises(InvalidError):
        client.feed(0, 501)
    with pytest.raises(InvalidError):
        client.feed(0, 0)
    with pytest.raises(InvalidError):
        client.feed(-1, 10)


def test_item_changed_while_paging_comes_again_with_higher_version(world: World) -> None:
    """Documented feed semantics: a change moves the item to the end of the feed, so it is delivered twice."""
    for n in range(30):
        world.inject(text=f"Обращение {n}")
    client = world.client("c-coord")
    first = client.feed(0, 10)
    changed = first.items[3]
    assert changed.version == 1
    after = client.act(changed.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    assert after.version == 2 and after.status is Status.IN_WORK
    cursor, seen = first.next_cursor, [(i.id, i.version) for i in first.items]
    assert first.remaining == 20  # counted before the change
    while True:
        page = client.feed(cursor, 10)
        seen += [(i.id, i.version) for i in page.items]
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert len(seen) == 31 and len({i for i, _ in seen}) == 30
    assert [v for i, v in seen if i == changed.id] == [1, 2]
    assert seen[-1] == (changed.id, 2)


# --- typed errors ---------------------------------------------------------------------------


def test_typed_errors_403_404_409_422(world: World) -> None:
    item = world.inject()
    head = world.client("c-head")
    with pytest.raises(ForbiddenError) as forbidden:
        head.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    assert forbidden.value.status == 403 and forbidden.value.code == "forbidden" and russian(forbidden.value)
    with pytest.raises(ForbiddenError):
        world.client("c-exec1").set_deputy("c-exec2", "c-exec3")

    coord = world.client("c-coord")
    with pytest.raises(NotFoundError) as missing:
        coord.message("m-does-not-exist")
    assert missing.value.status == 404 and russian(missing.value)
    with pytest.raises(NotFoundError):
        world.client("r-coord").message(item.id)  # not visible in another organisation

    with pytest.raises(ConflictError) as conflict:
        head.act(item.id, Action.APPROVE, 1, {"draft_digest": draft_digest(None)})  # nobody approves it unrouted
    assert conflict.value.status == 409 and russian(conflict.value)
    assert conflict.value.current is not None and conflict.value.current.id == item.id

    with pytest.raises(InvalidError) as invalid:
        coord.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {})
    assert invalid.value.status == 422 and invalid.value.field == "executor_id" and russian(invalid.value)
    with pytest.raises(InvalidError) as future:
        coord.act(item.id, Action.ROUTE_TO_EXECUTOR, 5, {"executor_id": "c-exec1"})
    assert future.value.field == "base_version"

    coord.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec1"})
    with pytest.raises(ConflictError) as stale:
        coord.act(item.id, Action.ROUTE_TO_EXECUTOR, 1, {"executor_id": "c-exec2"})
    assert stale.value.current is not None and stale.value.current.version == 2


def test_act_generates_an_idempotency_key(world: World) -> None:
    keys: list[str] = []

    def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/actions"):
            keys.append(request.headers[IDEMPOTENCY_HEADER])

    item = world.inject()
    client = world.client("c-coord")
    client._http.event_hooks["request"].append(record)
    routed = client.act(item.id, "route_to_executor", 1, {"executor_id": "c-exec1"})
    assert routed.version == 2 and routed.assignee_id == "c-exec1"
    client.act(item.id, Action.REASSIGN, 2, {"executor_id": "c-exec2"})
    assert len(keys) == 2 and keys[0] != keys[1] and all(len(k) >= 8 for k in keys)
    # An explicit key replays the first result instead of applying again.
    again = client.act(item.id, Action.REASSIGN, 3, {"executor_id": "c-exec3"}, idempotency_key="fixed-key-1")
    replay = client.act(item.id, Action.REASSIGN, 3, {"executor_id": "c-exec3"}, idempotency_key="fixed-key-1")
    assert again == replay and replay.version == 4
    with pytest.raises(InvalidError) as mismatch:
        client.act(item.id, Action.REASSIGN, 4, {"executor_id": "c-exec1"}, idempotency_key="fixed-key-1")
    assert mismatch.value.code == "idempotency_mismatch"


# --- TLS, proxy ---------------------------------------------------------------------------


def make_ca(tmp: Path) -> tuple[Path, Path, Path]:
    """A self-signed CA and a server certificate for 127.0.0.1: (ca.pem, server.pem, server.key)."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Тестовый корневой УЦ")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = tmp / "ca.pem", tmp / "server.pem", tmp / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


class StubHandler(http.server.BaseHTTPRequestHandler):
    """Answers every GET with an empty JSON list and records the request line."""

    seen: list[str]

    def do_GET(self) -> None:
        self.server.seen.append(self.path)  # type: ignore[attr-defined]
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def stub_server() -> Iterator[Callable[[ssl.SSLContext | None], tuple[str, list[str]]]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(tls: ssl.SSLContext | None) -> tuple[str, list[str]]:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubHandler)
        server.seen = []  # type: ignore[attr-defined]
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        scheme = "https" if tls else "http"
        return f"{scheme}://127.0.0.1:{server.server_address[1]}", server.seen  # type: ignore[attr-defined]

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def test_ca_bundle_trusts_a_private_root(tmp_path: Path,
                                         stub_server: Callable[[ssl.SSLContext | None], tuple[str, list[str]]]
                                         ) -> None:
    ca, cert, key = make_ca(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    url, seen = stub_server(tls)
    with PlatformClient(ClientConfig(url, ca_bundle=str(ca), retries=0), sleep=no_sleep) as trusted:
        assert trusted.demo_users() == []
    assert seen == ["/training/users"]
    with PlatformClient(ClientConfig(url, retries=0), sleep=no_sleep) as untrusted, \
            pytest.raises(OfflineError) as info:
        untrusted.demo_users()
    assert info.value.code == "connect" and russian(info.value)
    assert "сертификат" in info.value.message.lower(), "the official is told it is the certificate"


def test_proxy_is_used(stub_server: Callable[[ssl.SSLContext | None], tuple[str, list[str]]]) -> None:
    proxy, seen = stub_server(None)
    config = ClientConfig("http://pos.example.invalid", proxy=proxy, retries=0)
    with PlatformClient(config, sleep=no_sleep) as client:
        assert client.demo_users() == []
    assert seen == ["http://pos.example.invalid/training/users"]  # absolute-form: it went through the proxy


def test_missing_ca_bundle_is_a_platform_error(tmp_path: Path) -> None:
    with pytest.raises(PlatformError) as info:
        PlatformClient(ClientConfig("https://127.0.0.1:9", ca_bundle=str(tmp_path / "нет.pem")))
    assert russian(info.value)


def test_proxy_without_scheme_is_a_platform_error() -> None:
    with pytest.raises(PlatformError) as info:
        PlatformClient(ClientConfig("https://127.0.0.1:9", proxy="proxy.local:3128"))
    assert russian(info.value)


def test_ca_bundle_ignored_for_plain_http(world: World, tmp_path: Path) -> None:
    client = world.client(ca_bundle=str(tmp_path / "absent.pem"), proxy=None)
    client.login("c-coord", PASSWORD)
    assert client.me().user.id == "c-coord"


# --- network failures -----------------------------------------------------------------------


def test_closed_port_is_offline_after_retries() -> None:
    delays: list[float] = []
    config = ClientConfig(f"http://127.0.0.1:{free_port()}", retries=3, connect_timeout=1.0)
    with PlatformClient(config, sleep=delays.append) as client:
        with pytest.raises(OfflineError) as info:
            client.login("c-coord", PASSWORD)
        assert len(delays) == 3
        with pytest.raises(OfflineError):
            client.me()
    assert info.value.code == "connect" and info.value.retryable and russian(info.value)
    assert info.value.message.startswith("Нет связи с платформой")


def test_read_timeout_is_offline_timeout(world: World) -> None:
    client = world.client("c-coord", read_timeout=0.3, retries=0)
    world.server.faults.configure(FaultConfig(latency_ms=1500))
    with pytest.raises(OfflineError) as info:
        client.me()
    assert info.value.code == "timeout" and russian(info.value)
    world.server.faults.configure(FaultConfig())
    assert client.me().user.id == "c-coord"


def test_error_body_json_is_documented_shape(world: World) -> None:
    response = httpx.get(f"{world.url}/api/v1/me")
    assert response.status_code == 401
    body = json.loads(response.content)
    assert body["error"]["code"] == "unauthorized" and CYRILLIC.search(body["error"]["message"])
