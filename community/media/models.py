"""Stored images."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Image(Model):
    """An uploaded image as served: re-encoded (no metadata), resized for the page. Kept in the
    database so that any web process can serve it, and named by the hash of its bytes so its
    address never changes and may be cached for good."""

    id = fields.IntField(primary_key=True)
    #: the SHA-256 of `data`, in hex: the address of the image (/media/<key>.<extension>)
    key = fields.CharField(max_length=64, unique=True)
    #: image/jpeg, image/png or image/webp
    content_type = fields.CharField(max_length=32)
    width = fields.IntField()
    height = fields.IntField()
    #: the encoded image, as served
    data = fields.BinaryField()
    byte_size = fields.IntField()
    uploaded_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="images", null=True, on_delete=fields.SET_NULL
    )
    uploaded_by_id: int | None
    created_at = fields.DatetimeField()

    class Meta:
        table = "media_image"

    @property
    def extension(self) -> str:
        """The end of its address: jpeg, png or webp."""
        return self.content_type.split("/")[-1]
