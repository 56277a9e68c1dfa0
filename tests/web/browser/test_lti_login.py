"""LTI: the login page's cookie check in a real browser (the session's Chromium): with
cookies it goes on to the platform; without, it offers to open matcalc in a new window."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import waitress
from playwright.sync_api import Browser as Chromium
from sqlalchemy import Engine

from tests.web.lti.platform import running_platform
from tests.web.servers import LiveServer
from web.app import close_app, create_app
from web.config import ServeConfig
from web.lti.platforms import add_platform

HTTPS = {"X-Forwarded-Proto": "https"}   # as a proxy terminating TLS would say


@pytest.fixture
def proxied(config: ServeConfig) -> Iterator[LiveServer]:
    """The app behind waitress as ``matcalc serve --proxies 1`` runs it: X-Forwarded-* kept."""
    app = create_app(dataclasses.replace(config, proxies=1, secure_cookies=True))
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4,
                                    clear_untrusted_proxy_headers=False)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.effective_port}")  # type: ignore[union-attr]
    finally:
        server.close()
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]
        close_app(app)


def test_the_login_page_checks_cookies(proxied: LiveServer, browser: Chromium) -> None:
    engine: Engine = proxied.app.extensions["matcalc.engine"]
    with running_platform(proxied.url) as platform:
        with engine.begin() as connection:
            add_platform(connection, issuer=platform.issuer, client_id=platform.client_id,
                         deployment_id=platform.deployment_id, auth_url=platform.auth_url,
                         token_url=platform.token_url, jwks_url=platform.jwks_url)
        target = proxied.url.replace("http://", "https://") + "/lti/launch"
        login = proxied.url + "/lti/login?" + urlencode({
            "iss": platform.issuer, "login_hint": "s-1", "client_id": platform.client_id,
            "lti_message_hint": "m-1", "target_link_uri": target})

        allowed = browser.new_context(extra_http_headers=HTTPS)
        page = allowed.new_page()
        page.goto(login)
        page.wait_for_url(platform.auth_url + "?*")        # left for the platform at once
        assert "redirect_uri=" + target.replace(":", "%3A").replace("/", "%2F") in page.url
        allowed.close()

        blocked = browser.new_context(extra_http_headers=HTTPS)
        blocked.add_init_script(
            "Object.defineProperty(navigator, 'cookieEnabled', {get: () => false});")
        page = blocked.new_page()
        page.goto(login)
        link = page.get_by_role("link", name="Open matcalc in a new window")
        link.wait_for()
        assert "lti1p3_new_window=1" in (link.get_attribute("href") or "")
        assert link.get_attribute("target") == "_blank"
        assert page.url.startswith(proxied.url)               # it stayed
        blocked.close()
    assert len(platform.records("/auth")) == 1              # only the allowed browser left
