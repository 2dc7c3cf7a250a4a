"""`crosscheck-deadletters`: look at and redrive the dead letters of the event topics.

    crosscheck-deadletters list [TOPIC] [--reason R] [--consumer C] [--type T]
    crosscheck-deadletters show TOPIC PARTITION:OFFSET
    crosscheck-deadletters redrive TOPIC [--reason R] [--consumer C] [--type T]
                                         [--at PARTITION:OFFSET ...] [--all] [--dry-run]

TOPIC is a context (`hazards`) or a topic name (`crosscheck.hazards.v1`); the broker and
the topic namespace come from CROSSCHECK_KAFKA_BOOTSTRAP and CROSSCHECK_TOPIC_NAMESPACE.
Redrive after the fix that the reasons call for (e.g. the consumer upgraded to read a
newer schema version): consumers that set a letter aside apply it then, once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.topics import Topics, dead_letter_topic
from crosscheck_platform.deadletters.letters import Letter, LetterFilter, read_letters, redrive
from crosscheck_platform.settings import ServiceSettings

_REASON_WIDTH = 90


def _origin_topic(name: str, topics: Topics) -> str:
    contexts = {c.value: c for c in BoundedContext}
    if name in contexts:
        return topics.of(contexts[name])
    return name.removesuffix(".dlq")


def _filter(args: argparse.Namespace) -> LetterFilter:
    return LetterFilter(
        reason=args.reason,
        consumer=args.consumer,
        event_type=args.type,
        positions=frozenset(getattr(args, "at", None) or ()),
    )


def _line(letter: Letter) -> str:
    reason = " ".join(letter.reason.split())
    if len(reason) > _REASON_WIDTH:
        reason = reason[: _REASON_WIDTH - 1] + "…"
    kind = letter.event_type.rsplit(".", 1)[-1] or "?"
    when = letter.timestamp.strftime("%Y-%m-%d %H:%M:%S")
    return f"{letter.position:>10}  {when}  {kind:<24} {letter.consumer:<28} {reason}"


async def _list(args: argparse.Namespace, bootstrap: str, topics: Topics) -> int:
    names = [_origin_topic(args.topic, topics)] if args.topic else topics.all
    for origin in names:
        letters = await read_letters(bootstrap, dead_letter_topic(origin), _filter(args))
        print(f"{dead_letter_topic(origin)}: {len(letters)} letter(s)")
        for letter in letters:
            print("  " + _line(letter))
    return 0


async def _show(args: argparse.Namespace, bootstrap: str, topics: Topics) -> int:
    topic = dead_letter_topic(_origin_topic(args.topic, topics))
    wanted = LetterFilter(positions=frozenset({args.position}))
    letters = await read_letters(bootstrap, topic, wanted)
    if not letters:
        print(f"no letter at {args.position} on {topic}", file=sys.stderr)
        return 1
    [letter] = letters
    print(f"topic      {topic} {letter.position} ({letter.timestamp.isoformat()})")
    print(f"origin     {letter.origin}")
    print(f"consumer   {letter.consumer}")
    print(f"reason     {letter.reason}")
    print(f"key        {(letter.key or b'').decode('utf-8', 'replace')}")
    print("headers")
    for name, raw in letter.original_headers():
        print(f"  {name}: {raw.decode('utf-8', 'replace')}")
    print("value")
    raw_value = (letter.value or b"").decode("utf-8", "replace")
    try:
        print(json.dumps(json.loads(raw_value), ensure_ascii=False, indent=2))
    except ValueError:
        print(raw_value)
    return 0


async def _redrive(args: argparse.Namespace, bootstrap: str, topics: Topics) -> int:
    chosen = _filter(args)
    if chosen == LetterFilter() and not args.all:
        print("say which letters: --reason, --consumer, --type, --at, or --all", file=sys.stderr)
        return 2
    topic = dead_letter_topic(_origin_topic(args.topic, topics))
    letters = await read_letters(bootstrap, topic, chosen)
    verb = "would redrive" if args.dry_run else "redriving"
    print(f"{topic}: {verb} {len(letters)} letter(s)")
    for letter in letters:
        print("  " + _line(letter))
    if not args.dry_run:
        sent = await redrive(bootstrap, letters)
        print(f"published {sent} letter(s) back to {_origin_topic(args.topic, topics)}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crosscheck-deadletters",
        description="List, show and redrive the dead letters of Crosscheck's event topics.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def filters(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--reason", help="letters whose reason contains this text")
        sub.add_argument("--consumer", help="letters set aside by this consumer")
        sub.add_argument("--type", help="letters whose event type contains this text")

    listing = commands.add_parser("list", help="letters per topic, oldest first")
    listing.add_argument("topic", nargs="?", help="a context or topic; all when left out")
    filters(listing)
    show = commands.add_parser("show", help="one letter whole")
    show.add_argument("topic")
    show.add_argument("position", help="PARTITION:OFFSET as `list` prints it")
    again = commands.add_parser("redrive", help="publish letters back to their topic")
    again.add_argument("topic")
    filters(again)
    again.add_argument("--at", action="append", metavar="PARTITION:OFFSET")
    again.add_argument("--all", action="store_true", help="every letter of the topic")
    again.add_argument("--dry-run", action="store_true", help="say what, publish nothing")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    settings = ServiceSettings()
    topics = Topics(settings.topic_namespace)
    run = {"list": _list, "show": _show, "redrive": _redrive}[args.command]
    raise SystemExit(asyncio.run(run(args, settings.kafka_bootstrap, topics)))


if __name__ == "__main__":
    main()
