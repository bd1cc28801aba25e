"""Region codes: ``RU-`` and a federal subject code in force, or an ISO 3166-2 subdivision.

A Russian region is written ``RU-`` and its two-digit federal subject code, the code the
Federal Tax Service uses as the first two digits of an INN and of a tax office's code
(the subjects of Article 65 of the Constitution of the Russian Federation; the FNS
directory «Коды субъектов Российской Федерации», SPRO / SOUN): ``RU-24`` Krasnoyarsk
Krai. Codes of subjects merged away (80–82, 84, 85, 88) and codes that name no subject
(99, Baikonur and other territories) are refused. ISO 3166-2's letter forms (``RU-KYA``)
are refused too, so that a region has one key. Elsewhere a region is an ISO 3166-2
subdivision as ``pycountry`` (pinned in pyproject.toml) lists it: ``BY-MI`` Minsk Region,
``BY-HM`` the city of Minsk. ADR 0026.
"""

import re

import pycountry

REGION_ID_PATTERN = r"[A-Z]{2}-[0-9A-Z]{1,3}"
"""ISO 3166-1 country, a hyphen, then the region: for Russia the two-digit federal subject
code (``RU-24`` Krasnoyarsk Krai), elsewhere the ISO 3166-2 subdivision (``BY-MI``)."""

RUSSIAN_SUBJECT_CODES: dict[str, str] = {
    "01": "Republic of Adygea",
    "02": "Republic of Bashkortostan",
    "03": "Republic of Buryatia",
    "04": "Altai Republic",
    "05": "Republic of Dagestan",
    "06": "Republic of Ingushetia",
    "07": "Kabardino-Balkar Republic",
    "08": "Republic of Kalmykia",
    "09": "Karachay-Cherkess Republic",
    "10": "Republic of Karelia",
    "11": "Komi Republic",
    "12": "Mari El Republic",
    "13": "Republic of Mordovia",
    "14": "Sakha (Yakutia) Republic",
    "15": "Republic of North Ossetia–Alania",
    "16": "Republic of Tatarstan",
    "17": "Tuva Republic",
    "18": "Udmurt Republic",
    "19": "Republic of Khakassia",
    "20": "Chechen Republic",
    "21": "Chuvash Republic",
    "22": "Altai Krai",
    "23": "Krasnodar Krai",
    "24": "Krasnoyarsk Krai",
    "25": "Primorsky Krai",
    "26": "Stavropol Krai",
    "27": "Khabarovsk Krai",
    "28": "Amur Oblast",
    "29": "Arkhangelsk Oblast",
    "30": "Astrakhan Oblast",
    "31": "Belgorod Oblast",
    "32": "Bryansk Oblast",
    "33": "Vladimir Oblast",
    "34": "Volgograd Oblast",
    "35": "Vologda Oblast",
    "36": "Voronezh Oblast",
    "37": "Ivanovo Oblast",
    "38": "Irkutsk Oblast",
    "39": "Kaliningrad Oblast",
    "40": "Kaluga Oblast",
    "41": "Kamchatka Krai",
    "42": "Kemerovo Oblast – Kuzbass",
    "43": "Kirov Oblast",
    "44": "Kostroma Oblast",
    "45": "Kurgan Oblast",
    "46": "Kursk Oblast",
    "47": "Leningrad Oblast",
    "48": "Lipetsk Oblast",
    "49": "Magadan Oblast",
    "50": "Moscow Oblast",
    "51": "Murmansk Oblast",
    "52": "Nizhny Novgorod Oblast",
    "53": "Novgorod Oblast",
    "54": "Novosibirsk Oblast",
    "55": "Omsk Oblast",
    "56": "Orenburg Oblast",
    "57": "Oryol Oblast",
    "58": "Penza Oblast",
    "59": "Perm Krai",
    "60": "Pskov Oblast",
    "61": "Rostov Oblast",
    "62": "Ryazan Oblast",
    "63": "Samara Oblast",
    "64": "Saratov Oblast",
    "65": "Sakhalin Oblast",
    "66": "Sverdlovsk Oblast",
    "67": "Smolensk Oblast",
    "68": "Tambov Oblast",
    "69": "Tver Oblast",
    "70": "Tomsk Oblast",
    "71": "Tula Oblast",
    "72": "Tyumen Oblast",
    "73": "Ulyanovsk Oblast",
    "74": "Chelyabinsk Oblast",
    "75": "Zabaykalsky Krai",
    "76": "Yaroslavl Oblast",
    "77": "Moscow",
    "78": "Saint Petersburg",
    "79": "Jewish Autonomous Oblast",
    "83": "Nenets Autonomous Okrug",
    "86": "Khanty-Mansi Autonomous Okrug – Yugra",
    "87": "Chukotka Autonomous Okrug",
    "89": "Yamalo-Nenets Autonomous Okrug",
    "90": "Zaporozhye Oblast",
    "91": "Republic of Crimea",
    "92": "Sevastopol",
    "93": "Donetsk People's Republic",
    "94": "Luhansk People's Republic",
    "95": "Kherson Oblast",
}
"""The federal subject codes in force, as the FNS lists them, with an English name each."""

RUSSIA_PREFIX = "RU-"


def is_region_id(region_id: str) -> bool:
    """Whether ``region_id`` names a Russian federal subject in force or an ISO 3166-2
    subdivision of another country."""
    if not re.fullmatch(REGION_ID_PATTERN, region_id):
        return False
    if region_id.startswith(RUSSIA_PREFIX):
        return region_id.removeprefix(RUSSIA_PREFIX) in RUSSIAN_SUBJECT_CODES
    subdivision = pycountry.subdivisions.get(code=region_id)  # type: ignore[no-untyped-call]  # pycountry leaves get() unannotated
    return subdivision is not None
