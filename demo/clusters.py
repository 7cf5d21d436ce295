"""Hanoi's emulation clusters (cụm thi đua) before the 2025 reorganisation, 2020-2024.

The city grouped its upper-level unions into clusters of about six that compete with each
other, each year led by one of them. The groups here are neighbouring districts (and the
six sector unions together), plausible where the real grouping is not public; the leader
rotates through the members year by year.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from branches.models import Federation
from targets.services import cluster_set

YEARS = range(2020, 2025)

CLUSTERS: list[tuple[str, tuple[str, ...]]] = [
    ("Cụm thi đua số 1", ("ba-dinh", "hoan-kiem", "tay-ho", "dong-da", "hai-ba-trung", "cau-giay")),
    ("Cụm thi đua số 2", ("long-bien", "gia-lam", "dong-anh", "soc-son", "me-linh", "bac-tu-liem")),
    ("Cụm thi đua số 3", ("thanh-xuan", "hoang-mai", "nam-tu-liem", "ha-dong", "thanh-tri", "hoai-duc")),
    ("Cụm thi đua số 4", ("son-tay", "ba-vi", "phuc-tho", "dan-phuong", "thach-that", "quoc-oai")),
    ("Cụm thi đua số 5", ("chuong-my", "thanh-oai", "thuong-tin", "phu-xuyen", "ung-hoa", "my-duc")),
    ("Cụm thi đua số 6", ("nganh-giao-duc", "nganh-y-te", "nganh-xay-dung", "nganh-giao-thong",
                          "nganh-cong-thuong", "nganh-nong-nghiep")),
]


def leader_code(codes: tuple[str, ...], year: int) -> str:
    """The member leading the cluster in `year` (in turn, from 2020)."""
    return codes[(year - YEARS[0]) % len(codes)]


def load() -> dict[str, int]:
    """Write the clusters of every year whose federations exist (the small scale has fewer)."""
    federations = Federation.objects.in_bulk(field_name="code")
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("Emulation clusters set by the city federation")
    written = 0
    for year in YEARS:
        for name, codes in CLUSTERS:
            members = [federations[code] for code in codes if code in federations]
            if len(members) < 2:
                continue
            leader = federations.get(leader_code(codes, year))
            cluster_set(name=name, year=year, members=members,
                        leader=leader if leader in members else members[0], reason=reason)
            written += 1
    return {"emulation cluster": written}
