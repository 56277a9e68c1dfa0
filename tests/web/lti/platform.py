"""An LTI 1.3 platform for tests: PyJWT and cryptography on a loopback port, in a thread.

It signs id_tokens with its own RSA key and serves its JWKS, the OIDC authentication endpoint
(answering with the auto-posting form a browser would submit), the OAuth 2 token endpoint (the
tool's client assertion checked against the tool's JWKS), a line item's score endpoint, the
roster (NRPS) and the deep-linking return.  It records everything it receives, and can be told
to refuse the next scores, or to store a score and then drop the connection before replying.

:class:`Browser` plays the user's browser: it starts a launch at the tool's login URL, follows
the redirect to the platform, and posts the form the platform answers with back to the tool."""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, abort, jsonify, request
from jwt.algorithms import RSAAlgorithm
from werkzeug.serving import make_server

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LEARNER = [ROLE + "Learner"]
INSTRUCTOR = [ROLE + "Instructor"]
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def new_key() -> tuple[rsa.RSAPrivateKey, str]:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), uuid.uuid4().hex


@dataclass
class Message:
    """What the platform puts in one id_token, and how a negative test spoils it."""

    sub: str = "student-1"
    roles: list[str] = field(default_factory=lambda: list(LEARNER))
    name: str | None = "Ada Student"
    context_id: str = "course-1"
    resource_link_id: str = "link-1"
    title: str = "Gradients"
    custom: dict[str, str] = field(default_factory=lambda: {"families": "", "count": "2"})
    lineitem: str | None = "1"          # the line item id; None: no AGS claim
    deep_linking: bool = False
    deployment_id: str | None = None    # None: the platform's own
    # spoilers
    aud: str | None = None
    iss: str | None = None
    expires_in: int = 300
    signing_key: rsa.RSAPrivateKey | None = None
    nonce: str | None = None            # None: the nonce of the authentication request


@dataclass
class Record:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]
    body: str


class TestPlatform:
    __test__ = False  # not a test class for pytest

    def __init__(self, tool_url: str, *, client_id: str = "matcalc-client",
                 deployment_id: str = "deployment-1") -> None:
        self.tool_url = tool_url.rstrip("/")
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.key, self.kid = new_key()
        self.old_keys: list[tuple[rsa.RSAPrivateKey, str]] = []
        self.url = ""  # set when serving
        self.received: list[Record] = []
        self.messages: dict[str, Message] = {}
        self.tokens: set[str] = set()
        self.scores: dict[tuple[str, str], dict[str, Any]] = {}   # (line item, user) -> score
        self.lineitems: dict[str, dict[str, Any]] = {"1": {"label": "Gradients",
                                                           "scoreMaximum": 2}}
        self.members: list[dict[str, Any]] = []
        self.deep_link_returns: list[dict[str, Any]] = []
        self.refuse_scores = 0   # refuse this many score posts (503)
        self.drop_replies = 0    # store this many scores, then close without replying
        self.last_id_token: dict[str, str] = {}
        self.browsers: list[Browser] = []
        self._lock = threading.Lock()
        self.app = self._make_app()

    # -- endpoints the tool registers --------------------------------------------------------
    @property
    def issuer(self) -> str:
        return self.url

    @property
    def auth_url(self) -> str:
        return self.url + "/auth"

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    @property
    def jwks_url(self) -> str:
        return self.url + "/jwks"

    def lineitem_url(self, lineitem: str) -> str:
        return f"{self.url}/lineitems/{lineitem}/lineitem"

    def rotate_key(self) -> None:
        self.old_keys.append((self.key, self.kid))
        self.key, self.kid = new_key()

    def records(self, path_start: str) -> list[Record]:
        return [r for r in self.received if r.path.startswith(path_start)]

    # -- the id_token --------------------------------------------------------------------------
    def id_token(self, message: Message, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": message.iss or self.issuer, "aud": message.aud or self.client_id,
            "sub": message.sub, "iat": now - 5, "exp": now + message.expires_in,
            "nonce": message.nonce or nonce, "azp": message.aud or self.client_id,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": message.deployment_id or self.deployment_id,
            LTI + "roles": message.roles,
            LTI + "context": {"id": message.context_id, "title": "Matrix calculus 101"},
            LTI + "tool_platform": {"guid": "test-platform", "name": "Test platform"},
        }
        if message.name:
            claims["name"] = message.name
        if message.deep_linking:
            claims[LTI + "message_type"] = "LtiDeepLinkingRequest"
            claims[LTI + "target_link_uri"] = self.tool_url + "/lti/launch"
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.url + "/dl-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": False, "accept_lineitem": True, "data": "platform-data-7"}
        else:
            claims[LTI + "message_type"] = "LtiResourceLinkRequest"
            claims[LTI + "target_link_uri"] = self.tool_url + "/lti/launch"
            claims[LTI + "resource_link"] = {"id": message.resource_link_id,
                                             "title": message.title}
            claims[LTI + "custom"] = message.custom
            claims[NRPS] = {"context_memberships_url": self.url + "/memberships",
                            "service_versions": ["2.0"]}
            if message.lineitem is not None:
                claims[AGS] = {
                    "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                              "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                    "lineitems": self.url + "/lineitems",
                    "lineitem": self.lineitem_url(message.lineitem)}
        key = message.signing_key or self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})

    # -- checking what the tool signs ------------------------------------------------------
    def tool_claims(self, token: str, audience: str) -> dict[str, Any]:
        """Verify a JWT the tool signed against the tool's JWKS, fetched now."""
        header = jwt.get_unverified_header(token)
        keys = requests.get(self.tool_url + "/lti/jwks.json", timeout=10).json()["keys"]
        for jwk in keys:
            if jwk["kid"] == header.get("kid"):
                public = RSAAlgorithm.from_jwk(json.dumps(jwk))
                return jwt.decode(token, public, algorithms=["RS256"],  # type: ignore[arg-type]
                                  audience=audience)
        raise jwt.InvalidTokenError(f"no key {header.get('kid')} in the tool's JWKS")

    # -- the HTTP side ---------------------------------------------------------------------
    def _make_app(self) -> Flask:
        app = Flask("test-platform")

        @app.before_request
        def _record() -> None:
            self.received.append(Record(request.method, request.path,
                                        dict(request.headers), request.form.to_dict(),
                                        request.get_data(as_text=True)))

        @app.get("/jwks")
        def jwks() -> Response:
            keys = []
            for key, kid in [(self.key, self.kid), *self.old_keys]:
                jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
                keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
            return jsonify({"keys": keys})

        @app.get("/auth")
        def auth() -> Any:
            args = request.args
            wanted = {"scope": "openid", "response_type": "id_token",
                      "response_mode": "form_post", "prompt": "none",
                      "client_id": self.client_id,
                      "redirect_uri": self.tool_url + "/lti/launch"}
            for name, value in wanted.items():
                if args.get(name) != value:
                    return Response(f"bad {name}: {args.get(name)!r}", 400)
            if not args.get("nonce") or not args.get("state"):
                return Response("nonce and state are required", 400)
            message = self.messages.get(args.get("lti_message_hint", ""))
            if message is None or args.get("login_hint") != message.sub:
                return Response("unknown login", 400)
            token = self.id_token(message, args["nonce"])
            self.last_id_token = {"id_token": token, "state": args["state"]}
            return Response(
                f'<form method="post" action="{args["redirect_uri"]}">'
                f'<input type="hidden" name="id_token" value="{token}">'
                f'<input type="hidden" name="state" value="{args["state"]}"></form>',
                200, content_type="text/html")

        @app.post("/token")
        def token() -> Any:
            form = request.form
            if (form.get("grant_type") != "client_credentials" or form.get(
                    "client_assertion_type")
                    != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"):
                return jsonify({"error": "unsupported_grant_type"}), 400
            try:
                claims = self.tool_claims(form.get("client_assertion", ""), self.token_url)
            except jwt.InvalidTokenError as problem:
                return jsonify({"error": "invalid_client", "detail": str(problem)}), 401
            if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
                return jsonify({"error": "invalid_client"}), 401
            access = secrets.token_urlsafe(16)
            self.tokens.add(access)
            return jsonify({"access_token": access, "token_type": "Bearer",
                            "expires_in": 3600, "scope": form.get("scope", "")})

        def _authorised() -> None:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer ") or header[7:] not in self.tokens:
                abort(401)

        @app.post("/lineitems/<lineitem>/lineitem/scores")
        def scores(lineitem: str) -> Any:
            _authorised()
            if request.content_type != SCORE_TYPE or lineitem not in self.lineitems:
                return Response("unsupported", 415 if lineitem in self.lineitems else 404)
            with self._lock:
                if self.refuse_scores:
                    self.refuse_scores -= 1
                    return Response("try later", 503)
                score = json.loads(request.get_data(as_text=True))
                key = (lineitem, score["userId"])
                stored = self.scores.get(key)
                # AGS: a score older than the one kept is not applied
                if stored is None or stored["timestamp"] <= score["timestamp"]:
                    self.scores[key] = score
                if self.drop_replies:
                    self.drop_replies -= 1
                    connection: socket.socket = request.environ["werkzeug.socket"]
                    connection.shutdown(socket.SHUT_RDWR)
                    return Response("", 204)
            return Response("", 204)

        @app.get("/memberships")
        def memberships() -> Any:
            _authorised()
            return Response(json.dumps({"id": self.url + "/memberships",
                                        "context": {"id": "course-1"},
                                        "members": self.members}), 200,
                            content_type="application/vnd.ims.lti-nrps.v2.membershipcontainer"
                                         "+json")

        @app.post("/dl-return")
        def deep_link_return() -> Any:
            try:
                claims = self.tool_claims(request.form.get("JWT", ""), self.issuer)
            except jwt.InvalidTokenError as problem:
                return Response(f"refused: {problem}", 400)
            if (claims.get(LTI + "message_type") != "LtiDeepLinkingResponse"
                    or claims.get("iss") != self.client_id):
                return Response("refused: not a deep-linking response", 400)
            self.deep_link_returns.append(claims)
            return Response("content added", 200)

        return app

    def link_from_deep_link(self, claims: dict[str, Any], resource_link_id: str) -> Message:
        """What an LMS does with a returned ltiResourceLink: a line item, and a link whose
        launches carry the item's custom parameters."""
        item = claims[DL + "content_items"][0]
        lineitem = str(len(self.lineitems) + 1)
        self.lineitems[lineitem] = dict(item["lineItem"])
        return Message(resource_link_id=resource_link_id, title=item["title"],
                       custom=dict(item.get("custom") or {}), lineitem=lineitem)


@contextmanager
def running_platform(tool_url: str, **options: Any) -> Iterator[TestPlatform]:
    platform = TestPlatform(tool_url, **options)
    server = make_server("127.0.0.1", 0, platform.app, threaded=True)
    platform.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        for browser in platform.browsers:  # a kept-alive connection holds the tool's server
            browser.session.close()
        server.shutdown()
        thread.join(timeout=5)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((named.get("action", ""), {}))
        elif tag == "input" and self.forms and named.get("name") and named.get(
                "type") != "file" and named.get("type") != "checkbox":
            self.forms[-1][1][named["name"]] = named.get("value", "")


def form_of(html: str) -> tuple[str, dict[str, str]]:
    """The first form of a page: its action and its inputs' values."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms[0]


class Browser:
    """A user's browser between the platform and the tool (cookies kept, forms posted)."""

    def __init__(self, platform: TestPlatform) -> None:
        self.platform = platform
        self.session = requests.Session()
        platform.browsers.append(self)

    def login(self, message: Message, *, method: str = "POST") -> requests.Response:
        """Start a launch; answers the platform's auto-posting form page (or a refusal)."""
        hint = uuid.uuid4().hex
        self.platform.messages[hint] = message
        params = {"iss": self.platform.issuer, "login_hint": message.sub,
                  "target_link_uri": self.platform.tool_url + "/lti/launch",
                  "lti_message_hint": hint, "client_id": self.platform.client_id,
                  "lti_deployment_id": message.deployment_id or self.platform.deployment_id}
        url = self.platform.tool_url + "/lti/login"
        if method == "GET":
            return self.session.get(url, params=params, timeout=30)
        return self.session.post(url, data=params, timeout=30)

    def launch(self, message: Message, *, spoil: dict[str, Any] | None = None,
               method: str = "POST") -> requests.Response:
        """Login, authentication and the launch; answers the tool's reply to the launch
        (not followed)."""
        page = self.login(message, method=method)
        page.raise_for_status()
        action, fields = form_of(page.text)
        fields.update(spoil or {})
        fields = {k: v for k, v in fields.items() if v is not None}
        return self.post(action, fields)

    def post(self, url: str, fields: dict[str, str], **options: Any) -> requests.Response:
        return self.session.post(urljoin(self.platform.tool_url, url), data=fields,
                                 allow_redirects=False, timeout=60, **options)

    def get(self, url: str) -> requests.Response:
        return self.session.get(urljoin(self.platform.tool_url, url), allow_redirects=False,
                                timeout=60)
