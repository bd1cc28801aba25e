"""The ATS 80020 reader refuses each malformed file whole, naming the line and element; the
writer's files read back to the same message; a file becomes the readings of a market."""

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krai.app.ats_80020 import (
    MAX_FILE_BYTES,
    AtsError,
    AtsMessage,
    Channel,
    Interval,
    MeasuringPoint,
    read_80020,
    write_80020,
)
from krai.app.meter_readings import (
    MAX_READINGS,
    MeterFile,
    MeterFileError,
    points_from_json,
    read_meter_file,
    readings_to_sign,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ats_80020"
KRASNOYARSK = SimpleNamespace(utc_offset_minutes=420, period_minutes=60)
INN_A, INN_B = "2466000001", "246600000412"


def period(start: int, end: int, value: str = "10", status: str = "0", extra: str = "") -> str:
    def hhmm(minute: int) -> str:
        return f"{minute // 60 % 24:02d}{minute % 60:02d}"

    return (
        f'<period start="{hhmm(start)}" end="{hhmm(end)}"{extra}>'
        f'<value status="{status}">{value}</value></period>'
    )


def day_of(minutes: int = 60, value: str = "10") -> str:
    return "\n".join(period(s, s + minutes, value) for s in range(0, 1440, minutes))


def xml(
    periods: str | None = None,
    *,
    root: str = '<message class="80020" version="2" number="1">',
    day: str = "<day>20180603</day>",
    area: str = '<area timezone="7">',
    code: str = INN_A,
    channel: str = "01",
    more: str = "",
) -> bytes:
    """A file of one point with one channel (by default hourly, 10 kWh an hour)."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
{root}
<datetime><timestamp>20180603090000</timestamp>{day}</datetime>
<sender><inn>2466000009</inn><name>Сеть</name></sender>
{area}
<inn>2466000009</inn>
<measuringpoint code="{code}" name="Ввод 1">
<measuringchannel code="{channel}" desc="Активная энергия, прием">
{day_of() if periods is None else periods}
</measuringchannel>
</measuringpoint>
{more}
</area>
</message>
""".encode()


def refusal(data: bytes) -> str:
    with pytest.raises(AtsError) as refused:
        read_80020(data)
    return str(refused.value)


def test_the_fixture_written_from_the_formats_description_reads() -> None:
    message = read_80020((FIXTURES / "krasnoyarsk_2018-06-03.xml").read_bytes())
    assert (message.message_class, message.number, message.day) == ("80020", "117", "2018-06-03")
    assert (message.sender_inn, message.area_inn, message.timezone_hours) == (
        *("2466000009", "2466000009"),
        7,
    )
    assert message.sender_name == "Сетевая компания (коммерческий учёт)"
    assert [p.code for p in message.points] == ["240010001000101", "240010001000202"]
    assert [c.code for c in message.points[0].channels] == ["01", "02", "03", "04"]
    first = message.points[0].channels[0].intervals[0]
    assert (first.start, first.end, first.kwh, first.estimated) == (0, 30, Decimal(50000), False)
    assert message.points[1].channels[1].intervals[20].estimated


def test_an_80040_file_reads_as_80020_does() -> None:
    data = xml(root='<message class="80040" version="2">')
    assert read_80020(data).message_class == "80040"


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"<message", "line 1: not well-formed XML: unclosed token"),
        (b"", "not well-formed XML: no element found"),
        (xml(root="<mesage>").replace(b"</message>", b"</mesage>"), "root element is not"),
        (xml(root='<message class="80030" version="2">'), "class='80030' is not one of 80020"),
        (xml(root='<message class="80020" version="1">'), "version='1' is not one of 2"),
        (xml(root='<message version="2">'), "line 2: <message>: the attribute class is missing"),
        (xml(day=""), "line 3: <datetime>: has no <day>, expected one"),
        (xml(day="<day>2018-06-03</day>"), "<day>: '2018-06-03' is not a day YYYYMMDD"),
        (xml(day="<day>20180231</day>"), "<day>: '20180231' is not a day YYYYMMDD"),
        (
            xml(day="<day>20180603</day><daylightsavingtime>1</daylightsavingtime>"),
            "<daylightsavingtime>: daylight saving time is not read",
        ),
        (xml(area='<area timezone="Asia/Krasnoyarsk">'), "timezone='Asia/Krasnoyarsk' is not"),
        (xml(more="</area><area><inn>2466000009</inn>"), "<message>: has 2 <area>, expected one"),
        (xml(code="24 01"), "<measuringpoint>: code='24 01' is not a measuring point's code"),
        (xml(channel="05"), "line 8: <measuringchannel>: code='05' is not one of 01, 02, 03, 04"),
        (xml(periods=day_of(value="1,5")), "<value>: '1,5': the decimal separator is a point"),
        (xml(periods=day_of(value="-3")), "<value>: '-3' is not a non-negative number of kWh"),
        (xml(periods=day_of(value="")), "<value>: '' is not a non-negative number of kWh"),
        (xml(periods=day_of(value="1e3")), "'1e3' is not a non-negative number of kWh"),
        (
            xml(periods=day_of().replace('status="0"', 'status="7"', 1)),
            "line 9: <value>: status='7' is not one of 0, 1",
        ),
        (
            xml(periods=day_of().replace("0000", "2400", 1)),
            "<period>: start='2400' is not a time HHMM",
        ),
        (xml(periods=period(60, 0) + day_of()), "starts at 0100, expected 0000"),
        (
            xml(periods=day_of().replace('start="0100" end="0200"', 'start="0100" end="0100"')),
            "<period>: end is not after start",
        ),
        (
            xml(periods=day_of().replace('start="0200" end="0300"', 'start="0230" end="0300"')),
            "line 11: <period>: starts at 0230, expected 0200 (the periods leave a gap or overlap)",
        ),
        (
            xml(periods=period(0, 30) + period(30, 90) + day_of()[day_of().index("\n") + 1 :]),
            "<period>: not as long as the channel's first",
        ),
        (xml(periods=day_of()[: day_of().rindex("\n")]), "its periods end at 2300"),
        (
            xml(periods=period(0, 1440, extra=' summer="1"')),
            "<period>: summer='1' is not one of 0",
        ),
        (
            xml(periods=period(0, 1440).replace("</period>", "<value>1</value></period>")),
            "<period>: has 2 <value>, expected one",
        ),
    ],
)
def test_each_malformed_file_is_refused_naming_its_line_and_element(
    data: bytes, found: str
) -> None:
    assert found in refusal(data)


def test_points_and_channels_are_each_given_once() -> None:
    twice = f'<measuringpoint code="{INN_A}"><measuringchannel code="01">{day_of()}'
    twice += "</measuringchannel></measuringpoint>"
    assert f"code='{INN_A}' is also the point of line 7" in refusal(xml(more=twice))
    channel = f'</measuringchannel><measuringchannel code="01">{day_of()}'
    assert "code='01' appears twice in point" in refusal(xml(periods=day_of() + channel))
    empty = '<measuringpoint code="x1"></measuringpoint>'
    assert "point x1 has no <measuringchannel>" in refusal(xml(more=empty))


def test_an_area_with_no_point_is_refused() -> None:
    data = b'<message class="80020" version="2"><datetime><day>20180603</day></datetime>'
    data += b"<sender><inn>2466000009</inn></sender><area><inn>2466000009</inn></area></message>"
    assert "<area>: has no <measuringpoint>" in refusal(data)


def test_entities_dtds_and_external_references_are_refused_before_any_is_expanded() -> None:
    laughs = b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "lol">'
    laughs += b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><message>&b;</message>'
    assert "DTDForbidden" in refusal(laughs)
    external = b'<?xml version="1.0"?><!DOCTYPE m SYSTEM "file:///etc/passwd"><message/>'
    assert "DTDForbidden" in refusal(external)
    inline = b'<?xml version="1.0"?><message xmlns:x="urn:x">&ext;</message>'
    assert "not well-formed XML: undefined entity" in refusal(inline)


def test_a_file_larger_than_the_bound_is_refused_unparsed() -> None:
    padded = xml() + b" " * (MAX_FILE_BYTES + 1 - len(xml()))
    assert refusal(padded) == f"the file has {MAX_FILE_BYTES + 1} bytes, more than {MAX_FILE_BYTES}"


def test_an_undeclared_or_unknown_encoding_is_refused() -> None:
    cp1251 = xml().replace(b'encoding="utf-8"', b"").decode().encode("cp1251")
    assert "not well-formed XML: not well-formed (invalid token)" in refusal(cp1251)
    assert "not readable XML: unknown encoding" in refusal(
        xml().replace(b'encoding="utf-8"', b'encoding="koi9"')
    )


# The reader and the writer agree.

kwh = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False).map(
    lambda d: d.normalize() if d != d.to_integral_value() else d.to_integral_value()
)


names = st.text(st.characters(min_codepoint=0x20, exclude_categories=("Cs",)), max_size=20)


@st.composite
def messages(draw: st.DrawFn) -> AtsMessage:
    minutes = draw(st.sampled_from([15, 30, 60]))
    codes = draw(
        st.lists(
            st.from_regex(r"[0-9A-Za-z][0-9A-Za-z._-]{0,10}", fullmatch=True),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    points = []
    for code in codes:
        channels = draw(
            st.lists(st.sampled_from(["01", "02", "03", "04"]), min_size=1, max_size=4, unique=True)
        )
        points.append(
            MeasuringPoint(
                code,
                draw(names),
                tuple(
                    Channel(
                        channel,
                        tuple(
                            Interval(start, start + minutes, draw(kwh), draw(st.booleans()))
                            for start in range(0, 1440, minutes)
                        ),
                    )
                    for channel in channels
                ),
            )
        )
    return AtsMessage(
        day=draw(st.dates(min_value=date(1990, 1, 1))).isoformat(),
        sender_inn=draw(st.from_regex(r"[0-9]{10}", fullmatch=True)),
        area_inn=draw(st.from_regex(r"[0-9]{12}", fullmatch=True)),
        points=tuple(points),
        timezone_hours=draw(st.none() | st.integers(-12, 14)),
        message_class=draw(st.sampled_from(["80020", "80040"])),
        number=draw(st.from_regex(r"[0-9]{1,6}", fullmatch=True)),
        sender_name=draw(names).strip(),
        area_name=draw(names).strip(),
    )


@settings(max_examples=40, deadline=None)
@given(messages())
def test_what_the_writer_writes_the_reader_reads_back(message: AtsMessage) -> None:
    assert read_80020(write_80020(message)) == message


def test_the_writer_refuses_a_name_xml_cannot_carry() -> None:
    message = read_80020(xml())
    with pytest.raises(ValueError, match="XML cannot carry the character"):
        write_80020(AtsMessage(**{**message.__dict__, "sender_name": "a\x08b"}))


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=400)
    | st.builds(lambda b, i: xml()[:i] + b + xml()[i:], st.binary(max_size=8), st.integers(0, 1500))
)
def test_any_bytes_are_read_or_refused_never_a_traceback(data: bytes) -> None:
    try:
        found = read_80020(data)
    except AtsError as error:
        assert str(error)
    else:
        assert found.points


# A file for a market: its readings.


def test_half_hours_sum_to_a_markets_hour_and_a_status_1_makes_an_estimate() -> None:
    data = (FIXTURES / "krasnoyarsk_2018-06-03.xml").read_bytes()
    points = points_from_json((FIXTURES / "points.json").read_bytes())
    found = read_meter_file(data, KRASNOYARSK, points)
    assert found.sha256 == hashlib.sha256(data).hexdigest()
    assert found.day == "2018-06-03"
    assert len(found.readings) == 48  # two participants, 24 hours; reactive channels ignored
    assert found.readings[0] == {
        "participant_inn": "2466000001",
        "period": 1,
        "consumption_kwh": 100000,
        "generation_kwh": 0,
    }
    assert found.readings[24 + 10] == {  # 14999.5 + 15000.5 in hour 11, one half estimated
        "participant_inn": "2466000004",
        "period": 11,
        "consumption_kwh": 0,
        "generation_kwh": 30000,
        "estimated": True,
    }


def test_two_points_of_one_participant_add_up() -> None:
    second = f'<measuringpoint code="{INN_B}x"><measuringchannel code="02">{day_of(value="3")}'
    second += "</measuringchannel></measuringpoint>"
    found = read_meter_file(xml(more=second), KRASNOYARSK, {INN_A: INN_B, f"{INN_B}x": INN_B})
    assert found.readings[0] == {
        "participant_inn": INN_B,
        "period": 1,
        "consumption_kwh": 10,
        "generation_kwh": 3,
    }


def meter_refusal(data: bytes, market: SimpleNamespace = KRASNOYARSK, **points: str) -> str:
    with pytest.raises(MeterFileError) as refused:
        read_meter_file(data, market, points or None)
    return str(refused.value)


def test_the_area_must_keep_the_markets_time() -> None:
    assert "<area>: timezone UTC+6, but the market's periods are in UTC+7" in meter_refusal(
        xml(area='<area timezone="6">')
    )
    assert "<area>: no timezone (Moscow time) UTC+3, but" in meter_refusal(xml(area="<area>"))
    moscow = SimpleNamespace(utc_offset_minutes=180, period_minutes=60)
    assert read_meter_file(xml(area="<area>"), moscow).readings[0]["consumption_kwh"] == 10


def test_intervals_must_fit_the_markets_periods() -> None:
    quarter_hours = SimpleNamespace(utc_offset_minutes=420, period_minutes=15)
    refused = meter_refusal(xml(), quarter_hours)
    assert "intervals of 60 minutes do not fit the market's 15-minute periods" in refused
    assert len(read_meter_file(xml(periods=day_of(15)), quarter_hours).readings) == 96
    assert (
        read_meter_file(xml(periods=day_of(15)), KRASNOYARSK).readings[0]["consumption_kwh"] == 40
    )


def test_a_period_that_is_not_whole_kwh_is_refused_not_rounded() -> None:
    refused = meter_refusal(xml(periods=day_of(30, value="0.25")))
    assert f"<measuringpoint code={INN_A}> channel 01: period 1 sums to 0.50 kWh" in refused
    assert (
        read_meter_file(xml(periods=day_of(30, value="0.5")), KRASNOYARSK).readings[0][
            "consumption_kwh"
        ]
        == 1
    )


def test_a_point_is_named_by_the_points_file_or_is_an_inn() -> None:
    assert "line 7: <measuringpoint code=m-1>: the code is not an INN; give a points file" in (
        meter_refusal(xml(code="m-1"))
    )
    assert "<measuringpoint code=m-1>: the points file does not name it" in meter_refusal(
        xml(code="m-1"), **{"m-2": INN_A}
    )


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"[1]", "not a JSON object"),
        (b"{", "not UTF-8 JSON"),
        (b'{"m 1": "2466000001"}', "'m 1' is not a measuring point's code"),
        (b'{"m1": "246600"}', "point m1: '246600' is not an INN"),
        (b'{"m1": 2466000001}', "point m1: 2466000001 is not an INN"),
    ],
)
def test_a_bad_points_file_is_refused(data: bytes, found: str) -> None:
    with pytest.raises(MeterFileError, match=found):
        points_from_json(data)


def test_the_anchor_comes_first_and_readings_go_in_parts_of_2000() -> None:
    readings = [
        {"participant_inn": INN_A, "period": p, "consumption_kwh": 1, "generation_kwh": 0}
        for p in range(1, MAX_READINGS + 2)
    ]
    parts = readings_to_sign("m", MeterFile("ab" * 32, "2018-06-03", list(readings)))
    assert [part.type for part in parts] == ["notary.anchor", *["energy.submit_readings"] * 2]
    assert parts[0].body["sha256"] == "ab" * 32
    assert parts[0].body["reference"] == "energy.submit_readings m 2018-06-03"
    assert [len(part.body["readings"]) for part in parts[1:]] == [MAX_READINGS, 1]
    assert len({part.nonce for part in parts}) == 3
    again = readings_to_sign("m", MeterFile("ab" * 32, "2018-06-03", list(readings)))
    assert [part.nonce for part in again] == [part.nonce for part in parts]
