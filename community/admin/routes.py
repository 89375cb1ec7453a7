"""Admin pages: the email outbox with its retry button."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from community.admin import service
from community.errors import Invalid
from community.mail.models import OutboxStatus
from community.web.templates import redirect, render


async def outbox_list(request: Request) -> Response:
    status = request.query_params.get("status", "")
    try:
        page, counts = await service.list_outbox(
            actor=request.state.member, status=status, cursor=request.query_params.get("cursor")
        )
    except Invalid as exc:
        return render(
            request,
            "admin/outbox.html",
            {"page": None, "counts": {}, "status": "", "errors": exc.fields, "statuses": []},
            status_code=422,
        )
    return render(
        request,
        "admin/outbox.html",
        {
            "page": page,
            "counts": counts,
            "status": status,
            "statuses": [str(value) for value in OutboxStatus],
        },
    )


async def outbox_message(request: Request) -> Response:
    message, attachments = await service.get_outbox_message(
        actor=request.state.member, message_id=request.path_params["message_id"]
    )
    return render(
        request, "admin/outbox_message.html", {"message": message, "attachments": attachments}
    )


async def outbox_retry(request: Request) -> Response:
    message_id = request.path_params["message_id"]
    await service.retry_message(actor=request.state.member, message_id=message_id)
    return redirect(
        request, "admin:outbox", f"Message {message_id} is queued again.", status="failed"
    )


routes = [
    Route("/admin/outbox", outbox_list, name="admin:outbox"),
    Route("/admin/outbox/{message_id:int}", outbox_message, name="admin:outbox_message"),
    Route(
        "/admin/outbox/{message_id:int}/retry",
        outbox_retry,
        methods=["POST"],
        name="admin:outbox_retry",
    ),
]
