"""The Atom feed of published stories and profiles (RFC 4287), written with the standard
library's XML writer so every title and summary is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from community import clock
from community.stories.service import Card
from community.urls import absolute_url

ATOM = "http://www.w3.org/2005/Atom"
FEED_TITLE = "Stories of change and worker profiles"


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def atom(cards: Sequence[Card]) -> bytes:
    """The feed's document for these pieces, newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    index = absolute_url("stories:index")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = index
    ET.SubElement(feed, f"{{{ATOM}}}title").text = FEED_TITLE
    updated = max(
        (card.piece.published_at for card in cards if card.piece.published_at),
        default=clock.now(),
    )
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=index)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=absolute_url("stories:feed"))
    for card in cards:
        piece = card.piece
        address = absolute_url("stories:piece", piece_id=piece.id)
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = address
        ET.SubElement(entry, f"{{{ATOM}}}title").text = piece.title
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=address)
        published = piece.published_at or piece.updated_at
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _stamp(published)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(published)
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = card.byline
        ET.SubElement(entry, f"{{{ATOM}}}category", term=card.kind.value, label=card.kind.label)
        for theme in card.themes:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=theme)
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = piece.summary
        ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = piece.body_html
    document = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + document).encode()
