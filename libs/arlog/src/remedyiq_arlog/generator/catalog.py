"""Static vocabulary of a typical ITSM AR System server: forms, fields, users, filters, errors."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

# ---- forms -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Form:
    name: str
    schema_id: int  # data table T<id>, status history H<id>, attachments B<id>
    filters: tuple[tuple[str, int], ...]  # (filter name, execution order), sorted by order
    has_history: bool = True
    has_attachments: bool = False


_ASCII_FORMS: Final = (
    ("HPD:Help Desk", 2115, True, True),
    ("HPD:WorkLog", 2120, False, True),
    ("HPD:Help Desk Assignment Log", 2117, False, False),
    ("HPD:IncidentInterface", 2131, False, False),
    ("CHG:Infrastructure Change", 2302, True, True),
    ("CHG:WorkLog", 2307, False, True),
    ("PBM:Problem Investigation", 2402, True, False),
    ("TMS:Task", 2501, True, False),
    ("SRM:Request", 3301, True, False),
    ("WOI:WorkOrder", 3601, True, False),
    ("CTM:People", 1301, False, False),
    ("CTM:Support Group", 1310, False, False),
    ("CTM:Support Group Association", 1312, False, False),
    ("COM:Company", 1201, False, False),
    ("AST:BaseElement", 4190, False, False),
    ("SLM:Measurement", 4381, True, False),
    ("NTE:SYS-NT Process Control", 4382, False, False),
    ("AP:Detail", 4601, True, False),
    ("AP:Signature", 4193, False, False),
    ("RKM:KnowledgeArticleManager", 4702, True, True),
    ("NGC:Calendar", 4801, False, False),
    ("AR System Email Messages", 5101, False, True),
    ("AR System Job", 5102, False, False),
    ("AR System Configuration Component", 8, False, False),
    ("User", 320, False, False),
    ("Group", 321, False, False),
)
_UNICODE_FORMS: Final = (
    ("CUST:Bestellübersicht", 5201, True, False),
    ("CUST:Заявки", 5202, True, False),
    ("CUST:客户请求", 5203, True, False),
)

_FILTER_VERBS: Final = (
    "SetDefaults",
    "CheckAssignment",
    "SetStatusReason",
    "CalcPriority",
    "NotifyAssignee",
    "CreateWorkLog",
    "PushAudit",
    "UpdateSLM",
    "ClearTmpFields",
    "SetLastModified",
    "GetSupportGroup",
    "Validate",
    "SetCompany",
    "Escalate",
    "SendNotification",
    "CheckDup",
)


def _filters_for(name: str, rng: random.Random) -> tuple[tuple[str, int], ...]:
    prefix = name.split(":", 1)[0] if ":" in name else "AR"
    if prefix in ("AR System Email Messages", "AR System Job"):
        prefix = "AR"
    verbs = rng.sample(_FILTER_VERBS, rng.randint(6, 11))
    orders = sorted(rng.sample(range(100, 1300, 100), len(verbs)))
    return tuple(
        (f"{prefix}:{verb}_{order}", order) for verb, order in zip(verbs, orders, strict=True)
    )


def _build_forms(specs: tuple[tuple[str, int, bool, bool], ...]) -> tuple[Form, ...]:
    rng = random.Random(0x4152)  # filter names are the same for every seed
    return tuple(
        Form(name, sid, _filters_for(name, rng), has_history=hist, has_attachments=att)
        for name, sid, hist, att in specs
    )


ASCII_FORMS: Final = _build_forms(_ASCII_FORMS)
UNICODE_FORMS: Final = _build_forms(_UNICODE_FORMS)

#: Forms the user-facing calls mostly touch (indices into ASCII_FORMS, repeated = more likely).
BUSY_FORM_NAMES: Final = (
    "HPD:Help Desk",
    "HPD:Help Desk",
    "HPD:Help Desk",
    "HPD:WorkLog",
    "SRM:Request",
    "CHG:Infrastructure Change",
    "TMS:Task",
    "WOI:WorkOrder",
    "CTM:People",
    "CTM:Support Group",
    "PBM:Problem Investigation",
    "AP:Detail",
    "SLM:Measurement",
    "RKM:KnowledgeArticleManager",
)

FREE_TEXT_FORM_NAMES: Final = ("HPD:WorkLog", "CHG:WorkLog", "HPD:Help Desk", "SRM:Request")

# ---- fields ------------------------------------------------------------------------------

#: (field name, field id, values it gets set to)
FIELDS: Final = (
    ("Status", 7, ("0", "1", "2", "3", "4", "5")),
    ("Short Description", 8, ("Printer jams", "VPN down", "Password reset", "New laptop")),
    ("Assignee", 4, ("Allen Allbrook", "Mary Mann", "Bob Baxter", "Ian Plyment")),
    ("Status_Reason", 1000000150, ("1000", "2000", "3000", "4000")),
    ("Priority", 1000000164, ("0", "1", "2", "3")),
    ("Impact", 1000000163, ("1000", "2000", "3000", "4000")),
    ("Urgency", 1000000162, ("1000", "2000", "3000", "4000")),
    ("Company", 1000000001, ("Calbro Services", "Invention, Inc.", "Petramco")),
    ("Assigned Group", 1000000217, ("Service Desk", "Backoffice Support", "Network Support")),
    ("z1D Action", 1000000076, ("MODIFY", "SETSTATUS", "CREATE", "ASSIGN")),
    ("Incident Number", 1000000161, ("INC000000123456", "INC000000123457", "INC000000098812")),
    ("Categorization Tier 1", 1000000063, ("Infrastructure", "Software", "Hardware")),
)
FIELD_VALUES: Final = tuple(v for _, _, values in FIELDS for v in values)
ENTRY_FIELD_LIST: Final = "C1,C2,C3,C4,C5,C6,C7,C8"
SEARCH_COLUMNS: Final = ("C7", "C8", "C1000000217", "C1000000001", "C536870914", "C1000000161")

# ---- users, clients ----------------------------------------------------------------------

ASCII_USERS: Final = (
    "hpatel",
    "mgarcia",
    "jsmith",
    "kchan",
    "Allen Allbrook",
    "Mary Mann",
    "Bob Baxter",
    "Francie Stafford",
    "Ian Plyment",
    "Orphan Annie",
    "dlee",
    "tnguyen",
    "rmorris",
    "appadmin",
)
UNICODE_USERS: Final = ("José Núñez", "Zoë Ångström", "Jürgen Müller", "Łukasz Wróbel", "李娜")
#: Latin-1 bytes inside an otherwise UTF-8 file (encoded with surrogateescape → 0xE9, 0xE8).
INVALID_BYTES_USER: Final = "Ren\udce9 Lef\udce8vre"
SERVICE_USER: Final = "Remedy Application Service"
ADMIN_USER: Final = "Demo"

CLIENTS: Final = (
    "Mid-tier",
    "Mid-tier",
    "Mid-tier",
    "Mid-tier",
    "Mid-tier",
    "Mid-tier",
    "Mid-tier",
    "Java API",
    "Java API",
    "BMC Remedy Email Engine",
    "Unidentified Client",
    "Approval Server",
)

# ---- errors ------------------------------------------------------------------------------

API_ERRORS_READ: Final = (
    (302, "Entry does not exist in database"),
    (
        93,
        "Timeout during database query -- consider using more specific search criteria to "
        "narrow the results, and retry the operation",
    ),
)
API_ERRORS_WRITE: Final = (
    (326, "Required field cannot be blank. : 536870913"),
    (382, "The value(s) for this entry violate a unique index that has been defined for this form"),
    (45386, "null : Required field (without a default) not specified :  Category 1*"),
    (1291053, "Invalid Operational Categorization; please select a valid categorization."),
)
AR_ERROR_SQL: Final = (552, "The SQL database operation failed.")

SQL_ERRORS: Final = {
    "mssql": (
        "*** ERROR ***  [Microsoft][ODBC Driver 17 for SQL Server][SQL Server]Violation of "
        "PRIMARY KEY constraint 'PK_{T}'. Cannot insert duplicate key in object 'dbo.{T}'. "
        "(SQL Server 2627)",
        "com.bmc.arsys.domain.etc.ARException: ERROR (552): The SQL database operation failed.; "
        "Transaction (Process ID 87) was deadlocked on lock resources with another process and "
        "has been chosen as the deadlock victim. Rerun the transaction. (SQL Server 1205)",
        "*** ERROR ***  [Microsoft][ODBC Driver 17 for SQL Server][SQL Server]Lock request time "
        "out period exceeded. (SQL Server 1222)",
    ),
    "oracle": (
        "*** ERROR ***  ORA-00001: unique constraint (ARADMIN.I{ID}_1_1) violated",
        "com.bmc.arsys.domain.etc.ARException: ERROR (552): The SQL database operation failed.; "
        "ORA-00060: deadlock detected while waiting for resource",
        "*** ERROR ***  ORA-01013: user requested cancel of current operation",
    ),
}

# ---- escalations -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Escalation:
    name: str
    form: str
    interval_s: int  # re-fires every interval (the "going to fire in N seconds" value)


POOL_ESCALATIONS: Final = (
    (
        Escalation("SLM:SLAMeasurement_Escalation", "SLM:Measurement", 20),
        Escalation("HPD:INC:AutoClose_Resolved", "HPD:Help Desk", 240),
        Escalation("SRM:REQ:ProcessPending", "SRM:Request", 60),
    ),
    (
        Escalation("NTE:SYS-NT_SendNotifications", "NTE:SYS-NT Process Control", 15),
        Escalation("AR System Email Messages:Cleanup", "AR System Email Messages", 120),
        Escalation("TMS:TAS:CheckOverdue", "TMS:Task", 90),
    ),
    (
        Escalation("ASJ:ScheduleJob", "AR System Job", 30),
        Escalation("CHG:CCM:ScheduledReminder", "CHG:Infrastructure Change", 150),
        Escalation("AP:ESC:Reminder", "AP:Detail", 180),
    ),
)
UNICODE_ESCALATION: Final = Escalation("CUST:Erinnerung_Überfällig", "CUST:Bestellübersicht", 45)

WORKLOG_TEXTS: Final = (
    "Printer on 3rd floor jams again",
    "User cannot log in to VPN since this morning",
    "Outlook crashes when opening shared calendar",
    "Please reset my password",
)
WORKLOG_CONTINUATIONS: Final = (
    "please check the attached log; the user reported: it fails again",
    "Steps to reproduce: 1) open the form 2) press Save",
    "Regards,",
    "Service Desk",
)
