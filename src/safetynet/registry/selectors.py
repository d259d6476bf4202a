"""Area scoping in one place: every read of households and persons starts here.

A user reaches the areas whose code starts with their own area's code (statistical codes nest:
county 6 digits, township 9, village 12). Roles without household access reach nothing. An
object outside the user's reach raises the same `NotFound` as a missing one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from safetynet.accounts.roles import Perm
from safetynet.core.errors import NotFound
from safetynet.core.lookups import AnyOf
from safetynet.core.postgresql import unprepared
from safetynet.core.resident_id import InvalidResidentId, parse_resident_id
from safetynet.core.statements import Statement, plain
from safetynet.registry.fields import blind_index
from safetynet.registry.models import Area, Household, Membership, Person


def _reach(user) -> str | None:
    """The code prefix a user reaches, or None for no household access."""
    if not user or not user.is_authenticated or not user.can(Perm.VIEW_HOUSEHOLD) or not user.area_id:
        return None
    return user.area.code


def has_reach(user) -> bool:
    """Whether the user reaches any household at all (a department liaison does not)."""
    return _reach(user) is not None


def in_reach(qs: QuerySet, user, area_code: str) -> QuerySet:
    """Any queryset cut to the user's reach, given the lookup path to the area code of its rows
    (e.g. "household__village__code"): the one rule every app's selectors apply."""
    prefix = _reach(user)
    if prefix is None:
        return qs.none()
    return under(qs, prefix, area_code)


def under(qs: QuerySet, prefix: str, area_code: str) -> QuerySet:
    """The rows whose area lies under the area of code `prefix` (`in_reach`'s rule, for a
    statement written once with a marker in place of the user's code: core/statements.py)."""
    return qs.filter(**{f"{area_code}__startswith": prefix})


def rows_in_reach(user, statement: Statement, queryset: Callable[[], QuerySet]) -> list:
    """The rows of `statement`, built with `under` and a marker for the area code, for the user's
    reach; nothing without household access. A code that cannot be bound into its pattern (other
    than letters and digits: core/statements.py) is read through `queryset()`, the same rows
    written as a queryset over `in_reach`."""
    prefix = _reach(user)
    if prefix is None:
        return []
    return statement(prefix) if plain(prefix) else list(queryset())


def in_own_area(qs: QuerySet, user, area_code: str) -> QuerySet:
    """Any queryset cut to the user's own area, for reads of figures (counts and sums, never
    rows) by roles that read totals without seeing households, like county finance on the
    dashboard: the same code-prefix rule as `in_reach`, on the user's own area. The caller
    checks the permission to read the figures."""
    if not user or not user.is_authenticated or not user.area_id:
        return qs.none()
    return qs.filter(**{f"{area_code}__startswith": user.area.code})


def users_reaching(village_code: str, roles) -> QuerySet:
    """Active users of the given roles whose area contains the village (the same rule read the
    other way: the village's code starts with theirs)."""
    from safetynet.accounts.models import User

    prefixes = {village_code[:n] for n in (2, 4, 6, 9, 12)}
    return User.objects.filter(is_active=True, role__in=list(roles), area__code__in=prefixes)


def areas_visible_to(user) -> QuerySet[Area]:
    prefix = _reach(user)
    if prefix is None:
        return Area.objects.none()
    # The user's own area and everything under it.
    return Area.objects.filter(code__startswith=prefix)


def area_label(name: str, level: str, parent_name: str) -> str:
    """An area as the selects show it: a village after its township's name, others by name."""
    return f"{parent_name} {name}" if level == Area.Level.VILLAGE and parent_name else name


@dataclass(frozen=True, slots=True)
class AreaChoice:
    """An area of a page's select (`{% area_options %}`): its code, name and level, its parent's
    name, and the whole row, to make the model instance of the one a query names."""

    pk: int
    code: str
    name: str
    level: str
    parent_id: int | None
    parent_name: str
    row: tuple
    db: str  # the database the row was read from

    @property
    def label(self) -> str:
        return area_label(self.name, self.level, self.parent_name)

    def instance(self) -> Area:
        return Area.from_db(self.db, _AREA_COLUMNS, self.row)


_AREA_COLUMNS = tuple(f.attname for f in Area._meta.concrete_fields)
_PK, _CODE, _NAME, _LEVEL, _PARENT = (
    _AREA_COLUMNS.index(c) for c in ("id", "code", "name", "level", "parent_id")
)


# Every list page's areas: the SQL written once a process (core/statements.py).
_AREAS_UNDER = Statement(
    lambda prefix: under(Area.objects.all(), prefix, "code").order_by("code").values_list(*_AREA_COLUMNS),
    "M0prefix",
)


def area_choices_visible_to(user) -> list[AreaChoice]:
    """Every area in the user's reach ordered by code, as values (a county's selects list a few
    hundred villages: no model instance each), with their parents' names when in reach, and a
    village's township always (one more query when it is out of reach: a village officer's)."""
    rows = rows_in_reach(
        user, _AREAS_UNDER, lambda: areas_visible_to(user).order_by("code").values_list(*_AREA_COLUMNS)
    )
    return _choices(rows, _AREAS_UNDER.db)


def area_choices_of(areas: QuerySet[Area]) -> list[AreaChoice]:
    """The areas of a queryset, as `area_choices_visible_to` gives them; the caller has chosen which
    the user may pick (those in reach, or a village officer's own township)."""
    areas = areas.order_by("code")
    return _choices(list(areas.values_list(*_AREA_COLUMNS)), areas.db)


def _choices(rows: list[tuple], db: str) -> list[AreaChoice]:
    names = {r[_PK]: r[_NAME] for r in rows}
    missing = {r[_PARENT] for r in rows if r[_LEVEL] == Area.Level.VILLAGE and r[_PARENT] not in names}
    missing.discard(None)
    if missing:
        names.update(Area.objects.filter(pk__in=missing).values_list("pk", "name"))
    return [
        AreaChoice(r[_PK], r[_CODE], r[_NAME], r[_LEVEL], r[_PARENT], names.get(r[_PARENT], ""), r, db)
        for r in rows
    ]


def village_choices_visible_to(user) -> list[AreaChoice]:
    """The villages in the user's reach as values, each with its township's name (a form's select)."""
    return [a for a in area_choices_visible_to(user) if a.level == Area.Level.VILLAGE]


def villages_visible_to(user) -> QuerySet[Area]:
    return areas_visible_to(user).filter(level=Area.Level.VILLAGE)


def households_visible_to(user) -> QuerySet[Household]:
    prefix = _reach(user)
    if prefix is None:
        return Household.objects.none()
    return households_in_region(prefix)


def households_in_region(code: str) -> QuerySet[Household]:
    """Every household under an area code, for batch jobs that act as the system (register runs,
    simulation, comparison): the same code-prefix rule as a user's reach."""
    return Household.objects.filter(village__code__startswith=code)


def villages_in_region(code: str) -> QuerySet[Area]:
    """Every village under an area code, with its township (the public application's list)."""
    return (
        Area.objects.filter(level=Area.Level.VILLAGE, code__startswith=code)
        .select_related("parent")
        .order_by("code")
    )


def persons_visible_to(user) -> QuerySet[Person]:
    prefix = _reach(user)
    if prefix is None:
        return Person.objects.none()
    return Person.objects.filter(memberships__household__village__code__startswith=prefix).distinct()


def memberships_visible_to(user) -> QuerySet[Membership]:
    prefix = _reach(user)
    if prefix is None:
        return Membership.objects.none()
    return Membership.objects.filter(household__village__code__startswith=prefix)


def get_household(user, pk) -> Household:
    try:
        return households_visible_to(user).select_related("village__parent", "head").get(pk=int(pk))
    except (Household.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该户。", code="household_not_found") from None


def reached_household(user, household) -> Household:
    """A household (or its id) checked against the user's reach: a household already read with
    its village (as `get_household` reads it) by the same rule as `in_reach`, without reading it
    again; anything else through `get_household`."""
    if isinstance(household, Household) and Household.village.is_cached(household):
        prefix = _reach(user)
        if prefix is not None and household.village.code.startswith(prefix):
            return household
        raise NotFound("未找到该户。", code="household_not_found")
    return get_household(user, getattr(household, "pk", household))


def get_membership(user, household: Household, pk) -> Membership:
    try:
        return memberships_visible_to(user).select_related("person").get(pk=int(pk), household=household)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该家庭成员。", code="member_not_found") from None


def get_village(user, code: str, *, field: str = "village") -> Area:
    try:
        return villages_visible_to(user).get(code=str(code))
    except Area.DoesNotExist:
        raise NotFound(
            f"未找到村（社区）{code}，或不在您的管辖范围内。", code="village_not_found", field=field
        ) from None


def get_person(user, pk) -> Person:
    try:
        return persons_visible_to(user).get(pk=int(pk))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该人员。", code="person_not_found") from None


def search_households(user, *, q: str = "", village: str = "", township: str = "") -> QuerySet[Household]:
    """Search by name, pinyin initials, exact ID number (through its blind index) or area.

    The matching households are found by one query on the area's current memberships, read
    through their own village (two for a text, which may also be a village or an address), without
    a join that multiplies households or a DISTINCT: an ID number is answered from its index,
    initials from the rows' own (one range per village of the area, migration 0013), a name of
    three characters or more from the trigram index on PostgreSQL, a shorter one from the area's
    people. Those queries are planned for the text every time; the ids found go back as one array
    (docs/scale.md, "Searches planned for their text")."""
    qs = households_visible_to(user)
    if village:
        qs = qs.filter(village__code=village)
    if township:
        qs = qs.filter(village__parent__code=township)
    q = (q or "").strip()
    if q:
        try:
            rid = parse_resident_id(q)
        except InvalidResidentId:
            rid = None
        # The matching households' ids from plain queries in the area, then taken: an OR across a
        # member subquery and the household's own columns, or a nested subquery, lets PostgreSQL
        # read every household or person of the province instead of the area's.
        # The area's current members through their own village (migrations 0011, 0013): one range
        # of an index per village, not a probe per household of the area.
        named = in_reach(Membership.objects.filter(left_on__isnull=True), user, "village__code")
        if village:
            named = named.filter(village__code=village)
        if township:
            named = named.filter(village__parent__code=township)
        if rid is not None:
            named = named.filter(person__id_index=blind_index(rid.number))
        elif q.isascii() and q.isalpha():
            named = named.filter(name_initials__startswith=q.lower())  # the row's own (0013)
        else:
            named = named.filter(person__name__contains=q)
        # unordered: a set is taken, and the ids then come from the indexes alone (migration 0013).
        # Planned for the text searched every time: initials shared by a hundred people and by a
        # tenth of the province want different plans (core/postgresql/base.py). An ID number
        # finds one person whatever the number: its statement stays prepared.
        with unprepared() if rid is None else contextlib.nullcontext():
            ids = set(named.order_by().values_list("household_id", flat=True))
            if rid is None and not (q.isascii() and q.isalpha()):  # a village or an address
                # Two branches of one UNION, each planned alone: the village's name through the
                # few areas of the user's, the address through its trigram index on PostgreSQL
                # (migration 0008). An OR across the two tables reads every household of the area.
                in_village = qs.filter(village__name__contains=q).order_by().values_list("pk", flat=True)
                at_address = qs.filter(address__contains=q).order_by().values_list("pk", flat=True)
                ids |= set(in_village.union(at_address))
        qs = qs.filter(AnyOf(F("pk"), sorted(ids)))  # one array parameter on PostgreSQL
    return qs.select_related("village__parent", "head").order_by("id")


def current_members(household: Household) -> QuerySet[Membership]:
    return household.memberships.filter(left_on__isnull=True).select_related("person").order_by("id")


def members_of(user, household: Household) -> tuple[list[Membership], list[Membership]]:
    """The household's current members (in the order they joined) and its past ones (the latest
    to leave first), with their people, in one query through the user's reach."""
    rows = list(
        memberships_visible_to(user).filter(household=household).select_related("person").order_by("id")
    )
    current = [m for m in rows if m.left_on is None]
    past = sorted((m for m in rows if m.left_on is not None), key=lambda m: m.left_on, reverse=True)
    return current, past  # sorted is stable: the same day's leavers stay in the order they joined


def past_members(household: Household) -> QuerySet[Membership]:
    return (
        household.memberships.filter(left_on__isnull=False).select_related("person").order_by("left_on", "id")
    )


def with_member_count(qs: QuerySet[Household]) -> QuerySet[Household]:
    """Annotate `member_count` (current members) with a subquery, so that a search's filter on
    memberships (name, ID) does not narrow the count to the matching members."""
    current = (
        Membership.objects.filter(household=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(member_count=Coalesce(Subquery(current, output_field=IntegerField()), 0))
