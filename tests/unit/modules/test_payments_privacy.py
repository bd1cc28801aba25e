"""No personal data on the ledger: people enrolled in the vault appear in entries and state
only as their pseudonyms and dedup keys, never by SNILS, name or birth date."""

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from tests.scenarios.payments_people import ALLOWANCE, AUTHORITY, BENEFIT, DRUGS, Person
from tests.scenarios.payments_region import Region, populate

from krai.adapters.vault.store import SqlVault, open_vault
from krai.app.vault import Person as PersonalData
from krai.app.vault import enrol, erase
from krai.modules.payments.pseudonyms import SNILS_CHECKED_ABOVE, snils_check_digits

SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов"]
NAMES = ["Анна", "Пётр", "Мария", "Иван", "Ольга", "Сергей", "Елена", "Дмитрий"]
PATRONYMICS = ["Сергеевич", "Ивановна", "Петрович", "Алексеевна", "Ильич", "Андреевна"]


@dataclass
class EnrolledPerson(Person):
    """A generated person whose ledger identifiers come from the vault."""

    data: PersonalData | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    dedup: str = ""

    @property
    def dd(self) -> str:
        return self.dedup

    def ps(self, programme_id: str) -> str:
        return self.identifiers[programme_id]


def synthetic_snils(rng: random.Random) -> str:
    body = str(rng.randrange(SNILS_CHECKED_ABOVE + 1, 10**9)).zfill(9)
    return body + f"{snils_check_digits(body):02d}"


def personal_data(rng: random.Random, number: int) -> PersonalData:
    surname, name = rng.choice(SURNAMES), rng.choice(NAMES)
    full_name = f"{surname}{'а' if name in ('Анна', 'Мария', 'Ольга', 'Елена') else ''} {name} "
    full_name += f"{rng.choice(PATRONYMICS)} {number}"  # a number keeps every name distinct
    born = f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return PersonalData(synthetic_snils(rng), full_name, born, f"Калининград, ул. Мира, {number}")


def enrolled(vault: SqlVault, rng: random.Random, count: int) -> list[EnrolledPerson]:
    people = []
    for number in range(count):
        data = personal_data(rng, number)
        cash = rng.choice(["benefit", "benefit", "allowance", None])
        drugs = cash is None or rng.random() < 0.3
        programmes = [
            p
            for p, on in (
                (BENEFIT, cash == "benefit"),
                (ALLOWANCE, cash == "allowance"),
                (DRUGS, drugs),
            )
            if on
        ]
        identifiers = {p: enrol(vault, data, p) for p in programmes}
        subject = vault.find(data.snils)
        assert subject is not None
        people.append(
            EnrolledPerson(
                data.full_name,
                rng.choice([300_000, 900_000]),
                rng.random() < 0.3,
                cash,
                drugs,
                data=data,
                identifiers=identifiers,
                dedup=subject.dedup_key,
            )
        )
    return people


def spellings(data: PersonalData) -> list[str]:
    """Every way the person's SNILS, name and birth date could be written."""
    s = data.snils
    year, month, day = data.birth_date.split("-")
    surname, name, patronymic, _ = data.full_name.split(" ")
    return [
        s,
        f"{s[:3]}-{s[3:6]}-{s[6:9]} {s[9:]}",
        f"{s[:3]}-{s[3:6]}-{s[6:9]}-{s[9:]}",
        f"{s[:3]} {s[3:6]} {s[6:9]} {s[9:]}",
        data.full_name,
        f"{surname} {name} {patronymic}",
        f"{name} {patronymic} {surname}",
        data.birth_date,
        f"{day}.{month}.{year}",
        data.address,
    ]


def encodings(text: str) -> list[bytes]:
    """The text as UTF-8 and as JSON with non-ASCII escaped."""
    return [text.encode(), json.dumps(text)[1:-1].encode()]


def test_no_snils_name_or_birth_date_reaches_the_ledger(tmp_path: Path) -> None:
    rng = random.Random(152)
    vault = open_vault(f"sqlite:///{tmp_path / 'vault.db'}", tmp_path / "vault.key", create=True)
    try:
        people = enrolled(vault, rng, 40)
        region = populate(Region, seed=152, size=0, people=people)
        bodies = erase(vault, people[0].data.snils)  # type: ignore[union-attr]
        region.at(bodies[0]["erased_on"])  # the vault erases now: no erasure is future-dated
        for body in bodies:
            region.do(AUTHORITY, "payments.record_erasure", body)
    finally:
        vault.close()
    ledger = region.ledger
    stored = [*ledger.entries, *(key.encode() + b"=" + raw for key, raw in ledger.state.items())]
    everything = b"\n".join(stored)
    for person in people:
        assert person.dd.encode() in everything  # the person is on the ledger, by pseudonym
        assert person.data is not None
        for text in spellings(person.data):
            for needle in encodings(text):
                assert needle not in everything, f"{text!r} is on the ledger"
    assert len(region.accruals) > 50 and len(region.dispensings) > 5
