"""Command line: serve | worker | migrate | createadmin | seed."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys

from tortoise import Tortoise

from community import db, logs
from community.settings import Settings, SettingsError, configure


def _settings(*, embedded: bool = False, base_url: str | None = None) -> Settings:
    try:
        settings = Settings.from_env(embedded=embedded, base_url=base_url)
    except SettingsError as exc:
        print(f"community: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    configure(settings)
    logs.configure(settings.log_format)
    import community.features  # noqa: F401  # the pages' names, for the links services build
    from community.mail import render as mail_render
    from community.web.templates import asset_dir

    mail_render.configure(
        asset_dir("templates"), site_name=settings.site_name, base_url=settings.base_url
    )
    return settings


async def _with_orm(settings: Settings, work: object) -> object:
    await Tortoise.init(config=db.tortoise_config(settings.database_url))
    try:
        return await work  # type: ignore[misc]  # a coroutine, awaited once
    finally:
        await Tortoise.close_connections()


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = _settings(embedded=args.embedded)
    asyncio.run(db.migrate(settings.database_url))
    print("community: the database is up to date.")


def serve_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches `serve` at (a wildcard host is every
    address of the machine, and this one's loopback among them)."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104  # naming the wildcard, not binding it
        host = "127.0.0.1"
    elif ":" in host:  # an IPv6 address goes in brackets
        host = f"[{host}]"
    return f"http://{host}:{port}"


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from community.app import create_app
    from community.seed import seed_demo

    url = serve_url(args.host, args.port)
    # without BASE_URL, the links in emails and calendar files point at this server (#22)
    settings = _settings(embedded=True, base_url=url)
    asyncio.run(db.migrate(settings.database_url))
    if args.demo:
        summary = asyncio.run(_with_orm(settings, seed_demo()))
        print(f"community: {summary}")
    print(f"community: serving {settings.site_name} at {url}/ (Ctrl+C to stop)")
    print(
        f"community: links in emails go to {settings.base_url}/ "
        "(BASE_URL, or this server's own address when BASE_URL is unset)"
    )
    uvicorn.run(
        create_app(settings, run_scheduler=True),
        host=args.host,
        port=args.port,
        log_level="info",
        log_config=None,  # logs.configure set up every logger, uvicorn's too
        proxy_headers=settings.trust_proxy_headers,
    )


def cmd_worker(args: argparse.Namespace) -> None:
    settings = _settings()
    asyncio.run(_run_worker(settings))


async def _run_worker(settings: Settings) -> None:
    from community.mail.service import make_backend
    from community.scheduler import Scheduler

    await Tortoise.init(config=db.tortoise_config(settings.database_url))
    backend = make_backend(settings)
    scheduler = Scheduler(settings, backend)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    scheduler.start()
    logging.getLogger(__name__).info("Worker started")
    try:
        await stop.wait()
        logging.getLogger(__name__).info("Worker stopping: letting running jobs finish")
    finally:
        await scheduler.stop()
        await backend.close()
        await Tortoise.close_connections()
    logging.getLogger(__name__).info("Worker stopped")


def cmd_createadmin(args: argparse.Namespace) -> None:
    from community.accounts import service
    from community.errors import Invalid

    settings = _settings(embedded=args.embedded)

    async def run() -> str:
        existing = await service.find_member_by_email(args.email)
        password = ""
        if existing is None:
            password = (
                sys.stdin.readline().rstrip("\n")
                if args.password_stdin
                else getpass.getpass("Password for the new admin: ")
            )
        member = await service.create_admin(
            email=args.email, display_name=args.name, password=password
        )
        verb = "promoted" if existing else "created"
        return f"community: {verb} admin {member.email} (member {member.id})."

    try:
        print(asyncio.run(_with_orm(settings, run())))
    except Invalid as exc:
        for field, message in exc.fields.items():
            print(f"community: {field}: {message}", file=sys.stderr)
        raise SystemExit(2) from None


SIZE_OPTIONS = ("members", "groups", "threads", "posts", "events")
#: what `seed` makes when only some sizes are given
SIZE_DEFAULTS = {"members": 1000, "groups": 20, "threads": 1000, "posts": 20_000, "events": 100}


def cmd_seed(args: argparse.Namespace) -> None:
    from community.seed import seed_demo
    from community.seed_bulk import Size, seed_bulk

    settings = _settings(embedded=args.embedded)
    asyncio.run(db.migrate(settings.database_url))
    given = {name: getattr(args, name) for name in SIZE_OPTIONS}
    if all(value is None for value in given.values()):
        print(f"community: {asyncio.run(_with_orm(settings, seed_demo()))}")
        return
    size = Size(**{name: SIZE_DEFAULTS[name] if v is None else v for name, v in given.items()})
    try:
        size.check()
    except ValueError as exc:
        print(f"community: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"community: {asyncio.run(_with_orm(settings, seed_bulk(size)))}")


def main(argv: list[str] | None = None) -> None:
    logs.configure()  # text until the settings (LOG_FORMAT) are read
    parser = argparse.ArgumentParser(prog="python -m community", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", help="migrate, then run the site and its jobs in one process"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--demo", action="store_true", help="fill an empty database with demo content"
    )
    serve.set_defaults(func=cmd_serve)

    worker = commands.add_parser("worker", help="run the timed jobs (email delivery, clean-up)")
    worker.set_defaults(func=cmd_worker)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=cmd_migrate, embedded=True)

    seed = commands.add_parser(
        "seed",
        help="fill an empty database with demo content, or with a given size of content",
        description="Without sizes: the small demo site. With any size: generated content, "
        f"written in bulk (unset sizes: {SIZE_DEFAULTS}).",
    )
    for name in SIZE_OPTIONS:
        seed.add_argument(f"--{name}", type=int, metavar="N")
    seed.set_defaults(func=cmd_seed, embedded=True)

    admin = commands.add_parser("createadmin", help="create an admin, or promote a member")
    admin.add_argument("email")
    admin.add_argument("--name", default="", help="display name for a new account")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    admin.set_defaults(func=cmd_createadmin, embedded=True)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
