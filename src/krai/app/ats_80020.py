"""The ATS «макет 80020» XML (and its sibling 80040, laid out alike): the metering data of a
day per measuring point, read for the energy module's readings and written from the
exchange's cleared positions (docs/modules/energy.md, "Formats").

Pure functions, shared by every edge: bytes in, a message out, and a message in, bytes out.
The XML is parsed by ``defusedxml`` with DTDs, entities and external references forbidden,
and a file is refused as a whole with an ``AtsError`` naming its line and element.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, ParseError, SubElement, TreeBuilder, indent, tostring

MAX_FILE_BYTES = 32 * 1024 * 1024
"""The largest file read: some thousands of measuring points."""
CLASSES = ("80020", "80040")
VERSION = "2"
ACTIVE_IMPORT, ACTIVE_EXPORT = "01", "02"
CHANNELS = {
    ACTIVE_IMPORT: "Активная энергия, прием",
    ACTIVE_EXPORT: "Активная энергия, отдача",
    "03": "Реактивная энергия, прием",
    "04": "Реактивная энергия, отдача",
}
"""The channel codes and what each measures; 03 and 04 (reactive) are read and then ignored."""
STATUSES = {"0": False, "1": True}
"""A value's ``status`` and whether it makes the reading an estimate: 0 commercial (measured)
data, 1 non-commercial (calculated, substituted) data."""
MINUTES_PER_DAY = 24 * 60
MOSCOW_HOURS = 3
"""The format's time when an area names no ``timezone``."""
INN = re.compile(r"[0-9]{10}|[0-9]{12}")
POINT_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")
HHMM = re.compile(r"([01][0-9]|2[0-3])([0-5][0-9])")
DAY = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
TIMEZONE = re.compile(r"[+-]?(?:0|1[0-4]|[1-9])")
VALUE = re.compile(r"(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,6})?")
TIMESTAMP = re.compile(r"[0-9]{14}")


class AtsError(ValueError):
    """A file refused: the message names the line and element at fault."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


@dataclass(frozen=True)
class Interval:
    """One ``<period>``: minutes of the local day it spans (the end 1440 is ``0000`` of the
    next day), its value in kWh, and whether its status makes it an estimate."""

    start: int
    end: int
    kwh: Decimal
    estimated: bool = False
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Channel:
    """A ``<measuringchannel>``: its code and its intervals, covering the day in order."""

    code: str
    intervals: tuple[Interval, ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class MeasuringPoint:
    """A ``<measuringpoint>``: the meter's code, its name and its channels."""

    code: str
    name: str
    channels: tuple[Channel, ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class AtsMessage:
    """A message read or to write: class, number, the day (ISO), who sends it, the area it
    covers and the area's UTC offset in hours (None: Moscow time), and its measuring points."""

    day: str
    sender_inn: str
    area_inn: str
    points: tuple[MeasuringPoint, ...]
    timezone_hours: int | None = None
    message_class: str = "80020"
    number: str = "1"
    timestamp: str = ""
    sender_name: str = ""
    area_name: str = ""


def read_80020(data: bytes) -> AtsMessage:
    """Every measuring point of a file, checked; raises ``AtsError`` on the first fault."""
    if len(data) > MAX_FILE_BYTES:
        raise AtsError(0, f"the file has {len(data)} bytes, more than {MAX_FILE_BYTES}")
    root, lines = _parsed(data)
    return _Reader(lines).message(root)


def _parsed(data: bytes) -> tuple[Element, dict[int, int]]:
    """The document's root and each element's line (by ``id``), parsed with no DTD, entity
    or external reference allowed."""
    # Imported here: the CLI's other energy commands never parse XML.
    from defusedxml import DefusedXmlException  # noqa: PLC0415
    from defusedxml.ElementTree import DefusedXMLParser  # noqa: PLC0415

    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as error:
        line = error.position[0] if error.position else 0
        reason = re.sub(r": line [0-9]+, column [0-9]+$", "", str(error))
        raise AtsError(line, f"not well-formed XML: {reason}") from None
    except DefusedXmlException as error:
        raise AtsError(builder.line(), f"refused: {error} (no DTD or entity is read)") from None
    except (LookupError, ValueError) as error:  # an unknown or mismatched declared encoding
        raise AtsError(builder.line(), f"not readable XML: {error}") from None
    return root, builder.lines


class _LineBuilder(TreeBuilder):
    """A tree builder that notes the line each element begins on."""

    def __init__(self) -> None:
        super().__init__()
        self.expat: Any = None
        self.lines: dict[int, int] = {}

    def line(self) -> int:
        return int(self.expat.CurrentLineNumber) if self.expat is not None else 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        self.lines[id(element)] = self.line()
        return element


class _Reader:
    """The elements of a parsed message, each checked where it is."""

    def __init__(self, lines: dict[int, int]) -> None:
        self.lines = lines

    def line(self, element: Element) -> int:
        return self.lines.get(id(element), 0)

    def fail(self, element: Element, message: str) -> AtsError:
        return AtsError(self.line(element), f"<{element.tag}>: {message}")

    def one(self, parent: Element, tag: str) -> Element:
        found = parent.findall(tag)
        if len(found) != 1:
            count = "no" if not found else str(len(found))
            raise self.fail(parent, f"has {count} <{tag}>, expected one")
        return found[0]

    def text(self, parent: Element, tag: str, pattern: re.Pattern[str], shape: str) -> str:
        element = self.one(parent, tag)
        value = (element.text or "").strip()
        if pattern.fullmatch(value) is None:
            raise self.fail(element, f"{value!r} is not {shape}")
        return value

    def attribute(
        self, element: Element, name: str, allowed: Sequence[str], default: str | None = None
    ) -> str:
        value = element.get(name, default)
        if value is None:
            raise self.fail(element, f"the attribute {name} is missing")
        if value not in allowed:
            raise self.fail(element, f"{name}={value!r} is not one of {', '.join(allowed)}")
        return value

    def message(self, root: Element) -> AtsMessage:
        if root.tag != "message":
            raise self.fail(root, "the root element is not <message>")
        message_class = self.attribute(root, "class", CLASSES)
        self.attribute(root, "version", (VERSION,))
        moment = self.one(root, "datetime")
        sender = self.one(root, "sender")
        area = self.one(root, "area")
        return AtsMessage(
            message_class=message_class,
            number=root.get("number", ""),
            day=self.day(moment),
            timestamp=self.timestamp(moment),
            sender_inn=self.text(sender, "inn", INN, "an INN of 10 or 12 digits"),
            sender_name=(sender.findtext("name") or "").strip(),
            area_inn=self.text(area, "inn", INN, "an INN of 10 or 12 digits"),
            area_name=(area.findtext("name") or "").strip(),
            timezone_hours=self.timezone(area),
            points=self.points(area),
        )

    def day(self, moment: Element) -> str:
        text = self.text(moment, "day", DAY, "a day YYYYMMDD")
        year, month, number = (int(part) for part in DAY.fullmatch(text).groups())  # type: ignore[union-attr]
        try:
            day = date(year, month, number).isoformat()
        except ValueError:
            raise self.fail(self.one(moment, "day"), f"{text!r} is not a day YYYYMMDD") from None
        saving = moment.find("daylightsavingtime")
        if saving is not None and (saving.text or "").strip() != "0":
            message = "daylight saving time is not read: Russia keeps one time all year"
            raise self.fail(saving, message)
        return day

    def timestamp(self, moment: Element) -> str:
        found = moment.find("timestamp")
        if found is None:
            return ""
        return self.text(moment, "timestamp", TIMESTAMP, "a time YYYYMMDDhhmmss")

    def timezone(self, area: Element) -> int | None:
        value = area.get("timezone")
        if value is None:
            return None
        if TIMEZONE.fullmatch(value) is None:
            raise self.fail(area, f"timezone={value!r} is not a whole number of hours from UTC")
        return int(value)

    def points(self, area: Element) -> tuple[MeasuringPoint, ...]:
        seen: dict[str, int] = {}
        points = []
        for element in area.iterfind("measuringpoint"):
            point = self.point(element)
            earlier = seen.setdefault(point.code, point.line)
            if earlier != point.line:
                raise self.fail(element, f"code={point.code!r} is also the point of line {earlier}")
            points.append(point)
        if not points:
            raise self.fail(area, "has no <measuringpoint>")
        return tuple(points)

    def point(self, element: Element) -> MeasuringPoint:
        code = element.get("code", "")
        if POINT_CODE.fullmatch(code) is None:
            raise self.fail(element, f"code={code!r} is not a measuring point's code")
        channels: list[Channel] = []
        for child in element.iterfind("measuringchannel"):
            channel = self.channel(child)
            if any(c.code == channel.code for c in channels):
                raise self.fail(child, f"code={channel.code!r} appears twice in point {code}")
            channels.append(channel)
        if not channels:
            raise self.fail(element, f"point {code} has no <measuringchannel>")
        return MeasuringPoint(code, element.get("name", ""), tuple(channels), self.line(element))

    def channel(self, element: Element) -> Channel:
        code = self.attribute(element, "code", tuple(CHANNELS))
        intervals = tuple(self.interval(period) for period in element.iterfind("period"))
        self.covering_the_day(element, intervals)
        return Channel(code, intervals, self.line(element))

    def interval(self, period: Element) -> Interval:
        start = self.minute(period, "start")
        end = self.minute(period, "end")
        end = MINUTES_PER_DAY if end == 0 else end
        if end <= start:
            raise self.fail(period, "end is not after start")
        self.attribute(period, "summer", ("0",), default="0")
        value = self.one(period, "value")
        estimated = STATUSES[self.attribute(value, "status", tuple(STATUSES), default="0")]
        text = (value.text or "").strip()
        if "," in text:
            raise self.fail(value, f"{text!r}: the decimal separator is a point")
        if VALUE.fullmatch(text) is None:
            raise self.fail(value, f"{text!r} is not a non-negative number of kWh")
        return Interval(start, end, Decimal(text), estimated, self.line(period))

    def minute(self, period: Element, name: str) -> int:
        value = period.get(name, "")
        match = HHMM.fullmatch(value)
        if match is None:
            raise self.fail(period, f"{name}={value!r} is not a time HHMM")
        return int(match.group(1)) * 60 + int(match.group(2))

    def covering_the_day(self, channel: Element, intervals: tuple[Interval, ...]) -> None:
        """The intervals follow each other from 00:00 to 24:00, all of one length."""
        at = 0
        for interval in intervals:
            if interval.start != at:
                raise AtsError(
                    interval.line,
                    f"<period>: starts at {_hhmm(interval.start)}, "
                    f"expected {_hhmm(at)} (the periods leave a gap or overlap)",
                )
            if interval.end - interval.start != intervals[0].end - intervals[0].start:
                raise AtsError(interval.line, "<period>: not as long as the channel's first")
            at = interval.end
        if at != MINUTES_PER_DAY:
            raise self.fail(channel, f"its periods end at {_hhmm(at)}, not at the day's end")


def _hhmm(minute: int) -> str:
    return f"{minute // 60 % 24:02d}{minute % 60:02d}"


def interval_minutes(channel: Channel) -> int:
    """How long each of the channel's intervals is."""
    first = channel.intervals[0]
    return first.end - first.start


def write_80020(message: AtsMessage) -> bytes:
    """A message as a windows-1251 XML file the reader reads back to the same message."""
    root = Element(
        "message", {"class": message.message_class, "version": VERSION, "number": message.number}
    )
    moment = SubElement(root, "datetime")
    if message.timestamp:
        SubElement(moment, "timestamp").text = message.timestamp
    SubElement(moment, "daylightsavingtime").text = "0"
    SubElement(moment, "day").text = message.day.replace("-", "")
    _party(SubElement(root, "sender"), message.sender_inn, message.sender_name)
    area = SubElement(root, "area")
    if message.timezone_hours is not None:
        area.set("timezone", str(message.timezone_hours))
    _party(area, message.area_inn, message.area_name)
    for point in message.points:
        area.append(_point(point))
    indent(root)
    written: bytes = tostring(root, encoding="windows-1251", xml_declaration=True)
    return written + b"\n"


def _party(element: Element, inn: str, name: str) -> None:
    SubElement(element, "inn").text = inn
    SubElement(element, "name").text = _carried(name)


def _carried(text: str) -> str:
    """``text`` if XML 1.0 can carry it as written; a control character or a lone surrogate
    raises ``ValueError``."""
    for character in text:
        if ord(character) < 0x20 or 0xD800 <= ord(character) <= 0xDFFF:
            raise ValueError(f"{text!r}: XML cannot carry the character {character!r}")
    return text


def _point(point: MeasuringPoint) -> Element:
    element = Element("measuringpoint", {"code": point.code, "name": _carried(point.name)})
    for channel in point.channels:
        desc = CHANNELS[channel.code]
        written = SubElement(element, "measuringchannel", {"code": channel.code, "desc": desc})
        for interval in channel.intervals:
            period = SubElement(
                written, "period", {"start": _hhmm(interval.start), "end": _hhmm(interval.end)}
            )
            status = "1" if interval.estimated else "0"
            SubElement(period, "value", {"status": status}).text = _written(interval.kwh)
    return element


def _written(kwh: Decimal) -> str:
    """A value as the reader's grammar has it: no exponent, no trailing zeros after a point."""
    text = format(kwh, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def active_channels(points: Sequence[MeasuringPoint]) -> Iterator[tuple[MeasuringPoint, Channel]]:
    """Every active channel (01, 02) of every point, in order; reactive ones are left out."""
    for point in points:
        for channel in point.channels:
            if channel.code in (ACTIVE_IMPORT, ACTIVE_EXPORT):
                yield point, channel
