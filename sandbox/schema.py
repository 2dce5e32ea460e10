"""The sandbox org's object model: Lead, Opportunity, Organization and User, as a new
Developer Edition org describes them.

`SCHEMA` maps each object's API name to its `ObjectSchema`. Field order is describe order, which
is also the order of a record fetched without `fields`. Names are canonical; look them up
case-insensitively with `ObjectSchema.field` or `lookup_object`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

FieldType = Literal[
    "id",
    "string",
    "textarea",
    "email",
    "phone",
    "url",
    "picklist",
    "boolean",
    "int",
    "double",
    "currency",
    "percent",
    "date",
    "datetime",
    "reference",
]


@dataclass(frozen=True)
class FieldSchema:
    """One field of an sObject, with the describe attributes the sandbox enforces."""

    name: str
    type: FieldType
    label: str
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    picklist_values: tuple[str, ...] = ()
    default: str | None = None
    length: int = 0
    restricted_picklist: bool = False
    defaulted_on_create: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    name_field: bool = False
    precision: int = 0
    scale: int = 0

    @property
    def required(self) -> bool:
        """Must be given on create: createable, not nillable and not defaulted."""
        return self.createable and not self.nillable and not self.defaulted_on_create


@dataclass(frozen=True)
class ObjectSchema:
    """One sObject type: its API name, 3-character id prefix and fields in describe order."""

    name: str
    key_prefix: str
    fields: dict[str, FieldSchema]
    label: str = ""
    label_plural: str = ""
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    _by_lower: dict[str, FieldSchema] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_lower", {k.lower(): f for k, f in self.fields.items()})

    def field(self, name: str) -> FieldSchema | None:
        """The field called `name`, whatever its case, or None."""
        return self._by_lower.get(name.lower())

    def relationship(self, name: str) -> FieldSchema | None:
        """The reference field whose relationship is called `name` (e.g. Owner), or None."""
        lowered = name.lower()
        for f in self.fields.values():
            if f.relationship_name and f.relationship_name.lower() == lowered:
                return f
        return None


def lookup_object(schema: Mapping[str, ObjectSchema], name: str) -> ObjectSchema | None:
    """The object called `name`, whatever its case, or None."""
    lowered = name.lower()
    for key, obj in schema.items():
        if key.lower() == lowered:
            return obj
    return None


def _obj(
    name: str, prefix: str, plural: str, fields: list[FieldSchema], **kw: bool
) -> ObjectSchema:
    return ObjectSchema(
        name=name,
        key_prefix=prefix,
        fields={f.name: f for f in fields},
        label=name,
        label_plural=plural,
        **kw,
    )


def _ro(name: str, type_: FieldType, label: str, **kw: Any) -> FieldSchema:
    """A field the server sets: neither createable nor updateable."""
    return FieldSchema(name, type_, label, createable=False, updateable=False, **kw)


def _ref(name: str, label: str, to: str, rel: str | None, **kw: Any) -> FieldSchema:
    return FieldSchema(
        name, "reference", label, length=18, reference_to=(to,), relationship_name=rel, **kw
    )


def _ro_ref(name: str, label: str, to: str, rel: str | None) -> FieldSchema:
    return FieldSchema(
        name,
        "reference",
        label,
        createable=False,
        updateable=False,
        length=18,
        reference_to=(to,),
        relationship_name=rel,
    )


def _system_fields() -> list[FieldSchema]:
    return [
        _ro("CreatedDate", "datetime", "Created Date", nillable=False, defaulted_on_create=True),
        _ro_ref("CreatedById", "Created By ID", "User", "CreatedBy"),
        _ro("LastModifiedDate", "datetime", "Last Modified Date", nillable=False),
        _ro_ref("LastModifiedById", "Last Modified By ID", "User", "LastModifiedBy"),
        _ro("SystemModstamp", "datetime", "System Modstamp", nillable=False),
    ]


def _id_field(label: str) -> FieldSchema:
    return _ro("Id", "id", label, nillable=False, defaulted_on_create=True, length=18)


def _is_deleted() -> FieldSchema:
    return _ro("IsDeleted", "boolean", "Deleted", nillable=False, defaulted_on_create=True)


def _owner() -> FieldSchema:
    return _ref("OwnerId", "Owner ID", "User", "Owner", nillable=False, defaulted_on_create=True)


LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
)
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
RATINGS = ("Hot", "Warm", "Cold")
INDUSTRIES = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
)

# Stage name -> (default probability, forecast category name, closed, won), in picklist order.
OPPORTUNITY_STAGES: dict[str, tuple[int, str, bool, bool]] = {
    "Prospecting": (10, "Pipeline", False, False),
    "Qualification": (10, "Pipeline", False, False),
    "Needs Analysis": (20, "Pipeline", False, False),
    "Value Proposition": (50, "Pipeline", False, False),
    "Id. Decision Makers": (60, "Pipeline", False, False),
    "Perception Analysis": (70, "Pipeline", False, False),
    "Proposal/Price Quote": (75, "Pipeline", False, False),
    "Negotiation/Review": (90, "Pipeline", False, False),
    "Closed Won": (100, "Closed", True, True),
    "Closed Lost": (0, "Omitted", True, False),
}
FORECAST_CATEGORIES = {
    "Omitted": "Omitted",
    "Pipeline": "Pipeline",
    "Best Case": "BestCase",
    "Commit": "Forecast",
    "Closed": "Closed",
}

ORGANIZATION_TYPES = (
    "Team Edition",
    "Professional Edition",
    "Enterprise Edition",
    "Developer Edition",
    "Personal Edition",
    "Unlimited Edition",
    "Contact Manager Edition",
    "Base Edition",
)

LEAD = _obj(
    "Lead",
    "00Q",
    "Leads",
    [
        _id_field("Lead ID"),
        _is_deleted(),
        _ro_ref("MasterRecordId", "Master Record ID", "Lead", "MasterRecord"),
        FieldSchema("LastName", "string", "Last Name", nillable=False, length=80),
        FieldSchema("FirstName", "string", "First Name", length=40),
        FieldSchema(
            "Salutation",
            "picklist",
            "Salutation",
            length=40,
            picklist_values=("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx."),
        ),
        _ro("Name", "string", "Full Name", nillable=False, length=121, name_field=True),
        FieldSchema("Title", "string", "Title", length=128),
        FieldSchema("Company", "string", "Company", nillable=False, length=255),
        FieldSchema("Street", "textarea", "Street", length=255),
        FieldSchema("City", "string", "City", length=40),
        FieldSchema("State", "string", "State/Province", length=80),
        FieldSchema("PostalCode", "string", "Zip/Postal Code", length=20),
        FieldSchema("Country", "string", "Country", length=80),
        FieldSchema("Latitude", "double", "Latitude", precision=18, scale=15),
        FieldSchema("Longitude", "double", "Longitude", precision=18, scale=15),
        FieldSchema(
            "GeocodeAccuracy",
            "picklist",
            "Geocode Accuracy",
            length=40,
            picklist_values=(
                "Address",
                "NearAddress",
                "Block",
                "Street",
                "ExtendedZip",
                "Zip",
                "Neighborhood",
                "City",
                "County",
                "State",
                "Unknown",
            ),
        ),
        FieldSchema("Phone", "phone", "Phone", length=40),
        FieldSchema("MobilePhone", "phone", "Mobile Phone", length=40),
        FieldSchema("Fax", "phone", "Fax", length=40),
        FieldSchema("Email", "email", "Email", length=80),
        FieldSchema("Website", "url", "Website", length=255),
        _ro("PhotoUrl", "url", "Photo URL", length=255),
        FieldSchema("Description", "textarea", "Description", length=32000),
        FieldSchema(
            "LeadSource", "picklist", "Lead Source", length=255, picklist_values=LEAD_SOURCES
        ),
        FieldSchema(
            "Status",
            "picklist",
            "Status",
            nillable=False,
            length=255,
            picklist_values=LEAD_STATUSES,
            default="Open - Not Contacted",
            defaulted_on_create=True,
            restricted_picklist=True,
        ),
        FieldSchema("Industry", "picklist", "Industry", length=255, picklist_values=INDUSTRIES),
        FieldSchema(
            "Rating",
            "picklist",
            "Rating",
            length=255,
            picklist_values=RATINGS,
            restricted_picklist=True,
        ),
        FieldSchema("AnnualRevenue", "currency", "Annual Revenue", precision=18, scale=0),
        FieldSchema("NumberOfEmployees", "int", "Employees", precision=8),
        _owner(),
        FieldSchema(
            "IsConverted",
            "boolean",
            "Converted",
            nillable=False,
            updateable=False,
            default="false",
            defaulted_on_create=True,
        ),
        _ro("ConvertedDate", "date", "Converted Date"),
        _ro_ref("ConvertedAccountId", "Converted Account ID", "Account", "ConvertedAccount"),
        _ro_ref("ConvertedContactId", "Converted Contact ID", "Contact", "ConvertedContact"),
        _ro_ref(
            "ConvertedOpportunityId",
            "Converted Opportunity ID",
            "Opportunity",
            "ConvertedOpportunity",
        ),
        FieldSchema(
            "IsUnreadByOwner",
            "boolean",
            "Unread By Owner",
            nillable=False,
            default="true",
            defaulted_on_create=True,
        ),
        *_system_fields(),
        _ro("LastActivityDate", "date", "Last Activity"),
        _ro("LastViewedDate", "datetime", "Last Viewed Date"),
        _ro("LastReferencedDate", "datetime", "Last Referenced Date"),
        FieldSchema("Jigsaw", "string", "Data.com Key", length=20),
        _ro("JigsawContactId", "string", "Jigsaw Contact ID", length=20),
        FieldSchema(
            "CleanStatus",
            "picklist",
            "Clean Status",
            length=40,
            picklist_values=(
                "Matched",
                "Different",
                "Acknowledged",
                "NotFound",
                "Inactive",
                "Pending",
                "SelectMatch",
                "Skipped",
            ),
        ),
        FieldSchema("CompanyDunsNumber", "string", "Company D-U-N-S Number", length=9),
        _ref("DandbCompanyId", "D&B Company ID", "DandBCompany", "DandbCompany"),
        FieldSchema("EmailBouncedReason", "string", "Email Bounced Reason", length=255),
        FieldSchema("EmailBouncedDate", "datetime", "Email Bounced Date"),
        _ref("IndividualId", "Individual ID", "Individual", "Individual"),
        FieldSchema("SICCode__c", "string", "SIC Code", length=15),
        FieldSchema(
            "ProductInterest__c",
            "picklist",
            "Product Interest",
            length=255,
            picklist_values=("GC1000 series", "GC5000 series", "GC3000 series"),
        ),
        FieldSchema("Primary__c", "picklist", "Primary", length=255, picklist_values=("No", "Yes")),
        FieldSchema("CurrentGenerators__c", "string", "Current Generator(s)", length=100),
        FieldSchema("NumberofLocations__c", "double", "Number of Locations", precision=3),
    ],
)

OPPORTUNITY = _obj(
    "Opportunity",
    "006",
    "Opportunities",
    [
        _id_field("Opportunity ID"),
        _is_deleted(),
        _ref("AccountId", "Account ID", "Account", "Account"),
        FieldSchema(
            "IsPrivate",
            "boolean",
            "Private",
            nillable=False,
            default="false",
            defaulted_on_create=True,
        ),
        FieldSchema("Name", "string", "Name", nillable=False, length=120, name_field=True),
        FieldSchema("Description", "textarea", "Description", length=32000),
        FieldSchema(
            "StageName",
            "picklist",
            "Stage",
            nillable=False,
            length=255,
            picklist_values=tuple(OPPORTUNITY_STAGES),
            restricted_picklist=True,
        ),
        FieldSchema("Amount", "currency", "Amount", precision=18, scale=2),
        FieldSchema("Probability", "percent", "Probability (%)", precision=3, scale=0),
        _ro("ExpectedRevenue", "currency", "Expected Amount", precision=18, scale=2),
        FieldSchema("TotalOpportunityQuantity", "double", "Quantity", precision=18, scale=2),
        FieldSchema("CloseDate", "date", "Close Date", nillable=False),
        FieldSchema(
            "Type",
            "picklist",
            "Opportunity Type",
            length=255,
            picklist_values=(
                "Existing Customer - Upgrade",
                "Existing Customer - Replacement",
                "Existing Customer - Downgrade",
                "New Customer",
            ),
        ),
        FieldSchema("NextStep", "string", "Next Step", length=255),
        FieldSchema(
            "LeadSource", "picklist", "Lead Source", length=255, picklist_values=LEAD_SOURCES
        ),
        _ro("IsClosed", "boolean", "Closed", nillable=False, defaulted_on_create=True),
        _ro("IsWon", "boolean", "Won", nillable=False, defaulted_on_create=True),
        _ro(
            "ForecastCategory",
            "picklist",
            "Forecast Category",
            nillable=False,
            length=40,
            picklist_values=tuple(FORECAST_CATEGORIES.values()),
            defaulted_on_create=True,
        ),
        FieldSchema(
            "ForecastCategoryName",
            "picklist",
            "Forecast Category",
            length=255,
            picklist_values=tuple(FORECAST_CATEGORIES),
            defaulted_on_create=True,
            restricted_picklist=True,
        ),
        _ref("CampaignId", "Campaign ID", "Campaign", "Campaign"),
        _ro(
            "HasOpportunityLineItem",
            "boolean",
            "Has Line Item",
            nillable=False,
            defaulted_on_create=True,
        ),
        _ref("Pricebook2Id", "Price Book ID", "Pricebook2", "Pricebook2"),
        _owner(),
        *_system_fields(),
        _ro("LastActivityDate", "date", "Last Activity"),
        _ro("PushCount", "int", "Push Count", precision=9),
        _ro("LastStageChangeDate", "datetime", "Last Stage Change Date"),
        _ro("FiscalQuarter", "int", "Fiscal Quarter", precision=11),
        _ro("FiscalYear", "int", "Fiscal Year", precision=11),
        _ro("Fiscal", "string", "Fiscal Period", length=6),
        _ref("ContactId", "Contact ID", "Contact", "Contact"),
        _ro("LastViewedDate", "datetime", "Last Viewed Date"),
        _ro("LastReferencedDate", "datetime", "Last Referenced Date"),
        _ro("HasOpenActivity", "boolean", "Has Open Activity", nillable=False),
        _ro("HasOverdueTask", "boolean", "Has Overdue Task", nillable=False),
        FieldSchema(
            "DeliveryInstallationStatus__c",
            "picklist",
            "Delivery/Installation Status",
            length=255,
            picklist_values=("In progress", "Yet to begin", "Completed"),
        ),
        FieldSchema("TrackingNumber__c", "string", "Tracking Number", length=12),
        FieldSchema("OrderNumber__c", "string", "Order Number", length=8),
        FieldSchema("CurrentGenerators__c", "string", "Current Generator(s)", length=100),
        FieldSchema("MainCompetitors__c", "string", "Main Competitor(s)", length=100),
    ],
)

ORGANIZATION = _obj(
    "Organization",
    "00D",
    "Organizations",
    [
        _id_field("Organization ID"),
        _ro("Name", "string", "Name", nillable=False, length=80, name_field=True),
        _ro("Division", "string", "Division", length=80),
        _ro("Street", "textarea", "Street", length=255),
        _ro("City", "string", "City", length=40),
        _ro("State", "string", "State/Province", length=80),
        _ro("PostalCode", "string", "Zip/Postal Code", length=20),
        _ro("Country", "string", "Country", length=80),
        _ro("Phone", "phone", "Phone", length=40),
        _ro("PrimaryContact", "string", "Primary Contact", length=80),
        _ro("DefaultLocaleSidKey", "picklist", "Locale", nillable=False, length=40),
        _ro("TimeZoneSidKey", "picklist", "Default Time Zone", nillable=False, length=40),
        _ro("LanguageLocaleKey", "picklist", "Language", nillable=False, length=40),
        _ro(
            "OrganizationType",
            "picklist",
            "Edition",
            length=40,
            picklist_values=ORGANIZATION_TYPES,
            restricted_picklist=True,
        ),
        _ro("InstanceName", "string", "Instance Name", length=5),
        _ro("IsSandbox", "boolean", "Is Sandbox", nillable=False),
        _ro("TrialExpirationDate", "datetime", "Trial Expiration Date"),
        _ro("NamespacePrefix", "string", "Namespace Prefix", length=15),
        *_system_fields(),
    ],
    createable=False,
    updateable=False,
    deletable=False,
)

USER = _obj(
    "User",
    "005",
    "Users",
    [
        _id_field("User ID"),
        _ro("Username", "string", "Username", nillable=False, length=80),
        _ro("LastName", "string", "Last Name", nillable=False, length=80),
        _ro("FirstName", "string", "First Name", length=40),
        _ro("Name", "string", "Full Name", nillable=False, length=121, name_field=True),
        _ro("CompanyName", "string", "Company Name", length=80),
        _ro("Title", "string", "Title", length=80),
        _ro("Email", "email", "Email", nillable=False, length=128),
        _ro("Alias", "string", "Alias", nillable=False, length=8),
        _ro("IsActive", "boolean", "Active", nillable=False),
        _ro("TimeZoneSidKey", "picklist", "Time Zone", nillable=False, length=40),
        _ro("LocaleSidKey", "picklist", "Locale", nillable=False, length=40),
        _ro("LanguageLocaleKey", "picklist", "Language", nillable=False, length=40),
        _ro("UserType", "picklist", "User Type", length=40),
        *_system_fields(),
    ],
    createable=False,
    updateable=False,
    deletable=False,
)

SCHEMA: dict[str, ObjectSchema] = {obj.name: obj for obj in (LEAD, OPPORTUNITY, ORGANIZATION, USER)}
