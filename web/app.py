"""The Flask application factory: one blueprint per audience, security on every response."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

import templates
from web.config import ServeConfig
from web.database import connect, migrate
from web.grading import GradingService
from web.security import CONTENT_SECURITY_POLICY, install

__all__ = ["CONTENT_SECURITY_POLICY", "close_app", "create_app", "csrf", "settings"]

TEMPLATES = Path(templates.__file__).parent / "web"
STATIC = Path(__file__).parent / "static"

csrf = CSRFProtect()


def create_app(config: ServeConfig) -> Flask:
    """A ready app: the database migrated, blueprints registered, the grading thread started
    when ``config.grading`` says so."""
    app = Flask("web", template_folder=str(TEMPLATES), static_folder=str(STATIC))
    app.config.update(
        SECRET_KEY=config.secret_key,
        MAX_CONTENT_LENGTH=config.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead
        WTF_CSRF_SSL_STRICT=config.secure_cookies,
        TEMPLATES_AUTO_RELOAD=False,
    )
    if config.proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=config.proxies, x_proto=config.proxies,
            x_host=config.proxies, x_port=config.proxies, x_prefix=config.proxies)
    engine = connect(config.database_url)
    migrate(engine)
    app.extensions["matcalc.config"] = config
    app.extensions["matcalc.engine"] = engine
    csrf.init_app(app)
    install(app, config)  # headers, rate limits, error answers: web/security.py
    grading = GradingService(engine, config)
    app.extensions["matcalc.grading"] = grading
    app.extensions["matcalc.on_close"] = [grading.stop]
    if config.grading:
        grading.start()

    from web import api
    app.register_blueprint(api.blueprint)
    csrf.exempt(api.blueprint)  # reads only; stores nothing
    from web import student
    app.register_blueprint(student.blueprint)
    from web.instructor import blueprint as instructor
    app.register_blueprint(instructor)
    from web import lti
    lti.init_app(app)  # LTI 1.3: blueprint, framing by registered platforms, score sender

    return app


def close_app(app: Flask) -> None:
    """Stop what the app started (the grading thread, database connections)."""
    for stop in app.extensions.get("matcalc.on_close", []):
        stop()
    app.extensions["matcalc.engine"].dispose()


def settings(app: Flask) -> ServeConfig:
    config: Any = app.extensions["matcalc.config"]
    return config  # type: ignore[no-any-return]
