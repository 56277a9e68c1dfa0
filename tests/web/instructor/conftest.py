"""Helpers of the dashboard's tests: an instructor account, logging in, CSRF tokens."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from web.instructor.access import set_password

USER = "ada"
PASSWORD = "correct horse battery"


def engine_of(app: Flask) -> Engine:
    engine: Engine = app.extensions["matcalc.engine"]
    return engine


def csrf_token(client: FlaskClient, path: str = "/instructor/login") -> str:
    """The CSRF token a page of the dashboard carries (as a browser would find it)."""
    page = client.get(path)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert found, f"{path} has no CSRF token (status {page.status_code})"
    return found.group(1)


def log_in(client: FlaskClient, user: str = USER, password: str = PASSWORD) -> None:
    answer = client.post("/instructor/login", data={
        "csrf_token": csrf_token(client), "username": user, "password": password})
    assert answer.status_code == 302, answer.get_data(as_text=True)


@pytest.fixture
def instructor(app: Flask) -> str:
    with engine_of(app).begin() as connection:
        set_password(connection, USER, PASSWORD)
    return USER


@pytest.fixture
def signed_in(client: FlaskClient, instructor: str) -> FlaskClient:
    log_in(client)
    return client
