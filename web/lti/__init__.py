"""LTI 1.3: matcalc as a tool inside an LMS (Moodle, Canvas, Blackboard, Brightspace), with
grades passed back.  Built on pylti1p3 (the pylti1p3next distribution); :func:`init_app` is all
the app factory calls."""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import Engine

from web.lti.outbox import ScoreSender

#: Seconds the list of platform origins allowed to frame matcalc is cached.
ORIGINS_TTL = 60.0


def init_app(app: Flask) -> None:
    """Register the blueprint, let registered platforms frame matcalc, make cookies work in
    their frames over HTTPS, and start the score sender (fed by the grading service)."""
    from web.app import csrf, settings
    from web.lti.views import blueprint, launch, login

    app.register_blueprint(blueprint)
    # the platform posts these; pylti1p3's state cookie and nonce protect them instead
    csrf.exempt(login)
    csrf.exempt(launch)
    if settings(app).secure_cookies:
        # inside the LMS's iframe every request is cross-site: only SameSite=None cookies
        # arrive; Partitioned (CHIPS) keeps them when third-party cookies are blocked
        app.config.update(SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_PARTITIONED=True)
    engine: Engine = app.extensions["matcalc.engine"]
    _frame_for_platforms(app, engine)
    sender = ScoreSender(engine)
    app.extensions["matcalc.lti.sender"] = sender
    app.extensions["matcalc.grading"].add_listener(sender.graded)
    app.extensions.setdefault("matcalc.on_close", []).append(sender.stop)
    sender.start()


def _frame_for_platforms(app: Flask, engine: Engine) -> None:
    """Registered platforms may frame the pages a launch leads to (web/security.py asks)."""
    from web.lti.platforms import platform_origins
    from web.security import LTI_ANCESTORS

    cache: dict[str, tuple[float, str]] = {}

    def ancestors() -> str:
        found = cache.get("origins")
        if found is None or found[0] < time.monotonic():
            with engine.begin() as connection:
                origins = " ".join(["'self'", *platform_origins(connection)])
            found = (time.monotonic() + ORIGINS_TTL, origins)
            cache["origins"] = found
        return found[1]

    app.extensions[LTI_ANCESTORS] = lambda: ancestors().split()
