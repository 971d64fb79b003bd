"""A small population held in Python, standing in for the database in ledger tests: the
ledger only needs the counts of a request's population."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from casework.reports.disclosure import CountTable
from casework.reports.request import COUNTRY, REGION, ReportRequest


@dataclass(frozen=True)
class Person:
    id: int
    country: str
    identified_on: date
    gender: str


class FakeData:
    def __init__(self, people: Sequence[Person]) -> None:
        self.people = list(people)

    def population(self, request: ReportRequest) -> set[int]:
        def in_scope(p: Person) -> bool:
            if request.scope.kind == REGION:
                return True
            assert request.scope.kind == COUNTRY
            return p.country == request.scope.value

        return {
            p.id
            for p in self.people
            if in_scope(p) and request.period.start <= p.identified_on <= request.period.end
        }

    def count(self, request: ReportRequest) -> CountTable:
        members = self.population(request)
        genders = ("F", "M")
        columns = request.period.parts()
        counts = tuple(
            tuple(
                sum(
                    1
                    for p in self.people
                    if p.id in members and p.gender == g and col.start <= p.identified_on <= col.end
                )
                for col in columns
            )
            for g in genders
        )
        return CountTable(request.template, genders, tuple(c.key for c in columns), counts)


def people(country: str, start_id: int, count: int, on: date, gender: str = "F") -> list[Person]:
    return [Person(start_id + i, country, on, gender) for i in range(count)]
