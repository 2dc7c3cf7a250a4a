"""The two ways a request can fall outside a principal's reach, raised by the app layer
and answered at the HTTP edge (403) like every other domain error."""

from __future__ import annotations

from crosscheck_platform.auth.errors import Forbidden


class OutOfScope(Forbidden):
    """The data lies outside the principal's county, township or village. One code and
    one message wherever it happens, naming nothing: which township or village was
    asked for is not echoed back, and a list is refused rather than answered empty."""

    code = "out_of_scope"
    message_key = "forbidden.scope"

    def __init__(self) -> None:
        super().__init__(self.message_key)


class ReadOnly(Forbidden):
    """The principal may read the data but its role changes nothing at that level
    (county viewers; county admins on a township's data)."""

    code = "read_only"
    message_key = "forbidden.read_only"

    def __init__(self) -> None:
        super().__init__(self.message_key)
