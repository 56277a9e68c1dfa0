"""A cross-check against a platform implementation not written here: ``lti1p3platform``
(OpenLearningNet).  Its own code builds the login initiation URL, signs the id_token, checks
the tool's client assertion for an access token, checks the bearer token of the score post, and
checks the deep-linking response against matcalc's JWKS; this file only carries its requests
over HTTP (a small Flask app, as its Django and FastAPI adapters do)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, request
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService
from sqlalchemy import Engine
from werkzeug.serving import make_server

from tests.web.lti.platform import INSTRUCTOR, LEARNER, form_of
from tests.web.lti.test_scores import FAST, graded, matcalc_total, wait_for
from tests.web.servers import LiveServer
from web.lti.platforms import add_platform

CLIENT_ID = "independent-client"
DEPLOYMENT_ID = "independent-deployment"


def _pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


class _Request(Request):
    def build_metadata(self, flask_request: Any) -> TRequest:
        return {"method": flask_request.method, "form_data": flask_request.form.to_dict(),
                "get_data": flask_request.args.to_dict(), "headers": flask_request.headers,
                "content_type": flask_request.content_type, "path": flask_request.path,
                "json": flask_request.get_json(silent=True)}


@dataclass
class _Launch:
    user_id: str
    roles: list[str]
    deep_linking: bool = False


@dataclass
class Independent:
    tool_url: str
    url: str = ""
    private_pem: str = ""
    public_pem: str = ""
    launches: dict[str, _Launch] = field(default_factory=dict)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    content_items: list[dict[str, Any]] = field(default_factory=list)

    def registration(self) -> Registration:
        return (Registration().set_iss(self.url).set_client_id(CLIENT_ID)
                .set_deployment_id(DEPLOYMENT_ID)
                .set_oidc_login_url(self.tool_url + "/lti/login")
                .set_launch_url(self.tool_url + "/lti/launch")
                .set_deeplink_launch_url(self.tool_url + "/lti/launch")
                .set_platform_public_key(self.public_pem)
                .set_platform_private_key(self.private_pem)
                .set_tool_key_set_url(self.tool_url + "/lti/jwks.json"))


def _serve(platform: Independent) -> Flask:
    app = Flask("independent-platform")

    class Config(LTI1P3PlatformConfAbstract):
        def init_platform_config(self, **kwargs: Any) -> None:
            pass

        def get_registration_by_params(self, **kwargs: Any) -> Registration:
            return platform.registration()

    def config() -> Config:
        made = Config()
        made.get_registration()   # the library's endpoints expect it loaded
        return made

    class Login(OIDCLoginAbstract):
        def set_lti_message_hint(self, **kwargs: Any) -> None:
            self._lti_message_hint = kwargs["hint"]

        def get_redirect(self, url: str) -> str:
            return url

    class Launch(LTIAdvantageMessageLaunchAbstract):
        def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> str:
            return (f'<form method="post" action="{launch_data["launch_url"]}">'
                    f'<input type="hidden" name="id_token" value="{launch_data["id_token"]}">'
                    f'<input type="hidden" name="state" value="{launch_data["state"]}">'
                    "</form>")

    class Grades(AssignmentsGradesService):
        def update_score(self, line_item_id: str, score: Any) -> UpdateScoreStatus:
            platform.scores[score["userId"]] = score
            return UpdateScoreStatus.SUCCESS

        def find_lineitems(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

        def find_lineitem(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

        def create_lineitem(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

        def update_lineitem(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

        def delete_lineitem(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

        def get_results(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

    @app.get("/start/<hint>")
    def start(hint: str) -> Any:
        login = Login(_Request(request), config())
        launch = platform.launches[hint]
        if launch.deep_linking:
            login.set_deeplinking_launch_url()
        login.set_lti_message_hint(hint=hint)
        return Response(login.initiate_login(launch.user_id), 200)

    @app.get("/auth")
    def auth() -> Any:
        hint = request.args["lti_message_hint"]
        launch = platform.launches[hint]
        message = Launch(_Request(request), config())
        message.set_user_data(launch.user_id, launch.roles, full_name="Independent User")
        message.set_launch_context_claim("course-x", context_title="Cross-check")
        if launch.deep_linking:
            message.set_dl(platform.url + "/dl-return", title="matcalc",
                           accept_types={"ltiResourceLink"})
        else:
            message.set_resource_link_claim("link-x", title="Cross-checked")
            message.set_custom_parameters_claim({"count": "2"})
            message.set_ags(lineitems_url=platform.url + "/lineitems",
                            lineitem_url=platform.url + "/lineitems/1/lineitem")
            message.set_nrps(platform.url + "/memberships")
        return Response(message.lti_launch(), 200, content_type="text/html")

    @app.post("/token")
    def token() -> Any:
        return config().get_access_token(request.form.to_dict())

    @app.post("/lineitems/<item>/lineitem/scores")
    def scores(item: str) -> Any:
        service = Grades(_Request(request), config(), platform.url + "/lineitems",
                         platform.url + f"/lineitems/{item}/lineitem")
        answer = service.handle_resp(service.handle_update_score, line_item_id=item)
        return Response(json.dumps(answer.message), answer.code)

    @app.get("/jwks")
    def jwks() -> Any:
        return config().get_jwks()

    @app.post("/dl-return")
    def deep_link_return() -> Any:
        platform.content_items.extend(config().validate_deeplinking_resp(request.form.to_dict()))
        return "ok"

    return app


@pytest.fixture
def independent(server: LiveServer, engine: Engine) -> Iterator[Independent]:
    platform = Independent(server.url)
    platform.private_pem, platform.public_pem = _pem_pair()
    running = make_server("127.0.0.1", 0, _serve(platform), threaded=True)
    platform.url = f"http://127.0.0.1:{running.server_port}"
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    with engine.begin() as connection:
        add_platform(connection, issuer=platform.url, client_id=CLIENT_ID,
                     deployment_id=DEPLOYMENT_ID, auth_url=platform.url + "/auth",
                     token_url=platform.url + "/token", jwks_url=platform.url + "/jwks")
    try:
        yield platform
    finally:
        running.shutdown()
        thread.join(timeout=5)


def _launch(platform: Independent, session: requests.Session, launch: _Launch) -> Any:
    hint = f"hint-{len(platform.launches)}"
    platform.launches[hint] = launch
    login_url = session.get(f"{platform.url}/start/{hint}", timeout=10).text
    page = session.get(login_url, timeout=30)     # the tool redirects to the platform's /auth
    assert page.status_code == 200, page.text
    action, fields = form_of(page.text)
    return session.post(action, data=fields, allow_redirects=False, timeout=60)


def test_the_independent_platform_launches_grades_and_deep_links(
        independent: Independent, server: LiveServer, engine: Engine) -> None:
    server.app.extensions["matcalc.lti.sender"].settings = FAST
    with requests.Session() as session:
        reply = _launch(independent, session, _Launch("learner-9", LEARNER))
        assert reply.status_code == 303, reply.text
        student_id = int(reply.headers["Location"].split("/")[2])
        graded(engine, student_id, [1.0, 0.0])
        server.app.extensions["matcalc.lti.sender"].graded(student_id)
        wait_for(lambda: "learner-9" in independent.scores)
        score = independent.scores["learner-9"]
        assert score["scoreGiven"] == matcalc_total(engine, student_id) == 1.0
        assert score["gradingProgress"] == "FullyGraded"

        picker = _launch(independent, session, _Launch("teacher-1", INSTRUCTOR, True))
        assert picker.status_code == 200, picker.text
        action, fields = form_of(picker.text)
        returned = session.post(server.url + action, data=fields, timeout=120)
        back, jwt_fields = form_of(returned.text)
        assert session.post(back, data=jwt_fields, timeout=30).text == "ok"
    assert independent.content_items[0]["type"] == "ltiResourceLink"
    assert independent.content_items[0]["lineItem"]["scoreMaximum"] == 4
