"""Small helpers so request models work under pydantic 1 (A1111 pins) and pydantic 2."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel


def model_to_dict(model: BaseModel) -> dict:
    dump = getattr(model, "model_dump", None)
    return dump() if dump is not None else model.dict()


def fields_set(model: BaseModel) -> set:
    value: Any = getattr(model, "model_fields_set", None)
    if value is None:
        value = model.__fields_set__
    return set(value)


# A database id: what fits a signed 64-bit integer (and SQLite's INTEGER).
from pydantic import conint  # noqa: E402  (both pydantic 1 and 2 provide it)

if TYPE_CHECKING:  # to a type checker both are ints; conint() is a call it cannot read as a type
    DbId = int
    PageSize = int
else:
    DbId = conint(ge=-(2**63), le=2**63 - 1)
    PageSize = conint(ge=1, le=10_000)
