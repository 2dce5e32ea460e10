"""Describe results built from the schema: describe global, an object's basic info and its
full describe, with the keys jsforce and the SOAP DescribeSObjectResult use."""

from __future__ import annotations

from typing import Any

from sandbox.schema import FieldSchema, ObjectSchema

# When the schema last changed, for If-Modified-Since.
SCHEMA_CHANGED = "Mon, 06 Jan 2025 00:00:00 GMT"
MASTER_RECORD_TYPE = "012000000000000AAA"

_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}
_TEXT = {"string", "textarea", "email", "phone", "url", "picklist", "id", "reference"}


def _urls(obj: ObjectSchema, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {
        "compactLayouts": f"{base}/describe/compactLayouts",
        "rowTemplate": f"{base}/{{ID}}",
        "approvalLayouts": f"{base}/describe/approvalLayouts",
        "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
        "listviews": f"{base}/listviews",
        "describe": f"{base}/describe",
        "quickActions": f"{base}/quickActions",
        "layouts": f"{base}/describe/layouts",
        "sobject": base,
    }


def global_entry(obj: ObjectSchema, version: str) -> dict[str, Any]:
    """One object's entry in describe global (DescribeGlobalSObjectResult)."""
    return {
        "activateable": False,
        "createable": obj.createable,
        "custom": False,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": obj.deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": obj.createable,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": obj.key_prefix,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "layoutable": obj.createable,
        "mergeable": obj.name == "Lead",
        "mruEnabled": obj.createable,
        "name": obj.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": obj.createable,
        "triggerable": obj.createable,
        "undeletable": obj.deletable,
        "updateable": obj.updateable,
        "urls": _urls(obj, version),
    }


def describe_global(objects: list[ObjectSchema], version: str) -> dict[str, Any]:
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [global_entry(obj, version) for obj in objects],
    }


def _length(f: FieldSchema) -> int:
    if f.type in ("id", "reference"):
        return 18
    return f.length if f.type in _TEXT else 0


def _field(f: FieldSchema) -> dict[str, Any]:
    numeric = f.type in ("double", "currency", "percent")
    return {
        "aggregatable": f.type not in ("textarea",),
        "autoNumber": False,
        "byteLength": _length(f) * 3 if f.type not in ("id", "reference") else 18,
        "calculated": False,
        "calculatedFormula": None,
        "cascadeDelete": False,
        "caseSensitive": False,
        "compoundFieldName": None,
        "controllerName": None,
        "createable": f.createable,
        "custom": f.name.endswith("__c"),
        "defaultValue": (f.default == "true") if f.type == "boolean" and f.default else None,
        "defaultValueFormula": None,
        "defaultedOnCreate": f.defaulted_on_create,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": f.precision if f.type == "int" else 0,
        "displayLocationInDecimal": False,
        "encrypted": False,
        "externalId": False,
        "extraTypeInfo": None,
        "filterable": f.type != "textarea",
        "filteredLookupInfo": None,
        "groupable": f.type not in ("textarea", "double", "currency", "percent", "datetime"),
        "highScaleNumber": False,
        "htmlFormatted": False,
        "idLookup": f.name == "Id" or f.type == "email",
        "inlineHelpText": None,
        "label": f.label,
        "length": _length(f),
        "mask": None,
        "maskType": None,
        "name": f.name,
        "nameField": f.name_field,
        "namePointing": False,
        "nillable": f.nillable,
        "permissionable": f.nillable and f.createable and not f.name_field,
        "picklistValues": [
            {
                "active": True,
                "defaultValue": value == f.default,
                "label": value,
                "validFor": None,
                "value": value,
            }
            for value in f.picklist_values
        ],
        "polymorphicForeignKey": False,
        "precision": f.precision if numeric else 0,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "relationshipOrder": None,
        "restrictedDelete": False,
        "restrictedPicklist": f.restricted_picklist,
        "scale": f.scale if numeric else 0,
        "searchPrefilterable": False,
        "soapType": _SOAP_TYPES.get(f.type, "xsd:string"),
        "sortable": f.type != "textarea",
        "type": f.type,
        "unique": False,
        "updateable": f.updateable,
        "writeRequiresMasterRead": False,
    }


def describe(obj: ObjectSchema, version: str) -> dict[str, Any]:
    """`GET /sobjects/{type}/describe`: DescribeSObjectResult."""
    result = global_entry(obj, version)
    result.update(
        {
            "actionOverrides": [],
            "childRelationships": [],
            "compactLayoutable": obj.createable,
            "fields": [_field(f) for f in obj.fields.values()],
            "listviewable": None,
            "lookupLayoutable": None,
            "namedLayoutInfos": [],
            "networkScopeFieldName": None,
            "recordTypeInfos": [
                {
                    "active": True,
                    "available": True,
                    "defaultRecordTypeMapping": True,
                    "developerName": "Master",
                    "master": True,
                    "name": "Master",
                    "recordTypeId": MASTER_RECORD_TYPE,
                    "urls": {
                        "layout": f"/services/data/v{version}/sobjects/{obj.name}/describe/"
                        f"layouts/{MASTER_RECORD_TYPE}"
                    },
                }
            ],
            "searchLayoutable": obj.createable,
            "supportedScopes": [
                {"label": "All " + obj.label_plural.lower(), "name": "everything"},
                {"label": "My " + obj.label_plural.lower(), "name": "mine"},
            ],
        }
    )
    return dict(sorted(result.items()))
