"""Creating and updating records: validating a DML body against the schema, coercing values to
their wire form and computing the fields Salesforce sets itself.

Stored rows hold every field under its canonical name in wire form: strings, numbers (floats for
double, currency and percent), booleans, dates as `YYYY-MM-DD`, datetimes as
`YYYY-MM-DDTHH:MM:SS.000+0000`, ids in 18 characters.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from email_validator import EmailNotValidError, validate_email

from sandbox.body import position_of
from sandbox.errors import ApiError, json_parser_error
from sandbox.ids import normalize
from sandbox.schema import (
    FORECAST_CATEGORIES,
    OPPORTUNITY_STAGES,
    FieldSchema,
    ObjectSchema,
)

KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Opportunity": "006",
    "Organization": "00D",
    "Lead": "00Q",
    "Campaign": "701",
    "Pricebook2": "01s",
    "Individual": "0PK",
    "DandBCompany": "06E",
}
_TEXT_TYPES = {"string", "textarea", "email", "phone", "url", "picklist"}
_NUMBER_TYPES = {"double", "currency", "percent"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?"
)
_READ_ONLY_HINT = (
    "Please check the security settings of this field and verify that it is read/write for "
    "your profile or permission set."
)


def _token_name(value: Any) -> str:
    if isinstance(value, bool):
        return "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, int):
        return "VALUE_NUMBER_INT"
    if isinstance(value, float):
        return "VALUE_NUMBER_FLOAT"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, dict):
        return "START_OBJECT"
    return "VALUE_STRING"


def _type_error(f: FieldSchema, key: str, value: Any, text: str) -> ApiError:
    kind = {"int": "int", "boolean": "boolean", "date": "date", "datetime": "datetime"}.get(
        f.type, "double" if f.type in _NUMBER_TYPES else "string"
    )
    shown = value if isinstance(value, str) else _short_json(value)
    return json_parser_error(
        f"Cannot deserialize instance of {kind} from {_token_name(value)} value {shown} "
        f"or request may be missing a required field at {position_of(text, key, value)}"
    )


def _short_json(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "["
    if isinstance(value, dict):
        return "{"
    return str(value)


def _utc_datetime(value: str) -> str | None:
    match = _DATETIME.fullmatch(value.strip())
    if not match:
        return None
    day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = dt.datetime.fromisoformat(
            f"{day}T{hour or '00'}:{minute or '00'}:{second or '00'}"
        )
    except ValueError:
        return None
    millis = int((fraction or "0").ljust(3, "0")[:3])
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment -= sign * offset
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}+0000"


def coerce(f: FieldSchema, key: str, value: Any, text: str) -> Any:
    """`value` in the field's wire form; JSON_PARSER_ERROR when it cannot be one."""
    if value is None:
        return None
    if f.type in _TEXT_TYPES or f.type in ("reference", "id"):
        if isinstance(value, list | dict):
            raise _type_error(f, key, value, text)
        if isinstance(value, bool):
            value = "true" if value else "false"
        value = str(value)
        return value if value != "" else None
    if f.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _type_error(f, key, value, text)
    if f.type == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
            return int(value)
        raise _type_error(f, key, value, text)
    if f.type in _NUMBER_TYPES:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise _type_error(f, key, value, text)
    if f.type == "date":
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                dt.date.fromisoformat(value)
                return value
            except ValueError:
                pass
        raise _type_error(f, key, value, text)
    if f.type == "datetime" and isinstance(value, str):
        converted = _utc_datetime(value)
        if converted:
            return converted
    raise _type_error(f, key, value, text)


def _check_value(obj: ObjectSchema, f: FieldSchema, value: Any) -> None:
    if value is None:
        return
    if f.type in _TEXT_TYPES and f.length and len(value) > f.length:
        raise ApiError(
            400,
            "STRING_TOO_LONG",
            f"{f.label}: data value too large: {value} (max length={f.length})",
            [f.name],
        )
    if f.type == "email":
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            raise ApiError(
                400, "INVALID_EMAIL_ADDRESS", f"{f.label}: invalid email address: {value}", [f.name]
            ) from None
    if f.type == "picklist" and f.restricted_picklist and value not in f.picklist_values:
        raise ApiError(
            400,
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"{f.label}: bad value for restricted picklist field: {value}",
            [f.name],
        )
    if f.type == "reference":
        full = normalize(value)
        prefixes = {KEY_PREFIXES[t] for t in f.reference_to if t in KEY_PREFIXES}
        if full is None or (prefixes and full[:3] not in prefixes):
            raise ApiError(
                400, "MALFORMED_ID", f"{f.label}: id value of incorrect type: {value}", [f.name]
            )


def validate(
    obj: ObjectSchema, body: dict[str, Any], text: str, *, creating: bool
) -> dict[str, Any]:
    """The body's values by canonical field name, checked as Salesforce checks a DML call."""
    values: dict[str, Any] = {}
    fields: dict[str, FieldSchema] = {}
    for key, raw in body.items():
        if key == "attributes" and isinstance(raw, dict):
            continue
        f = obj.field(key)
        if f is None:
            raise ApiError(
                400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}"
            )
        values[f.name] = coerce(f, key, raw, text)
        fields[f.name] = f
    read_only = [
        name for name, f in fields.items() if not (f.createable if creating else f.updateable)
    ]
    if read_only:
        raise ApiError(
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {', '.join(read_only)}. {_READ_ONLY_HINT}",
            read_only,
        )
    missing = [
        f.name
        for f in obj.fields.values()
        if f.createable
        and not f.nillable
        and not f.defaulted_on_create
        and (values.get(f.name) is None if creating or f.name in values else False)
    ]
    if missing:
        raise ApiError(
            400,
            "REQUIRED_FIELD_MISSING",
            f"Required fields are missing: [{', '.join(missing)}]",
            missing,
        )
    for name, value in values.items():
        _check_value(obj, fields[name], value)
    return values


def new_row(
    obj: ObjectSchema, values: dict[str, Any], record_id: str, user_id: str, now: str
) -> dict[str, Any]:
    """A complete stored row for a create: defaults, system fields and computed fields."""
    row: dict[str, Any] = {name: None for name in obj.fields}
    for f in obj.fields.values():
        if f.default is not None:
            row[f.name] = _default_value(f)
        elif f.type == "boolean":
            row[f.name] = False
    row.update(values)
    row.update(
        Id=record_id,
        IsDeleted=False,
        CreatedDate=now,
        CreatedById=user_id,
        LastModifiedDate=now,
        LastModifiedById=user_id,
        SystemModstamp=now,
    )
    if row.get("OwnerId") is None and "OwnerId" in obj.fields:
        row["OwnerId"] = user_id
    _compute(obj, row, values, now, creating=True)
    return row


def updated_row(
    obj: ObjectSchema, row: dict[str, Any], values: dict[str, Any], user_id: str, now: str
) -> dict[str, Any]:
    """A copy of `row` with `values` applied and the system and computed fields refreshed."""
    new = {**row, **values}
    for name, value in values.items():
        f = obj.fields[name]
        if value is None and f.default is not None:
            new[name] = _default_value(f)
    new.update(LastModifiedDate=now, LastModifiedById=user_id, SystemModstamp=now)
    _compute(obj, new, values, now, creating=False, previous=row)
    return new


def _default_value(f: FieldSchema) -> Any:
    if f.type == "boolean":
        return f.default == "true"
    return f.default


def _compute(
    obj: ObjectSchema,
    row: dict[str, Any],
    given: dict[str, Any],
    now: str,
    *,
    creating: bool,
    previous: dict[str, Any] | None = None,
) -> None:
    if obj.name == "Lead":
        row["Name"] = " ".join(p for p in (row.get("FirstName"), row.get("LastName")) if p)
        row["PhotoUrl"] = f"/services/images/photo/{row['Id']}"
    elif obj.name == "Opportunity":
        _compute_opportunity(row, given, now, creating, previous)


def _compute_opportunity(
    row: dict[str, Any],
    given: dict[str, Any],
    now: str,
    creating: bool,
    previous: dict[str, Any] | None,
) -> None:
    stage = row.get("StageName")
    stage_changed = creating or (previous is not None and previous.get("StageName") != stage)
    probability, category, closed, won = OPPORTUNITY_STAGES.get(stage or "", (0, "Pipeline", 0, 0))
    if stage_changed:
        if "Probability" not in given or given["Probability"] is None:
            row["Probability"] = float(probability)
        if "ForecastCategoryName" not in given or given["ForecastCategoryName"] is None:
            row["ForecastCategoryName"] = category
        if not creating:
            row["LastStageChangeDate"] = now
    row["ForecastCategory"] = FORECAST_CATEGORIES.get(row.get("ForecastCategoryName") or "")
    row["IsClosed"] = bool(closed)
    row["IsWon"] = bool(won)
    amount, chance = row.get("Amount"), row.get("Probability")
    row["ExpectedRevenue"] = (
        round(amount * chance / 100, 2) if amount is not None and chance is not None else None
    )
    close = row.get("CloseDate")
    if close:
        day = dt.date.fromisoformat(close)
        quarter = (day.month - 1) // 3 + 1
        row["FiscalYear"], row["FiscalQuarter"] = day.year, quarter
        row["Fiscal"] = f"{day.year} {quarter}"
    if row.get("PushCount") is None:
        row["PushCount"] = 0


def render(
    obj: ObjectSchema, row: dict[str, Any], version: str, fields: list[str] | None = None
) -> dict[str, Any]:
    """The record as GET /sobjects/{type}/{id} returns it: attributes, then the fields."""
    names = fields if fields is not None else list(obj.fields)
    out: dict[str, Any] = {
        "attributes": {
            "type": obj.name,
            "url": f"/services/data/v{version}/sobjects/{obj.name}/{row['Id']}",
        }
    }
    for name in names:
        out[name] = row.get(name)
    return out
