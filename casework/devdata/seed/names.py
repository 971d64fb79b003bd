"""Invented names in the scripts of the region, for generated cases.

Combinations of common given and family names, as caseworkers would write them: in the
person's own script, or in Latin transliteration. None is meant to be anyone real.
"""

from __future__ import annotations

import random

# citizenship -> (given names, family names); each list mixes native script and Latin.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "TH": (
        ("สมหญิง", "มาลี", "นภา", "ศิริพร", "Somchai", "Malee", "Nok", "Kanya"),
        ("ศรีสุข", "ใจดี", "บุญมา", "Srisuk", "Jaidee", "Boonma", "Wongsa"),
    ),
    "KH": (
        ("សុខា", "ដារ៉ា", "ស្រីនិច", "Sokha", "Dara", "Srey Nich", "Vanna", "Chenda"),
        ("សុខ", "ចាន់", "ហេង", "Sok", "Chan", "Heng", "Keo", "Touch"),
    ),
    "MM": (
        ("အေးအေး", "မြမြ", "သန်းသန်း", "Aye Aye", "Mya Mya", "Thandar", "Zaw", "Hnin"),
        ("ဝင်း", "ကျော်", "Win", "Kyaw", "Oo", "Htun", "Naing"),
    ),
    "LA": (
        ("ສີດາ", "ນາງ ແກ້ວ", "Sida", "Keo", "Bounmy", "Noy", "Phet"),
        ("ພົມມະວົງ", "Phommavong", "Sisavath", "Vongsa", "Keomany"),
    ),
    "VN": (
        ("Lan", "Hoa", "Mai", "Thị Lan", "Văn Minh", "Thu Trang", "Ngọc Anh", "Hương"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"),
    ),
    "PH": (
        ("Maria", "Josefina", "Rowena", "Jose", "Maricel", "Lourdes", "Ramon", "Liza"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Dela Cruz", "Garcia", "Mendoza"),
    ),
    "ID": (
        ("Siti", "Dewi", "Sri", "Putri", "Agus", "Wulan", "Rina", "Budi"),
        ("Rahayu", "Lestari", "Susanti", "Wijaya", "Hidayat", "Saputra"),
    ),
    "BD": (
        ("রহিমা", "ফাতেমা", "Rahima", "Fatema", "Shirin", "Karim", "Nasima"),
        ("খাতুন", "বেগম", "Khatun", "Begum", "Akter", "Hossain", "Islam"),
    ),
    "NP": (
        ("सीता", "गीता", "Sita", "Gita", "Sunita", "Kamala", "Ram", "Binita"),
        ("तामाङ", "Tamang", "Gurung", "Rai", "Magar", "Shrestha", "Thapa"),
    ),
    "CN": (
        ("秀英", "丽", "敏", "Xiuying", "Li", "Min", "Jing", "Wei"),
        ("王", "李", "张", "Wang", "Li", "Zhang", "Liu", "Chen"),
    ),
}
FAMILY_NAME_FIRST = frozenset({"VN", "CN", "KH"})
# Scripts written without spaces between family and given name.
NO_SPACE_SCRIPTS = ("王", "李", "张")


def person_name(rng: random.Random, citizenship: str) -> str:
    """An invented full name in the order and script customary for `citizenship`."""
    given_names, family_names = NAMES.get(citizenship, NAMES["PH"])
    given, family = rng.choice(given_names), rng.choice(family_names)
    if citizenship in FAMILY_NAME_FIRST:
        if family in NO_SPACE_SCRIPTS and not given.isascii():
            return family + given
        return f"{family} {given}"
    return f"{given} {family}"
