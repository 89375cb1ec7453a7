"""Programme pages: the list, a programme with its sessions and my progress, enrolling and
withdrawing, the new-programme form, the facilitators' enrolment and completion sheet (and
its CSV), "My learning", and certificates (checked by anyone, downloaded by their holder,
revoked by admins)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from community import clock
from community.accounts.access import ensure_admin
from community.accounts.models import PROFESSION_LABELS
from community.clock import COMMON_ZONES
from community.errors import Conflict, Invalid
from community.events.attendance import csv_cell
from community.events.cpd import format_hours
from community.events.models import EVENT_KIND_LABELS
from community.groups.access import access_facilitation
from community.programmes import service
from community.programmes.models import Certificate
from community.programmes.pdf import CertificateText, certificate_pdf
from community.programmes.schemas import ProgrammeDetails, ProgrammeForm, Revocation
from community.urls import absolute_url
from community.urls import path as url_path
from community.web.templates import read_form, redirect, render, request_zone


async def programme_list(request: Request) -> Response:
    actor = request.state.member
    profession = request.query_params.get("profession", "")
    provider = request.query_params.get("provider", "")
    if profession not in PROFESSION_LABELS:
        profession = ""
    return render(
        request,
        "programmes/list.html",
        {
            "cards": await service.list_programmes(
                actor=actor, profession=profession, provider=provider
            ),
            "professions": PROFESSION_LABELS,
            "providers": await service.providers(actor=actor),
            "profession": profession,
            "provider": provider,
        },
    )


def _form_context(values: dict[str, Any], errors: dict[str, str], action: str) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "kinds": EVENT_KIND_LABELS,
        "zones": COMMON_ZONES,
        "professions": PROFESSION_LABELS,
        "chosen": set(values.get("professions") or []),
        "action": action,
        "repeats": {"weekly": "Weekly", "monthly": "Monthly, on the same weekday of the month"},
    }


def _action(slug: str | None) -> str:
    return (
        url_path("programmes:create_in_group", slug=slug) if slug else url_path("programmes:create")
    )


async def programme_new(request: Request) -> Response:
    slug = request.path_params.get("slug")
    if slug:
        await access_facilitation(request.state.member, slug)
    else:
        ensure_admin(request.state.member)
    values = {
        "time_zone": request.app.state.settings.time_zone,
        "kind": "cet",
        "repeat": "weekly",
        "interval": "1",
    }
    return render(request, "programmes/form.html", _form_context(values, {}, _action(slug)))


async def programme_create(request: Request) -> Response:
    slug = request.path_params.get("slug")
    raw = await _programme_form(request)
    try:
        programme = await service.create_programme(
            actor=request.state.member, slug=slug, form=ProgrammeForm.from_form(raw)
        )
    except Invalid as exc:
        raw["mandatory"] = " ".join(raw["mandatory"])
        return render(
            request,
            "programmes/form.html",
            _form_context(raw, exc.fields, _action(slug)),
            status_code=422,
        )
    return redirect(
        request, "programmes:detail", "The programme is published.", programme_id=programme.id
    )


async def programme_detail(request: Request) -> Response:
    page = await service.programme_page(
        actor=request.state.member, programme_id=request.path_params["programme_id"]
    )
    zone = ZoneInfo(page.programme.time_zone)
    return render(
        request,
        "programmes/detail.html",
        {
            "page": page,
            "programme": page.programme,
            "view": page.view,
            "hours": format_hours(page.programme.cpd_hours),
            "closes": page.programme.enrol_closes_at.astimezone(zone),
            "sessions": [
                (row, row.event.starts_at.astimezone(zone), row.event.ends_at.astimezone(zone))
                for row in page.sessions
            ],
            "professions": [PROFESSION_LABELS[p] for p in page.programme.professions],
            "now": clock.now(),
        },
    )


def _edit_page(
    request: Request,
    programme: Any,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    mandatory = values.get("mandatory") or []
    return render(
        request,
        "programmes/edit.html",
        {
            "programme": programme,
            "values": {
                **values,
                "mandatory": mandatory
                if isinstance(mandatory, str)
                else " ".join(str(number) for number in mandatory),
                "enrol_opens_at": _local_field(values.get("enrol_opens_at")),
                "enrol_closes_at": _local_field(values.get("enrol_closes_at")),
            },
            "errors": errors or {},
            "professions": PROFESSION_LABELS,
            "chosen": set(values.get("professions") or []),
        },
        status_code=status_code,
    )


def _local_field(value: object) -> str:
    """A time as a datetime-local field holds it."""
    return value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, datetime) else str(value or "")


async def programme_edit(request: Request) -> Response:
    programme, values = await service.programme_to_edit(
        actor=request.state.member, programme_id=request.path_params["programme_id"]
    )
    return _edit_page(request, programme, values)


async def programme_update(request: Request) -> Response:
    programme_id = request.path_params["programme_id"]
    raw = await _programme_form(request)
    try:
        await service.update_programme(
            actor=request.state.member,
            programme_id=programme_id,
            form=ProgrammeDetails.from_form(raw),
        )
    except Invalid as exc:
        programme, _ = await service.programme_to_edit(
            actor=request.state.member, programme_id=programme_id
        )
        return _edit_page(request, programme, raw, exc.fields, status_code=422)
    return redirect(
        request, "programmes:detail", "The programme is changed.", programme_id=programme_id
    )


async def programme_cancel(request: Request) -> Response:
    programme_id = request.path_params["programme_id"]
    await service.cancel_programme(actor=request.state.member, programme_id=programme_id)
    return redirect(
        request,
        "programmes:detail",
        "The programme is cancelled: everyone enrolled or waiting is told.",
        programme_id=programme_id,
    )


async def _programme_form(request: Request) -> dict[str, Any]:
    """A programme form as its command reads it: the ticked professions as a list, the
    mandatory sessions' numbers from "1 6" or "1, 6"."""
    form_data = await request.form()
    raw: dict[str, Any] = dict(await read_form(request))
    raw["professions"] = [v for v in form_data.getlist("professions") if isinstance(v, str)]
    raw["mandatory"] = [
        v.strip() for v in str(raw.get("mandatory", "")).replace(",", " ").split() if v.strip()
    ]
    return raw


async def programme_enrol(request: Request) -> Response:
    programme_id = request.path_params["programme_id"]
    raw = await read_form(request)
    if raw.get("answer") == "withdraw":
        await service.withdraw(actor=request.state.member, programme_id=programme_id)
        message = "You have withdrawn from the programme."
    else:
        enrolment = await service.enrol(actor=request.state.member, programme_id=programme_id)
        message = (
            "You are enrolled: your seat in every session is taken."
            if enrolment.status == "enrolled"
            else "The programme is full: you are on its waitlist."
        )
    return redirect(request, "programmes:detail", message, programme_id=programme_id)


async def programme_for_event(request: Request) -> Response:
    programme = await service.programme_of_event(
        actor=request.state.member, event_id=request.path_params["event_id"]
    )
    return RedirectResponse(url_path("programmes:detail", programme_id=programme.id), 303)


async def programme_sheet(request: Request) -> Response:
    sheet = await service.completion_sheet(
        actor=request.state.member, programme_id=request.path_params["programme_id"]
    )
    zone = ZoneInfo(sheet.programme.time_zone)
    return render(
        request,
        "programmes/sheet.html",
        {
            "sheet": sheet,
            "programme": sheet.programme,
            "session_days": [event.starts_at.astimezone(zone) for event in sheet.sessions],
        },
    )


async def programme_sheet_csv(request: Request) -> Response:
    programme_id = request.path_params["programme_id"]
    sheet = await service.completion_sheet(actor=request.state.member, programme_id=programme_id)
    zone = ZoneInfo(sheet.programme.time_zone)
    marks = {True: "Yes", False: "No", None: ""}
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(
        [
            "Name",
            "Profession",
            "Organisation",
            "Status",
            *(
                f"Session {n} ({e.starts_at.astimezone(zone):%Y-%m-%d})"
                for n, e in enumerate(sheet.sessions, start=1)
            ),
            "Attended",
            "Completed",
            "Certificate",
        ]
    )
    for row in [*sheet.enrolled, *sheet.waitlist]:
        member = row.member
        status = f"Waitlist {row.waitlist_position}" if row.waitlist_position else "Enrolled"
        completed = row.enrolment.completed_at
        writer.writerow(
            [
                csv_cell(member.display_name),
                csv_cell(member.profession_label),
                csv_cell(member.organisation),
                status,
                *(marks[mark] for mark in row.marks),
                str(row.progress.attended),
                completed.astimezone(zone).strftime("%Y-%m-%d") if completed else "",
                row.certificate.code if row.certificate else "",
            ]
        )
    return Response(
        "\ufeff" + output.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": (
                f'attachment; filename="programme-{programme_id}-completion.csv"'
            ),
            "Cache-Control": "private, no-store",
        },
    )


async def my_learning(request: Request) -> Response:
    rows = await service.my_learning(actor=request.state.member)
    zone = request_zone(request)
    return render(
        request,
        "programmes/learning.html",
        {"rows": rows, "now_year": clock.now().astimezone(zone).year},
    )


def _certificate_text(certificate: Certificate) -> CertificateText:
    return CertificateText(
        member_name=certificate.member_name,
        programme_title=certificate.programme_title,
        hours=format_hours(certificate.hours),
        first_day=certificate.first_day,
        last_day=certificate.last_day,
        issuer=certificate.provider,
        issued_on=certificate.issued_at.date(),
        code=certificate.code,
        verify_url=absolute_url("programmes:certificate", code=certificate.code),
    )


async def certificate_check(request: Request) -> Response:
    code = request.path_params["code"]
    certificate = await service.verify(code)
    if certificate.code != code:  # typed in lower case, or without the dashes
        return RedirectResponse(url_path("programmes:certificate", code=certificate.code), 301)
    member = request.state.member
    return render(
        request,
        "programmes/certificate.html",
        {
            "certificate": certificate,
            "hours": format_hours(certificate.hours),
            "is_holder": member is not None and member.id == certificate.member_id,
            "errors": {},
            "values": {},
        },
    )


async def certificate_lookup(request: Request) -> Response:
    code = request.query_params.get("code", "")
    normal = service.normal_code(code)
    if normal is None:
        return render(
            request,
            "programmes/certificate_lookup.html",
            {"code": code, "error": "Enter the 20-letter code printed on the certificate."}
            if code
            else {"code": "", "error": ""},
            status_code=422 if code else 200,
        )
    return RedirectResponse(url_path("programmes:certificate", code=normal), 303)


async def certificate_pdf_download(request: Request) -> Response:
    certificate = await service.own_certificate(
        actor=request.state.member, code=request.path_params["code"]
    )
    body = await run_in_threadpool(certificate_pdf, _certificate_text(certificate))
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{certificate.code}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


async def certificate_revoke(request: Request) -> Response:
    code = request.path_params["code"]
    raw = await read_form(request)
    try:
        certificate = await service.revoke(
            actor=request.state.member, code=code, form=Revocation.from_form(raw)
        )
    except Invalid as exc:
        certificate = await service.verify(code)
        if certificate.revoked_at is not None:
            raise Conflict("This certificate is already revoked.") from None
        return render(
            request,
            "programmes/certificate.html",
            {
                "certificate": certificate,
                "hours": format_hours(certificate.hours),
                "is_holder": False,
                "errors": exc.fields,
                "values": raw,
            },
            status_code=422,
        )
    return redirect(
        request, "programmes:certificate", "The certificate is revoked.", code=certificate.code
    )


routes = [
    Route("/programmes", programme_list, name="programmes:list"),
    Route("/programmes", programme_create, methods=["POST"], name="programmes:create"),
    Route("/programmes/new", programme_new, name="programmes:new"),
    Route("/groups/{slug:str}/programmes/new", programme_new, name="programmes:group_new"),
    Route(
        "/groups/{slug:str}/programmes",
        programme_create,
        methods=["POST"],
        name="programmes:create_in_group",
    ),
    Route("/programmes/{programme_id:int}", programme_detail, name="programmes:detail"),
    Route("/programmes/{programme_id:int}/edit", programme_edit, name="programmes:edit"),
    Route(
        "/programmes/{programme_id:int}/edit",
        programme_update,
        methods=["POST"],
        name="programmes:update",
    ),
    Route(
        "/programmes/{programme_id:int}/cancel",
        programme_cancel,
        methods=["POST"],
        name="programmes:cancel",
    ),
    Route(
        "/programmes/{programme_id:int}/enrol",
        programme_enrol,
        methods=["POST"],
        name="programmes:enrol",
    ),
    Route("/programmes/{programme_id:int}/enrolment", programme_sheet, name="programmes:sheet"),
    Route(
        "/programmes/{programme_id:int}/completion.csv",
        programme_sheet_csv,
        name="programmes:sheet_csv",
    ),
    Route("/events/{event_id:int}/programme", programme_for_event, name="programmes:for_event"),
    Route("/learning", my_learning, name="programmes:learning"),
    Route("/certificates", certificate_lookup, name="programmes:lookup"),
    Route("/certificates/{code:str}.pdf", certificate_pdf_download, name="programmes:pdf"),
    Route("/certificates/{code:str}", certificate_check, name="programmes:certificate"),
    Route(
        "/certificates/{code:str}/revoke",
        certificate_revoke,
        methods=["POST"],
        name="programmes:revoke",
    ),
]
