"""Tenancy: who may read and change which data, decided in one place for every service.

Every piece of data lives somewhere (a `Holding`): in a county, in one of its townships,
and possibly concerning one or more of that township's villages. Its level follows:

    county    a county's own records (none yet; county admins will write them)
    township  a township's own records: the township, its staff, campaigns and plans,
              roster counts, contacts, the notices history, its own checklist items
    village   what concerns villages: places, the village list, inspections and their
              notices, hazards (the place's village and the supervising village),
              evidence (the villages whose inspections or hazards cite it), ledger rows

Every role belongs to a unit (its home) and reads what lies inside it; it changes, inside
it, only data of the levels its row allows. The rule table (`rules.REACH`):

    role               home      reads                                  changes
    county_admin       county    everything of its county               county records
    county_viewer      county    everything of its county               nothing
    township_admin     township  its township, every village of it      township and village data
    group_leader       township  its township, every village of it      township and village data
    inspector          township  its township, every village of it      township and village data
    village_committee  village   data concerning its own village        data concerning its village

Which command a role may issue (only a township admin launches a campaign, only on-site
staff verify a fix) is each route's business; tenancy only says where.

How the answers look, the same in every service:

- out of scope (another county, township or village) is 403 `out_of_scope` with one
  message that names nothing, checked before the role and before anything is looked up
  when the request names its township; a list is refused, never answered empty;
- in scope but not to be changed by that role is 403 `read_only`;
- an id nobody holds is 404; an id held outside the caller's scope is 403.

A township's county is read from its code (`county_of_township`), so services without
a township register decide a county viewer's request the same way the registry does.

`rules` holds the pure functions, `access` raises their refusals and narrows lists,
`deps` applies them to `/v1/townships/{code}` routes (FastAPI).
"""

from crosscheck_platform.tenancy.access import (
    Reading,
    acting_tenant,
    authorize,
    own_village,
    reading,
)
from crosscheck_platform.tenancy.errors import OutOfScope, ReadOnly
from crosscheck_platform.tenancy.rules import (
    REACH,
    Holding,
    Level,
    Reach,
    county_of_township,
    may_read,
    may_write,
)

__all__ = [
    "REACH",
    "Holding",
    "Level",
    "OutOfScope",
    "Reach",
    "ReadOnly",
    "Reading",
    "acting_tenant",
    "authorize",
    "county_of_township",
    "may_read",
    "may_write",
    "own_village",
    "reading",
]
