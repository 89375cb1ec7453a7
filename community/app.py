"""The ASGI application: create_app(settings), and `app` for uvicorn."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncIterator

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from tortoise.contrib.starlette import RegisterTortoise

from community import db, logs
from community.accounts.api import authenticate
from community.admin import health
from community.cache import VersionedCache
from community.errors import DomainError
from community.features import FEATURES
from community.forum.page_cache import FragmentCache, PageCache, RowCache
from community.forum.search import ResultCache
from community.mail import render as mail_render
from community.mail.service import make_backend
from community.people.service import DirectoryCache
from community.scheduler import Scheduler
from community.settings import Settings, configure
from community.web.api import Api
from community.web.assets import Assets, HashedStaticFiles
from community.web.body import BodyLimitMiddleware
from community.web.compression import CompressionMiddleware
from community.web.errors import domain_error_handler, http_error_handler, server_error_handler
from community.web.headers import SecurityHeadersMiddleware
from community.web.limits import make_rate_limiter
from community.web.observe import HttpMetrics, ObserveMiddleware
from community.web.sessions import SessionMiddleware
from community.web.templates import asset_dir, make_templates

logger = logging.getLogger(__name__)


def build_api() -> Api:
    """Every feature's API operations and schema components, in one registry."""
    api = Api()
    for feature in FEATURES:
        if feature.api is not None:
            api.include(feature.api)
    return api


def api_routes() -> list[BaseRoute]:
    """The API under /api/v1, and the OpenAPI document describing it."""
    api = build_api()

    async def openapi(request: Request) -> Response:
        return JSONResponse(api.openapi(base_url=request.app.state.settings.base_url))

    return [
        Route("/api/openapi.json", openapi, name="api:openapi"),
        *api.routes(authenticate=authenticate),
    ]


async def healthz(request: Request) -> Response:
    """Liveness: the database answers. With `?deep=1`, readiness of the whole site: a worker
    has beaten within 3 ticks and no due email has waited 15 minutes (admin.health)."""
    if not await db.database_answers():
        return JSONResponse({"status": "database unavailable"}, status_code=503)
    if request.query_params.get("deep", "") in ("", "0"):
        return JSONResponse({"status": "ok"})
    state = await health.check(tick_seconds=request.app.state.settings.scheduler_tick_seconds)
    last = state.last_beat_at
    answer = {
        "status": "unhealthy" if state.problems else "ok",
        "problems": state.problems,
        "worker_last_beat_at": last.isoformat() if last else None,
        "oldest_due_email_wait_seconds": int(state.email_wait.total_seconds()),
        "reminders_due_not_queued": state.reminders.count,
    }
    return JSONResponse(answer, status_code=503 if state.problems else 200)


def create_app(
    settings: Settings, *, manage_orm: bool = True, run_scheduler: bool = False
) -> Starlette:
    """Build the site. `manage_orm=False` when the caller (tests) owns the ORM's lifetime;
    `run_scheduler=True` runs the timed jobs in this process (the embedded `serve`)."""
    configure(settings)
    mail_render.configure(
        asset_dir("templates"), site_name=settings.site_name, base_url=settings.base_url
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if manage_orm:
                await stack.enter_async_context(
                    RegisterTortoise(app, config=db.tortoise_config(settings.database_url))
                )
            stack.push_async_callback(app.state.rate_limiter.close)
            if run_scheduler:
                backend = make_backend(settings)
                stack.push_async_callback(backend.close)
                scheduler = Scheduler(settings, backend)
                scheduler.start()
                stack.push_async_callback(scheduler.stop)
            yield

    assets = Assets(asset_dir("static"))
    routes = [
        *(route for feature in FEATURES for route in feature.routes),
        *api_routes(),
        Route("/healthz", healthz, name="healthz"),
        Mount(
            "/static",
            HashedStaticFiles(directory=asset_dir("static"), assets=assets),
            name="static",
        ),
    ]
    http_metrics = HttpMetrics()
    app = Starlette(
        debug=False,
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(
                ObserveMiddleware,
                metrics=http_metrics,
                trust_proxy_headers=settings.trust_proxy_headers,
            ),
            Middleware(CompressionMiddleware),
            Middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies),
            Middleware(
                BodyLimitMiddleware,
                max_bytes=settings.max_body_bytes,
                upload_bytes=settings.max_upload_bytes,
                upload_paths=[path for feature in FEATURES for path in feature.upload_paths],
            ),
            Middleware(SessionMiddleware, settings=settings),
        ],
        exception_handlers={
            DomainError: domain_error_handler,
            HTTPException: http_error_handler,
            Exception: server_error_handler,
        },
    )
    app.state.settings = settings
    app.state.templates = make_templates(
        settings, nav=[n for f in FEATURES for n in f.nav], assets=assets
    )
    app.state.http_metrics = http_metrics
    app.state.rate_limiter = make_rate_limiter(settings.redis_url)
    app.state.thread_page_cache = PageCache(seconds=settings.page_cache_seconds)
    app.state.post_fragments = FragmentCache(seconds=settings.page_cache_seconds)
    app.state.group_cards = VersionedCache[Markup](seconds=settings.page_cache_seconds)
    app.state.search_results = ResultCache(seconds=settings.page_cache_seconds)
    app.state.thread_rows = RowCache(seconds=settings.page_cache_seconds)
    app.state.directory_pages = DirectoryCache(seconds=settings.page_cache_seconds)
    # panels later features add to a group's home and to a profile, in the features' order
    app.state.group_home_sections = [s for f in FEATURES for s in f.group_home_sections]
    app.state.profile_sections = [s for f in FEATURES for s in f.profile_sections]
    app.state.search_sections = [s for f in FEATURES for s in f.search_sections]
    return app


@functools.cache
def _app_from_environment() -> Starlette:
    settings = Settings.from_env()
    logs.configure(settings.log_format)
    return create_app(settings)


def __getattr__(name: str) -> Starlette:
    # `uvicorn community.app:app` reads the environment only when it asks for `app` (it
    # asks more than once: one app, built at the first)
    if name == "app":
        return _app_from_environment()
    raise AttributeError(name)
