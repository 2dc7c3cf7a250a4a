"""Where and when a photo was taken, from its EXIF block (when the camera wrote one).

Phones write the time as local wall-clock time (DateTimeOriginal), with its offset in
OffsetTimeOriginal on newer ones, and the GPS fix with its own UTC date and time. A time
without either is read as China Standard Time, where the photos are taken."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from PIL import Image, UnidentifiedImageError

from crosscheck_contracts.events.registry import GeoPoint
from crosscheck_platform.clock import CHINA_STANDARD_TIME

_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4
_GPS_TIME, _GPS_DATE = 7, 29


@dataclass(frozen=True)
class ExifCapture:
    taken_at: datetime | None = None
    location: GeoPoint | None = None


def read_capture(data: bytes) -> ExifCapture:
    """What the photo's EXIF says; nothing for a file without EXIF or not an image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                exif = image.getexif()
                detail = exif.get_ifd(_EXIF_IFD)
                gps = exif.get_ifd(_GPS_IFD)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return ExifCapture()
    taken_at = _original_time(detail) or _gps_time(gps)
    return ExifCapture(taken_at=taken_at, location=_gps_location(gps))


def _original_time(detail: dict[int, Any]) -> datetime | None:
    raw = detail.get(_DATETIME_ORIGINAL)
    if not isinstance(raw, str):
        return None
    try:
        local = datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone = _offset(detail.get(_OFFSET_TIME_ORIGINAL)) or CHINA_STANDARD_TIME
    return local.replace(tzinfo=zone).astimezone(UTC)


def _offset(raw: object) -> timezone | None:
    if not isinstance(raw, str) or len(raw.strip()) != 6:
        return None
    text = raw.strip()
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _gps_time(gps: dict[int, Any]) -> datetime | None:
    date, time = gps.get(_GPS_DATE), gps.get(_GPS_TIME)
    if not isinstance(date, str) or not time:
        return None
    try:
        day = datetime.strptime(date.strip("\x00 "), "%Y:%m:%d").replace(tzinfo=UTC)
        h, m, s = (float(x) for x in time)
    except (ValueError, TypeError):
        return None
    return day + timedelta(hours=h, minutes=m, seconds=s)


def _degrees(value: object, ref: object, negative: str) -> float | None:
    try:
        d, m, s = (float(x) for x in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    return -degrees if isinstance(ref, str) and ref.strip("\x00 ").upper() == negative else degrees


def _gps_location(gps: dict[int, Any]) -> GeoPoint | None:
    lat = _degrees(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF), "S")
    lon = _degrees(gps.get(_GPS_LON), gps.get(_GPS_LON_REF), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:
        return None  # what a phone writes when it had no fix
    return GeoPoint(lat=lat, lon=lon)
