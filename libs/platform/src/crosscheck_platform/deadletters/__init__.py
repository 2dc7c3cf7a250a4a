"""Dead letters on the `<topic>.dlq` topics: listed, shown and redriven.

Redriving publishes a dead letter back to the topic it came from, byte for byte as it
was first published (key, value, the original headers without the `dlq_*` ones the
consumer added), so consumers read it as the event it always was: those that applied
it before skip it by its event id, the one that set it aside applies it now — once,
however often it is redriven.
"""

from crosscheck_platform.deadletters.letters import (
    Letter,
    LetterFilter,
    read_letters,
    redrive,
)

__all__ = ["Letter", "LetterFilter", "read_letters", "redrive"]
