"""The LTI blueprint: OIDC login, launch, the tool's JWKS and the deep-linking picker.  Views
only translate HTTP; pylti1p3 validates, the modules beside this one decide."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from pylti1p3.contrib.flask.cookie import FlaskCookieService
from pylti1p3.contrib.flask.message_launch import FlaskMessageLaunch
from pylti1p3.contrib.flask.oidc_login import FlaskOIDCLogin
from pylti1p3.contrib.flask.request import FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem
from sqlalchemy import Connection, Engine

from grader.errors import MatcalcError
from web.assignments import student_path
from web.lti import keys, picker
from web.lti.identity import role_of
from web.lti.launches import LTI, Launch, enroll_member, open_link, read_launch
from web.lti.platforms import find_deployment, find_platform
from web.lti.storage import DatabaseLaunchStorage, forget_expired, use_nonce
from web.lti.toolconf import DatabaseToolConf

log = logging.getLogger(__name__)

blueprint = Blueprint("lti", __name__, url_prefix="/lti")

#: The session key the dashboard honours: assignments this browser may manage (LTI staff).
INSTRUCTOR_ASSIGNMENTS = "lti_instructor_assignments"
STORAGE_COOKIE = "lti1p3-session-id"


class RefusedError(Exception):
    """A launch or login matcalc won't accept; shown as a page, nothing stored."""

    def __init__(self, title: str, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.title, self.reason, self.status = title, reason, status


def _request() -> Any:
    """pylti1p3's view of the current Flask request."""
    return FlaskRequest()  # type: ignore[no-untyped-call]


def _engine() -> Engine:
    engine: Engine = current_app.extensions["matcalc.engine"]
    return engine


@contextmanager
def _transaction() -> Iterator[Connection]:
    with _engine().begin() as connection:
        yield connection


def refused_page(problem: RefusedError) -> Response:
    response = make_response(render_template("lti_refused.html", title=problem.title,
                                             reason=problem.reason), problem.status)
    return response


@blueprint.errorhandler(RefusedError)
def _refused(problem: RefusedError) -> Response:
    return refused_page(problem)


# -- keys -----------------------------------------------------------------------------------
@blueprint.get("/jwks.json")
def jwks() -> Response:
    with _transaction() as connection:
        response = jsonify(keys.jwks(connection))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# -- login ----------------------------------------------------------------------------------
@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Third-party-initiated login: check the platform is registered and the target is this
    tool, then send the browser to the platform's authentication endpoint with a state cookie
    and a nonce."""
    launch_url = url_for("lti.launch", _external=True)
    target = request.values.get("target_link_uri", "")
    if target and urlsplit(target).netloc != urlsplit(launch_url).netloc:
        raise RefusedError("Login refused", f"the target {target!r} is not on this server "
                           f"({urlsplit(launch_url).netloc}); check the tool URL in the LMS")
    engine = _engine()
    request_ = _request()
    cookies = FlaskCookieService(request_)  # type: ignore[no-untyped-call]
    oidc = FlaskOIDCLogin(request_, DatabaseToolConf(engine), cookie_service=cookies,
                          launch_data_storage=DatabaseLaunchStorage(engine))
    try:
        redirection = oidc.get_redirect_object(launch_url)
    except (OIDCException, LtiException) as problem:
        raise RefusedError("Login refused", _login_reason(str(problem))) from None
    with _transaction() as connection:
        forget_expired(connection)
    if request.is_secure and not request.values.get("lti1p3_new_window"):
        # Inside the LMS's frame: a script checks that cookies can be set before leaving;
        # if they can't, the page offers to open matcalc in a new window.
        again = {k: v for k, v in request.values.items() if k != "csrf_token"}
        again["lti1p3_new_window"] = "1"
        page = make_response(render_template(
            "lti_login.html", auth_url=redirection.get_redirect_url(),
            new_window_url=url_for("lti.login", _external=True) + "?" + urlencode(again)))
        cookies.update_response(page)  # type: ignore[no-untyped-call]
        return page
    return redirection.do_redirect()


def _login_reason(message: str) -> str:
    if "registration" in message.lower():
        return ("this platform (issuer and client id) is not registered with matcalc; "
                "register it with: matcalc lti add-platform")
    return message


# -- launch ---------------------------------------------------------------------------------
class _MessageLaunch(FlaskMessageLaunch):
    """pylti1p3's launch, with its claims stored only once matcalc accepts the launch."""

    def save_launch_data(self) -> _MessageLaunch:
        return self

    def keep(self) -> None:
        FlaskMessageLaunch.save_launch_data(self)


def _validated() -> _MessageLaunch:
    engine = _engine()
    if not request.cookies.get(STORAGE_COOKIE):
        raise RefusedError("Cookies are blocked",
                           "your browser did not send matcalc's cookie back from the LMS's frame. "
                           "Open the activity in a new window (the LMS's activity settings offer "
                           "it), or allow cookies for this site, and launch it again.")
    try:
        message = _MessageLaunch(_request(), DatabaseToolConf(engine),
                                 launch_data_storage=DatabaseLaunchStorage(engine))
        message.validate()
    except LtiException as problem:
        raise RefusedError("Launch refused", _launch_reason(str(problem))) from None
    return message


def _launch_reason(message: str) -> str:
    plain = {
        "Registration not found.": "the token's issuer and audience (client id) are not a "
                                   "platform registered with matcalc",
        "State not found": "the launch does not match a login started in this browser "
                           "(state cookie missing or different)",
        "Missing state param": "the launch carries no state",
        "Invalid Nonce.": "the token's nonce was not issued by this login",
    }
    return plain.get(message, message)


@blueprint.post("/launch")
def launch() -> Any:
    message = _validated()
    claims: dict[str, Any] = dict(message.get_launch_data())
    if message.is_deep_link_launch():
        return _deep_link_launch(message, claims)
    if not message.is_resource_launch():
        raise RefusedError("Launch refused",
                           "matcalc takes resource-link and deep-linking launches only")
    facts = read_launch(claims)
    if facts.role is None:
        raise RefusedError("No matcalc role", "matcalc opens for learners and for instructors, "
                           "teaching assistants, content developers and administrators; this "
                           "launch carries none of those roles", 403)
    if facts.role == "learner" and not facts.sub:
        raise RefusedError("Anonymous launch", "the LMS did not say who you are (no 'sub' claim), "
                           "so matcalc can't give you your own variant", 403)
    with _transaction() as connection:
        assignment_id, link_id, student_id = _accept(connection, claims, facts)
        path = student_path(connection, student_id) if student_id is not None else None
    if path is None:
        allowed = set(session.get(INSTRUCTOR_ASSIGNMENTS, []))
        session[INSTRUCTOR_ASSIGNMENTS] = sorted(allowed | {assignment_id})
        from web.lti.roster import fetch_in_background
        fetch_in_background(current_app._get_current_object(), link_id)  # type: ignore[attr-defined]
        return redirect(f"/instructor/assignments/{assignment_id}", 303)
    return redirect(path, 303)


def _accept(connection: Connection, claims: dict[str, Any],
            facts: Launch) -> tuple[int, int, int | None]:
    """Store what the launch makes, in one transaction: refused, it leaves nothing."""
    if not use_nonce(connection, facts.issuer, str(claims.get("nonce"))):
        raise RefusedError("Launch refused", "this launch's token was used before (a replayed "
                           "id_token); launch the activity again from the LMS")
    platform = find_platform(connection, facts.issuer, facts.client_id)
    assert platform is not None  # pylti1p3 found it
    deployment = find_deployment(connection, platform, facts.deployment_id)
    assert deployment is not None
    try:
        assignment_id, link_id = open_link(connection, deployment, facts)
        if facts.role == "instructor":
            return assignment_id, link_id, None
        student_id = enroll_member(connection, platform, assignment_id, facts.sub,
                                   name=facts.name, email=facts.email)
    except MatcalcError as problem:  # the transaction is rolled back
        raise RefusedError("This link can't be opened", str(problem)) from None
    return assignment_id, link_id, student_id


# -- deep linking -----------------------------------------------------------------------------
def _deep_link_launch(message: _MessageLaunch, claims: dict[str, Any]) -> Any:
    if role_of(claims.get(LTI + "roles") or []) != "instructor":
        raise RefusedError("Not allowed", "only instructors choose matcalc exercises", 403)
    with _transaction() as connection:
        if not use_nonce(connection, str(claims["iss"]), str(claims.get("nonce"))):
            raise RefusedError("Launch refused", "this launch's token was used before (a replayed "
                               "id_token); launch the activity again from the LMS")
    message.keep()
    return render_template("lti_picker.html", launch_id=message.get_launch_id(),
                           choices=picker.choices(), problem=None, values={})


@blueprint.post("/picker")
def picker_submit() -> Any:
    engine = _engine()
    launch_id = request.form.get("launch_id", "")
    try:
        message = _MessageLaunch.from_cache(launch_id, _request(), DatabaseToolConf(engine),
                                            launch_data_storage=DatabaseLaunchStorage(engine))
    except LtiException:
        raise RefusedError("The picker has expired", "open the exercise picker from the LMS "
                           "again") from None
    try:
        with _transaction() as connection:
            choice = picker.read_choice(connection, request.form, request.files)
    except MatcalcError as problem:
        return render_template("lti_picker.html", launch_id=launch_id,
                               choices=picker.choices(), problem=str(problem),
                               values=request.form), 400
    deep_link = message.get_deep_link()
    resource = (DeepLinkResource().set_type("ltiResourceLink").set_title(choice.title)
                .set_url(url_for("lti.launch", _external=True))
                .set_custom_params(choice.custom)
                .set_lineitem(LineItem().set_label(choice.title)
                              .set_score_maximum(choice.score_maximum)
                              .set_tag("matcalc")))
    token = deep_link.get_response_jwt([resource])
    return_url = message.get_launch_data()[
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"][
        "deep_link_return_url"]
    page = make_response(render_template("lti_return.html", return_url=return_url,
                                         token=token, title=choice.title))
    return_origin = "{0.scheme}://{0.netloc}".format(urlsplit(return_url))
    from web.app import CONTENT_SECURITY_POLICY
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {return_origin}")
    return page
