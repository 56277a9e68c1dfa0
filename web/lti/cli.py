"""``matcalc lti``: register platforms, print what to paste into an LMS, rotate the tool's key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Connection

from grader.errors import MatcalcError

_DB_HELP = "SQLAlchemy database URL (default: SQLite in the data folder, as matcalc serve)."


@contextmanager
def _database(url: str | None) -> Iterator[Connection]:
    from web.config import data_folder, default_database
    from web.database import connect, migrate

    try:
        folder = data_folder()
        folder.mkdir(parents=True, exist_ok=True)
        engine = connect(url or default_database(folder))
        migrate(engine)
    except (MatcalcError, OSError) as problem:
        raise click.ClickException(str(problem)) from None
    try:
        with engine.begin() as connection:
            yield connection
    except MatcalcError as problem:
        raise click.ClickException(str(problem)) from None
    finally:
        engine.dispose()


@click.group("lti")
def lti_group() -> None:
    """matcalc inside an LMS (LTI 1.3): Moodle, Canvas, Blackboard, Brightspace.

    \b
    1. matcalc lti show-config --url https://matcalc.example.edu
       prints the URLs and the public key (JWKS) to enter in the LMS;
    2. register matcalc as an LTI 1.3 tool in the LMS, which answers with
       its issuer, a client id, a deployment id and its endpoints;
    3. matcalc lti add-platform --issuer ... --client-id ... (those values).

    Instructors then add matcalc activities from the LMS (the picker chooses
    the exercises); students open their own variant, and every graded
    submission sends the new total to the LMS's gradebook. See docs/lti.md.
    """


@lti_group.command("add-platform")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. https://moodle.example.edu")
@click.option("--client-id", required=True, help="The client id the LMS gave matcalc.")
@click.option("--deployment-id", required=True,
              help="The deployment id (repeat the command for more deployments).")
@click.option("--auth-url", required=True, help="The LMS's OIDC authentication endpoint.")
@click.option("--token-url", required=True, help="The LMS's OAuth 2 access-token endpoint.")
@click.option("--jwks-url", required=True, help="The LMS's public keyset URL.")
@click.option("--audience", default=None,
              help="Audience of the token request if not the token URL (Brightspace).")
@click.option("--db", "database", metavar="URL", default=None, help=_DB_HELP)
def add_platform_command(issuer: str, client_id: str, deployment_id: str, auth_url: str,
                         token_url: str, jwks_url: str, audience: str | None,
                         database: str | None) -> None:
    """Register an LMS (or add a deployment to one already registered).

    \b
    Example (Moodle 4 at https://moodle.example.edu):
      matcalc lti add-platform --issuer https://moodle.example.edu \\
        --client-id AbC123 --deployment-id 1 \\
        --auth-url https://moodle.example.edu/mod/lti/auth.php \\
        --token-url https://moodle.example.edu/mod/lti/token.php \\
        --jwks-url https://moodle.example.edu/mod/lti/certs.php
    """
    from web.lti.platforms import add_platform

    with _database(database) as connection:
        platform, new = add_platform(connection, issuer=issuer, client_id=client_id,
                                     deployment_id=deployment_id, auth_url=auth_url,
                                     token_url=token_url, jwks_url=jwks_url, audience=audience)
    click.echo(f"platform {platform.issuer} (client id {platform.client_id}): "
               f"deployment {deployment_id} {'added' if new else 'already registered'}")


@lti_group.command("show-config")
@click.option("--url", "base", default="http://127.0.0.1:8000", show_default=True,
              help="matcalc's public address, as the LMS's users reach it.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
@click.option("--db", "database", metavar="URL", default=None, help=_DB_HELP)
def show_config_command(base: str, as_json: bool, database: str | None) -> None:
    """Print the tool's URLs and public keys (JWKS) to enter in an LMS, and the platforms
    registered so far."""
    from web.lti import keys
    from web.lti.platforms import all_platforms

    base = base.rstrip("/")
    with _database(database) as connection:
        jwks = keys.jwks(connection)
        platforms = all_platforms(connection)
    urls = {"login_url": f"{base}/lti/login", "launch_url": f"{base}/lti/launch",
            "redirect_uri": f"{base}/lti/launch", "deep_linking_url": f"{base}/lti/launch",
            "jwks_url": f"{base}/lti/jwks.json"}
    if as_json:
        click.echo(json.dumps({**urls, "jwks": jwks, "platforms": [
            {"issuer": p.issuer, "client_id": p.client_id, "deployments": d}
            for p, d in platforms]}, indent=2))
        return
    click.echo(f"Tool URL / target link URI:   {urls['launch_url']}")
    click.echo(f"Initiate login URL (OIDC):    {urls['login_url']}")
    click.echo(f"Redirect URI(s):              {urls['redirect_uri']}")
    click.echo(f"Deep linking (content) URL:   {urls['deep_linking_url']}")
    click.echo(f"Public keyset URL (JWKS):     {urls['jwks_url']}")
    click.echo("Public keyset (for an LMS that wants the key pasted):")
    click.echo(json.dumps(jwks, indent=2))
    click.echo("Platforms registered:" if platforms else
               "No platform registered yet: matcalc lti add-platform --help")
    for platform, deployments in platforms:
        click.echo(f"  {platform.issuer}  client id {platform.client_id}  "
                   f"deployments {', '.join(deployments)}")


@lti_group.command("rotate-key")
@click.option("--db", "database", metavar="URL", default=None, help=_DB_HELP)
def rotate_key_command(database: str | None) -> None:
    """Make a new signing key.  The old one stays in the JWKS for an hour, so that what it
    signed is still accepted; LMSs that fetch the keyset URL need nothing else."""
    from web.lti import keys

    with _database(database) as connection:
        key, retired = keys.rotate(connection)
    click.echo(f"signing key is now {key.kid}")
    for kid in retired:
        click.echo(f"retired {kid} (published until {keys.GRACE} from now)")
