"""The Flask app: settings, extensions, the features' blueprints, commands and the locale."""

from __future__ import annotations

from typing import Any

from flask import Flask, request, session
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from . import content_origin, sessions
from .extensions import babel, csrf, db
from .request_json import DepthLimitedJSONProvider
from .security_headers import csp_nonce
from .settings import Settings

SUPPORTED_LOCALES = ("en", "nl", "fr", "de")


def create_app(config: dict[str, Any] | Settings | None = None) -> Flask:
    """Build the app. ``config`` is a Settings object, or a dict of Settings fields and Flask keys."""
    if isinstance(config, Settings):
        settings, flask_overrides = config, {}
    else:
        overrides = dict(config or {})
        setting_names = set(Settings.__dataclass_fields__)
        ours = {name: overrides.pop(name) for name in setting_names & overrides.keys()}
        settings, flask_overrides = Settings.from_env(overrides=ours), overrides

    # Named for the package, as before this module held it: templates, static files and the
    # logger are found by that name.
    app = Flask("lti_tool")
    app.json = DepthLimitedJSONProvider(app)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        LEARNPASS=settings,
        SESSION_COOKIE_SAMESITE="None" if settings.secure_cookies else "Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_TRANSLATION_DIRECTORIES="translations",
        WTF_CSRF_SSL_STRICT=False,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(flask_overrides)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)  # type: ignore[method-assign]

    from . import mail as _mail  # noqa: F401  (the outbox's tables, job and eraser)
    from . import models

    db.init_app(
        app,
        settings.database_url,
        metadatas=[models.Base.metadata, *_library_metadatas()],
        forward_statements=bool(settings.xapi_forward_url),
    )
    babel.init_app(app, locale_selector=select_locale)
    sessions.install(app)
    content_origin.install(app)
    csrf.init_app(app)

    from .errors import register_error_handlers
    from .main import bp as main_bp

    register_error_handlers(app)
    app.register_blueprint(main_bp)
    for blueprint in _feature_blueprints():
        app.register_blueprint(blueprint)
        if getattr(blueprint, "csrf_exempt", False):
            csrf.exempt(blueprint)

    if settings.demo:
        from .demo import bp as demo_bp

        app.register_blueprint(demo_bp)
        csrf.exempt(demo_bp)

    from .cli import register_commands

    register_commands(app)

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        return {
            "settings": settings,
            "locales": SUPPORTED_LOCALES,
            # The locale flask_babel chose for this request's texts (select_locale, asked
            # once a request), not chosen a second time for every page rendered.
            "current_locale": str(get_locale() or select_locale()),
        }

    return app


def _library_metadatas() -> list[Any]:
    """Tables declared by the libraries (each keeps its own MetaData, free of Flask)."""
    import learning_packages.tables
    import xapi.tables

    return [xapi.tables.metadata, learning_packages.tables.metadata]


def _feature_blueprints() -> list[Any]:
    from .blended import bp as blended_bp
    from .blended.path_files import bp as blended_files_bp
    from .catalogue import bp as catalogue_bp
    from .catalogue.material_files import bp as catalogue_files_bp
    from .content import bp as content_bp
    from .content import files_bp as content_files_bp
    from .lrs import bp as lrs_bp
    from .lti.routes import bp as lti_bp
    from .passports import bp as passports_bp
    from .passports.files import bp as passport_files_bp
    from .surveys import bp as surveys_bp

    return [
        lti_bp,
        lrs_bp,
        passports_bp,
        content_bp,
        content_files_bp,
        passport_files_bp,
        blended_bp,
        blended_files_bp,
        catalogue_files_bp,
        surveys_bp,
        catalogue_bp,
    ]


def select_locale() -> str:
    """A locale chosen on the page wins, then the LMS launch locale, then the browser."""
    chosen = request.args.get("lang") if request else None
    if chosen in SUPPORTED_LOCALES:
        session["locale"] = chosen
        return chosen
    if session.get("locale") in SUPPORTED_LOCALES:
        return str(session["locale"])
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "en"
